#ifndef SIPFLEET_COMMON_STATS_COUNTERS_H_
#define SIPFLEET_COMMON_STATS_COUNTERS_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sipfleet::stats {

// The event counters every stats shard keeps. From kIncomingCall to
// kWatchdogMinor the order is exactly the order of SIPp's `-trace_stat` CSV
// (P)/(C) column pairs; the last two are sipfleet's own and have no CSV
// column. All are monotonic: they only ever increase.
enum class Counter : uint8_t {
  kIncomingCall,
  kOutgoingCall,
  kSuccessfulCall,
  kFailedCall,
  kFailedCannotSendMessage,
  kFailedMaxUDPRetrans,
  kFailedTcpConnect,
  kFailedTcpClosed,
  kFailedUnexpectedMessage,
  kFailedCallRejected,
  kFailedCmdNotSent,
  kFailedRegexpDoesntMatch,
  kFailedRegexpShouldntMatch,
  kFailedRegexpHdrNotFound,
  kFailedOutboundCongestion,
  kFailedTimeoutOnRecv,
  kFailedTimeoutOnSend,
  kFailedTestDoesntMatch,
  kFailedTestShouldntMatch,
  kFailedStrcmpDoesntMatch,
  kFailedStrcmpShouldntMatch,
  kOutOfCallMsgs,
  kDeadCallMsgs,
  kRetransmissions,
  kAutoAnswered,
  kWarnings,
  kFatalErrors,
  kWatchdogMajor,
  kWatchdogMinor,
  // Ours: received datagrams that failed to parse as SIP. Not a SIPp column.
  kMalformedMessages,
  // Ours: datagrams larger than the receive buffer (dropped, never parsed).
  kOversizedDatagrams,
  // Ours: stream connections (TCP/TLS) that ended badly, by cause. The
  // calls on them fail as FailedTcpConnect / FailedTcpClosed.
  kConnectFailures,
  kConnectionResets,
  kTlsHandshakeFailures,
  kTlsVerifyFailures,
  kFramingErrors,
  kStreamReadTimeouts,  // -msg_read_timeout: a message or TLS handshake left unfinished
  // Ours: calls destroyed, successful or failed. Not a SIPp column; SIPp's
  // CurrentCall is kIncomingCall + kOutgoingCall - kCallsEnded.
  kCallsEnded,
  // Ours: trace entries dropped because a worker's trace buffer was full
  // (issue 5). Not a SIPp column.
  kTraceDrops,
  // Ours: client calls started more than 100 ms after their due time (the
  // UAC cannot keep up with the rate asked: its loop, or its congestion
  // window of unanswered transactions, held them back). Not a SIPp column.
  kLateCalls,
  kCount,
};

inline constexpr size_t kNumCounters = static_cast<size_t>(Counter::kCount);

// The last counter that has a (P)/(C) column pair in SIPp's CSV.
inline constexpr Counter kLastSippCsvCounter = Counter::kWatchdogMinor;

// True for the counters that SIPp writes to its statistics CSV.
constexpr bool IsSippCsvCounter(Counter counter) { return counter <= kLastSippCsvCounter; }

// SIPp's CSV column stem for `counter`, without "(P)"/"(C)": "IncomingCall",
// "FailedMaxUDPRetrans", "OutOfCallMsgs", ... For our own counters a
// descriptive name ("MalformedMessages", "CallsEnded"); "" for kCount or an
// out-of-range value. The view refers to static storage.
std::string_view CounterName(Counter counter);

}  // namespace sipfleet::stats

#endif  // SIPFLEET_COMMON_STATS_COUNTERS_H_
