#include "common/base/thread_name.h"

#include <pthread.h>

#include <string>

namespace sipfleet::base {

void SetThreadName(std::string_view name) {
  std::string truncated(name.substr(0, 15));  // TASK_COMM_LEN - 1
  pthread_setname_np(pthread_self(), truncated.c_str());
}

}  // namespace sipfleet::base
