#ifndef SIPFLEET_COMMON_CLI_OPTIONS_H_
#define SIPFLEET_COMMON_CLI_OPTIONS_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace sipfleet::cli {

// SIPp's command line as sipfleet understands it, with SIPp's defaults. The
// same table serves sipfleet, sipfleet-agent and sipfleet-master.
struct Options {
  std::string remote_host_port;  // positional remote_host[:remote_port]
  std::string scenario_name;     // -sn (default "uac" when neither -sn nor -sf)
  std::string scenario_file;     // -sf
  std::string dump_scenario;     // -sd
  bool help = false;             // -h / -help
  bool version = false;          // -v

  std::string service = "service";  // -s
  std::string local_ip;             // -i
  int local_port = 0;               // -p, 0 = default
  bool local_port_given = false;
  bool bind_local = false;       // -bind_local
  std::string transport = "u1";  // -t
  std::string media_ip;          // -mi
  int media_port = 6000;         // -mp / -min_rtp_port
  int max_rtp_port = 65535;      // -max_rtp_port
  bool rtp_echo = false;         // -rtp_echo
  int rtp_echo_buffer = 2048;    // -mb
  int rtp_payload = 8;           // -rtp_payload
  int max_socket = 50000;        // -max_socket
  int ip_field = 0;              // -ip_field (-t ui)
  int max_reconnect = 0;         // -max_reconnect
  bool reconnect_close = true;   // -reconnect_close
  int64_t reconnect_sleep_ms = 1000;  // -reconnect_sleep
  std::string bind_to_device;    // -bind_to_device
  std::string tls_cert = "cacert.pem";  // -tls_cert
  std::string tls_key = "cakey.pem";    // -tls_key
  bool tls_cert_given = false;
  std::string tls_ca;            // -tls_ca
  std::string tls_crl;           // -tls_crl
  std::string tls_version;       // -tls_version

  double rate = 10.0;             // -r
  int64_t rate_period_ms = 1000;  // -rp
  uint64_t max_calls = 0;         // -m
  uint64_t call_limit = 0;        // -l
  bool call_limit_given = false;
  int64_t duration_ms = 0;     // -d
  int64_t timeout_ms = 0;      // -timeout
  bool timeout_error = false;  // -timeout_error

  bool no_retrans = false;           // -nr
  int max_invite_retrans = 5;        // -max_invite_retrans / -max_retrans
  int max_non_invite_retrans = 9;    // -max_non_invite_retrans / -max_retrans
  int t2_ms = 4000;                  // -T2
  int64_t recv_timeout_ms = 0;       // -recv_timeout
  int64_t deadcall_wait_ms = 33000;  // -deadcall_wait
  uint32_t default_behaviors = 15;   // -default_behaviors / -nd
  int base_cseq = 1;                 // -base_cseq
  // -buff_size: SO_RCVBUF/SO_SNDBUF of the UDP sockets. SIPp's default is
  // 64 KB; sipfleet's is 8 MB (the kernel caps it at net.core.rmem_max
  // without CAP_NET_ADMIN): at 64 KB one late wake-up of a loop at 20k
  // calls/s overflows the receive queue, and the drops cost retransmissions
  // and a shrunken congestion window (bench/RESULTS.md). Buffers cost
  // memory only while datagrams wait in them.
  int buffer_bytes = 8 << 20;

  bool trace_stat = false;           // -trace_stat
  std::string stat_file;             // -stf
  std::string stat_delimiter = ";";  // -stat_delimiter
  int64_t stat_period_ms = 60000;    // -fd
  int64_t screen_period_ms = 1000;   // -f
  bool trace_err = false;            // -trace_err
  std::string error_file;            // -error_file
  bool nostdin = false;              // -nostdin

  std::vector<std::pair<std::string, std::string>> keys;  // -key name value

  // Scenario language (SIPP_NOTES §2.3 call behaviour and injection).
  std::vector<std::string> injection_files;                 // -inf (repeatable)
  std::vector<std::pair<std::string, int>> injection_index;  // -infindex file field
  std::vector<std::pair<std::string, std::string>> set_variables;  // -set name value
  std::string auth_username;                // -au
  std::string auth_password = "password";   // -ap
  std::string auth_uri;                     // -auth_uri
  bool auto_answer = false;                 // -aa
  std::string ooc_scenario_name;            // -oocsn
  int64_t dynamic_start = 0;                // -dynamicStart
  int64_t dynamic_step = 1;                 // -dynamicStep
  int64_t dynamic_max = 2147483647;         // -dynamicMax
  bool trace_logs = false;                  // -trace_logs
  std::string log_file;                     // -log_file
  std::string rtcheck = "full";             // -rtcheck
  bool trace_rtt = false;                   // -trace_rtt
  int rtt_freq = 200;                       // -rtt_freq
  bool periodic_rtd = false;                // -periodic_rtd
  int64_t timer_resolution_ms = 1;  // -timer_resol (SIPp's code default: 1 ms)
  int max_message_bytes = 65536;  // -max_msg_size (ours)
  int64_t msg_read_timeout_ms = 20000;  // -msg_read_timeout (ours), 0 = never
  bool no_call_window = false;          // -no_call_window (ours)
  // Run control (keys, control socket, load shape, -bg).
  uint64_t users = 0;               // -users: closed loop, 0 = rate mode
  double rate_scale = 1.0;          // -rate_scale: unit of + - * /
  double rate_increase = 0;         // -rate_increase, per -rate_interval
  double rate_max = 0;              // -rate_max, 0 = none
  int64_t rate_interval_ms = 0;     // -rate_interval, 0 = -fd
  bool no_rate_quit = false;        // -no_rate_quit
  int control_port = 8888;          // -cp
  std::string control_ip;           // -ci ("" = any)
  bool background = false;          // -bg
  int64_t sleep_ms = 0;             // -sleep
  bool trace_screen = false;        // -trace_screen
  std::string screen_file;          // -screen_file
  bool screen_overwrite = true;     // -screen_overwrite
  // Traces (-trace_msg and friends, ring buffers).
  bool trace_msg = false;                // -trace_msg
  std::string message_file;              // -message_file
  bool message_overwrite = true;         // -message_overwrite
  bool trace_shortmsg = false;           // -trace_shortmsg
  std::string shortmessage_file;         // -shortmessage_file
  bool shortmessage_overwrite = true;    // -shortmessage_overwrite
  bool error_overwrite = true;           // -error_overwrite
  bool trace_error_codes = false;        // -trace_error_codes
  bool trace_calldebug = false;          // -trace_calldebug
  std::string calldebug_file;            // -calldebug_file
  bool calldebug_overwrite = true;       // -calldebug_overwrite
  bool log_overwrite = true;             // -log_overwrite
  bool trace_counts = false;             // -trace_counts
  int ringbuffer_files = 0;              // -ringbuffer_files
  int64_t ringbuffer_size = 0;           // -ringbuffer_size (bytes)
  int64_t max_log_size = 0;              // -max_log_size (bytes)
  bool rfc3339 = false;                  // -rfc3339
  // 3PCC (-3pcc, -master, -slave, -slave_cfg).
  std::string three_pcc;  // -3pcc host:port
  std::string master;     // -master name (extended 3PCC)
  std::string slave;      // -slave name (extended 3PCC)
  std::string slave_cfg;  // -slave_cfg file of name;host:port lines
  // Results (issue 13; sipfleet's own options).
  std::string summary_json;            // -summary_json file
  std::vector<std::string> thresholds;  // -threshold expr (repeatable)
  std::string metrics_listen;          // -metrics [host:]port
  std::string report_html;             // -report_html file
  std::string web_listen;              // -web [host:]port
  bool web_control = false;            // -web_control
  int workers = 0;                                        // -workers, 0 = one per core
  uint64_t seed = 0;                                      // -seed
};

// Parses argv (argv[0] is the program name). Errors carry SIPp's meaning:
// InvalidArgument for a bad or unknown option (the message names the closest
// valid option), Unimplemented for a SIPp option sipfleet does not support
// yet. Both map to exit code 255. `other_names` are the options the calling
// program takes beside SIPp's (the master's cluster options), suggested too.
absl::StatusOr<Options> ParseCommandLine(const std::vector<std::string>& args,
                                         const std::vector<std::string_view>& other_names = {});

// The -h text.
std::string HelpText(std::string_view program);

// Every option name SIPp 3.7.7 accepts (without the dash), for suggestions.
const std::vector<std::string_view>& SippOptionNames();

}  // namespace sipfleet::cli

#endif  // SIPFLEET_COMMON_CLI_OPTIONS_H_
