#include "common/rtp/sdp.h"

#include <vector>

#include "common/base/strings.h"

namespace sipfleet::rtp {
namespace {

struct Connection {
  std::string ip;
  bool ipv6 = false;
};

// Splits on runs of spaces.
std::vector<std::string_view> Words(std::string_view text) {
  std::vector<std::string_view> words;
  size_t at = 0;
  while (at < text.size()) {
    size_t begin = text.find_first_not_of(' ', at);
    if (begin == std::string_view::npos) break;
    size_t end = text.find(' ', begin);
    if (end == std::string_view::npos) end = text.size();
    words.push_back(text.substr(begin, end - begin));
    at = end;
  }
  return words;
}

// "IN IP4 192.0.2.1[/ttl[/count]]" (the text after "c=").
std::optional<Connection> ParseConnection(std::string_view value) {
  std::vector<std::string_view> words = Words(value);
  if (words.size() < 3 || words[0] != "IN" || (words[1] != "IP4" && words[1] != "IP6")) {
    return std::nullopt;
  }
  std::string_view address = words[2].substr(0, words[2].find('/'));
  if (address.empty()) return std::nullopt;
  return Connection{std::string(address), words[1] == "IP6"};
}

// "audio 49170[/2] RTP/AVP 0" (the text after "m="): the port, or nullopt.
std::optional<uint16_t> ParseMediaPort(std::string_view value, std::string_view* type) {
  std::vector<std::string_view> words = Words(value);
  if (words.size() < 2) return std::nullopt;
  uint16_t port;
  if (!base::ParseInt(words[1].substr(0, words[1].find('/')), &port)) return std::nullopt;
  *type = words[0];
  return port;
}

// Walks the lines of an SDP body in order, remembering which section a c=
// line belongs to.
class SdpScanner {
 public:
  void Line(std::string_view line) {
    if (line.size() < 2 || line[1] != '=') return;
    if (line[0] == 'c') OnConnection(line.substr(2));
    if (line[0] == 'm') OnMedia(line.substr(2));
  }

  std::optional<SdpMedia> Result() const {
    const std::optional<Connection>& c = audio_c_     ? audio_c_
                                         : session_c_ ? session_c_
                                                      : first_media_c_;
    if (!c.has_value() || !(audio_ || video_ || image_)) return std::nullopt;
    return SdpMedia{c->ip, c->ipv6, audio_.value_or(0), video_.value_or(0), image_.value_or(0)};
  }

 private:
  enum class Section { kSession, kFirstAudio, kOtherMedia };

  void OnConnection(std::string_view value) {
    std::optional<Connection> c = ParseConnection(value);
    if (!c.has_value()) return;
    std::optional<Connection>* slot = section_ == Section::kSession ? &session_c_ : &first_media_c_;
    if (!slot->has_value()) *slot = c;
    if (section_ == Section::kFirstAudio && !audio_c_) audio_c_ = c;
  }

  void OnMedia(std::string_view value) {
    std::string_view type;
    std::optional<uint16_t> port = ParseMediaPort(value, &type);
    section_ = Section::kOtherMedia;
    if (!port.has_value()) return;
    if (type == "audio" && !audio_) {
      audio_ = port;
      section_ = Section::kFirstAudio;
    } else if (type == "video" && !video_) {
      video_ = port;
    } else if (type == "image" && !image_) {
      image_ = port;
    }
  }

  std::optional<Connection> session_c_, audio_c_, first_media_c_;
  std::optional<uint16_t> audio_, video_, image_;
  Section section_ = Section::kSession;
};

}  // namespace

std::optional<SdpMedia> ParseSdp(std::string_view body) {
  SdpScanner scanner;
  while (!body.empty()) {
    size_t eol = body.find('\n');
    scanner.Line(base::TrimBlanks(body.substr(0, eol)));
    body.remove_prefix(eol == std::string_view::npos ? body.size() : eol + 1);
  }
  return scanner.Result();
}

}  // namespace sipfleet::rtp
