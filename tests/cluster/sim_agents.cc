// sipfleet_sim_agents: many fake sipfleet-agents in one process, for the
// master's load test (bench/cluster_bench.sh) and for refusal tests
// (tests/cluster/tls_test.sh). Each simulated agent opens its own gRPC
// connection and Control.Session stream, registers, answers Prepare with
// Prepared, and after Start streams a heartbeat and a realistic statistics
// report (the shape of the built-in uac scenario, with response-time and
// call-length samples) every -period, then a final report and Finished.
// No SIP is sent. Test/bench tool: never installed.
//
//   sipfleet_sim_agents -master host:port -agents N [-prefix sim] [-period S]
//       [-duration S] [-calls_per_report N] [-api_version V] [-ctl_tls_* ...]
//
// Exit status: 0 if every agent was registered and shut down by the
// master; 3 if any was refused (each refusal printed with its reason); 1 on
// other errors; 2 on bad usage.

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <iostream>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "common/base/strings.h"
#include "common/cluster/credentials.h"
#include "common/cluster/stats_report.h"
#include "common/stats/shard.h"
#include "grpcpp/grpcpp.h"
#include "proto/wire/wire.h"
#include "sipfleet/control/v1/control.grpc.pb.h"

namespace sipfleet::sim {
namespace {

namespace v1 = ::sipfleet::control::v1;

struct SimOptions {
  std::string master;
  int agents = 1;
  std::string prefix = "sim";
  int64_t period_ms = 1000;
  int64_t duration_ms = 10000;  // of streaming, from Start
  int calls_per_report = 50;
  uint32_t api_version = v1::API_VERSION_1;
  cluster::ControlTlsOptions tls;
  bool allow_plaintext = false;
};

// The statistics shape of the built-in uac scenario (one RTD, SIPp's
// repartition boundaries, nine messages).
stats::ShardLayout UacLayout() {
  stats::ShardLayout layout;
  layout.rtd_names = {"1"};
  layout.response_time_repartition_ms = {10, 20, 30, 40, 50, 100, 150, 200};
  layout.call_length_repartition_ms = {10, 50, 100, 500, 1000, 5000, 10000};
  layout.message_count = 9;
  return layout;
}

// One simulated agent: a callback-API bidirectional stream. gRPC allows one
// outstanding write per stream, so writes queue here. Methods are called
// from gRPC's threads and the driver thread; `mutex_` guards the state.
class SimAgent : public grpc::ClientBidiReactor<v1::AgentMessage, v1::MasterMessage> {
 public:
  SimAgent(const SimOptions& options, int index, std::shared_ptr<grpc::Channel> channel)
      : options_(options),
        name_(base::Cat(options.prefix, index)),
        channel_(std::move(channel)),
        stub_(v1::Control::NewStub(channel_)),
        shard_(UacLayout()),
        random_(static_cast<uint32_t>(index)) {}

  void Begin() {
    stub_->async()->Session(&context_, this);
    v1::AgentMessage hello;
    v1::Register* reg = hello.mutable_register_();
    reg->set_api_version(options_.api_version);
    reg->set_name(name_);
    reg->set_version("sipfleet_sim_agents");
    reg->set_capacity(1);
    reg->add_addresses("127.0.0.1");
    reg->mutable_clock()->set_wall_micros(WallMicros());
    Enqueue(std::move(hello));
    StartRead(&incoming_);
    StartCall();
  }

  // Called by the driver once per period: heartbeat and a statistics report,
  // or the final report and Finished once -duration has passed.
  void Tick(int64_t now_ms) {
    std::unique_lock<std::recursive_mutex> lock(mutex_);
    if (!started_ || finished_ || done_) return;
    const bool final = now_ms - started_ms_ >= options_.duration_ms;
    lock.unlock();
    v1::AgentMessage beat;
    {
      std::lock_guard<std::recursive_mutex> relock(mutex_);
      FillClock(beat.mutable_heartbeat()->mutable_clock());
    }
    beat.mutable_heartbeat()->set_open_calls(options_.calls_per_report / 2);
    Enqueue(std::move(beat));
    Enqueue(NextReport(final));
    if (final) {
      v1::AgentMessage finished;
      finished.mutable_finished()->set_exit_code(0);
      finished.mutable_finished()->set_message("simulated agent done");
      Enqueue(std::move(finished));
      std::lock_guard<std::recursive_mutex> relock(mutex_);
      finished_ = true;
    }
  }

  void OnReadDone(bool ok) override {
    if (!ok) return;  // the stream is ending; OnDone follows
    Handle(incoming_);
    StartRead(&incoming_);
  }

  void OnWriteDone(bool ok) override {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    writing_ = false;
    if (ok && !queue_.empty()) WriteNextLocked();
  }

  void OnDone(const grpc::Status& status) override {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    done_ = true;
    status_ = status;
    done_changed_.notify_all();
  }

  // Waits until OnDone; false on timeout.
  bool Await(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock<std::recursive_mutex> lock(mutex_);
    return done_changed_.wait_until(lock, deadline, [this] { return done_; });
  }
  void Cancel() { context_.TryCancel(); }

  const std::string& name() const { return name_; }
  // Valid after Await() returned true.
  const std::string& refusal() const { return refusal_; }
  bool registered() const { return registered_; }
  bool started() {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    return started_;
  }
  bool shut_down() const { return shut_down_; }
  const grpc::Status& status() const { return status_; }
  // Successful calls in the reports sent so far (read after the driver stopped).
  uint64_t calls_reported() const { return calls_reported_; }

 private:
  static int64_t WallMicros() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  static int64_t SteadyMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }

  // A clock sample echoing the master's last one (under mutex_).
  void FillClock(v1::ClockSample* clock) const {
    const int64_t now = WallMicros();
    clock->set_wall_micros(now);
    if (master_sample_wall_us_ == 0) return;
    clock->set_echo_wall_micros(master_sample_wall_us_);
    clock->set_echo_hold_micros(now - master_sample_received_us_);
  }

  void Handle(const v1::MasterMessage& message) {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    switch (message.kind_case()) {
      case v1::MasterMessage::kRegistered: {
        registered_ = true;
        // Echoed at once, as sipfleet-agent does: the master measures the
        // clock offset before it plans (it refuses beyond -max_skew).
        master_sample_wall_us_ = message.registered().clock().wall_micros();
        master_sample_received_us_ = WallMicros();
        v1::AgentMessage beat;
        FillClock(beat.mutable_heartbeat()->mutable_clock());
        queue_.push_back(std::move(beat));
        if (!writing_) WriteNextLocked();
        break;
      }
      case v1::MasterMessage::kHeartbeat:
        master_sample_wall_us_ = message.heartbeat().clock().wall_micros();
        master_sample_received_us_ = WallMicros();
        break;
      case v1::MasterMessage::kRefused:
        refusal_ = message.refused().reason();
        break;
      case v1::MasterMessage::kPrepare: {
        v1::AgentMessage reply;
        reply.mutable_prepared()->set_epoch(message.prepare().epoch());
        reply.mutable_prepared()->set_scenario_hash(message.prepare().scenario_hash());
        reply.mutable_prepared()->set_local_address("127.0.0.1:5060");
        reply.mutable_prepared()->set_workers(message.prepare().shard().workers());
        queue_.push_back(std::move(reply));
        if (!writing_) WriteNextLocked();
        break;
      }
      case v1::MasterMessage::kStart:
        started_ = true;
        started_ms_ = SteadyMs();
        break;
      case v1::MasterMessage::kShutdown:
        shut_down_ = true;
        if (!writes_done_) {
          writes_done_ = true;
          StartWritesDone();
        }
        break;
      default:
        break;
    }
  }

  // A report of `calls_per_report` more calls, each with an INVITE response
  // time and a call length, as an engine's snapshot would grow.
  v1::AgentMessage NextReport(bool final) {
    std::uniform_int_distribution<uint64_t> response_us(2000, 60000);
    std::uniform_int_distribution<uint64_t> length_us(100000, 400000);
    for (int call = 0; call < options_.calls_per_report; ++call) {
      shard_.Increment(stats::Counter::kOutgoingCall);
      shard_.Increment(stats::Counter::kSuccessfulCall);
      shard_.Increment(stats::Counter::kCallsEnded);
      shard_.RecordResponseTime(0, response_us(random_));
      shard_.RecordCallLength(length_us(random_));
      for (size_t m = 0; m < 9; ++m) {
        shard_.IncrementMessage(m, m == 0 || m == 5 || m == 7 ? stats::MessageCounter::kSent
                                                              : stats::MessageCounter::kReceived);
      }
    }
    calls_reported_ += static_cast<uint64_t>(options_.calls_per_report);
    cluster::StatsReport report = reports_.Next(shard_.TakeSnapshot(), 0, final);
    v1::AgentMessage message;
    wire::ToProto(report, message.mutable_stats());
    message.mutable_stats()->set_wall_micros(WallMicros());
    return message;
  }

  void Enqueue(v1::AgentMessage message) {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    if (done_ || writes_done_) return;
    queue_.push_back(std::move(message));
    if (!writing_) WriteNextLocked();
  }

  void WriteNextLocked() {
    writing_ = true;
    outgoing_ = std::move(queue_.front());
    queue_.pop_front();
    StartWrite(&outgoing_);
  }

  const SimOptions& options_;
  const std::string name_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::Control::Stub> stub_;
  grpc::ClientContext context_;
  stats::Shard shard_;  // written by the driver thread only
  cluster::ReportBuilder reports_;
  uint64_t calls_reported_ = 0;  // driver thread only
  std::mt19937 random_;
  v1::MasterMessage incoming_;

  // Recursive: gRPC may run OnWriteDone inline from StartWrite.
  std::recursive_mutex mutex_;
  std::condition_variable_any done_changed_;
  std::deque<v1::AgentMessage> queue_;
  v1::AgentMessage outgoing_;
  bool writing_ = false;
  bool writes_done_ = false;
  bool registered_ = false;
  bool started_ = false;
  bool finished_ = false;
  bool shut_down_ = false;
  bool done_ = false;
  int64_t started_ms_ = 0;
  int64_t master_sample_wall_us_ = 0;      // the master's last ClockSample.wall_micros
  int64_t master_sample_received_us_ = 0;  // our wall clock when it arrived
  std::string refusal_;
  grpc::Status status_;
};

// Each agent gets its own TCP connection, as separate hosts would.
std::shared_ptr<grpc::Channel> DialAgent(const SimOptions& options,
                                         const cluster::ControlSecurity& security) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 10000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 5000);
  for (const auto& [key, value] : cluster::ChannelSecurityArgs(security)) args.SetString(key, value);
  return grpc::CreateCustomChannel(options.master, cluster::MakeChannelCredentials(security), args);
}

// Ticks every agent once per period, spread evenly over the period, until
// all are done or `stop` is set.
void Drive(std::vector<std::unique_ptr<SimAgent>>& agents, const SimOptions& options,
           const std::atomic<bool>& stop) {
  const auto begin = std::chrono::steady_clock::now();
  const int64_t slot_us = options.period_ms * 1000 / static_cast<int64_t>(agents.size());
  bool all_started = false;
  for (uint64_t step = 0; !stop.load(); ++step) {
    const size_t index = step % agents.size();
    if (index == 0 && !all_started) {
      // Once per sweep: the bench starts measuring at this line.
      all_started = std::all_of(agents.begin(), agents.end(), [](auto& a) { return a->started(); });
      if (all_started) std::cerr << "sipfleet_sim_agents: all " << agents.size() << " agents started" << std::endl;
    }
    std::this_thread::sleep_until(begin + std::chrono::microseconds(slot_us * static_cast<int64_t>(step)));
    const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::steady_clock::now().time_since_epoch())
                               .count();
    agents[index]->Tick(now_ms);
  }
}

int Report(const std::vector<std::unique_ptr<SimAgent>>& agents, bool timed_out) {
  int refused = 0;
  int unfinished = 0;
  uint64_t calls = 0;
  for (const auto& agent : agents) {
    calls += agent->calls_reported();
    if (!agent->refusal().empty()) {
      ++refused;
      std::cerr << "sim agent " << agent->name() << ": refused by the master: " << agent->refusal()
                << "\n";
    } else if (!agent->shut_down()) {
      ++unfinished;
      if (unfinished <= 5) {
        std::cerr << "sim agent " << agent->name() << ": not shut down by the master (stream "
                  << agent->status().error_code() << ": " << agent->status().error_message()
                  << ")\n";
      }
    }
  }
  std::cerr << "sipfleet_sim_agents: " << agents.size() << " agents, " << refused << " refused, "
            << unfinished << " not shut down, " << calls << " successful calls reported"
            << (timed_out ? " (timed out)" : "") << "\n";
  if (refused > 0) return 3;
  return unfinished > 0 || timed_out ? 1 : 0;
}

int RunSim(const SimOptions& options) {
  absl::StatusOr<cluster::ControlSecurity> security =
      cluster::ResolveControlSecurity(options.master, options.tls, options.allow_plaintext);
  if (!security.ok()) {
    std::cerr << "sipfleet_sim_agents: " << security.status().message() << "\n";
    return 1;
  }
  std::vector<std::unique_ptr<SimAgent>> agents;
  for (int i = 1; i <= options.agents; ++i) {
    agents.push_back(std::make_unique<SimAgent>(options, i, DialAgent(options, *security)));
  }
  for (auto& agent : agents) agent->Begin();
  std::atomic<bool> stop{false};
  std::thread driver([&] { Drive(agents, options, stop); });
  // Bounded: registration, the run, and the master's shutdown.
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(options.duration_ms + 120000);
  bool timed_out = false;
  for (auto& agent : agents) {
    if (!agent->Await(deadline)) timed_out = true;
  }
  stop = true;
  driver.join();
  if (timed_out) {
    for (auto& agent : agents) agent->Cancel();
    for (auto& agent : agents) agent->Await(std::chrono::steady_clock::now() + std::chrono::seconds(5));
  }
  return Report(agents, timed_out);
}

int ParseAndRun(const std::vector<std::string>& args) {
  SimOptions options;
  const cli::OptionTable<cluster::ControlTlsOptions> tls_options = cluster::ControlTlsOptionTable(true);
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& arg = args[i];
    absl::StatusOr<bool> tls = tls_options.Take(args, &i, options.tls);
    if (!tls.ok()) return (std::cerr << tls.status().message() << "\n", 2);
    if (*tls) continue;
    if (arg == "-allow_plaintext") {
      options.allow_plaintext = true;
      continue;
    }
    if (i + 1 >= args.size()) return (std::cerr << arg << " needs a value\n", 2);
    const std::string& value = args[++i];
    double seconds = 0;
    bool ok = true;
    if (arg == "-master") {
      options.master = value;
    } else if (arg == "-prefix") {
      options.prefix = value;
    } else if (arg == "-agents") {
      ok = base::ParseInt(value, &options.agents) && options.agents > 0;
    } else if (arg == "-calls_per_report") {
      ok = base::ParseInt(value, &options.calls_per_report) && options.calls_per_report >= 0;
    } else if (arg == "-api_version") {
      ok = base::ParseInt(value, &options.api_version);
    } else if (arg == "-period" || arg == "-duration") {
      ok = base::ParseDouble(value, &seconds) && seconds > 0;
      (arg == "-period" ? options.period_ms : options.duration_ms) = static_cast<int64_t>(seconds * 1000);
    } else {
      ok = false;
    }
    if (!ok) return (std::cerr << "sipfleet_sim_agents: bad option " << arg << " " << value << "\n", 2);
  }
  if (options.master.empty()) return (std::cerr << "sipfleet_sim_agents: -master is required\n", 2);
  return RunSim(options);
}

}  // namespace
}  // namespace sipfleet::sim

int main(int argc, char** argv) {
  signal(SIGPIPE, SIG_IGN);
  return sipfleet::sim::ParseAndRun(std::vector<std::string>(argv, argv + argc));
}
