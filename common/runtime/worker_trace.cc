// The worker's trace hooks: what each SIP event writes to the
// -trace_* files through the worker's trace::WorkerTrace buffers (nothing
// without a TraceSet).

#include <algorithm>

#include "common/base/strings.h"
#include "common/runtime/worker.h"
#include "common/trace/layout.h"

namespace sipfleet::runtime {
namespace {

using stats::Counter;
using trace::Direction;
using trace::TraceKind;

}  // namespace

trace::WorkerTrace* Worker::Traces() {
  if (trace_ == nullptr && shared_->traces != nullptr) trace_ = shared_->traces->ForWorker(index_);
  return trace_;
}

void Worker::CountTrace(bool written) {
  if (!written) stats_.Increment(Counter::kTraceDrops);
}

void Worker::CallDebugEvent(Call& call, std::string_view text) {
  const int64_t wall_us = clock_.WallMicros();
  const int64_t start_wall_us = wall_us - (clock_.NowMicros() - call.start_us);
  CountTrace(Traces()->CallEvent(&call.trace_history, call.call_id, start_wall_us, wall_us, text));
}

void Worker::TraceSent(Call& call, std::string_view bytes) {
  trace::WorkerTrace* traces = Traces();
  if (traces == nullptr) return;
  const std::string_view transport = config_.transport_name();
  if (traces->on(TraceKind::kMessages) || traces->on(TraceKind::kShortMessages)) {
    CountTrace(traces->Message(clock_.WallMicros(), transport, Direction::kSent, bytes));
  }
  if (traces->on(TraceKind::kCallDebug)) {
    CallDebugEvent(call, trace::CallSendText(transport, call.call_id, call.msg_index,
                                             ViewHash()(bytes), bytes));
  }
}

void Worker::TraceReceived(std::string_view bytes) {
  trace::WorkerTrace* traces = Traces();
  if (traces == nullptr) return;
  if (traces->on(TraceKind::kMessages) || traces->on(TraceKind::kShortMessages)) {
    CountTrace(traces->Message(clock_.WallMicros(), config_.transport_name(), Direction::kReceived,
                               bytes));
  }
}

void Worker::TraceCallReceived(Call& call, const sip::Message& message, uint64_t hash) {
  trace::WorkerTrace* traces = Traces();
  if (traces == nullptr || !traces->on(TraceKind::kCallDebug)) return;
  CallDebugEvent(call, trace::CallReceiveText(call.call_id, hash, message.raw()));
}

void Worker::TraceUnexpected(Call& call, const sip::Message& message) {
  trace::WorkerTrace* traces = Traces();
  if (traces == nullptr) return;
  const Element& element =
      scenario_.elements[std::min<size_t>(call.msg_index, scenario_.elements.size() - 1)];
  if (traces->on(TraceKind::kErrors)) {
    // SIPp names what it waited for: the status code or the method.
    std::string expecting =
        element.recv_response != 0 ? base::Cat(element.recv_response) : element.recv_request;
    CountTrace(traces->Error(clock_.WallMicros(),
                             trace::UnexpectedMessageText(call.call_id, expecting, call.msg_index,
                                                          message.raw())));
  }
  CountTrace(traces->UnexpectedMessage(config_.transport_name(), message.raw()));
  if (!message.is_request()) CountTrace(traces->ErrorCode(message.status_code()));
  if (traces->on(TraceKind::kCallDebug)) {
    CallDebugEvent(call, trace::CallUnexpectedText(config_.transport_name(), call.msg_index,
                                                   ViewHash()(message.raw()), message.raw()));
  }
}

void Worker::TraceAbort(Call& call) {
  trace::WorkerTrace* traces = Traces();
  if (traces == nullptr || !traces->on(TraceKind::kCallDebug)) return;
  CallDebugEvent(call, trace::CallAbortText(call.call_id, call.msg_index));
}

void Worker::TraceCallEnd(Call& call) {
  trace::WorkerTrace* traces = Traces();
  if (traces == nullptr) return;
  // -trace_rtt rows go out as calls end, so none wait in a worker past the
  // run (SIPp's -rtt_freq batching only limited its own write calls).
  if (rtt_row_count_ > 0) FlushRttRows();
  if (call.trace_history != nullptr) CountTrace(traces->EndCall(&call.trace_history, call.failed));
}

void Worker::TraceTimeout(const Call& call, bool retransmission) {
  trace::WorkerTrace* traces = Traces();
  if (traces == nullptr || !traces->on(TraceKind::kErrors)) return;
  CountTrace(traces->Error(
      clock_.WallMicros(),
      retransmission ? trace::RetransmissionTimeoutText(call.call_id)
                     : trace::ReceiveTimeoutText(call.call_id, scenario_.stem, call.msg_index)));
}

void Worker::TraceError(std::string_view text) {
  trace::WorkerTrace* traces = Traces();
  if (traces != nullptr && traces->on(TraceKind::kErrors)) {
    CountTrace(traces->Error(clock_.WallMicros(), text));
  }
}

void Worker::TraceLog(std::string_view text) {
  if (trace::WorkerTrace* traces = Traces(); traces != nullptr) CountTrace(traces->Log(text));
}

bool Worker::RttTraceOn() const {
  return shared_->traces != nullptr && shared_->traces->enabled(TraceKind::kRtt);
}

void Worker::FlushRttRows() {
  if (trace::WorkerTrace* traces = Traces(); traces != nullptr && !rtt_rows_.empty()) {
    CountTrace(traces->Rtt(rtt_rows_));
  }
  rtt_rows_.clear();
  rtt_row_count_ = 0;
}

}  // namespace sipfleet::runtime
