#include "tests/harness/scheduler_peer.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <future>

#include "tests/harness/scheduler_peer_impl.hpp"

namespace deckhand::test {
namespace {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using Clock = std::chrono::steady_clock;

}  // namespace

PeerCore::PeerCore(SchedulerPeerOptions options)
    : port_(options.port),
      options_(std::move(options)),
      acceptor_(io_),
      resume_(io_),
      work_(io_.get_executor()) {
  if (!options_.cert_file.empty()) {
    tls_.emplace(ssl::context::tls_server);
    tls_->use_certificate_chain_file(options_.cert_file.string());
    tls_->use_private_key_file(options_.key_file.string(), ssl::context::pem);
    if (!options_.client_ca_file.empty()) {
      tls_->load_verify_file(options_.client_ca_file.string());
      tls_->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
    }
  }
  thread_ = std::thread([this] { io_.run(); });
}

PeerCore::~PeerCore() {
  // Every coroutine ends once its socket is closed, and then run() returns by itself.
  onThread([this] { stopAll(); });
  work_.reset();
  thread_.join();
}

void PeerCore::onThread(const std::function<void()>& f) {
  std::promise<void> done;
  asio::post(io_, [&] {
    try {
      f();
      done.set_value();
    } catch (...) {
      done.set_exception(std::current_exception());
    }
  });
  done.get_future().get();
}

void PeerCore::listen() {
  const asio::ip::tcp::endpoint endpoint(asio::ip::make_address(options_.address), port_);
  acceptor_.open(endpoint.protocol());
  // A restarted peer takes its port back while the old connections sit in TIME_WAIT.
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen();
  {
    const std::lock_guard lock(mutex_);
    port_ = acceptor_.local_endpoint().port();
  }
  asio::co_spawn(io_, acceptLoop(), asio::detached);
}

asio::awaitable<void> PeerCore::acceptLoop() {
  for (;;) {
    auto [error, socket] = co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
    if (error) co_return;  // closed by stop()
    std::erase_if(links_, [](const auto& link) { return link.expired(); });
    links_.push_back(serveConnection(*this, std::move(socket)));
  }
}

void PeerCore::stopAll() {
  acceptor_.close();
  for (const auto& weak : links_) {
    if (const auto link = weak.lock()) link->drop();
  }
  links_.clear();
  // Silence ends with the peer: a waiting read would otherwise outlive its dropped socket.
  silent_ = false;
  resume_.cancel();
}

int PeerCore::accepted() {
  const std::lock_guard lock(mutex_);
  const int number = ++connections_;
  changed_.notify_all();
  return number;
}

asio::awaitable<void> PeerCore::whileSilent() {
  while (silent_) {
    {
      const std::lock_guard lock(mutex_);
      if (!silent_since_) silent_since_ = Clock::now();
    }
    co_await resume_.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

void PeerCore::recordUpgrade(Upgrade upgrade) {
  const std::lock_guard lock(mutex_);
  upgrades_.push_back(std::move(upgrade));
  changed_.notify_all();
}

void PeerCore::recordFrame(ReceivedFrame frame) {
  frame.at = Clock::now();  // before the lock, which the test's thread may hold
  const std::lock_guard lock(mutex_);
  frames_.push_back(std::move(frame));
  changed_.notify_all();
}

void PeerCore::recordClose(ClosedBy close) {
  const std::lock_guard lock(mutex_);
  closes_.push_back(std::move(close));
  changed_.notify_all();
}

SchedulerPeer::SchedulerPeer(SchedulerPeerOptions options)
    : impl_(std::make_unique<PeerCore>(std::move(options))) {
  start();
}

SchedulerPeer::~SchedulerPeer() = default;

void SchedulerPeer::start() {
  impl_->onThread([this] { impl_->listen(); });
}

void SchedulerPeer::stop() {
  impl_->onThread([this] { impl_->stopAll(); });
}

void SchedulerPeer::moveTo(const std::string& address) {
  impl_->onThread([&] {
    impl_->stopAll();
    impl_->options_.address = address;
    impl_->listen();
  });
}

std::uint16_t SchedulerPeer::port() const {
  const std::lock_guard lock(impl_->mutex_);
  return impl_->port_;
}

std::string SchedulerPeer::url() const {
  return std::string(impl_->options_.cert_file.empty() ? "ws://" : "wss://") +
         impl_->options_.address + ":" + std::to_string(port()) + "/v1/agent";
}

bool SchedulerPeer::send(const std::string& frame, bool binary) {
  bool sent = false;
  impl_->onThread([&] {
    for (auto it = impl_->links_.rbegin(); it != impl_->links_.rend() && !sent; ++it) {
      const auto link = it->lock();
      if (link && link->number > 0) {
        link->send(frame, binary);
        sent = true;
      }
    }
  });
  return sent;
}

void SchedulerPeer::setSilent(bool silent) {
  impl_->onThread([&] {
    impl_->silent_ = silent;
    if (silent) {
      impl_->resume_.expires_at(asio::steady_timer::time_point::max());
    } else {
      impl_->resume_.cancel();
      const std::lock_guard lock(impl_->mutex_);
      impl_->silent_since_.reset();
    }
  });
}

std::optional<Clock::time_point> SchedulerPeer::silentSince() const {
  const std::lock_guard lock(impl_->mutex_);
  return impl_->silent_since_;
}

std::optional<ReceivedFrame> SchedulerPeer::waitForMessage(
    const std::function<bool(const ReceivedFrame&)>& match,
    std::chrono::milliseconds timeout) const {
  std::unique_lock lock(impl_->mutex_);
  std::optional<ReceivedFrame> found;
  impl_->changed_.wait_for(lock, timeout, [&] {
    for (const auto& frame : impl_->frames_) {
      if (match(frame)) {
        found = frame;
        return true;
      }
    }
    return false;
  });
  return found;
}

bool SchedulerPeer::waitForConnections(int count, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(impl_->mutex_);
  return impl_->changed_.wait_for(lock, timeout, [&] { return impl_->connections_ >= count; });
}

std::optional<ClosedBy> SchedulerPeer::waitForClose(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(impl_->mutex_);
  if (!impl_->changed_.wait_for(lock, timeout, [&] { return !impl_->closes_.empty(); })) {
    return std::nullopt;
  }
  return impl_->closes_.front();
}

std::vector<ReceivedFrame> SchedulerPeer::messages() const {
  const std::lock_guard lock(impl_->mutex_);
  return impl_->frames_;
}

std::vector<Upgrade> SchedulerPeer::upgrades() const {
  const std::lock_guard lock(impl_->mutex_);
  return impl_->upgrades_;
}

int SchedulerPeer::connections() const {
  const std::lock_guard lock(impl_->mutex_);
  return impl_->connections_;
}

}  // namespace deckhand::test
