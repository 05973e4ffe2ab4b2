#include "master/session.h"

#include <deque>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "common/base/happens_before.h"

namespace sipfleet::master {
namespace {

// One agent's control stream on gRPC's callback API: no thread per stream
// (1,000 agents are 1,000 streams). Reads are handled on gRPC's threads as
// they complete, one at a time per stream (so one sender's 3PCC commands
// keep their order); writes queue here with one outstanding, as gRPC
// allows. Deletes itself when gRPC is done with it, after the registry has
// forgotten it (OnSessionEnd clears the agent's stream under its
// write_mutex, so no Send can reach a deleted session).
//
// TSan (common/base/happens_before.h): gRPC orders each reaction after the
// call that started its operation (StartRead before OnReadDone, StartWrite
// before OnWriteDone, every reaction and Finish before OnDone) through its
// completion queue, which TSan cannot see in Debian's uninstrumented gRPC.
// Each call into gRPC is a base::LibraryCall and each reaction a
// base::Reaction, with one key per kind of operation (&incoming_ the reads,
// &current_ the writes, &finish_status_ the finish). Each read goes into a
// new message (base::NewForLibraryThread), as gRPC parses it on its thread
// before OnReadDone can declare the edge.
class SessionReactor final : public grpc::ServerBidiReactor<v1::AgentMessage, v1::MasterMessage>,
                             public MessageSink {
 public:
  SessionReactor(Registry* registry, grpc::CallbackServerContext* context,
                 const base::Clock& clock, int64_t lease_ms)
      : registry_(registry), peer_(context->peer()), clock_(clock), lease_ms_(lease_ms) {
    ReadNext();
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
    // Outside the lock: gRPC may react inline.
    base::LibraryCall(&current_, [this] { StartWrite(&current_); });
    return true;
  }

  void OnReadDone(bool ok) override {
    base::Reaction reaction(&incoming_);
    if (!ok) {
      // The agent closed its side, the connection broke, or the server is
      // shutting down: what is still queued will not be read by anyone.
      if (index_.has_value()) registry_->OnSessionEnd(*index_);
      FinishWhenIdle(grpc::Status::OK, /*drop_queued=*/true);
      return;
    }
    if (!index_.has_value()) {
      Admit();
    } else if (incoming_->kind_case() == v1::AgentMessage::kThreePcc) {
      registry_->Route3pcc(*index_, std::move(*incoming_->mutable_three_pcc()));
    } else {
      registry_->OnMessage(*index_, *incoming_);
    }
    if (!index_.has_value()) return;  // refused: finishing
    ReadNext();
  }

  void OnWriteDone(bool ok) override {
    base::Reaction reaction(&current_);
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
    if (next) base::LibraryCall(&current_, [this] { StartWrite(&current_); });
    if (finish) base::LibraryCall(&finish_status_, [this] { Finish(finish_status_); });
  }

  void OnDone() override {
    base::Reaction reaction(&finish_status_, /*last=*/true);
    base::HappensAfter(&incoming_);
    base::HappensAfter(&current_);
    if (index_.has_value()) registry_->OnSessionEnd(*index_);
    // The server's Shutdown returns once every session's OnDone has: the
    // run may then destroy the registry (Run::ShutdownAll).
    base::HappensBefore(registry_);
    delete this;
  }

 private:
  // Reads the next message into a new object (see above).
  void ReadNext() {
    incoming_ = base::NewForLibraryThread<v1::AgentMessage>();
    v1::AgentMessage* next = incoming_.get();
    base::LibraryCall(&incoming_, [this, next] { StartRead(next); });
  }

  // The first message: a Register, admitted or refused with the reason.
  void Admit() {
    if (incoming_->kind_case() != v1::AgentMessage::kRegister) {
      FinishWhenIdle(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "the first message must be Register"),
                     true);
      return;
    }
    const v1::Register& reg = incoming_->register_();
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
    if (finish) base::LibraryCall(&finish_status_, [this] { Finish(finish_status_); });
  }

  Registry* registry_;
  const std::string peer_;
  const base::Clock& clock_;
  const int64_t lease_ms_;
  std::optional<size_t> index_;  // set once admitted (reads are sequential)
  std::unique_ptr<v1::AgentMessage> incoming_;  // the read in flight
  std::mutex mutex_;  // the write side below
  std::deque<v1::MasterMessage> queue_;
  v1::MasterMessage current_;  // the write in flight
  bool writing_ = false;
  bool failed_ = false;
  bool finishing_ = false;
  bool finished_ = false;  // Finish() called
  grpc::Status finish_status_;
};

}  // namespace

grpc::ServerBidiReactor<v1::AgentMessage, v1::MasterMessage>* ControlService::Session(
    grpc::CallbackServerContext* context) {
  base::Reaction reaction(nullptr);  // gRPC's thread runs our code
  return new SessionReactor(registry_, context, clock_, lease_ms_);
}

}  // namespace sipfleet::master
