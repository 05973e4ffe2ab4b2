#ifndef SIPFLEET_COMMON_RUNTIME_LAST_MESSAGE_H_
#define SIPFLEET_COMMON_RUNTIME_LAST_MESSAGE_H_

#include <string>
#include <string_view>
#include <vector>

#include "common/scenario/scenario.h"
#include "common/sip/message.h"

namespace sipfleet::runtime {

// What a call keeps of the last message it accepted, for the [last_*]
// keywords (SIPp keeps the whole message for every call; at a million held
// calls that is most of the memory). Worked out once per scenario:
//  * which part: the whole message when [last_message] is used, else its
//    start line and only the header lines some [last_X] names (plus To for
//    [last_Request_URI] / [next_url] and CSeq for [last_cseq_number]): still
//    a message sip::Message::Parse reads, so the expander is unchanged;
//  * when: after the recv at `index`, the copy is kept only if an expansion
//    that may read it can run before the next mandatory recv replaces it
//    (the recv's own actions, the elements up to that recv, their
//    retransmissions). Anything that can send from anywhere (jumps, next=,
//    ontimeout=, _unexp.main, <DefaultMessage>, an INVITE or ACK template
//    re-expanded for CANCEL/BYE or a resent ACK) keeps it after every recv.
class LastMessagePolicy {
 public:
  explicit LastMessagePolicy(const scenario::Scenario& scenario);

  // True if the message accepted at element `index` may still be read.
  bool KeepAfter(int index) const {
    return index >= 0 && static_cast<size_t>(index) < keep_after_.size() && keep_after_[index];
  }
  // Replaces *out with the part of `message` to keep.
  void Keep(const sip::Message& message, std::string* out) const;
  // The header names kept (for tests); empty with whole_message().
  const std::vector<std::string>& header_names() const { return headers_; }
  bool whole_message() const { return whole_; }

 private:
  bool whole_ = false;
  std::vector<std::string> headers_;
  std::vector<bool> keep_after_;
};

}  // namespace sipfleet::runtime

#endif  // SIPFLEET_COMMON_RUNTIME_LAST_MESSAGE_H_
