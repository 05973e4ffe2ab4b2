#include "common/cli/options.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>

#include "absl/status/status.h"
#include "common/base/strings.h"
#include "common/base/time_value.h"
#include "common/cli/option_table.h"

namespace sipfleet::cli {
namespace {

using base::TimeUnit;

// Every option of SIPp 3.7.7's options_table[] (names are facts of its
// interface, listed so unsupported ones are refused by name).
const std::vector<std::string_view> kSippOptions = {
    "3pcc",
    "T2",
    "aa",
    "ap",
    "assocmaxret",
    "au",
    "audiotolerance",
    "auth_uri",
    "base_cseq",
    "bg",
    "bind_local",
    "bind_to_device",
    "buff_size",
    "calldebug_file",
    "calldebug_overwrite",
    "callid_slash_ign",
    "ci",
    "cid_str",
    "cid_type",
    "cp",
    "d",
    "deadcall_wait",
    "default_behaviors",
    "dynamicMax",
    "dynamicStart",
    "dynamicStep",
    "error_file",
    "error_overwrite",
    "f",
    "fd",
    "gracefulclose",
    "h",
    "heartbeat",
    "help",
    "i",
    "inf",
    "infindex",
    "ip_field",
    "key",
    "l",
    "log_file",
    "log_overwrite",
    "lost",
    "m",
    "master",
    "max_invite_retrans",
    "max_log_size",
    "max_non_invite_retrans",
    "max_reconnect",
    "max_recv_loops",
    "max_retrans",
    "max_rtp_port",
    "max_sched_loops",
    "max_socket",
    "mb",
    "message_file",
    "message_overwrite",
    "mi",
    "min_rtp_port",
    "mp",
    "multihome",
    "nd",
    "no_rate_quit",
    "nostdin",
    "nr",
    "oocsf",
    "oocsn",
    "p",
    "pathmaxret",
    "pause_msg_ign",
    "periodic_rtd",
    "plugin",
    "pmtu",
    "r",
    "random_base_ssrc",
    "rate_increase",
    "rate_interval",
    "rate_max",
    "rate_scale",
    "reconnect_close",
    "reconnect_sleep",
    "recv_timeout",
    "rfc3339",
    "ringbuffer_files",
    "ringbuffer_size",
    "rp",
    "rsa",
    "rtcheck",
    "rtp_buffsize",
    "rtp_echo",
    "rtp_payload",
    "rtp_threadtasks",
    "rtpcheck_debug",
    "rtt_freq",
    "rxinf",
    "rxrn",
    "rxsf",
    "s",
    "screen_file",
    "screen_overwrite",
    "sd",
    "send_timeout",
    "sendbuffer_warn",
    "set",
    "sf",
    "shortmessage_file",
    "shortmessage_overwrite",
    "skip_rlimit",
    "slave",
    "slave_cfg",
    "sleep",
    "sn",
    "srtpcheck_debug",
    "stat_delimiter",
    "stf",
    "t",
    "tdmmap",
    "timeout",
    "timeout_error",
    "timer_resol",
    "tls_ca",
    "tls_cert",
    "tls_crl",
    "tls_key",
    "tls_version",
    "trace_calldebug",
    "trace_counts",
    "trace_err",
    "trace_error_codes",
    "trace_logs",
    "trace_msg",
    "trace_rtt",
    "trace_screen",
    "trace_shortmsg",
    "trace_stat",
    "users",
    "v",
    "videotolerance",
    "watchdog_interval",
    "watchdog_major_maxtriggers",
    "watchdog_major_threshold",
    "watchdog_minor_maxtriggers",
    "watchdog_minor_threshold",
    "watchdog_reset",
};

// sipfleet's own options.
const std::vector<std::string_view> kOwnOptions = {
    "workers", "seed",        "max_msg_size", "msg_read_timeout", "summary_json",
    "threshold", "metrics",   "report_html",  "web",              "web_control",
    "no_call_window"};

using Spec = OptionSpec<Options>;

// A non-negative decimal number.
Spec Double(double Options::*field) {
  return {1, [field](Options& o, const std::vector<std::string>& v) {
            double value;
            if (!base::ParseDouble(v[0], &value) || value < 0) {
              return BadValue(v[0], "a non-negative number is expected");
            }
            o.*field = value;
            return absl::OkStatus();
          }};
}

// SIPp's boolean option values: true/false, yes/no, 1/0.
Spec Boolean(bool Options::*field) {
  return {1, [field](Options& o, const std::vector<std::string>& v) {
            std::optional<bool> value = ParseBoolWord(v[0]);
            if (!value.has_value()) return BadValue(v[0], "true or false is expected");
            o.*field = *value;
            return absl::OkStatus();
          }};
}

// Options accepted for compatibility whose effect sipfleet's design already
// covers (the loop batches and schedules by itself).
Spec AcceptedTuning(int arity) {
  return {arity, [](Options&, const std::vector<std::string>&) { return absl::OkStatus(); }};
}

absl::Status ParseBehaviors(Options& o, std::string_view text) {
  constexpr std::pair<std::string_view, uint32_t> kNames[] = {
      {"all", 15}, {"none", 0}, {"bye", 1}, {"abortunexp", 2}, {"pingreply", 4}, {"cseq", 8}};
  uint32_t value = o.default_behaviors;
  for (std::string_view item : base::SplitTrimmed(text, ',')) {
    bool off = item.starts_with("-");
    if (off) item.remove_prefix(1);
    auto it = std::find_if(std::begin(kNames), std::end(kNames),
                           [&](const auto& n) { return n.first == item; });
    if (it == std::end(kNames)) {
      return BadValue(item, "all, none, bye, abortunexp, pingreply, cseq");
    }
    if (it->second == 0) {
      value = 0;
    } else if (off) {
      value &= ~it->second;
    } else {
      value |= it->second;
    }
  }
  o.default_behaviors = value;
  return absl::OkStatus();
}

const OptionTable<Options>& Table() {
  static const auto* table = new OptionTable<Options>{
      {"sn", String(&Options::scenario_name)},
      {"sf", String(&Options::scenario_file)},
      {"sd", String(&Options::dump_scenario)},
      {"h", Flag(&Options::help)},
      {"help", Flag(&Options::help)},
      {"v", Flag(&Options::version)},
      {"s", String(&Options::service)},
      {"i", String(&Options::local_ip)},
      {"p", {1, [](Options& o, const std::vector<std::string>& v) {
               if (!base::ParseInt(v[0], &o.local_port) || o.local_port < 0 ||
                   o.local_port > 65535) {
                 return BadValue(v[0], "a port number is expected");
               }
               o.local_port_given = true;
               return absl::OkStatus();
             }}},
      {"bind_local", Flag(&Options::bind_local)},
      {"t", {1, [](Options& o, const std::vector<std::string>& v) {
               static const std::vector<std::string_view> kSupported = {"u1", "un", "ui", "t1",
                                                                        "tn", "l1", "ln"};
               if (std::find(kSupported.begin(), kSupported.end(), v[0]) != kSupported.end()) {
                 o.transport = v[0];
                 return absl::OkStatus();
               }
               static const std::vector<std::string_view> kKnown = {"s1", "sn", "c1", "cn"};
               if (std::find(kKnown.begin(), kKnown.end(), v[0]) != kKnown.end()) {
                 return absl::UnimplementedError(base::Cat(
                     "transport -t ", v[0], " is not supported yet (u1 un ui t1 tn l1 ln are)"));
               }
               return BadValue(v[0], "u1, un, ui, t1, tn, l1, ln expected");
             }}},
      {"max_socket", Integer(&Options::max_socket, 1)},
      {"ip_field", Integer(&Options::ip_field, 0)},
      {"max_reconnect", Integer(&Options::max_reconnect, 0)},
      {"reconnect_close", {1, [](Options& o, const std::vector<std::string>& v) {
                             if (v[0] != "true" && v[0] != "false" && v[0] != "1" && v[0] != "0") {
                               return BadValue(v[0], "true or false expected");
                             }
                             o.reconnect_close = v[0] == "true" || v[0] == "1";
                             return absl::OkStatus();
                           }}},
      {"reconnect_sleep", Time(&Options::reconnect_sleep_ms, TimeUnit::kMilliseconds)},
      {"bind_to_device", String(&Options::bind_to_device)},
      {"tls_cert", {1, [](Options& o, const std::vector<std::string>& v) {
                      o.tls_cert = v[0];
                      o.tls_cert_given = true;
                      return absl::OkStatus();
                    }}},
      {"tls_key", {1, [](Options& o, const std::vector<std::string>& v) {
                     o.tls_key = v[0];
                     o.tls_cert_given = true;
                     return absl::OkStatus();
                   }}},
      {"tls_ca", String(&Options::tls_ca)},
      {"tls_crl", String(&Options::tls_crl)},
      {"tls_version", {1, [](Options& o, const std::vector<std::string>& v) {
                         static const std::vector<std::string_view> kVersions = {"1.0", "1.1",
                                                                                 "1.2", "1.3"};
                         if (std::find(kVersions.begin(), kVersions.end(), v[0]) ==
                             kVersions.end()) {
                           return BadValue(v[0], "1.0, 1.1, 1.2 or 1.3 expected");
                         }
                         o.tls_version = v[0];
                         return absl::OkStatus();
                       }}},
      {"rtp_echo", Flag(&Options::rtp_echo)},
      {"mb", Integer(&Options::rtp_echo_buffer, 64)},
      {"max_rtp_port", Integer(&Options::max_rtp_port, 1)},
      {"rtp_payload", Integer(&Options::rtp_payload, 0)},
      {"mi", String(&Options::media_ip)},
      {"mp", Integer(&Options::media_port, 1)},
      {"min_rtp_port", Integer(&Options::media_port, 1)},
      {"r", {1, [](Options& o, const std::vector<std::string>& v) {
               if (!base::ParseDouble(v[0], &o.rate) || o.rate < 0) {
                 return BadValue(v[0], "a rate is expected");
               }
               return absl::OkStatus();
             }}},
      {"rp", Time(&Options::rate_period_ms, TimeUnit::kMilliseconds, /*positive=*/true)},
      {"m", Integer(&Options::max_calls, uint64_t{0})},
      {"l", {1, [](Options& o, const std::vector<std::string>& v) {
               if (!base::ParseInt(v[0], &o.call_limit)) return BadValue(v[0], "a number");
               o.call_limit_given = true;
               return absl::OkStatus();
             }}},
      {"d", Time(&Options::duration_ms, TimeUnit::kMilliseconds)},
      {"timeout", Time(&Options::timeout_ms, TimeUnit::kSeconds)},
      {"timeout_error", Flag(&Options::timeout_error)},
      {"nr", Flag(&Options::no_retrans)},
      {"max_invite_retrans", Integer(&Options::max_invite_retrans, 0)},
      {"max_non_invite_retrans", Integer(&Options::max_non_invite_retrans, 0)},
      {"max_retrans", {1, [](Options& o, const std::vector<std::string>& v) {
                         int n;
                         if (!base::ParseInt(v[0], &n) || n < 0) return BadValue(v[0], "a number");
                         o.max_invite_retrans = o.max_non_invite_retrans = n;
                         return absl::OkStatus();
                       }}},
      {"T2", {1, [](Options& o, const std::vector<std::string>& v) {
                absl::StatusOr<int64_t> ms = base::ParseTimeValueMs(v[0], TimeUnit::kMilliseconds);
                if (!ms.ok() || *ms <= 0) return BadValue(v[0], "a time is expected");
                o.t2_ms = static_cast<int>(*ms);
                return absl::OkStatus();
              }}},
      {"recv_timeout", Time(&Options::recv_timeout_ms, TimeUnit::kMilliseconds)},
      {"deadcall_wait", Time(&Options::deadcall_wait_ms, TimeUnit::kMilliseconds)},
      {"default_behaviors", {1, [](Options& o, const std::vector<std::string>& v) {
                               return ParseBehaviors(o, v[0]);
                             }}},
      {"nd", {0, [](Options& o, const std::vector<std::string>&) {
                o.default_behaviors = 0;
                return absl::OkStatus();
              }}},
      {"base_cseq", Integer(&Options::base_cseq, 0)},
      {"buff_size", Integer(&Options::buffer_bytes, 1)},
      {"trace_stat", Flag(&Options::trace_stat)},
      {"stf", String(&Options::stat_file)},
      {"stat_delimiter", String(&Options::stat_delimiter)},
      {"fd", Time(&Options::stat_period_ms, TimeUnit::kSeconds)},
      {"f", Time(&Options::screen_period_ms, TimeUnit::kSeconds)},
      {"trace_err", Flag(&Options::trace_err)},
      {"error_file", String(&Options::error_file)},
      {"nostdin", Flag(&Options::nostdin)},
      {"key", {2, [](Options& o, const std::vector<std::string>& v) {
                 o.keys.emplace_back(v[0], v[1]);
                 return absl::OkStatus();
               }}},
      {"inf", {1, [](Options& o, const std::vector<std::string>& v) {
                 o.injection_files.push_back(v[0]);
                 return absl::OkStatus();
               }}},
      {"infindex", {2, [](Options& o, const std::vector<std::string>& v) {
                      int field;
                      if (!base::ParseInt(v[1], &field) || field < 0) {
                        return BadValue(v[1], "a field number is expected");
                      }
                      o.injection_index.emplace_back(v[0], field);
                      return absl::OkStatus();
                    }}},
      {"set", {2, [](Options& o, const std::vector<std::string>& v) {
                 o.set_variables.emplace_back(v[0], v[1]);
                 return absl::OkStatus();
               }}},
      {"au", String(&Options::auth_username)},
      {"ap", String(&Options::auth_password)},
      {"auth_uri", String(&Options::auth_uri)},
      {"aa", Flag(&Options::auto_answer)},
      {"oocsn", {1, [](Options& o, const std::vector<std::string>& v) {
                   // The built-in out-of-call behaviours; a custom -oocsf
                   // scenario is not supported yet.
                   if (v[0] != "ooc_default" && v[0] != "ooc_dummy") {
                     return BadValue(v[0], "ooc_default or ooc_dummy expected");
                   }
                   o.ooc_scenario_name = v[0];
                   return absl::OkStatus();
                 }}},
      {"dynamicStart", Integer(&Options::dynamic_start, int64_t{INT64_MIN / 2})},
      {"dynamicStep", Integer(&Options::dynamic_step, int64_t{1})},
      {"dynamicMax", Integer(&Options::dynamic_max, int64_t{INT64_MIN / 2})},
      {"trace_logs", Flag(&Options::trace_logs)},
      {"trace_rtt", Flag(&Options::trace_rtt)},
      {"rtt_freq", Integer(&Options::rtt_freq, 1)},
      {"periodic_rtd", Flag(&Options::periodic_rtd)},
      {"log_file", String(&Options::log_file)},
      {"rtcheck", {1, [](Options& o, const std::vector<std::string>& v) {
                     // Both are mapped onto sipfleet's per-call hash of the
                     // last accepted message (SIPp's "loose" check).
                     if (v[0] != "full" && v[0] != "loose") {
                       return BadValue(v[0], "full or loose expected");
                     }
                     o.rtcheck = v[0];
                     return absl::OkStatus();
                   }}},
      // Run control.
      {"users", Integer(&Options::users, uint64_t{1})},
      {"rate_scale", Double(&Options::rate_scale)},
      {"rate_increase", Double(&Options::rate_increase)},
      {"rate_max", Double(&Options::rate_max)},
      {"rate_interval", Time(&Options::rate_interval_ms, TimeUnit::kSeconds)},
      {"no_rate_quit", Flag(&Options::no_rate_quit)},
      {"cp", Integer(&Options::control_port, 1)},
      {"ci", String(&Options::control_ip)},
      {"bg", Flag(&Options::background)},
      {"sleep", Time(&Options::sleep_ms, TimeUnit::kSeconds)},
      {"trace_screen", Flag(&Options::trace_screen)},
      {"screen_file", String(&Options::screen_file)},
      {"screen_overwrite", Boolean(&Options::screen_overwrite)},
      // Traces.
      {"trace_msg", Flag(&Options::trace_msg)},
      {"message_file", String(&Options::message_file)},
      {"message_overwrite", Boolean(&Options::message_overwrite)},
      {"trace_shortmsg", Flag(&Options::trace_shortmsg)},
      {"shortmessage_file", String(&Options::shortmessage_file)},
      {"shortmessage_overwrite", Boolean(&Options::shortmessage_overwrite)},
      {"error_overwrite", Boolean(&Options::error_overwrite)},
      {"trace_error_codes", Flag(&Options::trace_error_codes)},
      {"trace_calldebug", Flag(&Options::trace_calldebug)},
      {"calldebug_file", String(&Options::calldebug_file)},
      {"calldebug_overwrite", Boolean(&Options::calldebug_overwrite)},
      {"log_overwrite", Boolean(&Options::log_overwrite)},
      {"trace_counts", Flag(&Options::trace_counts)},
      {"ringbuffer_files", Integer(&Options::ringbuffer_files, 0)},
      {"ringbuffer_size", Integer(&Options::ringbuffer_size, int64_t{0})},
      {"max_log_size", Integer(&Options::max_log_size, int64_t{0})},
      {"rfc3339", Flag(&Options::rfc3339)},
      // 3PCC.
      {"3pcc", String(&Options::three_pcc)},
      {"master", String(&Options::master)},
      {"slave", String(&Options::slave)},
      {"slave_cfg", String(&Options::slave_cfg)},
      {"workers", Integer(&Options::workers, 1)},
      // Results (issue 13).
      {"summary_json", String(&Options::summary_json)},
      {"threshold", {1, [](Options& o, const std::vector<std::string>& v) {
                       o.thresholds.push_back(v[0]);
                       return absl::OkStatus();
                     }}},
      {"metrics", String(&Options::metrics_listen)},
      {"report_html", String(&Options::report_html)},
      {"web", String(&Options::web_listen)},
      {"web_control", Flag(&Options::web_control)},
      {"max_msg_size", Integer(&Options::max_message_bytes, 512)},
      {"msg_read_timeout", Time(&Options::msg_read_timeout_ms, TimeUnit::kSeconds)},
      {"no_call_window", Flag(&Options::no_call_window)},
      {"seed", Integer(&Options::seed, uint64_t{0})},
      {"max_recv_loops", AcceptedTuning(1)},
      {"max_sched_loops", AcceptedTuning(1)},
      {"timer_resol", Time(&Options::timer_resolution_ms, TimeUnit::kMilliseconds)},
      {"skip_rlimit", AcceptedTuning(0)},
  };
  return *table;
}

// Every option name sipfleet knows, for suggestions.
std::vector<std::string_view> KnownNames() {
  std::vector<std::string_view> names(kSippOptions.begin(), kSippOptions.end());
  names.insert(names.end(), kOwnOptions.begin(), kOwnOptions.end());
  return names;
}

}  // namespace

const std::vector<std::string_view>& SippOptionNames() { return kSippOptions; }

absl::StatusOr<Options> ParseCommandLine(const std::vector<std::string>& args,
                                         const std::vector<std::string_view>& other_names) {
  Options options;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.size() < 2 || arg[0] != '-') {
      if (!options.remote_host_port.empty()) {
        return absl::InvalidArgumentError(base::Cat("more than one remote host given: '",
                                                    options.remote_host_port, "' and '", arg, "'"));
      }
      options.remote_host_port = arg;
      continue;
    }
    absl::StatusOr<bool> taken = Table().Take(args, &i, options);
    if (!taken.ok()) return taken.status();
    if (*taken) continue;
    std::string_view name = std::string_view(arg).substr(1);
    if (std::find(kSippOptions.begin(), kSippOptions.end(), name) != kSippOptions.end()) {
      return absl::UnimplementedError(base::Cat("option -", name, " is not supported yet"));
    }
    std::vector<std::string_view> known = KnownNames();
    known.insert(known.end(), other_names.begin(), other_names.end());
    return UnknownOption(name, known);
  }
  if (!options.scenario_name.empty() && !options.scenario_file.empty()) {
    return absl::InvalidArgumentError("-sn and -sf cannot be used together");
  }
  return options;
}

std::string HelpText(std::string_view program) {
  return base::Cat(
      "Usage:\n\n  ", program, " remote_host[:remote_port] [options]\n\n",
      "sipfleet takes SIPp's command line. Supported now:\n"
      "  -sn name        built-in scenario (uac, uas)       -sf file   XML scenario file\n"
      "  -sd name        print a built-in scenario          -s user    [service] (service)\n"
      "  -i ip           local IP for headers and binding   -p port    local port\n"
      "  -bind_local     bind the -i address, not any       -t mode    u1 un ui t1 tn l1 ln (u1)\n"
      "  -ip_field n     -t ui: the -inf field with the local IP (0)\n"
      "  -max_socket n, -max_reconnect n, -reconnect_close true|false, -reconnect_sleep ms\n"
      "  -tls_cert f (cacert.pem), -tls_key f (cakey.pem), -tls_ca f, -tls_crl f,\n"
      "  -tls_version 1.0|1.1|1.2|1.3, -bind_to_device dev\n"
      "  -mi ip          media IP                           -mp port   media port (6000)\n"
      "  -rtp_echo       echo RTP on -mp and -mp+2 (-mb n)  -rtp_payload pt  rtp_stream (8)\n"
      "  -min_rtp_port p, -max_rtp_port p: [auto_media_port] range\n"
      "  -r rate         calls per -rp period (10)          -rp time   rate period (1000 ms)\n"
      "  -m calls        stop after this many calls         -l calls   max simultaneous calls\n"
      "  -d time         default pause (ms)                 -timeout t global timeout (s)\n"
      "  -timeout_error  fail when -timeout is reached      -nr        no UDP retransmissions\n"
      "  -max_retrans n, -max_invite_retrans n (5), -max_non_invite_retrans n (9), -T2 time (4000 "
      "ms)\n"
      "  -recv_timeout t, -deadcall_wait t (33 s), -default_behaviors list, -nd, -base_cseq n\n"
      "  -buff_size n    UDP socket buffers (8 MB)          -key k v   [k] keyword\n"
      "  -trace_stat     statistics CSV (-stf file, -stat_delimiter c, -fd period 60 s)\n"
      "  -trace_err      unexpected messages to <scenario>_<pid>_errors.log (-error_file f)\n"
      "  -f period       screen report period (1 s)         -nostdin   no keyboard\n"
      "  -workers n      worker threads (default: one per core)  -seed n  RNG seed\n"
      "  -timer_resol t  batching tick of a loaded worker (1 ms)\n"
      "  -max_msg_size n largest SIP message taken, datagram or stream (65536)\n"
      "  -msg_read_timeout t  close a TCP/TLS connection whose message (or TLS\n"
      "                  handshake) is unfinished after t (20 s; 0 = never)\n"
      "  -no_call_window  place calls at the asked rate whatever the peer answers\n"
      "                  (SIPp's way); by default a client holds new calls back\n"
      "                  while too many requests are unanswered (LateCalls)\n"
      "  -max_recv_loops, -max_sched_loops, -skip_rlimit: accepted; sipfleet's loop\n"
      "                  batches and schedules on its own.\n"
      "  -inf file       CSV injection file (repeatable)    -infindex file field  index for lookup\n"
      "  -set name value global variable                    -aa        answer INFO/NOTIFY/OPTIONS/UPDATE\n"
      "  -au user, -ap password, -auth_uri uri: [authentication] defaults\n"
      "  -oocsn ooc_default|ooc_dummy  out-of-call behaviour  -rtcheck full|loose\n"
      "  -dynamicStart n, -dynamicStep n, -dynamicMax n: [dynamic_id]\n"
      "  -trace_logs     <log> actions to <scenario>_<pid>_logs.log (-log_file f)\n"
      "  -trace_rtt      response times to <scenario>_<pid>_rtt.csv (-rtt_freq n, 200)\n"
      "  -periodic_rtd   repartition columns count each -fd period only\n"
      "  -users n        keep n calls open (closed loop)    -rate_scale x  unit of + - * / (1)\n"
      "  -rate_increase x, -rate_interval t (-fd), -rate_max x, -no_rate_quit: raise the rate\n"
      "  -cp port        control socket (8888, next free)   -ci ip     control socket IP\n"
      "  -bg             run in the background              -sleep t   wait before starting (s)\n"
      "  -trace_screen   screens to <scenario>_<pid>_screen.log at exit (-screen_file f,\n"
      "                  -screen_overwrite true|false); SIGUSR2 and 's' dump them too\n"
      "  -trace_msg, -trace_shortmsg, -trace_error_codes, -trace_calldebug, -trace_counts:\n"
      "                  SIPp's trace files (-message_file, -shortmessage_file, -calldebug_file,\n"
      "                  *_overwrite, -ringbuffer_files, -ringbuffer_size, -max_log_size, -rfc3339)\n"
      "  -3pcc host:port 3PCC twin: connect (first twin command sendCmd) or listen\n"
      "  -master name, -slave name, -slave_cfg file: extended 3PCC (name;host:port lines)\n"
      "  Keys (or the first byte of a datagram to the control socket): 1-9 screens,\n"
      "  + - * / rate, p pause, q quit (twice: now), Q quit now, s dump, c command\n"
      "  Results (sipfleet's own; see docs/results.md):\n"
      "  -summary_json f JSON summary at the end (and on abort)\n"
      "  -threshold expr pass/fail, repeatable: rtd1.p99<200ms, failed_calls.rate<0.1%,\n"
      "                  successful_calls.count>=1000, ...; ':abort' stops the run early;\n"
      "                  a failed threshold exits 98\n"
      "  -metrics [host:]port  Prometheus /metrics (loopback unless a host is given)\n"
      "  -report_html f  self-contained HTML report with plots, written at the end\n"
      "  -web [host:]port  live page (updates every -f)   -web_control  its key buttons\n"
      "  -v              version                            -h         this help\n"
      "Any other SIPp option is refused with \"not supported yet\" (exit 255).\n"
      "Exit codes: 0 all calls successful, 1 some failed, 97 stopped by timeout with no call,\n"
      "98 a -threshold failed, "
      "99 normal exit without calls (-h, -v, -sd), 254 socket bind error, 255 fatal error.\n");
}

}  // namespace sipfleet::cli
