#include "common/scenario/field_use.h"

#include <algorithm>

namespace sipfleet::scenario {
namespace {

void Visit(const MessageTemplate* message, int line, std::vector<FieldUse>* uses) {
  if (message == nullptr) return;
  for (const Segment& segment : message->segments()) {
    if (segment.keyword == Keyword::kField) {
      auto it = std::find_if(uses->begin(), uses->end(),
                             [&](const FieldUse& use) { return use.file == segment.file; });
      if (it == uses->end()) {
        uses->push_back({segment.file, segment.field + 1, line});
      } else if (segment.field + 1 > it->fields) {
        *it = {segment.file, segment.field + 1, line};
      }
    }
    if (segment.args == nullptr) continue;
    for (const auto& arg : *segment.args) Visit(arg.get(), line, uses);
  }
}

void VisitElements(const std::vector<Element>& elements, std::vector<FieldUse>* uses) {
  for (const Element& element : elements) {
    Visit(element.message.get(), element.line, uses);
    for (const Action& action : element.actions) {
      Visit(action.text.get(), action.line, uses);
      Visit(action.text2.get(), action.line, uses);
    }
  }
}

}  // namespace

std::vector<FieldUse> WidestFieldUses(const Scenario& scenario) {
  std::vector<FieldUse> uses;
  VisitElements(scenario.init_elements, &uses);
  VisitElements(scenario.elements, &uses);
  for (const auto& message : scenario.default_messages) Visit(message.get(), 0, &uses);
  std::sort(uses.begin(), uses.end(),
            [](const FieldUse& a, const FieldUse& b) { return a.file < b.file; });
  return uses;
}

}  // namespace sipfleet::scenario
