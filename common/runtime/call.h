#ifndef SIPFLEET_COMMON_RUNTIME_CALL_H_
#define SIPFLEET_COMMON_RUNTIME_CALL_H_

#include <cstdint>
#include <limits>
#include <string>

#include "absl/container/inlined_vector.h"
#include "common/transport/socket_address.h"

namespace sipfleet::runtime {

inline constexpr int64_t kNever = std::numeric_limits<int64_t>::max();

// One call's state, owned by exactly one worker for its whole life. Kept
// compact: the message bytes it sends are re-expanded from the scenario's
// templates when needed (retransmissions) instead of being stored, and the
// last received message is kept only if the scenario uses [last_*].
struct Call {
  enum class State : uint8_t { kRunning, kWaitingRecv, kPaused, kDone };

  uint32_t generation = 0;   // bumps on reuse: stale timer handles are ignored
  uint32_t slot = 0;         // index in the worker's call table
  uint32_t call_number = 0;  // [call_number], 1-based, unique across workers
  int32_t msg_index = 0;     // element being executed
  int32_t last_recv_index = -1;
  int32_t last_send_index = -1;
  int32_t invite_index = -1;    // last <send> of an INVITE, for CANCEL/BYE
  int32_t last_ack_index = -1;  // last <send> of an ACK, resent on old 2xx
  int32_t retrans_index = -1;   // <send> being retransmitted, -1 if none
  State state = State::kRunning;
  bool failed = false;
  bool invite_answered = false;  // 2xx received for our INVITE
  uint8_t retrans_count = 0;
  uint32_t retrans_interval_ms = 0;
  uint32_t cseq = 0;
  uint32_t rtd_recorded = 0;  // bit per RTD already recorded in this call
  uint16_t local_port = 0;

  int64_t start_us = 0;
  int64_t timer_ms = kNever;  // earliest live timer-wheel entry
  int64_t pause_until_ms = kNever;
  int64_t retrans_at_ms = kNever;
  int64_t recv_deadline_ms = kNever;
  uint64_t last_recv_hash = 0;

  std::string call_id;
  std::string peer_tag;
  std::string last_message;  // only when Scenario::needs_last_message
  transport::SocketAddress peer;
  absl::InlinedVector<int64_t, 1> rtd_start_us;
};

}  // namespace sipfleet::runtime

#endif  // SIPFLEET_COMMON_RUNTIME_CALL_H_
