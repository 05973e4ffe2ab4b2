#include "common/scenario/loader.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "common/base/strings.h"
#include "pugixml.hpp"

namespace sipfleet::scenario {
namespace {

// Attributes of §3.2/§3.1 that SIPp knows and a later issue implements. They
// are refused by name rather than ignored, so a scenario never silently runs
// differently from SIPp.
constexpr std::string_view kNotYetAttributes[] = {
    "test",      "chance",      "condexec",      "condexec_inverse",
    "start_txn", "ack_txn",     "response_txn",  "regexp_match",
    "rrs",       "auth",        "advance_state", "hiderest",
    "ignoresdp", "variable",    "distribution",  "sanity_check",
    "normal",    "exponential", "lognormal",     "weibull",
    "pareto",    "gamma",       "min",           "max",
};

constexpr std::string_view kNotYetElements[] = {"sendCmd", "recvCmd",   "init",          "Global",
                                                "User",    "Reference", "DefaultMessage"};

// Maps byte offsets to 1-based line numbers.
class LineIndex {
 public:
  explicit LineIndex(std::string_view text) {
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\n') newlines_.push_back(i);
    }
  }
  int LineOf(ptrdiff_t offset) const {
    if (offset < 0) return 0;
    return static_cast<int>(
               std::upper_bound(newlines_.begin(), newlines_.end(), static_cast<size_t>(offset)) -
               newlines_.begin()) +
           1;
  }

 private:
  std::vector<size_t> newlines_;
};

class Loader {
 public:
  Loader(std::string_view text, std::string_view file_name, const LoadOptions& options)
      : text_(text), file_name_(file_name), options_(options), lines_(text) {}

  absl::StatusOr<std::shared_ptr<const Scenario>> Load();

 private:
  absl::Status Error(const pugi::xml_node& node, std::string_view what) const {
    return absl::InvalidArgumentError(base::Cat(file_name_, ":", Line(node), ": ", what));
  }
  absl::Status Unsupported(const pugi::xml_node& node, std::string_view what) const {
    return absl::UnimplementedError(
        base::Cat(file_name_, ":", Line(node), ": ", what, " is not supported yet"));
  }
  int Line(const pugi::xml_node& node) const { return lines_.LineOf(node.offset_debug()); }

  absl::Status LoadElement(const pugi::xml_node& node);
  absl::Status CheckAttributes(const pugi::xml_node& node);
  absl::Status LoadCommon(const pugi::xml_node& node, Element* element);
  absl::Status LoadSend(const pugi::xml_node& node, Element* element);
  absl::Status LoadRecv(const pugi::xml_node& node, Element* element);
  absl::Status LoadPause(const pugi::xml_node& node, Element* element);
  absl::Status LoadRepartition(const pugi::xml_node& node, std::vector<int>* out);
  absl::Status ResolveLabels();
  absl::Status Validate();
  absl::StatusOr<int> ParseInt(const pugi::xml_node& node, const pugi::xml_attribute& attr,
                               int min_value) const;
  template <typename T>
  absl::Status ReadIntAttribute(const pugi::xml_node& node, const char* name, int min_value,
                                T* out) const;
  RtdIndex RtdFor(std::string_view name);

  std::string_view text_;
  std::string file_name_;
  const LoadOptions& options_;
  LineIndex lines_;
  std::shared_ptr<Scenario> scenario_ = std::make_shared<Scenario>();
  // Unresolved label references: (element index, label, is_ontimeout, node).
  struct LabelRef {
    size_t element;
    std::string label;
    bool on_timeout;
    pugi::xml_node node;
  };
  std::vector<LabelRef> label_refs_;
  std::vector<pugi::xml_node> element_nodes_;
};

absl::StatusOr<std::shared_ptr<const Scenario>> Loader::Load() {
  pugi::xml_document doc;
  pugi::xml_parse_result parsed =
      doc.load_buffer(text_.data(), text_.size(), pugi::parse_default | pugi::parse_comments);
  if (!parsed) {
    return absl::InvalidArgumentError(base::Cat(file_name_, ":", lines_.LineOf(parsed.offset),
                                                ": XML syntax error: ", parsed.description()));
  }
  pugi::xml_node root = doc.child("scenario");
  if (!root) {
    return absl::InvalidArgumentError(base::Cat(file_name_, ":1: no <scenario> root element"));
  }
  scenario_->name = root.attribute("name").as_string();
  scenario_->file_name = file_name_;
  std::string_view stem = file_name_;
  if (size_t slash = stem.rfind('/'); slash != std::string_view::npos)
    stem.remove_prefix(slash + 1);
  if (stem.ends_with(".xml")) stem.remove_suffix(4);
  scenario_->stem = std::string(stem);

  for (pugi::xml_node node : root.children()) {
    if (node.type() != pugi::node_element) continue;
    if (absl::Status status = LoadElement(node); !status.ok()) return status;
  }
  if (scenario_->elements.empty()) {
    return Error(root, "scenario has no <send>, <recv>, <pause> or <nop> element");
  }
  if (absl::Status status = ResolveLabels(); !status.ok()) return status;
  if (absl::Status status = Validate(); !status.ok()) return status;
  return std::shared_ptr<const Scenario>(std::move(scenario_));
}

absl::Status Loader::LoadElement(const pugi::xml_node& node) {
  std::string_view name = node.name();
  for (std::string_view not_yet : kNotYetElements) {
    if (name == not_yet) return Unsupported(node, base::Cat("element <", name, ">"));
  }
  if (name == "label") {
    std::string id = node.attribute("id").as_string();
    if (id.empty()) return Error(node, "<label> needs an 'id'");
    if (!scenario_->labels.emplace(id, scenario_->elements.size()).second) {
      return Error(node, base::Cat("duplicate label '", id, "'"));
    }
    return absl::OkStatus();
  }
  if (name == "ResponseTimeRepartition") {
    return LoadRepartition(node, &scenario_->response_time_repartition_ms);
  }
  if (name == "CallLengthRepartition") {
    return LoadRepartition(node, &scenario_->call_length_repartition_ms);
  }
  Element element;
  element.line = Line(node);
  if (name == "send") {
    element.kind = ElementKind::kSend;
  } else if (name == "recv") {
    element.kind = ElementKind::kRecv;
  } else if (name == "pause" || name == "timewait") {
    element.kind = ElementKind::kPause;
    element.timewait = name == "timewait";
  } else if (name == "nop") {
    element.kind = ElementKind::kNop;
  } else {
    return Error(node, base::Cat("unknown element <", name, ">"));
  }
  if (absl::Status status = CheckAttributes(node); !status.ok()) return status;
  if (absl::Status status = LoadCommon(node, &element); !status.ok()) return status;
  absl::Status status;
  switch (element.kind) {
    case ElementKind::kSend:
      status = LoadSend(node, &element);
      break;
    case ElementKind::kRecv:
      status = LoadRecv(node, &element);
      break;
    case ElementKind::kPause:
      status = LoadPause(node, &element);
      break;
    default:
      break;
  }
  if (!status.ok()) return status;
  for (pugi::xml_node child : node.children()) {
    if (child.type() != pugi::node_element) continue;
    if (std::string_view(child.name()) == "action") return Unsupported(child, "<action>");
    return Error(child, base::Cat("unexpected element <", child.name(), "> inside <", name, ">"));
  }
  scenario_->elements.push_back(std::move(element));
  element_nodes_.push_back(node);
  return absl::OkStatus();
}

absl::Status Loader::CheckAttributes(const pugi::xml_node& node) {
  for (pugi::xml_attribute attr : node.attributes()) {
    for (std::string_view not_yet : kNotYetAttributes) {
      if (not_yet == attr.name()) {
        return Unsupported(node, base::Cat("attribute '", attr.name(), "' on <", node.name(), ">"));
      }
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<int> Loader::ParseInt(const pugi::xml_node& node, const pugi::xml_attribute& attr,
                                     int min_value) const {
  int value = 0;
  if (!base::ParseInt(base::TrimBlanks(attr.value()), &value) || value < min_value) {
    return Error(node,
                 base::Cat("invalid value '", attr.value(), "' for attribute '", attr.name(), "'"));
  }
  return value;
}

// Reads optional integer attribute `name` (>= min_value) into *out; leaves
// *out unchanged when the attribute is absent.
template <typename T>
absl::Status Loader::ReadIntAttribute(const pugi::xml_node& node, const char* name, int min_value,
                                      T* out) const {
  pugi::xml_attribute attr = node.attribute(name);
  if (!attr) return absl::OkStatus();
  absl::StatusOr<int> value = ParseInt(node, attr, min_value);
  if (!value.ok()) return value.status();
  *out = *value;
  return absl::OkStatus();
}

RtdIndex Loader::RtdFor(std::string_view name) {
  std::string key = name == "true" ? "1" : std::string(name);
  auto& names = scenario_->rtd_names;
  auto it = std::find(names.begin(), names.end(), key);
  if (it != names.end()) return static_cast<RtdIndex>(it - names.begin());
  names.push_back(key);
  return static_cast<RtdIndex>(names.size() - 1);
}

absl::Status Loader::LoadCommon(const pugi::xml_node& node, Element* element) {
  size_t index = scenario_->elements.size();
  if (auto next = node.attribute("next")) {
    label_refs_.push_back({index, next.value(), false, node});
  }
  if (auto on_timeout = node.attribute("ontimeout")) {
    label_refs_.push_back({index, on_timeout.value(), true, node});
  }
  for (const char* attr_name : {"start_rtd", "rtd"}) {
    if (auto attr = node.attribute(attr_name)) {
      for (std::string_view name : base::SplitTrimmed(attr.value(), ',')) {
        if (name == "false") continue;
        RtdIndex rtd = RtdFor(name);
        (std::string_view(attr_name) == "rtd" ? element->stop_rtds : element->start_rtds)
            .push_back(rtd);
      }
    }
  }
  element->repeat_rtd = node.attribute("repeat_rtd").as_bool(false);
  if (auto counter = node.attribute("counter")) {
    auto& names = scenario_->counter_names;
    auto it = std::find(names.begin(), names.end(), counter.value());
    element->counter = static_cast<int>(it - names.begin());
    if (it == names.end()) names.push_back(counter.value());
  }
  element->crlf = node.attribute("crlf").as_bool(false);
  element->hide = node.attribute("hide").as_bool(false);
  element->display = node.attribute("display").as_string();
  if (absl::Status status = ReadIntAttribute(node, "lost", 0, &element->lost_percent);
      !status.ok()) {
    return status;
  }
  return absl::OkStatus();
}

absl::Status Loader::LoadSend(const pugi::xml_node& node, Element* element) {
  if (absl::Status status = ReadIntAttribute(node, "retrans", 0, &element->retrans_ms);
      !status.ok()) {
    return status;
  }
  if (absl::Status status = ReadIntAttribute(node, "timeout", 0, &element->timeout_ms);
      !status.ok()) {
    return status;
  }
  std::string cdata;
  for (pugi::xml_node child : node.children()) {
    if (child.type() == pugi::node_cdata || child.type() == pugi::node_pcdata) {
      cdata.append(child.value());
    }
  }
  MessageTemplate::Options template_options{&options_.generic_keys};
  absl::StatusOr<MessageTemplate> compiled = MessageTemplate::Compile(cdata, template_options);
  if (!compiled.ok()) {
    std::string what(compiled.status().message());
    if (absl::IsUnimplemented(compiled.status())) {
      return absl::UnimplementedError(base::Cat(file_name_, ":", Line(node), ": ", what));
    }
    return Error(node, what);
  }
  if (compiled->uses_last_message()) scenario_->needs_last_message = true;
  element->message = std::make_shared<const MessageTemplate>(*std::move(compiled));
  return absl::OkStatus();
}

absl::Status Loader::LoadRecv(const pugi::xml_node& node, Element* element) {
  pugi::xml_attribute response = node.attribute("response");
  pugi::xml_attribute request = node.attribute("request");
  if (response && request) return Error(node, "<recv> takes 'response' or 'request', not both");
  if (!response && !request) return Error(node, "<recv> needs 'response' or 'request'");
  if (response) {
    absl::StatusOr<int> code = ParseInt(node, response, 100);
    if (!code.ok() || *code > 699) {
      return Error(node,
                   base::Cat("invalid response code '", response.value(), "' (100-699 expected)"));
    }
    element->recv_response = *code;
  } else {
    element->recv_request = request.value();
    if (element->recv_request.empty()) return Error(node, "empty 'request' on <recv>");
  }
  if (auto optional = node.attribute("optional")) {
    std::string_view value = optional.value();
    if (value == "true") {
      element->optional = Optional::kYes;
    } else if (value == "global") {
      element->optional = Optional::kGlobal;
    } else if (value != "false") {
      return Error(node, base::Cat("invalid value '", value,
                                   "' for attribute 'optional' (true, false or global)"));
    }
  }
  if (absl::Status status = ReadIntAttribute(node, "timeout", 0, &element->timeout_ms);
      !status.ok()) {
    return status;
  }
  return absl::OkStatus();
}

absl::Status Loader::LoadPause(const pugi::xml_node& node, Element* element) {
  if (!node.attribute("milliseconds")) return absl::OkStatus();
  element->pause.source = PauseSpec::Source::kFixed;
  return ReadIntAttribute(node, "milliseconds", 0, &element->pause.milliseconds);
}

absl::Status Loader::LoadRepartition(const pugi::xml_node& node, std::vector<int>* out) {
  out->clear();
  for (std::string_view item : base::SplitTrimmed(node.attribute("value").as_string(), ',')) {
    int value = 0;
    if (!base::ParseInt(base::TrimBlanks(item), &value) || value <= 0 ||
        (!out->empty() && value <= out->back())) {
      return Error(node, base::Cat("invalid repartition value '", item,
                                   "' (increasing positive integers expected)"));
    }
    out->push_back(value);
  }
  return absl::OkStatus();
}

absl::Status Loader::ResolveLabels() {
  for (const LabelRef& ref : label_refs_) {
    auto it = scenario_->labels.find(ref.label);
    if (it == scenario_->labels.end()) {
      return Error(ref.node, base::Cat(ref.on_timeout ? "'ontimeout'" : "'next'",
                                       " refers to undefined label '", ref.label, "'"));
    }
    Element& element = scenario_->elements[ref.element];
    (ref.on_timeout ? element.on_timeout : element.next) = it->second;
  }
  return absl::OkStatus();
}

absl::Status Loader::Validate() {
  auto& elements = scenario_->elements;
  std::string methods;
  bool mode_known = false;
  for (size_t i = 0; i < elements.size(); ++i) {
    Element& element = elements[i];
    const pugi::xml_node& node = element_nodes_[i];
    if (!mode_known && (element.kind == ElementKind::kSend || element.kind == ElementKind::kRecv)) {
      scenario_->mode = element.kind == ElementKind::kSend ? Mode::kClient : Mode::kServer;
      mode_known = true;
    }
    if (element.kind == ElementKind::kRecv) element.prior_request_methods = methods;
    if (element.is_send_request()) methods.append(element.message->method());
    if (element.timewait) {
      if (i + 1 != elements.size()) return Error(node, "<timewait> must be the last element");
      if (element.next != kNoIndex || element.on_timeout != kNoIndex) {
        return Error(node, "'next' and 'ontimeout' are not allowed on <timewait>");
      }
    }
    if (element.on_timeout != kNoIndex && element.kind != ElementKind::kRecv &&
        element.kind != ElementKind::kSend) {
      return Error(node, "'ontimeout' is only allowed on <recv> and <send>");
    }
  }
  if (!mode_known)
    return absl::InvalidArgumentError(
        base::Cat(file_name_, ":1: scenario has no <send> or <recv>"));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::shared_ptr<const Scenario>> LoadScenario(std::string_view xml_text,
                                                             std::string_view file_name,
                                                             const LoadOptions& options) {
  return Loader(xml_text, file_name, options).Load();
}

absl::StatusOr<std::shared_ptr<const Scenario>> LoadScenarioFile(const std::string& path,
                                                                 const LoadOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(base::Cat(path, ": cannot open scenario file"));
  std::ostringstream text;
  text << in.rdbuf();
  return LoadScenario(text.str(), path, options);
}

}  // namespace sipfleet::scenario
