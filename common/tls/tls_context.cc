#include "common/tls/tls_context.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <unistd.h>

#include <mutex>
#include <utility>

#include "absl/status/status.h"
#include "common/base/strings.h"
#include "common/tls/openssl_util.h"
#include "common/tls/socket_bio.h"
#include "common/tls/tls_channel.h"

namespace sipfleet::tls {
namespace {

using internal::BioMethodPtr;
using internal::BioPtr;
using internal::SslCtxPtr;
using internal::SslPtr;
using internal::SslSessionPtr;
using internal::TakeErrorText;
using internal::X509CrlPtr;

constexpr unsigned char kSessionIdContext[] = "sipfleet";

// What every channel of a context shares. Channels hold a reference, so a
// channel outliving its TlsContext stays valid.
class SharedState {
 public:
  SharedState(SslCtxPtr ctx, BioMethodPtr bio_method, Role role)
      : ctx_(std::move(ctx)), bio_method_(std::move(bio_method)), role_(role) {}

  SSL_CTX* ctx() const { return ctx_.get(); }
  const BIO_METHOD* bio_method() const { return bio_method_.get(); }
  Role role() const { return role_; }

  // Takes ownership of `session` (a client's newest resumable session).
  void KeepSession(SSL_SESSION* session) {
    std::lock_guard<std::mutex> lock(mutex_);
    latest_session_.reset(session);
  }
  // A private copy of the newest session, or nullptr. A copy, because once
  // a handshake resumes a session OpenSSL marks it spent (TLS 1.3 tickets
  // are single-use on the client; a renewed TLS 1.2 ticket retires the old
  // one): sharing it would make concurrent connections fall back to full
  // handshakes until the next ticket arrives. Servers accept a reused
  // ticket (stateless tickets, no early data).
  SslSessionPtr LatestSession() const {
    SslSessionPtr latest;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (latest_session_ == nullptr) return nullptr;
      SSL_SESSION_up_ref(latest_session_.get());
      latest.reset(latest_session_.get());
    }
    // No lock needed: OpenSSL never modifies a session handed to the
    // new-session callback (it duplicates before changing one).
    return SslSessionPtr(SSL_SESSION_dup(latest.get()));
  }

 private:
  SslCtxPtr ctx_;
  BioMethodPtr bio_method_;
  Role role_;
  mutable std::mutex mutex_;
  SslSessionPtr latest_session_;  // guarded by mutex_; freed before ctx_
};

absl::Status Invalid(const std::string& message) {
  return absl::InvalidArgumentError(base::Cat("TLS: ", message));
}

absl::Status LoadError(const char* what, const std::string& file) {
  return Invalid(base::Cat("cannot load ", what, " '", file, "': ", TakeErrorText()));
}

bool FileExists(const std::string& path) { return access(path.c_str(), F_OK) == 0; }

// OpenSSL's protocol number for a -tls_version value; 0 for "" (negotiate).
absl::StatusOr<int> ProtocolVersion(const std::string& version) {
  if (version.empty()) return 0;
  if (version == "1.0") return TLS1_VERSION;
  if (version == "1.1") return TLS1_1_VERSION;
  if (version == "1.2") return TLS1_2_VERSION;
  if (version == "1.3") return TLS1_3_VERSION;
  return Invalid(base::Cat("unknown version '", version, "' (expected 1.0, 1.1, 1.2 or 1.3)"));
}

absl::Status PinVersion(SSL_CTX* ctx, const std::string& version) {
  absl::StatusOr<int> protocol = ProtocolVersion(version);
  if (!protocol.ok()) return protocol.status();
  if (*protocol == 0) return absl::OkStatus();
  if (*protocol < TLS1_2_VERSION) {
    // OpenSSL 3 refuses TLS 1.0/1.1 (SHA-1 signatures) above level 0.
    SSL_CTX_set_security_level(ctx, 0);
  }
  if (SSL_CTX_set_min_proto_version(ctx, *protocol) != 1 ||
      SSL_CTX_set_max_proto_version(ctx, *protocol) != 1) {
    return Invalid(base::Cat("version ", version, " unsupported: ", TakeErrorText()));
  }
  return absl::OkStatus();
}

// A client presents a certificate only when -tls_cert/-tls_key were typed,
// or when both default files are present (SIPp).
bool WantsCertificate(const TlsOptions& options, Role role) {
  if (role == Role::kServer || options.cert_given) return true;
  return FileExists(options.cert_file) && FileExists(options.key_file);
}

absl::Status LoadCertificate(SSL_CTX* ctx, const TlsOptions& options) {
  ERR_clear_error();
  if (SSL_CTX_use_certificate_chain_file(ctx, options.cert_file.c_str()) != 1) {
    return LoadError("certificate", options.cert_file);
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, options.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    return LoadError("private key", options.key_file);
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    return Invalid(base::Cat("private key '", options.key_file, "' does not match certificate '",
                             options.cert_file, "': ", TakeErrorText()));
  }
  return absl::OkStatus();
}

// Clients verify the server; servers require a client certificate (SIPp).
absl::Status LoadCa(SSL_CTX* ctx, const std::string& ca_file, Role role) {
  ERR_clear_error();
  if (SSL_CTX_load_verify_locations(ctx, ca_file.c_str(), nullptr) != 1) {
    return LoadError("CA file", ca_file);
  }
  if (role == Role::kClient) {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    return absl::OkStatus();
  }
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  // The CA names sent in CertificateRequest; optional, so failures are ignored.
  if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(ca_file.c_str()); names != nullptr) {
    SSL_CTX_set_client_CA_list(ctx, names);
  }
  ERR_clear_error();
  return absl::OkStatus();
}

// Adds every CRL in the PEM file and checks leaf certificates against them.
absl::Status LoadCrl(SSL_CTX* ctx, const std::string& crl_file) {
  ERR_clear_error();
  BioPtr bio(BIO_new_file(crl_file.c_str(), "r"));
  if (bio == nullptr) return LoadError("CRL file", crl_file);
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  int loaded = 0;
  while (X509CrlPtr crl{PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr)}) {
    if (X509_STORE_add_crl(store, crl.get()) != 1) return LoadError("CRL file", crl_file);
    ++loaded;
  }
  if (loaded == 0) return LoadError("CRL file", crl_file);
  ERR_clear_error();  // the end-of-file "no start line"
  X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK);
  return absl::OkStatus();
}

// Client: remembers the newest resumable session (TLS 1.2 session or TLS
// 1.3 ticket) for the next connection. Returns 1: the state took the
// reference.
int OnNewClientSession(SSL* ssl, SSL_SESSION* session) {
  if (SSL_SESSION_is_resumable(session) != 1) return 0;
  auto* state = static_cast<SharedState*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
  state->KeepSession(session);
  return 1;
}

void ConfigureSessions(SharedState& state) {
  SSL_CTX* ctx = state.ctx();
  if (state.role() == Role::kClient) {
    SSL_CTX_set_app_data(ctx, &state);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(ctx, OnNewClientSession);
    return;
  }
  // Server: internal session cache plus (OpenSSL's default) tickets. The id
  // context is required to resume when client certificates are verified.
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
  SSL_CTX_set_session_id_context(ctx, kSessionIdContext, sizeof(kSessionIdContext) - 1);
}

absl::Status Configure(SSL_CTX* ctx, const TlsOptions& options, Role role) {
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  if (absl::Status status = PinVersion(ctx, options.version); !status.ok()) return status;
  if (WantsCertificate(options, role)) {
    if (absl::Status status = LoadCertificate(ctx, options); !status.ok()) return status;
  }
  if (!options.ca_file.empty()) {
    if (absl::Status status = LoadCa(ctx, options.ca_file, role); !status.ok()) return status;
  }
  if (!options.crl_file.empty()) {
    if (absl::Status status = LoadCrl(ctx, options.crl_file); !status.ok()) return status;
  }
  return absl::OkStatus();
}

}  // namespace

struct TlsContext::Impl {
  std::shared_ptr<SharedState> state;
};

absl::StatusOr<std::unique_ptr<TlsContext>> TlsContext::Create(const TlsOptions& options,
                                                               Role role) {
  ERR_clear_error();
  SslCtxPtr ctx(SSL_CTX_new(TLS_method()));
  BioMethodPtr bio_method = internal::NewSocketBioMethod();
  if (ctx == nullptr || bio_method == nullptr) {
    return absl::InternalError(base::Cat("TLS: cannot create context: ", TakeErrorText()));
  }
  if (absl::Status status = Configure(ctx.get(), options, role); !status.ok()) return status;
  auto state = std::make_shared<SharedState>(std::move(ctx), std::move(bio_method), role);
  ConfigureSessions(*state);
  return std::unique_ptr<TlsContext>(
      new TlsContext(std::make_unique<Impl>(Impl{std::move(state)})));
}

TlsContext::TlsContext(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

TlsContext::~TlsContext() = default;

absl::StatusOr<std::unique_ptr<transport::SecureChannel>> TlsContext::NewChannel(int fd) {
  if (fd < 0) return absl::InvalidArgumentError("TLS: bad socket descriptor");
  const SharedState& state = *impl_->state;
  ERR_clear_error();
  SslPtr ssl(SSL_new(state.ctx()));
  BIO* bio = ssl == nullptr ? nullptr : internal::NewSocketBio(state.bio_method(), fd);
  if (bio == nullptr) {
    return absl::InternalError(base::Cat("TLS: cannot create connection: ", TakeErrorText()));
  }
  SSL_set_bio(ssl.get(), bio, bio);  // ssl owns the BIO
  if (state.role() == Role::kServer) {
    SSL_set_accept_state(ssl.get());
  } else {
    SSL_set_connect_state(ssl.get());
    if (SslSessionPtr session = state.LatestSession()) SSL_set_session(ssl.get(), session.get());
  }
  return std::make_unique<internal::TlsChannel>(std::move(ssl), impl_->state);
}

}  // namespace sipfleet::tls
