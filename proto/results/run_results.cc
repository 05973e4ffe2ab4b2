#include "proto/results/run_results.h"

#include <cstdio>
#include <iostream>

#include "common/base/strings.h"
#include "common/metrics/exposition.h"
#include "common/scenario/stats_layout.h"
#include "common/screen/render.h"
#include "common/web/page.h"
#include "proto/results/summary.h"

namespace sipfleet::summary {
namespace {

constexpr int kExitThresholdFailed = 98;

std::vector<std::string> MessageNames(const scenario::Scenario& scenario) {
  std::vector<std::string> names;
  for (const scenario::Element& element : scenario.elements) {
    bool message = element.kind == scenario::ElementKind::kSend ||
                   element.kind == scenario::ElementKind::kRecv;
    names.push_back(message ? screen::MessageName(element) : "");
  }
  return names;
}

// Every -threshold parsed against `layout`'s RTDs and counters; the first
// bad one's error.
absl::StatusOr<std::vector<results::Threshold>> ParseThresholds(const cli::Options& options,
                                                                const stats::ShardLayout& layout) {
  std::vector<results::Threshold> thresholds;
  for (const std::string& expression : options.thresholds) {
    absl::StatusOr<results::Threshold> threshold = results::ParseThreshold(expression, layout);
    if (!threshold.ok()) return threshold.status();
    thresholds.push_back(*std::move(threshold));
  }
  return thresholds;
}

}  // namespace

absl::StatusOr<std::unique_ptr<RunResults>> RunResults::Create(const cli::Options& options,
                                                               const scenario::Scenario& scenario,
                                                               Run run) {
  std::unique_ptr<RunResults> results(new RunResults());
  results->version_ = run.version;
  results->summary_path_ = options.summary_json;
  results->report_path_ = options.report_html;
  results->period_us_ = std::max<int64_t>(options.screen_period_ms, 1) * 1000;
  results->start_us_ = run.start_us;
  results->next_period_us_ = run.start_us + results->period_us_;
  results->web_control_ = options.web_control;
  results->active_ = !options.summary_json.empty() || !options.report_html.empty() ||
                     !options.thresholds.empty() || !options.metrics_listen.empty() ||
                     !options.web_listen.empty();

  results::RunView& view = results->view_;
  view.program = run.program;
  view.command_line = run.command_line;
  view.scenario = scenario.stem;
  view.start_wall_us = run.start_wall_us;
  view.period_s = static_cast<double>(results->period_us_) / 1e6;
  view.layout = std::make_shared<const stats::ShardLayout>(scenario::StatsLayoutFor(scenario));
  view.message_names = MessageNames(scenario);
  view.merged.total = stats::EmptySnapshot(*view.layout);
  absl::StatusOr<std::vector<results::Threshold>> thresholds =
      ParseThresholds(options, *view.layout);
  if (!thresholds.ok()) return thresholds.status();
  view.thresholds = *std::move(thresholds);
  view.threshold_results.resize(view.thresholds.size());
  results->timeline_ = std::make_shared<results::Timeline>(*view.layout, run.start_us);
  view.timeline = results->timeline_;
  results->Publish();

  RunResults* self = results.get();
  auto metrics = [self] {
    std::shared_ptr<const results::RunView> view = self->Published();
    return metrics::RenderExposition(*view);
  };
  auto summary = [self](size_t timeline_from) {
    std::shared_ptr<const results::RunView> view = self->Published();
    return SummaryJson(*view, self->version_, false, timeline_from);
  };
  if (!options.metrics_listen.empty()) {
    web::Routes routes;
    routes.metrics = metrics;
    absl::StatusOr<std::unique_ptr<web::Server>> server =
        web::Server::Start("metrics", options.metrics_listen, std::move(routes));
    if (!server.ok()) return server.status();
    results->metrics_ = *std::move(server);
    std::cerr << base::Cat(run.program, ": metrics on http://", results->metrics_->host(), ":",
                           results->metrics_->port(), "/metrics\n");
  }
  if (!options.web_listen.empty()) {
    web::Routes routes;
    routes.metrics = metrics;
    routes.summary_json = summary;
    routes.page = [self, summary] {
      web::PageOptions page;
      page.live = true;
      page.refresh_ms = self->period_us_ / 1000;
      page.control = self->web_control_;
      return web::RenderPage(summary(0), page);
    };
    if (options.web_control) routes.keys = &results->keys_;
    absl::StatusOr<std::unique_ptr<web::Server>> server =
        web::Server::Start("web", options.web_listen, std::move(routes));
    if (!server.ok()) return server.status();
    results->web_ = *std::move(server);
    std::cerr << base::Cat(run.program, ": live page on http://", results->web_->host(), ":",
                           results->web_->port(), "/\n");
  }
  return results;
}

absl::Status RunResults::CheckThresholds(const cli::Options& options,
                                         const scenario::Scenario& scenario) {
  return ParseThresholds(options, scenario::StatsLayoutFor(scenario)).status();
}

void RunResults::SetStart(int64_t start_us, int64_t start_wall_us) {
  start_us_ = start_us;
  next_period_us_ = start_us + period_us_;
  view_.start_wall_us = start_wall_us;
  timeline_ = std::make_shared<results::Timeline>(*view_.layout, start_us);
  view_.timeline = timeline_;
  view_.timeline_size = 0;
  Publish();
}

void RunResults::Update(results::SourceSnapshot merged, std::vector<results::SourceSnapshot> agents,
                        int64_t now_us) {
  view_.elapsed_s = static_cast<double>(now_us - start_us_) / 1e6;
  timeline_->Add(merged.total, now_us, merged.target_calls_per_s, merged.current_calls);
  view_.timeline_size = timeline_->size();
  view_.merged = std::move(merged);
  view_.agents = std::move(agents);
  for (size_t i = 0; i < view_.thresholds.size(); ++i) {
    view_.threshold_results[i] =
        results::Evaluate(view_.thresholds[i], view_.FiguresOf(view_.merged));
  }
}

bool RunResults::OnPeriod(results::SourceSnapshot merged,
                          std::vector<results::SourceSnapshot> agents, int64_t now_us,
                          bool paused) {
  while (next_period_us_ <= now_us) next_period_us_ += period_us_;
  view_.paused = paused;
  Update(std::move(merged), std::move(agents), now_us);
  bool abort_now = false;
  for (size_t i = 0; i < view_.thresholds.size() && !abort_requested_; ++i) {
    if (results::ShouldAbort(view_.thresholds[i], view_.threshold_results[i])) {
      view_.aborted_by = static_cast<int>(i);
      abort_requested_ = abort_now = true;
    }
  }
  Publish();
  return abort_now;
}

int RunResults::Finish(results::SourceSnapshot merged, std::vector<results::SourceSnapshot> agents,
                       int64_t now_us, int64_t end_wall_us, int sipp_exit_code,
                       std::string exit_reason) {
  Update(std::move(merged), std::move(agents), now_us);
  bool failed = false;
  for (const results::ThresholdResult& r : view_.threshold_results) failed |= !r.passed;
  int code = sipp_exit_code;
  if (failed && (sipp_exit_code == 0 || sipp_exit_code == 1 || view_.aborted_by >= 0)) {
    code = kExitThresholdFailed;
    exit_reason = view_.aborted_by >= 0
                      ? base::Cat("threshold ", view_.thresholds[view_.aborted_by].expression,
                                  " failed (:abort)")
                      : "thresholds failed";
  }
  view_.exit_code = code;
  view_.exit_reason = std::move(exit_reason);
  view_.end_wall_us = end_wall_us;
  Publish();
  if (!view_.thresholds.empty()) {
    std::printf("%s", results::ThresholdTable(view_.thresholds, view_.threshold_results).c_str());
    std::fflush(stdout);
  }
  if (!summary_path_.empty()) {
    if (absl::Status s = WriteSummaryFile(summary_path_, view_, version_); !s.ok()) {
      std::cerr << view_.program << ": " << s.message() << "\n";
    }
  }
  if (!report_path_.empty()) {
    if (absl::Status s = web::WriteReport(report_path_, SummaryJson(view_, version_, false));
        !s.ok()) {
      std::cerr << view_.program << ": " << s.message() << "\n";
    }
  }
  return code;
}

void RunResults::Publish() {
  auto copy = std::make_shared<const results::RunView>(view_);
  std::lock_guard<std::mutex> lock(published_mutex_);
  published_ = std::move(copy);
}

std::shared_ptr<const results::RunView> RunResults::Published() const {
  std::lock_guard<std::mutex> lock(published_mutex_);
  return published_;
}

}  // namespace sipfleet::summary
