#include "scheduler/server/scheduler.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>

namespace deckhand::scheduler {
namespace {

std::string shortId(const std::string& machine) {
  return machine.substr(0, 8);
}

}  // namespace

Scheduler::Scheduler(boost::asio::any_io_executor executor, Store& store, EngineOptions options)
    : executor_(executor), store_(store), engine_(options, Clock::now()), deadline_(executor) {}

Scheduler::~Scheduler() {
  writer_.join();
}

void Scheduler::start() {
  const auto state = store_.load();
  engine_.restore(state);
  spdlog::info("desired state from {}: {} units, {} templates, {} placements", store_.describe(),
               state.units.size(), state.templates.size(), state.placements.size());
  changed();
}

void Scheduler::stop() {
  deadline_.cancel();
  writer_.join();
  if (engine_.changed() || write_again_) {
    try {
      store_.save(engine_.stored());
    } catch (const StoreError& error) {
      spdlog::error("could not save the desired state: {}", error.what());
    }
  }
  for (auto& [key, connection] : connections_)
    connection.channel->close();
}

void Scheduler::agentFrame(const std::shared_ptr<AgentChannel>& channel, const std::string& frame) {
  auto& connection = connections_[channel.get()];
  if (!connection.channel) connection.channel = channel;
  AgentMessage message;
  try {
    message = decodeAgentMessage(frame);
  } catch (const AgentMessageError& error) {
    spdlog::warn("agent {} sent a message the scheduler cannot read: {}", channel->peer(),
                 error.what());
    return;
  }
  if (const auto* hello = std::get_if<Hello>(&message)) {
    onHello(connection, *hello);
    return;
  }
  if (connection.machine.empty()) {
    spdlog::warn("agent {} spoke before its hello; closing the connection", channel->peer());
    channel->close();
    return;
  }
  const auto& machine = connection.machine;
  if (const auto* unit = std::get_if<UnitMessage>(&message)) {
    engine_.unitReported(machine, unit->unit);
  } else if (const auto* removed = std::get_if<UnitRemoved>(&message)) {
    engine_.unitRemoved(machine, removed->name);
    changed();
  } else if (const auto* result = std::get_if<Result>(&message)) {
    onResult(machine, *result);
  } else if (const auto* error = std::get_if<AgentError>(&message)) {
    spdlog::warn("agent {} reports an error: {}: {}", shortId(machine), error->error.code,
                 error->error.message);
  } else if (const auto* other = std::get_if<OtherMessage>(&message)) {
    spdlog::debug("machine {} sent a {} message; ignored", shortId(machine), other->type);
  } else if (const auto* journal = std::get_if<JournalLines>(&message)) {
    const auto waiting = handlers_.find(journal->id);
    if (waiting == handlers_.end()) return;
    waiting->second.handler(message);
    if (journal->done) handlers_.erase(waiting);
  }
}

void Scheduler::onHello(Connection& connection, const Hello& hello) {
  if (hello.protocol != 1) {
    spdlog::warn("agent {} speaks protocol {}, this scheduler 1; closing",
                 connection.channel->peer(), hello.protocol);
    connection.channel->close();
    return;
  }
  const auto& id = hello.machine.id;
  const auto previous = by_machine_.find(id);
  if (previous != by_machine_.end() && previous->second != connection.channel) {
    // The agent reconnected before its old connection timed out: the new one is the truth.
    spdlog::info("machine {} connected again; dropping its previous connection", shortId(id));
    connections_[previous->second.get()].machine.clear();
    previous->second->close();
  }
  connection.machine = id;
  by_machine_[id] = connection.channel;
  engine_.machineUp(hello.machine, hello.units, Clock::now());
  spdlog::info("machine {} ({}, {}) connected from {} with {} units", shortId(id),
               hello.machine.hostname, machine::formatMetadata(hello.machine.metadata),
               connection.channel->peer(), hello.units.size());
  changed();
}

void Scheduler::agentClosed(const AgentChannel& channel) {
  const auto found = connections_.find(&channel);
  if (found == connections_.end()) return;
  const auto machine = found->second.machine;
  connections_.erase(found);
  if (machine.empty()) return;
  const auto current = by_machine_.find(machine);
  if (current == by_machine_.end() || current->second.get() != &channel) return;
  by_machine_.erase(current);
  engine_.machineDown(machine, Clock::now());
  spdlog::info("machine {} disconnected", shortId(machine));
  for (auto it = handlers_.begin(); it != handlers_.end();) {
    if (it->second.machine != machine) {
      ++it;
      continue;
    }
    auto handler = std::move(it->second.handler);
    const auto id = it->first;
    it = handlers_.erase(it);
    handler(Result{id,
                   false,
                   WireError{"disconnected",
                             "machine " + shortId(machine) + " disconnected before it answered"},
                   {},
                   ""});
  }
  std::erase_if(desired_requests_, [&](const auto& entry) { return entry.second == machine; });
  std::erase_if(container_requests_,
                [&](const auto& entry) { return entry.second.first == machine; });
  changed();
}

void Scheduler::onResult(const std::string& machine, const Result& result) {
  const auto container = container_requests_.find(result.id);
  if (container != container_requests_.end()) {
    const auto unit = container->second.second;
    container_requests_.erase(container);
    if (result.ok || !result.error) return;
    spdlog::warn("machine {} refused {}: {}", shortId(machine), unit, result.error->message);
    engine_.refused(machine, unit, result.error->code + ": " + result.error->message);
    changed();
    return;
  }
  const auto desired = desired_requests_.find(result.id);
  if (desired != desired_requests_.end()) {
    desired_requests_.erase(desired);
    if (!result.ok && result.error) {
      spdlog::error("machine {} refused a whole desired request: {}: {}", shortId(machine),
                    result.error->code, result.error->message);
    }
    for (const auto& verdict : result.units) {
      if (!verdict.error) continue;
      spdlog::warn("machine {} refused {}: {}", shortId(machine), verdict.name,
                   verdict.error->message);
      engine_.refused(machine, verdict.name, verdict.error->code + ": " + verdict.error->message);
      changed();
    }
    return;
  }
  const auto waiting = handlers_.find(result.id);
  if (waiting == handlers_.end()) return;
  if (result.ok && waiting->second.streaming) {
    waiting->second.handler(result);
    return;
  }
  auto handler = std::move(waiting->second.handler);
  handlers_.erase(waiting);
  handler(result);
}

bool Scheduler::connected(const std::string& machine) const {
  return by_machine_.count(machine) > 0;
}

std::optional<std::string> Scheduler::request(
    const std::string& machine, const std::function<std::string(const std::string&)>& build,
    ResultHandler handler, bool streaming) {
  const auto channel = by_machine_.find(machine);
  if (channel == by_machine_.end()) return std::nullopt;
  const auto id = "q-" + std::to_string(next_id_++);
  handlers_[id] = {machine, std::move(handler), streaming};
  channel->second->send(build(id));
  return id;
}

void Scheduler::cancel(const std::string& request_id) {
  const auto waiting = handlers_.find(request_id);
  if (waiting == handlers_.end()) return;
  const auto channel = by_machine_.find(waiting->second.machine);
  handlers_.erase(waiting);
  // The agent's last journal message and its result for the cancel find no handler: ignored.
  if (channel != by_machine_.end()) {
    channel->second->send(encodeCancel("q-" + std::to_string(next_id_++), request_id));
  }
}

void Scheduler::changed() {
  if (flush_posted_) return;
  flush_posted_ = true;
  boost::asio::post(executor_, [this] { flush(); });
}

void Scheduler::flush() {
  flush_posted_ = false;
  for (const auto& orders : engine_.takeDispatches())
    dispatch(orders);
  if (engine_.changed()) save();
  armDeadline();
}

void Scheduler::dispatch(const Dispatch& orders) {
  const auto channel = by_machine_.find(orders.machine);
  if (channel == by_machine_.end()) return;
  for (const auto& unit : orders.units) {
    spdlog::debug("machine {}: {} {}", shortId(orders.machine), unit.name,
                  targetStateName(unit.state));
  }
  spdlog::info("machine {}: sending orders for {} units", shortId(orders.machine),
               orders.units.size());
  std::vector<UnitOrder> units;
  std::vector<const UnitOrder*> containers;
  for (const auto& unit : orders.units) {
    if (unit.container.empty()) {
      units.push_back(unit);
    } else {
      containers.push_back(&unit);
    }
  }
  std::vector<std::string> ids;
  for (auto& frame : encodeDesired(units, "d", next_id_, &ids)) {
    channel->second->send(std::move(frame));
  }
  // Each container goes alone, after the removals; its refusal is its whole result's.
  for (const auto* container : containers) {
    const auto id = "c-" + std::to_string(next_id_++);
    container_requests_[id] = {orders.machine, container->name};
    channel->second->send(encodeContainer(id, *container));
  }
  for (const auto& id : ids)
    desired_requests_[id] = orders.machine;
}

void Scheduler::armDeadline() {
  const auto next = engine_.nextDeadline();
  if (!next) return;
  deadline_.expires_at(*next);
  deadline_.async_wait([this](const boost::system::error_code& error) {
    if (error) return;
    engine_.tick(Clock::now());
    changed();
  });
}

void Scheduler::save() {
  if (writing_) {
    write_again_ = true;
    return;
  }
  writing_ = true;
  boost::asio::post(writer_, [this, state = engine_.stored()] {
    try {
      store_.save(state);
    } catch (const StoreError& error) {
      spdlog::error("could not save the desired state (kept in memory): {}", error.what());
    }
    boost::asio::post(executor_, [this] {
      writing_ = false;
      if (write_again_) {
        write_again_ = false;
        save();
      }
    });
  });
}

}  // namespace deckhand::scheduler
