#include "agent/state/store.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>

#include "agent/state/atomic_file.hpp"

namespace deckhand::state {

Store::Store(boost::asio::any_io_executor executor, std::filesystem::path folder)
    : executor_(std::move(executor)), folder_(std::move(folder)), retry_timer_(executor_) {}

Store::~Store() {
  *alive_ = false;
  worker_.join();
}

template <typename T, typename Decode>
std::optional<T> Store::load(const char* name, const char* what, Decode decode, bool& lost) {
  try {
    const auto contents = readStateFile(folder_, name);
    if (!contents) return std::nullopt;
    return decode(*contents);
  } catch (const std::runtime_error& error) {  // StateError or FormatError
    lost = true;
    std::string kept = "it could not be set aside";
    try {
      kept = "kept as " + setAside(folder_, name).string();
    } catch (const StateError& aside) {
      kept += std::string(": ") + aside.what();
    }
    spdlog::error(
        "the saved {} is unusable ({}); {}; continuing without it and asking the "
        "scheduler to send it again",
        what, error.what(), kept);
    return std::nullopt;
  }
}

DesiredUnits Store::loadDesired() {
  auto units = load<DesiredUnits>(
      kDesiredFile, "desired state",
      [&](const std::string& contents) {
        try {
          return decodeDesired(contents);
        } catch (const FormatError& error) {
          throw FormatError((folder_ / kDesiredFile).string() + ": " + error.what());
        }
      },
      lost_.desired);
  return units.value_or(DesiredUnits{});
}

std::optional<machine::Metadata> Store::loadMetadata() {
  return load<machine::Metadata>(
      kMetadataFile, "metadata",
      [&](const std::string& contents) {
        try {
          return decodeMetadata(contents);
        } catch (const FormatError& error) {
          throw FormatError((folder_ / kMetadataFile).string() + ": " + error.what());
        }
      },
      lost_.metadata);
}

void Store::saveDesired(const DesiredUnits& units, Saved saved) {
  desired_.pending = encodeDesired(units);
  if (saved) desired_.waiting.push_back(std::move(saved));
  if (desired_.writing) return;
  // A newer state replaces the one waiting for its retry and is tried at once.
  retry_timer_.cancel();
  writeDesired();
}

void Store::writeDesired() {
  desired_.writing = true;
  auto waiting = std::exchange(desired_.waiting, {});
  std::string contents = std::move(*desired_.pending);
  desired_.pending.reset();
  auto retained = std::make_shared<std::string>(contents);
  write(kDesiredFile, std::move(contents),
        [this, waiting = std::move(waiting), retained](const std::optional<std::string>& error) {
          desired_.writing = false;
          for (const auto& saved : waiting)
            saved(error);
          if (error) {
            spdlog::error(
                "cannot save the desired state ({}); it stays in force in memory, "
                "retrying in {} s",
                *error, retry_delay_.count() / 1000);
            desired_.failing = true;
            if (!desired_.pending) desired_.pending = std::move(*retained);
          } else if (std::exchange(desired_.failing, false)) {
            spdlog::info("the desired state is saved again in {}", folder_.string());
            retry_delay_ = kFirstRetry;
          }
          if (!desired_.pending) return;
          if (!error) return writeDesired();
          retry_timer_.expires_after(retry_delay_);
          retry_delay_ = std::min<std::chrono::milliseconds>(retry_delay_ * 2, kLastRetry);
          retry_timer_.async_wait([this, alive = alive_](const boost::system::error_code& ec) {
            if (ec || !*alive || desired_.writing || !desired_.pending) return;
            writeDesired();
          });
        });
}

void Store::saveMetadata(const machine::Metadata& metadata, Saved saved) {
  write(kMetadataFile, encodeMetadata(metadata), std::move(saved));
}

void Store::write(const std::string& name, std::string contents,
                  std::function<void(const std::optional<std::string>&)> done) {
  boost::asio::post(worker_, [this, name, contents = std::move(contents), done = std::move(done),
                              alive = alive_] {
    std::optional<std::string> error;
    try {
      writeFileAtomically(folder_, name, contents);
    } catch (const StateError& failure) {
      error = failure.what();
    }
    boost::asio::post(executor_, [done, error, alive] {
      if (*alive && done) done(error);
    });
  });
}

}  // namespace deckhand::state
