#include "common/runtime/default_messages.h"

#include "common/base/strings.h"

namespace sipfleet::runtime {
namespace {

std::string_view HeaderValue(const sip::Message& message, std::string_view name) {
  const sip::HeaderField* header = message.FindHeader(name);
  return header == nullptr ? std::string_view() : header->value;
}

// The first Via of a message (a Via header may hold a comma-separated list).
std::string_view TopVia(const sip::Message& message) {
  std::string_view via = HeaderValue(message, "Via");
  size_t comma = via.find(',');
  return comma == std::string_view::npos ? via : via.substr(0, comma);
}

void AppendHeader(std::string_view name, std::string_view value, std::string* out) {
  base::Append(out, name, ": ", value, "\r\n");
}

// A request in the INVITE's client transaction (same branch and CSeq number):
// CANCEL (RFC 3261 §9.1) or the ACK of a non-2xx response (§17.1.1.3).
void BuildSameTransactionRequest(std::string_view method, const sip::Message& invite,
                                 std::string_view to, std::string* out) {
  out->clear();
  base::Append(out, method, " ", invite.request_uri(), " SIP/2.0\r\n");
  AppendHeader("Via", TopVia(invite), out);
  AppendHeader("From", HeaderValue(invite, "From"), out);
  AppendHeader("To", to, out);
  AppendHeader("Call-ID", invite.call_id(), out);
  base::Append(out, "CSeq: ", invite.cseq_number(), " ", method, "\r\n");
  out->append("Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n");
}

}  // namespace

void BuildCancel(const sip::Message& invite, std::string* out) {
  BuildSameTransactionRequest("CANCEL", invite, HeaderValue(invite, "To"), out);
}

void BuildNon2xxAck(const sip::Message& invite, const sip::Message& response, std::string* out) {
  BuildSameTransactionRequest("ACK", invite, HeaderValue(response, "To"), out);
}

void BuildBye(const sip::Message& invite, const Call& call, const RunValues& run,
              std::string* out) {
  out->clear();
  base::Append(out, "BYE ", invite.request_uri(), " SIP/2.0\r\n");
  base::Append(out, "Via: SIP/2.0/", run.transport, " ", run.local_ip, ":", call.local_port,
               ";branch=z9hG4bK-", run.pid, "-", call.call_number, "-abort", call.cseq, "\r\n");
  AppendHeader("From", HeaderValue(invite, "From"), out);
  std::string_view to = HeaderValue(invite, "To");
  if (sip::HeaderParam(to, "tag").empty() && !call.peer_tag.empty()) {
    base::Append(out, "To: ", to, ";tag=", call.peer_tag, "\r\n");
  } else {
    AppendHeader("To", to, out);
  }
  AppendHeader("Call-ID", invite.call_id(), out);
  base::Append(out, "CSeq: ", call.cseq, " BYE\r\n");
  out->append("Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n");
}

void BuildOkResponse(const sip::Message& request, const Call& call, const RunValues& run,
                     std::string* out) {
  out->clear();
  out->append("SIP/2.0 200 OK\r\n");
  for (const sip::HeaderField& header : request.headers()) {
    if (sip::SameHeaderName(header.name, "Via")) AppendHeader("Via", header.value, out);
  }
  AppendHeader("From", HeaderValue(request, "From"), out);
  std::string_view to = HeaderValue(request, "To");
  if (sip::HeaderParam(to, "tag").empty()) {
    base::Append(out, "To: ", to, ";tag=", run.pid, "SIPpTag01", call.call_number, "\r\n");
  } else {
    AppendHeader("To", to, out);
  }
  AppendHeader("Call-ID", request.call_id(), out);
  AppendHeader("CSeq", HeaderValue(request, "CSeq"), out);
  out->append("Content-Length: 0\r\n\r\n");
}

}  // namespace sipfleet::runtime
