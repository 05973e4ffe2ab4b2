#include "common/scenario/attribute_check.h"

#include <initializer_list>
#include <span>

#include "common/base/strings.h"
#include "common/scenario/loader_internal.h"

namespace sipfleet::scenario::internal {
namespace {

using Names = std::initializer_list<std::string_view>;

// What the loader reads (loader.cc LoadCommon, LoadSend, LoadRecv, LoadPause,
// LoadTwinCommand; action_loader.cc; distribution.cc's parameters). A new
// attribute read there belongs here too, or it draws a warning.
const Names kCommon = {"next",  "ontimeout", "test", "chance", "condexec",
                           "condexec_inverse", "start_rtd", "rtd", "repeat_rtd",
                           "counter", "crlf", "hide", "display", "lost"};
const Names kDistribution = {"distribution", "sanity_check", "value", "min", "max",
                                 "mean", "stdev", "lambda", "k", "x_m", "shape", "scale",
                                 "location", "theta", "n", "p"};
// SIPp's legacy <pause> shorthands (distribution.cc kLegacyShorthands).
const Names kLegacyPause = {"normal", "exponential", "lognormal", "weibull", "pareto",
                                "gamma"};
const Names kCheckIt = {"check_it", "check_it_inverse"};

struct Known {
  std::string_view element;
  Names names;
};

// Elements of the scenario body (plus kCommon) and top-level elements.
const Known kElements[] = {
    {"send", {"retrans", "timeout", "start_txn", "ack_txn"}},
    {"recv",
     {"response", "request", "regexp_match", "optional", "advance_state", "rrs", "auth",
      "response_txn", "timeout"}},
    {"pause", {"variable", "milliseconds"}},
    {"timewait", {"variable", "milliseconds"}},
    {"nop", {}},
    {"sendCmd", {"dest"}},
    {"recvCmd", {"src", "optional", "timeout"}},
};
const Known kOthers[] = {
    {"scenario", {"name"}},
    {"label", {"id"}},
    {"Global", {"variables"}},
    {"User", {"variables"}},
    {"Reference", {"variables"}},
    {"DefaultMessage", {"id"}},
    {"ResponseTimeRepartition", {"value"}},
    {"CallLengthRepartition", {"value"}},
    {"init", {}},
    {"action", {}},
};
// <action> children.
const Known kActions[] = {
    {"ereg",
     {"regexp", "search_in", "header", "case_indep", "occurrence", "occurence", "start_line",
      "check_it", "check_it_inverse", "assign_to", "variable"}},
    {"log", {"message"}},
    {"warning", {"message"}},
    {"error", {"message"}},
    {"assign", {"assign_to", "value", "variable"}},
    {"add", {"assign_to", "value", "variable"}},
    {"subtract", {"assign_to", "value", "variable"}},
    {"multiply", {"assign_to", "value", "variable"}},
    {"divide", {"assign_to", "value", "variable"}},
    {"assignstr", {"assign_to", "value"}},
    {"todouble", {"assign_to", "variable"}},
    {"test", {"assign_to", "variable", "compare", "value", "variable2"}},
    {"strcmp", {"assign_to", "variable", "value", "variable2"}},
    {"trim", {"assign_to"}},
    {"index", {"assign_to"}},
    {"jump", {"value", "variable"}},
    {"pauserestore", {"value", "variable"}},
    {"gettimeofday", {"assign_to"}},
    {"lookup", {"assign_to", "file", "key"}},
    {"insert", {"file", "value"}},
    {"replace", {"file", "value", "line"}},
    {"verifyauth", {"assign_to", "username", "password"}},
    {"setdest", {"host", "port", "protocol"}},
    {"closecon", {}},
    {"urlencode", {"variable"}},
    {"urldecode", {"variable"}},
    {"exec",
     {"command", "int_cmd", "play_pcap_audio", "play_pcap_video", "play_pcap_image", "play_dtmf",
      "rtp_stream", "rtp_echo"}},
    {"rtp_echo", {"value"}},
    {"sample", {"assign_to"}},
};

const Known* Find(std::span<const Known> table, std::string_view element) {
  for (const Known& known : table) {
    if (known.element == element) return &known;
  }
  return nullptr;
}

// The names an element accepts, or empty if the element is unknown.
std::vector<std::string_view> KnownNames(std::string_view element, bool in_action) {
  std::vector<std::string_view> names;
  auto add = [&names](Names more) { names.insert(names.end(), more.begin(), more.end()); };
  if (in_action) {
    const Known* known = Find(kActions, element);
    if (known == nullptr) return names;
    add(known->names);
    if (element == "test" || element == "strcmp") add(kCheckIt);
    if (element == "sample") add(kDistribution);
    return names;
  }
  if (const Known* known = Find(kElements, element)) {
    add(kCommon);
    add(known->names);
    if (element == "pause" || element == "timewait") {
      add(kDistribution);
      add(kLegacyPause);
    }
  } else if (const Known* other = Find(kOthers, element)) {
    add(other->names);
    if (names.empty()) names.push_back("");  // known, takes no attribute
  }
  return names;
}

void CheckNode(const pugi::xml_node& node, bool in_action, std::string_view file_name,
               const LineIndex& lines, std::vector<std::string>* warnings) {
  std::string_view element = node.name();
  const std::vector<std::string_view> names = KnownNames(element, in_action);
  if (!names.empty()) {
    for (const pugi::xml_attribute& attr : node.attributes()) {
      std::string_view name = attr.name();
      if (std::find(names.begin(), names.end(), name) != names.end()) continue;
      std::string warning = base::Cat(file_name, ":", lines.LineOf(node.offset_debug()),
                                      ": warning: unknown attribute '", name, "' on <", element,
                                      ">");
      // names == {""} for an element that takes no attribute: closest "".
      std::string_view closest = base::ClosestName(name, names);
      if (closest.empty()) {
        base::Append(&warning, " (it takes none)");
      } else {
        base::Append(&warning, " (closest known: '", closest, "')");
      }
      warnings->push_back(std::move(warning));
    }
  }
  for (const pugi::xml_node& child : node.children()) {
    if (child.type() != pugi::node_element) continue;
    CheckNode(child, in_action || element == "action", file_name, lines, warnings);
  }
}

}  // namespace

std::vector<std::string> CheckAttributes(const pugi::xml_node& root, std::string_view file_name,
                                         const LineIndex& lines) {
  std::vector<std::string> warnings;
  CheckNode(root, false, file_name, lines, &warnings);
  return warnings;
}

}  // namespace sipfleet::scenario::internal
