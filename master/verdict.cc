#include <mutex>

#include "common/base/strings.h"
#include "master/run.h"

namespace sipfleet::master {
namespace {

// The verdict line: counts, then what else happened.
std::string VerdictLine(const MasterResult& result, const Run::VerdictNotes& notes,
                        size_t uas_count, bool timed_out, uint64_t max_calls,
                        const std::optional<std::string>& abort) {
  const uint64_t successful = result.merged.Get(stats::Counter::kSuccessfulCall);
  const uint64_t placed = result.merged.Get(stats::Counter::kOutgoingCall);
  std::string line = base::Cat("sipfleet-master: ", result.agents.size(), " agents (",
                               notes.uac_count, " UAC, ", uas_count, " UAS): ", placed, " calls, ",
                               successful, " successful, ", notes.failed, " failed");
  if (timed_out) base::Append(&line, "; -timeout reached");
  if (uint64_t late = result.merged.Get(stats::Counter::kLateCalls); late > 0) {
    // The UAC agents (or their peer) could not keep up with the rate asked.
    base::Append(&line, "; cannot keep up: ", late, " calls started more than 100 ms late");
  }
  if (notes.forced.has_value()) base::Append(&line, "; ", *notes.forced);
  if (abort.has_value()) {
    base::Append(&line, "; run aborted: ", *abort);
  } else if (!notes.lost_names.empty()) {
    base::Append(&line, "; lost and continued without: ", notes.lost_names, " (",
                 result.lost_calls, " calls in flight on them counted as lost, not failed)");
    if (max_calls > 0 && placed < max_calls) {
      base::Append(&line, "; ", max_calls - placed,
                   " of the -m calls were in the lost agents' stripes and not placed");
    }
  }
  if (result.routed_3pcc > 0 || result.unrouted_3pcc > 0) {
    base::Append(&line, "; 3PCC: ", result.routed_3pcc, " commands routed");
    if (result.unrouted_3pcc > 0) {
      base::Append(&line, ", ", result.unrouted_3pcc,
                   " for unknown instances not routed (see above)");
    }
  }
  base::Append(&line, "; exit ", result.exit_code);
  return line;
}

}  // namespace

MasterResult Run::Verdict(std::optional<std::string> abort) {
  MasterResult result;
  std::lock_guard<std::mutex> lock(registry_.mutex());
  VerdictNotes notes = Summarize(abort, &result);
  result.merged = registry_.merger().Total(uac_);
  result.merged_uas = registry_.merger().Total(uas_);
  // (Locked already: the counters are read directly.)
  result.routed_3pcc = registry_.relay().routed();
  result.unrouted_3pcc = registry_.relay().unrouted();
  const uint64_t successful = result.merged.Get(stats::Counter::kSuccessfulCall);
  notes.failed = result.merged.Get(stats::Counter::kFailedCall) +
                 result.merged_uas.Get(stats::Counter::kFailedCall);
  // The verdict of what was measured: calls lost with an agent are neither
  // successful nor failed.
  // -timeout as sipfleet: -timeout_error fails the run, a timeout before any
  // call ended is SIPp's 97.
  result.exit_code = abort.has_value()                                    ? kExitAgentLost
                     : notes.forced.has_value()                           ? notes.forced_code
                     : timed_out_ && sipp_.timeout_error                  ? kExitFatal
                     : timed_out_ && successful == 0 && notes.failed == 0 ? kExitTimeoutNoCalls
                     : notes.failed > 0                                   ? kExitCallsFailed
                                                                          : kExitOk;
  result.message = VerdictLine(result, notes, uas_.size(), timed_out_, sipp_.max_calls, abort);
  return result;
}

Run::VerdictNotes Run::Summarize(const std::optional<std::string>& abort, MasterResult* result) {
  VerdictNotes notes;
  auto& agents = registry_.agents();
  for (size_t i = 0; i < agents.size(); ++i) {
    const Agent& agent = *agents[i];
    if (agent.spare && late_[i] != LateStage::kRunning) continue;  // nobody ran there
    if (!notes.forced.has_value() && agent.finished && agent.exit_code > 1) {
      notes.forced = base::Cat("agent '", agent.name, "' ended its run: ", agent.finished_message);
      notes.forced_code = agent.exit_code;
    }
    notes.uac_count += !agent.uas;
    AgentSummary summary;
    summary.late = agent.spare;
    summary.name = agent.name;
    summary.uas = agent.uas;
    summary.totals = registry_.merger().Agent(i);
    summary.lost = lost_[i] || (abort.has_value() && !agent.finished);
    summary.lost_calls = lost_calls_[i];
    summary.users = users_shares_[i];
    summary.clock_offset_us = agent.clock_offset_us;
    result->lost_calls += lost_calls_[i];
    if (lost_[i]) base::Append(&notes.lost_names, notes.lost_names.empty() ? "" : ", ", agent.name);
    result->agents.push_back(std::move(summary));
  }
  return notes;
}

}  // namespace sipfleet::master
