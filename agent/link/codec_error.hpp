#pragma once
// The stable error codes of docs/protocol.md, and the error the codec throws and encodes.

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace deckhand::link {

enum class ErrorCode {
  bad_json,
  bad_frame,
  bad_message,
  unknown_type,
  bad_unit_name,
  bad_unit_text,
  hash_mismatch,
  constraint_unmet,
  not_owned,
  job_failed,
  systemd_unavailable,
  busy,
  internal,
  bad_container_spec,
  docker_unavailable,
  image_missing,
  name_taken,
};

// The code as it goes on the wire: "bad_json".
std::string_view errorCodeName(ErrorCode code);

// A frame or request the agent refuses: a stable code, a message for the scheduler's operator, and
// the request's id when one could be read. With an id the reply is a result; without one it is an
// error message.
class ProtocolError : public std::runtime_error {
 public:
  ProtocolError(ErrorCode code, const std::string& message,
                std::optional<std::string> id = std::nullopt);

  ErrorCode code() const { return code_; }
  const std::optional<std::string>& id() const { return id_; }

 private:
  ErrorCode code_;
  std::optional<std::string> id_;
};

}  // namespace deckhand::link
