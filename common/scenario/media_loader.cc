// Media files named by a scenario (play_pcap_*, rtp_stream): found and loaded
// once, at load time, so calls share them read-only and a bad file is a
// located load error, never a run-time surprise.

#include <sys/stat.h>

#include "common/base/strings.h"
#include "common/scenario/loader_internal.h"

namespace sipfleet::scenario::internal {
namespace {

bool IsRegularFile(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

}  // namespace

absl::StatusOr<std::string> Loader::FindMediaFile(const pugi::xml_node& node,
                                                  std::string_view path) {
  if (path.empty()) return Error(node, "empty media file name");
  if (path.find('[') != std::string_view::npos) {
    // SIPp substitutes -key values here; other keywords cannot name a file
    // that is loaded before the first call.
    std::string substituted(path);
    for (const auto& [key, value] : options_.generic_keys) {
      std::string pattern = base::Cat("[", key, "]");
      for (size_t at; (at = substituted.find(pattern)) != std::string::npos;) {
        substituted.replace(at, pattern.size(), value);
      }
    }
    if (substituted.find('[') != std::string::npos) {
      return Unsupported(node, base::Cat("a media file name built from keywords ('", path,
                                         "'; only -key values are)"));
    }
    return FindMediaFile(node, substituted);
  }
  if (path[0] == '/') {
    if (IsRegularFile(std::string(path))) return std::string(path);
    return Error(node, base::Cat(path, ": media file not found"));
  }
  std::string looked;
  for (const std::string& dir : options_.media_search_dirs) {
    std::string candidate = dir.empty() ? std::string(path) : base::Cat(dir, "/", path);
    if (IsRegularFile(candidate)) return candidate;
    base::Append(&looked, looked.empty() ? "" : ", ", dir.empty() ? "." : dir);
  }
  return Error(node, base::Cat(path, ": media file not found (looked in ", looked, ")"));
}

absl::StatusOr<std::shared_ptr<const rtp::PcapMedia>> Loader::LoadPcap(const pugi::xml_node& node,
                                                                       std::string_view path,
                                                                       bool rtp_only) {
  absl::StatusOr<std::string> found = FindMediaFile(node, path);
  if (!found.ok()) return found.status();
  scenario_->uses_media = true;
  scenario_->needs_call_extras = true;
  std::string key = base::Cat(rtp_only ? "rtp:" : "any:", *found);
  if (auto it = pcaps_.find(key); it != pcaps_.end()) return it->second;
  absl::StatusOr<std::shared_ptr<const rtp::PcapMedia>> pcap = rtp::PcapMedia::Load(
      *found, rtp_only ? rtp::PcapMedia::Kind::kRtp : rtp::PcapMedia::Kind::kAny);
  if (!pcap.ok()) return Error(node, base::FromAbsl(pcap.status().message()));
  pcaps_.emplace(key, *pcap);
  return pcap;
}

absl::StatusOr<std::shared_ptr<const rtp::AudioFile>> Loader::LoadAudio(
    const pugi::xml_node& node, const rtp::RtpStreamCommand& command) {
  absl::StatusOr<std::string> found = FindMediaFile(node, command.file);
  if (!found.ok()) return found.status();
  scenario_->uses_media = true;
  scenario_->needs_call_extras = true;
  std::string key = base::Cat(command.payload_type, "/", command.codec_name, ":", *found);
  if (auto it = audios_.find(key); it != audios_.end()) return it->second;
  absl::StatusOr<std::shared_ptr<const rtp::AudioFile>> audio = rtp::AudioFile::Load(
      *found, rtp::FramingFor(command.codec_name, command.payload_type));
  if (!audio.ok()) return Error(node, base::FromAbsl(audio.status().message()));
  audios_.emplace(key, *audio);
  return audio;
}

}  // namespace sipfleet::scenario::internal
