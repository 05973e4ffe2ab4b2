#include "common/trace/layout.h"

#include "common/base/strings.h"

namespace sipfleet::trace {
namespace {

constexpr std::string_view kMessageSeparator = "-----------------------------------------------";
constexpr std::string_view kCallDebugSeparator =
    "-------------------------------------------------------------------------------";

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

using base::EqualsIgnoreCase;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

std::string_view StartLine(std::string_view message) {
  size_t end = message.find_first_of("\r\n");
  return end == std::string_view::npos ? message : message.substr(0, end);
}

}  // namespace

void AppendMessageEntry(TimestampFormatter& stamps, int64_t wall_us, std::string_view transport,
                        Direction direction, std::string_view message, std::string* out) {
  base::Append(out, kMessageSeparator, ' ');
  stamps.AppendSpaced(wall_us, out);
  if (direction == Direction::kSent) {
    base::Append(out, '\n', transport, " message sent (", message.size(), " bytes):\n\n");
  } else {
    base::Append(out, '\n', transport, " message received [", message.size(), "] bytes :\n\n");
  }
  base::Append(out, message, '\n');
}

void AppendUnexpectedMessageEntry(std::string_view transport, std::string_view message,
                                  std::string* out) {
  base::Append(out, kMessageSeparator, '\n', "Unexpected ", transport, " message received:\n\n",
               message, '\n');
}

std::string_view RawHeader(std::string_view message, std::string_view name, char compact) {
  size_t pos = message.find('\n');
  while (pos != std::string_view::npos && pos + 1 < message.size()) {
    size_t start = pos + 1;
    size_t end = message.find('\n', start);
    std::string_view line =
        message.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (line.empty() || line == "\r") break;  // end of headers
    size_t colon = line.find(':');
    if (colon != std::string_view::npos) {
      std::string_view field = Trim(line.substr(0, colon));
      if (EqualsIgnoreCase(field, name) ||
          (compact != '\0' && field.size() == 1 && Lower(field[0]) == compact)) {
        return Trim(line.substr(colon + 1));
      }
    }
    pos = end;
  }
  return {};
}

void AppendShortMessage(TimestampFormatter& stamps, int64_t wall_us, Direction direction,
                        std::string_view message, std::string* out) {
  stamps.AppendTabbed(wall_us, out);
  base::Append(out, '\t', direction == Direction::kSent ? 'S' : 'R', '\t',
               RawHeader(message, "Call-ID", 'i'), "\tCSeq:", RawHeader(message, "CSeq", '\0'),
               '\t', StartLine(message), '\n');
}

void AppendErrorEntry(TimestampFormatter& stamps, int64_t wall_us, std::string_view text,
                      std::string* out) {
  stamps.AppendTabbed(wall_us, out);
  base::Append(out, ": ", text);
}

std::string UnexpectedMessageText(std::string_view call_id, std::string_view expecting, int index,
                                  std::string_view message) {
  return base::Cat("Aborting call on unexpected message for Call-Id '", call_id,
                   "': while expecting '", expecting, "' (index ", index, "), received '", message,
                   "'");
}

std::string RetransmissionTimeoutText(std::string_view call_id) {
  return base::Cat("Aborting call on UDP retransmission timeout for Call-ID '", call_id, "'");
}

std::string ReceiveTimeoutText(std::string_view call_id, std::string_view scenario, int index) {
  return base::Cat("Call-Id: ", call_id, ", receive timeout on message ", scenario, ":", index,
                   " without label to jump to (ontimeout attribute): aborting call");
}

void AppendCallDebugHeader(std::string_view call_id, std::string* out) {
  base::Append(out, kCallDebugSeparator, "\nCall debugging information for call ", call_id, ":\n");
}

void AppendCallDebugEvent(TimestampFormatter& stamps, int64_t wall_us, std::string_view text,
                          std::string* out) {
  stamps.AppendTabbed(wall_us, out);
  base::Append(out, ' ', text, '\n');
}

std::string CallStartText(std::string_view call_id) { return base::Cat("Starting call ", call_id); }

std::string CallSendText(std::string_view transport, std::string_view call_id, int index,
                         uint64_t hash, std::string_view message) {
  return base::Cat("Sending ", transport, " message for call ", call_id, " (index ", index,
                   ", hash ", hash, "):\n", message, "\n");
}

std::string CallReceiveText(std::string_view call_id, uint64_t hash, std::string_view message) {
  return base::Cat("Processing ", message.size(), " byte incoming message for call-ID ", call_id,
                   " (hash ", hash, "):\n", message, "\n");
}

std::string CallUnexpectedText(std::string_view transport, int index, uint64_t hash,
                               std::string_view message) {
  return base::Cat("Unexpected ", transport, " message received (index ", index, ", hash ", hash,
                   "):\n\n", message);
}

std::string CallAbortText(std::string_view call_id, int index) {
  return base::Cat("Aborting call ", call_id, " (index ", index, ").");
}

void AppendErrorCodesRow(TimestampFormatter& stamps, int64_t wall_us, int64_t elapsed_us,
                         std::string_view codes, std::string* out) {
  stamps.AppendTabbed(wall_us, out);
  out->push_back(';');
  AppendElapsed(elapsed_us, out);
  base::Append(out, ';', codes, '\n');
}

CountsTable::CountsTable(const scenario::Scenario& scenario) {
  using scenario::ElementKind;
  using stats::MessageCounter;
  for (size_t i = 0; i < scenario.elements.size(); ++i) {
    const scenario::Element& element = scenario.elements[i];
    auto add = [&](std::string_view name, std::string_view suffix, MessageCounter counter,
                   bool zero = false) {
      columns_.push_back(Column{i, counter, zero, base::Cat(i, "_", name, "_", suffix)});
    };
    if (element.kind == ElementKind::kSend && element.message != nullptr) {
      std::string name = !element.message->method().empty()
                             ? std::string(element.message->method())
                             : base::Cat(element.message->status_code());
      add(name, "Sent", MessageCounter::kSent);
      add(name, "Retrans", MessageCounter::kRetransmission);
      if (element.retrans_ms > 0) add(name, "Timeout", MessageCounter::kTimeout);
    } else if (element.kind == ElementKind::kRecv) {
      std::string name = element.recv_response != 0 ? base::Cat(element.recv_response)
                                                    : element.recv_request;
      add(name, "Recv", MessageCounter::kReceived);
      add(name, "Retrans", MessageCounter::kRetransmission);
      add(name, "Timeout", MessageCounter::kTimeout);
      add(name, "Unexp", MessageCounter::kUnexpected);
    } else {
      add("Pause", "Sessions", MessageCounter::kSent, element.kind == ElementKind::kNop);
      add("Pause", "Unexp", MessageCounter::kUnexpected);
    }
  }
}

std::string CountsTable::Header() const {
  std::string out = "CurrentTime;ElapsedTime;";
  for (const Column& column : columns_) base::Append(&out, column.name, ';');
  out.push_back('\n');
  return out;
}

void CountsTable::AppendRow(TimestampFormatter& stamps, int64_t wall_us, int64_t elapsed_us,
                            const stats::Snapshot& cumulative, std::string* out) const {
  stamps.AppendTabbed(wall_us, out);
  out->push_back(';');
  AppendElapsed(elapsed_us, out);
  out->push_back(';');
  for (const Column& column : columns_) {
    base::Append(out, column.always_zero ? 0 : cumulative.Get(column.element, column.counter), ';');
  }
  out->push_back('\n');
}

}  // namespace sipfleet::trace
