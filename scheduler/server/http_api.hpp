#pragma once
// The operator's HTTP requests as the listener hands them over, and the answers: plain structs,
// so the API's logic needs no Beast.

#include <functional>
#include <memory>
#include <string>

namespace deckhand::scheduler {

struct HttpRequest {
  std::string method;  // "GET"
  std::string target;  // "/v1/units?all=1"
  std::string body;
};

// The API's end of a streaming answer (chunked, one JSON object per line). Chunks go out in
// order; once the operator has gone or end() was called, write() does nothing.
class HttpStream {
 public:
  virtual ~HttpStream() = default;
  virtual void write(std::string chunk) = 0;
  virtual void end() = 0;
  // Called once if the operator goes away before end() (their client closed the connection).
  virtual void onGone(std::function<void()> callback) = 0;
};

struct HttpResponse {
  unsigned status = 200;
  std::string body;  // JSON
  // Set: the answer is a stream instead of body, and this is called with its writer.
  std::function<void(std::shared_ptr<HttpStream>)> stream;
};

// Answers one request, now or later (on the scheduler's io_context), exactly once.
using ApiHandler = std::function<void(const HttpRequest&, std::function<void(HttpResponse)>)>;

}  // namespace deckhand::scheduler
