#include "common/auth/milenage.h"

#include <string>
#include <string_view>

#include "common/auth/encoding.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sipfleet::auth::milenage {
namespace {

// One conformance test set of 3GPP TS 35.207 §4 (= TS 35.208 §4.3), hex.
struct TestSet {
  std::string_view name, k, rand, sqn, amf, op, opc;
  std::string_view f1, f1_star, f2, f5, f3, f4, f5_star;
};

constexpr TestSet kTestSets[] = {
    {"TestSet1", "465b5ce8b199b49faa5f0a2ee238a6bc", "23553cbe9637a89d218ae64dae47bf35",
     "ff9bb4d0b607", "b9b9", "cdc202d5123e20f62b6d676ac72cb318", "cd63cb71954a9f4e48a5994e37a02baf",
     "4a9ffac354dfafb3", "01cfaf9ec4e871e9", "a54211d5e3ba50bf", "aa689c648370",
     "b40ba9a3c58b2a05bbf0d987b21bf8cb", "f769bcd751044604127672711c6d3441", "451e8beca43b"},
    {"TestSet2", "0396eb317b6d1c36f19c1c84cd6ffd16", "c00d603103dcee52c4478119494202e8",
     "fd8eef40df7d", "af17", "ff53bade17df5d4e793073ce9d7579fa", "53c15671c60a4b731c55b4a441c0bde2",
     "5df5b31807e258b0", "a8c016e51ef4a343", "d3a628ed988620f0", "c47783995f72",
     "58c433ff7a7082acd424220f2b67c556", "21a8c1f929702adb3e738488b9f5c5da", "30f1197061c1"},
    {"TestSet3", "fec86ba6eb707ed08905757b1bb44b8f", "9f7c8d021accf4db213ccff0c7f71a6a",
     "9d0277595ffc", "725c", "dbc59adcb6f9a0ef735477b7fadf8374", "1006020f0a478bf6b699f15c062e42b3",
     "9cabc3e99baf7281", "95814ba2b3044324", "8011c48c0c214ed2", "33484dc2136b",
     "5dbdbb2954e8f3cde665b046179a5098", "59a92d3b476a0443487055cf88b2307b", "deacdd848cc6"},
    {"TestSet4", "9e5944aea94b81165c82fbf9f32db751", "ce83dbc54ac0274a157c17f80d017bd6",
     "0b604a81eca8", "9e09", "223014c5806694c007ca1eeef57f004f", "a64a507ae1a2a98bb88eb4210135dc87",
     "74a58220cba84c49", "ac2cc74a96871837", "f365cd683cd92e96", "f0b9c08ad02e",
     "e203edb3971574f5a94b0d61b816345d", "0c4524adeac041c4dd830d20854fc46b", "6085a86c6f63"},
};

template <size_t N>
std::array<uint8_t, N> FromHex(std::string_view hex) {
  absl::StatusOr<std::string> bytes = HexToBytes(hex);
  EXPECT_TRUE(bytes.ok() && bytes->size() == N) << hex;
  std::array<uint8_t, N> out{};
  for (size_t i = 0; i < N && bytes.ok() && i < bytes->size(); ++i) {
    out[i] = static_cast<uint8_t>((*bytes)[i]);
  }
  return out;
}

class MilenageConformanceTest : public testing::TestWithParam<TestSet> {
 protected:
  Keys KeysOf(const TestSet& set) {
    absl::StatusOr<Keys> keys = KeysFromOp(FromHex<16>(set.k), FromHex<16>(set.op));
    EXPECT_TRUE(keys.ok()) << keys.status();
    return keys.value_or(Keys{});
  }
};

TEST_P(MilenageConformanceTest, ComputesOpc) {
  const TestSet& set = GetParam();
  absl::StatusOr<Block> opc = ComputeOpc(FromHex<16>(set.k), FromHex<16>(set.op));
  ASSERT_TRUE(opc.ok()) << opc.status();
  EXPECT_EQ(LowerHex(*opc), set.opc);
}

TEST_P(MilenageConformanceTest, F1AndF1Star) {
  const TestSet& set = GetParam();
  const Keys keys = KeysOf(set);
  const Block rand = FromHex<16>(set.rand);
  absl::StatusOr<Mac> mac_a = F1(keys, rand, FromHex<6>(set.sqn), FromHex<2>(set.amf));
  absl::StatusOr<Mac> mac_s = F1Star(keys, rand, FromHex<6>(set.sqn), FromHex<2>(set.amf));
  ASSERT_TRUE(mac_a.ok() && mac_s.ok());
  EXPECT_EQ(LowerHex(*mac_a), set.f1);
  EXPECT_EQ(LowerHex(*mac_s), set.f1_star);
}

TEST_P(MilenageConformanceTest, F2345AndF5Star) {
  const TestSet& set = GetParam();
  const Keys keys = KeysOf(set);
  const Block rand = FromHex<16>(set.rand);
  absl::StatusOr<F2345Result> result = F2345(keys, rand);
  absl::StatusOr<Ak> ak_star = F5Star(keys, rand);
  ASSERT_TRUE(result.ok() && ak_star.ok());
  EXPECT_EQ(LowerHex(result->res), set.f2);
  EXPECT_EQ(LowerHex(result->ck), set.f3);
  EXPECT_EQ(LowerHex(result->ik), set.f4);
  EXPECT_EQ(LowerHex(result->ak), set.f5);
  EXPECT_EQ(LowerHex(*ak_star), set.f5_star);
}

TEST_P(MilenageConformanceTest, OpcKeysGiveSameResultsAsOpKeys) {
  const TestSet& set = GetParam();
  const Keys keys{FromHex<16>(set.k), FromHex<16>(set.opc)};
  absl::StatusOr<F2345Result> result = F2345(keys, FromHex<16>(set.rand));
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(LowerHex(result->res), set.f2);
}

TEST_P(MilenageConformanceTest, AutnIsSqnXorAkThenAmfThenMac) {
  const TestSet& set = GetParam();
  absl::StatusOr<Block> autn =
      BuildAutn(KeysOf(set), FromHex<16>(set.rand), FromHex<6>(set.sqn), FromHex<2>(set.amf));
  ASSERT_TRUE(autn.ok());
  const Sqn sqn = FromHex<6>(set.sqn);
  const Ak ak = FromHex<6>(set.f5);
  Sqn concealed{};
  for (size_t i = 0; i < 6; ++i) concealed[i] = sqn[i] ^ ak[i];
  EXPECT_EQ(LowerHex(*autn), LowerHex(concealed) + std::string(set.amf) + std::string(set.f1));
}

INSTANTIATE_TEST_SUITE_P(Ts35207, MilenageConformanceTest, testing::ValuesIn(kTestSets),
                         [](const testing::TestParamInfo<TestSet>& info) {
                           return std::string(info.param.name);
                         });

}  // namespace
}  // namespace sipfleet::auth::milenage
