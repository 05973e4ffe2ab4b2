#include "common/auth/auth_params.h"

#include <cctype>
#include <optional>

#include "absl/status/status.h"
#include "common/base/strings.h"

namespace sipfleet::auth {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// RFC 3261 §25.1 token characters.
bool IsTokenChar(char c) {
  if (std::isalnum(static_cast<unsigned char>(c))) return true;
  switch (c) {
    case '-':
    case '.':
    case '!':
    case '%':
    case '*':
    case '_':
    case '+':
    case '`':
    case '\'':
    case '~':
      return true;
    default:
      return false;
  }
}

// Characters ending an unquoted parameter value (as SIPp reads them).
bool EndsBareValue(char c) { return IsBlank(c) || c == ',' || c == '"'; }

class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}

  bool AtEnd() const { return position_ >= text_.size(); }
  char Peek() const { return text_[position_]; }
  size_t position() const { return position_; }
  void Rewind(size_t position) { position_ = position; }

  void SkipBlanks() {
    while (!AtEnd() && IsBlank(Peek())) ++position_;
  }
  void SkipBlanksAndCommas() {
    while (!AtEnd() && (IsBlank(Peek()) || Peek() == ',')) ++position_;
  }
  bool Consume(char c) {
    if (AtEnd() || Peek() != c) return false;
    ++position_;
    return true;
  }
  std::string_view ReadToken() { return ReadWhile(IsTokenChar); }
  std::string_view ReadBareValue() {
    return ReadWhile([](char c) { return !EndsBareValue(c); });
  }

  // Reads a quoted-string starting at the current '"'; nullopt if it is not
  // terminated.
  std::optional<std::string> ReadQuoted() {
    ++position_;  // the opening quote
    std::string value;
    while (!AtEnd()) {
      char c = text_[position_++];
      if (c == '"') return value;
      if (c == '\\' && !AtEnd()) c = text_[position_++];
      value.push_back(c);
    }
    return std::nullopt;
  }

 private:
  template <typename Predicate>
  std::string_view ReadWhile(Predicate predicate) {
    size_t start = position_;
    while (!AtEnd() && predicate(Peek())) ++position_;
    return text_.substr(start, position_ - start);
  }

  std::string_view text_;
  size_t position_ = 0;
};

absl::Status ErrorAt(std::string_view what, const Cursor& cursor) {
  return absl::InvalidArgumentError(
      base::Cat("malformed auth header: ", what, " at offset ", cursor.position()));
}

// True when a bare token just read continues an unquoted qop list.
bool ContinuesQopList(const AuthElement& element, const Cursor& cursor) {
  return !element.params.empty() && EqualsIgnoreCase(element.params.back().name, "qop") &&
         (cursor.AtEnd() || cursor.Peek() == ',');
}

// Reads the value after "name=": quoted or bare.
absl::StatusOr<std::string> ReadValue(Cursor& cursor) {
  if (cursor.AtEnd() || cursor.Peek() != '"') return std::string(cursor.ReadBareValue());
  std::optional<std::string> quoted = cursor.ReadQuoted();
  if (!quoted.has_value()) return ErrorAt("unterminated quoted-string", cursor);
  return *quoted;
}

// Reads the parameters of `element` up to the end of the value or the scheme
// of the next challenge, which is left unread.
absl::Status ReadParams(Cursor& cursor, AuthElement& element) {
  while (true) {
    cursor.SkipBlanksAndCommas();
    if (cursor.AtEnd()) return absl::OkStatus();
    size_t start = cursor.position();
    std::string_view name = cursor.ReadToken();
    if (name.empty()) return ErrorAt(base::Cat("unexpected '", cursor.Peek(), "'"), cursor);
    cursor.SkipBlanks();
    if (cursor.Consume('=')) {
      cursor.SkipBlanks();
      absl::StatusOr<std::string> value = ReadValue(cursor);
      if (!value.ok()) return value.status();
      element.params.push_back({std::string(name), *std::move(value)});
    } else if (ContinuesQopList(element, cursor)) {
      base::Append(&element.params.back().value, ',', name);
    } else {
      cursor.Rewind(start);  // the next challenge's scheme
      return absl::OkStatus();
    }
  }
}

}  // namespace

const std::string* AuthElement::Find(std::string_view name) const {
  for (const AuthParam& param : params) {
    if (EqualsIgnoreCase(param.name, name)) return &param.value;
  }
  return nullptr;
}

absl::StatusOr<std::vector<AuthElement>> ParseAuthElements(std::string_view value) {
  std::vector<AuthElement> elements;
  Cursor cursor(value);
  while (true) {
    cursor.SkipBlanksAndCommas();
    if (cursor.AtEnd()) return elements;
    std::string_view scheme = cursor.ReadToken();
    if (scheme.empty()) {
      return ErrorAt(base::Cat("expected an auth scheme, not '", cursor.Peek(), "'"), cursor);
    }
    AuthElement element;
    element.scheme = std::string(scheme);
    if (absl::Status status = ReadParams(cursor, element); !status.ok()) return status;
    elements.push_back(std::move(element));
  }
}

std::string QuoteString(std::string_view text) {
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') quoted.push_back('\\');
    quoted.push_back(c);
  }
  quoted.push_back('"');
  return quoted;
}


}  // namespace sipfleet::auth
