#include "common/trace/trace_options.h"

namespace sipfleet::trace {

TraceConfig TraceConfigFromOptions(const cli::Options& options) {
  TraceConfig config;
  config[TraceKind::kMessages] = {options.trace_msg, options.message_file,
                                  options.message_overwrite};
  config[TraceKind::kShortMessages] = {options.trace_shortmsg, options.shortmessage_file,
                                       options.shortmessage_overwrite};
  config[TraceKind::kErrors] = {options.trace_err, options.error_file, options.error_overwrite};
  config[TraceKind::kErrorCodes] = {options.trace_error_codes, "", true};
  config[TraceKind::kCallDebug] = {options.trace_calldebug, options.calldebug_file,
                                   options.calldebug_overwrite};
  config[TraceKind::kLogs] = {options.trace_logs, options.log_file, options.log_overwrite};
  config[TraceKind::kRtt] = {options.trace_rtt, "", true};
  config[TraceKind::kCounts] = {options.trace_counts, "", true};
  config.ringbuffer_files = options.ringbuffer_files;
  config.ringbuffer_size = options.ringbuffer_size;
  config.max_log_size = options.max_log_size;
  config.rfc3339 = options.rfc3339;
  config.stat_period_ms = options.stat_period_ms;
  return config;
}

}  // namespace sipfleet::trace
