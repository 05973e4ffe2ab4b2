#!/usr/bin/env bash
# CI's sanitizer stage (scripts/test.sh runs it after the Release tests).
#   asan: ASan+UBSan build in build-asan/ (UB is fatal; the tree
#         scripts/fuzz.sh builds its targets in), running the unit
#         tests and the in-process integration tests (a master and agents on
#         threads of one process: ClusterTest, ClusterThreePccTest).
#   tsan: TSan build in build-tsan/, running the threaded tests: two-worker
#         sipfleet processes against each other (integration.sipfleet_two_
#         workers: workers, the UDP hand-off between them, pacing), the
#         agents' 3PCC relay router driven from several threads, the twin
#         hub, workers and pacing, the control socket, the media player,
#         injection files read while written, the atomic histograms; and
#         six in-process cluster tests (a master and its agents on threads
#         of one process: the master's gRPC reactor and service, registry,
#         run thread and relay notices, the agents' sessions): registration
#         and a refusal, a run to completion, live load changes, a 3PCC
#         relay between agents and a command for an unknown instance, an
#         agent lost. Debian's gRPC is not built with TSan (its hand-offs
#         gave 559 reports in 4 tests): TSan is told at our side of the
#         boundary the orderings gRPC guarantees and does not record gRPC's
#         own accesses (common/base/happens_before.h), gRPC's and protobuf's
#         headers compile uninstrumented (tests/tsan_ignorelist.txt, clang
#         only: a gcc tree skips the cluster tests), and tests/tsan.supp
#         names what is left inside the libraries. About 30 s of tests.
# Usage: scripts/sanitize.sh [asan|tsan]...   (default: both)
# Each build compiles only what its tests need; ccache is used when present.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${SIPFLEET_JOBS:-2}
source scripts/sanitizer_trees.sh

# Test binaries (and tools their tests run) each stage needs: for ASan every
# GoogleTest binary but the SIPp-comparison one (whatever exists, so new
# unit tests are included); for TSan the threaded ones.
tsan_targets=(runtime_test twin_test control_test rtp_test injection_test stats_test sipfleet)
tsan_cluster_target=cluster_integration_test
# In-process integration tests (label integration, no other process).
in_process='^Cluster(ThreePcc)?Test\.'
threaded='^(RelayRouterTest|TwinHubTest|PacingTest|ScenarioRunTest|RetransmissionTest|ControlSocketTest|ControllerTest|MediaPlayer[A-Za-z0-9]*Test|RtpEchoTest|AtomicHistogramTest|ShardTest)\.|^InjectionFileTest\.Concurrent|^integration\.sipfleet_two_workers$'
# The in-process cluster tests under TSan: a subset (all 20 take about 2
# minutes under TSan; these 6 about 30 s) that covers each path of the
# master's reactor and the agent's session.
tsan_cluster='^ClusterTest\.(UasAndTwoUacAgentsRunTwoThousandCallsAndMergeExactly|DuplicateAgentNameIsRefusedWithAClearError|AgentLostMidRunIsReportedAndTheSurvivorsFinish|LiveRateChangePauseAndQuitActOnEveryAgent)$|^ClusterThreePccTest\.(ExtendedMasterAndTwoSlavesOnDifferentAgentsComplete|CommandForUnknownInstanceIsCountedAndReportedToItsSender)$'

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/tests/tsan.supp}

build() {  # build CONFIGURE DIR TARGET...
  local configure=$1 dir=$2
  shift 2
  "$configure"
  # shellcheck disable=SC2046
  cmake --build "$dir" -j "$jobs" --target $(existing_targets "$dir" "$@")
}

stage() {  # stage NAME: prints the stage's wall time when done
  local start=$SECONDS
  "$@"
  echo "sanitize: $1 done in $((SECONDS - start)) s"
}

run_asan() {
  configure_asan_tree
  local asan_targets
  mapfile -t asan_targets < <(cmake --build build-asan --target help |
    sed -n 's/^\([A-Za-z0-9_]*_test\): .*/\1/p' | grep -vx compat_test)
  build configure_asan_tree build-asan "${asan_targets[@]}"
  cd build-asan
  ctest --output-on-failure -j "$jobs" -L unit
  ctest --output-on-failure -j "$jobs" -R "$in_process"
  cd ..
}

run_tsan() {
  local targets=("${tsan_targets[@]}") tests=$threaded
  # gRPC's headers stay uninstrumented only with clang's ignore list.
  if [[ -n $(sanitizer_clang) ]]; then
    targets+=("$tsan_cluster_target")
    tests+="|$tsan_cluster"
  else
    echo "sanitize: no clang: the in-process cluster tests are not run under TSan" >&2
  fi
  build configure_tsan_tree build-tsan "${targets[@]}"
  cd build-tsan
  # TSan makes threads 5-15x slower: one test at a time keeps the timing
  # tests within their bounds on a loaded machine.
  ctest --output-on-failure -j 1 -R "$tests"
  cd ..
}

stages=("$@")
((${#stages[@]})) || stages=(asan tsan)
for s in "${stages[@]}"; do
  case $s in
    asan) stage run_asan ;;
    tsan) stage run_tsan ;;
    *) echo "usage: $0 [asan|tsan]..." >&2; exit 2 ;;
  esac
done
