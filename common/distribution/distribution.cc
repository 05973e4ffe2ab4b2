#include "common/distribution/distribution.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <iterator>
#include <limits>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_format.h"
#include "common/base/strings.h"

namespace sipfleet::distribution {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// What a parameter must satisfy, besides being finite.
enum class Constraint { kAny, kNonNegative, kPositive, kProbability };

struct Spec {
  Kind kind;
  std::string_view name;
  int count;
  std::array<std::string_view, 3> parameters;
  std::array<Constraint, 3> constraints;
};

using C = Constraint;
// Indexed by Kind; parameter order is SIPp's attribute order.
constexpr Spec kSpecs[] = {
    {Kind::kFixed, "fixed", 1, {"value"}, {C::kAny}},
    {Kind::kUniform, "uniform", 2, {"min", "max"}, {C::kAny, C::kAny}},
    {Kind::kNormal, "normal", 2, {"mean", "stdev"}, {C::kAny, C::kNonNegative}},
    {Kind::kLogNormal, "lognormal", 2, {"mean", "stdev"}, {C::kAny, C::kNonNegative}},
    {Kind::kExponential, "exponential", 1, {"mean"}, {C::kNonNegative}},
    {Kind::kWeibull, "weibull", 2, {"lambda", "k"}, {C::kPositive, C::kPositive}},
    {Kind::kPareto, "pareto", 2, {"k", "x_m"}, {C::kPositive, C::kPositive}},
    {Kind::kGeneralizedPareto,
     "gpareto",
     3,
     {"shape", "scale", "location"},
     {C::kAny, C::kPositive, C::kAny}},
    {Kind::kGamma, "gamma", 2, {"k", "theta"}, {C::kPositive, C::kPositive}},
    {Kind::kNegativeBinomial, "negbin", 2, {"n", "p"}, {C::kPositive, C::kProbability}},
};

constexpr bool SpecsFollowKindOrder() {
  for (int i = 0; i < static_cast<int>(std::size(kSpecs)); ++i) {
    if (static_cast<int>(kSpecs[i].kind) != i) return false;
  }
  return true;
}
static_assert(SpecsFollowKindOrder(), "kSpecs must be indexed by Kind");

// SIPp's legacy <pause> shorthands, in the order SIPp tries them.
constexpr std::pair<std::string_view, Kind> kLegacyShorthands[] = {
    {"normal", Kind::kNormal},       {"exponential", Kind::kExponential},
    {"lognormal", Kind::kLogNormal}, {"weibull", Kind::kWeibull},
    {"pareto", Kind::kPareto},       {"gamma", Kind::kGamma},
    {"min", Kind::kUniform},         {"max", Kind::kUniform},
};

const Spec& SpecOf(Kind kind) { return kSpecs[static_cast<int>(kind)]; }

const Spec* FindSpec(std::string_view name) {
  for (const Spec& spec : kSpecs) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

// SIPp's time_string(): how a millisecond value is shown on screen.
std::string TimeString(double ms) {
  if (std::isnan(ms)) return "nan";
  if (std::isinf(ms)) return ms > 0 ? "inf" : "-inf";
  if (ms < 10000) {
    // Integer or within 1e-4 of one from above: whole milliseconds.
    if (ms > INT_MIN && static_cast<int>(ms + 0.9999) == static_cast<int>(ms)) {
      return absl::StrFormat("%dms", static_cast<int>(ms));
    }
    if (ms < 1000) return absl::StrFormat("%.2fms", ms);
    return absl::StrFormat("%.1fms", ms);
  }
  if (ms < 60000) return absl::StrFormat("%.1fs", ms / 1000);
  // SIPp truncates to int seconds; 64 bits here so huge values stay sane.
  double whole_seconds = std::min(ms / 1000, 9e18);
  int64_t seconds = static_cast<int64_t>(whole_seconds);
  int64_t minutes = seconds / 60;
  if (ms < 60 * 60000) return absl::StrFormat("%d:%02d", minutes, seconds % 60);
  return absl::StrFormat("%d:%02d:%02d", minutes / 60, minutes % 60, seconds % 60);
}

absl::Status CheckConstraint(const Spec& spec, int index, double value) {
  std::string_view rule;
  switch (spec.constraints[index]) {
    case Constraint::kAny:
      break;
    case Constraint::kNonNegative:
      if (value < 0) rule = "must not be negative";
      break;
    case Constraint::kPositive:
      if (value <= 0) rule = "must be positive";
      break;
    case Constraint::kProbability:
      if (value <= 0 || value > 1) rule = "must be in (0,1]";
      break;
  }
  if (!std::isfinite(value)) rule = "must be a finite number";
  if (rule.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(base::Cat("attribute \"", spec.parameters[index],
                                              "\" of distribution \"", spec.name, "\" ", rule,
                                              " (got ", value, ")"));
}

absl::StatusOr<double> ReadParameter(const AttributeGetter& get, const Spec& spec, int index) {
  std::string_view name = spec.parameters[index];
  std::optional<std::string> text = get(name);
  if (!text.has_value()) {
    return absl::InvalidArgumentError(
        base::Cat("distribution \"", spec.name, "\" needs attribute \"", name, "\""));
  }
  double value;
  if (!base::ParseDouble(*text, &value)) {
    return absl::InvalidArgumentError(
        base::Cat("bad number \"", *text, "\" for attribute \"", name, "\""));
  }
  return value;
}

absl::StatusOr<Distribution> FromSpec(const AttributeGetter& get, const Spec& spec) {
  std::vector<double> values;
  for (int i = 0; i < spec.count; ++i) {
    absl::StatusOr<double> value = ReadParameter(get, spec, i);
    if (!value.ok()) return value.status();
    values.push_back(*value);
  }
  return Distribution::Create(spec.kind, values);
}

// Which spec the attributes select; nullptr if none (kPause only).
absl::StatusOr<const Spec*> SelectSpec(const AttributeGetter& get, Usage usage) {
  if (std::optional<std::string> name = get("distribution")) {
    if (const Spec* spec = FindSpec(*name)) return spec;
    return absl::InvalidArgumentError(base::Cat("unknown distribution \"", *name, "\""));
  }
  if (usage == Usage::kSample) {
    return absl::InvalidArgumentError("missing attribute \"distribution\"");
  }
  for (const auto& [attribute, kind] : kLegacyShorthands) {
    if (get(attribute).has_value()) return &SpecOf(kind);
  }
  return nullptr;
}

// --- Gamma quantile. GSL's gsl_cdf_gamma_Pinv fails to converge (and
// aborts under GSL's default error handler) for shapes such as 0.01 or 1e6,
// so the quantile is found by bisection on our own regularized incomplete
// gamma function (series below a + 1, Lentz continued fraction above).

constexpr int kMaxGammaTerms = 200000;
constexpr double kGammaEpsilon = 1e-16;
constexpr double kLargeShape = 1e6;  // Wilson-Hilferty beyond this

double LowerGammaSeries(double a, double x) {
  double term = 1.0 / a;
  double sum = term;
  for (int n = 1; n < kMaxGammaTerms && term > sum * kGammaEpsilon; ++n) {
    term *= x / (a + n);
    sum += term;
  }
  return std::exp(a * std::log(x) - x - std::lgamma(a) + std::log(sum));
}

double UpperGammaFraction(double a, double x) {
  constexpr double kTiny = 1e-300;
  double b = x + 1 - a;
  double c = 1 / kTiny;
  double d = 1 / b;
  double h = d;
  for (int i = 1; i < kMaxGammaTerms; ++i) {
    double an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = b + an / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1 / d;
    double delta = d * c;
    h *= delta;
    if (std::fabs(delta - 1) < kGammaEpsilon) break;
  }
  return std::exp(a * std::log(x) - x - std::lgamma(a)) * h;
}

// P(a, x) = P(X <= x) for X ~ Gamma(a, 1).
double RegularizedLowerGamma(double a, double x) {
  if (x <= 0) return 0;
  if (std::isinf(x)) return 1;
  double p = x < a + 1 ? LowerGammaSeries(a, x) : 1 - UpperGammaFraction(a, x);
  return std::clamp(std::isnan(p) ? 1.0 : p, 0.0, 1.0);
}

double UnitGammaQuantile(double p, double a) {
  if (a > kLargeShape) {  // Wilson-Hilferty: relative error far below 1e-6
    double c = 1 / (9 * a);
    return a * std::pow(1 - c + gsl_cdf_ugaussian_Pinv(p) * std::sqrt(c), 3);
  }
  double hi = std::max(1.0, a);
  while (RegularizedLowerGamma(a, hi) < p) {
    hi *= 2;
    if (std::isinf(hi)) return kInfinity;
  }
  double lo = 0;
  for (int i = 0; i < 3000 && hi - lo > 1e-15 * hi; ++i) {
    // Geometric steps once bracketed away from 0, so tiny quantiles
    // (small shapes) converge as fast as ordinary ones.
    double mid = lo > 0 && hi > 2 * lo ? std::sqrt(lo * hi) : lo == 0 ? hi / 2 : (lo + hi) / 2;
    if (mid <= lo || mid >= hi) break;
    (RegularizedLowerGamma(a, mid) < p ? lo : hi) = mid;
  }
  return hi;
}

// Smallest integer k with P(X <= k) >= p for negbin(n, success) (0 < p < 1).
double NegativeBinomialQuantile(double p, double n, double success) {
  if (success >= 1) return 0;
  auto cdf = [&](double k) {
    return gsl_cdf_negative_binomial_P(static_cast<unsigned int>(k), success, n);
  };
  if (cdf(0) >= p) return 0;
  double lo = 0;  // cdf(lo) < p <= cdf(hi)
  double hi = 1;
  while (cdf(hi) < p) {
    lo = hi;
    hi *= 2;
    if (hi > UINT_MAX) return kInfinity;  // beyond what GSL can sample
  }
  while (hi - lo > 1) {
    double mid = std::floor((lo + hi) / 2);
    (cdf(mid) >= p ? hi : lo) = mid;
  }
  return hi;
}

// location + scale * ((1 - p)^-shape - 1) / shape; the shape -> 0 limit is
// the exponential. `tail` is 1 - p.
double GeneralizedParetoFromTail(double tail, double shape, double scale, double location) {
  double log_tail = std::log(tail);
  if (shape == 0) return location - scale * log_tail;
  return location + scale * std::expm1(-shape * log_tail) / shape;
}

// SplitMix64's finalizer: every seed bit affects the 32 bits GSL keeps.
uint64_t MixSeed(uint64_t z) {
  z += 0x9e3779b97f4a7c15u;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  return z ^ (z >> 31);
}

// GSL's gsl_ran_negative_binomial (a gamma-mixed Poisson) loops forever or
// overflows once the Poisson mean nears UINT_MAX, so the mixture is drawn
// here: GSL's Poisson below kPoissonLimit, its normal limit above.
constexpr double kPoissonLimit = 1e9;

double SampleNegativeBinomial(gsl_rng* rng, double n, double success) {
  if (success >= 1) return 0;
  double mu = gsl_ran_gamma(rng, n, 1.0) * (1 - success) / success;
  if (mu < kPoissonLimit) return gsl_ran_poisson(rng, mu);
  if (std::isinf(mu)) return mu;
  return std::max(0.0, std::round(mu + std::sqrt(mu) * gsl_ran_ugaussian(rng)));
}

absl::StatusOr<bool> ParseSipBool(std::string_view text) {
  std::string lower = absl::AsciiStrToLower(base::ToAbsl(text));
  if (lower == "true") return true;
  if (lower == "false") return false;
  int64_t value;
  if (base::ParseInt64(text, &value)) return value != 0;
  return absl::InvalidArgumentError(
      base::Cat("bad boolean \"", text, "\" for attribute \"sanity_check\""));
}

}  // namespace

std::string_view KindName(Kind kind) { return SpecOf(kind).name; }

std::vector<std::string_view> ParameterNames(Kind kind) {
  const Spec& spec = SpecOf(kind);
  return {spec.parameters.begin(), spec.parameters.begin() + spec.count};
}

void Sampler::RngDeleter::operator()(gsl_rng* rng) const { gsl_rng_free(rng); }

Sampler::Sampler(uint64_t seed) : rng_(gsl_rng_alloc(gsl_rng_mt19937)) {
  gsl_rng_set(rng_.get(), static_cast<unsigned long>(MixSeed(seed) >> 32));
}

absl::StatusOr<Distribution> Distribution::FromAttributes(const AttributeGetter& get, Usage usage) {
  absl::StatusOr<const Spec*> spec = SelectSpec(get, usage);
  if (!spec.ok()) return spec.status();
  if (*spec == nullptr) return absl::NotFoundError("no distribution attributes");
  absl::StatusOr<Distribution> distribution = FromSpec(get, **spec);
  if (!distribution.ok() || usage == Usage::kSample) return distribution;
  absl::StatusOr<bool> check = SanityCheckRequested(get);
  if (!check.ok()) return check.status();
  if (*check) {
    if (absl::Status sane = distribution->CheckSanity(); !sane.ok()) return sane;
  }
  return distribution;
}

absl::StatusOr<Distribution> Distribution::Create(Kind kind,
                                                  const std::vector<double>& parameters) {
  const Spec& spec = SpecOf(kind);
  if (static_cast<int>(parameters.size()) != spec.count) {
    return absl::InvalidArgumentError(base::Cat("distribution \"", spec.name, "\" takes ",
                                                spec.count, " parameters, got ",
                                                parameters.size()));
  }
  std::array<double, 3> values = {0, 0, 0};
  for (int i = 0; i < spec.count; ++i) {
    if (absl::Status status = CheckConstraint(spec, i, parameters[i]); !status.ok()) {
      return status;
    }
    values[i] = parameters[i];
  }
  return Distribution(kind, values);
}

Distribution Distribution::Fixed(double value) { return Distribution(Kind::kFixed, {value, 0, 0}); }

absl::StatusOr<bool> Distribution::SanityCheckRequested(const AttributeGetter& get) {
  std::optional<std::string> text = get("sanity_check");
  if (!text.has_value()) return true;
  return ParseSipBool(*text);
}

std::vector<double> Distribution::parameters() const {
  return {parameters_.begin(), parameters_.begin() + SpecOf(kind_).count};
}

double Distribution::Sample(Sampler& sampler) const {
  gsl_rng* rng = sampler.rng();
  const auto& [a, b, c] = parameters_;
  switch (kind_) {
    case Kind::kFixed:
      return a;
    case Kind::kUniform:
      return a + gsl_rng_uniform(rng) * (b - a);
    case Kind::kNormal:
      return a + gsl_ran_gaussian(rng, b);
    case Kind::kLogNormal:
      return gsl_ran_lognormal(rng, a, b);
    case Kind::kExponential:
      return gsl_ran_exponential(rng, a);
    case Kind::kWeibull:
      return gsl_ran_weibull(rng, a, b);
    case Kind::kPareto:
      return gsl_ran_pareto(rng, a, b);
    case Kind::kGeneralizedPareto:
      return GeneralizedParetoFromTail(gsl_rng_uniform_pos(rng), a, b, c);
    case Kind::kGamma:
      return gsl_ran_gamma(rng, a, b);
    case Kind::kNegativeBinomial:
      return SampleNegativeBinomial(rng, a, b);
  }
  return kNaN;
}

double Distribution::Mean() const {
  const auto& [a, b, c] = parameters_;
  switch (kind_) {
    case Kind::kFixed:
      return a;
    case Kind::kUniform:
      return (a + b) / 2;
    case Kind::kNormal:
      return a;
    case Kind::kLogNormal:
      return std::exp(a + b * b / 2);
    case Kind::kExponential:
      return a;
    case Kind::kWeibull:
      return a * std::tgamma(1 + 1 / b);
    case Kind::kPareto:
      return a > 1 ? a * b / (a - 1) : kInfinity;
    case Kind::kGeneralizedPareto:
      return a < 1 ? c + b / (1 - a) : kInfinity;
    case Kind::kGamma:
      return a * b;
    case Kind::kNegativeBinomial:
      return a * (1 - b) / b;
  }
  return kNaN;
}

double Distribution::Variance() const {
  const auto& [a, b, c] = parameters_;
  switch (kind_) {
    case Kind::kFixed:
      return 0;
    case Kind::kUniform:
      return (b - a) * (b - a) / 12;
    case Kind::kNormal:
      return b * b;
    case Kind::kLogNormal:
      return std::expm1(b * b) * std::exp(2 * a + b * b);
    case Kind::kExponential:
      return a * a;
    case Kind::kWeibull: {
      double g1 = std::tgamma(1 + 1 / b);
      return a * a * (std::tgamma(1 + 2 / b) - g1 * g1);
    }
    case Kind::kPareto:
      return a > 2 ? b * b * a / ((a - 1) * (a - 1) * (a - 2)) : kInfinity;
    case Kind::kGeneralizedPareto:
      return a < 0.5 ? b * b / ((1 - a) * (1 - a) * (1 - 2 * a)) : kInfinity;
    case Kind::kGamma:
      return a * b * b;
    case Kind::kNegativeBinomial:
      return a * (1 - b) / (b * b);
  }
  return kNaN;
}

double Distribution::Quantile(double p) const {
  if (!(p >= 0 && p <= 1)) return kNaN;
  const auto& [a, b, c] = parameters_;
  if (kind_ == Kind::kFixed) return a;
  if (kind_ == Kind::kUniform) return std::min(a, b) + p * std::fabs(b - a);
  if (kind_ == Kind::kNormal && b == 0) return a;
  if (kind_ == Kind::kLogNormal && b == 0) return std::exp(a);
  if (kind_ == Kind::kExponential && a == 0) return 0;
  if (kind_ == Kind::kNegativeBinomial && b == 1) return 0;
  if (p == 0) {
    switch (kind_) {
      case Kind::kNormal:
        return -kInfinity;
      case Kind::kPareto:
        return b;
      case Kind::kGeneralizedPareto:
        return c;
      default:
        return 0;
    }
  }
  if (p == 1) {
    if (kind_ == Kind::kGeneralizedPareto && a < 0) return c - b / a;  // bounded support
    return kInfinity;
  }
  return QuantileInside(p);
}

double Distribution::QuantileInside(double p) const {
  const auto& [a, b, c] = parameters_;
  switch (kind_) {
    case Kind::kNormal:
      return a + gsl_cdf_gaussian_Pinv(p, b);
    case Kind::kLogNormal:
      return gsl_cdf_lognormal_Pinv(p, a, b);
    case Kind::kExponential:
      return gsl_cdf_exponential_Pinv(p, a);
    case Kind::kWeibull:
      return gsl_cdf_weibull_Pinv(p, a, b);
    case Kind::kPareto:
      return gsl_cdf_pareto_Pinv(p, a, b);
    case Kind::kGeneralizedPareto:
      return GeneralizedParetoFromTail(1 - p, a, b, c);
    case Kind::kGamma:
      return b * UnitGammaQuantile(p, a);
    case Kind::kNegativeBinomial:
      return NegativeBinomialQuantile(p, a, b);
    case Kind::kFixed:
    case Kind::kUniform:
      break;  // handled by Quantile()
  }
  return kNaN;
}

std::string Distribution::Describe() const {
  const Spec& spec = SpecOf(kind_);
  const auto& [a, b, c] = parameters_;
  switch (kind_) {
    case Kind::kFixed:
      return TimeString(a);
    case Kind::kUniform:
      return base::Cat(TimeString(a), "/", TimeString(b));
    case Kind::kNegativeBinomial:  // SIPp shows p before n
      return base::Cat("NB(", TimeString(b), ",", TimeString(a), ")");
    default:
      break;
  }
  static constexpr std::string_view kPrefixes[] = {"",    "",   "N(", "LN(", "Exp(",
                                                   "Wb(", "P(", "P(", "G(",  "NB("};
  std::string out(kPrefixes[static_cast<int>(kind_)]);
  for (int i = 0; i < spec.count; ++i) {
    base::Append(&out, i > 0 ? "," : "", TimeString(parameters_[i]));
  }
  out.push_back(')');
  return out;
}

std::string Distribution::DescribeText() const {
  const auto& [a, b, c] = parameters_;
  switch (kind_) {
    case Kind::kFixed:
      return absl::StrFormat("%f", a);
    case Kind::kUniform:
      return absl::StrFormat("%f/%f", a, b);
    case Kind::kNormal:
      return absl::StrFormat("N(%.3f,%.3f)", a, b);
    case Kind::kLogNormal:
      return absl::StrFormat("LN(%.3f,%.3f)", a, b);
    case Kind::kExponential:
      return absl::StrFormat("Exp(%f)", a);
    case Kind::kWeibull:
      return absl::StrFormat("Wb(%.3f,%.3f)", a, b);
    case Kind::kPareto:
      return absl::StrFormat("P(%.3f,%.3f)", a, b);
    case Kind::kGeneralizedPareto:
      return absl::StrFormat("P(%.3f,%.3f,%.3f)", a, b, c);
    case Kind::kGamma:
      return absl::StrFormat("G(%.3f,%.3f)", a, b);
    case Kind::kNegativeBinomial:
      return absl::StrFormat("NB(%.3f,%.3f)", b, a);
  }
  return "";
}

absl::Status Distribution::CheckSanity() const {
  double percentile = Quantile(0.99);
  if (!(percentile > INT_MAX)) return absl::OkStatus();
  return absl::InvalidArgumentError(
      base::Cat("distribution ", Describe(), " has a 99th percentile of ", TimeString(percentile),
                ", more than INT_MAX milliseconds; choose other parameters or set "
                "sanity_check=\"false\""));
}

}  // namespace sipfleet::distribution
