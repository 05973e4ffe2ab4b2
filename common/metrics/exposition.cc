#include "common/metrics/exposition.h"

#include <algorithm>
#include <functional>

#include "absl/strings/str_format.h"
#include "common/base/strings.h"
#include "common/stats/histogram.h"

namespace sipfleet::metrics {
namespace {

using stats::Counter;
using stats::Histogram;

// Label value escaping (exposition format: backslash, quote, newline).
std::string Escape(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// One set of series and what it is computed from.
struct Source {
  const results::SourceSnapshot* snapshot;
  results::RunFigures figures;
};

// `{agent="a",extra}` or `{extra}` or "".
std::string Labels(const Source& source, std::string_view extra) {
  std::string labels;
  const std::string& agent = source.snapshot->agent;
  if (!agent.empty()) labels = base::Cat("agent=\"", Escape(agent), "\"");
  if (!extra.empty()) base::Append(&labels, labels.empty() ? "" : ",", extra);
  return labels.empty() ? "" : base::Cat("{", labels, "}");
}

std::string Label(std::string_view name, std::string_view value) {
  return base::Cat(name, "=\"", Escape(value), "\"");
}

std::string Number(double value) { return absl::StrFormat("%.17g", value); }

class Writer {
 public:
  explicit Writer(const results::RunView& view) {
    sources_.push_back({&view.merged, view.FiguresOf(view.merged)});
    for (const results::SourceSnapshot& agent : view.agents) {
      sources_.push_back({&agent, view.FiguresOf(agent)});
    }
  }

  // One family: HELP and TYPE, then `samples(source)` for every source.
  void Family(std::string_view name, std::string_view type, std::string_view help,
              const std::function<void(const Source&)>& samples) {
    base::Append(&out_, "# HELP ", name, " ", help, "\n# TYPE ", name, " ", type, "\n");
    for (const Source& source : sources_) samples(source);
  }
  void Sample(std::string_view name, const Source& source, std::string_view extra,
              std::string_view value) {
    base::Append(&out_, name, Labels(source, extra), " ", value, "\n");
  }
  void Sample(std::string_view name, const Source& source, std::string_view extra,
              uint64_t value) {
    Sample(name, source, extra, base::Cat(value));
  }
  // A Prometheus histogram from an engine histogram (µs).
  void HistogramSamples(std::string_view name, const Source& source, std::string_view extra,
                        const Histogram& histogram) {
    const std::vector<uint64_t>& bounds = HistogramBoundsMicros();
    const std::vector<uint64_t> counts = ExportedBucketCounts(histogram);
    std::string bucket = base::Cat(name, "_bucket");
    std::string prefix = extra.empty() ? "" : base::Cat(extra, ",");
    uint64_t cumulative = 0;
    for (size_t i = 0; i < bounds.size(); ++i) {
      cumulative += counts[i];
      Sample(bucket, source, base::Cat(prefix, "le=\"", MicrosAsSeconds(bounds[i]), "\""),
             cumulative);
    }
    Sample(bucket, source, base::Cat(prefix, "le=\"+Inf\""), histogram.count());
    Sample(base::Cat(name, "_sum"), source, extra, MicrosAsSeconds(histogram.sum()));
    Sample(base::Cat(name, "_count"), source, extra, histogram.count());
  }

  std::string Take() { return std::move(out_); }

 private:
  std::vector<Source> sources_;
  std::string out_;
};

void WriteCounters(Writer& w) {
  w.Family("sipfleet_calls_total", "counter", "Calls ended, by result.", [&](const Source& s) {
    w.Sample("sipfleet_calls_total", s, Label("result", "successful"),
             s.figures.total->Get(Counter::kSuccessfulCall));
    w.Sample("sipfleet_calls_total", s, Label("result", "failed"),
             s.figures.total->Get(Counter::kFailedCall));
  });
  w.Family("sipfleet_calls_created_total", "counter", "Calls created, by direction.",
           [&](const Source& s) {
             w.Sample("sipfleet_calls_created_total", s, Label("direction", "outgoing"),
                      s.figures.total->Get(Counter::kOutgoingCall));
             w.Sample("sipfleet_calls_created_total", s, Label("direction", "incoming"),
                      s.figures.total->Get(Counter::kIncomingCall));
           });
  w.Family("sipfleet_failed_calls_total", "counter", "Failed calls, by SIPp's failure reason.",
           [&](const Source& s) {
             for (size_t i = static_cast<size_t>(Counter::kFailedCannotSendMessage);
                  i <= static_cast<size_t>(Counter::kFailedStrcmpShouldntMatch); ++i) {
               auto c = static_cast<Counter>(i);
               w.Sample("sipfleet_failed_calls_total", s,
                        Label("reason", results::CounterMetricName(c).substr(7)),
                        s.figures.total->Get(c));
             }
           });
  w.Family("sipfleet_retransmissions_total", "counter", "SIP retransmissions.",
           [&](const Source& s) {
             w.Sample("sipfleet_retransmissions_total", s, "",
                      s.figures.total->Get(Counter::kRetransmissions));
           });
  w.Family("sipfleet_transport_errors_total", "counter", "Transport errors, by kind.",
           [&](const Source& s) {
             for (size_t i = 0; i < stats::kNumCounters; ++i) {
               auto c = static_cast<Counter>(i);
               if (!results::IsTransportErrorCounter(c)) continue;
               w.Sample("sipfleet_transport_errors_total", s,
                        Label("kind", results::CounterMetricName(c)), s.figures.total->Get(c));
             }
           });
  w.Family("sipfleet_events_total", "counter", "Other SIPp and sipfleet event counters.",
           [&](const Source& s) {
             for (Counter c : {Counter::kOutOfCallMsgs, Counter::kDeadCallMsgs,
                               Counter::kAutoAnswered, Counter::kWarnings, Counter::kFatalErrors,
                               Counter::kWatchdogMajor, Counter::kWatchdogMinor,
                               Counter::kMalformedMessages, Counter::kTraceDrops}) {
               w.Sample("sipfleet_events_total", s, Label("event", results::CounterMetricName(c)),
                        s.figures.total->Get(c));
             }
           });
}

void WritePerMessage(Writer& w, const results::RunView& input) {
  static constexpr std::pair<stats::MessageCounter, std::string_view> kKinds[] = {
      {stats::MessageCounter::kSent, "sent"},
      {stats::MessageCounter::kReceived, "received"},
      {stats::MessageCounter::kRetransmission, "retransmitted"},
      {stats::MessageCounter::kTimeout, "timeouts"},
      {stats::MessageCounter::kUnexpected, "unexpected"}};
  w.Family("sipfleet_messages_total", "counter",
           "Per scenario message (screen 1): sent, received, retransmitted, timeouts, unexpected.",
           [&](const Source& s) {
             for (size_t i = 0; i < input.message_names.size(); ++i) {
               if (input.message_names[i].empty()) continue;
               for (const auto& [which, kind] : kKinds) {
                 w.Sample("sipfleet_messages_total", s,
                          base::Cat(Label("index", base::Cat(i)), ",",
                                    Label("message", input.message_names[i]), ",",
                                    Label("kind", kind)),
                          s.figures.total->Get(i, which));
               }
             }
           });
  w.Family("sipfleet_user_counter_total", "counter", "The scenario's counter= counters.",
           [&](const Source& s) {
             const auto& names = input.layout->user_counter_names;
             for (size_t i = 0; i < names.size(); ++i) {
               const std::vector<uint64_t>& values = s.figures.total->user_counters;
               uint64_t value = i < values.size() ? values[i] : 0;
               w.Sample("sipfleet_user_counter_total", s, Label("counter", names[i]), value);
             }
           });
}

void WriteGauges(Writer& w) {
  w.Family("sipfleet_current_calls", "gauge", "Calls open now.", [&](const Source& s) {
    w.Sample("sipfleet_current_calls", s, "", s.snapshot->current_calls);
  });
  w.Family("sipfleet_target_calls_per_second", "gauge", "The call rate asked for.",
           [&](const Source& s) {
             w.Sample("sipfleet_target_calls_per_second", s, "",
                      Number(s.figures.target_calls_per_s));
           });
  w.Family("sipfleet_achieved_calls_per_second", "gauge",
           "Calls created per second since the run started.", [&](const Source& s) {
             w.Sample("sipfleet_achieved_calls_per_second", s, "",
                      Number(results::AchievedCallsPerSecond(s.figures)));
           });
}

void WriteHistograms(Writer& w, const results::RunView& input) {
  w.Family("sipfleet_response_time_seconds", "histogram",
           "Response time durations (RTDs), from the engine's histograms.",
           [&](const Source& s) {
             const auto& rtds = input.layout->rtd_names;
             for (size_t i = 0; i < rtds.size(); ++i) {
               w.HistogramSamples("sipfleet_response_time_seconds", s, Label("rtd", rtds[i]),
                                  s.figures.total->ResponseTime(i));
             }
           });
  w.Family("sipfleet_call_length_seconds", "histogram",
           "Call lengths, from the engine's histogram.", [&](const Source& s) {
             w.HistogramSamples("sipfleet_call_length_seconds", s, "",
                                s.figures.total->call_length);
           });
}

std::vector<uint64_t> MakeBounds() {
  std::vector<uint64_t> bounds;
  for (uint64_t b = 1; b <= 256; b *= 2) bounds.push_back(b - 1);  // 0, 1, 3, ... 255
  constexpr uint64_t kLast = uint64_t{1} << 36;
  for (size_t i = 2 * Histogram::kSubBucketCount; i < Histogram::kNumBuckets; ++i) {  // >= 256 µs
    if ((i & (Histogram::kSubBucketCount / 4 - 1)) != Histogram::kSubBucketCount / 4 - 1) continue;
    uint64_t upper = Histogram::BucketUpperBound(i);
    if (upper >= kLast) break;
    bounds.push_back(upper);
  }
  return bounds;
}

}  // namespace

const std::vector<uint64_t>& HistogramBoundsMicros() {
  static const std::vector<uint64_t>* const kBounds = new std::vector<uint64_t>(MakeBounds());
  return *kBounds;
}

std::vector<uint64_t> ExportedBucketCounts(const Histogram& histogram) {
  const std::vector<uint64_t>& bounds = HistogramBoundsMicros();
  std::vector<uint64_t> counts(bounds.size() + 1, 0);
  histogram.ForEachNonEmptyBucket([&](size_t index, uint64_t count) {
    uint64_t upper = Histogram::BucketUpperBound(index);
    counts[std::lower_bound(bounds.begin(), bounds.end(), upper) - bounds.begin()] += count;
  });
  return counts;
}

std::string MicrosAsSeconds(uint64_t micros) {
  std::string out = base::Cat(micros / 1'000'000);
  uint64_t fraction = micros % 1'000'000;
  if (fraction == 0) return out;
  std::string digits = absl::StrFormat("%06u", fraction);
  while (digits.back() == '0') digits.pop_back();
  return base::Cat(out, ".", digits);
}

std::string RenderExposition(const results::RunView& input) {
  Writer writer(input);
  WriteCounters(writer);
  WritePerMessage(writer, input);
  WriteGauges(writer);
  WriteHistograms(writer, input);
  return writer.Take();
}

}  // namespace sipfleet::metrics
