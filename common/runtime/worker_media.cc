// The media plane of a worker: play_pcap_audio/video/image, play_dtmf and
// rtp_stream run on the worker's own loop (a precise timer), never a thread
// per call; -rtp_echo echoes on one worker. SIPP_NOTES §3.4.

#include <sys/epoll.h>

#include "common/base/strings.h"
#include "common/rtp/dtmf.h"
#include "common/rtp/sdp.h"
#include "common/runtime/worker.h"

namespace sipfleet::runtime {
namespace {

using scenario::ActionKind;
using scenario::MediaSlot;

// a=rtpmap:N telephone-event/... in an SDP body (RFC 4733 §7.1.1), or -1.
int TelephoneEventPayloadType(std::string_view body) {
  for (size_t at = body.find("telephone-event"); at != std::string_view::npos;
       at = body.find("telephone-event", at + 1)) {
    size_t line = body.rfind('\n', at);
    std::string_view head = body.substr(line == std::string_view::npos ? 0 : line + 1);
    if (!head.starts_with("a=rtpmap:")) continue;
    head.remove_prefix(9);
    int payload_type = 0;
    if (base::ParseInt(head.substr(0, head.find(' ')), &payload_type)) return payload_type;
  }
  return -1;
}

}  // namespace

absl::Status Worker::InitMedia() {
  if (!scenario_.uses_media) return absl::OkStatus();
  // Playbacks leave from ephemeral ports of the media address family;
  // the peer's SDP says where they go.
  const bool v6 = config_.media_ipv6;
  absl::StatusOr<transport::SocketAddress> local =
      transport::SocketAddress::Resolve(config_.media_bind_ip(), 0);
  if (!local.ok()) return local.status();
  absl::StatusOr<std::unique_ptr<transport::UdpSocket>> socket =
      transport::UdpSocket::Bind(*local, config_.buffer_bytes);
  if (!socket.ok()) return socket.status();
  rtp::MediaPlayerOptions options;
  if (v6) {
    media_v6_ = *std::move(socket);
    options.ipv6_fd = media_v6_->fd();
  } else {
    media_v4_ = *std::move(socket);
    options.ipv4_fd = media_v4_->fd();
  }
  run_values_.rtpstream_port = (v6 ? media_v6_ : media_v4_)->local_address().port();
  media_ = std::make_unique<rtp::MediaPlayer>(clock_, options);
  loop_.set_precise_timer(media_.get());
  return absl::OkStatus();
}

absl::Status Worker::StartRtpEcho(rtp::RtpEcho::BoundPair pair) {
  rtp_echo_ = std::make_unique<rtp::RtpEcho>(std::move(pair),
                                             static_cast<size_t>(config_.rtp_echo_buffer));
  for (int fd : rtp_echo_->fds()) {
    if (absl::Status status = loop_.Watch(fd, EPOLLIN, rtp_echo_.get()); !status.ok()) {
      return status;
    }
  }
  return absl::OkStatus();
}

void Worker::PostEchoMute(const transport::SocketAddress& source, bool mute) {
  loop_.Post([this, source, mute] {
    if (rtp_echo_ == nullptr) return;
    if (mute) {
      rtp_echo_->Mute(source);
    } else {
      rtp_echo_->Unmute(source);
    }
  });
}

// The echo runs on worker 0 (Engine::Create); a call on any worker asks it.
void Worker::SetCallEcho(Call& call, bool on) {
  transport::SocketAddress source;
  if (!config_.rtp_echo) return;  // nothing to toggle without -rtp_echo
  if (!PeerMediaAddress(call, MediaSlot::kAudio, &source)) {
    Warn(call, "<rtp_echo>: no media address from the peer's SDP");
    return;
  }
  if (call.extras->echo_muted == !on) return;
  call.extras->echo_muted = !on;
  shared_->workers[0]->PostEchoMute(source, !on);
}

void Worker::NotePeerMedia(Call& call, const sip::Message& message) {
  if (message.body().empty()) return;
  std::optional<rtp::SdpMedia> sdp = rtp::ParseSdp(message.body());
  if (!sdp.has_value() || sdp->ip.empty()) return;
  absl::StatusOr<transport::SocketAddress> address = transport::SocketAddress::Resolve(sdp->ip, 0);
  if (!address.ok()) return;
  CallExtras& extras = *call.extras;
  extras.peer_media = *address;
  extras.peer_audio_port = sdp->audio_port;
  extras.peer_video_port = sdp->video_port;
  extras.peer_image_port = sdp->image_port;
  int dtmf = TelephoneEventPayloadType(message.body());
  if (dtmf >= 0 && dtmf < 128) extras.peer_dtmf_payload_type = static_cast<uint8_t>(dtmf);
}

void Worker::NoteOwnMedia(Call& call, const sip::Message& sent) {
  if (sent.body().empty()) return;
  std::optional<rtp::SdpMedia> sdp = rtp::ParseSdp(sent.body());
  if (!sdp.has_value()) return;
  CallExtras& extras = *call.extras;
  extras.own_media_ports[0] = sdp->audio_port;
  extras.own_media_ports[1] = sdp->video_port;
  extras.own_media_ports[2] = sdp->image_port;
}

// The socket a call's media of `slot` leaves from: one bound to the port
// its SDP offered (shared with other calls offering it, SO_REUSEPORT), or
// -1 (the worker's socket) when there is no offer or the port is taken by
// another program (an echo, the peer on the same host).
int Worker::MediaSourceFd(Call& call, MediaSlot slot) {
  CallExtras& extras = *call.extras;
  const size_t i = static_cast<size_t>(slot);
  if (extras.media_sources[i] != nullptr) return extras.media_sources[i]->fd();
  if (extras.own_media_ports[i] == 0) return -1;
  transport::UdpSocket* shared_socket = media_v6_ ? media_v6_.get() : media_v4_.get();
  if (shared_socket == nullptr) return -1;
  transport::SocketAddress local = shared_socket->local_address();
  local.set_port(extras.own_media_ports[i]);
  absl::StatusOr<std::unique_ptr<transport::UdpSocket>> socket =
      transport::UdpSocket::Bind(local, 0, /*reuse_port=*/true);
  if (!socket.ok()) return -1;
  extras.media_sources[i] = *std::move(socket);
  return extras.media_sources[i]->fd();
}

bool Worker::PeerMediaAddress(const Call& call, MediaSlot slot,
                              transport::SocketAddress* out) const {
  const CallExtras& extras = *call.extras;
  uint16_t port = slot == MediaSlot::kAudio   ? extras.peer_audio_port
                  : slot == MediaSlot::kVideo ? extras.peer_video_port
                                              : extras.peer_image_port;
  if (port == 0 || extras.peer_media.length() == 0) return false;
  *out = extras.peer_media;
  out->set_port(port);
  return true;
}

void Worker::RunMediaAction(Call& call, const scenario::Action& action, int index) {
  if (media_ == nullptr || call.extras == nullptr) return;
  if (action.kind == ActionKind::kRtpEcho) {
    SetCallEcho(call, action.number != 0);
    return;
  }
  const uint64_t owner = Token(call.slot, call.generation);
  const MediaSlot slot = action.kind == ActionKind::kPlayPcap ? action.media_slot : MediaSlot::kAudio;
  if (action.kind == ActionKind::kRtpStream &&
      action.stream.op != rtp::RtpStreamCommand::Op::kPlay) {
    bool changed = action.stream.op == rtp::RtpStreamCommand::Op::kPause
                       ? media_->PauseStream(owner)
                       : media_->ResumeStream(owner);
    if (!changed) Warn(call, "rtp_stream pause/resume: no stream in that state");
    return;
  }
  transport::SocketAddress destination;
  if (!PeerMediaAddress(call, slot, &destination)) {
    Warn(call, base::Cat("line ", action.line, ": no media address from the peer's SDP"));
    return;
  }
  absl::Status status;
  switch (action.kind) {
    case ActionKind::kPlayPcap:
      status = media_->PlayPcap(owner, static_cast<rtp::MediaKind>(action.media_slot), action.pcap,
                                destination, MediaSourceFd(call, slot));
      break;
    case ActionKind::kPlayDtmf: {
      ExpandText(call, *action.text, index, &scratch_extra_);
      absl::StatusOr<rtp::DtmfRequest> request = rtp::ParseDtmfAttribute(scratch_extra_);
      status = request.ok() ? media_->PlayDtmf(owner, request->digits, request->duration_ms,
                                               call.extras->peer_dtmf_payload_type, destination,
                                               MediaSourceFd(call, slot))
                            : request.status();
      break;
    }
    default:
      status = media_->StartStream(owner, action.audio, action.stream.loops,
                                   action.stream.payload_type, destination,
                                   MediaSourceFd(call, slot));
      break;
  }
  if (!status.ok()) Warn(call, base::Cat("line ", action.line, ": ", status.message()));
}

}  // namespace sipfleet::runtime
