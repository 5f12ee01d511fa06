#pragma once
// The operator's HTTP requests as the listener hands them over, and the answers: plain structs,
// so the API's logic needs no Beast.

#include <functional>
#include <string>

namespace deckhand::scheduler {

struct HttpRequest {
  std::string method;  // "GET"
  std::string target;  // "/v1/units?all=1"
  std::string body;
};

struct HttpResponse {
  unsigned status = 200;
  std::string body;  // JSON
};

// Answers one request, now or later (on the scheduler's io_context).
using ApiHandler = std::function<void(const HttpRequest&, std::function<void(HttpResponse)>)>;

}  // namespace deckhand::scheduler
