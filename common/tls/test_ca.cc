#include "common/tls/test_ca.h"

#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <span>
#include <utility>

#include "common/base/strings.h"
#include "common/tls/openssl_util.h"

namespace sipfleet::tls::testing {

using internal::BioPtr;
using internal::EvpPkeyPtr;
using internal::X509CrlPtr;
using internal::X509Ptr;

struct CertificateAuthority::Keys {
  X509Ptr cert;
  EvpPkeyPtr key;
  bool is_root = false;
  uint64_t next_serial = 2;  // for what it issues; 1 is a root's own
};

namespace {

constexpr long kNotBeforeSeconds = -3600;
constexpr long kLifetimeSeconds = 10L * 365 * 24 * 3600;
constexpr long kCrlLifetimeSeconds = 30L * 24 * 3600;
constexpr char kLeafNames[] = "IP:127.0.0.1,IP:::1,DNS:localhost";

absl::Status Error(const char* what) {
  return absl::InternalError(base::Cat("test CA: ", what, ": ", internal::TakeErrorText()));
}

absl::StatusOr<EvpPkeyPtr> NewKey() {
  EvpPkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (key == nullptr) return Error("key generation");
  return key;
}

// Adds one X.509v3 extension given in openssl.cnf syntax.
absl::Status AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
  if (extension == nullptr) return Error(OBJ_nid2sn(nid));
  int added = X509_add_ext(cert, extension, -1);
  X509_EXTENSION_free(extension);
  return added == 1 ? absl::OkStatus() : Error(OBJ_nid2sn(nid));
}

absl::Status AddExtensions(X509* cert, X509* issuer, bool is_ca) {
  struct Extension {
    int nid;
    const char* value;
  };
  static constexpr Extension kCa[] = {
      {NID_basic_constraints, "critical,CA:TRUE"},
      {NID_key_usage, "critical,keyCertSign,cRLSign"},
      {NID_subject_key_identifier, "hash"},
  };
  static constexpr Extension kLeaf[] = {
      {NID_basic_constraints, "critical,CA:FALSE"}, {NID_key_usage, "critical,digitalSignature"},
      {NID_ext_key_usage, "serverAuth,clientAuth"}, {NID_subject_alt_name, kLeafNames},
      {NID_subject_key_identifier, "hash"},
  };
  for (const Extension& extension :
       is_ca ? std::span<const Extension>(kCa) : std::span<const Extension>(kLeaf)) {
    absl::Status status = AddExtension(cert, issuer, extension.nid, extension.value);
    if (!status.ok()) return status;
  }
  if (issuer == cert) return absl::OkStatus();  // a root names no authority key
  return AddExtension(cert, issuer, NID_authority_key_identifier, "keyid:always");
}

struct CertificateSpec {
  std::string_view common_name;
  uint64_t serial;
  bool is_ca;
};

// A certificate for `key` signed by `issuer_key`; self-signed when `issuer`
// is nullptr.
absl::StatusOr<X509Ptr> NewCertificate(const CertificateSpec& spec, EVP_PKEY* key, X509* issuer,
                                       EVP_PKEY* issuer_key) {
  X509Ptr cert(X509_new());
  if (cert == nullptr) return Error("X509_new");
  X509_set_version(cert.get(), X509_VERSION_3);
  ASN1_INTEGER_set_uint64(X509_get_serialNumber(cert.get()), spec.serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), kNotBeforeSeconds);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), kLifetimeSeconds);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* subject = X509_get_subject_name(cert.get());
  if (X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(spec.common_name.data()),
                                 static_cast<int>(spec.common_name.size()), -1, 0) != 1) {
    return Error("subject name");
  }
  if (issuer == nullptr) {
    issuer = cert.get();
    issuer_key = key;
  }
  X509_set_issuer_name(cert.get(), X509_get_subject_name(issuer));
  if (absl::Status status = AddExtensions(cert.get(), issuer, spec.is_ca); !status.ok()) {
    return status;
  }
  if (X509_sign(cert.get(), issuer_key, EVP_sha256()) <= 0) return Error("signing");
  return cert;
}

std::string MemoryText(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(size));
}

std::string CertificatePem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), cert);
  return MemoryText(bio.get());
}

std::string KeyPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  return MemoryText(bio.get());
}

absl::Status Revoke(X509_CRL* crl, uint64_t serial, const ASN1_TIME* when) {
  X509_REVOKED* revoked = X509_REVOKED_new();
  ASN1_INTEGER* number = ASN1_INTEGER_new();
  bool ok = revoked != nullptr && number != nullptr &&
            ASN1_INTEGER_set_uint64(number, serial) == 1 &&
            X509_REVOKED_set_serialNumber(revoked, number) == 1 &&
            X509_REVOKED_set_revocationDate(revoked, const_cast<ASN1_TIME*>(when)) == 1 &&
            X509_CRL_add0_revoked(crl, revoked) == 1;
  ASN1_INTEGER_free(number);
  if (!ok) {
    X509_REVOKED_free(revoked);
    return Error("revoked entry");
  }
  return absl::OkStatus();
}

std::string JoinPath(const std::string& dir, const char* name) { return base::Cat(dir, "/", name); }

}  // namespace

CertificateAuthority::CertificateAuthority(std::shared_ptr<Keys> keys, std::string chain_pem)
    : keys_(std::move(keys)), chain_pem_(std::move(chain_pem)) {}

absl::StatusOr<CertificateAuthority> CertificateAuthority::CreateRoot(
    std::string_view common_name) {
  absl::StatusOr<EvpPkeyPtr> key = NewKey();
  if (!key.ok()) return key.status();
  absl::StatusOr<X509Ptr> cert =
      NewCertificate({common_name, 1, /*is_ca=*/true}, key->get(), nullptr, nullptr);
  if (!cert.ok()) return cert.status();
  std::string pem = CertificatePem(cert->get());
  auto keys = std::make_shared<Keys>(Keys{std::move(*cert), std::move(*key), /*is_root=*/true});
  return CertificateAuthority(std::move(keys), std::move(pem));
}

absl::StatusOr<CertificateAuthority> CertificateAuthority::CreateIntermediate(
    std::string_view common_name) {
  absl::StatusOr<EvpPkeyPtr> key = NewKey();
  if (!key.ok()) return key.status();
  absl::StatusOr<X509Ptr> cert = NewCertificate({common_name, keys_->next_serial++, /*is_ca=*/true},
                                                key->get(), keys_->cert.get(), keys_->key.get());
  if (!cert.ok()) return cert.status();
  std::string chain = CertificatePem(cert->get());
  if (!keys_->is_root) chain += chain_pem_;
  auto keys = std::make_shared<Keys>(Keys{std::move(*cert), std::move(*key), /*is_root=*/false});
  return CertificateAuthority(std::move(keys), std::move(chain));
}

absl::StatusOr<Credential> CertificateAuthority::IssueLeaf(std::string_view common_name) {
  absl::StatusOr<EvpPkeyPtr> key = NewKey();
  if (!key.ok()) return key.status();
  uint64_t serial = keys_->next_serial++;
  absl::StatusOr<X509Ptr> cert = NewCertificate({common_name, serial, /*is_ca=*/false}, key->get(),
                                                keys_->cert.get(), keys_->key.get());
  if (!cert.ok()) return cert.status();
  Credential credential{CertificatePem(cert->get()), KeyPem(key->get()), serial};
  if (!keys_->is_root) credential.cert_pem += chain_pem_;
  return credential;
}

absl::StatusOr<std::string> CertificateAuthority::CrlPem(
    const std::vector<uint64_t>& revoked_serials) const {
  X509CrlPtr crl(X509_CRL_new());
  using TimePtr = std::unique_ptr<ASN1_TIME, internal::OpenSslDeleter<ASN1_TIME_free>>;
  TimePtr last_update(X509_gmtime_adj(nullptr, kNotBeforeSeconds));
  TimePtr next_update(X509_gmtime_adj(nullptr, kCrlLifetimeSeconds));
  if (crl == nullptr || last_update == nullptr || next_update == nullptr ||
      X509_CRL_set_version(crl.get(), 1) != 1 ||  // v2
      X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(keys_->cert.get())) != 1 ||
      X509_CRL_set1_lastUpdate(crl.get(), last_update.get()) != 1 ||
      X509_CRL_set1_nextUpdate(crl.get(), next_update.get()) != 1) {
    return Error("CRL");
  }
  for (uint64_t serial : revoked_serials) {
    if (absl::Status status = Revoke(crl.get(), serial, last_update.get()); !status.ok()) {
      return status;
    }
  }
  X509_CRL_sort(crl.get());
  if (X509_CRL_sign(crl.get(), keys_->key.get(), EVP_sha256()) <= 0) return Error("CRL signing");
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509_CRL(bio.get(), crl.get());
  return MemoryText(bio.get());
}

std::string CertificateAuthority::cert_pem() const { return CertificatePem(keys_->cert.get()); }

std::string CertificateAuthority::key_pem() const { return KeyPem(keys_->key.get()); }

absl::Status WriteTextFile(const std::string& path, std::string_view contents) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return absl::InternalError(base::Cat("cannot write '", path, "': ", strerror(errno)));
  while (!contents.empty()) {
    ssize_t n = write(fd, contents.data(), contents.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int error = errno;
      close(fd);
      return absl::InternalError(base::Cat("cannot write '", path, "': ", strerror(error)));
    }
    contents.remove_prefix(static_cast<size_t>(n));
  }
  close(fd);
  return absl::OkStatus();
}

namespace {

struct Pki {
  CertificateAuthority root;
  CertificateAuthority intermediate;
  Credential server, client, revoked_client;
  std::string crl;
  CertificateAuthority other_root;
};

absl::StatusOr<Pki> MakePki() {
  absl::StatusOr<CertificateAuthority> root = CertificateAuthority::CreateRoot("sipfleet test CA");
  if (!root.ok()) return root.status();
  absl::StatusOr<CertificateAuthority> intermediate =
      root->CreateIntermediate("sipfleet test intermediate CA");
  if (!intermediate.ok()) return intermediate.status();
  absl::StatusOr<Credential> server = intermediate->IssueLeaf("sipfleet test server");
  absl::StatusOr<Credential> client = root->IssueLeaf("sipfleet test client");
  absl::StatusOr<Credential> revoked = root->IssueLeaf("sipfleet revoked client");
  for (const auto* leaf : {&server, &client, &revoked}) {
    if (!leaf->ok()) return leaf->status();
  }
  absl::StatusOr<std::string> crl = root->CrlPem({revoked->serial});
  if (!crl.ok()) return crl.status();
  absl::StatusOr<CertificateAuthority> other =
      CertificateAuthority::CreateRoot("sipfleet other CA");
  if (!other.ok()) return other.status();
  return Pki{*std::move(root),    *std::move(intermediate), *std::move(server), *std::move(client),
             *std::move(revoked), *std::move(crl),          *std::move(other)};
}

}  // namespace

absl::StatusOr<TestCaFiles> WriteTestCaFiles(const std::string& dir) {
  absl::StatusOr<Pki> pki = MakePki();
  if (!pki.ok()) return pki.status();
  TestCaFiles files{JoinPath(dir, "ca.pem"),
                    JoinPath(dir, "intermediate.pem"),
                    JoinPath(dir, "server.pem"),
                    JoinPath(dir, "server-key.pem"),
                    JoinPath(dir, "client.pem"),
                    JoinPath(dir, "client-key.pem"),
                    JoinPath(dir, "revoked-client.pem"),
                    JoinPath(dir, "revoked-client-key.pem"),
                    JoinPath(dir, "crl.pem"),
                    JoinPath(dir, "other-ca.pem")};
  const std::pair<const std::string*, std::string> contents[] = {
      {&files.ca, pki->root.cert_pem()},
      {&files.intermediate, pki->intermediate.cert_pem()},
      {&files.server_cert, pki->server.cert_pem},
      {&files.server_key, pki->server.key_pem},
      {&files.client_cert, pki->client.cert_pem},
      {&files.client_key, pki->client.key_pem},
      {&files.revoked_client_cert, pki->revoked_client.cert_pem},
      {&files.revoked_client_key, pki->revoked_client.key_pem},
      {&files.crl, pki->crl},
      {&files.other_ca, pki->other_root.cert_pem()},
  };
  for (const auto& [path, text] : contents) {
    if (absl::Status status = WriteTextFile(*path, text); !status.ok()) return status;
  }
  return files;
}

}  // namespace sipfleet::tls::testing
