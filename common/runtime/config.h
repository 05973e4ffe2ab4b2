#ifndef SIPFLEET_COMMON_RUNTIME_CONFIG_H_
#define SIPFLEET_COMMON_RUNTIME_CONFIG_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/transport/secure_channel.h"
#include "common/transport/socket_address.h"

namespace sipfleet::runtime {

// SIPp's -default_behaviors bits (SIPP_NOTES §2.4).
inline constexpr uint32_t kBehaviorBye = 1;
inline constexpr uint32_t kBehaviorAbortUnexpected = 2;
inline constexpr uint32_t kBehaviorPingReply = 4;
inline constexpr uint32_t kBehaviorCseq = 8;
inline constexpr uint32_t kBehaviorAll = 15;

// Everything a run needs that does not come from the scenario. Filled by the
// CLI (or, later, by an agent from the master's prepare message); defaults
// are SIPp's.
struct EngineConfig {
  // Addressing.
  transport::SocketAddress remote;  // resolved remote_host:port
  std::string remote_host = "";     // as typed, for [remote_host]
  transport::SocketAddress local;   // -i / bind address, port = -p (0 = any)
  bool local_port_given = false;    // -p was given
  std::string local_ip_for_uri;     // [local_ip]
  std::string media_ip;             // [media_ip] (-mi), no brackets
  bool media_ipv6 = false;
  int media_port = 6000;            // -mp / -min_rtp_port
  std::string service = "service";  // -s
  int pid = 0;                      // [pid]

  // Load shape.
  double rate = 10.0;               // -r, calls per rate_period
  int64_t rate_period_ms = 1000;    // -rp
  uint64_t max_calls = 0;           // -m, 0 = unlimited
  uint64_t call_limit = 0;          // -l, 0 = unlimited
  int64_t default_duration_ms = 0;  // -d
  int64_t global_timeout_ms = 0;    // -timeout, 0 = none
  bool timeout_error = false;       // -timeout_error

  // Retransmissions and timeouts (SIPp defaults, include/call.hpp).
  bool retransmissions = true;       // false with -nr
  int max_invite_retrans = 5;        // -max_invite_retrans
  int max_non_invite_retrans = 9;    // -max_non_invite_retrans
  int t2_ms = 4000;                  // -T2
  int64_t recv_timeout_ms = 0;       // -recv_timeout, 0 = none
  int64_t deadcall_wait_ms = 33000;  // -deadcall_wait
  uint32_t default_behaviors = kBehaviorAll;
  int base_cseq = 1;  // -base_cseq

  // Scenario language (SIPP_NOTES §2.3 call behaviour and injection).
  std::string auth_username;         // -au; empty = the -s service, as SIPp
  std::string auth_password = "password";  // -ap
  std::string auth_uri;              // -auth_uri; empty = the Request-URI
  bool auto_answer = false;          // -aa
  // -oocsn: SIPp 3.6.1 discards out-of-call requests unless an out-of-call
  // scenario is named; ooc_default answers 200, ooc_dummy absorbs them.
  enum class OutOfCall : uint8_t { kDiscard, kAnswer, kAbsorb };
  OutOfCall out_of_call = OutOfCall::kDiscard;
  bool allow_exec = true;            // <exec command=> allowed (an agent opts in)
  uint64_t users = 0;                // -users (closed loop); [users]
  int64_t dynamic_start = 0;         // -dynamicStart
  int64_t dynamic_step = 1;          // -dynamicStep
  int64_t dynamic_max = 2147483647;  // -dynamicMax
  std::vector<std::pair<std::string, std::string>> set_variables;  // -set name value
  int rtt_freq = 200;  // -rtt_freq: -trace_rtt rows are written in batches of this many

  // Transport (-t): u1 un t1 tn l1 ln. Stream transports frame messages
  // by Content-Length and never retransmit (RFC 3261 §17.1.1.1: timers A
  // and E run over UDP only).
  enum class Transport : uint8_t { kUdp, kTcp, kTls };
  Transport transport = Transport::kUdp;
  bool socket_per_call = false;      // un, tn, ln
  // ui: one UDP socket per local IP, the IP taken from field -ip_field of
  // the first -inf file (client: the call's line; server: every line).
  bool socket_per_ip = false;
  int ip_field = 0;
  int max_socket = 50000;            // -max_socket: past it, calls share sockets
  int max_reconnect = 0;             // -max_reconnect (t1/l1 client connection)
  bool reconnect_close = true;       // -reconnect_close: calls end when it drops
  int64_t reconnect_sleep_ms = 1000;  // -reconnect_sleep
  // -msg_read_timeout (ours): a TCP/TLS connection holding part of a message
  // (or in its TLS handshake) this long is closed (StreamReadTimeouts);
  // 0 = never.
  int64_t msg_read_timeout_ms = 20000;
  bool bind_source = false;          // -i given: stream connections bind it as source
  std::string bind_to_device;        // -bind_to_device
  // TLS sessions for l1/ln (not owned; outlives the engine). Required when
  // transport is kTls.
  transport::SecureChannelFactory* tls = nullptr;
  // -max_msg_size (ours): the largest SIP message taken, a UDP datagram or a
  // framed stream message. Longer datagrams count as OversizedDatagrams,
  // longer stream messages close the connection (FramingErrors).
  size_t max_message_bytes = 65536;
  // -no_call_window (ours): place calls at the asked rate whatever the peer
  // answers, as SIPp does, instead of holding new calls back while too many
  // requests are unanswered (the congestion window, worker.h).
  bool call_window = true;

  // Media (-mi/-mp/-rtp_echo).
  bool rtp_echo = false;       // -rtp_echo: echo on media_port and media_port + 2
  int rtp_echo_buffer = 2048;  // -mb
  int max_rtp_port = 65535;    // -max_rtp_port
  int rtp_payload = 8;         // -rtp_payload: rtp_stream's default payload type

  bool stream() const { return transport != Transport::kUdp; }
  // The largest message a call may send: a UDP datagram's payload (65,507
  // bytes over IPv4, 65,527 over IPv6: 65,535 less the IP and UDP headers,
  // RFC 768 / RFC 8200), or -max_msg_size on TCP/TLS, what a sipfleet peer
  // takes. A larger message fails its call at once (FailedCannotSendMessage).
  size_t max_send_bytes() const {
    if (stream()) return max_message_bytes;
    return remote.is_ipv6() ? 65527 : 65507;
  }
  // Where media sockets bind: -mi, else any address of its family.
  std::string media_bind_ip() const {
    return !media_ip.empty() ? media_ip : media_ipv6 ? "::" : "0.0.0.0";
  }
  std::string_view transport_name() const {
    return transport == Transport::kUdp ? "UDP" : transport == Transport::kTcp ? "TCP" : "TLS";
  }

  // 3PCC.
  // Extended 3PCC (-master/-slave): a <recvCmd src=> takes only commands
  // whose From: names that instance.
  bool twin_extended = false;
  // Cluster (issue 6): this engine's stripe of the cluster-wide call numbers.
  // Worker i places call_number_offset + i + 1, then every call_number_stride
  // (0 = the worker count, i.e. the whole number space: standalone). Agents
  // get disjoint stripes from the master, so [call_number] and Call-IDs
  // never collide across the cluster (common/cluster/plan.h).
  uint64_t call_number_offset = 0;
  uint64_t call_number_stride = 0;

  // Threads.
  int buffer_bytes = 8 << 20;  // -buff_size (cli/options.h)
  int workers = 1;           // -workers
  int64_t tick_micros = 1000;  // -timer_resol
  uint64_t rng_seed = 0;
};

}  // namespace sipfleet::runtime

#endif  // SIPFLEET_COMMON_RUNTIME_CONFIG_H_
