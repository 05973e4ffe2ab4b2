#include "common/twin/command.h"

#include <cctype>

#include "common/base/strings.h"

namespace sipfleet::twin {
namespace {

using base::EqualsIgnoreCase;

// Calls `visit(line)` for each line (without its CR/LF) until it returns false.
template <typename Visit>
void ForEachLine(std::string_view text, Visit visit) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    size_t next = end == std::string_view::npos ? text.size() : end + 1;
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (!visit(line)) return;
    pos = next;
  }
}

// Splits "Name: value" lines; false if `line` is not a header line.
bool SplitHeader(std::string_view line, std::string_view* name, std::string_view* rest) {
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return false;
  *name = base::TrimBlanks(line.substr(0, colon));
  *rest = line.substr(colon + 1);
  return !name->empty();
}

// The value of the first line whose name is one of `names` (any case).
std::string_view FirstValue(std::string_view command, std::string_view name,
                            std::string_view compact) {
  std::string_view found;
  ForEachLine(command, [&](std::string_view line) {
    std::string_view header;
    std::string_view rest;
    if (!SplitHeader(line, &header, &rest)) return true;
    if (EqualsIgnoreCase(header, name) || (!compact.empty() && EqualsIgnoreCase(header, compact))) {
      found = base::TrimBlanks(rest);
      return false;
    }
    return true;
  });
  return found;
}

}  // namespace

void AppendFrame(std::string_view text, std::string* out) {
  out->append(text);
  out->push_back(kDelimiter);
}

bool CommandFramer::Feed(std::string_view bytes, std::vector<std::string>* out) {
  while (!bytes.empty()) {
    size_t esc = bytes.find(kDelimiter);
    if (esc == std::string_view::npos) {
      buffer_.append(bytes);
      break;
    }
    buffer_.append(bytes.substr(0, esc));
    out->push_back(std::move(buffer_));
    buffer_.clear();
    bytes.remove_prefix(esc + 1);
  }
  return buffer_.size() <= max_bytes_;
}

std::string_view CommandCallId(std::string_view command) {
  std::string_view call_id = FirstValue(command, "Call-ID", "i");
  if (size_t marker = call_id.find("///"); marker != std::string_view::npos) {
    call_id.remove_prefix(marker + 3);
  }
  return call_id;
}

std::string_view CommandSender(std::string_view command) {
  std::string_view from = FirstValue(command, "From", "");
  size_t end = from.find_first_of(" \t");
  return end == std::string_view::npos ? from : from.substr(0, end);
}

bool IsAbortCommand(std::string_view command) {
  std::string_view value = FirstValue(command, "internal-cmd", "");
  size_t end = value.find_first_of(" \t");
  return (end == std::string_view::npos ? value : value.substr(0, end)) == "abort_call";
}

std::string AbortCommand(std::string_view call_id) {
  return base::Cat("call-id: ", call_id, "\r\ninternal-cmd: abort_call\r\n\r\n");
}

std::string_view CommandForActions(std::string_view command) {
  while (command.ends_with("\r\n")) command.remove_suffix(2);
  return command;
}

bool CommandHeader(std::string_view command, std::string_view name, bool case_insensitive,
                   int occurrence, std::string* out) {
  name = base::TrimBlanks(name);
  if (name.ends_with(':')) name.remove_suffix(1);
  int seen = 0;
  bool found = false;
  ForEachLine(command, [&](std::string_view line) {
    if (line.empty()) return false;  // the body starts
    std::string_view header;
    std::string_view rest;
    if (!SplitHeader(line, &header, &rest)) return true;
    if (!(case_insensitive ? EqualsIgnoreCase(header, name) : header == name)) return true;
    ++seen;
    if (occurrence > 1) {
      if (seen != occurrence) return true;
      out->assign(rest);
      found = true;
      return false;
    }
    if (found) out->push_back(',');
    out->append(rest);
    found = true;
    return true;
  });
  return found;
}

std::string_view CommandBody(std::string_view command) {
  size_t crlf = command.find("\r\n\r\n");
  size_t lf = command.find("\n\n");
  if (crlf != std::string_view::npos && (lf == std::string_view::npos || crlf < lf)) {
    return command.substr(crlf + 4);
  }
  if (lf != std::string_view::npos) return command.substr(lf + 2);
  return {};
}

}  // namespace sipfleet::twin
