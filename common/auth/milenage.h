#ifndef SIPFLEET_COMMON_AUTH_MILENAGE_H_
#define SIPFLEET_COMMON_AUTH_MILENAGE_H_

// The 3GPP MILENAGE authentication and key generation functions f1, f1*, f2,
// f3, f4, f5 and f5* (3GPP TS 35.205 / 35.206), with AES-128 (through
// OpenSSL's EVP interface) as the kernel function E_K. Golden vectors are the
// test sets of 3GPP TS 35.207 §4 / TS 35.208 §4.
//
// All values are big-endian byte arrays as the specifications print them.
// Every function is pure; errors only come from the cipher library failing.

#include <array>
#include <cstdint>

#include "absl/status/statusor.h"

namespace sipfleet::auth::milenage {

using Block = std::array<uint8_t, 16>;  // K, OP, OPc, RAND, CK, IK, AUTN.
using Sqn = std::array<uint8_t, 6>;     // Sequence number (TS 33.102 §6.3.2).
using Amf = std::array<uint8_t, 2>;     // Authentication management field.
using Mac = std::array<uint8_t, 8>;     // MAC-A (f1) or MAC-S (f1*).
using Res = std::array<uint8_t, 8>;     // RES / XRES (f2), 64 bits.
using Ak = std::array<uint8_t, 6>;      // Anonymity key (f5, f5*).

// The subscriber's secrets as a USIM holds them: K and the derived OPc.
struct Keys {
  Block k{};
  Block opc{};
};

// OPc = OP xor E_K(OP) (TS 35.206 §4.1).
absl::StatusOr<Block> ComputeOpc(const Block& k, const Block& op);

// Keys from K and the operator variant OP.
absl::StatusOr<Keys> KeysFromOp(const Block& k, const Block& op);

// f1: network authentication code MAC-A over RAND, SQN, AMF (TS 35.206 §4.1).
absl::StatusOr<Mac> F1(const Keys& keys, const Block& rand, const Sqn& sqn, const Amf& amf);

// f1*: resynchronisation code MAC-S (TS 35.206 §4.1); TS 33.102 §6.3.3 uses
// an all-zero AMF for it.
absl::StatusOr<Mac> F1Star(const Keys& keys, const Block& rand, const Sqn& sqn, const Amf& amf);

// f2, f3, f4, f5 over one RAND.
struct F2345Result {
  Res res{};   // f2
  Block ck{};  // f3
  Block ik{};  // f4
  Ak ak{};     // f5
};
absl::StatusOr<F2345Result> F2345(const Keys& keys, const Block& rand);

// f5*: the anonymity key of resynchronisation (AUTS) messages.
absl::StatusOr<Ak> F5Star(const Keys& keys, const Block& rand);

// The network's AUTN = (SQN xor AK) || AMF || MAC-A (TS 33.102 §6.3.2), as a
// home network / test harness builds it.
absl::StatusOr<Block> BuildAutn(const Keys& keys, const Block& rand, const Sqn& sqn,
                                const Amf& amf);

}  // namespace sipfleet::auth::milenage

#endif  // SIPFLEET_COMMON_AUTH_MILENAGE_H_
