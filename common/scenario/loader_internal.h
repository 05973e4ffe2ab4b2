#ifndef SIPFLEET_COMMON_SCENARIO_LOADER_INTERNAL_H_
#define SIPFLEET_COMMON_SCENARIO_LOADER_INTERNAL_H_

// The loader's implementation class, shared by loader.cc (elements,
// validation) and action_loader.cc (<action> children). Not a public API.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/base/strings.h"
#include "common/distribution/distribution.h"
#include "common/scenario/loader.h"
#include "common/scenario/scenario.h"
#include "pugixml.hpp"

namespace sipfleet::scenario::internal {

// Maps byte offsets to 1-based line numbers.
class LineIndex {
 public:
  explicit LineIndex(std::string_view text);
  int LineOf(ptrdiff_t offset) const;

 private:
  std::vector<size_t> newlines_;
};

// A run of elements with its own labels: the scenario body or <init>.
struct Block {
  std::vector<Element>* elements = nullptr;
  absl::flat_hash_map<std::string, int>* labels = nullptr;
  std::vector<pugi::xml_node> nodes;
  struct LabelRef {
    size_t element;
    std::string label;
    bool on_timeout;
    pugi::xml_node node;
  };
  std::vector<LabelRef> label_refs;
  bool last_recv_optional = false;  // SIPp's checkOptionalRecv state
};

class Loader {
 public:
  Loader(std::string_view text, std::string_view file_name, const LoadOptions& options);

  absl::StatusOr<std::shared_ptr<const Scenario>> Load();

  // Errors, located "file:line: what".
  absl::Status Error(const pugi::xml_node& node, std::string_view what) const;
  // Finds and loads a media file once per path (located errors).
  absl::StatusOr<std::shared_ptr<const rtp::PcapMedia>> LoadPcap(const pugi::xml_node& node,
                                                                 std::string_view path,
                                                                 bool rtp_only);
  absl::StatusOr<std::shared_ptr<const rtp::AudioFile>> LoadAudio(
      const pugi::xml_node& node, const rtp::RtpStreamCommand& command);
  absl::StatusOr<std::string> FindMediaFile(const pugi::xml_node& node, std::string_view path);
  const LoadOptions& options() const { return options_; }
  absl::StatusOr<Action> LoadRtpEchoToggle(const pugi::xml_node& node);
  void MarkUsesMedia() {
    scenario_->uses_media = true;
    scenario_->needs_call_extras = true;
  }

  absl::Status Unsupported(const pugi::xml_node& node, std::string_view what) const;
  // Re-locates an error from a helper (template compiler, distribution).
  absl::Status Locate(const pugi::xml_node& node, const absl::Status& status) const;
  int Line(const pugi::xml_node& node) const { return lines_.LineOf(node.offset_debug()); }

  // Variables: each mention counts as a use (SIPp rejects variables used
  // once unless listed in <Reference>).
  absl::StatusOr<VariableRef> UseVariable(const pugi::xml_node& node, std::string_view name);
  absl::StatusOr<std::vector<VariableRef>> UseVariableList(const pugi::xml_node& node,
                                                          std::string_view names);
  absl::StatusOr<std::shared_ptr<const MessageTemplate>> CompileText(const pugi::xml_node& node,
                                                                     std::string_view text);
  MessageTemplate::Options TemplateOptions(const pugi::xml_node& node);
  absl::StatusOr<int> InjectionFileIndex(std::string_view file) const;

  absl::StatusOr<double> ParseDouble(const pugi::xml_node& node,
                                     const pugi::xml_attribute& attr) const;
  absl::StatusOr<int> ParseInt(const pugi::xml_node& node, const pugi::xml_attribute& attr,
                               int min_value) const;
  template <typename T>
  absl::Status ReadIntAttribute(const pugi::xml_node& node, const char* name, int min_value,
                                T* out) const {
    pugi::xml_attribute attr = node.attribute(name);
    if (!attr) return absl::OkStatus();
    absl::StatusOr<int> value = ParseInt(node, attr, min_value);
    if (!value.ok()) return value.status();
    *out = *value;
    return absl::OkStatus();
  }
  absl::StatusOr<bool> ReadBool(const pugi::xml_node& node, const char* name,
                                bool default_value) const;
  // The node's attributes as a distribution::AttributeGetter.
  static distribution::AttributeGetter AttributesOf(const pugi::xml_node& node);

  // action_loader.cc
  absl::Status LoadActions(const pugi::xml_node& action_node, int element_index,
                           std::vector<Action>* actions);

 private:
  absl::Status DeclareVariables();
  absl::Status LoadTopLevel(const pugi::xml_node& node);
  absl::Status LoadInit(const pugi::xml_node& node);
  absl::Status LoadDefaultMessage(const pugi::xml_node& node);
  absl::Status LoadElement(const pugi::xml_node& node, Block* block);
  absl::Status LoadCommon(const pugi::xml_node& node, size_t index, Block* block,
                          Element* element);
  absl::Status LoadSend(const pugi::xml_node& node, Element* element);
  absl::Status LoadRecv(const pugi::xml_node& node, Element* element);
  absl::Status LoadPause(const pugi::xml_node& node, Element* element);
  absl::Status LoadTwinCommand(const pugi::xml_node& node, Element* element);
  void NoteTwinRole(const Element& element, bool* mode_known);
  absl::Status LoadChildren(const pugi::xml_node& node, int index, Element* element);
  absl::Status LoadRepartition(const pugi::xml_node& node, std::vector<int>* out);
  absl::StatusOr<std::string> CdataOf(const pugi::xml_node& node) const;
  int TransactionFor(std::string_view name);
  RtdIndex RtdFor(std::string_view name);
  absl::Status ResolveLabels(Block* block);
  absl::Status Validate();
  absl::Status ValidateTransactions();
  absl::Status ValidateVariables();

  std::string_view text_;
  std::string file_name_;
  absl::flat_hash_map<std::string, std::shared_ptr<const rtp::PcapMedia>> pcaps_;
  absl::flat_hash_map<std::string, std::shared_ptr<const rtp::AudioFile>> audios_;
  const LoadOptions& options_;
  LineIndex lines_;
  std::shared_ptr<Scenario> scenario_ = std::make_shared<Scenario>();
  pugi::xml_node root_;
  Block main_;
  Block init_;
  absl::flat_hash_map<std::string, int> init_labels_;

  struct VariableUse {
    int uses = 0;
    int first_line = 0;
    bool referenced = false;  // listed in <Reference>
  };
  absl::flat_hash_map<std::string, VariableUse> variable_uses_;
};

}  // namespace sipfleet::scenario::internal

#endif  // SIPFLEET_COMMON_SCENARIO_LOADER_INTERNAL_H_
