// Loading of <action> children (SIPP_NOTES §3.4).

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "common/base/strings.h"
#include "common/rtp/dtmf.h"
#include "common/distribution/distribution.h"
#include "common/scenario/loader_internal.h"

namespace sipfleet::scenario::internal {
namespace {

struct ActionName {
  std::string_view name;
  ActionKind kind;
};

constexpr ActionName kActionNames[] = {
    {"ereg", ActionKind::kEreg},
    {"log", ActionKind::kLog},
    {"warning", ActionKind::kWarning},
    {"error", ActionKind::kError},
    {"assign", ActionKind::kAssign},
    {"assignstr", ActionKind::kAssignStr},
    {"add", ActionKind::kAdd},
    {"subtract", ActionKind::kSubtract},
    {"multiply", ActionKind::kMultiply},
    {"divide", ActionKind::kDivide},
    {"sample", ActionKind::kSample},
    {"todouble", ActionKind::kToDouble},
    {"test", ActionKind::kTest},
    {"strcmp", ActionKind::kStrcmp},
    {"trim", ActionKind::kTrim},
    {"index", ActionKind::kIndex},
    {"jump", ActionKind::kJump},
    {"pauserestore", ActionKind::kPauseRestore},
    {"gettimeofday", ActionKind::kGetTimeOfDay},
    {"lookup", ActionKind::kLookup},
    {"insert", ActionKind::kInsert},
    {"replace", ActionKind::kReplace},
    {"verifyauth", ActionKind::kVerifyAuth},
    {"setdest", ActionKind::kSetDest},
    {"closecon", ActionKind::kCloseCon},
    {"urlencode", ActionKind::kUrlEncode},
    {"urldecode", ActionKind::kUrlDecode},
    {"exec", ActionKind::kExecCommand},
};

struct PcapAttribute {
  std::string_view name;
  MediaSlot slot;
};
constexpr PcapAttribute kPcapAttributes[] = {{"play_pcap_audio", MediaSlot::kAudio},
                                             {"play_pcap_video", MediaSlot::kVideo},
                                             {"play_pcap_image", MediaSlot::kImage}};

struct CompareName {
  std::string_view name;
  Compare compare;
};

constexpr CompareName kCompareNames[] = {
    {"equal", Compare::kEqual},
    {"not_equal", Compare::kNotEqual},
    {"greater_than", Compare::kGreaterThan},
    {"less_than", Compare::kLessThan},
    {"greater_than_equal", Compare::kGreaterThanEqual},
    {"less_than_equal", Compare::kLessThanEqual},
};

// Loads one action; a class so each kind's reader stays short.
class ActionLoader {
 public:
  ActionLoader(Loader& loader, const pugi::xml_node& node, int element_index)
      : loader_(loader), node_(node), element_index_(element_index) {}

  absl::StatusOr<Action> Load(ActionKind kind);

 private:
  absl::Status Require(const char* name) const {
    if (node_.attribute(name)) return absl::OkStatus();
    return loader_.Error(node_, base::Cat("<", node_.name(), "> needs '", name, "'"));
  }
  absl::Status AssignTo(bool required);
  absl::Status Variable(const char* name, VariableRef* out, bool required);
  absl::Status Text(const char* name, std::shared_ptr<const MessageTemplate>* out, bool required);
  absl::Status ValueOrVariable();
  absl::Status CheckIt();
  absl::Status File();

  absl::Status LoadEreg();
  absl::Status LoadArithmetic();
  absl::Status LoadTest();
  absl::Status LoadStrcmp();
  absl::Status LoadSample();
  absl::Status LoadJump();
  absl::Status LoadExec();
  absl::Status LoadMediaExec(bool* handled);

  Loader& loader_;
  const pugi::xml_node& node_;
  const int element_index_;
  Action action_;
};

absl::Status ActionLoader::AssignTo(bool required) {
  pugi::xml_attribute attr = node_.attribute("assign_to");
  if (!attr) return required ? Require("assign_to") : absl::OkStatus();
  absl::StatusOr<std::vector<VariableRef>> refs = loader_.UseVariableList(node_, attr.value());
  if (!refs.ok()) return refs.status();
  action_.assign_to = *std::move(refs);
  return absl::OkStatus();
}

absl::Status ActionLoader::Variable(const char* name, VariableRef* out, bool required) {
  pugi::xml_attribute attr = node_.attribute(name);
  if (!attr) return required ? Require(name) : absl::OkStatus();
  absl::StatusOr<VariableRef> ref = loader_.UseVariable(node_, attr.value());
  if (!ref.ok()) return ref.status();
  *out = *ref;
  return absl::OkStatus();
}

absl::Status ActionLoader::Text(const char* name, std::shared_ptr<const MessageTemplate>* out,
                                bool required) {
  pugi::xml_attribute attr = node_.attribute(name);
  if (!attr) return required ? Require(name) : absl::OkStatus();
  absl::StatusOr<std::shared_ptr<const MessageTemplate>> text =
      loader_.CompileText(node_, attr.value());
  if (!text.ok()) return text.status();
  *out = *std::move(text);
  return absl::OkStatus();
}

// value= (a double) or variable=, exactly one.
absl::Status ActionLoader::ValueOrVariable() {
  pugi::xml_attribute value = node_.attribute("value");
  if (value && node_.attribute("variable")) {
    return loader_.Error(node_, base::Cat("<", node_.name(), "> takes 'value' or 'variable', not both"));
  }
  if (value) {
    absl::StatusOr<double> number = loader_.ParseDouble(node_, value);
    if (!number.ok()) return number.status();
    action_.has_number = true;
    action_.number = *number;
    return absl::OkStatus();
  }
  if (!node_.attribute("variable")) {
    return loader_.Error(node_, base::Cat("<", node_.name(), "> needs 'value' or 'variable'"));
  }
  return Variable("variable", &action_.variable, true);
}

absl::Status ActionLoader::CheckIt() {
  absl::StatusOr<bool> check_it = loader_.ReadBool(node_, "check_it", false);
  absl::StatusOr<bool> inverse = loader_.ReadBool(node_, "check_it_inverse", false);
  if (!check_it.ok()) return check_it.status();
  if (!inverse.ok()) return inverse.status();
  if (*check_it && *inverse) {
    return loader_.Error(node_, "'check_it' and 'check_it_inverse' cannot both be true");
  }
  action_.check_it = *check_it;
  action_.check_it_inverse = *inverse;
  return absl::OkStatus();
}

absl::Status ActionLoader::File() {
  if (absl::Status status = Require("file"); !status.ok()) return status;
  absl::StatusOr<int> index = loader_.InjectionFileIndex(node_.attribute("file").value());
  if (!index.ok()) return loader_.Locate(node_, index.status());
  action_.file = *index;
  return absl::OkStatus();
}

absl::Status ActionLoader::LoadEreg() {
  if (absl::Status status = Require("regexp"); !status.ok()) return status;
  if (absl::Status status = AssignTo(true); !status.ok()) return status;
  if (absl::Status status = CheckIt(); !status.ok()) return status;
  absl::StatusOr<bool> case_indep = loader_.ReadBool(node_, "case_indep", false);
  absl::StatusOr<bool> start_line = loader_.ReadBool(node_, "start_line", false);
  if (!case_indep.ok()) return case_indep.status();
  if (!start_line.ok()) return start_line.status();
  action_.start_line = *start_line;
  std::string_view search_in = node_.attribute("search_in").as_string("msg");
  if (search_in == "msg") {
    action_.search_in = SearchIn::kMessage;
  } else if (search_in == "hdr") {
    action_.search_in = SearchIn::kHeader;
    if (absl::Status status = Require("header"); !status.ok()) return status;
    action_.header = node_.attribute("header").value();
  } else if (search_in == "body") {
    action_.search_in = SearchIn::kBody;
  } else if (search_in == "var") {
    action_.search_in = SearchIn::kVariable;
    if (absl::Status status = Variable("variable", &action_.variable, true); !status.ok()) {
      return status;
    }
  } else {
    return loader_.Error(node_, base::Cat("invalid search_in '", search_in,
                                          "' (msg, hdr, body or var expected)"));
  }
  // case_indep changes the header name match in SIPp; the pattern itself
  // stays case-sensitive.
  action_.case_indep = *case_indep;
  for (const char* spelling : {"occurrence", "occurence"}) {
    if (absl::Status status = loader_.ReadIntAttribute(node_, spelling, 1, &action_.occurrence);
        !status.ok()) {
      return status;
    }
  }
  absl::StatusOr<std::shared_ptr<const base::Regex>> regex =
      base::Regex::Compile(node_.attribute("regexp").value());
  if (!regex.ok()) return loader_.Locate(node_, regex.status());
  action_.regex = *std::move(regex);
  if (action_.assign_to.size() > action_.regex->group_count() + 1) {
    return loader_.Error(node_, base::Cat("'assign_to' lists ", action_.assign_to.size(),
                                          " variables but the regexp has only ",
                                          action_.regex->group_count(), " groups"));
  }
  return absl::OkStatus();
}

absl::Status ActionLoader::LoadArithmetic() {
  if (absl::Status status = AssignTo(true); !status.ok()) return status;
  if (absl::Status status = ValueOrVariable(); !status.ok()) return status;
  if (action_.kind == ActionKind::kDivide && action_.has_number && action_.number == 0) {
    return loader_.Error(node_, "<divide> by a literal 0");
  }
  return absl::OkStatus();
}

absl::Status ActionLoader::LoadTest() {
  if (absl::Status status = CheckIt(); !status.ok()) return status;
  bool checked = action_.check_it || action_.check_it_inverse;
  if (absl::Status status = AssignTo(!checked); !status.ok()) return status;
  if (absl::Status status = Variable("variable", &action_.variable, true); !status.ok()) {
    return status;
  }
  if (absl::Status status = Require("compare"); !status.ok()) return status;
  std::string_view compare = node_.attribute("compare").value();
  bool found = false;
  for (const CompareName& name : kCompareNames) {
    if (name.name == compare) {
      action_.compare = name.compare;
      found = true;
    }
  }
  if (!found) return loader_.Error(node_, base::Cat("invalid compare '", compare, "'"));
  if (node_.attribute("variable2")) return Variable("variable2", &action_.variable2, true);
  if (absl::Status status = Require("value"); !status.ok()) return status;
  absl::StatusOr<double> number = loader_.ParseDouble(node_, node_.attribute("value"));
  if (!number.ok()) return number.status();
  action_.has_number = true;
  action_.number = *number;
  return absl::OkStatus();
}

absl::Status ActionLoader::LoadStrcmp() {
  if (absl::Status status = CheckIt(); !status.ok()) return status;
  bool checked = action_.check_it || action_.check_it_inverse;
  if (absl::Status status = AssignTo(!checked); !status.ok()) return status;
  if (absl::Status status = Variable("variable", &action_.variable, true); !status.ok()) {
    return status;
  }
  if (node_.attribute("variable2")) return Variable("variable2", &action_.variable2, true);
  return Text("value", &action_.text, true);
}

absl::Status ActionLoader::LoadSample() {
  if (absl::Status status = AssignTo(true); !status.ok()) return status;
  absl::StatusOr<distribution::Distribution> parsed = distribution::Distribution::FromAttributes(
      Loader::AttributesOf(node_), distribution::Usage::kSample);
  if (!parsed.ok()) return loader_.Locate(node_, parsed.status());
  action_.distribution = std::make_shared<const distribution::Distribution>(*std::move(parsed));
  return absl::OkStatus();
}

absl::Status ActionLoader::LoadJump() {
  if (absl::Status status = ValueOrVariable(); !status.ok()) return status;
  if (action_.has_number && static_cast<int>(action_.number) == element_index_) {
    return loader_.Error(node_, base::Cat("<jump> to its own element (index ", element_index_,
                                          ") would loop forever"));
  }
  if (action_.has_number && action_.number < 0) {
    return loader_.Error(node_, "<jump> to a negative index");
  }
  return absl::OkStatus();
}

absl::Status ActionLoader::LoadMediaExec(bool* handled) {
  *handled = true;
  for (const PcapAttribute& attribute : kPcapAttributes) {
    pugi::xml_attribute value = node_.attribute(std::string(attribute.name).c_str());
    if (!value) continue;
    action_.kind = ActionKind::kPlayPcap;
    action_.media_slot = attribute.slot;
    absl::StatusOr<std::shared_ptr<const rtp::PcapMedia>> pcap =
        loader_.LoadPcap(node_, value.value(), attribute.slot != MediaSlot::kImage);
    if (!pcap.ok()) return pcap.status();
    action_.pcap = *std::move(pcap);
    return absl::OkStatus();
  }
  if (node_.attribute("play_dtmf")) {
    action_.kind = ActionKind::kPlayDtmf;
    loader_.MarkUsesMedia();
    std::string_view value = node_.attribute("play_dtmf").value();
    // Literal digits are checked now; ones built from keywords at run time.
    if (value.find('[') == std::string_view::npos) {
      if (absl::Status status = rtp::ParseDtmfAttribute(value).status(); !status.ok()) {
        return loader_.Error(node_, base::Cat("play_dtmf: ", status.message()));
      }
    }
    return Text("play_dtmf", &action_.text, true);
  }
  if (node_.attribute("rtp_stream")) {
    action_.kind = ActionKind::kRtpStream;
    absl::StatusOr<rtp::RtpStreamCommand> command = rtp::ParseRtpStreamAttribute(
        node_.attribute("rtp_stream").value(), loader_.options().rtp_payload);
    if (!command.ok()) {
      if (absl::IsUnimplemented(command.status())) {
        return loader_.Unsupported(node_, "<exec rtp_stream=\"...pattern...\"> (RTP check)");
      }
      return loader_.Error(node_, base::Cat("rtp_stream: ", command.status().message()));
    }
    action_.stream = *std::move(command);
    if (action_.stream.op == rtp::RtpStreamCommand::Op::kPlay) {
      absl::StatusOr<std::shared_ptr<const rtp::AudioFile>> audio =
          loader_.LoadAudio(node_, action_.stream);
      if (!audio.ok()) return audio.status();
      action_.audio = *std::move(audio);
    }
    return absl::OkStatus();
  }
  if (node_.attribute("rtp_echo")) {
    return loader_.Unsupported(node_, "<exec rtp_echo=...> (SIPp 3.7's per-call RTP check echo)");
  }
  *handled = false;
  return absl::OkStatus();
}

absl::Status ActionLoader::LoadExec() {
  bool handled = false;
  if (absl::Status status = LoadMediaExec(&handled); handled || !status.ok()) return status;
  if (node_.attribute("command")) {
    action_.kind = ActionKind::kExecCommand;
    return Text("command", &action_.text, true);
  }
  if (auto cmd = node_.attribute("int_cmd")) {
    action_.kind = ActionKind::kExecIntCmd;
    std::string_view value = cmd.value();
    if (value == "stop_call") {
      action_.int_cmd = IntCmd::kStopCall;
    } else if (value == "stop_gracefully") {
      action_.int_cmd = IntCmd::kStopGracefully;
    } else if (value == "stop_now") {
      action_.int_cmd = IntCmd::kStopNow;
    } else {
      return loader_.Error(node_, base::Cat("invalid int_cmd '", value,
                                            "' (stop_call, stop_gracefully or stop_now)"));
    }
    return absl::OkStatus();
  }
  return loader_.Error(node_, "<exec> needs 'command' or 'int_cmd'");
}

absl::StatusOr<Action> ActionLoader::Load(ActionKind kind) {
  action_.kind = kind;
  action_.line = loader_.Line(node_);
  absl::Status status;
  switch (kind) {
    case ActionKind::kEreg:
      status = LoadEreg();
      break;
    case ActionKind::kLog:
    case ActionKind::kWarning:
    case ActionKind::kError:
      status = Text("message", &action_.text, true);
      break;
    case ActionKind::kAssign:
    case ActionKind::kAdd:
    case ActionKind::kSubtract:
    case ActionKind::kMultiply:
    case ActionKind::kDivide:
      status = LoadArithmetic();
      break;
    case ActionKind::kAssignStr:
      status = AssignTo(true);
      if (status.ok()) status = Text("value", &action_.text, true);
      break;
    case ActionKind::kSample:
      status = LoadSample();
      break;
    case ActionKind::kToDouble:
      status = AssignTo(true);
      if (status.ok()) status = Variable("variable", &action_.variable, true);
      break;
    case ActionKind::kTest:
      status = LoadTest();
      break;
    case ActionKind::kStrcmp:
      status = LoadStrcmp();
      break;
    case ActionKind::kTrim:
    case ActionKind::kIndex:
      status = AssignTo(true);
      break;
    case ActionKind::kJump:
    case ActionKind::kPauseRestore:
      status = kind == ActionKind::kJump ? LoadJump() : ValueOrVariable();
      break;
    case ActionKind::kGetTimeOfDay:
      status = AssignTo(true);
      if (status.ok() && action_.assign_to.size() > 2) {
        status = loader_.Error(node_, "<gettimeofday> assigns at most two variables (sec,usec)");
      }
      break;
    case ActionKind::kLookup:
      status = AssignTo(true);
      if (status.ok()) status = File();
      if (status.ok()) status = Text("key", &action_.text, true);
      break;
    case ActionKind::kInsert:
      status = File();
      if (status.ok()) status = Text("value", &action_.text, true);
      break;
    case ActionKind::kReplace:
      status = File();
      if (status.ok()) status = Text("value", &action_.text, true);
      if (status.ok()) status = Text("line", &action_.text2, true);
      break;
    case ActionKind::kVerifyAuth:
      status = AssignTo(true);
      if (status.ok()) status = Text("username", &action_.text, true);
      if (status.ok()) status = Text("password", &action_.text2, true);
      break;
    case ActionKind::kSetDest:
      status = Text("host", &action_.text, true);
      if (status.ok()) status = Text("port", &action_.text2, true);
      if (status.ok()) status = Require("protocol");
      if (status.ok()) action_.protocol = node_.attribute("protocol").value();
      if (status.ok() && action_.protocol != "udp" && action_.protocol != "UDP") {
        status = loader_.Unsupported(node_, base::Cat("<setdest protocol=\"", action_.protocol, "\">"));
      }
      break;
    case ActionKind::kCloseCon:
      break;
    case ActionKind::kUrlEncode:
    case ActionKind::kUrlDecode:
      status = Variable("variable", &action_.variable, true);
      break;
    case ActionKind::kExecCommand:
    case ActionKind::kExecIntCmd:
    case ActionKind::kPlayPcap:
    case ActionKind::kPlayDtmf:
    case ActionKind::kRtpStream:
      status = LoadExec();
      break;
    case ActionKind::kRtpEcho:  // an element of its own: Loader::LoadRtpEchoToggle
      status = loader_.Error(node_, "<rtp_echo> is not an <exec> form");
      break;
  }
  if (!status.ok()) return status;
  return std::move(action_);
}

}  // namespace

absl::StatusOr<Action> Loader::LoadRtpEchoToggle(const pugi::xml_node& node) {
  std::string_view value = node.attribute("value").value();
  if (value != "0" && value != "1") {
    return Error(node, base::Cat("<rtp_echo value=\"", value, "\">: 0 or 1 expected"));
  }
  Action action;
  action.kind = ActionKind::kRtpEcho;
  action.line = Line(node);
  action.has_number = true;
  action.number = value == "1" ? 1 : 0;
  MarkUsesMedia();
  return action;
}

absl::Status Loader::LoadActions(const pugi::xml_node& action_node, int element_index,
                                 std::vector<Action>* actions) {
  for (pugi::xml_node child : action_node.children()) {
    if (child.type() != pugi::node_element) continue;
    std::string_view name = child.name();
    if (name == "rtp_echo") {
      absl::StatusOr<Action> echo = LoadRtpEchoToggle(child);
      if (!echo.ok()) return echo.status();
      actions->push_back(*std::move(echo));
      continue;
    }
    const ActionName* found = nullptr;
    for (const ActionName& entry : kActionNames) {
      if (entry.name == name) found = &entry;
    }
    if (found == nullptr) return Error(child, base::Cat("unknown action <", name, ">"));
    absl::StatusOr<Action> action = ActionLoader(*this, child, element_index).Load(found->kind);
    if (!action.ok()) return action.status();
    actions->push_back(*std::move(action));
  }
  return absl::OkStatus();
}

}  // namespace sipfleet::scenario::internal
