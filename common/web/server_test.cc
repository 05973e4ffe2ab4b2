#include "common/web/server.h"

#include <httplib.h>

#include "gtest/gtest.h"

namespace sipfleet::web {
namespace {

TEST(ServerTest, ServesRoutesOnLoopback) {
  Routes routes;
  routes.metrics = [] { return std::string("sipfleet_current_calls 3\n"); };
  absl::StatusOr<std::unique_ptr<Server>> server = Server::Start("metrics", "0", routes);
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_EQ((*server)->host(), "127.0.0.1");
  httplib::Client client("127.0.0.1", (*server)->port());
  httplib::Result metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  EXPECT_EQ(metrics->body, "sipfleet_current_calls 3\n");
  EXPECT_EQ(metrics->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  httplib::Result page = client.Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 404);
  // No key queue: control is refused.
  httplib::Result post = client.Post("/control?action=pause", "", "text/plain");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 403);
}

// A browser accepts brotli and gzip; the server answers uncompressed all the
// same (compressing costs the run's process more than the bytes are worth),
// and summary.json passes timeline_from on.
TEST(ServerTest, AnswersUncompressedAndPassesTimelineFrom) {
  Routes routes;
  routes.page = [] { return std::string(5000, 'x'); };
  routes.summary_json = [](size_t from) { return "{\"from\":" + std::to_string(from) + "}"; };
  absl::StatusOr<std::unique_ptr<Server>> server = Server::Start("web", "0", routes);
  ASSERT_TRUE(server.ok()) << server.status();
  httplib::Client client("127.0.0.1", (*server)->port());
  httplib::Headers accept = {{"Accept-Encoding", "gzip, deflate, br"}};
  httplib::Result page = client.Get("/", accept);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->get_header_value("Content-Encoding"), "");
  EXPECT_EQ(page->body, std::string(5000, 'x'));
  httplib::Result summary = client.Get("/summary.json?timeline_from=7", accept);
  ASSERT_TRUE(summary);
  EXPECT_EQ(summary->body, "{\"from\":7}");
  EXPECT_EQ(summary->get_header_value("Content-Encoding"), "");
  httplib::Result bad = client.Get("/summary.json?timeline_from=-3");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->body, "{\"from\":0}");
}

TEST(ServerTest, ControlActionsBecomeKeys) {
  KeyQueue keys;
  Routes routes;
  routes.keys = &keys;
  absl::StatusOr<std::unique_ptr<Server>> server = Server::Start("web", "127.0.0.1:0", routes);
  ASSERT_TRUE(server.ok()) << server.status();
  httplib::Client client("127.0.0.1", (*server)->port());
  for (const char* action : {"pause", "rate_up", "quit"}) {
    httplib::Result r = client.Post(std::string("/control?action=") + action, "", "text/plain");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
  }
  httplib::Result bad = client.Post("/control?action=explode", "", "text/plain");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(keys.Drain(), "p+q");
  EXPECT_EQ(keys.Drain(), "");
}

TEST(ServerTest, RefusesBadListenValues) {
  EXPECT_FALSE(Server::Start("web", "localhost:http", {}).ok());
  EXPECT_FALSE(Server::Start("web", "70000", {}).ok());
}

}  // namespace
}  // namespace sipfleet::web
