#ifndef SIPFLEET_COMMON_RTP_MEDIA_PLAYER_H_
#define SIPFLEET_COMMON_RTP_MEDIA_PLAYER_H_

#include <sys/socket.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "common/base/clock.h"
#include "common/rtp/audio_file.h"
#include "common/rtp/dtmf.h"
#include "common/rtp/pcap_media.h"
#include "common/rtp/rtp_header.h"
#include "common/stats/histogram.h"
#include "common/transport/event_loop.h"
#include "common/transport/socket_address.h"

namespace sipfleet::rtp {

// The playback slots of one owner (call). Starting a playback in an
// occupied slot replaces what plays there (SIPp: a new play_pcap_* cancels
// the call's running one). play_dtmf plays in the audio slot, like SIPp,
// which sends it through its pcap player; rtp_stream has its own slot.
enum class MediaKind : uint8_t { kAudio = 0, kVideo = 1, kImage = 2, kStream = 3 };
inline constexpr size_t kMediaKindCount = 4;

// Where the player's datagrams go. The default, SocketSender, is sendmmsg(2);
// tests substitute a sink.
class DatagramSender {
 public:
  virtual ~DatagramSender() = default;
  // Sends `messages` on `fd`; each names its destination and payload.
  // Contract: msg_len is 0 on entry; on return it holds the bytes sent for
  // each datagram that went out (and stays 0 for refused ones). Returns how
  // many datagrams were refused (EAGAIN, ENOBUFS, unreachable...).
  virtual int Send(int fd, std::span<mmsghdr> messages) = 0;
};

// sendmmsg(2) with MSG_DONTWAIT; a refused datagram is skipped and counted.
class SocketSender final : public DatagramSender {
 public:
  int Send(int fd, std::span<mmsghdr> messages) override;
};

struct MediaPlayerOptions {
  // Bound non-blocking UDP sockets to send from, by destination family; -1
  // = none (playbacks to that family fail). Not owned; they must outlive the
  // player.
  int ipv4_fd = -1;
  int ipv6_fd = -1;
  // Not owned; null = a SocketSender.
  DatagramSender* sender = nullptr;
  // SSRC of the RTP we generate (play_dtmf, rtp_stream) is ssrc_base plus
  // the owner folded to 32 bits. SIPp's default base is 0xCA110000.
  uint32_t ssrc_base = 0xCA110000;
};

// Plays the media of every call of one worker on that worker's event loop:
// pcap replays (play_pcap_audio/video/image), RFC 4733 DTMF (play_dtmf) and
// raw audio streams (rtp_stream), all scheduled in one min-heap of next-packet
// deadlines (one entry per playback), so a packet costs O(log n) and no
// allocation, and 10,000+ playbacks run in one thread. Register it with
// EventLoop::set_precise_timer() so packets leave at their µs deadline.
//
// Calls are identified by an opaque `owner` (the worker's call handle). All
// methods must be called on the worker thread; none is reentrant (RunDue
// calls nothing back). Media objects are shared read-only and kept alive by
// the playbacks using them.
class MediaPlayer final : public transport::PreciseTimer {
 public:
  MediaPlayer(const base::Clock& clock, const MediaPlayerOptions& options);
  ~MediaPlayer() override;
  MediaPlayer(const MediaPlayer&) = delete;
  MediaPlayer& operator=(const MediaPlayer&) = delete;

  // Replays `media` in slot `kind` (kAudio, kVideo or kImage): packet i goes
  // at now + offset_us to destination's address, port destination.port() +
  // dst_port_offset (the SDP port for RTP, +1 for RTCP...), payload as
  // captured. Replaces the owner's playback in that slot. `source_fd`: the
  // socket to send from; -1 = the player's socket for the destination's
  // family. It must stay open until the playback ends or is stopped.
  // Errors: InvalidArgument (null media, kind kStream, destination without
  // address or with port 0), FailedPrecondition (no socket for the
  // destination's family). Every Play/Start call checks the destination so.
  absl::Status PlayPcap(uint64_t owner, MediaKind kind, std::shared_ptr<const PcapMedia> media,
                        const transport::SocketAddress& destination, int source_fd = -1);

  // Sends `digits` as RFC 4733 telephone events (BuildDtmfSchedule) in the
  // audio slot, with the owner's SSRC and sequence numbers. Errors:
  // InvalidArgument (bad digits, duration outside 50..2000 ms, payload type
  // outside 0..127), FailedPrecondition as above.
  absl::Status PlayDtmf(uint64_t owner, std::string_view digits, int duration_ms, int payload_type,
                        const transport::SocketAddress& destination, int source_fd = -1);

  // Streams `audio` (rtp_stream) `loops` times (-1 = until stopped), one
  // frame per framing().packet_interval_us, with an RTP header we write:
  // the owner's SSRC and sequence numbers, timestamp += timestamp_increment
  // per packet, marker on the first packet. Replaces the owner's stream.
  // Errors: InvalidArgument (null audio, loops not -1 or >= 1, payload type
  // outside 0..127), FailedPrecondition as above.
  absl::Status StartStream(uint64_t owner, std::shared_ptr<const AudioFile> audio, int loops,
                           int payload_type, const transport::SocketAddress& destination,
                           int source_fd = -1);
  // Suspends the owner's stream (rtp_stream="pause"). False if it has no
  // stream or it is already paused.
  bool PauseStream(uint64_t owner);
  // Continues a paused stream where it stopped: the schedule and the RTP
  // timestamps are shifted by the pause, so nothing is sent in a burst; the
  // first packet after the pause has the marker bit (RFC 3551 §4.1). False
  // if the owner has no paused stream.
  bool ResumeStream(uint64_t owner);

  // Drops every playback of `owner` and its RTP sequence state. Call it when
  // the call ends, whether or not media still plays.
  void Stop(uint64_t owner);
  // True while slot `kind` of `owner` has a playback (a paused stream too).
  bool Playing(uint64_t owner, MediaKind kind) const;
  // Playbacks in progress, paused streams included.
  size_t ActiveCount() const { return active_; }

  // transport::PreciseTimer: the earliest packet deadline, and sending every
  // packet due at or before `now_us` (batched with sendmmsg), recording
  // now_us - due into lateness().
  int64_t NextDueMicros() const override;
  void RunDue(int64_t now_us) override;

  uint64_t packets_sent() const { return packets_sent_; }
  uint64_t bytes_sent() const { return bytes_sent_; }  // UDP payload bytes
  uint64_t send_errors() const { return send_errors_; }
  // How late packets left, µs (0 = on time); one sample per packet.
  const stats::Histogram& lateness() const { return lateness_; }

 private:
  enum class Source : uint8_t { kNone, kPcap, kDtmf, kStream };
  static constexpr uint32_t kNoIndex = UINT32_MAX;
  static constexpr int kBatch = 64;

  struct Session {
    Source source = Source::kNone;
    MediaKind kind = MediaKind::kAudio;
    bool paused = false;
    bool marker_next = false;  // stream: marker on the next packet
    uint8_t payload_type = 0;
    int fd = -1;
    uint32_t owner_index = kNoIndex;
    uint32_t heap_pos = kNoIndex;
    int64_t start_us = 0;  // pcap/dtmf: time origin of the offsets
    int64_t due_us = 0;    // the next packet's deadline
    int64_t paused_at_us = 0;
    int64_t next = 0;        // next packet (pcap, dtmf) or frame count sent
    int64_t total = 0;       // packets to send; -1 = forever
    uint32_t timestamp = 0;  // dtmf: base; stream: the next packet's
    transport::SocketAddress destination;
    std::shared_ptr<const PcapMedia> pcap;
    std::vector<DtmfPacket> dtmf;
    std::shared_ptr<const AudioFile> audio;
  };

  struct Owner {
    uint64_t id = 0;
    std::array<uint32_t, kMediaKindCount> sessions{};
    uint32_t ssrc = 0;
    uint16_t next_sequence = 0;
    uint32_t timestamp_base = 0;
    int64_t epoch_us = 0;
  };

  struct HeapEntry {
    int64_t due_us;
    uint32_t session;
  };

  // One sendmmsg batch being filled; flushed when full, when the socket
  // changes, and at the end of RunDue.
  struct Outbox {
    int fd = -1;
    int count = 0;
    std::array<mmsghdr, kBatch> messages;
    std::array<std::array<iovec, 2>, kBatch> iovecs;
    std::array<std::array<uint8_t, kRtpHeaderBytes>, kBatch> headers;
    std::array<sockaddr_storage, kBatch> addresses;
  };

  // Playback set-up.
  absl::StatusOr<int> PickFd(const transport::SocketAddress& destination, int source_fd) const;
  uint32_t OwnerIndex(uint64_t owner);
  const Owner* FindOwner(uint64_t owner) const;
  // Creates the session in `kind` of `owner` (replacing any) and returns it.
  uint32_t NewSession(uint64_t owner, MediaKind kind, Source source, int fd,
                      const transport::SocketAddress& destination);
  uint32_t RtpTimestampNow(const Owner& owner, int clock_rate) const;
  void EndSession(uint32_t index);
  void ReleaseSession(uint32_t index);

  // Sending.
  void EmitPacket(Session& session);
  bool AdvanceSession(Session& session);
  void Enqueue(int fd, const transport::SocketAddress& to, uint16_t port, const RtpHeader* header,
               std::string_view payload);
  void Flush();

  // The indexed min-heap of next deadlines.
  void HeapPush(uint32_t session);
  void HeapRemove(uint32_t session);
  void HeapSiftUp(size_t pos);
  void HeapSiftDown(size_t pos);
  void HeapPlace(size_t pos, const HeapEntry& entry);

  const base::Clock& clock_;
  MediaPlayerOptions options_;
  SocketSender socket_sender_;
  DatagramSender* sender_;

  std::vector<Session> sessions_;
  std::vector<uint32_t> free_sessions_;
  std::vector<uint32_t> retired_;  // ended during RunDue, released after Flush
  std::vector<Owner> owners_;
  std::vector<uint32_t> free_owners_;
  absl::flat_hash_map<uint64_t, uint32_t> owner_index_;
  std::vector<HeapEntry> heap_;
  size_t active_ = 0;

  std::unique_ptr<Outbox> outbox_;
  uint64_t packets_sent_ = 0;
  uint64_t bytes_sent_ = 0;
  uint64_t send_errors_ = 0;
  stats::Histogram lateness_;
};

}  // namespace sipfleet::rtp

#endif  // SIPFLEET_COMMON_RTP_MEDIA_PLAYER_H_
