#include "common/stats/counters.h"

#include <array>

namespace sipfleet::stats {
namespace {

// Spelled as SIPp's CStat::dumpData header spells them (3.6.1 and HEAD).
constexpr std::array<std::string_view, kNumCounters> kCounterNames = {
    "IncomingCall",
    "OutgoingCall",
    "SuccessfulCall",
    "FailedCall",
    "FailedCannotSendMessage",
    "FailedMaxUDPRetrans",
    "FailedTcpConnect",
    "FailedTcpClosed",
    "FailedUnexpectedMessage",
    "FailedCallRejected",
    "FailedCmdNotSent",
    "FailedRegexpDoesntMatch",
    "FailedRegexpShouldntMatch",
    "FailedRegexpHdrNotFound",
    "FailedOutboundCongestion",
    "FailedTimeoutOnRecv",
    "FailedTimeoutOnSend",
    "FailedTestDoesntMatch",
    "FailedTestShouldntMatch",
    "FailedStrcmpDoesntMatch",
    "FailedStrcmpShouldntMatch",
    "OutOfCallMsgs",
    "DeadCallMsgs",
    "Retransmissions",
    "AutoAnswered",
    "Warnings",
    "FatalErrors",
    "WatchdogMajor",
    "WatchdogMinor",
    "MalformedMessages",
    "OversizedDatagrams",
    "ConnectFailures",
    "ConnectionResets",
    "TlsHandshakeFailures",
    "TlsVerifyFailures",
    "FramingErrors",
    "StreamReadTimeouts",
    "CallsEnded",
    "TraceDrops",
    "LateCalls",
};

}  // namespace

std::string_view CounterName(Counter counter) {
  const size_t index = static_cast<size_t>(counter);
  return index < kCounterNames.size() ? kCounterNames[index] : std::string_view();
}

}  // namespace sipfleet::stats
