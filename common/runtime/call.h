#ifndef SIPFLEET_COMMON_RUNTIME_CALL_H_
#define SIPFLEET_COMMON_RUNTIME_CALL_H_

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "common/runtime/variables.h"
#include "common/transport/socket_address.h"
#include "common/transport/udp_socket.h"

namespace sipfleet::runtime {

inline constexpr int64_t kNever = std::numeric_limits<int64_t>::max();

// The parts of a call only some scenarios need (variables, CSV lines,
// authentication, route sets, transactions). Allocated per call only when
// Scenario::needs_call_extras, so plain uac/uas calls stay small.
struct CallExtras {
  std::vector<VarValue> variables;        // call-scope variables
  std::vector<size_t> injection_lines;    // line per -inf file
  std::vector<std::string> txn_branches;  // top Via branch per transaction
  std::string auth_challenge;             // from the last auth="true" recv
  bool auth_proxy = false;                // the challenge came in a 407
  uint32_t nonce_count = 0;
  std::string routes;    // [routes]: the Route header value, "" = none
  std::string next_url;  // [next_url]: the remote target
  int64_t jump_to = -1;  // set by a jump action, consumed after the actions
  // The peer's media from the last SDP it sent (scenarios with media actions).
  transport::SocketAddress peer_media;  // address; port unused
  uint16_t peer_audio_port = 0;
  uint16_t peer_video_port = 0;
  uint16_t peer_image_port = 0;
  uint8_t peer_dtmf_payload_type = 96;
  bool echo_muted = false;  // <rtp_echo value="0"/> is in force for the peer's address
  // The media ports this call's own SDP offered (audio, video, image), and
  // the sockets its media leaves from, bound to them when free (SIPp sends
  // from the offered port; a symmetric peer latches on it).
  uint16_t own_media_ports[3] = {0, 0, 0};
  std::unique_ptr<transport::UdpSocket> media_sources[3];  // a=rtpmap:N telephone-event (SIPp's 96 if none)

  // Copies of sent messages, for retransmissions, answers to retransmitted
  // requests and default CANCEL/BYE/ACK: with extras a re-expansion may
  // differ (nonce count, [dynamic_id], variables).
  void KeepSentCopy(int index, std::string_view method, std::string_view bytes) {
    if (method == "INVITE") {
      invite_index = index;
      invite.assign(bytes);
    } else if (method == "ACK") {
      ack_index = index;
      ack.assign(bytes);
    }
    last_sent_index = index;
    last_sent.assign(bytes);
  }
  const std::string* SentCopy(int index) const {
    if (index == last_sent_index) return &last_sent;
    if (index == invite_index) return &invite;
    if (index == ack_index) return &ack;
    return nullptr;
  }
  int last_sent_index = -1;
  int invite_index = -1;
  int ack_index = -1;
  std::string last_sent;
  std::string invite;
  std::string ack;
};

// One call's state, owned by exactly one worker for its whole life. Kept
// compact: the message bytes it sends are re-expanded from the scenario's
// templates when needed (retransmissions) instead of being stored, and the
// last received message is kept only if the scenario uses [last_*].
struct Call {
  enum class State : uint8_t { kRunning, kWaitingRecv, kPaused, kDone };

  uint32_t generation = 0;   // bumps on reuse: stale timer handles are ignored
  uint32_t slot = 0;         // index in the worker's call table
  uint32_t call_number = 0;  // [call_number], 1-based, unique across workers
  uint32_t user_id = 0;      // [userid] with -users, else 0
  int32_t msg_index = 0;     // element being executed
  int32_t last_recv_index = -1;
  int32_t last_send_index = -1;
  int32_t invite_index = -1;    // last <send> of an INVITE, for CANCEL/BYE
  int32_t last_ack_index = -1;  // last <send> of an ACK, resent on old 2xx
  int32_t retrans_index = -1;   // <send> being retransmitted, -1 if none
  State state = State::kRunning;
  bool failed = false;
  // A failed check (ereg/test/strcmp check_it): SIPp goes on with the
  // scenario and counts the call failed, for this reason, when it ends
  // normally. The stats::Counter, or -1 for none.
  int16_t check_failure = -1;
  bool invite_answered = false;  // 2xx received for our INVITE
  uint8_t retrans_count = 0;
  uint32_t retrans_interval_ms = 0;
  uint32_t cseq = 0;
  uint32_t rtd_recorded = 0;  // bit per RTD already recorded in this call
  uint16_t local_port = 0;
  uint32_t endpoint = 0;  // Worker endpoint the call's messages use (0 = main UDP socket)

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
  std::unique_ptr<CallExtras> extras;
  // -trace_calldebug only: the call's events, written if it fails.
  std::unique_ptr<std::string> trace_history;
};

}  // namespace sipfleet::runtime

#endif  // SIPFLEET_COMMON_RUNTIME_CALL_H_
