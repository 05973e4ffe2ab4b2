#include "common/distribution/distribution.h"

#include <gsl/gsl_cdf.h>

#include <cmath>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sipfleet::distribution {
namespace {

using ::testing::AllOf;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::StartsWith;

using AttributeMap = std::map<std::string, std::string>;

AttributeGetter Attributes(AttributeMap attributes) {
  return [attributes = std::move(attributes)](std::string_view name) -> std::optional<std::string> {
    auto it = attributes.find(std::string(name));
    if (it == attributes.end()) return std::nullopt;
    return it->second;
  };
}

Distribution Parse(AttributeMap attributes, Usage usage = Usage::kPause) {
  absl::StatusOr<Distribution> distribution =
      Distribution::FromAttributes(Attributes(attributes), usage);
  EXPECT_TRUE(distribution.ok()) << distribution.status();
  return distribution.ok() ? *distribution : Distribution::Fixed(std::nan(""));
}

// The error text FromAttributes gives, or "" if it succeeds.
std::string ParseError(AttributeMap attributes, Usage usage = Usage::kPause) {
  absl::StatusOr<Distribution> distribution =
      Distribution::FromAttributes(Attributes(attributes), usage);
  if (distribution.ok()) return "";
  EXPECT_EQ(distribution.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(distribution.status().message());
}

// ---------------------------------------------------------------------------
// Moments. Each case draws kDraws samples on a fixed seed. Tolerances, in
// standard errors of the estimator (so the bounds hold for any honest seed
// with overwhelming probability, and still catch swapped or mis-scaled
// parameters):
//   sample mean:      |m - mean| <= 6 * sqrt(variance / n)
//   sample variance:  |v - var|  <= 6 * var * sqrt((excess_kurtosis + 2) / n)
//   99th percentile:  P(X <= Quantile(0.99)) within 0.99 +- 6 * sqrt(0.99 * 0.01 / n)
// Parameters are chosen so the fourth moment exists.

constexpr int kDraws = 200000;
constexpr double kSigmas = 6;

struct MomentCase {
  std::string label;
  AttributeMap attributes;
  Kind kind;
  double mean;
  double variance;
  double excess_kurtosis;
};

double WeibullExcessKurtosis(double k) {
  auto g = [k](double i) { return std::tgamma(1 + i / k); };
  double var = g(2) - g(1) * g(1);
  return (g(4) - 4 * g(1) * g(3) + 6 * g(1) * g(1) * g(2) - 3 * std::pow(g(1), 4)) / (var * var) -
         3;
}

std::vector<MomentCase> MomentCases() {
  const double s2 = 0.25;  // lognormal sigma^2
  const double pk = 10;    // pareto k
  const double xi = 0.1;   // gpareto shape
  const double wk = 1.5;   // weibull k
  return {
      {"uniform",
       {{"distribution", "uniform"}, {"min", "100"}, {"max", "300"}},
       Kind::kUniform,
       200,
       200.0 * 200 / 12,
       -1.2},
      {"normal",
       {{"distribution", "normal"}, {"mean", "100"}, {"stdev", "20"}},
       Kind::kNormal,
       100,
       400,
       0},
      {"lognormal",
       {{"distribution", "lognormal"}, {"mean", "4"}, {"stdev", "0.5"}},
       Kind::kLogNormal,
       std::exp(4 + s2 / 2),
       std::expm1(s2) * std::exp(8 + s2),
       std::exp(4 * s2) + 2 * std::exp(3 * s2) + 3 * std::exp(2 * s2) - 6},
      {"exponential",
       {{"distribution", "exponential"}, {"mean", "100"}},
       Kind::kExponential,
       100,
       10000,
       6},
      {"weibull",
       {{"distribution", "weibull"}, {"lambda", "100"}, {"k", "1.5"}},
       Kind::kWeibull,
       100 * std::tgamma(1 + 1 / wk),
       1e4 * (std::tgamma(1 + 2 / wk) - std::pow(std::tgamma(1 + 1 / wk), 2)),
       WeibullExcessKurtosis(wk)},
      {"pareto",
       {{"distribution", "pareto"}, {"k", "10"}, {"x_m", "100"}},
       Kind::kPareto,
       pk * 100 / (pk - 1),
       1e4 * pk / ((pk - 1) * (pk - 1) * (pk - 2)),
       6 * (pk * pk * pk + pk * pk - 6 * pk - 2) / (pk * (pk - 3) * (pk - 4))},
      {"gpareto",
       {{"distribution", "gpareto"}, {"shape", "0.1"}, {"scale", "100"}, {"location", "50"}},
       Kind::kGeneralizedPareto,
       50 + 100 / (1 - xi),
       1e4 / ((1 - xi) * (1 - xi) * (1 - 2 * xi)),
       3 * (1 - 2 * xi) * (2 * xi * xi + xi + 3) / ((1 - 3 * xi) * (1 - 4 * xi)) - 3},
      {"gamma",
       {{"distribution", "gamma"}, {"k", "2"}, {"theta", "50"}},
       Kind::kGamma,
       100,
       5000,
       3},
      {"negbin",
       {{"distribution", "negbin"}, {"n", "5"}, {"p", "0.3"}},
       Kind::kNegativeBinomial,
       5 * 0.7 / 0.3,
       5 * 0.7 / 0.09,
       6.0 / 5 + 0.09 / (5 * 0.7)},
  };
}

TEST(DistributionTest, SampledMomentsMatchAnalyticValues) {
  for (const MomentCase& c : MomentCases()) {
    SCOPED_TRACE(c.label);
    Distribution d = Parse(c.attributes);
    EXPECT_EQ(d.kind(), c.kind);
    EXPECT_NEAR(d.Mean(), c.mean, 1e-9 * c.mean);
    EXPECT_NEAR(d.Variance(), c.variance, 1e-9 * c.variance);

    Sampler sampler(20240601);
    double q99 = d.Quantile(0.99);
    double sum = 0, sum_squares = 0;
    int at_most_q99 = 0, below_q99 = 0;
    for (int i = 0; i < kDraws; ++i) {
      double x = d.Sample(sampler);
      sum += x;
      sum_squares += x * x;
      at_most_q99 += x <= q99;
      below_q99 += x < q99;
    }
    double mean = sum / kDraws;
    double variance = (sum_squares - kDraws * mean * mean) / (kDraws - 1);
    EXPECT_NEAR(mean, c.mean, kSigmas * std::sqrt(c.variance / kDraws));
    EXPECT_NEAR(variance, c.variance,
                kSigmas * c.variance * std::sqrt((c.excess_kurtosis + 2) / kDraws));
    double fraction_tolerance = kSigmas * std::sqrt(0.99 * 0.01 / kDraws);
    EXPECT_GE(at_most_q99 / double{kDraws}, 0.99 - fraction_tolerance);
    EXPECT_LE(below_q99 / double{kDraws}, 0.99 + fraction_tolerance);
  }
}

TEST(DistributionTest, FixedAlwaysReturnsItsValue) {
  Distribution d = Parse({{"distribution", "fixed"}, {"value", "42.5"}});
  EXPECT_EQ(d.kind(), Kind::kFixed);
  Sampler sampler(1);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(d.Sample(sampler), 42.5);
  EXPECT_EQ(d.Mean(), 42.5);
  EXPECT_EQ(d.Variance(), 0);
  EXPECT_EQ(d.Quantile(0.99), 42.5);
  EXPECT_EQ(Distribution::Fixed(7).Sample(sampler), 7);
}

TEST(DistributionTest, UniformStaysWithinBounds) {
  Distribution d = Parse({{"distribution", "uniform"}, {"min", "100"}, {"max", "300"}});
  Sampler sampler(2);
  double low = 1e300, high = -1e300;
  for (int i = 0; i < kDraws; ++i) {
    double x = d.Sample(sampler);
    low = std::min(low, x);
    high = std::max(high, x);
  }
  EXPECT_GE(low, 100);
  EXPECT_LT(high, 300);
  EXPECT_LT(low, 100.01);  // the whole range is used
  EXPECT_GT(high, 299.99);
  EXPECT_EQ(d.Quantile(0), 100);
  EXPECT_EQ(d.Quantile(1), 300);
  EXPECT_DOUBLE_EQ(d.Quantile(0.99), 298);
}

TEST(DistributionTest, DegenerateParametersAreAccepted) {
  Sampler sampler(3);
  Distribution normal = Parse({{"distribution", "normal"}, {"mean", "50"}, {"stdev", "0"}});
  EXPECT_EQ(normal.Sample(sampler), 50);
  EXPECT_EQ(normal.Quantile(1), 50);
  Distribution negbin = Parse({{"distribution", "negbin"}, {"n", "3"}, {"p", "1"}});
  EXPECT_EQ(negbin.Sample(sampler), 0);
  EXPECT_EQ(negbin.Quantile(0.99), 0);
}

// ---------------------------------------------------------------------------
// Quantiles.

TEST(DistributionTest, QuantilesMatchClosedForms) {
  EXPECT_NEAR(Parse({{"distribution", "normal"}, {"mean", "100"}, {"stdev", "20"}}).Quantile(0.99),
              100 + 20 * 2.3263478740408408, 1e-9);
  EXPECT_NEAR(Parse({{"distribution", "exponential"}, {"mean", "100"}}).Quantile(0.99),
              100 * std::log(100.0), 1e-9);
  EXPECT_NEAR(Parse({{"distribution", "pareto"}, {"k", "1"}, {"x_m", "10"}}).Quantile(0.99), 1000,
              1e-6);
  EXPECT_NEAR(
      Parse({{"distribution", "gpareto"}, {"shape", "0.1"}, {"scale", "100"}, {"location", "50"}})
          .Quantile(0.99),
      50 + 100 * (std::pow(0.01, -0.1) - 1) / 0.1, 1e-9);
  // Shape 0 is the exponential limit (SIPp would compute 0/0).
  EXPECT_NEAR(
      Parse({{"distribution", "gpareto"}, {"shape", "0"}, {"scale", "100"}, {"location", "0"}})
          .Quantile(0.99),
      100 * std::log(100.0), 1e-9);
  // Negative shape: bounded support [location, location - scale / shape].
  EXPECT_NEAR(
      Parse({{"distribution", "gpareto"}, {"shape", "-0.5"}, {"scale", "100"}, {"location", "10"}})
          .Quantile(1),
      210, 1e-9);
}

TEST(DistributionTest, QuantileOutsideUnitIntervalIsNaN) {
  Distribution d = Parse({{"distribution", "normal"}, {"mean", "100"}, {"stdev", "20"}});
  EXPECT_TRUE(std::isnan(d.Quantile(-0.1)));
  EXPECT_TRUE(std::isnan(d.Quantile(1.1)));
  EXPECT_TRUE(std::isnan(d.Quantile(std::nan(""))));
  EXPECT_EQ(d.Quantile(0), -INFINITY);
  EXPECT_EQ(d.Quantile(1), INFINITY);
}

TEST(DistributionTest, GammaQuantileAgreesWithGslWhereGslConverges) {
  for (double k : {0.5, 1.0, 2.0, 10.0, 100.0}) {
    for (double p : {0.1, 0.5, 0.99}) {
      absl::StatusOr<Distribution> d = Distribution::Create(Kind::kGamma, {k, 3});
      ASSERT_TRUE(d.ok());
      double expected = gsl_cdf_gamma_Pinv(p, k, 3);
      EXPECT_NEAR(d->Quantile(p), expected, 1e-9 * expected) << "k=" << k << " p=" << p;
    }
  }
}

TEST(DistributionTest, GammaQuantileWorksWhereGslFailsToConverge) {
  // gsl_cdf_gamma_Pinv fails (and by default aborts) for these shapes.
  Distribution small = *Distribution::Create(Kind::kGamma, {0.05, 100});
  Sampler sampler(4);
  double median = small.Quantile(0.5);
  int below = 0;
  for (int i = 0; i < kDraws; ++i) below += small.Sample(sampler) <= median;
  EXPECT_NEAR(below / double{kDraws}, 0.5, kSigmas * std::sqrt(0.25 / kDraws));

  // Large shape: Cornish-Fisher, k + z sqrt(k) + (z^2 - 1) / 3, is exact to
  // O(1/sqrt(k)).
  double z = 2.3263478740408408;
  double expected = 1e6 + z * 1e3 + (z * z - 1) / 3;
  EXPECT_NEAR(Distribution::Create(Kind::kGamma, {1e6, 1})->Quantile(0.99), expected, 0.01);
}

TEST(DistributionTest, NegativeBinomialQuantileIsSmallestIntegerReachingP) {
  Distribution d = Parse({{"distribution", "negbin"}, {"n", "5"}, {"p", "0.3"}});
  for (double p : {0.01, 0.5, 0.99, 0.999999}) {
    double q = d.Quantile(p);
    ASSERT_EQ(q, std::floor(q));
    EXPECT_GE(gsl_cdf_negative_binomial_P(static_cast<unsigned>(q), 0.3, 5), p);
    if (q > 0) {
      EXPECT_LT(gsl_cdf_negative_binomial_P(static_cast<unsigned>(q) - 1, 0.3, 5), p);
    }
  }
}

// ---------------------------------------------------------------------------
// Sanity check (<pause> only).

TEST(DistributionTest, SanityCheckRejectsHuge99thPercentile) {
  AttributeMap pareto = {{"distribution", "pareto"}, {"k", "1"}, {"x_m", "100000000"}};
  // The percentile is 1e10 ms give or take rounding: 2777:46:39 or :40.
  EXPECT_THAT(ParseError(pareto),
              AllOf(StartsWith("distribution P(1ms,27:46:40) has a 99th percentile of 2777:46:"),
                    EndsWith(", more than INT_MAX milliseconds; choose other parameters or set "
                             "sanity_check=\"false\"")));
  for (const char* off : {"false", "FALSE", "0"}) {
    AttributeMap unchecked = pareto;
    unchecked["sanity_check"] = off;
    EXPECT_EQ(ParseError(unchecked), "") << off;
  }
  AttributeMap checked = pareto;
  checked["sanity_check"] = "true";
  EXPECT_THAT(ParseError(checked), HasSubstr("99th percentile"));
  // The <sample> action has no sanity check.
  EXPECT_EQ(ParseError(pareto, Usage::kSample), "");
}

TEST(DistributionTest, SanityCheckBoundaryAndBadBoolean) {
  EXPECT_TRUE(Distribution::Fixed(2147483647).CheckSanity().ok());
  EXPECT_FALSE(Distribution::Fixed(2147483648.0).CheckSanity().ok());
  EXPECT_EQ(ParseError({{"distribution", "fixed"}, {"value", "1"}, {"sanity_check", "maybe"}}),
            "bad boolean \"maybe\" for attribute \"sanity_check\"");
  EXPECT_EQ(*Distribution::SanityCheckRequested(Attributes({})), true);
  EXPECT_EQ(*Distribution::SanityCheckRequested(Attributes({{"sanity_check", "False"}})), false);
}

// ---------------------------------------------------------------------------
// Attribute parsing and errors.

TEST(DistributionTest, ParsesEveryDistributionName) {
  const std::vector<std::pair<AttributeMap, Kind>> cases = {
      {{{"distribution", "fixed"}, {"value", "1"}}, Kind::kFixed},
      {{{"distribution", "uniform"}, {"min", "1"}, {"max", "2"}}, Kind::kUniform},
      {{{"distribution", "normal"}, {"mean", "1"}, {"stdev", "2"}}, Kind::kNormal},
      {{{"distribution", "lognormal"}, {"mean", "1"}, {"stdev", "2"}}, Kind::kLogNormal},
      {{{"distribution", "exponential"}, {"mean", "1"}}, Kind::kExponential},
      {{{"distribution", "weibull"}, {"lambda", "1"}, {"k", "2"}}, Kind::kWeibull},
      {{{"distribution", "pareto"}, {"k", "1"}, {"x_m", "2"}}, Kind::kPareto},
      {{{"distribution", "gpareto"}, {"shape", "1"}, {"scale", "2"}, {"location", "3"}},
       Kind::kGeneralizedPareto},
      {{{"distribution", "gamma"}, {"k", "1"}, {"theta", "2"}}, Kind::kGamma},
      {{{"distribution", "negbin"}, {"n", "1"}, {"p", "0.5"}}, Kind::kNegativeBinomial},
  };
  for (const auto& [attributes, kind] : cases) {
    Distribution d = Parse(attributes, Usage::kSample);
    EXPECT_EQ(d.kind(), kind) << KindName(kind);
    EXPECT_EQ(KindName(d.kind()), attributes.at("distribution"));
    EXPECT_EQ(d.parameters().size(), ParameterNames(kind).size());
  }
  EXPECT_EQ(Parse({{"distribution", "gpareto"}, {"shape", "1"}, {"scale", "2"}, {"location", "3"}})
                .parameters(),
            (std::vector<double>{1, 2, 3}));
}

TEST(DistributionTest, ErrorsNameTheAttribute) {
  EXPECT_EQ(ParseError({{"distribution", "foo"}}), "unknown distribution \"foo\"");
  EXPECT_EQ(ParseError({{"distribution", "Normal"}, {"mean", "1"}, {"stdev", "1"}}),
            "unknown distribution \"Normal\"");
  EXPECT_EQ(ParseError({{"distribution", "normal"}, {"mean", "100"}}),
            "distribution \"normal\" needs attribute \"stdev\"");
  EXPECT_EQ(ParseError({{"distribution", "gpareto"}, {"shape", "1"}, {"scale", "2"}}),
            "distribution \"gpareto\" needs attribute \"location\"");
  EXPECT_EQ(ParseError({{"distribution", "normal"}, {"mean", "abc"}, {"stdev", "1"}}),
            "bad number \"abc\" for attribute \"mean\"");
  EXPECT_EQ(ParseError({{"distribution", "normal"}, {"mean", "10ms"}, {"stdev", "1"}}),
            "bad number \"10ms\" for attribute \"mean\"");
  EXPECT_EQ(ParseError({{"distribution", "fixed"}, {"value", ""}}),
            "bad number \"\" for attribute \"value\"");
  EXPECT_EQ(ParseError({{"distribution", "normal"}, {"mean", "inf"}, {"stdev", "1"}}),
            "attribute \"mean\" of distribution \"normal\" must be a finite number (got inf)");
  EXPECT_EQ(ParseError({{"distribution", "normal"}, {"mean", "1"}, {"stdev", "-1"}}),
            "attribute \"stdev\" of distribution \"normal\" must not be negative (got -1)");
  EXPECT_EQ(ParseError({{"distribution", "lognormal"}, {"mean", "1"}, {"stdev", "-0.5"}}),
            "attribute \"stdev\" of distribution \"lognormal\" must not be negative (got -0.5)");
  EXPECT_EQ(ParseError({{"distribution", "exponential"}, {"mean", "-3"}}),
            "attribute \"mean\" of distribution \"exponential\" must not be negative (got -3)");
  EXPECT_EQ(ParseError({{"distribution", "gamma"}, {"k", "0"}, {"theta", "1"}}),
            "attribute \"k\" of distribution \"gamma\" must be positive (got 0)");
  EXPECT_EQ(ParseError({{"distribution", "weibull"}, {"lambda", "1"}, {"k", "-2"}}),
            "attribute \"k\" of distribution \"weibull\" must be positive (got -2)");
  EXPECT_EQ(ParseError({{"distribution", "pareto"}, {"k", "1"}, {"x_m", "0"}}),
            "attribute \"x_m\" of distribution \"pareto\" must be positive (got 0)");
  EXPECT_EQ(
      ParseError({{"distribution", "gpareto"}, {"shape", "1"}, {"scale", "0"}, {"location", "0"}}),
      "attribute \"scale\" of distribution \"gpareto\" must be positive (got 0)");
  EXPECT_EQ(ParseError({{"distribution", "negbin"}, {"n", "0"}, {"p", "0.5"}}),
            "attribute \"n\" of distribution \"negbin\" must be positive (got 0)");
  for (const char* p : {"0", "-0.1", "1.5"}) {
    EXPECT_EQ(
        ParseError({{"distribution", "negbin"}, {"n", "5"}, {"p", p}}),
        std::string("attribute \"p\" of distribution \"negbin\" must be in (0,1] (got ") + p + ")");
  }
}

TEST(DistributionTest, NoDistributionIsNotFoundForPauseButAnErrorForSample) {
  for (const AttributeMap& attributes :
       std::vector<AttributeMap>{{},
                                 {{"milliseconds", "100"}},
                                 {{"variable", "v"}},
                                 {{"negbin", "1"}, {"n", "1"}, {"p", "1"}}}) {
    absl::StatusOr<Distribution> d = Distribution::FromAttributes(Attributes(attributes));
    EXPECT_EQ(d.status().code(), absl::StatusCode::kNotFound);
  }
  EXPECT_EQ(ParseError({}, Usage::kSample), "missing attribute \"distribution\"");
  EXPECT_EQ(ParseError({{"normal", "1"}, {"mean", "1"}, {"stdev", "1"}}, Usage::kSample),
            "missing attribute \"distribution\"");
}

TEST(DistributionTest, LegacyPauseShorthands) {
  EXPECT_EQ(Parse({{"normal", "yes"}, {"mean", "1"}, {"stdev", "2"}}).kind(), Kind::kNormal);
  EXPECT_EQ(Parse({{"exponential", ""}, {"mean", "1"}}).kind(), Kind::kExponential);
  EXPECT_EQ(Parse({{"lognormal", "1"}, {"mean", "1"}, {"stdev", "2"}}).kind(), Kind::kLogNormal);
  EXPECT_EQ(Parse({{"weibull", "1"}, {"lambda", "1"}, {"k", "2"}}).kind(), Kind::kWeibull);
  EXPECT_EQ(Parse({{"pareto", "1"}, {"k", "1"}, {"x_m", "2"}}).kind(), Kind::kPareto);
  EXPECT_EQ(Parse({{"gamma", "1"}, {"k", "1"}, {"theta", "2"}}).kind(), Kind::kGamma);
  Distribution uniform = Parse({{"min", "10"}, {"max", "20"}});
  EXPECT_EQ(uniform.kind(), Kind::kUniform);
  EXPECT_EQ(uniform.parameters(), (std::vector<double>{10, 20}));
  EXPECT_EQ(ParseError({{"max", "20"}}), "distribution \"uniform\" needs attribute \"min\"");
  // SIPp's order: normal before min/max, and distribution= before any.
  EXPECT_EQ(
      Parse({{"min", "1"}, {"max", "2"}, {"normal", "1"}, {"mean", "1"}, {"stdev", "2"}}).kind(),
      Kind::kNormal);
  EXPECT_EQ(Parse({{"distribution", "fixed"}, {"value", "5"}, {"normal", "1"}}).kind(),
            Kind::kFixed);
  // Shorthands beat milliseconds=.
  EXPECT_EQ(ParseError({{"min", "1"}, {"milliseconds", "5"}}),
            "distribution \"uniform\" needs attribute \"max\"");
}

TEST(DistributionTest, CreateChecksParameterCount) {
  absl::StatusOr<Distribution> d = Distribution::Create(Kind::kNormal, {1, 2, 3});
  EXPECT_EQ(d.status().message(), "distribution \"normal\" takes 2 parameters, got 3");
  EXPECT_TRUE(Distribution::Create(Kind::kNormal, {1, 2}).ok());
}

// ---------------------------------------------------------------------------
// Determinism.

TEST(DistributionTest, SameSeedSameSequence) {
  for (const MomentCase& c : MomentCases()) {
    SCOPED_TRACE(c.label);
    Distribution d = Parse(c.attributes);
    Sampler a(7), b(7), other(8), high_bits(7 | (uint64_t{1} << 40));
    int same_as_other = 0, same_as_high_bits = 0;
    for (int i = 0; i < 1000; ++i) {
      double x = d.Sample(a);
      ASSERT_EQ(x, d.Sample(b));
      same_as_other += x == d.Sample(other);
      same_as_high_bits += x == d.Sample(high_bits);
    }
    EXPECT_LT(same_as_other, 200);  // negbin values repeat by chance
    EXPECT_LT(same_as_high_bits, 200);
  }
}

TEST(DistributionTest, MovedSamplerContinuesItsSequence) {
  Distribution d = Parse({{"distribution", "exponential"}, {"mean", "10"}});
  Sampler a(9), b(9);
  d.Sample(a);
  d.Sample(b);
  Sampler moved = std::move(a);
  EXPECT_EQ(d.Sample(moved), d.Sample(b));
}

// ---------------------------------------------------------------------------
// Descriptions.

TEST(DistributionTest, DescribeUsesSippScreenFormat) {
  EXPECT_EQ(Distribution::Fixed(100).Describe(), "100ms");
  EXPECT_EQ(Distribution::Fixed(100.00001).Describe(), "100ms");
  EXPECT_EQ(Distribution::Fixed(1.5).Describe(), "1.50ms");
  EXPECT_EQ(Distribution::Fixed(1500.5).Describe(), "1500.5ms");
  EXPECT_EQ(Distribution::Fixed(12000).Describe(), "12.0s");
  EXPECT_EQ(Distribution::Fixed(90000).Describe(), "1:30");
  EXPECT_EQ(Distribution::Fixed(3723000).Describe(), "1:02:03");
  EXPECT_EQ(Distribution::Fixed(-5).Describe(), "-5.00ms");
  EXPECT_EQ(Parse({{"distribution", "uniform"}, {"min", "100"}, {"max", "300"}}).Describe(),
            "100ms/300ms");
  EXPECT_EQ(Parse({{"distribution", "normal"}, {"mean", "100"}, {"stdev", "20"}}).Describe(),
            "N(100ms,20ms)");
  EXPECT_EQ(Parse({{"distribution", "lognormal"}, {"mean", "4.6"}, {"stdev", "0.5"}}).Describe(),
            "LN(4.60ms,0.50ms)");
  EXPECT_EQ(Parse({{"distribution", "exponential"}, {"mean", "1500"}}).Describe(), "Exp(1500ms)");
  EXPECT_EQ(Parse({{"distribution", "weibull"}, {"lambda", "100"}, {"k", "1.5"}}).Describe(),
            "Wb(100ms,1.50ms)");
  EXPECT_EQ(Parse({{"distribution", "pareto"}, {"k", "10"}, {"x_m", "100"}}).Describe(),
            "P(10ms,100ms)");
  EXPECT_EQ(
      Parse({{"distribution", "gpareto"}, {"shape", "0.1"}, {"scale", "100"}, {"location", "50"}})
          .Describe(),
      "P(0.10ms,100ms,50ms)");
  EXPECT_EQ(Parse({{"distribution", "gamma"}, {"k", "2"}, {"theta", "50"}}).Describe(),
            "G(2ms,50ms)");
  EXPECT_EQ(Parse({{"distribution", "negbin"}, {"n", "5"}, {"p", "0.3"}}).Describe(),
            "NB(0.30ms,5ms)");
}

TEST(DistributionTest, DescribeTextUsesSippTextFormat) {
  EXPECT_EQ(Distribution::Fixed(100).DescribeText(), "100.000000");
  EXPECT_EQ(Parse({{"distribution", "uniform"}, {"min", "100"}, {"max", "300"}}).DescribeText(),
            "100.000000/300.000000");
  EXPECT_EQ(Parse({{"distribution", "normal"}, {"mean", "100"}, {"stdev", "20"}}).DescribeText(),
            "N(100.000,20.000)");
  EXPECT_EQ(Parse({{"distribution", "lognormal"}, {"mean", "4"}, {"stdev", "0.5"}}).DescribeText(),
            "LN(4.000,0.500)");
  EXPECT_EQ(Parse({{"distribution", "exponential"}, {"mean", "100"}}).DescribeText(),
            "Exp(100.000000)");
  EXPECT_EQ(Parse({{"distribution", "weibull"}, {"lambda", "100"}, {"k", "1.5"}}).DescribeText(),
            "Wb(100.000,1.500)");
  EXPECT_EQ(Parse({{"distribution", "pareto"}, {"k", "10"}, {"x_m", "100"}}).DescribeText(),
            "P(10.000,100.000)");
  EXPECT_EQ(
      Parse({{"distribution", "gpareto"}, {"shape", "0.1"}, {"scale", "100"}, {"location", "50"}})
          .DescribeText(),
      "P(0.100,100.000,50.000)");
  EXPECT_EQ(Parse({{"distribution", "gamma"}, {"k", "2"}, {"theta", "50"}}).DescribeText(),
            "G(2.000,50.000)");
  EXPECT_EQ(Parse({{"distribution", "negbin"}, {"n", "5"}, {"p", "0.3"}}).DescribeText(),
            "NB(0.300,5.000)");
}

}  // namespace
}  // namespace sipfleet::distribution
