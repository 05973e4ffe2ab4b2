#ifndef SIPFLEET_COMMON_TRACE_TRACE_OPTIONS_H_
#define SIPFLEET_COMMON_TRACE_TRACE_OPTIONS_H_

#include "common/cli/options.h"
#include "common/trace/trace_set.h"

namespace sipfleet::trace {

// The traces the command line asks for (-trace_msg, -message_file, ...).
TraceConfig TraceConfigFromOptions(const cli::Options& options);

}  // namespace sipfleet::trace

#endif  // SIPFLEET_COMMON_TRACE_TRACE_OPTIONS_H_
