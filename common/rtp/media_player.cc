#include "common/rtp/media_player.h"

#include <netinet/in.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "common/base/strings.h"

namespace sipfleet::rtp {
namespace {

using transport::SocketAddress;

// SplitMix64 finaliser: spreads an owner id over 64 bits for its initial
// RTP sequence number and timestamp (RFC 3550 §5.1 wants them unpredictable
// across sources; deterministic here, which keeps runs reproducible).
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9;
  x = (x ^ (x >> 27)) * 0x94d049bb133111eb;
  return x ^ (x >> 31);
}

absl::Status CheckPayloadType(int payload_type) {
  if (payload_type < 0 || payload_type > 127) {
    return absl::InvalidArgumentError(
        base::Cat("RTP payload type ", payload_type, " is not in 0..127"));
  }
  return absl::OkStatus();
}

// Writes `port` into a copied sockaddr_in / sockaddr_in6.
void SetPort(sockaddr_storage* address, uint16_t port) {
  if (address->ss_family == AF_INET6) {
    reinterpret_cast<sockaddr_in6*>(address)->sin6_port = htons(port);
  } else {
    reinterpret_cast<sockaddr_in*>(address)->sin_port = htons(port);
  }
}

}  // namespace

int SocketSender::Send(int fd, std::span<mmsghdr> messages) {
  int failures = 0;
  size_t done = 0;
  while (done < messages.size()) {
    int rc = sendmmsg(fd, messages.data() + done, static_cast<unsigned>(messages.size() - done),
                      MSG_DONTWAIT);
    if (rc < 0) {
      if (errno == EINTR) continue;
      ++failures;  // the datagram at `done` was refused; go on with the rest
      ++done;
      continue;
    }
    done += static_cast<size_t>(rc);
  }
  return failures;
}

MediaPlayer::MediaPlayer(const base::Clock& clock, const MediaPlayerOptions& options)
    : clock_(clock),
      options_(options),
      sender_(options.sender != nullptr ? options.sender : &socket_sender_),
      outbox_(std::make_unique<Outbox>()) {}

MediaPlayer::~MediaPlayer() = default;

// ---------------------------------------------------------------------------
// Starting and stopping playbacks.

absl::StatusOr<int> MediaPlayer::PickFd(const SocketAddress& destination, int source_fd) const {
  if (destination.family() != AF_INET && destination.family() != AF_INET6) {
    return absl::InvalidArgumentError("no media destination address");
  }
  if (destination.port() == 0) {
    return absl::InvalidArgumentError(
        base::Cat("media destination ", destination.ip_for_uri(), " has port 0 (stream rejected)"));
  }
  if (source_fd >= 0) return source_fd;
  int fd = destination.is_ipv6() ? options_.ipv6_fd : options_.ipv4_fd;
  if (fd < 0) {
    return absl::FailedPreconditionError(base::Cat("no ", destination.is_ipv6() ? "IPv6" : "IPv4",
                                                   " media socket to send to ",
                                                   destination.ip_for_uri()));
  }
  return fd;
}

uint32_t MediaPlayer::OwnerIndex(uint64_t owner) {
  auto [it, inserted] = owner_index_.try_emplace(owner, kNoIndex);
  if (!inserted) return it->second;
  uint32_t index;
  if (!free_owners_.empty()) {
    index = free_owners_.back();
    free_owners_.pop_back();
  } else {
    index = static_cast<uint32_t>(owners_.size());
    owners_.emplace_back();
  }
  const uint64_t mixed = Mix(owner);
  Owner& o = owners_[index];
  o.id = owner;
  o.sessions.fill(kNoIndex);
  o.ssrc = options_.ssrc_base + static_cast<uint32_t>(owner ^ (owner >> 32));
  o.next_sequence = static_cast<uint16_t>(mixed);
  o.timestamp_base = static_cast<uint32_t>(mixed >> 32);
  o.epoch_us = clock_.NowMicros();
  it->second = index;
  return index;
}

const MediaPlayer::Owner* MediaPlayer::FindOwner(uint64_t owner) const {
  auto it = owner_index_.find(owner);
  return it == owner_index_.end() ? nullptr : &owners_[it->second];
}

uint32_t MediaPlayer::NewSession(uint64_t owner, MediaKind kind, Source source, int fd,
                                 const SocketAddress& destination) {
  const uint32_t owner_index = OwnerIndex(owner);
  const auto slot = static_cast<size_t>(kind);
  if (owners_[owner_index].sessions[slot] != kNoIndex) {
    const uint32_t old = owners_[owner_index].sessions[slot];
    EndSession(old);
    ReleaseSession(old);
  }
  uint32_t index;
  if (!free_sessions_.empty()) {
    index = free_sessions_.back();
    free_sessions_.pop_back();
  } else {
    index = static_cast<uint32_t>(sessions_.size());
    sessions_.emplace_back();
  }
  Session& s = sessions_[index];
  s.source = source;
  s.kind = kind;
  s.paused = false;
  s.marker_next = false;
  s.fd = fd;
  s.owner_index = owner_index;
  s.heap_pos = kNoIndex;
  s.start_us = clock_.NowMicros();
  s.due_us = s.start_us;
  s.next = 0;
  s.total = 0;
  s.destination = destination;
  owners_[owner_index].sessions[slot] = index;
  ++active_;
  return index;
}

uint32_t MediaPlayer::RtpTimestampNow(const Owner& owner, int clock_rate) const {
  const int64_t elapsed = clock_.NowMicros() - owner.epoch_us;
  return owner.timestamp_base + static_cast<uint32_t>(elapsed * clock_rate / 1'000'000);
}

absl::Status MediaPlayer::PlayPcap(uint64_t owner, MediaKind kind,
                                   std::shared_ptr<const PcapMedia> media,
                                   const SocketAddress& destination, int source_fd) {
  if (media == nullptr) return absl::InvalidArgumentError("PlayPcap: no media");
  if (kind == MediaKind::kStream) {
    return absl::InvalidArgumentError("PlayPcap: kind must be audio, video or image");
  }
  absl::StatusOr<int> fd = PickFd(destination, source_fd);
  if (!fd.ok()) return fd.status();
  uint32_t index = NewSession(owner, kind, Source::kPcap, *fd, destination);
  Session& s = sessions_[index];
  s.total = static_cast<int64_t>(media->Packets().size());
  s.pcap = std::move(media);
  if (s.total == 0) {
    EndSession(index);
    ReleaseSession(index);
    return absl::OkStatus();
  }
  s.due_us = s.start_us + s.pcap->Packets()[0].offset_us;
  HeapPush(index);
  return absl::OkStatus();
}

absl::Status MediaPlayer::PlayDtmf(uint64_t owner, std::string_view digits, int duration_ms,
                                   int payload_type, const SocketAddress& destination,
                                   int source_fd) {
  if (absl::Status s = CheckPayloadType(payload_type); !s.ok()) return s;
  absl::StatusOr<std::vector<DtmfPacket>> schedule = BuildDtmfSchedule(digits, duration_ms);
  if (!schedule.ok()) return schedule.status();
  absl::StatusOr<int> fd = PickFd(destination, source_fd);
  if (!fd.ok()) return fd.status();
  uint32_t index = NewSession(owner, MediaKind::kAudio, Source::kDtmf, *fd, destination);
  Session& s = sessions_[index];
  s.payload_type = static_cast<uint8_t>(payload_type);
  s.dtmf = *std::move(schedule);
  s.total = static_cast<int64_t>(s.dtmf.size());
  s.timestamp = RtpTimestampNow(owners_[s.owner_index], kDtmfClockRate);
  s.due_us = s.start_us + s.dtmf[0].offset_us;
  HeapPush(index);
  return absl::OkStatus();
}

absl::Status MediaPlayer::StartStream(uint64_t owner, std::shared_ptr<const AudioFile> audio,
                                      int loops, int payload_type, const SocketAddress& destination,
                                      int source_fd) {
  if (audio == nullptr || audio->frame_count() == 0) {
    return absl::InvalidArgumentError("StartStream: no audio");
  }
  if (loops < 1 && loops != -1) {
    return absl::InvalidArgumentError(base::Cat("StartStream: invalid loop count ", loops));
  }
  if (absl::Status s = CheckPayloadType(payload_type); !s.ok()) return s;
  absl::StatusOr<int> fd = PickFd(destination, source_fd);
  if (!fd.ok()) return fd.status();
  uint32_t index = NewSession(owner, MediaKind::kStream, Source::kStream, *fd, destination);
  Session& s = sessions_[index];
  s.payload_type = static_cast<uint8_t>(payload_type);
  s.marker_next = true;
  s.total = loops == -1 ? -1 : static_cast<int64_t>(audio->frame_count()) * loops;
  s.timestamp = RtpTimestampNow(owners_[s.owner_index], audio->framing().clock_rate);
  s.audio = std::move(audio);
  HeapPush(index);
  return absl::OkStatus();
}

bool MediaPlayer::PauseStream(uint64_t owner) {
  const Owner* o = FindOwner(owner);
  if (o == nullptr) return false;
  uint32_t index = o->sessions[static_cast<size_t>(MediaKind::kStream)];
  if (index == kNoIndex || sessions_[index].paused) return false;
  Session& s = sessions_[index];
  s.paused = true;
  s.paused_at_us = clock_.NowMicros();
  HeapRemove(index);
  return true;
}

bool MediaPlayer::ResumeStream(uint64_t owner) {
  const Owner* o = FindOwner(owner);
  if (o == nullptr) return false;
  uint32_t index = o->sessions[static_cast<size_t>(MediaKind::kStream)];
  if (index == kNoIndex || !sessions_[index].paused) return false;
  Session& s = sessions_[index];
  const int64_t pause = std::max<int64_t>(clock_.NowMicros() - s.paused_at_us, 0);
  s.paused = false;
  s.due_us += pause;
  s.timestamp += static_cast<uint32_t>(pause * s.audio->framing().clock_rate / 1'000'000);
  s.marker_next = true;
  HeapPush(index);
  return true;
}

void MediaPlayer::Stop(uint64_t owner) {
  auto it = owner_index_.find(owner);
  if (it == owner_index_.end()) return;
  const uint32_t owner_index = it->second;
  for (uint32_t index : owners_[owner_index].sessions) {
    if (index == kNoIndex) continue;
    EndSession(index);
    ReleaseSession(index);
  }
  owner_index_.erase(it);
  free_owners_.push_back(owner_index);
}

bool MediaPlayer::Playing(uint64_t owner, MediaKind kind) const {
  const Owner* o = FindOwner(owner);
  return o != nullptr && o->sessions[static_cast<size_t>(kind)] != kNoIndex;
}

// Detaches a session from its owner and the heap; its media stay referenced
// until ReleaseSession (packets queued in the outbox may point into them).
void MediaPlayer::EndSession(uint32_t index) {
  Session& s = sessions_[index];
  if (s.heap_pos != kNoIndex) HeapRemove(index);
  owners_[s.owner_index].sessions[static_cast<size_t>(s.kind)] = kNoIndex;
  s.source = Source::kNone;
  --active_;
}

void MediaPlayer::ReleaseSession(uint32_t index) {
  Session& s = sessions_[index];
  s.pcap.reset();
  s.audio.reset();
  s.dtmf.clear();  // keeps the capacity for the next DTMF in this slot
  free_sessions_.push_back(index);
}

// ---------------------------------------------------------------------------
// Sending.

int64_t MediaPlayer::NextDueMicros() const { return heap_.empty() ? kNone : heap_[0].due_us; }

void MediaPlayer::RunDue(int64_t now_us) {
  while (!heap_.empty() && heap_[0].due_us <= now_us) {
    const uint32_t index = heap_[0].session;
    Session& s = sessions_[index];
    lateness_.Record(static_cast<uint64_t>(now_us - s.due_us));
    EmitPacket(s);
    if (AdvanceSession(s)) {
      heap_[0].due_us = s.due_us;
      HeapSiftDown(0);
    } else {
      EndSession(index);
      retired_.push_back(index);
    }
  }
  Flush();
  for (uint32_t index : retired_) ReleaseSession(index);
  retired_.clear();
}

void MediaPlayer::EmitPacket(Session& s) {
  const uint16_t port = s.destination.port();
  switch (s.source) {
    case Source::kPcap: {
      const PcapPacket& packet = s.pcap->Packets()[static_cast<size_t>(s.next)];
      const uint32_t to_port = uint32_t{port} + packet.dst_port_offset;
      if (to_port > UINT16_MAX) {
        ++send_errors_;  // the capture's port spread does not fit above the SDP port
        return;
      }
      Enqueue(s.fd, s.destination, static_cast<uint16_t>(to_port), nullptr, packet.payload);
      return;
    }
    case Source::kDtmf: {
      const DtmfPacket& packet = s.dtmf[static_cast<size_t>(s.next)];
      Owner& o = owners_[s.owner_index];
      RtpHeader header{s.payload_type, packet.marker, o.next_sequence++,
                       s.timestamp + packet.timestamp_offset, o.ssrc};
      std::string_view payload(reinterpret_cast<const char*>(packet.payload.data()),
                               packet.payload.size());
      Enqueue(s.fd, s.destination, port, &header, payload);
      return;
    }
    case Source::kStream: {
      Owner& o = owners_[s.owner_index];
      const size_t frame =
          static_cast<size_t>(s.next % static_cast<int64_t>(s.audio->frame_count()));
      RtpHeader header{s.payload_type, s.marker_next, o.next_sequence++, s.timestamp, o.ssrc};
      s.marker_next = false;
      s.timestamp += s.audio->framing().timestamp_increment;
      Enqueue(s.fd, s.destination, port, &header, s.audio->frame(frame));
      return;
    }
    case Source::kNone:
      return;
  }
}

// Moves to the next packet; false when the playback is over.
bool MediaPlayer::AdvanceSession(Session& s) {
  ++s.next;
  if (s.total >= 0 && s.next >= s.total) return false;
  switch (s.source) {
    case Source::kPcap:
      s.due_us = s.start_us + s.pcap->Packets()[static_cast<size_t>(s.next)].offset_us;
      return true;
    case Source::kDtmf:
      s.due_us = s.start_us + s.dtmf[static_cast<size_t>(s.next)].offset_us;
      return true;
    case Source::kStream:
      s.due_us += s.audio->framing().packet_interval_us;
      return true;
    case Source::kNone:
      return false;
  }
  return false;
}

void MediaPlayer::Enqueue(int fd, const SocketAddress& to, uint16_t port, const RtpHeader* header,
                          std::string_view payload) {
  Outbox& box = *outbox_;
  if (box.count > 0 && (box.fd != fd || box.count == kBatch)) Flush();
  box.fd = fd;
  const int i = box.count++;
  std::memcpy(&box.addresses[i], to.sockaddr_ptr(), to.length());
  SetPort(&box.addresses[i], port);
  size_t parts = 0;
  if (header != nullptr) {
    WriteRtpHeader(*header, box.headers[i].data());
    box.iovecs[i][parts++] = {box.headers[i].data(), kRtpHeaderBytes};
  }
  box.iovecs[i][parts++] = {const_cast<char*>(payload.data()), payload.size()};
  mmsghdr& m = box.messages[i];
  m = {};
  m.msg_hdr.msg_name = &box.addresses[i];
  m.msg_hdr.msg_namelen = to.length();
  m.msg_hdr.msg_iov = box.iovecs[i].data();
  m.msg_hdr.msg_iovlen = parts;
}

void MediaPlayer::Flush() {
  Outbox& box = *outbox_;
  if (box.count == 0) return;
  const int failures = sender_->Send(box.fd, std::span<mmsghdr>(box.messages.data(), box.count));
  for (int i = 0; i < box.count; ++i) bytes_sent_ += box.messages[i].msg_len;
  packets_sent_ += static_cast<uint64_t>(box.count - failures);
  send_errors_ += static_cast<uint64_t>(failures);
  box.count = 0;
}

// ---------------------------------------------------------------------------
// Indexed binary min-heap: heap_[0] is the earliest deadline and every
// session in the heap knows its position, so removal is O(log n).

void MediaPlayer::HeapPlace(size_t pos, const HeapEntry& entry) {
  heap_[pos] = entry;
  sessions_[entry.session].heap_pos = static_cast<uint32_t>(pos);
}

void MediaPlayer::HeapPush(uint32_t index) {
  heap_.push_back({sessions_[index].due_us, index});
  sessions_[index].heap_pos = static_cast<uint32_t>(heap_.size() - 1);
  HeapSiftUp(heap_.size() - 1);
}

void MediaPlayer::HeapRemove(uint32_t index) {
  const size_t pos = sessions_[index].heap_pos;
  sessions_[index].heap_pos = kNoIndex;
  const HeapEntry last = heap_.back();
  heap_.pop_back();
  if (pos == heap_.size()) return;  // it was the last entry
  HeapPlace(pos, last);
  HeapSiftUp(pos);
  HeapSiftDown(sessions_[last.session].heap_pos);
}

void MediaPlayer::HeapSiftUp(size_t pos) {
  const HeapEntry entry = heap_[pos];
  while (pos > 0) {
    const size_t parent = (pos - 1) / 2;
    if (heap_[parent].due_us <= entry.due_us) break;
    HeapPlace(pos, heap_[parent]);
    pos = parent;
  }
  HeapPlace(pos, entry);
}

void MediaPlayer::HeapSiftDown(size_t pos) {
  const HeapEntry entry = heap_[pos];
  const size_t n = heap_.size();
  while (true) {
    size_t child = 2 * pos + 1;
    if (child >= n) break;
    if (child + 1 < n && heap_[child + 1].due_us < heap_[child].due_us) ++child;
    if (entry.due_us <= heap_[child].due_us) break;
    HeapPlace(pos, heap_[child]);
    pos = child;
  }
  HeapPlace(pos, entry);
}

}  // namespace sipfleet::rtp
