#include "common/cluster/credentials.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include "common/base/strings.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/support/channel_arguments.h"
#include "common/tls/openssl_util.h"

namespace sipfleet::cluster {
namespace {

using tls::internal::BioPtr;
using tls::internal::X509Ptr;
using PkeyPtr = tls::internal::EvpPkeyPtr;

absl::StatusOr<std::string> ReadPemFile(std::string_view option, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(base::Cat(option, " ", path, ": cannot read"));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

BioPtr MemoryBio(const std::string& pem) {
  return BioPtr(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

// The first certificate of `pem`, or an error naming the option and file.
absl::StatusOr<X509Ptr> FirstCertificate(std::string_view option, const std::string& path,
                                         const std::string& pem) {
  BioPtr bio = MemoryBio(pem);
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  if (!cert) {
    return absl::FailedPreconditionError(
        base::Cat(option, " ", path, ": no PEM certificate in the file"));
  }
  return cert;
}

std::string SubjectCommonName(X509* cert) {
  char name[256] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, name, sizeof(name));
  return name;
}

// Loads and checks the three files; the description names our own CN.
absl::StatusOr<ControlSecurity> LoadTls(const ControlTlsOptions& tls) {
  for (auto [option, path] : {std::pair{"-ctl_tls_ca", &tls.ca_file},
                              std::pair{"-ctl_tls_cert", &tls.cert_file},
                              std::pair{"-ctl_tls_key", &tls.key_file}}) {
    if (path->empty()) {
      return absl::InvalidArgumentError(base::Cat(
          "mutual TLS needs -ctl_tls_ca, -ctl_tls_cert and -ctl_tls_key; ", option, " is missing"));
    }
  }
  ControlSecurity security;
  security.plaintext = false;
  ControlTlsMaterial& material = security.material;
  material.server_name = tls.server_name;
  absl::StatusOr<std::string> ca = ReadPemFile("-ctl_tls_ca", tls.ca_file);
  if (!ca.ok()) return ca.status();
  absl::StatusOr<std::string> cert = ReadPemFile("-ctl_tls_cert", tls.cert_file);
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> key = ReadPemFile("-ctl_tls_key", tls.key_file);
  if (!key.ok()) return key.status();
  material.ca_pem = *std::move(ca);
  material.cert_pem = *std::move(cert);
  material.key_pem = *std::move(key);
  if (absl::StatusOr<X509Ptr> root = FirstCertificate("-ctl_tls_ca", tls.ca_file, material.ca_pem);
      !root.ok()) {
    return root.status();
  }
  absl::StatusOr<X509Ptr> leaf = FirstCertificate("-ctl_tls_cert", tls.cert_file, material.cert_pem);
  if (!leaf.ok()) return leaf.status();
  BioPtr key_bio = MemoryBio(material.key_pem);
  PkeyPtr pkey(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  if (!pkey) {
    return absl::FailedPreconditionError(
        base::Cat("-ctl_tls_key ", tls.key_file, ": no unencrypted PEM private key in the file"));
  }
  if (X509_check_private_key(leaf->get(), pkey.get()) != 1) {
    ERR_clear_error();
    return absl::FailedPreconditionError(base::Cat("-ctl_tls_key ", tls.key_file,
                                                   " does not match the certificate in ",
                                                   tls.cert_file));
  }
  security.description = base::Cat("mutual TLS as CN=", SubjectCommonName(leaf->get()));
  return security;
}

}  // namespace

cli::OptionTable<ControlTlsOptions> ControlTlsOptionTable(bool agent) {
  cli::OptionTable<ControlTlsOptions> table = {
      {"ctl_tls_ca", cli::String(&ControlTlsOptions::ca_file)
                         .Doc("FILE", "mutual TLS on the control plane: the PEM CA bundle\n"
                                      "that signs the peer's certificate")},
      {"ctl_tls_cert", cli::String(&ControlTlsOptions::cert_file)
                           .Doc("FILE", "this side's certificate chain (PEM, leaf first)")},
      {"ctl_tls_key", cli::String(&ControlTlsOptions::key_file)
                          .Doc("FILE", "this side's private key (PEM); the three go together")},
  };
  if (agent) {
    table.Add("ctl_tls_server_name",
              cli::String(&ControlTlsOptions::server_name)
                  .Doc("NAME", "check the master's certificate for NAME instead\n"
                               "of the host in -master"));
  }
  return table;
}

bool IsLoopbackHostPort(std::string_view host_port) {
  std::string_view host = host_port;
  if (host.starts_with("[")) {
    host = host.substr(1, host.find(']') == std::string_view::npos ? host.size() - 1
                                                                    : host.find(']') - 1);
  } else if (host.find(':') == host.rfind(':') && host.find(':') != std::string_view::npos) {
    host = host.substr(0, host.find(':'));  // host:port (one colon: not a bare IPv6 address)
  }
  return host.starts_with("127.") || host == "localhost" || host == "::1";
}

absl::StatusOr<ControlSecurity> ResolveControlSecurity(std::string_view address,
                                                       const ControlTlsOptions& tls,
                                                       bool allow_plaintext) {
  if (tls.enabled()) return LoadTls(tls);
  if (!tls.server_name.empty()) {
    return absl::InvalidArgumentError("-ctl_tls_server_name needs -ctl_tls_ca/-ctl_tls_cert/-ctl_tls_key");
  }
  ControlSecurity security;
  if (IsLoopbackHostPort(address)) {
    security.description = "plain text on loopback";
    return security;
  }
  if (allow_plaintext) {
    security.description = "plain text off loopback (-allow_plaintext)";
    return security;
  }
  return absl::InvalidArgumentError(base::Cat(
      "the control plane at ", address,
      " is off loopback: give -ctl_tls_ca, -ctl_tls_cert and -ctl_tls_key for mutual TLS, "
      "or -allow_plaintext to accept plain text"));
}

std::shared_ptr<grpc::ServerCredentials> MakeServerCredentials(const ControlSecurity& security) {
  if (security.plaintext) return grpc::InsecureServerCredentials();
  grpc::SslServerCredentialsOptions options(
      GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  options.pem_root_certs = security.material.ca_pem;
  options.pem_key_cert_pairs.push_back({security.material.key_pem, security.material.cert_pem});
  return grpc::SslServerCredentials(options);
}

std::shared_ptr<grpc::ChannelCredentials> MakeChannelCredentials(const ControlSecurity& security) {
  if (security.plaintext) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = security.material.ca_pem;
  options.pem_private_key = security.material.key_pem;
  options.pem_cert_chain = security.material.cert_pem;
  return grpc::SslCredentials(options);
}

std::vector<std::pair<std::string, std::string>> ChannelSecurityArgs(
    const ControlSecurity& security) {
  if (security.plaintext || security.material.server_name.empty()) return {};
  return {{GRPC_SSL_TARGET_NAME_OVERRIDE_ARG, security.material.server_name}};
}

std::string ConnectFailureReason(const std::shared_ptr<grpc::Channel>& channel,
                                 const ControlSecurity& security, int64_t timeout_ms) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;  // fail fast: not wait_for_ready
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(timeout_ms));
  grpc::CompletionQueue queue;
  grpc::ByteBuffer request;
  grpc::ByteBuffer response;
  // No such method: a reachable master answers UNIMPLEMENTED.
  std::unique_ptr<grpc::GenericClientAsyncResponseReader> call =
      stub.PrepareUnaryCall(&context, "/sipfleet.control.v1.Control/Probe", request, &queue);
  call->StartCall();
  grpc::Status status;
  call->Finish(&response, &status, &status);
  void* tag = nullptr;
  bool ok = false;
  queue.Next(&tag, &ok);
  queue.Shutdown();
  while (queue.Next(&tag, &ok)) {
  }
  if (status.error_code() == grpc::StatusCode::UNIMPLEMENTED) return "reachable";
  std::string reason = status.error_message().empty()
                           ? base::Cat("gRPC status ", static_cast<int>(status.error_code()))
                           : status.error_message();
  if (!security.plaintext && reason.find("Socket closed") != std::string::npos) {
    base::Append(&reason,
                 " (the master closed the TLS connection: it most likely refused this side's "
                 "certificate; check that -ctl_tls_cert is signed by a CA in the master's "
                 "-ctl_tls_ca, and that the master serves TLS)");
  }
  return reason;
}

}  // namespace sipfleet::cluster
