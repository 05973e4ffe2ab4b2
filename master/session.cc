#include "master/session.h"

#include <deque>
#include <iostream>
#include <mutex>
#include <optional>
#include <string>

namespace sipfleet::master {
namespace {

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

}  // namespace

grpc::ServerBidiReactor<v1::AgentMessage, v1::MasterMessage>* ControlService::Session(
    grpc::CallbackServerContext* context) {
  return new SessionReactor(registry_, context, clock_, lease_ms_);
}

}  // namespace sipfleet::master
