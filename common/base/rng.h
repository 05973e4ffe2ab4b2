#ifndef SIPFLEET_COMMON_BASE_RNG_H_
#define SIPFLEET_COMMON_BASE_RNG_H_

#include <cstdint>

namespace sipfleet::base {

// Small, fast, seedable PRNG (xoshiro256**), one per worker; not thread-safe.
class Rng {
 public:
  explicit Rng(uint64_t seed);
  uint64_t Next();
  // Uniform in [0, 1).
  double NextDouble() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  // Uniform in [0, bound); bound must be > 0.
  uint64_t NextBelow(uint64_t bound) { return Next() % bound; }

 private:
  uint64_t s_[4];
};

}  // namespace sipfleet::base

#endif  // SIPFLEET_COMMON_BASE_RNG_H_
