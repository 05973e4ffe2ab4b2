#include "common/sip/route_set.h"

#include <algorithm>

#include "common/base/strings.h"

namespace sipfleet::sip {
namespace {

// True if the URI of route entry `entry` has the lr parameter (RFC 3261
// §19.1.1: a loose router).
bool IsLooseRouter(std::string_view entry) {
  std::string_view uri = entry;
  size_t open = entry.find('<');
  if (open != std::string_view::npos) {
    size_t close = entry.find('>', open);
    if (close == std::string_view::npos) close = entry.size();
    uri = entry.substr(open + 1, close - open - 1);
  }
  for (size_t at = uri.find(";lr"); at != std::string_view::npos; at = uri.find(";lr", at + 3)) {
    size_t end = at + 3;
    if (end == uri.size() || uri[end] == ';' || uri[end] == '=' || uri[end] == '?') return true;
  }
  return false;
}

}  // namespace

std::vector<std::string_view> SplitHeaderValues(std::string_view value) {
  std::vector<std::string_view> values;
  auto add = [&](size_t begin, size_t end) {
    std::string_view piece = base::TrimBlanks(value.substr(begin, end - begin));
    if (!piece.empty()) values.push_back(piece);
  };
  size_t start = 0;
  bool in_quotes = false;
  bool in_angle = false;
  for (size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    if (in_quotes) {
      if (c == '\\') {
        ++i;  // a quoted-pair
      } else if (c == '"') {
        in_quotes = false;
      }
    } else if (c == '"') {
      in_quotes = true;
    } else if (c == '<') {
      in_angle = true;
    } else if (c == '>') {
      in_angle = false;
    } else if (c == ',' && !in_angle) {
      add(start, i);
      start = i + 1;
    }
  }
  add(start, value.size());
  return values;
}

std::string_view AddressUri(std::string_view value) {
  size_t open = value.find('<');
  if (open != std::string_view::npos) {
    size_t close = value.find('>', open);
    if (close != std::string_view::npos) return value.substr(open + 1, close - open - 1);
  }
  return base::TrimBlanks(value.substr(0, value.find(';')));
}

std::optional<DialogRoute> ComputeDialogRoute(const Message& message) {
  const HeaderField* contact = message.FindHeader("Contact");
  if (contact == nullptr || contact->value.empty()) return std::nullopt;
  std::vector<std::string_view> entries;
  for (const HeaderField* header : message.FindAll("Record-Route")) {
    for (std::string_view entry : SplitHeaderValues(header->value)) entries.push_back(entry);
  }
  if (!message.is_request()) std::reverse(entries.begin(), entries.end());
  DialogRoute route;
  size_t first_route = 0;
  if (!entries.empty() && !IsLooseRouter(entries.front())) {
    // §12.2.1.1: a strict router gets the request itself; the remote
    // target travels as the last route.
    route.next_url = std::string(AddressUri(entries.front()));
    entries.push_back(contact->value);
    first_route = 1;
  } else {
    route.next_url = std::string(AddressUri(contact->value));
  }
  for (size_t i = first_route; i < entries.size(); ++i) {
    if (!route.routes.empty()) route.routes.append(", ");
    route.routes.append(entries[i]);
  }
  return route;
}

}  // namespace sipfleet::sip
