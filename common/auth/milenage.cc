#include "common/auth/milenage.h"

#include <openssl/evp.h>

#include <algorithm>
#include <memory>

#include "absl/status/status.h"

namespace sipfleet::auth::milenage {
namespace {

// AES-128 block encryption, the MILENAGE kernel E_K (TS 35.206 §2.2).
class Aes128 {
 public:
  static absl::StatusOr<Aes128> Create(const Block& key) {
    Aes128 aes;
    aes.ctx_.reset(EVP_CIPHER_CTX_new());
    if (aes.ctx_ == nullptr ||
        EVP_EncryptInit_ex(aes.ctx_.get(), EVP_aes_128_ecb(), nullptr, key.data(), nullptr) != 1 ||
        EVP_CIPHER_CTX_set_padding(aes.ctx_.get(), 0) != 1) {
      return absl::InternalError("OpenSSL AES-128-ECB initialisation failed");
    }
    return aes;
  }

  absl::StatusOr<Block> Encrypt(const Block& plaintext) {
    Block ciphertext{};
    int written = 0;
    if (EVP_EncryptUpdate(ctx_.get(), ciphertext.data(), &written, plaintext.data(),
                          static_cast<int>(plaintext.size())) != 1 ||
        written != static_cast<int>(ciphertext.size())) {
      return absl::InternalError("OpenSSL AES-128-ECB encryption failed");
    }
    return ciphertext;
  }

 private:
  struct CtxDeleter {
    void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
  };
  std::unique_ptr<EVP_CIPHER_CTX, CtxDeleter> ctx_;
};

Block Xor(const Block& a, const Block& b) {
  Block out{};
  for (size_t i = 0; i < out.size(); ++i) out[i] = a[i] ^ b[i];
  return out;
}

// rot(x, r): cyclic left rotation by r bits; every r of TS 35.206 §4.1 is a
// whole number of bytes.
Block RotateLeftBytes(const Block& x, size_t bytes) {
  Block out{};
  for (size_t i = 0; i < out.size(); ++i) out[i] = x[(i + bytes) % x.size()];
  return out;
}

// The rotation (in bytes) and last byte of the constant c of each OUTn,
// TS 35.206 §4.1: r1=64 c1=0, r2=0 c2=1, r3=32 c3=2, r4=64 c4=4, r5=96 c5=8.
struct OutParameters {
  size_t rotate_bytes;
  uint8_t constant;
};
constexpr OutParameters kOut1{8, 0x00};
constexpr OutParameters kOut2{0, 0x01};
constexpr OutParameters kOut3{4, 0x02};
constexpr OutParameters kOut4{8, 0x04};
constexpr OutParameters kOut5{12, 0x08};

// OUTn = E_K(addend xor rot(x xor OPc, r) xor c) xor OPc. OUT1 has x = IN1
// and addend = TEMP; OUT2..OUT5 have x = TEMP and a zero addend.
absl::StatusOr<Block> ComputeOut(Aes128& aes, const Block& opc, const Block& x, const Block& addend,
                                 OutParameters parameters) {
  Block input = Xor(addend, RotateLeftBytes(Xor(x, opc), parameters.rotate_bytes));
  input.back() ^= parameters.constant;
  absl::StatusOr<Block> encrypted = aes.Encrypt(input);
  if (!encrypted.ok()) return encrypted.status();
  return Xor(*encrypted, opc);
}

// TEMP = E_K(RAND xor OPc).
absl::StatusOr<Block> ComputeTemp(Aes128& aes, const Keys& keys, const Block& rand) {
  return aes.Encrypt(Xor(rand, keys.opc));
}

// OUT1 for f1 / f1*: IN1 = SQN || AMF || SQN || AMF.
absl::StatusOr<Block> ComputeOut1(const Keys& keys, const Block& rand, const Sqn& sqn,
                                  const Amf& amf) {
  absl::StatusOr<Aes128> aes = Aes128::Create(keys.k);
  if (!aes.ok()) return aes.status();
  absl::StatusOr<Block> temp = ComputeTemp(*aes, keys, rand);
  if (!temp.ok()) return temp.status();
  Block in1{};
  for (size_t half = 0; half < 2; ++half) {
    std::copy(sqn.begin(), sqn.end(), in1.begin() + half * 8);
    std::copy(amf.begin(), amf.end(), in1.begin() + half * 8 + sqn.size());
  }
  return ComputeOut(*aes, keys.opc, in1, *temp, kOut1);
}

template <size_t N>
std::array<uint8_t, N> Slice(const Block& block, size_t offset) {
  std::array<uint8_t, N> out{};
  std::copy_n(block.begin() + offset, N, out.begin());
  return out;
}

}  // namespace

absl::StatusOr<Block> ComputeOpc(const Block& k, const Block& op) {
  absl::StatusOr<Aes128> aes = Aes128::Create(k);
  if (!aes.ok()) return aes.status();
  absl::StatusOr<Block> encrypted = aes->Encrypt(op);
  if (!encrypted.ok()) return encrypted.status();
  return Xor(*encrypted, op);
}

absl::StatusOr<Keys> KeysFromOp(const Block& k, const Block& op) {
  absl::StatusOr<Block> opc = ComputeOpc(k, op);
  if (!opc.ok()) return opc.status();
  return Keys{k, *opc};
}

absl::StatusOr<Mac> F1(const Keys& keys, const Block& rand, const Sqn& sqn, const Amf& amf) {
  absl::StatusOr<Block> out1 = ComputeOut1(keys, rand, sqn, amf);
  if (!out1.ok()) return out1.status();
  return Slice<8>(*out1, 0);  // MAC-A = OUT1[0..63]
}

absl::StatusOr<Mac> F1Star(const Keys& keys, const Block& rand, const Sqn& sqn, const Amf& amf) {
  absl::StatusOr<Block> out1 = ComputeOut1(keys, rand, sqn, amf);
  if (!out1.ok()) return out1.status();
  return Slice<8>(*out1, 8);  // MAC-S = OUT1[64..127]
}

absl::StatusOr<F2345Result> F2345(const Keys& keys, const Block& rand) {
  absl::StatusOr<Aes128> aes = Aes128::Create(keys.k);
  if (!aes.ok()) return aes.status();
  absl::StatusOr<Block> temp = ComputeTemp(*aes, keys, rand);
  if (!temp.ok()) return temp.status();
  const Block zero{};
  absl::StatusOr<Block> out2 = ComputeOut(*aes, keys.opc, *temp, zero, kOut2);
  if (!out2.ok()) return out2.status();
  absl::StatusOr<Block> out3 = ComputeOut(*aes, keys.opc, *temp, zero, kOut3);
  if (!out3.ok()) return out3.status();
  absl::StatusOr<Block> out4 = ComputeOut(*aes, keys.opc, *temp, zero, kOut4);
  if (!out4.ok()) return out4.status();
  F2345Result result;
  result.res = Slice<8>(*out2, 8);  // RES = OUT2[64..127]
  result.ak = Slice<6>(*out2, 0);   // AK = OUT2[0..47]
  result.ck = *out3;
  result.ik = *out4;
  return result;
}

absl::StatusOr<Ak> F5Star(const Keys& keys, const Block& rand) {
  absl::StatusOr<Aes128> aes = Aes128::Create(keys.k);
  if (!aes.ok()) return aes.status();
  absl::StatusOr<Block> temp = ComputeTemp(*aes, keys, rand);
  if (!temp.ok()) return temp.status();
  absl::StatusOr<Block> out5 = ComputeOut(*aes, keys.opc, *temp, Block{}, kOut5);
  if (!out5.ok()) return out5.status();
  return Slice<6>(*out5, 0);  // AK* = OUT5[0..47]
}

absl::StatusOr<Block> BuildAutn(const Keys& keys, const Block& rand, const Sqn& sqn,
                                const Amf& amf) {
  absl::StatusOr<F2345Result> f2345 = F2345(keys, rand);
  if (!f2345.ok()) return f2345.status();
  absl::StatusOr<Mac> mac = F1(keys, rand, sqn, amf);
  if (!mac.ok()) return mac.status();
  Block autn{};
  for (size_t i = 0; i < sqn.size(); ++i) autn[i] = sqn[i] ^ f2345->ak[i];
  std::copy(amf.begin(), amf.end(), autn.begin() + sqn.size());
  std::copy(mac->begin(), mac->end(), autn.begin() + sqn.size() + amf.size());
  return autn;
}

}  // namespace sipfleet::auth::milenage
