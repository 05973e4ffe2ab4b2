#ifndef SIPFLEET_COMMON_DISTRIBUTION_DISTRIBUTION_H_
#define SIPFLEET_COMMON_DISTRIBUTION_DISTRIBUTION_H_

// SIPp's statistical distributions, used by <pause>, <timewait> and the
// <sample> action: parsing from XML attributes, sampling through GSL,
// analytic moments and quantiles, and SIPp's on-screen descriptions.
//
// All values are doubles in the caller's unit (milliseconds for pauses).

#include <gsl/gsl_rng.h>

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace sipfleet::distribution {

// Declaration order is part of the contract (distribution.cc indexes by it).
enum class Kind {
  kFixed,              // fixed(value)
  kUniform,            // uniform(min, max)
  kNormal,             // normal(mean, stdev)
  kLogNormal,          // lognormal(mean, stdev): of the underlying normal
  kExponential,        // exponential(mean)
  kWeibull,            // weibull(lambda = scale, k = shape)
  kPareto,             // pareto(k = shape, x_m = scale)
  kGeneralizedPareto,  // gpareto(shape, scale, location)
  kGamma,              // gamma(k = shape, theta = scale)
  kNegativeBinomial,   // negbin(n = successes, p = success probability)
};

// The name written in distribution="...", e.g. "gpareto" for
// kGeneralizedPareto.
std::string_view KindName(Kind kind);

// Names of `kind`'s parameter attributes, in the order Create() takes them.
std::vector<std::string_view> ParameterNames(Kind kind);

// Reads the attributes of one XML element. Returns the attribute's text, or
// nullopt if the element has no such attribute.
using AttributeGetter = std::function<std::optional<std::string>(std::string_view name)>;

// Where the attributes come from; SIPp parses the two differently.
enum class Usage {
  // <pause> / <timewait>: legacy shorthands allowed, sanity_check honoured.
  kPause,
  // <sample> action: distribution= required, no sanity check.
  kSample,
};

// A seeded GSL random number generator (mt19937). Move-only; a moved-from
// Sampler has a null rng(). Not thread-safe: each worker owns one.
class Sampler {
 public:
  // Same seed, same sequence. GSL's mt19937 keeps 32 bits of seed, so the
  // 64-bit seed is hashed (SplitMix64) down to 32 bits: distinct seeds give
  // distinct streams except for ~2^-32 chance collisions.
  explicit Sampler(uint64_t seed);

  Sampler(Sampler&&) noexcept = default;
  Sampler& operator=(Sampler&&) noexcept = default;

  gsl_rng* rng() { return rng_.get(); }

 private:
  struct RngDeleter {
    void operator()(gsl_rng* rng) const;
  };
  std::unique_ptr<gsl_rng, RngDeleter> rng_;
};

// An immutable, copyable distribution; safe to share between threads (each
// thread samples with its own Sampler).
class Distribution {
 public:
  // Parses one element's attributes, as SIPp's parse_distribution does.
  //  - distribution="<name>" selects the kind; its parameters are then
  //    required attributes (see ParameterNames).
  //  - kPause only, when distribution= is absent: SIPp's legacy shorthand,
  //    the first present of normal=, exponential=, lognormal=, weibull=,
  //    pareto=, gamma=, min=, max= (min/max meaning uniform) selects the
  //    kind; the shorthand's own value is ignored.
  //  - kPause only: unless sanity_check="false", CheckSanity() is applied.
  // Errors (the caller prefixes "file:line: "):
  //  - NotFound: kPause and no distribution at all, so the caller falls back
  //    to milliseconds= / variable= / -d (SIPp checks variable= first, and
  //    shorthands before milliseconds=).
  //  - InvalidArgument: `unknown distribution "foo"`,
  //    `distribution "normal" needs attribute "stdev"`,
  //    `bad number "abc" for attribute "mean"`, a parameter out of range,
  //    a failed sanity check, or kSample without distribution=.
  static absl::StatusOr<Distribution> FromAttributes(const AttributeGetter& get,
                                                     Usage usage = Usage::kPause);

  // Builds a distribution from parameters in ParameterNames(kind) order,
  // with the same validation as FromAttributes. Parameter rules: all finite;
  // stdev and exponential mean >= 0; weibull, pareto, gamma parameters and
  // gpareto scale > 0; negbin n > 0 and p in (0, 1].
  static absl::StatusOr<Distribution> Create(Kind kind, const std::vector<double>& parameters);

  // Always `value` (what SIPp uses for milliseconds=).
  static Distribution Fixed(double value);

  // Parses sanity_check= (default true). SIPp's boolean syntax: "true" or
  // "false" in any case, or an integer (non-zero is true).
  static absl::StatusOr<bool> SanityCheckRequested(const AttributeGetter& get);

  Kind kind() const { return kind_; }
  // The parameters, in ParameterNames(kind()) order.
  std::vector<double> parameters() const;

  // One draw. Uses `sampler` only (never global state). negbin returns an
  // integer-valued double; normal and a negative uniform/fixed may return
  // negative values (SIPp does too); the caller decides what they mean.
  double Sample(Sampler& sampler) const;

  // Analytic mean and variance; +infinity where the moment does not exist
  // (pareto k <= 1 or 2, gpareto shape >= 1 or 1/2).
  double Mean() const;
  double Variance() const;

  // Inverse CDF at probability p in [0, 1] (NaN outside): the support's
  // lower bound at 0, its upper bound (often +infinity) at 1. For negbin,
  // the smallest integer k with P(X <= k) >= p.
  double Quantile(double p) const;

  // SIPp's scenario-screen text (CSample::timeDescr), each number printed
  // as a time: "N(100ms,20ms)", "LN(4.60ms,0.50ms)", "100ms/200ms",
  // "Exp(15.0s)", "Wb(..)", "P(k,x_m)", "P(shape,scale,location)",
  // "G(k,theta)", "NB(p,n)" (sic: p first), or just "100ms" for fixed.
  // SIPp's screen cuts it to 23 characters; this does not.
  std::string Describe() const;

  // SIPp's CSample::textDescr: "N(100.000,20.000)", "100.000000",
  // "100.000000/200.000000", "Exp(100.000000)", ...
  std::string DescribeText() const;

  // SIPp's pause sanity check: InvalidArgument if the 99th percentile
  // exceeds INT_MAX (milliseconds), naming the distribution and the value.
  absl::Status CheckSanity() const;

 private:
  Distribution(Kind kind, std::array<double, 3> parameters)
      : kind_(kind), parameters_(parameters) {}

  double QuantileInside(double p) const;  // 0 < p < 1

  Kind kind_;
  std::array<double, 3> parameters_;  // unused trailing entries are 0
};

}  // namespace sipfleet::distribution

#endif  // SIPFLEET_COMMON_DISTRIBUTION_DISTRIBUTION_H_
