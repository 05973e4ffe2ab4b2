#include "master/master.h"

#include <openssl/evp.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <functional>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <thread>
#include <unordered_map>
#include <utility>

#include "absl/status/status.h"
#include "common/base/strings.h"
#include "common/cli/options.h"
#include "common/cluster/credentials.h"
#include "common/cluster/plan.h"
#include "common/cluster/stats_report.h"
#include "common/console/console.h"
#include "common/console/screen_stats.h"
#include "common/runtime/pacing.h"
#include "common/scenario/embedded.h"
#include "common/scenario/loader.h"
#include "common/scenario/stats_layout.h"
#include "common/stats/stat_csv.h"
#include "common/stats/stat_file.h"
#include "grpcpp/grpcpp.h"
#include "proto/wire/wire.h"
#include "sipfleet/control/v1/control.grpc.pb.h"

namespace sipfleet::master {
namespace {

namespace v1 = ::sipfleet::control::v1;

// Where the master's messages to one agent go: its control stream.
class MessageSink {
 public:
  virtual ~MessageSink() = default;
  // Queues `message` to be written in order; never blocks. False once the
  // stream is closing (the message is dropped).
  virtual bool Write(const v1::MasterMessage& message) = 0;
};

absl::StatusOr<int64_t> ParseSeconds(std::string_view option, std::string_view text) {
  double seconds = 0;
  if (!base::ParseDouble(text, &seconds) || seconds < 0) {
    return absl::InvalidArgumentError(base::Cat(option, ": '", text, "' is not a number of seconds"));
  }
  return static_cast<int64_t>(seconds * 1000);
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(base::Cat(path, ": cannot read"));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 15]);
  }
  return hex;
}

// The scenario text a -sf/-sn pair names, and the name errors use.
absl::StatusOr<std::pair<std::string, std::string>> ScenarioText(const std::string& file,
                                                                 const std::string& name) {
  if (!file.empty()) {
    absl::StatusOr<std::string> text = ReadFile(file);
    if (!text.ok()) return text.status();
    return std::make_pair(file, *std::move(text));
  }
  std::string builtin = name.empty() ? "uac" : name;
  std::optional<std::string_view> xml = scenario::EmbeddedScenario(builtin);
  if (!xml) return absl::InvalidArgumentError(base::Cat("invalid default scenario name '", builtin, "'"));
  return std::make_pair(builtin, std::string(*xml));
}

// "ipv4:10.0.0.2:41234" -> "ipv4:10.0.0.2": the host of a gRPC peer.
std::string PeerHost(const std::string& peer) { return peer.substr(0, peer.rfind(':')); }

std::vector<std::string> SplitBlanks(std::string_view text) {
  std::vector<std::string> out;
  std::istringstream in{std::string(text)};
  for (std::string word; in >> word;) out.push_back(word);
  return out;
}

// ---- Agents, shared by the gRPC session threads and the run thread --------

struct Agent {
  std::string name;
  std::string peer;
  bool uas = false;
  uint32_t weight = 1;
  std::string instance;  // its 3PCC instance name, set when planned (under Registry::mutex_)
  // The session's stream, null once the session ended; used under
  // write_mutex only (the session clears it before the stream goes away).
  std::mutex write_mutex;
  MessageSink* stream = nullptr;
  // When the master last wrote to it (its monotonic ms): a heartbeat is
  // only due when nothing else went out for a while.
  std::atomic<int64_t> last_sent_ms{0};
  // Below: under Registry::mutex_.
  bool registered = false;
  bool connected = false;
  int64_t last_heard_ms = 0;
  enum class Prepare { kWaiting, kPrepared, kFailed } prepare = Prepare::kWaiting;
  std::string prepare_error;
  bool finished = false;
  int exit_code = 0;               // as its engine would exit alone (Finished)
  std::string finished_message;
  // Declared lost (-failure_policy continue): its statistics are frozen.
  bool lost = false;
  // A slot kept for a late joiner (-late_join share), after the others.
  bool spare = false;
  // Its wall clock minus the master's, from the clock sample with the
  // shortest round trip so far (NTP's estimate); rtt < 0: no sample yet.
  int64_t clock_offset_us = 0;
  int64_t clock_rtt_us = -1;
};

// NTP's offset of the agent's clock from the master's, from an agent's
// ClockSample that echoes a master sample, received at `master_now_us`.
// Returns {offset, round trip}; the round trip is -1 if the sample echoes
// nothing.
std::pair<int64_t, int64_t> ClockOffset(const v1::ClockSample& sample, int64_t master_now_us) {
  if (sample.echo_wall_micros() == 0) return {0, -1};
  const int64_t t1 = sample.echo_wall_micros();                // master sent
  const int64_t t3 = sample.wall_micros();                     // agent sent
  const int64_t t2 = t3 - std::max<int64_t>(sample.echo_hold_micros(), 0);  // agent received
  const int64_t t4 = master_now_us;                            // master received
  return {((t2 - t1) + (t3 - t4)) / 2, std::max<int64_t>((t4 - t1) - (t3 - t2), 0)};
}

// Who is in the cluster and what they said. Thread-safe.
class Registry {
 public:
  Registry(const MasterOptions& options, const base::Clock& clock)
      : options_(options), clock_(clock) {
    const size_t count =
        options.agent_names.empty() ? static_cast<size_t>(options.agent_count) : options.agent_names.size();
    for (size_t i = 0; i < count; ++i) {
      auto agent = std::make_unique<Agent>();
      if (!options.agent_names.empty()) agent->name = options.agent_names[i];
      agents_.push_back(std::move(agent));
    }
    if (options.late_join == MasterOptions::LateJoin::kShare) {
      for (uint32_t i = 0; i < options.late_slots; ++i) {
        agents_.push_back(std::make_unique<Agent>());
        agents_.back()->spare = true;
      }
    }
    merger_ = std::make_unique<cluster::StatsMerger>(agents_.size());
  }

  // Takes in a registration; the error text goes back in Refused.
  absl::StatusOr<size_t> Admit(const v1::Register& reg, const std::string& peer, MessageSink* stream) {
    if (reg.api_version() != v1::API_VERSION_1) {
      return absl::FailedPreconditionError(base::Cat("API version ", reg.api_version(),
                                                     " is not supported; this master speaks 1"));
    }
    if (reg.name().empty()) return absl::InvalidArgumentError("an agent needs a -name");
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& agent : agents_) {
      if (agent->registered && agent->name == reg.name()) {
        return absl::AlreadyExistsError(base::Cat("duplicate agent name '", reg.name(),
                                                  "': already registered from ", agent->peer));
      }
    }
    absl::StatusOr<size_t> slot = FreeSlot(reg.name());
    if (!slot.ok()) return slot.status();
    const size_t index = *slot;
    Agent& agent = *agents_[index];
    agent.name = reg.name();
    agent.peer = peer;
    agent.registered = true;
    agent.connected = true;
    agent.last_heard_ms = NowMs();
    if (reg.lease_millis() > 0) {
      min_agent_lease_ms_ = min_agent_lease_ms_ == 0
                                ? reg.lease_millis()
                                : std::min<int64_t>(min_agent_lease_ms_, reg.lease_millis());
    }
    {
      std::lock_guard<std::mutex> write_lock(agent.write_mutex);
      agent.stream = stream;
    }
    changed_.notify_all();
    return index;
  }

  // The slot a registering agent takes. Under mutex_.
  absl::StatusOr<size_t> FreeSlot(const std::string& name) const {
    const bool share = options_.late_join == MasterOptions::LateJoin::kShare;
    if (closed_ && !share) {
      return absl::FailedPreconditionError(
          base::Cat("agent '", name, "' joined after the run was planned; late joiners are refused"));
    }
    size_t spares = 0;
    for (size_t i = 0; i < agents_.size(); ++i) {
      const Agent& agent = *agents_[i];
      spares += agent.spare;
      // Before the run is planned only the -agents slots; after it only the
      // spare ones.
      if (agent.spare != closed_ || agent.registered) continue;
      if (closed_ || (options_.agent_names.empty() ? agent.name.empty() : agent.name == name)) return i;
    }
    if (closed_) {
      return absl::FailedPreconditionError(base::Cat(
          "agent '", name, "' joined late and all ", spares, " -late_slots are taken"));
    }
    return absl::FailedPreconditionError(
        options_.agent_names.empty()
            ? base::Cat("the cluster already has its ", agents_.size() - spares, " agents")
            : base::Cat("agent '", name, "' is not in -agents"));
  }

  // Takes in one message of agent `index`. Waiters (WaitUntil) are woken
  // only by what they wait for: registration-time clock samples, prepare
  // answers, Finished; statistics and routine heartbeats only update state
  // (at 1,000 agents they are thousands a second).
  void OnMessage(size_t index, const v1::AgentMessage& message) {
    // Decoded before taking the lock: the session threads do it in parallel.
    std::optional<absl::StatusOr<cluster::StatsReport>> report;
    if (message.kind_case() == v1::AgentMessage::kStats) report = wire::FromProto(message.stats());
    std::lock_guard<std::mutex> lock(mutex_);
    Agent& agent = *agents_[index];
    agent.last_heard_ms = NowMs();
    if (agent.lost) return;  // counted as lost: nothing it says counts twice
    bool wake = true;
    switch (message.kind_case()) {
      case v1::AgentMessage::kHeartbeat: {
        auto [offset, rtt] = ClockOffset(message.heartbeat().clock(), clock_.WallMicros());
        wake = rtt >= 0 && agent.clock_rtt_us < 0;  // its first sample
        if (rtt >= 0 && (agent.clock_rtt_us < 0 || rtt < agent.clock_rtt_us)) {
          agent.clock_offset_us = offset;
          agent.clock_rtt_us = rtt;
        }
        break;
      }
      case v1::AgentMessage::kPrepared:
        agent.prepare = Agent::Prepare::kPrepared;
        break;
      case v1::AgentMessage::kPrepareFailed:
        agent.prepare = Agent::Prepare::kFailed;
        agent.prepare_error = message.prepare_failed().message();
        break;
      case v1::AgentMessage::kStats: {
        wake = report->ok() && (*report)->final;
        if (!report->ok()) {
          std::cerr << "sipfleet-master: agent '" << agent.name
                    << "': bad statistics report: " << report->status().message() << "\n";
          break;
        }
        absl::StatusOr<bool> applied = merger_->Apply(index, **report);
        // The role's running total: the sum of every delta applied, so it
        // equals merger_->Total(role's agents) without re-merging them.
        if (applied.ok() && *applied) stats::Merge(agent.uas ? &uas_total_ : &uac_total_, (*report)->delta);
        break;
      }
      case v1::AgentMessage::kFinished:
        agent.finished = true;
        agent.exit_code = message.finished().exit_code();
        agent.finished_message = message.finished().message();
        break;
      default:
        wake = false;  // only refreshes last_heard_ms
        break;
    }
    if (wake) changed_.notify_all();
  }

  void OnSessionEnd(size_t index) {
    Agent& agent = *agents_[index];
    {
      std::lock_guard<std::mutex> write_lock(agent.write_mutex);
      agent.stream = nullptr;
    }
    std::lock_guard<std::mutex> lock(mutex_);
    agent.connected = false;
    changed_.notify_all();
  }

  // False if the agent's session is gone or the write failed.
  bool Send(size_t index, const v1::MasterMessage& message) {
    Agent& agent = *agents_[index];
    std::lock_guard<std::mutex> write_lock(agent.write_mutex);
    if (agent.stream == nullptr) return false;
    agent.last_sent_ms.store(NowMs(), std::memory_order_relaxed);
    return agent.stream->Write(message);
  }
  // When the master last wrote to agent `index` (any thread).
  int64_t LastSentMs(size_t index) const {
    return agents_[index]->last_sent_ms.load(std::memory_order_relaxed);
  }

  // Waits until `done()` (called under the lock) or `timeout_ms`; returns done().
  template <typename Predicate>
  bool WaitUntil(Predicate done, int64_t timeout_ms) {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] { return done(); });
  }

  void Close() {
    std::lock_guard<std::mutex> lock(mutex_);
    closed_ = true;
  }

  // Forwards a 3PCC command from agent `from` to the agent running its
  // destination instance at once, on the sender's session thread: one
  // sender's commands keep their order (so do one call's). A command no
  // agent can take is counted, reported once per name, and answered with a
  // loss notice (the sender handles it as a lost twin).
  void Route3pcc(size_t from, v1::ThreePccCommand command) {
    std::optional<size_t> to;
    bool first_report = false;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      agents_[from]->last_heard_ms = NowMs();
      if (agents_[from]->lost) return;
      Learn(from, command);
      to = Destination(command);
      if (to.has_value()) {
        ++routed_3pcc_;
      } else {
        ++unrouted_3pcc_;
        first_report = unknown_reported_.insert(command.dest_instance()).second;
      }
    }
    if (to.has_value()) {
      v1::MasterMessage forward;
      *forward.mutable_three_pcc() = std::move(command);
      Send(*to, forward);
      return;
    }
    const std::string why = base::Cat("3PCC command from instance '", command.source_instance(),
                                      "' (Call-ID ", command.call_id(), ") for instance '",
                                      command.dest_instance(), "': no agent runs that instance");
    if (first_report) std::cerr << "sipfleet-master: " << why << " (further ones only counted)\n";
    v1::MasterMessage notice;
    v1::ThreePccCommand* lost = notice.mutable_three_pcc();
    lost->set_source_instance(command.dest_instance());
    lost->set_dest_instance(command.source_instance());
    lost->set_call_id(command.call_id());
    lost->set_lost(why);
    Send(from, notice);
  }
  // Under mutex().
  uint64_t routed_3pcc_locked() const { return routed_3pcc_; }
  uint64_t unrouted_3pcc_locked() const { return unrouted_3pcc_; }

  std::mutex& mutex() { return mutex_; }
  // Under mutex().
  std::vector<std::unique_ptr<Agent>>& agents() { return agents_; }
  cluster::StatsMerger& merger() { return *merger_; }
  // Every UAC (UAS) agent's applied reports merged: merger().Total() of
  // that role, kept up to date as reports arrive. Under mutex().
  const stats::Snapshot& uac_total() const { return uac_total_; }
  // The shortest lease an agent said it keeps itself (0: none said). Under mutex().
  int64_t min_agent_lease_ms() const { return min_agent_lease_ms_; }
  int64_t NowMs() const { return clock_.NowMicros() / 1000; }

 private:
  const MasterOptions& options_;
  const base::Clock& clock_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::unique_ptr<Agent>> agents_;
  std::unique_ptr<cluster::StatsMerger> merger_;
  stats::Snapshot uac_total_, uas_total_;
  int64_t min_agent_lease_ms_ = 0;
  bool closed_ = false;
  // 3PCC routing (under mutex_).
  uint64_t routed_3pcc_ = 0;
  uint64_t unrouted_3pcc_ = 0;
  std::set<std::string> unknown_reported_;
  // Where a Call-ID lives for instance names several agents share
  // ("instance\ncall-id" -> agent), learned from what they send; the oldest
  // are forgotten beyond kMaxLearned.
  static constexpr size_t kMaxLearned = size_t{1} << 20;
  std::unordered_map<std::string, size_t> learned_;
  std::deque<std::string> learned_order_;

  // Agents running `instance`, not lost. Under mutex_.
  std::vector<size_t> Runners(const std::string& instance) const {
    std::vector<size_t> out;
    for (size_t i = 0; i < agents_.size(); ++i) {
      if (agents_[i]->registered && !agents_[i]->lost && agents_[i]->instance == instance) {
        out.push_back(i);
      }
    }
    return out;
  }
  // Remembers which agent a shared instance's Call-ID lives on. Under mutex_.
  void Learn(size_t from, const v1::ThreePccCommand& command) {
    if (command.call_id().empty() || Runners(command.source_instance()).size() < 2) return;
    std::string key = base::Cat(command.source_instance(), "\n", command.call_id());
    if (learned_.insert_or_assign(key, from).second) learned_order_.push_back(std::move(key));
    if (learned_order_.size() > kMaxLearned) {
      learned_.erase(learned_order_.front());
      learned_order_.pop_front();
    }
  }
  // The agent that takes `command`: the only runner of its instance, or the
  // one its Call-ID lives on, or one fixed by the Call-ID's hash. Under mutex_.
  std::optional<size_t> Destination(const v1::ThreePccCommand& command) const {
    std::vector<size_t> runners = Runners(command.dest_instance());
    if (runners.empty()) return std::nullopt;
    if (runners.size() == 1) return runners[0];
    auto it = learned_.find(base::Cat(command.dest_instance(), "\n", command.call_id()));
    if (it != learned_.end() &&
        std::find(runners.begin(), runners.end(), it->second) != runners.end()) {
      return it->second;
    }
    return runners[std::hash<std::string>()(command.call_id()) % runners.size()];
  }
};

// One agent's control stream on gRPC's callback API: no thread per stream
// (1,000 agents are 1,000 streams). Reads are handled on gRPC's threads as
// they complete, one at a time per stream (so one sender's 3PCC commands
// keep their order); writes queue here with one outstanding, as gRPC
// allows. Deletes itself when gRPC is done with it, after the registry has
// forgotten it (OnSessionEnd clears the agent's stream under its
// write_mutex, so no Send can reach a deleted session).
class SessionReactor final : public grpc::ServerBidiReactor<v1::AgentMessage, v1::MasterMessage>,
                             public MessageSink {
 public:
  SessionReactor(Registry* registry, grpc::CallbackServerContext* context,
                 const base::Clock& clock, int64_t lease_ms)
      : registry_(registry), peer_(context->peer()), clock_(clock), lease_ms_(lease_ms) {
    StartRead(&incoming_);
  }

  bool Write(const v1::MasterMessage& message) override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (finishing_ || failed_) return false;
      queue_.push_back(message);
      if (writing_) return true;
      writing_ = true;
      current_ = std::move(queue_.front());
      queue_.pop_front();
    }
    StartWrite(&current_);  // outside the lock: gRPC may react inline
    return true;
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      // The agent closed its side, the connection broke, or the server is
      // shutting down: what is still queued will not be read by anyone.
      if (index_.has_value()) registry_->OnSessionEnd(*index_);
      FinishWhenIdle(grpc::Status::OK, /*drop_queued=*/true);
      return;
    }
    if (!index_.has_value()) {
      Admit();
    } else if (incoming_.kind_case() == v1::AgentMessage::kThreePcc) {
      registry_->Route3pcc(*index_, std::move(*incoming_.mutable_three_pcc()));
    } else {
      registry_->OnMessage(*index_, incoming_);
    }
    if (!index_.has_value()) return;  // refused: finishing
    incoming_.Clear();
    StartRead(&incoming_);
  }

  void OnWriteDone(bool ok) override {
    bool next = false, finish = false;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!ok) {
        failed_ = true;  // the read side will end too
        queue_.clear();
      }
      if (!queue_.empty()) {
        current_ = std::move(queue_.front());
        queue_.pop_front();
        next = true;
      } else {
        writing_ = false;
        finish = finishing_ && !finished_;
        finished_ = finished_ || finish;
      }
    }
    if (next) StartWrite(&current_);
    if (finish) Finish(finish_status_);
  }

  void OnDone() override {
    if (index_.has_value()) registry_->OnSessionEnd(*index_);
    delete this;
  }

 private:
  // The first message: a Register, admitted or refused with the reason.
  void Admit() {
    if (incoming_.kind_case() != v1::AgentMessage::kRegister) {
      FinishWhenIdle(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "the first message must be Register"),
                     true);
      return;
    }
    const v1::Register& reg = incoming_.register_();
    absl::StatusOr<size_t> index = registry_->Admit(reg, peer_, this);
    if (!index.ok()) {
      std::string reason(index.status().message());
      std::cerr << "sipfleet-master: refused agent '" << reg.name() << "' from " << peer_ << ": "
                << reason << "\n";
      v1::MasterMessage refused;
      refused.mutable_refused()->set_reason(reason);
      Write(refused);
      FinishWhenIdle(grpc::Status(static_cast<grpc::StatusCode>(index.status().code()), reason), false);
      return;
    }
    index_ = *index;
    v1::MasterMessage welcome;
    welcome.mutable_registered()->set_lease_millis(static_cast<uint32_t>(lease_ms_));
    welcome.mutable_registered()->mutable_clock()->set_wall_micros(clock_.WallMicros());
    welcome.mutable_registered()->mutable_clock()->set_echo_wall_micros(reg.clock().wall_micros());
    registry_->Send(*index_, welcome);
  }

  // Finishes with `status` once the write in flight (and, unless
  // `drop_queued`, every queued one) is written. Idempotent.
  void FinishWhenIdle(grpc::Status status, bool drop_queued) {
    bool finish = false;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (finishing_) return;
      finishing_ = true;
      finish_status_ = std::move(status);
      if (drop_queued) queue_.clear();
      finish = !writing_;
      finished_ = finish;
    }
    if (finish) Finish(finish_status_);
  }

  Registry* registry_;
  const std::string peer_;
  const base::Clock& clock_;
  const int64_t lease_ms_;
  std::optional<size_t> index_;  // set once admitted (reads are sequential)
  v1::AgentMessage incoming_;
  std::mutex mutex_;  // the write side below
  std::deque<v1::MasterMessage> queue_;
  v1::MasterMessage current_;  // the write in flight
  bool writing_ = false;
  bool failed_ = false;
  bool finishing_ = false;
  bool finished_ = false;  // Finish() called
  grpc::Status finish_status_;
};

class ControlService final : public v1::Control::CallbackService {
 public:
  ControlService(Registry* registry, const base::Clock& clock, int64_t lease_ms)
      : registry_(registry), clock_(clock), lease_ms_(lease_ms) {}

  grpc::ServerBidiReactor<v1::AgentMessage, v1::MasterMessage>* Session(
      grpc::CallbackServerContext* context) override {
    return new SessionReactor(registry_, context, clock_, lease_ms_);
  }

 private:
  Registry* registry_;
  const base::Clock& clock_;
  int64_t lease_ms_;
};

// Writes the merged -trace_stat file, rows as sipfleet's StatFile does.
// Options the master keeps for itself: the agents must not write their own
// statistics files, -l and -users are shared out, -inf files are shipped.
std::vector<std::string> AgentArgs(const std::vector<std::string>& sipp_args) {
  // (-rate_increase & co. and -timeout act on the whole cluster, through
  // the master's epochs and stops.)
  static constexpr std::string_view kDropWithValue[] = {
      "-stf", "-fd", "-l", "-users", "-slave_cfg", "-rate_increase", "-rate_interval", "-rate_max",
      "-timeout", "-screen_file"};
  static constexpr std::string_view kDrop[] = {"-trace_stat", "-trace_screen", "-bg", "-no_rate_quit",
                                               "-timeout_error"};
  std::vector<std::string> out;
  for (size_t i = 0; i < sipp_args.size(); ++i) {
    const std::string& arg = sipp_args[i];
    if (std::find(std::begin(kDropWithValue), std::end(kDropWithValue), arg) != std::end(kDropWithValue)) {
      ++i;
      continue;
    }
    if (std::find(std::begin(kDrop), std::end(kDrop), arg) != std::end(kDrop)) continue;
    out.push_back(arg);
  }
  return out;
}

// The options of the SIPp command line that the UAS agents need as well so
// both sides of a call speak alike: the transport (-t) and its TLS and size
// options. (-uas_args, given after them, can still override.)
std::vector<std::string> TransportArgs(const std::vector<std::string>& sipp_args) {
  static constexpr std::string_view kShared[] = {"-t",       "-tls_cert", "-tls_key",
                                                 "-tls_ca",  "-tls_crl",  "-tls_version",
                                                 "-max_msg_size", "-buff_size"};
  std::vector<std::string> out;
  for (size_t i = 0; i + 1 < sipp_args.size(); ++i) {
    if (std::find(std::begin(kShared), std::end(kShared), sipp_args[i]) == std::end(kShared)) {
      continue;
    }
    out.push_back(sipp_args[i]);
    out.push_back(sipp_args[++i]);
  }
  return out;
}

// One run, on the caller's thread. It is also what the operator's keys and
// control socket act on (control::RunControl, called on the run thread
// only): a change is computed once here and sent to every live UAC agent
// with an epoch and an effective time a little ahead, so all agents apply
// it at the same instant.
class Run : public control::RunControl {
 public:
  Run(const MasterOptions& options, const base::Clock& clock)
      : options_(options), clock_(clock), registry_(options, clock) {}

  MasterResult Execute(const std::function<void(int)>& on_listening);

  // control::RunControl: the whole cluster.
  double rate() const override { return rate_; }
  void SetRate(double rate) override;
  bool users_mode() const override { return sipp_.users > 0; }
  uint64_t users() const override { return users_; }
  void SetUsers(uint64_t users) override;
  bool paused() const override { return paused_; }
  void SetPaused(bool paused) override;
  void SetCallLimit(uint64_t limit) override;
  void Quit() override;
  void QuitNow() override;
  void DumpScreens() override;
  absl::Status SetTrace(std::string_view kind, bool on) override;
  void ResetStats() override;
  std::string DumpTasks() override;
  std::string DumpVariables() override;

 private:
  // What one supervision tick saw (Observe()).
  struct TickState {
    bool uac_done = true;
    bool all_done = true;
    std::vector<std::pair<size_t, std::string>> lost;  // newly lost: index, why
  };

  absl::Status Validate();
  // Waits until `done()` (under the registry's lock) or `timeout_ms`, while
  // keeping the registered agents' leases alive (heartbeats) and taking
  // signals; returns done(). A quitting signal ends the wait early and sets
  // interrupted_.
  template <typename Predicate>
  bool WaitAlive(Predicate done, int64_t timeout_ms);
  // "interrupted by SIGx" once a signal ended a wait before the start.
  absl::Status Interrupted(std::string_view while_doing) const;
  // The next signal from options_.take_signal, 0 if none.
  int TakeSignal() const { return options_.take_signal ? options_.take_signal() : 0; }
  // A signal during the run: SIPp's meaning, for the whole cluster.
  void HandleSignal(int signal_number);
  // Heartbeats to the agents due one (nothing written to them for about a
  // period); at most one per agent per period, spread over the ticks.
  void SendHeartbeats(int64_t now);
  // -rate_increase: one step, as sipfleet's IncreaseRate.
  void IncreaseRate();
  // The UAC agents merged so far (a copy of the running total).
  stats::Snapshot MergedUac() {
    std::lock_guard<std::mutex> lock(registry_.mutex());
    return registry_.uac_total();
  }
  absl::Status StartServer(const std::function<void(int)>& on_listening);
  absl::Status WaitForAgents();
  // Refuses to start when an agent's clock is off by more than -max_skew.
  absl::Status CheckClocks();
  // Why `agent`'s clock is not good enough to run ("" if it is). Under the
  // registry's lock.
  std::string ClockError(const Agent& agent) const;
  // -late_join share: moves each late joiner on (clock check, prepare, then
  // its share from a new epoch), once per tick.
  void AdvanceLateJoiners();
  void JoinLate(size_t index);
  void RefuseLate(size_t index, const std::string& why);
  // No agent runs in slot `index`: lost, or a late slot not (yet) joined.
  bool Dormant(size_t index) const { return lost_[index] || idle_[index]; }
  absl::Status Prepare();
  // The address each UAS agent (registry indices `uas`) binds: -uas_bind,
  // else the UAC agents' remote address. Errors: two on one host and address.
  absl::Status UasBinds(const std::vector<size_t>& uas, const std::string& remote,
                        std::vector<std::string>* binds);
  // The UAC scenario (screens, statistics layout) and the -stf file.
  absl::Status LoadScenario();
  void StartAll();
  void OpenConsole();
  // Runs the ticks until every agent is done; returns why the run was
  // aborted (an agent lost under -failure_policy abort), if it was.
  std::optional<std::string> Supervise();
  TickState Observe(int64_t now_ms);
  // Applies the failure policy to a newly lost agent; returns the abort
  // reason when the run cannot go on.
  std::optional<std::string> HandleLost(size_t index, const std::string& why);
  // 3PCC: tells the other agents that the instance of agent `index` is
  // gone (their routers treat it as a lost twin).
  void NoticeLost3pcc(size_t index, const std::string& what);
  // The SIPp options -agent_args gives agent `name`.
  std::vector<std::string> ExtraArgs(const std::string& name) const;
  // Agent `name`'s 3PCC instance name and plain-mode twin instance ("" if none).
  std::string InstanceOf(const std::string& name) const;
  std::string TwinOf(const std::string& name) const;
  // The scenario (name, text) of UAS agent `name`: -agent_sf/-agent_sn, else -uas_sf/-uas_sn.
  absl::StatusOr<std::pair<std::string, std::string>> UasScenarioOf(const std::string& name) const;
  // Checks the per-agent options against the planned roles.
  absl::Status CheckAgentOptions(const std::vector<size_t>& uac);
  std::string AgentName(size_t index) {
    std::lock_guard<std::mutex> lock(registry_.mutex());
    return registry_.agents()[index]->name;
  }
  // Fills in agent `name`'s 3PCC instance, twin and the cluster's instances.
  void Set3pcc(const std::string& name, v1::ShardSpec* spec) const {
    spec->set_instance_name(InstanceOf(name));
    spec->set_twin_instance(TwinOf(name));
    for (const std::string& instance : instances_) spec->add_instances(instance);
  }
  void ShutdownAll(const std::string& reason);
  MasterResult Verdict(std::optional<std::string> abort);
  void Broadcast(const v1::MasterMessage& message, std::optional<bool> uas_only = std::nullopt);
  // The shared interval for the current rate, pause and survivors.
  double Interval() const;
  // A new pacing epoch from now + effective_delay on, to every live UAC agent.
  void Repace();
  // Sends `load` under a new epoch to every live UAC agent; `share` fills in
  // the agent-specific part (its position among the live UAC agents).
  void SendLoad(v1::SetLoad load, const std::function<void(size_t, v1::SetLoad*)>& share = {});
  // Positions in uac_ of the UAC agents not lost.
  std::vector<size_t> LiveUac() const;
  // `total` split by weight over the live UAC agents, each share >= 1 if
  // total > 0.
  std::vector<uint64_t> LiveShares(uint64_t total) const;
  screen::ScreenInput ScreenInputNow();
  int64_t NowMs() const { return clock_.NowMicros() / 1000; }
  static void ToProto(const runtime::Pacing& pacing, v1::Pacing* out) {
    out->set_start_wall_micros(pacing.start_us);
    out->set_first_number(pacing.first_number);
    out->set_interval_micros(pacing.interval_us);
  }
  MasterResult Failure(std::string message) {
    MasterResult result;
    result.exit_code = kExitFatal;
    result.message = std::move(message);
    return result;
  }

  const MasterOptions& options_;
  const base::Clock& clock_;
  Registry registry_;
  cli::Options sipp_;
  std::unique_ptr<ControlService> service_;
  std::unique_ptr<grpc::Server> server_;
  cluster::ControlSecurity security_;  // set by Validate()
  std::pair<std::string, std::string> uac_scenario_;  // name, text
  std::pair<std::string, std::string> uas_scenario_;
  std::unique_ptr<stats::StatFile> stat_file_;
  int64_t start_wall_us_ = 0;
  int64_t start_ms_ = 0;
  // The plan (Prepare()): indices into the registry by role, and per UAC
  // agent (same order as uac_) its weight and stripe.
  std::vector<size_t> uac_, uas_;
  std::vector<std::string> instances_;  // the 3PCC instance names, once each
  std::vector<uint32_t> uac_weights_;
  std::vector<cluster::Stripe> stripes_;
  // Per agent (registry index), on the run thread.
  std::vector<bool> lost_;
  std::vector<bool> idle_;  // a late slot with no running agent (yet)
  // Late slots (-late_join share): where each joiner is, and the Prepare
  // kept for the slot (Prepare()).
  enum class LateStage { kEmpty, kClock, kPreparing, kRunning, kRefused };
  std::vector<LateStage> late_;
  std::map<size_t, v1::MasterMessage> late_prepares_;
  std::vector<uint64_t> lost_calls_;
  std::vector<uint64_t> users_shares_;
  // The live load, cluster totals. pacing_ is on the master's wall clock.
  runtime::Pacing pacing_;
  uint64_t epoch_ = 1;  // Start is epoch 1; every later command a new one
  double rate_ = 0;
  bool paused_ = false;
  uint64_t users_ = 0;
  uint64_t call_limit_ = 0;
  bool quitting_ = false;
  // The operator's view.
  std::shared_ptr<const scenario::Scenario> scenario_;
  std::unique_ptr<console::Console> console_;
  std::optional<console::ScreenStats> screen_stats_;  // from OpenConsole()
  bool terminated_ = false;
  std::string last_error_;
  // Heartbeats (SendHeartbeats): the period, and ticks seen (the phase).
  int64_t heartbeat_period_ms_ = 1000;
  uint64_t heartbeat_ticks_ = 0;
  bool timed_out_ = false;  // -timeout was reached
  int interrupted_by_ = 0;  // the signal that ended a wait before the start
};

absl::Status Run::Validate() {
  std::vector<std::string> argv = {"sipfleet-master"};
  argv.insert(argv.end(), options_.sipp_args.begin(), options_.sipp_args.end());
  absl::StatusOr<cli::Options> parsed = cli::ParseCommandLine(argv);
  if (!parsed.ok()) return parsed.status();
  sipp_ = *std::move(parsed);
  if (!sipp_.three_pcc.empty() || !sipp_.master.empty() || !sipp_.slave.empty()) {
    return absl::InvalidArgumentError(
        "-3pcc/-master/-slave name one process's role: in the cluster every agent is a 3PCC "
        "instance named after it (or -instances a=NAME, or -agent_args a=\"-master NAME\"), "
        "and -twins a=b pairs plain -3pcc twins");
  }
  if (!sipp_.slave_cfg.empty()) {
    std::cerr << "sipfleet-master: -slave_cfg " << sipp_.slave_cfg
              << " ignored: 3PCC instance names resolve to agents over the control plane\n";
  }
  if (options_.agent_count <= 0 && options_.agent_names.empty()) {
    return absl::InvalidArgumentError("-agents is required: a count or a list of names");
  }
  if (options_.late_join == MasterOptions::LateJoin::kShare && sipp_.max_calls > 0) {
    // The late slots' stripes are holes until someone joins, and -m bounds
    // call numbers: -m would not hold.
    return absl::InvalidArgumentError(
        "-late_join share needs a run without -m (end it with -timeout or q)");
  }
  // mTLS, or plain text on loopback / with -allow_plaintext (credentials.h).
  absl::StatusOr<cluster::ControlSecurity> security = cluster::ResolveControlSecurity(
      options_.listen, options_.ctl_tls, options_.allow_plaintext_remote);
  if (!security.ok()) return security.status();
  security_ = *std::move(security);
  absl::StatusOr<std::pair<std::string, std::string>> uac =
      ScenarioText(sipp_.scenario_file, sipp_.scenario_name);
  if (!uac.ok()) return uac.status();
  uac_scenario_ = *std::move(uac);
  absl::StatusOr<std::pair<std::string, std::string>> uas =
      ScenarioText(options_.uas_scenario_file, options_.uas_scenario_name);
  if (!uas.ok()) return uas.status();
  uas_scenario_ = *std::move(uas);
  return absl::OkStatus();
}

absl::Status Run::StartServer(const std::function<void(int)>& on_listening) {
  service_ = std::make_unique<ControlService>(&registry_, clock_, options_.lease_ms);
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(options_.listen, cluster::MakeServerCredentials(security_), &port);
  builder.RegisterService(service_.get());
  // Transport keepalive, as the agents configure it (DESIGN.md).
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 10000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 5000);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 5000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  server_ = builder.BuildAndStart();
  if (!server_ || port == 0) {
    return absl::FailedPreconditionError(base::Cat("cannot listen on ", options_.listen));
  }
  if (on_listening) on_listening(port);
  return absl::OkStatus();
}

absl::Status Run::WaitForAgents() {
  auto all_here = [this] {
    for (const auto& agent : registry_.agents()) {
      if (!agent->spare && !agent->registered) return false;
    }
    return true;
  };
  if (!WaitAlive(all_here, options_.agent_wait_ms)) {
    if (interrupted_by_ != 0) return Interrupted("waiting for the agents");
    std::lock_guard<std::mutex> lock(registry_.mutex());
    std::string missing;
    int count = 0;
    for (const auto& agent : registry_.agents()) {
      if (agent->registered || agent->spare) continue;
      ++count;
      if (!agent->name.empty()) base::Append(&missing, " ", agent->name);
    }
    return absl::DeadlineExceededError(base::Cat(count, " agent(s) did not register within ",
                                                 options_.agent_wait_ms, " ms", missing.empty() ? "" : ":",
                                                 missing));
  }
  registry_.Close();
  return absl::OkStatus();
}

absl::Status Run::UasBinds(const std::vector<size_t>& uas, const std::string& remote,
                           std::vector<std::string>* binds) {
  std::lock_guard<std::mutex> lock(registry_.mutex());
  auto& agents = registry_.agents();
  for (size_t k = 0; k < uas.size(); ++k) {
    std::string bind = remote;
    for (const auto& [name, address] : options_.uas_bind) {
      if (name == agents[uas[k]]->name) bind = address;
    }
    // One address can be bound once per host: the agents' peer hosts tell.
    for (size_t j = 0; j < k; ++j) {
      if ((*binds)[j] == bind && PeerHost(agents[uas[j]]->peer) == PeerHost(agents[uas[k]]->peer)) {
        return absl::InvalidArgumentError(
            base::Cat("UAS agents '", agents[uas[j]]->name, "' and '", agents[uas[k]]->name,
                      "' would both bind ", bind, " on one host: give each its own -uas_bind"));
      }
    }
    binds->push_back(bind);
  }
  return absl::OkStatus();
}

std::vector<std::string> Run::ExtraArgs(const std::string& name) const {
  std::vector<std::string> out;
  for (const auto& [agent, args] : options_.agent_args) {
    if (agent == name) out.insert(out.end(), args.begin(), args.end());
  }
  return out;
}

std::string Run::InstanceOf(const std::string& name) const {
  std::string instance = name;
  for (const auto& [agent, given] : options_.instances) {
    if (agent == name) instance = given;
  }
  return instance;
}

std::string Run::TwinOf(const std::string& name) const {
  for (const auto& [a, b] : options_.twins) {
    if (a == name) return InstanceOf(b);
    if (b == name) return InstanceOf(a);
  }
  return "";
}

absl::StatusOr<std::pair<std::string, std::string>> Run::UasScenarioOf(
    const std::string& name) const {
  for (const auto& [agent, file] : options_.agent_scenario_files) {
    if (agent == name) return ScenarioText(file, "");
  }
  for (const auto& [agent, builtin] : options_.agent_scenario_names) {
    if (agent == name) return ScenarioText("", builtin);
  }
  return uas_scenario_;
}

absl::Status Run::CheckAgentOptions(const std::vector<size_t>& uac) {
  std::set<std::string> names, uac_names;
  {
    std::lock_guard<std::mutex> lock(registry_.mutex());
    auto& agents = registry_.agents();
    for (size_t i = 0; i < agents.size(); ++i) {
      if (!agents[i]->spare) names.insert(agents[i]->name);
    }
    for (size_t i : uac) {
      if (!agents[i]->spare) uac_names.insert(agents[i]->name);
    }
  }
  auto check = [&](std::string_view option, const std::string& name, bool uas_only) {
    if (!names.contains(name)) {
      return absl::InvalidArgumentError(base::Cat(option, ": no agent '", name, "' in the cluster"));
    }
    if (uas_only && uac_names.contains(name)) {
      return absl::InvalidArgumentError(base::Cat(
          option, ": '", name, "' is a UAC agent; UAC agents run the -sf/-sn scenario (one "
          "statistics layout): put it in -uas_agents or give its scenario with -sf"));
    }
    return absl::OkStatus();
  };
  for (const auto& [name, file] : options_.agent_scenario_files) {
    if (absl::Status status = check("-agent_sf", name, true); !status.ok()) return status;
    if (absl::StatusOr<std::pair<std::string, std::string>> text = ScenarioText(file, "");
        !text.ok()) {
      return absl::InvalidArgumentError(base::Cat("-agent_sf ", name, "=", file, ": ",
                                                  base::FromAbsl(text.status().message())));
    }
  }
  for (const auto& [name, builtin] : options_.agent_scenario_names) {
    if (absl::Status status = check("-agent_sn", name, true); !status.ok()) return status;
    if (absl::StatusOr<std::pair<std::string, std::string>> text = ScenarioText("", builtin);
        !text.ok()) {
      return absl::InvalidArgumentError(base::Cat("-agent_sn ", name, "=", builtin, ": ",
                                                  base::FromAbsl(text.status().message())));
    }
  }
  for (const auto& [name, args] : options_.agent_args) {
    if (absl::Status status = check("-agent_args", name, false); !status.ok()) return status;
  }
  for (const auto& [name, instance] : options_.instances) {
    if (absl::Status status = check("-instances", name, false); !status.ok()) return status;
  }
  for (const auto& [a, b] : options_.twins) {
    if (absl::Status status = check("-twins", a, false); !status.ok()) return status;
    if (absl::Status status = check("-twins", b, false); !status.ok()) return status;
  }
  return absl::OkStatus();
}

absl::Status Run::Prepare() {
  // Roles and weights, then the plan (common/cluster/plan.h).
  std::vector<size_t> uac, uas;
  std::vector<uint32_t> uac_weights, uas_weights;
  // The weights of the UAC agents present: late slots (spares) start empty
  // and get their -l/-users share when someone joins.
  std::vector<uint32_t> present_weights;
  {
    std::lock_guard<std::mutex> lock(registry_.mutex());
    auto& agents = registry_.agents();
    for (size_t i = 0; i < agents.size(); ++i) {
      Agent& agent = *agents[i];
      if (agent.spare) {
        uac.push_back(i);
        uac_weights.push_back(1);
        present_weights.push_back(0);
        continue;
      }
      agent.uas = std::find(options_.uas_agents.begin(), options_.uas_agents.end(), agent.name) !=
                  options_.uas_agents.end();
      for (const auto& [name, weight] : options_.weights) {
        if (name == agent.name) agent.weight = weight;
      }
      (agent.uas ? uas : uac).push_back(i);
      (agent.uas ? uas_weights : uac_weights).push_back(agent.weight);
      if (!agent.uas) present_weights.push_back(agent.weight);
      agent.instance = InstanceOf(agent.name);
      if (std::find(instances_.begin(), instances_.end(), agent.instance) == instances_.end()) {
        instances_.push_back(agent.instance);
      }
    }
  }
  const size_t present_uac =
      std::count_if(present_weights.begin(), present_weights.end(), [](uint32_t w) { return w > 0; });
  if (present_uac == 0) return absl::InvalidArgumentError("no UAC agent: every agent is in -uas_agents");
  if (absl::Status status = CheckAgentOptions(uac); !status.ok()) return status;
  const uint32_t workers = sipp_.workers > 0 ? static_cast<uint32_t>(sipp_.workers) : 1;
  absl::StatusOr<std::vector<cluster::Stripe>> stripes = cluster::PlanStripes(uac_weights, workers);
  if (!stripes.ok()) return stripes.status();
  // SIPp's default -l (3 x duration x rate) on the totals, then shared out.
  const uint64_t total_limit =
      sipp_.call_limit_given || sipp_.users > 0
          ? sipp_.call_limit
          : static_cast<uint64_t>(3.0 * sipp_.duration_ms / 1000.0 * sipp_.rate * 1000.0 /
                                  sipp_.rate_period_ms);
  std::vector<uint64_t> limits = cluster::SplitByWeight(total_limit, present_weights);
  // -users: the closed loop's users shared out by weight, each agent >= 1.
  std::vector<uint64_t> users = cluster::SplitByWeight(sipp_.users, present_weights);
  if (sipp_.users > 0 && sipp_.users < present_uac) {
    return absl::InvalidArgumentError(base::Cat("-users ", sipp_.users, ": fewer users than the ",
                                                present_uac, " UAC agents"));
  }
  uac_ = uac;
  uas_ = uas;
  uac_weights_ = uac_weights;
  stripes_ = *stripes;
  rate_ = sipp_.rate;
  users_ = sipp_.users;
  call_limit_ = total_limit;
  // CSV rows: each UAC agent gets its own users.
  std::vector<std::pair<std::string, std::string>> inf_texts;
  for (const std::string& path : sipp_.injection_files) {
    absl::StatusOr<std::string> text = ReadFile(path);
    if (!text.ok()) return text.status();
    inf_texts.emplace_back(path, *std::move(text));
  }
  const std::vector<std::string> uac_args = AgentArgs(options_.sipp_args);
  const std::string uac_hash = Sha256Hex(uac_scenario_.second);
  for (size_t k = 0; k < uac.size(); ++k) {
    v1::MasterMessage message;
    v1::Prepare* prepare = message.mutable_prepare();
    prepare->set_epoch(1);
    prepare->set_scenario_name(uac_scenario_.first);
    prepare->set_scenario_xml(uac_scenario_.second);
    prepare->set_scenario_hash(uac_hash);
    for (const std::string& arg : uac_args) prepare->add_sipp_args(arg);
    const std::string name = AgentName(uac[k]);
    for (const std::string& arg : ExtraArgs(name)) prepare->add_sipp_args(arg);
    if (limits[k] > 0) {
      prepare->add_sipp_args("-l");
      prepare->add_sipp_args(base::Cat(limits[k]));
    }
    if (users[k] > 0 || (sipp_.users > 0 && present_weights[k] == 0)) {
      // (A late slot starts with one user; SetUsers shares them out on join.)
      prepare->add_sipp_args("-users");
      prepare->add_sipp_args(base::Cat(std::max<uint64_t>(users[k], 1)));
      users_shares_[uac[k]] = users[k];
    }
    for (const auto& [path, text] : inf_texts) {
      std::vector<cluster::RowRange> ranges =
          cluster::PartitionRows(cluster::CountCsvRows(text), uac_weights);
      absl::StatusOr<std::string> shard = cluster::CsvShard(text, ranges[k]);
      if (!shard.ok()) return absl::InvalidArgumentError(base::Cat(path, ": ", shard.status().message()));
      v1::CsvFile* file = prepare->add_csv_files();
      file->set_name(path);
      file->set_content(*shard);
    }
    v1::ShardSpec* spec = prepare->mutable_shard();
    spec->set_role(v1::ROLE_UAC);
    Set3pcc(name, spec);
    spec->set_weight(uac_weights[k]);
    spec->set_workers((*stripes)[k].workers);
    spec->set_call_number_offset((*stripes)[k].offset);
    spec->set_call_number_stride((*stripes)[k].stride);
    prepare->set_stats_period_millis(static_cast<uint32_t>(options_.tick_ms));
    if (present_weights[k] == 0) {
      late_prepares_[uac[k]] = std::move(message);  // sent when someone joins
    } else {
      registry_.Send(uac[k], message);
    }
  }
  // UAS agents answer at the UAC's remote address, or each at its own
  // -uas_bind address (several UAS agents behind the SUT).
  const std::string remote = sipp_.remote_host_port.empty() ? "127.0.0.1:5060" : sipp_.remote_host_port;
  std::vector<std::string> binds;
  if (absl::Status status = UasBinds(uas, remote, &binds); !status.ok()) return status;
  for (size_t k = 0; k < uas.size(); ++k) {
    const size_t colon = binds[k].rfind(':');
    const std::string uas_ip = colon == std::string::npos ? binds[k] : binds[k].substr(0, colon);
    const std::string uas_port = colon == std::string::npos ? "5060" : binds[k].substr(colon + 1);
    v1::MasterMessage message;
    v1::Prepare* prepare = message.mutable_prepare();
    prepare->set_epoch(1);
    const std::string name = AgentName(uas[k]);
    absl::StatusOr<std::pair<std::string, std::string>> own = UasScenarioOf(name);
    if (!own.ok()) return own.status();
    prepare->set_scenario_name(own->first);
    prepare->set_scenario_xml(own->second);
    prepare->set_scenario_hash(Sha256Hex(own->second));
    for (const char* arg : {"-i", uas_ip.c_str(), "-p", uas_port.c_str()}) prepare->add_sipp_args(arg);
    prepare->add_sipp_args("-workers");
    prepare->add_sipp_args(base::Cat(workers));
    for (const std::string& arg : TransportArgs(options_.sipp_args)) prepare->add_sipp_args(arg);
    for (const std::string& arg : options_.uas_args) prepare->add_sipp_args(arg);
    for (const std::string& arg : ExtraArgs(name)) prepare->add_sipp_args(arg);
    v1::ShardSpec* spec = prepare->mutable_shard();
    spec->set_role(v1::ROLE_UAS);
    Set3pcc(name, spec);
    spec->set_weight(uas_weights[k]);
    spec->set_workers(workers);
    prepare->set_stats_period_millis(static_cast<uint32_t>(options_.tick_ms));
    registry_.Send(uas[k], message);
  }
  auto all_answered = [this] {
    for (const auto& agent : registry_.agents()) {
      if (!agent->spare && agent->prepare == Agent::Prepare::kWaiting && agent->connected) return false;
    }
    return true;
  };
  const bool answered = WaitAlive(all_answered, options_.prepare_wait_ms);
  if (!answered && interrupted_by_ != 0) return Interrupted("preparing the agents");
  std::lock_guard<std::mutex> lock(registry_.mutex());
  std::string errors;
  for (const auto& agent : registry_.agents()) {
    if (agent->spare) continue;  // late slots prepare when someone joins
    if (agent->prepare == Agent::Prepare::kFailed) {
      base::Append(&errors, errors.empty() ? "" : "\n", "agent '", agent->name,
                   "' failed to prepare: ", agent->prepare_error);
    } else if (agent->prepare == Agent::Prepare::kWaiting) {
      base::Append(&errors, errors.empty() ? "" : "\n", "agent '", agent->name, "' ",
                   answered ? "disconnected" : "did not answer", " while preparing");
    }
  }
  if (!errors.empty()) return absl::FailedPreconditionError(base::Cat(errors, "\nthe run did not start"));
  return absl::OkStatus();
}

void Run::Broadcast(const v1::MasterMessage& message, std::optional<bool> uas_only) {
  std::vector<size_t> targets;
  {
    std::lock_guard<std::mutex> lock(registry_.mutex());
    auto& agents = registry_.agents();
    for (size_t i = 0; i < agents.size(); ++i) {
      if (i < lost_.size() && lost_[i]) continue;  // (a joining slot hears heartbeats)
      if (!uas_only.has_value() || agents[i]->uas == *uas_only) targets.push_back(i);
    }
  }
  for (size_t i : targets) registry_.Send(i, message);
}

void Run::StartAll() {
  // The barrier: one absolute instant, far enough ahead for the Start to
  // reach every agent; all agents pace from it (runtime/pacing.h).
  start_wall_us_ = clock_.WallMicros() + options_.start_delay_ms * 1000;
  start_ms_ = NowMs() + options_.start_delay_ms;
  pacing_.start_us = start_wall_us_;
  pacing_.first_number = 1;
  pacing_.interval_us = Interval();
  v1::MasterMessage message;
  v1::Start* start = message.mutable_start();
  start->set_epoch(epoch_);
  ToProto(pacing_, start->mutable_pacing());
  Broadcast(message);
}

double Run::Interval() const {
  if (paused_) return 0;
  if (users_mode()) return 1;  // -users: the pacing only says "running"
  const double interval = runtime::IntervalForRate(rate_, sipp_.rate_period_ms);
  // The stripes of lost agents and of late slots not taken are holes in the
  // call numbers: the live workers keep the total rate with a proportionally
  // shorter interval (plan.h: an agent's rate is total x workers / stride).
  uint64_t live = 0, all = 0;
  for (size_t k = 0; k < uac_.size(); ++k) {
    all += stripes_[k].workers;
    if (!Dormant(uac_[k])) live += stripes_[k].workers;
  }
  return all == 0 || live == 0 ? interval : interval * static_cast<double>(live) / static_cast<double>(all);
}

std::vector<size_t> Run::LiveUac() const {
  std::vector<size_t> live;
  for (size_t k = 0; k < uac_.size(); ++k) {
    if (!Dormant(uac_[k])) live.push_back(k);
  }
  return live;
}

std::vector<uint64_t> Run::LiveShares(uint64_t total) const {
  std::vector<uint32_t> weights;
  for (size_t k : LiveUac()) weights.push_back(uac_weights_[k]);
  std::vector<uint64_t> shares = cluster::SplitByWeight(total, weights);
  // A share of 0 would mean "no limit" to an agent.
  for (uint64_t& share : shares) share = total > 0 ? std::max<uint64_t>(share, 1) : 0;
  return shares;
}

void Run::SendLoad(v1::SetLoad load, const std::function<void(size_t, v1::SetLoad*)>& share) {
  load.set_epoch(++epoch_);
  if (load.effective_wall_micros() == 0) {
    load.set_effective_wall_micros(
        std::max(clock_.WallMicros() + options_.effective_delay_ms * 1000, pacing_.start_us));
  }
  const std::vector<size_t> live = LiveUac();
  for (size_t position = 0; position < live.size(); ++position) {
    v1::MasterMessage message;
    *message.mutable_set_load() = load;
    if (share) share(position, message.mutable_set_load());
    registry_.Send(uac_[live[position]], message);
  }
}

void Run::Repace() {
  // Computed once, here, and applied by every agent at the same instant.
  const int64_t effective =
      std::max(clock_.WallMicros() + options_.effective_delay_ms * 1000, pacing_.start_us);
  pacing_ = runtime::Repace(pacing_, effective, Interval());
  v1::SetLoad load;
  load.set_effective_wall_micros(effective);
  ToProto(pacing_, load.mutable_pacing());
  SendLoad(std::move(load));
}

void Run::SetRate(double rate) {
  rate_ = std::max(rate, 0.0);
  if (!users_mode() && !paused_) Repace();
}

void Run::SetPaused(bool paused) {
  if (paused == paused_) return;
  paused_ = paused;
  Repace();
}

void Run::SetUsers(uint64_t users) {
  if (!users_mode()) return;
  users_ = users;
  const std::vector<uint64_t> shares = LiveShares(users);
  const std::vector<size_t> live = LiveUac();
  for (size_t k = 0; k < live.size(); ++k) users_shares_[uac_[live[k]]] = shares[k];
  SendLoad(v1::SetLoad(), [&](size_t k, v1::SetLoad* load) { load->set_users(shares[k]); });
}

void Run::SetCallLimit(uint64_t limit) {
  call_limit_ = limit;
  const std::vector<uint64_t> shares = LiveShares(limit);
  SendLoad(v1::SetLoad(), [&](size_t k, v1::SetLoad* load) { load->set_call_limit(shares[k]); });
}

void Run::Quit() {
  // SIPp's q: no new calls; the UAS agents are stopped once the UAC agents
  // are done (Supervise).
  quitting_ = true;
  v1::MasterMessage stop;
  stop.mutable_stop()->set_epoch(++epoch_);
  stop.mutable_stop()->set_abort_calls(false);
  Broadcast(stop, /*uas_only=*/false);
}

void Run::QuitNow() {
  quitting_ = true;
  v1::MasterMessage stop;
  stop.mutable_stop()->set_epoch(++epoch_);
  stop.mutable_stop()->set_abort_calls(true);
  Broadcast(stop);
}

void Run::DumpScreens() {
  if (console_) (void)console_->DumpScreens();
}

absl::Status Run::SetTrace(std::string_view kind, bool on) {
  return absl::FailedPreconditionError(
      base::Cat("trace ", kind, " ", on ? "on" : "off",
                ": traces are written by each agent; start them with the -trace_* options"));
}

void Run::ResetStats() {
  if (screen_stats_.has_value()) screen_stats_->ResetStats(MergedUac());
}

std::string Run::DumpTasks() {
  size_t lost = 0;
  for (bool is_lost : lost_) lost += is_lost;
  uint64_t open = 0;
  {
    std::lock_guard<std::mutex> lock(registry_.mutex());
    for (size_t i = 0; i < lost_.size(); ++i) open += Dormant(i) ? 0 : registry_.merger().OpenCalls(i);
  }
  return base::Cat(lost_.size(), " agents (", uac_.size(), " UAC, ", uas_.size(), " UAS), ", lost,
                   " lost, ", open, " calls open", paused_ ? ", paused" : "",
                   quitting_ ? ", stopping" : "");
}

std::string Run::DumpVariables() {
  std::string names;
  if (scenario_) {
    for (const auto& [name, variable] : scenario_->variables) base::Append(&names, " ", name);
  }
  return names.empty() ? "No variables" : base::Cat("Variables:", names);
}

screen::ScreenInput Run::ScreenInputNow() {
  screen::ScreenInput input;
  stats::Snapshot total;
  {
    std::lock_guard<std::mutex> lock(registry_.mutex());
    total = registry_.uac_total();
    for (size_t i : uac_) input.open_calls += Dormant(i) ? 0 : registry_.merger().OpenCalls(i);
  }
  screen_stats_->Fill(total, input.open_calls, clock_.NowMicros(), clock_.WallMicros(), &input);
  input.scenario = scenario_.get();
  input.rate = rate_;
  input.rate_period_ms = sipp_.rate_period_ms;
  input.users_mode = users_mode();
  input.users = static_cast<int64_t>(users_);
  input.call_duration_ms = sipp_.duration_ms;
  input.call_limit = call_limit_;
  input.max_calls = sipp_.max_calls;
  input.paused = paused_;
  input.quitting = quitting_;
  input.terminated = terminated_;
  input.remote_address = sipp_.remote_host_port;
  int workers = 0;
  for (size_t k : LiveUac()) workers += static_cast<int>(stripes_[k].workers);
  input.workers = std::max(workers, 1);
  input.last_error = last_error_;
  return input;
}

void Run::OpenConsole() {
  console::ConsoleOptions console =
      console::ConsoleOptionsFor(sipp_, scenario_->stem, static_cast<int>(getpid()));
  console.show_screens = console.show_screens && options_.show_screens;
  console.read_keys = console.read_keys && options_.read_keys;
  screen_stats_.emplace(scenario::StatsLayoutFor(*scenario_), sipp_.screen_period_ms,
                        start_ms_ * 1000, start_wall_us_);
  absl::StatusOr<std::unique_ptr<console::Console>> created =
      console::Console::Create(console, this, [this] { return ScreenInputNow(); });
  if (!created.ok()) {
    // The run goes on without keys and screens rather than not at all.
    std::cerr << "sipfleet-master: no console: " << created.status().message() << "\n";
    return;
  }
  console_ = *std::move(created);
}

std::string Run::ClockError(const Agent& agent) const {
  if (agent.clock_rtt_us < 0) return base::Cat("agent '", agent.name, "' sent no clock sample");
  if (std::abs(agent.clock_offset_us) <= options_.max_skew_ms * 1000) return "";
  return base::Cat("agent '", agent.name, "': its clock is ", agent.clock_offset_us / 1000.0,
                   " ms off the master's (round trip ", agent.clock_rtt_us / 1000.0,
                   " ms), beyond -max_skew ", options_.max_skew_ms, " ms");
}

absl::Status Run::CheckClocks() {
  // Each agent answers Registered with a clock sample at once (NTP-style,
  // see ClockOffset); a few seconds is plenty on any network.
  auto sampled = [this] {
    for (const auto& agent : registry_.agents()) {
      if (!agent->spare && agent->clock_rtt_us < 0 && agent->connected) return false;
    }
    return true;
  };
  if (!WaitAlive(sampled, 3000) && interrupted_by_ != 0) return Interrupted("checking the clocks");
  std::lock_guard<std::mutex> lock(registry_.mutex());
  std::string errors;
  for (const auto& agent : registry_.agents()) {
    if (agent->spare) continue;  // a late joiner is checked when it joins
    std::string error = ClockError(*agent);
    if (!error.empty()) base::Append(&errors, errors.empty() ? "" : "\n", error);
  }
  if (!errors.empty()) {
    return absl::FailedPreconditionError(base::Cat(errors, "\nthe run did not start"));
  }
  return absl::OkStatus();
}

Run::TickState Run::Observe(int64_t now) {
  TickState state;
  std::lock_guard<std::mutex> lock(registry_.mutex());
  auto& agents = registry_.agents();
  for (size_t i = 0; i < agents.size(); ++i) {
    const Agent& agent = *agents[i];
    if (Dormant(i)) continue;  // lost (handled) or no agent: counts as done
    const bool complete = agent.finished && registry_.merger().Complete(i);
    if (!complete) {
      state.all_done = false;
      if (!agent.uas) state.uac_done = false;
    }
    if (complete) continue;
    if (!agent.connected) {
      // A closed session (process killed, connection reset) is known at once.
      state.lost.emplace_back(i, base::Cat("its control session closed (silent for ",
                                           now - agent.last_heard_ms, " ms)"));
    } else if (now - agent.last_heard_ms > options_.lost_after_ms) {
      state.lost.emplace_back(i, base::Cat("no message for ", now - agent.last_heard_ms,
                                           " ms (limit ", options_.lost_after_ms, " ms)"));
    }
  }
  return state;
}

std::optional<std::string> Run::HandleLost(size_t index, const std::string& why) {
  std::string name;
  bool uas = false;
  uint64_t in_flight = 0;
  {
    std::lock_guard<std::mutex> lock(registry_.mutex());
    Agent& agent = *registry_.agents()[index];
    agent.lost = true;  // from now on nothing it reports is merged
    name = agent.name;
    uas = agent.uas;
    in_flight = registry_.merger().OpenCalls(index);
  }
  lost_[index] = true;
  const std::string what = base::Cat("agent '", name, "' lost: ", why);
  NoticeLost3pcc(index, what);
  // If it is only slow or cut off, it must not go on placing calls nobody
  // counts: told to stop, and no more heartbeats, so its lease runs out.
  v1::MasterMessage stop;
  stop.mutable_stop()->set_epoch(++epoch_);
  stop.mutable_stop()->set_abort_calls(true);
  registry_.Send(index, stop);
  std::optional<std::string> abort;
  if (options_.failure_policy == MasterOptions::FailurePolicy::kAbort) {
    abort = what;
  } else if (uas) {
    abort = base::Cat(what, " (the calls a UAS agent answers cannot move: run aborted)");
  } else if (LiveUac().empty()) {
    abort = base::Cat(what, " (no UAC agent left)");
  }
  if (abort.has_value()) {
    // Said the moment it is known, not only in the final report.
    std::cerr << "sipfleet-master: " << *abort << "; aborting the run\n";
    return abort;
  }
  lost_calls_[index] = in_flight;
  std::cerr << "sipfleet-master: " << what << "; " << in_flight
            << " calls in flight on it counted as lost; " << LiveUac().size()
            << " UAC agents go on\n";
  // -failure_policy continue: its share of new calls moves to the
  // survivors from the next epoch; -l and -users are split again.
  Repace();
  if (call_limit_ > 0) SetCallLimit(call_limit_);
  if (users_mode()) SetUsers(users_);
  last_error_ = base::Cat(what, "; ", in_flight, " calls in flight on it counted as lost; ",
                          LiveUac().size(), " UAC agents go on from epoch ", epoch_);
  return std::nullopt;
}

// How far ahead (beyond the effective delay) a late joiner's first call is
// planned when it is sent its Prepare: time enough to prepare and answer.
constexpr int64_t kLateJoinMarginMs = 1000;

void Run::AdvanceLateJoiners() {
  for (size_t i = 0; i < late_.size(); ++i) {
    if (!idle_[i] || late_[i] == LateStage::kRefused) continue;
    std::string error;
    bool prepare = false, join = false;
    {
      std::lock_guard<std::mutex> lock(registry_.mutex());
      const Agent& agent = *registry_.agents()[i];
      if (!agent.registered) continue;
      if (late_[i] == LateStage::kEmpty) late_[i] = LateStage::kClock;
      if (!agent.connected) {
        error = "it disconnected while joining";
      } else if (late_[i] == LateStage::kClock && agent.clock_rtt_us >= 0) {
        error = ClockError(agent);
        prepare = error.empty();
      } else if (late_[i] == LateStage::kPreparing) {
        if (agent.prepare == Agent::Prepare::kFailed) error = "failed to prepare: " + agent.prepare_error;
        join = agent.prepare == Agent::Prepare::kPrepared;
      }
    }
    if (!error.empty()) {
      RefuseLate(i, error);
    } else if (prepare) {
      // Its stripe's first number moves by whole cycles past every number
      // due before it can join (about a second from now), so it never
      // places an overdue call of the slot; JoinLate() starts it when that
      // number is due. (-users runs place calls by quota, not by due time.)
      v1::ShardSpec* shard = late_prepares_[i].mutable_prepare()->mutable_shard();
      const int64_t horizon =
          clock_.WallMicros() + (options_.effective_delay_ms + kLateJoinMarginMs) * 1000;
      const uint64_t target =
          users_mode() ? 0 : pacing_.NextNumberAt(std::max(horizon, pacing_.start_us));
      const uint64_t first = shard->call_number_offset() + 1;
      if (target > first) {
        const uint64_t cycles = (target - first + shard->call_number_stride() - 1) / shard->call_number_stride();
        shard->set_call_number_offset(shard->call_number_offset() + cycles * shard->call_number_stride());
      }
      registry_.Send(i, late_prepares_[i]);
      late_[i] = LateStage::kPreparing;
    } else if (join) {
      JoinLate(i);
    }
  }
}

void Run::JoinLate(size_t index) {
  const uint64_t first = late_prepares_[index].prepare().shard().call_number_offset() + 1;
  int64_t effective =
      std::max(clock_.WallMicros() + options_.effective_delay_ms * 1000, pacing_.start_us);
  if (pacing_.running() && !users_mode()) {
    // The new epoch starts just before its first number is due: nothing of
    // its stripe is overdue, and its slot stays covered by the others until
    // then.
    effective = std::max(effective, pacing_.DueMicros(first) - 1);
  }
  idle_[index] = false;  // from this epoch on it counts in Interval()
  const runtime::Pacing next = runtime::Repace(pacing_, effective, Interval());
  if (first < next.first_number) {
    idle_[index] = true;
    RefuseLate(index, "the load moved past its stripe while it prepared; it may join again");
    return;
  }
  pacing_ = next;
  late_[index] = LateStage::kRunning;
  // One epoch: the others' new pacing and the joiner's start, same instant.
  v1::SetLoad load;
  load.set_effective_wall_micros(effective);
  ToProto(pacing_, load.mutable_pacing());
  SendLoad(std::move(load));
  v1::MasterMessage start;
  start.mutable_start()->set_epoch(epoch_);
  ToProto(pacing_, start.mutable_start()->mutable_pacing());
  registry_.Send(index, start);
  if (call_limit_ > 0) SetCallLimit(call_limit_);
  if (users_mode()) SetUsers(users_);
  std::string name;
  {
    std::lock_guard<std::mutex> lock(registry_.mutex());
    name = registry_.agents()[index]->name;
  }
  last_error_ = base::Cat("agent '", name, "' joined late: ", LiveUac().size(),
                          " UAC agents share the load from epoch ", epoch_);
  std::cerr << "sipfleet-master: " << last_error_ << "\n";
}

void Run::RefuseLate(size_t index, const std::string& why) {
  late_[index] = LateStage::kRefused;
  std::string name;
  {
    std::lock_guard<std::mutex> lock(registry_.mutex());
    name = registry_.agents()[index]->name;
  }
  const std::string reason = base::Cat("agent '", name, "' cannot join late: ", why);
  std::cerr << "sipfleet-master: " << reason << "\n";
  v1::MasterMessage refused;
  refused.mutable_refused()->set_reason(reason);
  registry_.Send(index, refused);
}

void Run::NoticeLost3pcc(size_t index, const std::string& what) {
  std::string instance;
  std::vector<size_t> others;
  {
    std::lock_guard<std::mutex> lock(registry_.mutex());
    auto& agents = registry_.agents();
    instance = agents[index]->instance;
    for (size_t i = 0; i < agents.size(); ++i) {
      if (i != index && !lost_[i] && !agents[i]->instance.empty()) others.push_back(i);
    }
  }
  if (instance.empty()) return;
  // Each agent ignores it unless it talks to that instance (RelayRouter).
  v1::MasterMessage notice;
  notice.mutable_three_pcc()->set_source_instance(instance);
  notice.mutable_three_pcc()->set_lost(base::Cat("3PCC instance '", instance, "' is gone: ", what));
  for (size_t i : others) registry_.Send(i, notice);
}

std::optional<std::string> Run::Supervise() {
  constexpr int64_t kPollMs = 20;  // keys, control datagrams and signals
  const int64_t stat_period_ms = std::max<int64_t>(sipp_.stat_period_ms, options_.tick_ms);
  int64_t next_row_ms = start_ms_ + stat_period_ms;
  int64_t next_tick_ms = NowMs();
  bool uas_stopped = false;
  // After a loss (-failure_policy continue), how long the UAS agents may
  // drain before their remaining calls are aborted.
  constexpr int64_t kUasDrainAfterLossMs = 1000;
  int64_t uas_abort_ms = 0;
  const int64_t deadline_ms = sipp_.timeout_ms > 0 ? start_ms_ + sipp_.timeout_ms : 0;
  // -rate_increase: every -rate_interval (default -fd) from the start.
  const int64_t rate_interval_ms =
      sipp_.rate_interval_ms > 0 ? sipp_.rate_interval_ms : sipp_.stat_period_ms;
  int64_t next_increase_ms = start_ms_ + rate_interval_ms;
  while (true) {
    std::this_thread::sleep_for(std::chrono::milliseconds(kPollMs));
    int64_t now = NowMs();
    if (int signal_number = TakeSignal(); signal_number != 0) HandleSignal(signal_number);
    if (console_) console_->Poll(now);
    if (now < next_tick_ms) continue;
    next_tick_ms = now + options_.tick_ms;
    SendHeartbeats(now);
    AdvanceLateJoiners();
    TickState state = Observe(now);
    for (const auto& [index, why] : state.lost) {
      if (std::optional<std::string> abort = HandleLost(index, why)) return abort;
    }
    if (options_.on_tick && now >= start_ms_) options_.on_tick(now - start_ms_, *this, MergedUac());
    if (stat_file_ && now >= next_row_ms) {
      stat_file_->WriteRow(MergedUac(), clock_.WallMicros(), rate_);
      next_row_ms += stat_period_ms;
    }
    if (state.all_done) return std::nullopt;
    if (deadline_ms > 0 && now >= deadline_ms && !timed_out_) {
      // As sipfleet (SIPp 3.6.1): no new calls, the run ends when the calls
      // in progress do; with -timeout_error at once, as a failure (255).
      timed_out_ = true;
      std::cerr << "sipfleet-master: -timeout reached\n";
      if (sipp_.timeout_error) {
        QuitNow();
      } else {
        Quit();
      }
    }
    if (sipp_.rate_increase > 0 && !quitting_ && now >= next_increase_ms) {
      IncreaseRate();
      next_increase_ms += rate_interval_ms;
    }
    if (state.uac_done && uas_stopped && uas_abort_ms > 0 && now >= uas_abort_ms) {
      // The calls a lost UAC agent left on the UAS agents never end by
      // themselves (no ACK, no BYE): they were counted as lost already.
      uas_abort_ms = 0;
      v1::MasterMessage stop;
      stop.mutable_stop()->set_epoch(++epoch_);
      stop.mutable_stop()->set_abort_calls(true);
      Broadcast(stop, /*uas_only=*/true);
    }
    if (state.uac_done && !uas_stopped) {
      // The callers are done: the answering side drains and reports.
      uas_stopped = true;
      if (std::find(lost_.begin(), lost_.end(), true) != lost_.end()) {
        uas_abort_ms = now + kUasDrainAfterLossMs;
      }
      v1::MasterMessage stop;
      stop.mutable_stop()->set_epoch(++epoch_);
      stop.mutable_stop()->set_abort_calls(false);
      Broadcast(stop, /*uas_only=*/true);
    }
  }
}

void Run::HandleSignal(int signal_number) {
  switch (signal_number) {
    case SIGINT:
    case SIGTERM:
      std::cerr << "sipfleet-master: " << (signal_number == SIGINT ? "SIGINT" : "SIGTERM")
                << ": quitting now, every agent aborts its calls\n";
      QuitNow();
      break;
    case SIGUSR1:
      std::cerr << "sipfleet-master: SIGUSR1: no new calls, the calls in progress end\n";
      Quit();
      break;
    case SIGUSR2:
      DumpScreens();
      break;
    default:
      break;
  }
}

void Run::IncreaseRate() {
  // Past -rate_max the run quits (SIPp's behaviour) unless -no_rate_quit
  // holds it at the maximum.
  double rate = rate_ + sipp_.rate_increase;
  bool quit = false;
  if (sipp_.rate_max > 0 && rate > sipp_.rate_max) {
    rate = sipp_.rate_max;
    quit = !sipp_.no_rate_quit;
  }
  if (rate != rate_) SetRate(rate);  // one new epoch for every agent
  if (quit) Quit();
}

void Run::SendHeartbeats(int64_t now) {
  // Agents are visited in `phases` groups, one group per tick, so the
  // writes spread evenly; an agent written to (Start, SetLoad, 3PCC, ...)
  // within about a period gets no heartbeat. Every live agent hears from
  // the master at least every two periods (under half its lease).
  // An agent stops on its own after a lease of master silence (the one it
  // is given, or a shorter one of its own): with a period of a quarter of
  // the shortest, at most 1 s, the worst gap (under two periods) is under
  // half of it.
  int64_t lease_ms = options_.lease_ms;
  {
    std::lock_guard<std::mutex> lock(registry_.mutex());
    if (registry_.min_agent_lease_ms() > 0) lease_ms = std::min(lease_ms, registry_.min_agent_lease_ms());
  }
  heartbeat_period_ms_ = std::max<int64_t>(options_.tick_ms, std::min<int64_t>(lease_ms / 4, 1000));
  const size_t phases =
      static_cast<size_t>(std::max<int64_t>(1, heartbeat_period_ms_ / options_.tick_ms));
  const size_t phase = static_cast<size_t>(heartbeat_ticks_++ % phases);
  const int64_t quiet_ms = heartbeat_period_ms_ - options_.tick_ms / 2;
  std::vector<size_t> due;
  {
    std::lock_guard<std::mutex> lock(registry_.mutex());
    auto& agents = registry_.agents();
    for (size_t i = phase; i < agents.size(); i += phases) {
      if (i < lost_.size() && lost_[i]) continue;  // its lease must run out
      if (!agents[i]->connected || now - registry_.LastSentMs(i) < quiet_ms) continue;
      due.push_back(i);
    }
  }
  if (due.empty()) return;
  v1::MasterMessage beat;
  beat.mutable_heartbeat()->mutable_clock()->set_wall_micros(clock_.WallMicros());
  for (size_t i : due) registry_.Send(i, beat);
}

template <typename Predicate>
bool Run::WaitAlive(Predicate done, int64_t timeout_ms) {
  constexpr int64_t kSliceMs = 50;
  const int64_t deadline = NowMs() + timeout_ms;
  int64_t next_beat_ms = 0;
  while (true) {
    const int64_t now = NowMs();
    const int64_t slice = std::min(kSliceMs, deadline - now);
    if (registry_.WaitUntil(done, std::max<int64_t>(slice, 0))) return true;
    if (NowMs() >= deadline) return false;
    if (int signal_number = TakeSignal();
        signal_number == SIGINT || signal_number == SIGTERM || signal_number == SIGUSR1) {
      interrupted_by_ = signal_number;
      return false;
    }
    if (NowMs() >= next_beat_ms) {
      // Registered agents wait on their lease for the plan and the start.
      SendHeartbeats(NowMs());
      next_beat_ms = NowMs() + options_.tick_ms;
    }
  }
}

absl::Status Run::Interrupted(std::string_view while_doing) const {
  const char* name = interrupted_by_ == SIGINT    ? "SIGINT"
                     : interrupted_by_ == SIGTERM ? "SIGTERM"
                                                  : "SIGUSR1";
  return absl::CancelledError(base::Cat("interrupted by ", name, " while ", while_doing,
                                        "; the run did not start"));
}

void Run::ShutdownAll(const std::string& reason) {
  v1::MasterMessage message;
  message.mutable_shutdown()->set_reason(reason);
  Broadcast(message);
  // Sessions end when the agents close their side; past a short grace the
  // server cancels what is left.
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
}

MasterResult Run::Verdict(std::optional<std::string> abort) {
  MasterResult result;
  std::lock_guard<std::mutex> lock(registry_.mutex());
  auto& agents = registry_.agents();
  std::string lost_names;
  // The first agent whose engine ended the run itself (exit code other than
  // the verdict's 0 or 1): its code is the run's, as it would be alone.
  std::optional<std::string> forced;
  int forced_code = 0;
  size_t uac_count = 0;
  for (size_t i = 0; i < agents.size(); ++i) {
    if (agents[i]->spare && late_[i] != LateStage::kRunning) continue;  // nobody ran there
    if (!forced.has_value() && agents[i]->finished && agents[i]->exit_code > 1) {
      forced = base::Cat("agent '", agents[i]->name, "' ended its run: ",
                         agents[i]->finished_message);
      forced_code = agents[i]->exit_code;
    }
    uac_count += !agents[i]->uas;
    AgentSummary summary;
    summary.late = agents[i]->spare;
    summary.name = agents[i]->name;
    summary.uas = agents[i]->uas;
    summary.totals = registry_.merger().Agent(i);
    summary.lost = lost_[i] || (abort.has_value() && !agents[i]->finished);
    summary.lost_calls = lost_calls_[i];
    summary.users = users_shares_[i];
    summary.clock_offset_us = agents[i]->clock_offset_us;
    result.lost_calls += lost_calls_[i];
    if (lost_[i]) base::Append(&lost_names, lost_names.empty() ? "" : ", ", agents[i]->name);
    result.agents.push_back(std::move(summary));
  }
  result.merged = registry_.merger().Total(uac_);
  result.merged_uas = registry_.merger().Total(uas_);
  // (Locked already: the counters are read directly.)
  result.routed_3pcc = registry_.routed_3pcc_locked();
  result.unrouted_3pcc = registry_.unrouted_3pcc_locked();
  const uint64_t successful = result.merged.Get(stats::Counter::kSuccessfulCall);
  const uint64_t failed = result.merged.Get(stats::Counter::kFailedCall) +
                          result.merged_uas.Get(stats::Counter::kFailedCall);
  // The verdict of what was measured: calls lost with an agent are neither
  // successful nor failed.
  // -timeout as sipfleet: -timeout_error fails the run, a timeout before any
  // call ended is SIPp's 97.
  result.exit_code = abort.has_value()                              ? kExitAgentLost
                     : forced.has_value()                           ? forced_code
                     : timed_out_ && sipp_.timeout_error            ? kExitFatal
                     : timed_out_ && successful == 0 && failed == 0 ? kExitTimeoutNoCalls
                     : failed > 0                                   ? kExitCallsFailed
                                                                    : kExitOk;
  const uint64_t placed = result.merged.Get(stats::Counter::kOutgoingCall);
  result.message = base::Cat("sipfleet-master: ", result.agents.size(), " agents (", uac_count, " UAC, ",
                             uas_.size(), " UAS): ", placed, " calls, ", successful, " successful, ",
                             failed, " failed");
  if (timed_out_) base::Append(&result.message, "; -timeout reached");
  if (forced.has_value()) base::Append(&result.message, "; ", *forced);
  if (abort.has_value()) {
    base::Append(&result.message, "; run aborted: ", *abort);
  } else if (!lost_names.empty()) {
    base::Append(&result.message, "; lost and continued without: ", lost_names, " (",
                 result.lost_calls, " calls in flight on them counted as lost, not failed)");
    if (sipp_.max_calls > 0 && placed < sipp_.max_calls) {
      base::Append(&result.message, "; ", sipp_.max_calls - placed,
                   " of the -m calls were in the lost agents' stripes and not placed");
    }
  }
  if (result.routed_3pcc > 0 || result.unrouted_3pcc > 0) {
    base::Append(&result.message, "; 3PCC: ", result.routed_3pcc, " commands routed");
    if (result.unrouted_3pcc > 0) {
      base::Append(&result.message, ", ", result.unrouted_3pcc,
                   " for unknown instances not routed (see above)");
    }
  }
  base::Append(&result.message, "; exit ", result.exit_code);
  return result;
}

absl::Status Run::LoadScenario() {
  // Loaded here, after the agents loaded it: their errors come first and
  // name the agent. The master only needs the statistics layout.
  scenario::LoadOptions load_options;
  for (const auto& [name, value] : sipp_.keys) load_options.generic_keys[name] = value;
  load_options.injection_files = sipp_.injection_files;
  for (const auto& [name, value] : sipp_.set_variables) load_options.global_variables.push_back(name);
  absl::StatusOr<std::shared_ptr<const scenario::Scenario>> scenario =
      scenario::LoadScenario(uac_scenario_.second, uac_scenario_.first, load_options);
  if (!scenario.ok()) return scenario.status();
  scenario_ = *std::move(scenario);
  if (!sipp_.trace_stat) return absl::OkStatus();
  std::string path = sipp_.stat_file.empty()
                         ? stats::DefaultStatFileName(scenario_->stem, static_cast<int>(getpid()))
                         : sipp_.stat_file;
  stats::StatCsvOptions csv;
  csv.delimiter = sipp_.stat_delimiter;
  csv.periodic_rtd = sipp_.periodic_rtd;
  absl::StatusOr<std::unique_ptr<stats::StatFile>> opened =
      stats::StatFile::Open(path, scenario::StatsLayoutFor(*scenario_), csv,
                            clock_.WallMicros() + options_.start_delay_ms * 1000);
  if (!opened.ok()) return opened.status();
  stat_file_ = *std::move(opened);
  return absl::OkStatus();
}

MasterResult Run::Execute(const std::function<void(int)>& on_listening) {
  if (absl::Status status = Validate(); !status.ok()) return Failure(std::string(status.message()));
  if (absl::Status status = StartServer(on_listening); !status.ok()) {
    return Failure(std::string(status.message()));
  }
  if (absl::Status status = WaitForAgents(); !status.ok()) {
    ShutdownAll("not enough agents");
    return Failure(std::string(status.message()));
  }
  {
    std::lock_guard<std::mutex> lock(registry_.mutex());
    for (const auto& agent : registry_.agents()) idle_.push_back(agent->spare);
  }
  lost_.assign(idle_.size(), false);
  late_.assign(idle_.size(), LateStage::kEmpty);
  lost_calls_.assign(idle_.size(), 0);
  users_shares_.assign(idle_.size(), 0);
  if (absl::Status status = CheckClocks(); !status.ok()) {
    ShutdownAll("clock skew");
    return Failure(std::string(status.message()));
  }
  if (absl::Status status = Prepare(); !status.ok()) {
    ShutdownAll("a prepare failed");
    return Failure(std::string(status.message()));
  }
  if (absl::Status status = LoadScenario(); !status.ok()) {
    ShutdownAll("the master cannot load the scenario");
    return Failure(std::string(status.message()));
  }
  StartAll();
  if (stat_file_) stat_file_->WriteRow(stats::Snapshot(), start_wall_us_, rate_);
  OpenConsole();
  std::optional<std::string> abort = Supervise();
  if (abort.has_value()) {
    v1::MasterMessage stop;
    stop.mutable_stop()->set_epoch(++epoch_);
    stop.mutable_stop()->set_abort_calls(true);
    Broadcast(stop);
  }
  MasterResult result = Verdict(abort);
  if (stat_file_) {
    // As sipfleet (and SIPp): the last period, then an empty one.
    stat_file_->WriteRow(result.merged, clock_.WallMicros(), rate_);
    stat_file_->WriteRow(result.merged, clock_.WallMicros(), rate_);
  }
  if (console_) {
    terminated_ = true;
    if (sipp_.trace_screen) {
      // As sipfleet: the final screens go to the screen file.
      if (absl::Status dumped = console_->DumpScreens(); !dumped.ok()) {
        std::cerr << "sipfleet-master: " << dumped.message() << "\n";
      }
    }
    console_->Finish();
  }
  ShutdownAll(abort.has_value() ? *abort : "run complete");
  return result;
}

}  // namespace

namespace {

// "a=x,b=y" into (name, value) pairs; both sides non-empty.
absl::Status ParsePairs(std::string_view option, std::string_view value, std::string_view what,
                        std::vector<std::pair<std::string, std::string>>* out) {
  for (std::string_view entry : base::SplitTrimmed(value, ',')) {
    size_t equals = entry.find('=');
    if (equals == std::string_view::npos || equals == 0 || equals + 1 == entry.size()) {
      return absl::InvalidArgumentError(base::Cat(option, ": '", entry, "' is not name=", what));
    }
    out->emplace_back(std::string(entry.substr(0, equals)), std::string(entry.substr(equals + 1)));
  }
  return absl::OkStatus();
}

// -agent_args NAME="ARGS": SIPp options for one agent. SIPp's 3PCC role
// flags there mean what they mean for that process: -master/-slave NAME
// name its 3PCC instance; -slave_cfg is dropped (names resolve to agents);
// -3pcc is refused (twins are paired with -twins).
absl::Status ParseAgentArgs(std::string_view value, MasterOptions* options) {
  size_t equals = value.find('=');
  if (equals == std::string_view::npos || equals == 0) {
    return absl::InvalidArgumentError(base::Cat("-agent_args: '", value, "' is not name=\"options\""));
  }
  const std::string name(value.substr(0, equals));
  std::vector<std::string> words = SplitBlanks(value.substr(equals + 1));
  std::vector<std::string> kept;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& word = words[i];
    const bool role = word == "-master" || word == "-slave";
    if (!role && word != "-slave_cfg" && word != "-3pcc") {
      kept.push_back(word);
      continue;
    }
    if (i + 1 >= words.size()) {
      return absl::InvalidArgumentError(base::Cat("-agent_args ", name, ": ", word, " needs a value"));
    }
    const std::string& operand = words[++i];
    if (word == "-3pcc") {
      return absl::InvalidArgumentError(base::Cat(
          "-agent_args ", name, ": -3pcc ", operand, " has no meaning in the cluster: pair the "
          "twins with -twins ", name, "=OTHER_AGENT"));
    }
    if (role) options->instances.emplace_back(name, operand);
  }
  options->agent_args.emplace_back(name, std::move(kept));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<MasterOptions> ParseMasterCommandLine(const std::vector<std::string>& args) {
  MasterOptions options;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (absl::StatusOr<bool> tls = cluster::TakeControlTlsOption(args, &i, false, &options.ctl_tls);
        !tls.ok() || *tls) {
      if (!tls.ok()) return tls.status();
      continue;
    }
    static constexpr std::string_view kWithValue[] = {
        "-listen", "-agents", "-uas_agents", "-uas_sn", "-uas_sf", "-uas_args", "-weights",
        "-agent_wait", "-lost_after", "-lease", "-start_delay", "-failure_policy",
        "-late_join", "-late_slots", "-max_skew", "-uas_bind", "-agent_sf", "-agent_sn",
        "-agent_args", "-instances", "-twins"};
    const bool ours = std::find(std::begin(kWithValue), std::end(kWithValue), arg) != std::end(kWithValue);
    if (arg == "-allow_plaintext") {
      options.allow_plaintext_remote = true;
      continue;
    }
    if (!ours) {
      options.sipp_args.push_back(arg);
      continue;
    }
    if (i + 1 >= args.size()) return absl::InvalidArgumentError(base::Cat(arg, " needs a value"));
    const std::string& value = args[++i];
    if (arg == "-listen") {
      options.listen = value;
    } else if (arg == "-agent_sf" || arg == "-agent_sn" || arg == "-instances" || arg == "-twins") {
      auto* out = arg == "-agent_sf"   ? &options.agent_scenario_files
                  : arg == "-agent_sn" ? &options.agent_scenario_names
                  : arg == "-instances" ? &options.instances
                                        : &options.twins;
      std::string_view what = arg == "-agent_sf"   ? "FILE"
                              : arg == "-agent_sn" ? "NAME"
                              : arg == "-instances" ? "INSTANCE"
                                                    : "agent";
      if (absl::Status status = ParsePairs(arg, value, what, out); !status.ok()) return status;
    } else if (arg == "-agent_args") {
      if (absl::Status status = ParseAgentArgs(value, &options); !status.ok()) return status;
    } else if (arg == "-agents") {
      int count = 0;
      if (base::ParseInt(value, &count)) {
        if (count < 1) return absl::InvalidArgumentError("-agents: at least one agent");
        options.agent_count = count;
      } else {
        for (std::string_view name : base::SplitTrimmed(value, ',')) {
          if (std::find(options.agent_names.begin(), options.agent_names.end(), name) !=
              options.agent_names.end()) {
            return absl::InvalidArgumentError(base::Cat("-agents: '", name, "' named twice"));
          }
          options.agent_names.emplace_back(name);
        }
      }
    } else if (arg == "-uas_agents") {
      for (std::string_view name : base::SplitTrimmed(value, ',')) options.uas_agents.emplace_back(name);
    } else if (arg == "-uas_sn") {
      options.uas_scenario_name = value;
    } else if (arg == "-uas_sf") {
      options.uas_scenario_file = value;
    } else if (arg == "-uas_args") {
      options.uas_args = SplitBlanks(value);
    } else if (arg == "-weights") {
      for (std::string_view entry : base::SplitTrimmed(value, ',')) {
        size_t equals = entry.find('=');
        uint32_t weight = 0;
        if (equals == std::string_view::npos || !base::ParseInt(entry.substr(equals + 1), &weight) ||
            weight == 0) {
          return absl::InvalidArgumentError(base::Cat("-weights: '", entry, "' is not name=N, N >= 1"));
        }
        options.weights.emplace_back(std::string(entry.substr(0, equals)), weight);
      }
    } else if (arg == "-failure_policy") {
      if (value != "abort" && value != "continue") {
        return absl::InvalidArgumentError(
            base::Cat("-failure_policy ", value, ": 'abort' or 'continue' expected"));
      }
      options.failure_policy = value == "abort" ? MasterOptions::FailurePolicy::kAbort
                                                : MasterOptions::FailurePolicy::kContinue;
    } else if (arg == "-late_join") {
      if (value != "refuse" && value != "share") {
        return absl::InvalidArgumentError(
            base::Cat("-late_join ", value, ": 'refuse' or 'share' expected"));
      }
      options.late_join =
          value == "share" ? MasterOptions::LateJoin::kShare : MasterOptions::LateJoin::kRefuse;
    } else if (arg == "-late_slots") {
      if (!base::ParseInt(value, &options.late_slots) || options.late_slots == 0) {
        return absl::InvalidArgumentError(base::Cat("-late_slots: '", value, "' is not N >= 1"));
      }
    } else if (arg == "-uas_bind") {
      for (std::string_view entry : base::SplitTrimmed(value, ',')) {
        size_t equals = entry.find('=');
        if (equals == std::string_view::npos || equals == 0 || equals + 1 == entry.size()) {
          return absl::InvalidArgumentError(base::Cat("-uas_bind: '", entry, "' is not name=ip:port"));
        }
        options.uas_bind.emplace_back(std::string(entry.substr(0, equals)),
                                      std::string(entry.substr(equals + 1)));
      }
    } else if (arg == "-max_skew") {
      absl::StatusOr<int64_t> ms = ParseSeconds(arg, value);
      if (!ms.ok()) return ms.status();
      options.max_skew_ms = *ms;
    } else {
      absl::StatusOr<int64_t> ms = ParseSeconds(arg, value);
      if (!ms.ok()) return ms.status();
      (arg == "-agent_wait"   ? options.agent_wait_ms
       : arg == "-lost_after" ? options.lost_after_ms
       : arg == "-lease"      ? options.lease_ms
                              : options.start_delay_ms) = *ms;
    }
  }
  if (!options.agent_names.empty()) {
    for (const std::string& name : options.uas_agents) {
      if (std::find(options.agent_names.begin(), options.agent_names.end(), name) ==
          options.agent_names.end()) {
        return absl::InvalidArgumentError(base::Cat("-uas_agents: '", name, "' is not in -agents"));
      }
    }
  }
  return options;
}

std::string HelpText() {
  return "Usage: sipfleet-master -listen host:port -agents N|name,name,... [cluster options]\n"
         "                       [SIPp options] remote_host[:port]\n"
         "\n"
         "Runs one SIPp-style test on a cluster of sipfleet-agents. Every SIPp option\n"
         "means for the cluster what it means for one process: -r is the total rate,\n"
         "-m the total call count, -l and -users the totals (shared out by weight);\n"
         "-trace_stat -stf writes the merged statistics in the standalone format.\n"
         "The master places no calls.\n"
         "\n"
         "Live control: the master shows the merged screens (1-9) and takes SIPp's\n"
         "keys and control socket commands (-cp/-ci: + - * / p q Q s, 'cset rate N',\n"
         "'cset limit N', 'cset users N', 'creset stats'); each acts on every agent.\n"
         "A rate change or pause is one new pacing computed by the master and applied\n"
         "by all agents at the same instant, 0.2 s ahead. q drains, Q aborts calls.\n"
         "-bg or -nostdin: no screens / no keys (the control socket stays).\n"
         "Signals as sipfleet: SIGINT/SIGTERM quit now (every agent aborts its calls),\n"
         "SIGUSR1 quits gracefully (no new calls), SIGUSR2 dumps the merged screens to\n"
         "the screen file (-screen_file; -trace_screen also dumps them at the end).\n"
         "-rate_increase/-rate_interval/-rate_max/-no_rate_quit raise the total rate\n"
         "(one new pacing epoch per step); -timeout drains the cluster (-timeout_error:\n"
         "aborts, exit 255).\n"
         "\n"
         "Cluster options:\n"
         "  -listen host:port     control address the agents dial (default\n"
         "                        127.0.0.1:7700; port 0 picks one)\n"
         "  -agents N|a,b,c       wait for N agents, or exactly these names\n"
         "  -uas_agents a,b       these agents answer calls (UAS role) at the\n"
         "                        remote_host:port the UAC agents call; the others\n"
         "                        run the -sn/-sf scenario (UAC role)\n"
         "  -uas_sn NAME          built-in scenario of the UAS agents (default uas)\n"
         "  -uas_sf FILE          scenario file of the UAS agents\n"
         "  -uas_args \"...\"       extra SIPp options for the UAS agents (they get -t,\n"
         "                        -tls_*, -max_msg_size and -buff_size of the command line)\n"
         "  -uas_bind a=ip:port,b=ip:port\n"
         "                        where each UAS agent answers (default: the UAC's\n"
         "                        remote_host:port). Several UAS agents on one host\n"
         "                        need one each; usually they sit behind the SUT\n"
         "  -weights a=2,b=1      relative share of each UAC agent (default 1): an\n"
         "                        agent of weight w runs w x -workers workers and\n"
         "                        places that share of the calls; shares add up\n"
         "                        exactly (each agent owns a stripe of call numbers)\n"
         "  -agent_wait SECONDS   how long to wait for the agents (default 60)\n"
         "  -lost_after SECONDS   an agent silent this long is lost (default 2.5: agents\n"
         "                        report every 0.2 s, so a loss is seen within 3 s)\n"
         "  -lease SECONDS        the agents' dead-man's switch (default 3)\n"
         "  -start_delay SECONDS  the start barrier, this far ahead (default 0.5)\n"
         "  -max_skew SECONDS     refuse to start if an agent's clock is off the\n"
         "                        master's by more (NTP-style estimate; default 0.05)\n"
         "  -failure_policy abort|continue\n"
         "                        abort (default): an agent lost ends the run, exit\n"
         "                        95, the report names it. continue: a lost UAC\n"
         "                        agent's share of the rate, -l and -users moves to\n"
         "                        the survivors from the next epoch; its calls in\n"
         "                        flight are reported as lost (not failed); the exit\n"
         "                        code is the survivors' verdict. -m numbers of its\n"
         "                        stripe not yet placed are not re-placed. A lost\n"
         "                        UAS agent always aborts.\n"
         "  -late_join refuse|share\n"
         "                        an agent joining once the run is planned is\n"
         "                        refused (default), or (share) takes one of the\n"
         "                        -late_slots stripes kept for late joiners: after\n"
         "                        its clock check and prepare, it gets its share of\n"
         "                        the rate, -l and -users from the next epoch while\n"
         "                        the total stays. Runs without -m only.\n"
         "  -late_slots N         stripes kept for late joiners (default 1, weight 1\n"
         "                        each); until taken, the others cover their share\n"
         "\n"
         "Per agent (3PCC and other multi-role tests):\n"
         "  -agent_sf a=FILE,...  scenario file of UAS agent a (instead of -uas_sf/-uas_sn;\n"
         "                        UAC agents all run -sf/-sn: one statistics layout)\n"
         "  -agent_sn a=NAME,...  built-in scenario of UAS agent a\n"
         "  -agent_args a=\"...\"  extra SIPp options for agent a (repeatable), after\n"
         "                        its role's (e.g. its remote_host, -key, -m)\n"
         "  -instances a=NAME,... 3PCC instance name of agent a (default: the agent's\n"
         "                        name). SIPp's -master NAME / -slave NAME inside\n"
         "                        -agent_args say the same. Several agents may share\n"
         "                        a name: a command for it goes to the agent where its\n"
         "                        Call-ID lives (else one fixed by the Call-ID's hash)\n"
         "  -twins a=b,...        plain -3pcc twins: each command of a goes to b and\n"
         "                        back (3pcc-C-A on a, 3pcc-C-B on b)\n"
         "3PCC: agents whose scenario has <sendCmd>/<recvCmd> exchange commands\n"
         "through the master by instance name; not in -twins, they run SIPp's extended\n"
         "mode (dest=/src= name instances; the From: line names the sender), so SIPp's\n"
         "extended-3PCC scenarios run unchanged. No -slave_cfg is needed: one given is\n"
         "ignored (with a note); -3pcc/-master/-slave on the master's own SIPp command\n"
         "line are refused (they name one process). A dest= no agent runs fails that\n"
         "agent's prepare (file:line); a command the master cannot route is counted and\n"
         "reported, and its sender handles it as a lost twin. An agent lost: the agents\n"
         "talking to its instance handle it as a lost twin (no new calls, calls waiting\n"
         "for a command fail).\n"
         + cluster::ControlTlsHelp(false) +
         "\n"
         "Refused: a duplicate agent name, an unknown name, an agent of another API\n"
         "version, an agent joining after the run was planned. If any agent fails to\n"
         "load its scenario the run does not start and the error names the agent and\n"
         "the line.\n"
         "\n"
         "Exit codes: SIPp's (0 all calls successful, 1 some failed, 255 fatal),\n"
         "plus 95: the run was aborted because an agent was lost.\n";
}

MasterResult RunMaster(const MasterOptions& options, const base::Clock& clock,
                       const std::function<void(int port)>& on_listening) {
  Run run(options, clock);
  return run.Execute(on_listening);
}

}  // namespace sipfleet::master
