#include "common/scenario/loader.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "common/base/strings.h"
#include "common/distribution/distribution.h"
#include "common/scenario/dialect.h"
#include "common/scenario/attribute_check.h"
#include "common/scenario/loader_internal.h"
#include "pugixml.hpp"

namespace sipfleet::scenario {
namespace internal {
namespace {

// <DefaultMessage id="..."> names, in DefaultMessageId order (§3.1).
constexpr std::string_view kDefaultMessageNames[] = {"3pcc_abort", "ack", "ack2",
                                                     "bye",        "cancel", "200"};

constexpr std::string_view kUnexpectedLabel = "_unexp.main";

}  // namespace

LineIndex::LineIndex(std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') newlines_.push_back(i);
  }
}

int LineIndex::LineOf(ptrdiff_t offset) const {
  if (offset < 0) return 0;
  return static_cast<int>(std::upper_bound(newlines_.begin(), newlines_.end(),
                                           static_cast<size_t>(offset)) -
                          newlines_.begin()) +
         1;
}

Loader::Loader(std::string_view text, std::string_view file_name, const LoadOptions& options)
    : text_(text), file_name_(file_name), options_(options), lines_(text) {
  main_.elements = &scenario_->elements;
  main_.labels = &scenario_->labels;
  init_.elements = &scenario_->init_elements;
  init_.labels = &init_labels_;
}

absl::Status Loader::Error(const pugi::xml_node& node, std::string_view what) const {
  return absl::InvalidArgumentError(base::Cat(file_name_, ":", Line(node), ": ", what));
}

absl::Status Loader::Unsupported(const pugi::xml_node& node, std::string_view what) const {
  return absl::UnimplementedError(
      base::Cat(file_name_, ":", Line(node), ": ", what, " is not supported yet"));
}

absl::Status Loader::Locate(const pugi::xml_node& node, const absl::Status& status) const {
  return absl::Status(status.code(),
                      base::ToAbsl(base::Cat(file_name_, ":", Line(node), ": ", status.message())));
}

absl::StatusOr<std::shared_ptr<const Scenario>> Loader::Load() {
  pugi::xml_document doc;
  // text_ is RewriteSippDialect's output: attribute values are kept as
  // written (no whitespace conversion) and bytes are not transcoded (SIPp
  // ignores the declared encoding).
  constexpr unsigned kParseOptions = pugi::parse_cdata | pugi::parse_escapes | pugi::parse_eol;
  pugi::xml_parse_result parsed =
      doc.load_buffer(text_.data(), text_.size(), kParseOptions, pugi::encoding_utf8);
  if (!parsed) {
    return absl::InvalidArgumentError(base::Cat(file_name_, ":", lines_.LineOf(parsed.offset),
                                                ": XML syntax error: ", parsed.description()));
  }
  root_ = doc.child("scenario");
  if (!root_) {
    return absl::InvalidArgumentError(base::Cat(file_name_, ":1: no <scenario> root element"));
  }
  scenario_->name = root_.attribute("name").as_string();
  scenario_->warnings = CheckAttributes(root_, file_name_, lines_);
  scenario_->file_name = file_name_;
  std::string_view stem = file_name_;
  if (size_t slash = stem.rfind('/'); slash != std::string_view::npos) stem.remove_prefix(slash + 1);
  if (stem.ends_with(".xml")) stem.remove_suffix(4);
  scenario_->stem = std::string(stem);
  scenario_->default_messages.resize(static_cast<size_t>(DefaultMessageId::kCount));

  if (absl::Status status = DeclareVariables(); !status.ok()) return status;
  for (pugi::xml_node node : root_.children()) {
    if (node.type() != pugi::node_element) continue;
    if (absl::Status status = LoadTopLevel(node); !status.ok()) return status;
  }
  if (scenario_->elements.empty()) {
    return Error(root_, "scenario has no <send>, <recv>, <pause> or <nop> element");
  }
  for (Block* block : {&main_, &init_}) {
    if (absl::Status status = ResolveLabels(block); !status.ok()) return status;
  }
  if (absl::Status status = Validate(); !status.ok()) return status;
  return std::shared_ptr<const Scenario>(std::move(scenario_));
}

// <Global>, <User> and <Reference> may appear anywhere; they are read first
// so every later mention resolves to the right scope.
absl::Status Loader::DeclareVariables() {
  for (const std::string& name : options_.global_variables) {
    if (!scenario_->variables.contains(name)) {
      scenario_->variables[name] = {VarScope::kGlobal,
                                    static_cast<int16_t>(scenario_->global_variables.size())};
      scenario_->global_variables.push_back(name);
    }
    variable_uses_[name].referenced = true;
  }
  for (pugi::xml_node node : root_.children()) {
    std::string_view element = node.name();
    if (element != "Global" && element != "User" && element != "Reference") continue;
    pugi::xml_attribute names = node.attribute("variables");
    if (!names) return Error(node, base::Cat("<", element, "> needs a 'variables' attribute"));
    for (std::string_view name : base::SplitTrimmed(names.value(), ',')) {
      std::string key(name);
      if (element == "Reference") {
        variable_uses_[key].referenced = true;
        continue;
      }
      if (scenario_->variables.contains(key)) {
        return Error(node, base::Cat("variable '", name, "' is declared twice"));
      }
      std::vector<std::string>& table =
          element == "Global" ? scenario_->global_variables : scenario_->user_variables;
      scenario_->variables[key] = {element == "Global" ? VarScope::kGlobal : VarScope::kUser,
                                   static_cast<int16_t>(table.size())};
      table.push_back(key);
      variable_uses_[key].referenced = true;  // a declaration is a use in SIPp
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<VariableRef> Loader::UseVariable(const pugi::xml_node& node, std::string_view name) {
  if (name.empty()) return Error(node, "empty variable name");
  std::string key(name);
  VariableUse& use = variable_uses_[key];
  if (use.uses++ == 0) use.first_line = Line(node);
  auto it = scenario_->variables.find(key);
  if (it != scenario_->variables.end()) return it->second;
  if (scenario_->call_variables.size() >= 32000) return Error(node, "too many variables");
  VariableRef ref{VarScope::kCall, static_cast<int16_t>(scenario_->call_variables.size())};
  scenario_->call_variables.push_back(key);
  scenario_->variables[key] = ref;
  scenario_->needs_call_extras = true;
  return ref;
}

absl::StatusOr<std::vector<VariableRef>> Loader::UseVariableList(const pugi::xml_node& node,
                                                                std::string_view names) {
  std::vector<VariableRef> refs;
  for (std::string_view name : base::SplitTrimmed(names, ',')) {
    absl::StatusOr<VariableRef> ref = UseVariable(node, name);
    if (!ref.ok()) return ref.status();
    refs.push_back(*ref);
  }
  if (refs.empty()) return Error(node, "empty variable list");
  return refs;
}

absl::StatusOr<int> Loader::InjectionFileIndex(std::string_view file) const {
  const std::vector<std::string>& files = options_.injection_files;
  if (files.empty()) {
    return absl::InvalidArgumentError("an injection file is used but no -inf file was given");
  }
  if (file.empty()) return 0;
  for (size_t i = 0; i < files.size(); ++i) {
    if (files[i] == file) return static_cast<int>(i);
  }
  // SIPp also accepts the name without its directory.
  for (size_t i = 0; i < files.size(); ++i) {
    std::string_view path = files[i];
    if (size_t slash = path.rfind('/'); slash != std::string_view::npos) {
      if (path.substr(slash + 1) == file) return static_cast<int>(i);
    }
  }
  return absl::InvalidArgumentError(
      base::Cat("injection file '", file, "' was not given with -inf"));
}

MessageTemplate::Options Loader::TemplateOptions(const pugi::xml_node& node) {
  MessageTemplate::Options options;
  options.generic_keys = &options_.generic_keys;
  options.resolve_variable = [this, node](std::string_view name) -> absl::StatusOr<VariableRef> {
    return UseVariable(node, name);
  };
  options.resolve_injection_file = [this](std::string_view file) -> absl::StatusOr<int> {
    absl::StatusOr<int> index = InjectionFileIndex(file);
    if (index.ok()) {
      scenario_->uses_injection = true;
      scenario_->needs_call_extras = true;
    }
    return index;
  };
  return options;
}

// SIPp builds action texts as messages (SendingMessage), which turns every
// line feed into CRLF: a newline in an attribute value ends up as "\r\n".
absl::StatusOr<std::shared_ptr<const MessageTemplate>> Loader::CompileText(
    const pugi::xml_node& node, std::string_view text) {
  std::string crlf;
  for (char c : text) {
    if (c == '\n') crlf.push_back('\r');
    crlf.push_back(c);
  }
  absl::StatusOr<MessageTemplate> compiled =
      MessageTemplate::CompileText(crlf, TemplateOptions(node));
  if (!compiled.ok()) return Locate(node, compiled.status());
  if (compiled->uses_last_message()) scenario_->needs_last_message = true;
  return std::make_shared<const MessageTemplate>(*std::move(compiled));
}

absl::StatusOr<double> Loader::ParseDouble(const pugi::xml_node& node,
                                           const pugi::xml_attribute& attr) const {
  double value = 0;
  if (!base::ParseDouble(attr.value(), &value)) {
    return Error(node,
                 base::Cat("invalid number '", attr.value(), "' for attribute '", attr.name(), "'"));
  }
  return value;
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

absl::StatusOr<bool> Loader::ReadBool(const pugi::xml_node& node, const char* name,
                                      bool default_value) const {
  pugi::xml_attribute attr = node.attribute(name);
  if (!attr) return default_value;
  std::string_view value = attr.value();
  if (value == "true" || value == "1" || value == "yes") return true;
  if (value == "false" || value == "0" || value == "no") return false;
  return Error(node, base::Cat("invalid value '", value, "' for attribute '", name,
                               "' (true or false expected)"));
}

distribution::AttributeGetter Loader::AttributesOf(const pugi::xml_node& node) {
  return [node](std::string_view name) -> std::optional<std::string> {
    pugi::xml_attribute attr = node.attribute(std::string(name).c_str());
    if (!attr) return std::nullopt;
    return std::string(attr.value());
  };
}

absl::Status Loader::LoadTopLevel(const pugi::xml_node& node) {
  std::string_view name = node.name();
  if (name == "Global" || name == "User" || name == "Reference") return absl::OkStatus();
  if (name == "init") return LoadInit(node);
  if (name == "DefaultMessage") return LoadDefaultMessage(node);
  if (name == "ResponseTimeRepartition") {
    return LoadRepartition(node, &scenario_->response_time_repartition_ms);
  }
  if (name == "CallLengthRepartition") {
    return LoadRepartition(node, &scenario_->call_length_repartition_ms);
  }
  return LoadElement(node, &main_);
}

absl::Status Loader::LoadInit(const pugi::xml_node& node) {
  if (!scenario_->init_elements.empty()) return Error(node, "only one <init> is allowed");
  for (pugi::xml_node child : node.children()) {
    if (child.type() != pugi::node_element) continue;
    std::string_view name = child.name();
    if (name != "nop" && name != "label") {
      return Error(child, base::Cat("<", name, "> is not allowed in <init> (only <nop> and <label>)"));
    }
    if (absl::Status status = LoadElement(child, &init_); !status.ok()) return status;
  }
  return absl::OkStatus();
}

absl::Status Loader::LoadDefaultMessage(const pugi::xml_node& node) {
  std::string_view id = node.attribute("id").as_string();
  auto it = std::find(std::begin(kDefaultMessageNames), std::end(kDefaultMessageNames), id);
  if (it == std::end(kDefaultMessageNames)) {
    return Error(node, base::Cat("unknown <DefaultMessage> id '", id,
                                 "' (3pcc_abort, ack, ack2, bye, cancel or 200)"));
  }
  absl::StatusOr<std::string> cdata = CdataOf(node);
  if (!cdata.ok()) return cdata.status();
  absl::StatusOr<MessageTemplate> compiled = MessageTemplate::Compile(*cdata, TemplateOptions(node));
  if (!compiled.ok()) return Locate(node, compiled.status());
  if (compiled->uses_last_message()) scenario_->needs_last_message = true;
  scenario_->default_messages[static_cast<size_t>(it - std::begin(kDefaultMessageNames))] =
      std::make_shared<const MessageTemplate>(*std::move(compiled));
  return absl::OkStatus();
}

absl::Status Loader::LoadElement(const pugi::xml_node& node, Block* block) {
  std::string_view name = node.name();
  const size_t index = block->elements->size();
  if (name == "label") {
    std::string id = node.attribute("id").as_string();
    if (id.empty()) return Error(node, "<label> needs an 'id'");
    if (!block->labels->emplace(id, static_cast<int>(index)).second) {
      return Error(node, base::Cat("duplicate label '", id, "'"));
    }
    if (block == &main_ && id == kUnexpectedLabel) {
      scenario_->unexpected_label = static_cast<int>(index);
      absl::StatusOr<VariableRef> ret = UseVariable(node, "_unexp.retaddr");
      absl::StatusOr<VariableRef> paused = UseVariable(node, "_unexp.pausedaddr");
      if (!ret.ok()) return ret.status();
      if (!paused.ok()) return paused.status();
      scenario_->unexpected_return = *ret;
      scenario_->unexpected_paused = *paused;
      variable_uses_["_unexp.retaddr"].referenced = true;
      variable_uses_["_unexp.pausedaddr"].referenced = true;
    }
    return absl::OkStatus();
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
  } else if (name == "sendCmd") {
    element.kind = ElementKind::kSendCmd;
  } else if (name == "recvCmd") {
    element.kind = ElementKind::kRecvCmd;
  } else {
    return Error(node, base::Cat("unknown element <", name, ">"));
  }
  // SIPp's checkOptionalRecv: optional receives must end in a mandatory one.
  if (element.kind != ElementKind::kRecv && block->last_recv_optional) {
    return Error(node, base::Cat("<recv> before <", name,
                                 "> sequence without a mandatory message; remove one "
                                 "'optional=\"true\"'"));
  }
  if (absl::Status status = LoadCommon(node, index, block, &element); !status.ok()) return status;
  absl::Status status;
  switch (element.kind) {
    case ElementKind::kSend:
      status = LoadSend(node, &element);
      break;
    case ElementKind::kRecv:
      status = LoadRecv(node, &element);
      block->last_recv_optional = element.optional != Optional::kNo;
      break;
    case ElementKind::kPause:
      status = LoadPause(node, &element);
      break;
    case ElementKind::kSendCmd:
    case ElementKind::kRecvCmd:
      status = LoadTwinCommand(node, &element);
      break;
    default:
      break;
  }
  if (!status.ok()) return status;
  if (absl::Status children = LoadChildren(node, static_cast<int>(index), &element);
      !children.ok()) {
    return children;
  }
  block->elements->push_back(std::move(element));
  block->nodes.push_back(node);
  return absl::OkStatus();
}

absl::Status Loader::LoadChildren(const pugi::xml_node& node, int index, Element* element) {
  bool seen_action = false;
  for (pugi::xml_node child : node.children()) {
    if (child.type() != pugi::node_element) continue;
    if (std::string_view(child.name()) != "action") {
      return Error(child,
                   base::Cat("unexpected element <", child.name(), "> inside <", node.name(), ">"));
    }
    if (seen_action) return Error(child, "only one <action> per element");
    seen_action = true;
    if (absl::Status status = LoadActions(child, index, &element->actions); !status.ok()) {
      return status;
    }
  }
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

int Loader::TransactionFor(std::string_view name) {
  auto& names = scenario_->transaction_names;
  auto it = std::find(names.begin(), names.end(), name);
  if (it != names.end()) return static_cast<int>(it - names.begin());
  names.emplace_back(name);
  scenario_->needs_call_extras = true;
  return static_cast<int>(names.size() - 1);
}

absl::Status Loader::LoadCommon(const pugi::xml_node& node, size_t index, Block* block,
                                Element* element) {
  if (auto next = node.attribute("next")) {
    block->label_refs.push_back({index, next.value(), false, node});
  }
  if (auto on_timeout = node.attribute("ontimeout")) {
    block->label_refs.push_back({index, on_timeout.value(), true, node});
  }
  if (auto test = node.attribute("test")) {
    absl::StatusOr<VariableRef> ref = UseVariable(node, test.value());
    if (!ref.ok()) return ref.status();
    // SIPp takes 'test' without 'next' and ignores it (no branch to take).
    if (node.attribute("next")) element->test = *ref;
  }
  if (auto chance = node.attribute("chance")) {
    absl::StatusOr<double> value = ParseDouble(node, chance);
    if (!value.ok()) return value.status();
    if (*value < 0 || *value > 1) {
      return Error(node, base::Cat("'chance' must be between 0 and 1, not '", chance.value(), "'"));
    }
    element->chance = *value;
  }
  if (auto condexec = node.attribute("condexec")) {
    absl::StatusOr<VariableRef> ref = UseVariable(node, condexec.value());
    if (!ref.ok()) return ref.status();
    element->condexec = *ref;
  }
  absl::StatusOr<bool> inverse = ReadBool(node, "condexec_inverse", false);
  if (!inverse.ok()) return inverse.status();
  element->condexec_inverse = *inverse;
  if (element->condexec_inverse && !element->condexec.valid()) {
    return Error(node, "'condexec_inverse' needs 'condexec'");
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
  return ReadIntAttribute(node, "lost", 0, &element->lost_percent);
}

// SIPp's message is the element's first CDATA section; text and any later
// section are ignored.
absl::StatusOr<std::string> Loader::CdataOf(const pugi::xml_node& node) const {
  for (pugi::xml_node child : node.children()) {
    if (child.type() == pugi::node_cdata) return std::string(child.value());
  }
  return std::string();
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
  absl::StatusOr<std::string> cdata = CdataOf(node);
  if (!cdata.ok()) return cdata.status();
  absl::StatusOr<MessageTemplate> compiled = MessageTemplate::Compile(*cdata, TemplateOptions(node));
  if (!compiled.ok()) return Locate(node, compiled.status());
  if (compiled->uses_last_message()) scenario_->needs_last_message = true;
  if (compiled->has_authentication()) scenario_->needs_call_extras = true;
  element->message = std::make_shared<const MessageTemplate>(*std::move(compiled));
  std::string_view method = element->message->method();
  if (auto start = node.attribute("start_txn")) {
    if (method.empty() || method == "ACK") {
      return Error(node, "'start_txn' is not allowed on an ACK or a response");
    }
    element->start_txn = TransactionFor(start.value());
  }
  if (auto ack = node.attribute("ack_txn")) {
    if (method != "ACK") return Error(node, "'ack_txn' is only allowed on an ACK");
    element->ack_txn = TransactionFor(ack.value());
  }
  return absl::OkStatus();
}

absl::Status Loader::LoadRecv(const pugi::xml_node& node, Element* element) {
  pugi::xml_attribute response = node.attribute("response");
  pugi::xml_attribute request = node.attribute("request");
  if (response && request) return Error(node, "<recv> takes 'response' or 'request', not both");
  if (!response && !request) return Error(node, "<recv> needs 'response' or 'request'");
  absl::StatusOr<bool> regexp_match = ReadBool(node, "regexp_match", false);
  if (!regexp_match.ok()) return regexp_match.status();
  if (*regexp_match) {
    std::string_view pattern = response ? response.value() : request.value();
    absl::StatusOr<std::shared_ptr<const base::Regex>> regex = base::Regex::Compile(pattern);
    if (!regex.ok()) return Locate(node, regex.status());
    element->recv_regex = *std::move(regex);
    if (response) element->recv_response = -1;  // any status, filtered by the regex
  }
  if (response && !*regexp_match) {
    absl::StatusOr<int> code = ParseInt(node, response, 100);
    if (!code.ok() || *code > 699) {
      return Error(node,
                   base::Cat("invalid response code '", response.value(), "' (100-699 expected)"));
    }
    element->recv_response = *code;
  } else if (request) {
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
  absl::StatusOr<bool> advance = ReadBool(node, "advance_state", true);
  if (!advance.ok()) return advance.status();
  if (!*advance && element->optional == Optional::kNo) {
    return Error(node, "'advance_state' is only allowed on an optional <recv>");
  }
  element->advance_state = *advance;
  absl::StatusOr<bool> rrs = ReadBool(node, "rrs", false);
  absl::StatusOr<bool> auth = ReadBool(node, "auth", false);
  if (!rrs.ok()) return rrs.status();
  if (!auth.ok()) return auth.status();
  element->rrs = *rrs;
  element->auth = *auth;
  if (element->rrs || element->auth) scenario_->needs_call_extras = true;
  if (auto txn = node.attribute("response_txn")) {
    if (!response) return Error(node, "'response_txn' is only allowed on a response <recv>");
    element->response_txn = TransactionFor(txn.value());
  }
  return ReadIntAttribute(node, "timeout", 0, &element->timeout_ms);
}

// <sendCmd dest=> CDATA / <recvCmd src=> (SIPP_NOTES §3.1). SIPp sends the
// CDATA through its SIP message builder, so it is cleaned and its line ends
// become CRLF like a <send>'s; its first line need not be a method.
absl::Status Loader::LoadTwinCommand(const pugi::xml_node& node, Element* element) {
  const bool send = element->kind == ElementKind::kSendCmd;
  element->twin_peer = node.attribute(send ? "dest" : "src").as_string();
  if (!send) {
    if (auto optional = node.attribute("optional")) {
      absl::StatusOr<bool> value = ReadBool(node, "optional", false);
      if (!value.ok()) return value.status();
      element->optional = *value ? Optional::kYes : Optional::kNo;
    }
    return ReadIntAttribute(node, "timeout", 0, &element->timeout_ms);
  }
  absl::StatusOr<std::string> cdata = CdataOf(node);
  if (!cdata.ok()) return cdata.status();
  if (base::TrimBlanks(*cdata).empty()) return Error(node, "empty CDATA in <sendCmd>");
  absl::StatusOr<MessageTemplate> compiled = MessageTemplate::Compile(*cdata, TemplateOptions(node));
  if (!compiled.ok()) {
    // A first line that is not a method ("[$1]"): keep the cleaning and
    // CRLF line ends, without the first-line rule.
    std::string text;
    for (char c : CleanCdata(*cdata)) {
      if (c == '\n') text.push_back('\r');
      text.push_back(c);
    }
    compiled = MessageTemplate::CompileText(text, TemplateOptions(node));
  }
  if (!compiled.ok()) return Locate(node, compiled.status());
  if (compiled->uses_last_message()) scenario_->needs_last_message = true;
  if (compiled->has_authentication()) scenario_->needs_call_extras = true;
  element->message = std::make_shared<const MessageTemplate>(*std::move(compiled));
  return absl::OkStatus();
}

// SIPp's computeSippMode: the first <send>/<recv>/<sendCmd>/<recvCmd>
// decides whether calls are placed (send, sendCmd) or taken (recv, recvCmd:
// a scenario starting with <recvCmd> makes its calls on command arrival),
// and the first twin element decides the 3PCC role.
void Loader::NoteTwinRole(const Element& element, bool* mode_known) {
  const ElementKind kind = element.kind;
  if (kind == ElementKind::kPause || kind == ElementKind::kNop) return;
  if (!*mode_known) {
    scenario_->mode = kind == ElementKind::kSend || kind == ElementKind::kSendCmd ? Mode::kClient
                                                                                : Mode::kServer;
    *mode_known = true;
  }
  if (scenario_->twin_role == TwinRole::kNone && kind == ElementKind::kSendCmd) {
    scenario_->twin_role = TwinRole::kSendsFirst;
  } else if (scenario_->twin_role == TwinRole::kNone && kind == ElementKind::kRecvCmd) {
    scenario_->twin_role = TwinRole::kReceivesFirst;
  }
}

// SIPp's order: variable=, then a distribution (distribution= or a legacy
// shorthand), then milliseconds=, else -d.
absl::Status Loader::LoadPause(const pugi::xml_node& node, Element* element) {
  PauseSpec& pause = element->pause;
  if (auto variable = node.attribute("variable")) {
    absl::StatusOr<VariableRef> ref = UseVariable(node, variable.value());
    if (!ref.ok()) return ref.status();
    pause.source = PauseSpec::Source::kVariable;
    pause.variable = *ref;
    return absl::OkStatus();
  }
  absl::StatusOr<distribution::Distribution> parsed =
      distribution::Distribution::FromAttributes(AttributesOf(node));
  if (parsed.ok()) {
    pause.source = PauseSpec::Source::kDistribution;
    pause.distribution = std::make_shared<const distribution::Distribution>(*std::move(parsed));
    return absl::OkStatus();
  }
  if (!absl::IsNotFound(parsed.status())) return Locate(node, parsed.status());
  if (!node.attribute("milliseconds")) return absl::OkStatus();  // -d
  pause.source = PauseSpec::Source::kFixed;
  return ReadIntAttribute(node, "milliseconds", 0, &pause.milliseconds);
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

absl::Status Loader::ResolveLabels(Block* block) {
  for (const Block::LabelRef& ref : block->label_refs) {
    auto it = block->labels->find(ref.label);
    if (it == block->labels->end()) {
      return Error(ref.node, base::Cat(ref.on_timeout ? "'ontimeout'" : "'next'",
                                       " refers to undefined label '", ref.label, "'"));
    }
    Element& element = (*block->elements)[ref.element];
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
    const pugi::xml_node& node = main_.nodes[i];
    NoteTwinRole(element, &mode_known);
    if (element.kind == ElementKind::kRecv) element.prior_request_methods = methods;
    // §3.6: requests sent in named transactions are matched by branch, not
    // by the method list.
    if (element.is_send_request() && !element.is_txn_send()) {
      methods.append(element.message->method());
    }
    if (element.timewait) {
      if (i + 1 != elements.size()) return Error(node, "<timewait> must be the last element");
      if (element.next != kNoIndex || element.on_timeout != kNoIndex) {
        return Error(node, "'next' and 'ontimeout' are not allowed on <timewait>");
      }
    }
    if (element.on_timeout != kNoIndex && element.kind != ElementKind::kRecv &&
        element.kind != ElementKind::kSend && element.kind != ElementKind::kRecvCmd) {
      return Error(node, "'ontimeout' is only allowed on <recv>, <recvCmd> and <send>");
    }
  }
  if (main_.last_recv_optional) {
    return Error(main_.nodes.back(), "the scenario ends with an optional <recv>");
  }
  if (!mode_known) {
    return absl::InvalidArgumentError(
        base::Cat(file_name_, ":1: scenario has no <send>, <recv>, <sendCmd> or <recvCmd>"));
  }
  if (absl::Status status = ValidateTransactions(); !status.ok()) return status;
  return ValidateVariables();
}

// SIPp's transaction checks (§3.1 validation list).
absl::Status Loader::ValidateTransactions() {
  const auto& names = scenario_->transaction_names;
  for (size_t txn = 0; txn < names.size(); ++txn) {
    int started = -1;
    bool has_response = false;
    bool has_ack = false;
    for (size_t i = 0; i < scenario_->elements.size(); ++i) {
      const Element& element = scenario_->elements[i];
      if (element.start_txn == static_cast<int>(txn) && started < 0) started = static_cast<int>(i);
      if (element.response_txn == static_cast<int>(txn)) has_response = true;
      if (element.ack_txn == static_cast<int>(txn)) has_ack = true;
    }
    const pugi::xml_node& where = main_.nodes.front();
    if (started < 0) {
      return Error(where, base::Cat("transaction '", names[txn], "' is never started"));
    }
    const pugi::xml_node& start_node = main_.nodes[started];
    if (!has_response) {
      return Error(start_node, base::Cat("transaction '", names[txn], "' has no responses"));
    }
    bool invite = scenario_->elements[started].message->method() == "INVITE";
    if (invite && !has_ack) {
      return Error(start_node, base::Cat("transaction '", names[txn],
                                         "' is an INVITE transaction without an ACK (ack_txn)"));
    }
    if (!invite && has_ack) {
      return Error(start_node,
                   base::Cat("transaction '", names[txn], "' is a non-INVITE transaction with an ACK"));
    }
  }
  return absl::OkStatus();
}

absl::Status Loader::ValidateVariables() {
  // Report the earliest offender so the message is stable.
  const VariableUse* worst = nullptr;
  std::string worst_name;
  for (const auto& [name, use] : variable_uses_) {
    if (use.referenced || use.uses != 1) continue;
    if (worst == nullptr || use.first_line < worst->first_line) {
      worst = &use;
      worst_name = name;
    }
  }
  if (worst == nullptr) return absl::OkStatus();
  return absl::InvalidArgumentError(
      base::Cat(file_name_, ":", worst->first_line, ": variable '", worst_name,
                "' is used only once (list it in <Reference variables=\"", worst_name,
                "\"/> if that is intended)"));
}

}  // namespace internal

absl::StatusOr<std::shared_ptr<const Scenario>> LoadScenario(std::string_view xml_text,
                                                             std::string_view file_name,
                                                             const LoadOptions& options) {
  absl::StatusOr<std::string> xml = RewriteSippDialect(xml_text, file_name);
  if (!xml.ok()) return xml.status();
  return internal::Loader(*xml, file_name, options).Load();
}

absl::StatusOr<std::shared_ptr<const Scenario>> LoadScenarioFile(const std::string& path,
                                                                 const LoadOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(base::Cat(path, ": cannot open scenario file"));
  std::ostringstream text;
  text << in.rdbuf();
  // Media files are looked up next to the scenario first (SIPp).
  LoadOptions with_dir = options;
  size_t slash = path.rfind('/');
  with_dir.media_search_dirs.insert(with_dir.media_search_dirs.begin(),
                                    slash == std::string::npos ? "" : path.substr(0, slash));
  return LoadScenario(text.str(), path, with_dir);
}

}  // namespace sipfleet::scenario
