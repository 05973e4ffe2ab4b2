#ifndef SIPFLEET_COMMON_BASE_THREAD_NAME_H_
#define SIPFLEET_COMMON_BASE_THREAD_NAME_H_

#include <string_view>

namespace sipfleet::base {

// Names the calling thread as `top -H`, `ps -L` and /proc/PID/task/*/comm
// show it ("sf-worker-0", "sf-http", ...): an operator sees which thread
// burns CPU, and bench/ attributes a process's CPU to its threads. Linux
// keeps the first 15 bytes. Best effort: errors are ignored.
void SetThreadName(std::string_view name);

}  // namespace sipfleet::base

#endif  // SIPFLEET_COMMON_BASE_THREAD_NAME_H_
