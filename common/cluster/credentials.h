#ifndef SIPFLEET_COMMON_CLUSTER_CREDENTIALS_H_
#define SIPFLEET_COMMON_CLUSTER_CREDENTIALS_H_

// Security of the cluster's control plane (issue 6): mutual TLS between
// sipfleet-master and sipfleet-agent, and the rule that plain text stays on
// loopback unless explicitly asked for. Library sipfleet_cluster_credentials
// (links gRPC and OpenSSL; sipfleet_cluster itself stays gRPC-free). Only
// gRPC's credential classes are named here, forward-declared; every other
// third-party type stays in the .cc. Functions are thread-safe.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/cli/option_table.h"

namespace grpc {
class Channel;
class ChannelCredentials;
class ServerCredentials;
}  // namespace grpc

namespace sipfleet::cluster {

// The -ctl_tls_* options, as given (file paths). The names differ from
// SIPp's -tls_cert/-tls_key/-tls_ca, which the master passes on to the
// agents' engines for SIP over TLS.
struct ControlTlsOptions {
  std::string ca_file;    // -ctl_tls_ca: PEM roots that sign the peer's certificate
  std::string cert_file;  // -ctl_tls_cert: own certificate chain (PEM, leaf first)
  std::string key_file;   // -ctl_tls_key: own private key (PEM)
  // -ctl_tls_server_name (agent only): the name checked against the
  // master's certificate instead of the host in -master (e.g. when the
  // certificate names a DNS name and -master is an IP address).
  std::string server_name;

  // True if any of ca/cert/key was given (then all three are required).
  bool enabled() const { return !ca_file.empty() || !cert_file.empty() || !key_file.empty(); }
};

// The loaded PEM material, checked: every file parses as PEM of its kind and
// the key matches the leaf certificate.
struct ControlTlsMaterial {
  std::string ca_pem;
  std::string cert_pem;
  std::string key_pem;
  std::string server_name;
};

// How the control channel is secured, as decided by ResolveControlSecurity.
struct ControlSecurity {
  bool plaintext = true;     // false: mutual TLS with `material`
  ControlTlsMaterial material;
  std::string description;   // one line for logs, e.g. "mTLS (CN=agent1)"
};

// The control-plane TLS options as option table entries (common/cli), for
// the master's and the agent's command lines: -ctl_tls_ca FILE,
// -ctl_tls_cert FILE, -ctl_tls_key FILE and, when `agent`, also
// -ctl_tls_server_name NAME. Each has its -h text.
cli::OptionTable<ControlTlsOptions> ControlTlsOptionTable(bool agent);

// Every control-plane security option of a command line whose options
// struct T keeps them at `tls` and `allow_plaintext` (the master's, the
// agent's): ControlTlsOptionTable(agent) and -allow_plaintext.
template <typename T>
cli::OptionTable<T> ControlSecurityOptionTable(ControlTlsOptions T::*tls, bool T::*allow_plaintext,
                                               bool agent) {
  cli::OptionTable<T> table;
  table.Embed(tls, ControlTlsOptionTable(agent));
  table.Add("allow_plaintext", cli::Flag(allow_plaintext)
                                   .Doc("", "without -ctl_tls_*, plain text is allowed only on\n"
                                            "loopback; this accepts it off loopback too"));
  return table;
}

// True for 127.0.0.0/8, [::1], ::1 and localhost (with or without :port).
// "0.0.0.0", "[::]" and every other address are not loopback.
bool IsLoopbackHostPort(std::string_view host_port);

// Decides how the control plane at `address` (the master's -listen, or the
// agent's -master) is secured:
// - -ctl_tls_ca/-ctl_tls_cert/-ctl_tls_key given: mutual TLS; all three are
//   required and loaded now, so a bad file fails before any network I/O.
// - otherwise plain text, allowed only when `address` is on loopback (then
//   both ends are on this host) or `allow_plaintext` (-allow_plaintext).
// Errors (messages name the option and the file): InvalidArgument for a
// partial set or plain text off loopback, NotFound for an unreadable file,
// FailedPrecondition for a key that does not match its certificate or PEM
// that does not parse.
absl::StatusOr<ControlSecurity> ResolveControlSecurity(std::string_view address,
                                                       const ControlTlsOptions& tls,
                                                       bool allow_plaintext);

// The master's server credentials: plain text, or TLS that requires a
// client certificate and verifies it against the CA bundle (a client
// without one, or with one from another CA, fails the handshake).
std::shared_ptr<grpc::ServerCredentials> MakeServerCredentials(const ControlSecurity& security);

// The agent's channel credentials: plain text, or TLS presenting the
// agent's certificate and verifying the master's against the CA bundle.
// When TLS has a server_name, the caller must also set
// GRPC_SSL_TARGET_NAME_OVERRIDE_ARG (see AddChannelSecurityArgs).
std::shared_ptr<grpc::ChannelCredentials> MakeChannelCredentials(const ControlSecurity& security);

// The channel arguments TLS needs beside the credentials, as (key, value)
// string pairs to pass to grpc::ChannelArguments::SetString.
std::vector<std::pair<std::string, std::string>> ChannelSecurityArgs(
    const ControlSecurity& security);

// Why `channel` cannot reach its server, for an operator: makes one
// fail-fast call (bounded by `timeout_ms`) whose status carries gRPC's last
// connection error, e.g. "Ssl handshake failed: ... tlsv1 alert unknown ca"
// when the master refused this side's certificate. "reachable" if the call
// got an answer after all. With TLS 1.3 a server that refuses the client's
// certificate just closes the connection after the handshake, so under
// `security` TLS a closed socket gets a hint naming the likely cause.
std::string ConnectFailureReason(const std::shared_ptr<grpc::Channel>& channel,
                                 const ControlSecurity& security, int64_t timeout_ms);

}  // namespace sipfleet::cluster

#endif  // SIPFLEET_COMMON_CLUSTER_CREDENTIALS_H_
