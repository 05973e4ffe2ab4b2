#include "common/scenario/dialect.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/base/strings.h"

namespace sipfleet::scenario {
namespace {

// The entities SIPp decodes, in the order it tries them.
constexpr std::string_view kEntities[][2] = {
    {"amp", "&"}, {"gt", ">"}, {"lt", "<"}, {"quot", "\""}};

// The attributes SIPp 3.6 reads entity-decoded (xp_get_string in its
// scenario.cpp); every other attribute keeps its '&' text as written.
struct UnescapedAttribute {
  std::string_view parent;
  std::string_view element;
  std::string_view attribute;
};
constexpr UnescapedAttribute kUnescaped[] = {
    {"scenario", "CallLengthRepartition", "value"},
    {"scenario", "ResponseTimeRepartition", "value"},
    {"scenario", "Global", "variables"},
    {"scenario", "User", "variables"},
    {"scenario", "Reference", "variables"},
    {"scenario", "DefaultMessage", "id"},
    {"scenario", "label", "id"},
    {"action", "ereg", "regexp"},
    {"action", "log", "message"},
    {"action", "warning", "message"},
    {"action", "error", "message"},
    {"action", "assignstr", "value"},
    {"action", "test", "compare"},
    {"action", "verifyauth", "username"},
    {"action", "verifyauth", "password"},
    {"action", "lookup", "file"},
    {"action", "lookup", "key"},
    {"action", "insert", "file"},
    {"action", "insert", "value"},
    {"action", "replace", "file"},
    {"action", "replace", "line"},
    {"action", "replace", "value"},
    {"action", "setdest", "host"},
    {"action", "setdest", "port"},
    {"action", "setdest", "protocol"},
    {"action", "strcmp", "value"},
};

bool IsUnescaped(std::string_view parent, std::string_view element, std::string_view attribute) {
  for (const UnescapedAttribute& entry : kUnescaped) {
    if (entry.parent == parent && entry.element == element && entry.attribute == attribute) {
      return true;
    }
  }
  return false;
}

// Elements whose message SIPp takes from the first "<![CDATA[" after their
// start tag, found by a plain text search that does not see comments.
bool CarriesMessage(std::string_view element) {
  return element == "send" || element == "sendCmd" || element == "DefaultMessage";
}

// Inside a decoded value, a line feed written "\n": the output spells it as
// a character reference, so the output has no newline the input lacks.
constexpr char kEscapedLineFeed = '\0';

// SIPp's attribute value from `at` (after the opening '"') up to the next
// '"' not escaped by a backslash: "\\", "\"", "\n", "\t" and "\r" are
// decoded, any other backslash is kept with the character after it. Returns
// the closing quote's position, npos if there is none.
size_t DecodeQuotedValue(std::string_view in, size_t at, std::string* value) {
  for (; at < in.size(); ++at) {
    const char c = in[at];
    if (c == '"') return at;
    if (c != '\\' || at + 1 == in.size()) {
      value->push_back(c);
      continue;
    }
    const char escaped = in[++at];
    switch (escaped) {
      case '\\':
      case '"':
        value->push_back(escaped);
        break;
      case 'n':
        value->push_back(kEscapedLineFeed);
        break;
      case 't':
        value->push_back('\t');
        break;
      case 'r':
        value->push_back('\r');
        break;
      default:
        value->push_back('\\');
        value->push_back(escaped);
        break;
    }
  }
  return std::string_view::npos;
}

// Appends `value` as a double-quoted XML attribute value that pugixml reads
// back byte for byte. A raw newline stays one, so the line count holds.
void AppendXmlValue(std::string_view value, std::string* out) {
  out->push_back('"');
  for (char c : value) {
    switch (c) {
      case '&':
        out->append("&amp;");
        break;
      case '<':
        out->append("&lt;");
        break;
      case '"':
        out->append("&quot;");
        break;
      case '\r':
        out->append("&#13;");
        break;
      case kEscapedLineFeed:
        out->append("&#10;");
        break;
      default:
        out->push_back(c);
        break;
    }
  }
  out->push_back('"');
}

constexpr std::string_view kNameEnd = " \t\n/>";  // SIPp's element name ends
constexpr std::string_view kBlanks = " \t\n";

// One pass over a scenario file as SIPp's parser reads it, writing strict
// XML with the same lines (RewriteSippDialect). Single use.
class Rewriter {
 public:
  Rewriter(std::string_view text, std::string_view file_name) : file_name_(file_name) {
    // SIPp reads the file up to its first NUL byte and drops every CR.
    text = text.substr(0, text.find('\0'));
    in_.reserve(text.size());
    for (char c : text) {
      if (c != '\r') in_.push_back(c);
    }
    out_.reserve(in_.size() + in_.size() / 8);
  }

  absl::StatusOr<std::string> Run();

 private:
  struct Open {
    std::string name;
    size_t start;
    bool has_cdata;
  };

  absl::Status Error(size_t at, std::string_view what) const;
  bool At(std::string_view token) const {
    return std::string_view(in_).substr(pos_).starts_with(token);
  }
  absl::StatusOr<size_t> Find(std::string_view token, size_t from, std::string_view what) const;
  void Blank(size_t end);
  void Copy(size_t end);
  void CopyBlanks();
  absl::Status Markup();
  absl::Status Comment();
  absl::Status StartTag();
  absl::Status Attribute(std::string_view element, std::string_view parent, size_t tag);
  absl::Status QuotedValue(std::string_view attribute, bool unescape);
  absl::Status EndTag();

  std::string_view file_name_;
  std::string in_;
  std::string out_;
  size_t pos_ = 0;
  std::vector<Open> open_;
  bool root_seen_ = false;
};

absl::Status Rewriter::Error(size_t at, std::string_view what) const {
  const auto end = in_.begin() + static_cast<ptrdiff_t>(std::min(at, in_.size()));
  const int line = 1 + static_cast<int>(std::count(in_.begin(), end, '\n'));
  return absl::InvalidArgumentError(
      base::Cat(file_name_, ":", line, ": XML syntax error: ", what));
}

absl::StatusOr<size_t> Rewriter::Find(std::string_view token, size_t from,
                                      std::string_view what) const {
  size_t found = in_.find(token, from);
  if (found == std::string::npos) {
    return Error(pos_, base::Cat(what, " is not closed ('", token, "' missing)"));
  }
  return found + token.size();
}

// Replaces in_[pos_, end) by its newlines (one blank if it has none), so
// the output keeps the input's line numbers.
void Rewriter::Blank(size_t end) {
  bool newline = false;
  for (; pos_ < end; ++pos_) {
    if (in_[pos_] == '\n') {
      out_.push_back('\n');
      newline = true;
    }
  }
  if (!newline) out_.push_back(' ');
}

void Rewriter::Copy(size_t end) {
  out_.append(in_, pos_, end - pos_);
  pos_ = end;
}

void Rewriter::CopyBlanks() {
  size_t end = in_.find_first_not_of(kBlanks, pos_);
  Copy(end == std::string::npos ? in_.size() : end);
}

absl::StatusOr<std::string> Rewriter::Run() {
  while (pos_ < in_.size()) {
    if (in_[pos_] == '<') {
      if (absl::Status status = Markup(); !status.ok()) return status;
      continue;
    }
    // SIPp ignores text wherever it is; a message is CDATA only.
    size_t next = in_.find('<', pos_);
    Blank(next == std::string::npos ? in_.size() : next);
  }
  // SIPp reads a file that ends without </scenario>.
  if (open_.size() == 1 && open_.front().name == "scenario") {
    out_.append("</scenario>");
    open_.clear();
  }
  if (!open_.empty()) {
    return Error(open_.back().start, base::Cat("<", open_.back().name, "> is never closed"));
  }
  return std::move(out_);
}

absl::Status Rewriter::Markup() {
  if (At("<![CDATA[")) {
    absl::StatusOr<size_t> end = Find("]]>", pos_ + 9, "CDATA section");
    if (!end.ok()) return end.status();
    if (open_.empty()) {
      Blank(*end);
    } else {
      open_.back().has_cdata = true;
      Copy(*end);
    }
    return absl::OkStatus();
  }
  if (At("<!--")) return Comment();
  if (At("<!DOCTYPE") || At("<?")) {
    // SIPp skips a DOCTYPE to its first '>' (an internal subset's rest is
    // then text) and requires "<?xml" declarations; other processing
    // instructions are blanked too (SIPp refuses them).
    absl::StatusOr<size_t> end =
        At("<?") ? Find("?>", pos_ + 2, "processing instruction") : Find(">", pos_, "DOCTYPE");
    if (!end.ok()) return end.status();
    Blank(*end);
    return absl::OkStatus();
  }
  if (At("<!")) return Error(pos_, "'<!' that is not a comment, CDATA section or DOCTYPE");
  if (At("</")) return EndTag();
  return StartTag();
}

// SIPp ends a comment at the first "-->" after "<!", so "<!-->" is a whole
// comment and "--" inside one is allowed. Its CDATA search for a message
// does not see comments: a whole CDATA section commented out before the
// element's own is the message SIPp sends.
absl::Status Rewriter::Comment() {
  absl::StatusOr<size_t> end = Find("-->", pos_ + 2, "comment");
  if (!end.ok()) return end.status();
  if (!open_.empty() && !open_.back().has_cdata && CarriesMessage(open_.back().name)) {
    size_t cdata = in_.find("<![CDATA[", pos_);
    size_t cdata_end = cdata < *end ? in_.find("]]>", cdata) : std::string::npos;
    if (cdata_end != std::string::npos && cdata_end + 3 <= *end) {
      Blank(cdata);
      Copy(cdata_end + 3);
      open_.back().has_cdata = true;
    }
  }
  Blank(*end);
  return absl::OkStatus();
}

absl::Status Rewriter::StartTag() {
  const size_t tag = pos_;
  size_t name_end = in_.find_first_of(kNameEnd, pos_ + 1);
  if (name_end == std::string::npos) return Error(tag, "the tag is not closed");
  std::string name = in_.substr(pos_ + 1, name_end - pos_ - 1);
  if (name.empty()) return Error(tag, "'<' without an element name");
  std::string parent = open_.empty() ? "" : open_.back().name;
  if (open_.empty()) {
    if (root_seen_) return Error(tag, base::Cat("element <", name, "> after </scenario>"));
    if (name != "scenario") {
      return Error(tag, base::Cat("the first element is <", name, ">, not <scenario>"));
    }
    root_seen_ = true;
  }
  Copy(name_end);
  while (true) {
    if (pos_ >= in_.size()) return Error(tag, base::Cat("the <", name, "> tag is not closed"));
    const char c = in_[pos_];
    if (kBlanks.find(c) != std::string_view::npos) {
      CopyBlanks();
    } else if (At("<!--")) {  // SIPp skips a comment inside a tag
      absl::StatusOr<size_t> end = Find("-->", pos_ + 2, "comment");
      if (!end.ok()) return end.status();
      Blank(*end);
    } else if (At("/>")) {
      Copy(pos_ + 2);
      return absl::OkStatus();
    } else if (c == '>') {
      Copy(pos_ + 1);
      open_.push_back({name, tag, false});
      return absl::OkStatus();
    } else {
      // SIPp looks an attribute up by its name after a blank: one glued to
      // the value or comment before it (a="1"b="2") is never read.
      const bool reachable = kBlanks.find(in_[pos_ - 1]) != std::string_view::npos;
      const size_t in_mark = pos_;
      const size_t out_mark = out_.size();
      if (absl::Status status = Attribute(name, parent, tag); !status.ok()) return status;
      if (!reachable) {
        out_.resize(out_mark);
        const size_t end = pos_;
        pos_ = in_mark;
        Blank(end);
      }
    }
  }
}

absl::Status Rewriter::Attribute(std::string_view element, std::string_view parent, size_t tag) {
  size_t name_end = in_.find_first_of(" \t\n=/<>\"'", pos_);
  if (name_end == std::string::npos) {
    return Error(tag, base::Cat("the <", element, "> tag is not closed"));
  }
  if (name_end == pos_) {
    return Error(pos_, base::Cat("unexpected '", in_.substr(pos_, 1), "' in the <", element,
                                 "> tag"));
  }
  std::string attribute = in_.substr(pos_, name_end - pos_);
  size_t equals = in_.find_first_not_of(kBlanks, name_end);
  if (equals == std::string::npos || in_[equals] != '=') {
    Blank(name_end);  // SIPp ignores an attribute without a value
    return absl::OkStatus();
  }
  Copy(name_end);
  CopyBlanks();
  Copy(pos_ + 1);  // '='
  CopyBlanks();
  if (pos_ < in_.size() && in_[pos_] == '"') {
    return QuotedValue(attribute, IsUnescaped(parent, element, attribute));
  }
  if (pos_ < in_.size() && in_[pos_] == '\'') {
    // SIPp reads such a value up to the next '"'; sipfleet reads it as XML.
    absl::StatusOr<size_t> end = Find("'", pos_ + 1, base::Cat("the value of '", attribute, "'"));
    if (!end.ok()) return end.status();
    Copy(*end);
    return absl::OkStatus();
  }
  return Error(pos_, base::Cat("the value of '", attribute, "' is not quoted"));
}

absl::Status Rewriter::QuotedValue(std::string_view attribute, bool unescape) {
  std::string value;
  const size_t close = DecodeQuotedValue(in_, pos_ + 1, &value);
  if (close == std::string::npos) {
    return Error(pos_, base::Cat("the value of '", attribute, "' is not closed ('\"' missing)"));
  }
  AppendXmlValue(unescape ? DecodeSippEntities(value) : value, &out_);
  pos_ = close + 1;
  return absl::OkStatus();
}

absl::Status Rewriter::EndTag() {
  const size_t tag = pos_;
  size_t name_end = in_.find_first_of(kNameEnd, pos_ + 2);
  if (name_end == std::string::npos) return Error(tag, "the end tag is not closed");
  std::string name = in_.substr(pos_ + 2, name_end - pos_ - 2);
  size_t close = in_.find_first_not_of(kBlanks, name_end);
  if (close == std::string::npos || in_[close] != '>') {
    return Error(tag, base::Cat("</", name, "> is not closed by '>'"));
  }
  if (open_.empty()) return Error(tag, base::Cat("</", name, "> closes no element"));
  if (open_.back().name != name) {
    return Error(tag, base::Cat("</", name, "> where </", open_.back().name, "> was expected"));
  }
  Copy(close + 1);
  open_.pop_back();
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> RewriteSippDialect(std::string_view text, std::string_view file_name) {
  return Rewriter(text, file_name).Run();
}

std::string DecodeSippEntities(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  size_t at = 0;
  while (at < value.size()) {
    if (value[at] != '&') {
      out.push_back(value[at++]);
      continue;
    }
    size_t semicolon = value.find(';', at + 1);
    if (semicolon == std::string_view::npos) {
      out.append(value.substr(at));
      break;
    }
    // The text up to the next ';' names the entity if it is a prefix of one
    // (SIPp compares only that many characters).
    std::string_view name = value.substr(at + 1, semicolon - at - 1);
    std::string_view decoded;
    for (const auto& entity : kEntities) {
      if (entity[0].starts_with(name)) {
        decoded = entity[1];
        break;
      }
    }
    if (decoded.empty()) {
      out.push_back('&');
      ++at;
      continue;
    }
    out.append(decoded);
    at = semicolon + 1;
  }
  return out;
}

}  // namespace sipfleet::scenario
