#ifndef SIPFLEET_COMMON_SCREEN_SCREEN_INPUT_H_
#define SIPFLEET_COMMON_SCREEN_SCREEN_INPUT_H_

#include <cstdint>
#include <string>

#include "common/scenario/scenario.h"
#include "common/stats/shard.h"

namespace sipfleet::screen {

// Everything SIPp's screens show, filled by the caller before each refresh.
// A plain value: the renderer only reads it. Counters that live in the
// snapshots (out-of-call and dead-call messages, per-message counts, user
// counters, response times...) are not repeated here.
struct ScreenInput {
  // The running scenario; screens that need it say so when it is null.
  const scenario::Scenario* scenario = nullptr;

  // Monotonic totals since the start (or the last "reset stats").
  stats::Snapshot cumulative;
  // stats::Delta(cumulative now, cumulative at the start of this display
  // period): SIPp's "Periodic value" column.
  stats::Snapshot periodic;

  // Run time since the start, and since the start of this display period.
  int64_t elapsed_us = 0;
  int64_t period_elapsed_us = 0;
  // Wall-clock instants (microseconds since the Unix epoch) for the
  // statistics screen: Start Time, Last Reset Time (start of this period)
  // and Current Time. Shown in local time.
  int64_t start_time_us = 0;
  int64_t period_start_time_us = 0;
  int64_t current_time_us = 0;

  // Traffic shape. Rate mode: `rate` calls every `rate_period_ms` (-r, -rp).
  // With -users, `users_mode` is set and `users` is the user count.
  double rate = 0;
  int64_t rate_period_ms = 1000;
  bool users_mode = false;
  int64_t users = 0;
  // -d: the default pause duration, shown as "(N ms)" and for <pause/>
  // without a duration.
  int64_t call_duration_ms = 0;

  uint64_t open_calls = 0;    // calls alive now
  uint64_t call_limit = 0;    // -l (SIPp's open calls limit)
  uint64_t max_calls = 0;     // -m; 0 = unlimited
  uint64_t peak_calls = 0;    // highest open_calls so far
  int64_t peak_calls_elapsed_s = 0;  // seconds after start when it was hit

  bool paused = false;      // 'p': no new calls
  bool quitting = false;    // 'q' (or -m reached): waiting for calls to end
  bool terminated = false;  // the run is over (final screens / dump)

  // Transport name as SIPp writes it: "UDP", "TCP", "TLS", "SCTP".
  std::string transport = "UDP";
  int local_port = 0;
  // e.g. "127.0.0.1:5060"; SIPp's screens show only the port, so this is
  // for sipfleet's own views (cluster master), not drawn by RenderScreen.
  std::string local_address;
  std::string remote_address;  // e.g. "127.0.0.1:5060"; empty for servers

  // Scheduler figures of SIPp's "N Running, N Paused, N Woken up" line:
  // calls runnable now, calls waiting (pause, recv, timers), and calls
  // woken up during the last period; and the main loop's tick in ms.
  int64_t running_calls = 0;
  int64_t waiting_calls = 0;
  int64_t woken_calls = 0;
  int64_t scheduler_resolution_ms = 1;

  uint64_t open_sockets = 0;
  uint64_t send_errors = 0;
  uint64_t recv_errors = 0;
  uint64_t congestion_errors = 0;

  uint64_t rtp_packets_sent = 0;
  double rtp_rate_kbytes_per_s = 0;  // during the last period

  // The last error or warning, shown as "Last Error: ..." above the key
  // line (cut to 60 characters). Empty: no line.
  std::string last_error;

  // Worker threads (sipfleet's own; shown on screen 1 when > 1).
  int workers = 1;
  // -f: display period in ms (sipfleet's own; not shown by SIPp).
  int64_t refresh_period_ms = 1000;
};

}  // namespace sipfleet::screen

#endif  // SIPFLEET_COMMON_SCREEN_SCREEN_INPUT_H_
