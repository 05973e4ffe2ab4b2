#include "common/web/server.h"

#include <httplib.h>

#include <atomic>
#include <memory>

#include "common/base/strings.h"
#include "common/base/thread_name.h"

namespace sipfleet::web {

struct Server::Impl {
  httplib::Server http;
  Routes routes;
  std::atomic<bool> listen_returned{false};
};

void KeyQueue::Push(char key) {
  std::lock_guard<std::mutex> lock(mutex_);
  keys_.push_back(key);
}

std::string KeyQueue::Drain() {
  std::lock_guard<std::mutex> lock(mutex_);
  std::string keys;
  keys.swap(keys_);
  return keys;
}

char KeyForAction(std::string_view action) {
  if (action == "rate_up") return '+';
  if (action == "rate_down") return '-';
  if (action == "pause") return 'p';
  if (action == "quit") return 'q';
  return '\0';
}

namespace {

// Splits "[host:]port"; false on a bad port.
bool SplitListen(std::string_view listen, std::string* host, int* port) {
  size_t colon = listen.rfind(':');
  std::string_view port_text = listen;
  *host = "127.0.0.1";
  if (colon != std::string_view::npos) {
    std::string_view given = listen.substr(0, colon);
    if (given.size() >= 2 && given.front() == '[' && given.back() == ']') {
      given = given.substr(1, given.size() - 2);
    }
    if (!given.empty()) *host = std::string(given);
    port_text = listen.substr(colon + 1);
  }
  int64_t value;
  if (!base::ParseInt64(port_text, &value) || value < 0 || value > 65535) return false;
  *port = static_cast<int>(value);
  return true;
}

// Sends render()'s text uncompressed. Debian's cpp-httplib compresses a
// plain body with brotli whenever the client accepts it (browsers do): ~60
// ms of CPU for the page and a few ms for each poll of summary.json, on the
// process that runs the calls. A body given as a sized content provider is
// sent as it is; the pages are small and mostly read on loopback.
void Serve(httplib::Response& response, const std::function<std::string()>& render,
           const char* content_type) {
  if (!render) {
    response.status = 404;
    return;
  }
  auto body = std::make_shared<const std::string>(render());
  response.set_header("Cache-Control", "no-store");
  response.set_content_provider(
      body->size(), content_type,
      [body](size_t offset, size_t length, httplib::DataSink& sink) {
        return sink.write(body->data() + offset, length);
      });
}

}  // namespace

absl::StatusOr<std::unique_ptr<Server>> Server::Start(std::string_view option,
                                                      std::string_view listen, Routes routes) {
  std::unique_ptr<Server> server(new Server());
  if (!SplitListen(listen, &server->host_, &server->port_)) {
    return absl::InvalidArgumentError(
        base::Cat("invalid value '", listen, "' for -", option, ": [host:]port expected"));
  }
  server->impl_ = std::make_unique<Impl>();
  Impl& impl = *server->impl_;
  impl.routes = std::move(routes);
  // Two threads are plenty for a scraper and a page; neither touches the
  // engine's workers.
  impl.http.new_task_queue = [] { return new httplib::ThreadPool(2); };
  // One request per connection, and an idle connection closed after 1 s:
  // cpp-httplib polls an open connection every ~10 ms while it waits for
  // the next request, and a browser keeps (and pre-opens) idle ones (with
  // the live page open the HTTP threads took 27 -> 10 ticks in 15 s).
  impl.http.set_keep_alive_max_count(1);
  impl.http.set_keep_alive_timeout(1);
  impl.http.Get("/metrics", [&impl](const httplib::Request&, httplib::Response& response) {
    Serve(response, impl.routes.metrics, "text/plain; version=0.0.4; charset=utf-8");
  });
  impl.http.Get("/summary.json", [&impl](const httplib::Request& request,
                                         httplib::Response& response) {
    int64_t from = 0;
    if (!base::ParseInt64(request.get_param_value("timeline_from"), &from) || from < 0) from = 0;
    std::function<std::string()> render;
    if (impl.routes.summary_json) {
      render = [&impl, from] { return impl.routes.summary_json(static_cast<size_t>(from)); };
    }
    Serve(response, render, "application/json");
  });
  impl.http.Get("/", [&impl](const httplib::Request&, httplib::Response& response) {
    Serve(response, impl.routes.page, "text/html; charset=utf-8");
  });
  impl.http.Post("/control", [&impl](const httplib::Request& request, httplib::Response& response) {
    if (impl.routes.keys == nullptr) {
      response.status = 403;
      response.set_content("control is off (start with -web_control)\n", "text/plain");
      return;
    }
    char key = KeyForAction(request.get_param_value("action"));
    if (key == '\0') {
      response.status = 400;
      response.set_content("action: rate_up, rate_down, pause or quit expected\n", "text/plain");
      return;
    }
    impl.routes.keys->Push(key);
    response.set_content("ok\n", "text/plain");
  });
  if (server->port_ == 0) {
    server->port_ = impl.http.bind_to_any_port(server->host_);
    if (server->port_ <= 0) server->port_ = -1;
  } else if (!impl.http.bind_to_port(server->host_, server->port_)) {
    server->port_ = -1;
  }
  if (server->port_ < 0) {
    return absl::FailedPreconditionError(
        base::Cat("-", option, " ", listen, ": cannot listen on that address"));
  }
  server->thread_ = std::thread([&impl] {
    // The pool's threads start from this one and inherit its name.
    base::SetThreadName("sf-http");
    impl.http.listen_after_bind();
    impl.listen_returned = true;
  });
  return server;
}

Server::~Server() {
  if (impl_ != nullptr) {
    // httplib's stop() only acts on a running listener: wait for the
    // listening thread to get there (or to have given up).
    while (thread_.joinable() && !impl_->http.is_running() && !impl_->listen_returned) {
      std::this_thread::yield();
    }
    impl_->http.stop();
  }
  if (thread_.joinable()) thread_.join();
}

}  // namespace sipfleet::web
