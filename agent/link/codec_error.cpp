#include "agent/link/codec_error.hpp"

#include <utility>

namespace deckhand::link {

std::string_view errorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::bad_json:
      return "bad_json";
    case ErrorCode::bad_frame:
      return "bad_frame";
    case ErrorCode::bad_message:
      return "bad_message";
    case ErrorCode::unknown_type:
      return "unknown_type";
    case ErrorCode::bad_unit_name:
      return "bad_unit_name";
    case ErrorCode::bad_unit_text:
      return "bad_unit_text";
    case ErrorCode::hash_mismatch:
      return "hash_mismatch";
    case ErrorCode::constraint_unmet:
      return "constraint_unmet";
    case ErrorCode::not_owned:
      return "not_owned";
    case ErrorCode::job_failed:
      return "job_failed";
    case ErrorCode::systemd_unavailable:
      return "systemd_unavailable";
    case ErrorCode::busy:
      return "busy";
    case ErrorCode::internal:
      return "internal";
    case ErrorCode::bad_container_spec:
      return "bad_container_spec";
    case ErrorCode::docker_unavailable:
      return "docker_unavailable";
    case ErrorCode::image_missing:
      return "image_missing";
    case ErrorCode::name_taken:
      return "name_taken";
  }
  // A value outside the enum is a bug in the caller; say so on the wire rather than crash.
  return "internal";
}

ProtocolError::ProtocolError(ErrorCode code, const std::string& message,
                             std::optional<std::string> id)
    : std::runtime_error(message), code_(code), id_(std::move(id)) {}

}  // namespace deckhand::link
