#include "common/runtime/last_message.h"

#include <algorithm>

namespace sipfleet::runtime {
namespace {

using scenario::Element;
using scenario::Keyword;
using scenario::MessageTemplate;

// Reads a template (and its keyword arguments): whether it may read the last
// message, and the header names it needs.
class TemplateScan {
 public:
  bool Uses(const MessageTemplate* tmpl) {
    if (tmpl == nullptr) return false;
    bool uses = false;
    for (const scenario::Segment& s : tmpl->segments()) {
      switch (s.keyword) {
        case Keyword::kLastHeader:
          Need(s.text);
          uses = true;
          break;
        case Keyword::kLastRequestUri:
          Need("To");
          uses = true;
          break;
        case Keyword::kLastCseqNumber:
          Need("CSeq");
          uses = true;
          break;
        case Keyword::kLastMessage:
          whole = true;
          uses = true;
          break;
        default:
          break;
      }
      if (s.args != nullptr) {
        for (const auto& arg : *s.args) uses = Uses(arg.get()) || uses;
      }
    }
    return uses;
  }
  bool UsesElement(const Element& element) {
    bool uses = Uses(element.message.get());
    for (const scenario::Action& action : element.actions) {
      uses = Uses(action.text.get()) || uses;
      uses = Uses(action.text2.get()) || uses;
    }
    return uses;
  }

  bool whole = false;
  std::vector<std::string> headers;

 private:
  void Need(std::string_view name) {
    for (const std::string& known : headers) {
      if (sip::SameHeaderName(known, name)) return;
    }
    headers.emplace_back(name);
  }
};

// True if the scenario can reach a send from places a forward walk does not
// see (jumps, timeouts, the unexpected-message label).
bool HasJumps(const scenario::Scenario& scenario) {
  if (scenario.unexpected_label >= 0) return true;
  for (const Element& element : scenario.elements) {
    if (element.next >= 0 || element.on_timeout >= 0) return true;
    for (const scenario::Action& action : element.actions) {
      if (action.kind == scenario::ActionKind::kJump ||
          action.kind == scenario::ActionKind::kPauseRestore) {
        return true;
      }
    }
  }
  return false;
}

}  // namespace

LastMessagePolicy::LastMessagePolicy(const scenario::Scenario& scenario) {
  const size_t count = scenario.elements.size();
  TemplateScan scan;
  std::vector<bool> uses(count, false);
  bool everywhere = HasJumps(scenario);
  for (size_t i = 0; i < count; ++i) {
    const Element& element = scenario.elements[i];
    uses[i] = scan.UsesElement(element);
    // Re-expanded at any time: the INVITE (CANCEL/BYE/ACK built from it) and
    // an ACK (resent when the 2xx is).
    std::string_view method = element.message ? element.message->method() : "";
    if (uses[i] && element.kind == scenario::ElementKind::kSend &&
        (method == "INVITE" || method == "ACK")) {
      everywhere = true;
    }
  }
  for (const auto& tmpl : scenario.default_messages) everywhere = scan.Uses(tmpl.get()) || everywhere;
  whole_ = scan.whole;
  if (!whole_) headers_ = std::move(scan.headers);
  keep_after_.assign(count, false);
  for (size_t i = 0; i < count; ++i) {
    const Element& element = scenario.elements[i];
    if (!element.is_recv()) continue;
    bool keep = everywhere || uses[i] || !element.advance_state;
    for (size_t k = i + 1; !keep && k < count; ++k) {
      keep = uses[k];
      const Element& later = scenario.elements[k];
      if (later.is_recv() && later.optional == scenario::Optional::kNo) break;
    }
    keep_after_[i] = keep;
  }
}

void LastMessagePolicy::Keep(const sip::Message& message, std::string* out) const {
  std::string_view raw = message.raw();
  if (whole_) {
    out->assign(raw);
    return;
  }
  out->clear();
  size_t start_end = raw.find('\n');
  out->append(raw.substr(0, start_end == std::string_view::npos ? raw.size() : start_end + 1));
  for (const sip::HeaderField& header : message.headers()) {
    for (const std::string& name : headers_) {
      if (!sip::SameHeaderName(header.name, name)) continue;
      out->append(header.line);
      out->append("\r\n");
      break;
    }
  }
  out->append("\r\n");
}

}  // namespace sipfleet::runtime
