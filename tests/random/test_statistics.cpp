// Statistical tests of the samplers with fixed keys: moments, Kolmogorov-Smirnov
// against the exact CDF, chi-square for the discrete samplers, bit balance, and
// independence of split / fold_in children.
//
// Every threshold is set so that a correct sampler fails it with probability
// kAlpha = 1e-6 (per assertion; loops of m assertions use kAlpha / m each, so
// the loop as a whole also fails with probability <= 1e-6); the few checks with
// another probability state it where they are. The probabilities come from the
// asymptotic laws (CLT, Kolmogorov, chi-square), accurate at these sample sizes.
// The keys are fixed, so each test is deterministic: it always passes or always
// fails, and a failure after a change to a sampler means the law changed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include <pure/pure.hpp>

#include "stats_util.hpp"

namespace {

namespace r = pure::random;
namespace st = pure_test::stats;
using pure::Array;
using pure::DType;
using pure::Shape;

constexpr double kAlpha = 1e-6;

std::vector<double> host_doubles(const Array& a) {
  switch (a.dtype()) {
    case DType::f32: return st::to_double(a.to_host<float>());
    case DType::f64: return a.to_host<double>();
    default: ADD_FAILURE() << "host_doubles: unexpected dtype " << pure::dtype_name(a.dtype()); return {};
  }
}

std::vector<std::int64_t> host_ints(const Array& a) {
  switch (a.dtype()) {
    case DType::i32: {
      const auto v = a.to_host<std::int32_t>();
      return {v.begin(), v.end()};
    }
    case DType::u32: {
      const auto v = a.to_host<std::uint32_t>();
      return {v.begin(), v.end()};
    }
    case DType::i64: return a.to_host<std::int64_t>();
    case DType::u64: {
      const auto v = a.to_host<std::uint64_t>();
      std::vector<std::int64_t> out;
      for (auto x : v) {
        if (x > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
          ADD_FAILURE() << "host_ints: u64 value " << x << " outside the tested range";
        }
        out.push_back(static_cast<std::int64_t>(x));
      }
      return out;
    }
    default: ADD_FAILURE() << "host_ints: unexpected dtype " << pure::dtype_name(a.dtype()); return {};
  }
}

/// Every test starts with a clean key-reuse record, since other test files may
/// use the same seeds.
class Statistics : public ::testing::Test {
 protected:
  void SetUp() override { r::reset_key_reuse_record(); }
};

// ------------------------------------------------------------ the helpers themselves

// Reference values from standard tables (Abramowitz & Stegun 26.4, Smirnov's
// table of the Kolmogorov distribution), not from the helpers.
TEST_F(Statistics, HelpersMatchTabulatedValues) {
  EXPECT_NEAR(st::normal_upper_quantile(0.025), 1.959963985, 1e-8);
  EXPECT_NEAR(st::two_sided_z(1e-6), 4.891638475, 1e-8);
  for (double x : {0.01, 0.5, 1.0, 3.0, 20.0}) {
    EXPECT_NEAR(st::gamma_p(1.0, x), -std::expm1(-x), 1e-14) << x;         // Exp(1) CDF
    EXPECT_NEAR(st::gamma_p(0.5, x), std::erf(std::sqrt(x)), 1e-14) << x;  // |N(0,1/2)| CDF
    EXPECT_NEAR(st::gamma_q(2.0, x), std::exp(-x) * (1.0 + x), 1e-14) << x;
  }
  EXPECT_NEAR(st::chi2_sf(18.307, 10), 0.05, 1e-5);
  EXPECT_NEAR(st::chi2_sf(23.209, 10), 0.01, 1e-5);
  EXPECT_NEAR(st::chi2_sf(124.342, 100), 0.05, 1e-5);
  EXPECT_NEAR(st::chi2_critical_wh(100, 0.05), 124.342, 0.05);
  EXPECT_NEAR(st::chi2_critical_wh(10, 0.01), 23.209, 0.1);
  EXPECT_NEAR(st::kolmogorov_q(1.3581), 0.05, 1e-4);
  EXPECT_NEAR(st::kolmogorov_q(1.6276), 0.01, 1e-4);
  EXPECT_NEAR(st::truncated_normal_cdf(0.0, -1.0, 1.0), 0.5, 1e-15);
  const st::Moments tn = st::truncated_normal_moments(-10.0, 10.0);  // ~ untruncated
  EXPECT_NEAR(tn.var, 1.0, 1e-9);
  EXPECT_NEAR(tn.mu4, 3.0, 1e-9);
}

// The harness has power: a slightly wrong CDF or mean is rejected at the
// sample sizes used below, so the tests can fail. A correct normal passes each
// check only with probability < 1e-20 (expected z = 15 for the mean, 11 for
// the variance; expected KS lambda = 6 against a critical 2.7).
TEST_F(Statistics, HarnessRejectsAShiftedNormal) {
  const Array z = r::normal(r::key(101), Shape{1 << 18}, DType::f64);
  std::vector<double> x = host_doubles(z);
  EXPECT_LT(st::ks_test(x, [](double v) { return st::normal_cdf(v - 0.03); }).p_value, kAlpha);
  EXPECT_GT(std::fabs(st::moment_z(x, {0.03, 1.0, 3.0}).mean_z), st::two_sided_z(kAlpha));
  EXPECT_GT(std::fabs(st::moment_z(x, {0.0, 1.03, 3.0 * 1.03 * 1.03}).var_z), st::two_sided_z(kAlpha));
}

// ------------------------------------------------------------ continuous samplers

struct ContinuousCase {
  std::string name;
  std::function<Array(const r::Key&, const Shape&, DType)> draw;
  std::function<double(double)> cdf;
  std::function<st::Moments()> moments;
  double lo, hi;  // support, closed
};
void PrintTo(const ContinuousCase& c, std::ostream* os) { *os << c.name; }

/// 1.5 -> "150", -0.25 -> "m25": gtest names allow only [A-Za-z0-9_].
std::string param_name(double v) {
  const std::string s = std::to_string(static_cast<int>(std::lround(std::fabs(v) * 100)));
  return v < 0 ? "m" + s : s;
}

std::vector<ContinuousCase> continuous_cases() {
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<ContinuousCase> c;
  c.push_back({"uniform01", [](const r::Key& k, const Shape& s, DType d) { return r::uniform(k, s, d); },
               [](double x) { return std::clamp(x, 0.0, 1.0); }, [] { return st::uniform_moments(0, 1); }, 0.0, 1.0});
  c.push_back({"uniform_m2_3", [](const r::Key& k, const Shape& s, DType d) { return r::uniform(k, s, d, -2.0, 3.0); },
               [](double x) { return std::clamp((x + 2.0) / 5.0, 0.0, 1.0); },
               [] { return st::uniform_moments(-2, 3); }, -2.0, 3.0});
  c.push_back({"normal", [](const r::Key& k, const Shape& s, DType d) { return r::normal(k, s, d); }, st::normal_cdf,
               st::normal_moments, -inf, inf});
  for (auto [a, b] : {std::pair{-1.0, 2.0}, std::pair{1.5, 4.0}, std::pair{-0.25, 0.25}}) {
    c.push_back(
        {"truncnorm_" + param_name(a) + "_" + param_name(b),
         [a = a, b = b](const r::Key& k, const Shape& s, DType d) { return r::truncated_normal(k, a, b, s, d); },
         [a = a, b = b](double x) { return st::truncated_normal_cdf(x, a, b); },
         [a = a, b = b] { return st::truncated_normal_moments(a, b); }, a, b});
  }
  c.push_back({"exponential", [](const r::Key& k, const Shape& s, DType d) { return r::exponential(k, s, d); },
               [](double x) { return x <= 0 ? 0.0 : -std::expm1(-x); }, st::exponential_moments, 0.0, inf});
  for (double a : {0.5, 1.0, 3.7}) {
    c.push_back({"gamma_" + std::to_string(static_cast<int>(a * 10)),
                 [a](const r::Key& k, const Shape& s, DType d) { return r::gamma(k, a, s, d); },
                 [a](double x) { return st::gamma_p(a, x); }, [a] { return st::gamma_moments(a); }, 0.0, inf});
  }
  return c;
}

class Continuous : public ::testing::TestWithParam<std::tuple<ContinuousCase, DType>> {
 protected:
  void SetUp() override { r::reset_key_reuse_record(); }
};

// n = 2^19: KS then rejects a CDF error of ~0.004 and the moment checks a bias
// of ~0.007 standard deviations, and the whole table runs in about 3 s.
TEST_P(Continuous, MomentsAndKolmogorovSmirnov) {
  const auto& [c, dtype] = GetParam();
  const std::int64_t n = 1 << 19;
  // One fixed key per case, derived from the case name so cases do not share streams.
  std::uint32_t h = 2166136261u;  // FNV-1a
  for (char ch : c.name + pure::dtype_name(dtype)) h = (h ^ static_cast<unsigned char>(ch)) * 16777619u;
  const Array a = c.draw(r::key(h), Shape{n}, dtype);
  ASSERT_EQ(a.dtype(), dtype);
  ASSERT_EQ(a.size(), n);
  std::vector<double> x = host_doubles(a);
  std::int64_t outside = 0;
  for (double v : x) outside += !(v >= c.lo && v <= c.hi);
  EXPECT_EQ(outside, 0) << "values outside [" << c.lo << ", " << c.hi << "] or not finite";

  // Two-sided z bound: each of the two moment checks fails with probability kAlpha (CLT).
  const double zmax = st::two_sided_z(kAlpha);
  const st::MomentZ mz = st::moment_z(x, c.moments());
  EXPECT_LT(std::fabs(mz.mean_z), zmax) << mz.str();
  EXPECT_LT(std::fabs(mz.var_z), zmax) << mz.str();

  // KS fails with probability kAlpha for a continuous law; float grids only make it more lenient.
  const st::KsResult ks = st::ks_test(x, c.cdf);
  EXPECT_GT(ks.p_value, kAlpha) << ks.str() << " (critical D " << st::ks_critical(x.size(), kAlpha) << ")";
}

INSTANTIATE_TEST_SUITE_P(Samplers, Continuous,
                         ::testing::Combine(::testing::ValuesIn(continuous_cases()),
                                            ::testing::Values(DType::f32, DType::f64)),
                         [](const auto& info) {
                           return std::get<0>(info.param).name + "_" + pure::dtype_name(std::get<1>(info.param));
                         });

// ------------------------------------------------------------ bits

// Each of the `width` bit positions is set with frequency 1/2: the count of
// ones is Binomial(n, 1/2), checked with a two-sided z bound at kAlpha / width
// per position (so kAlpha per dtype and generator). The low byte is also
// uniform over 256 values (chi-square, kAlpha).
TEST_F(Statistics, BitsEveryPositionIsBalanced) {
  const std::int64_t n = 1 << 19;
  for (r::Impl impl : {r::Impl::threefry, r::Impl::philox}) {
    const auto keys = r::split(r::key(202, impl), 2);
    for (int width : {32, 64}) {
      SCOPED_TRACE(std::string(r::impl_name(impl)) + " u" + std::to_string(width));
      std::vector<std::uint64_t> w;
      if (width == 32) {
        const auto v = r::bits(keys[0], Shape{n}, DType::u32).to_host<std::uint32_t>();
        w.assign(v.begin(), v.end());
      } else {
        w = r::bits(keys[1], Shape{n}, DType::u64).to_host<std::uint64_t>();
      }
      std::vector<std::int64_t> ones(static_cast<std::size_t>(width), 0), low_byte(256, 0);
      for (std::uint64_t x : w) {
        for (int b = 0; b < width; ++b) ones[static_cast<std::size_t>(b)] += (x >> b) & 1u;
        ++low_byte[x & 0xffu];
      }
      const double zmax = st::two_sided_z(kAlpha / width);
      for (int b = 0; b < width; ++b) {
        const double z = (static_cast<double>(ones[static_cast<std::size_t>(b)]) - 0.5 * n) / std::sqrt(0.25 * n);
        EXPECT_LT(std::fabs(z), zmax) << "bit " << b;
      }
      const st::Chi2Result chi = st::chi2_gof(low_byte, std::vector<double>(256, 1.0));
      EXPECT_GT(chi.p_value, kAlpha) << chi.str();
    }
  }
}

// ------------------------------------------------------------ discrete samplers

/// jax.random.randint's law for span = hi - lo of an nbits-wide dtype. jax
/// draws two nbits words (higher, lower) and returns lo + (higher % span * m +
/// lower % span) % span with m = (2^(nbits/2) % span)^2 % span computed in
/// nbits arithmetic. For span <= 2^(nbits/2), m = 2^nbits % span and the offset
/// is a 2*nbits-bit number mod span: uniform to within 2^-nbits. For larger
/// spans m wraps to 0 and the offset is lower % span: offset k has weight
/// q + 1 if k < r else q, with 2^nbits = q * span + r. That is a visible bias
/// when span is a sizeable fraction of 2^nbits (checked with jax 0.10.2: for
/// [0, 3000000001) uint32, 60.3% of draws fall below 2^32 - span, not 43.2%).
/// pure follows jax bit for bit, so this is the law to test against.
struct RandintLaw {
  std::uint64_t span = 0;
  std::uint64_t q = 0, r = 0;  // weights; q == 0 means uniform
  /// The uniform law on [0, span), for comparison.
  static RandintLaw uniform(std::uint64_t span) {
    RandintLaw u;
    u.span = span;
    return u;
  }
  RandintLaw() = default;
  RandintLaw(std::uint64_t span_, int nbits) : span(span_) {
    const std::uint64_t half = std::uint64_t{1} << (nbits / 2);
    if (span <= half) return;
    if (nbits == 32) {
      q = (std::uint64_t{1} << 32) / span;
      r = (std::uint64_t{1} << 32) % span;
    } else {  // 2^64 = q span + r without a 65-bit type
      q = ~std::uint64_t{0} / span;
      r = ~std::uint64_t{0} % span + 1;
      if (r == span) ++q, r = 0;
    }
  }
  /// Relative probability mass of offsets [a, b).
  double weight(std::uint64_t a, std::uint64_t b) const {
    if (q == 0) return static_cast<double>(b - a);
    const std::uint64_t extra = r > a ? std::min(b, r) - a : 0;
    return static_cast<double>(b - a) * static_cast<double>(q) + static_cast<double>(extra);
  }
};

/// Chi-square of integers in [lo, hi) against `law`, in at most `bins` bins of
/// equal width (the last may be shorter), with their exact probabilities.
st::Chi2Result randint_chi2(const std::vector<std::int64_t>& v, std::int64_t lo, const RandintLaw& law,
                            std::uint64_t bins, std::int64_t* outside) {
  const std::uint64_t span = law.span;
  const std::uint64_t width = span / bins + (span % bins != 0);
  const std::uint64_t nb = span / width + (span % width != 0);
  std::vector<double> probs(nb);
  for (std::uint64_t b = 0; b < nb; ++b) {
    const std::uint64_t begin = b * width;
    probs[b] = law.weight(begin, span - begin > width ? begin + width : span);
  }
  std::vector<std::int64_t> counts(nb, 0);
  *outside = 0;
  for (std::int64_t x : v) {
    // Offsets in unsigned arithmetic: x - lo can exceed INT64_MAX.
    const std::uint64_t k = static_cast<std::uint64_t>(x) - static_cast<std::uint64_t>(lo);
    if (x < lo || k >= span) {
      ++*outside;
      continue;
    }
    ++counts[k / width];
  }
  return st::chi2_gof(counts, probs);
}

TEST_F(Statistics, HelperRandintLawIsExact) {
  // [0, 3000000001) uint32: offsets below 2^32 - span = 1294967295 have weight 2.
  const RandintLaw a(3000000001u, 32);
  EXPECT_EQ(a.q, 1u);
  EXPECT_EQ(a.r, 1294967295u);
  EXPECT_DOUBLE_EQ(a.weight(0, 3000000001u), 4294967296.0);
  // 3 * 2^61 in 64 bits: 2^64 = 2 * span + 2^62.
  const RandintLaw b(3ull << 61, 64);
  EXPECT_EQ(b.q, 2u);
  EXPECT_EQ(b.r, 1ull << 62);
  const RandintLaw c(1000, 32);
  EXPECT_EQ(c.q, 0u);  // uniform
}

TEST_F(Statistics, RandintFollowsJaxLaw) {
  struct Case {
    std::int64_t lo, hi;
    DType dtype;
  };
  // Small, non-power-of-2 and power-of-2 spans (uniform), spans near the
  // dtype's full range, and spans where jax's law is visibly non-uniform.
  const std::vector<Case> cases = {
      {0, 10, DType::i32},
      {-5, 7, DType::i32},
      {0, 1000, DType::i32},
      {-64, 64, DType::i32},
      {-70000, 50001, DType::i32},
      {-2147483647 - 1, 2147483647, DType::i32},
      {0, 3000000001ll, DType::u32},
      {-(1ll << 40) + 3, (1ll << 41) + 17, DType::i64},
      {7, (3ll << 61) + 7, DType::u64},
  };
  const std::int64_t n = 1 << 18;
  const auto keys = r::split(r::key(303), static_cast<std::int64_t>(cases.size()));
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    SCOPED_TRACE("randint [" + std::to_string(c.lo) + ", " + std::to_string(c.hi) + ") " + pure::dtype_name(c.dtype));
    const Array a = r::randint(keys[i], Shape{n}, c.lo, c.hi, c.dtype);
    ASSERT_EQ(a.dtype(), c.dtype);
    const RandintLaw law(static_cast<std::uint64_t>(c.hi) - static_cast<std::uint64_t>(c.lo),
                         static_cast<int>(8 * pure::dtype_size(c.dtype)));
    std::int64_t outside = 0;
    // <= 1000 bins keeps every expected count above 200.
    const st::Chi2Result chi = randint_chi2(host_ints(a), c.lo, law, 1000, &outside);
    EXPECT_EQ(outside, 0);
    EXPECT_GT(chi.p_value, kAlpha) << chi.str();  // false failure kAlpha per range
    if (law.q != 0 && law.q <= 2 && static_cast<double>(law.r) > 0.1 * static_cast<double>(law.span)) {
      // Power: the same draw against the uniform law must be rejected, or the
      // case would not distinguish jax's law from uniform (chi-square
      // noncentrality > 10^4 here: not rejecting has probability < 1e-100).
      const st::Chi2Result uni = randint_chi2(host_ints(a), c.lo, RandintLaw::uniform(law.span), 1000, &outside);
      EXPECT_LT(uni.p_value, kAlpha) << "uniform law not rejected: " << uni.str();
    }
  }
}

TEST_F(Statistics, BernoulliFrequencyMatchesP) {
  const std::int64_t n = 1 << 20;
  const auto keys = r::split(r::key(404), 4);
  int i = 0;
  for (double p : {0.1, 0.5, 0.0, 1.0}) {
    SCOPED_TRACE("p = " + std::to_string(p));
    const Array a = r::bernoulli(keys[static_cast<std::size_t>(i++)], p, Shape{n});
    ASSERT_EQ(a.dtype(), DType::boolean);
    const std::vector<std::uint8_t> v = pure::to_host_bool(a);
    std::int64_t ones = 0, invalid = 0;
    for (std::uint8_t b : v) {
      ones += b == 1;
      invalid += b > 1;
    }
    EXPECT_EQ(invalid, 0);
    if (p == 0.0 || p == 1.0) {
      EXPECT_EQ(ones, p == 0.0 ? 0 : n);  // exact: the endpoints are not random
      continue;
    }
    const st::Chi2Result chi = st::chi2_gof({n - ones, ones}, {1.0 - p, p});
    EXPECT_GT(chi.p_value, kAlpha) << chi.str();  // kAlpha per p
  }
}

std::vector<std::int64_t> histogram(const std::vector<std::int32_t>& v, std::int64_t cells, std::int64_t* outside) {
  std::vector<std::int64_t> h(static_cast<std::size_t>(cells), 0);
  *outside = 0;
  for (std::int32_t x : v) {
    if (x < 0 || x >= cells) {
      ++*outside;
    } else {
      ++h[static_cast<std::size_t>(x)];
    }
  }
  return h;
}

TEST_F(Statistics, ChoiceWithReplacementFollowsP) {
  const std::int64_t n = 1 << 18;
  const auto keys = r::split(r::key(505), 2);
  std::int64_t outside = 0;
  {
    SCOPED_TRACE("uniform over 7");
    const Array a = r::choice(keys[0], 7, Shape{n});
    const st::Chi2Result chi =
        st::chi2_gof(histogram(a.to_host<std::int32_t>(), 7, &outside), std::vector<double>(7, 1.0));
    EXPECT_EQ(outside, 0);
    EXPECT_GT(chi.p_value, kAlpha) << chi.str();
  }
  {
    SCOPED_TRACE("with p (unnormalised)");
    const std::vector<double> p = {0.05, 0.1, 0.2, 0.3, 0.15, 0.2, 0.0};
    std::vector<float> pf(p.begin(), p.end());
    for (float& x : pf) x *= 3.0f;  // choice normalises by the sum
    const Array a = r::choice(keys[1], 7, Shape{n}, true, pure::from_host(pf));
    std::vector<std::int64_t> h = histogram(a.to_host<std::int32_t>(), 7, &outside);
    EXPECT_EQ(outside, 0);
    EXPECT_EQ(h[6], 0) << "drew an index with probability 0";
    h.pop_back();
    const st::Chi2Result chi = st::chi2_gof(h, std::vector<double>(p.begin(), p.end() - 1));
    EXPECT_GT(chi.p_value, kAlpha) << chi.str();
  }
}

// Without replacement the draw is a sample of distinct indices; its first
// element follows p (successive sampling), checked over many keys.
TEST_F(Statistics, ChoiceWithoutReplacementIsDistinctAndFirstFollowsP) {
  const std::int64_t trials = 10000;
  const std::vector<double> p = {0.1, 0.2, 0.3, 0.15, 0.25};
  const Array pa = pure::from_host(std::vector<float>(p.begin(), p.end()));
  const auto keys = r::split(r::key(606), trials);
  std::vector<std::int64_t> first_p(5, 0), first_u(5, 0);
  std::int64_t not_distinct = 0, outside = 0;
  for (std::int64_t t = 0; t < trials; ++t) {
    const auto sub = r::split(keys[static_cast<std::size_t>(t)]);
    for (int weighted = 0; weighted < 2; ++weighted) {
      const Array a = weighted ? r::choice(sub[0], 5, Shape{3}, false, pa) : r::choice(sub[1], 5, Shape{3}, false);
      std::vector<std::int32_t> v = a.to_host<std::int32_t>();
      for (auto x : v) outside += x < 0 || x >= 5;
      if (outside) break;
      ++(weighted ? first_p : first_u)[static_cast<std::size_t>(v[0])];
      std::sort(v.begin(), v.end());
      not_distinct += std::adjacent_find(v.begin(), v.end()) != v.end();
    }
  }
  ASSERT_EQ(outside, 0);
  EXPECT_EQ(not_distinct, 0);
  const st::Chi2Result cp = st::chi2_gof(first_p, p);
  EXPECT_GT(cp.p_value, kAlpha) << "weighted: " << cp.str();
  const st::Chi2Result cu = st::chi2_gof(first_u, std::vector<double>(5, 1.0));
  EXPECT_GT(cu.p_value, kAlpha) << "uniform: " << cu.str();
}

TEST_F(Statistics, CategoricalFollowsSoftmax) {
  const std::vector<float> logits = {0.0f, 1.0f, -1.0f, 2.0f, 0.5f, -3.0f};
  const std::int64_t k = 6, rows = 1 << 17;
  std::vector<double> probs;
  for (float l : logits) probs.push_back(std::exp(static_cast<double>(l)));
  const auto keys = r::split(r::key(707), 2);
  std::int64_t outside = 0;
  {
    SCOPED_TRACE("axis -1");
    std::vector<float> tiled;
    for (std::int64_t i = 0; i < rows; ++i) tiled.insert(tiled.end(), logits.begin(), logits.end());
    const Array a = r::categorical(keys[0], pure::from_host(tiled, Shape{rows, k}), -1);
    ASSERT_EQ(a.shape(), Shape{rows});
    const st::Chi2Result chi = st::chi2_gof(histogram(a.to_host<std::int32_t>(), k, &outside), probs);
    EXPECT_EQ(outside, 0);
    EXPECT_GT(chi.p_value, kAlpha) << chi.str();
  }
  {
    SCOPED_TRACE("axis 0");
    std::vector<float> cols(static_cast<std::size_t>(k * rows));
    for (std::int64_t j = 0; j < k; ++j) {
      std::fill_n(cols.begin() + j * rows, rows, logits[static_cast<std::size_t>(j)]);
    }
    const Array a = r::categorical(keys[1], pure::from_host(cols, Shape{k, rows}), 0);
    ASSERT_EQ(a.shape(), Shape{rows});
    const st::Chi2Result chi = st::chi2_gof(histogram(a.to_host<std::int32_t>(), k, &outside), probs);
    EXPECT_EQ(outside, 0);
    EXPECT_GT(chi.p_value, kAlpha) << chi.str();
  }
}

// Where each element lands: an m x m table of (element, position) counts over
// many keys, uniform under a uniform shuffle. With both margins fixed the
// statistic is chi-square with (m-1)^2 dof; the test fails with probability kAlpha.
TEST_F(Statistics, PermutationIsUniformOverPositions) {
  const std::int64_t m = 8, trials = 20000;
  const auto keys = r::split(r::key(808), trials);
  std::vector<std::int64_t> table(static_cast<std::size_t>(m * m), 0);
  std::int64_t not_perm = 0;
  for (const r::Key& k : keys) {
    const std::vector<std::int32_t> v = r::permutation(k, m).to_host<std::int32_t>();
    std::vector<std::int32_t> s = v;
    std::sort(s.begin(), s.end());
    not_perm += static_cast<std::int64_t>(s.size()) != m;
    for (std::size_t i = 0; i < s.size() && !not_perm; ++i) not_perm += s[i] != static_cast<std::int32_t>(i);
    if (not_perm) break;
    for (std::int64_t pos = 0; pos < m; ++pos)
      ++table[static_cast<std::size_t>(v[static_cast<std::size_t>(pos)] * m + pos)];
  }
  ASSERT_EQ(not_perm, 0) << "an output was not a permutation of 0..7";
  st::Chi2Result chi = st::chi2_gof(table, std::vector<double>(table.size(), 1.0));
  chi.dof = static_cast<int>((m - 1) * (m - 1));
  chi.p_value = st::chi2_sf(chi.statistic, chi.dof);
  EXPECT_GT(chi.p_value, kAlpha) << chi.str();
}

TEST_F(Statistics, PermutationOfLargeNAndOfRows) {
  const auto keys = r::split(r::key(909), 2);
  const std::int64_t n = 100003;
  std::vector<std::int32_t> v = r::permutation(keys[0], n).to_host<std::int32_t>();
  ASSERT_EQ(static_cast<std::int64_t>(v.size()), n);
  std::int64_t fixed_points = 0;
  for (std::int64_t i = 0; i < n; ++i) fixed_points += v[static_cast<std::size_t>(i)] == i;
  // Fixed points of a uniform permutation are ~Poisson(1): P(>= 12) < 1e-9.
  EXPECT_LT(fixed_points, 12);
  std::sort(v.begin(), v.end());
  for (std::int64_t i = 0; i < n; ++i) ASSERT_EQ(v[static_cast<std::size_t>(i)], i);

  // Rows move as a whole: row i of x is (10 i, 10 i + 1, 10 i + 2).
  const std::int64_t rows = 50;
  std::vector<std::int32_t> x;
  for (std::int32_t i = 0; i < rows; ++i) x.insert(x.end(), {10 * i, 10 * i + 1, 10 * i + 2});
  const Array p = r::permutation(keys[1], pure::from_host(x, Shape{rows, 3}));
  ASSERT_EQ(p.shape(), (Shape{rows, 3}));
  const std::vector<std::int32_t> y = p.to_host<std::int32_t>();
  std::vector<std::int32_t> firsts;
  for (std::int64_t i = 0; i < rows; ++i) {
    const std::int32_t f = y[static_cast<std::size_t>(3 * i)];
    EXPECT_EQ(f % 10, 0);
    EXPECT_EQ(y[static_cast<std::size_t>(3 * i + 1)], f + 1);
    EXPECT_EQ(y[static_cast<std::size_t>(3 * i + 2)], f + 2);
    firsts.push_back(f / 10);
  }
  EXPECT_NE(firsts, [&] {
    std::vector<std::int32_t> id(static_cast<std::size_t>(rows));
    for (std::int32_t i = 0; i < rows; ++i) id[static_cast<std::size_t>(i)] = i;
    return id;
  }()) << "identity shuffle (probability 1/50!)";
  std::sort(firsts.begin(), firsts.end());
  for (std::int64_t i = 0; i < rows; ++i) EXPECT_EQ(firsts[static_cast<std::size_t>(i)], i);
}

// ------------------------------------------------------------ independence

// For independent streams sqrt(n) r is ~N(0, 1); each group of m pairs below
// uses the bound for kAlpha / m per pair, so each group fails with probability
// <= kAlpha. Values are compared index by index, the alignment a counter-based
// generator is most likely to get wrong.
constexpr std::int64_t kCorrN = 1 << 16;

std::vector<double> uniform_stream(const r::Key& k) { return host_doubles(r::uniform(k, Shape{kCorrN}, DType::f64)); }
std::vector<double> bits_stream(const r::Key& k) {
  return st::to_double(r::bits(k, Shape{kCorrN}, DType::u32).to_host<std::uint32_t>());
}

TEST_F(Statistics, SplitSiblingsAreUncorrelated) {
  for (r::Impl impl : {r::Impl::threefry, r::Impl::philox}) {
    SCOPED_TRACE(r::impl_name(impl));
    const auto keys = r::split(r::key(1001, impl), 8);
    std::vector<std::vector<double>> s;
    for (const r::Key& k : keys) s.push_back(uniform_stream(k));
    const double bound = st::correlation_bound(kCorrN, kAlpha / 28);
    for (std::size_t i = 0; i < s.size(); ++i) {
      for (std::size_t j = i + 1; j < s.size(); ++j) {
        EXPECT_LT(std::fabs(st::pearson(s[i], s[j])), bound) << "children " << i << " and " << j;
      }
    }
  }
}

TEST_F(Statistics, FoldInNeighboursAreUncorrelated) {
  const std::vector<std::uint32_t> ts = {0, 1, 2, 1000, 0x7fffffffu, 0xfffffffeu};
  for (r::Impl impl : {r::Impl::threefry, r::Impl::philox}) {
    SCOPED_TRACE(r::impl_name(impl));
    const r::Key k = r::key(1002, impl);
    const double bound = st::correlation_bound(kCorrN, kAlpha / static_cast<double>(ts.size()));
    for (std::uint32_t t : ts) {
      // fold_in does not consume k, but each folded key is drawn from twice
      // here (as t + 1, then as the next t): forget the first draw.
      r::reset_key_reuse_record();
      const double rho = st::pearson(bits_stream(r::fold_in(k, t)), bits_stream(r::fold_in(k, t + 1)));
      EXPECT_LT(std::fabs(rho), bound) << "fold_in " << t << " vs " << t + 1;
    }
  }
}

// A parent's own stream against its children's (split_at does not consume,
// so the parent may still be drawn from here), and lag-1 autocorrelation.
TEST_F(Statistics, ParentAndChildStreamsAreUncorrelated) {
  for (r::Impl impl : {r::Impl::threefry, r::Impl::philox}) {
    SCOPED_TRACE(r::impl_name(impl));
    const r::Key parent = r::key(1003, impl);
    const std::vector<double> p = bits_stream(parent);
    const double bound = st::correlation_bound(kCorrN, kAlpha / 4);
    for (std::uint64_t c : {0u, 1u}) {
      EXPECT_LT(std::fabs(st::pearson(p, bits_stream(r::split_at(parent, c)))), bound) << "child " << c;
    }
    EXPECT_LT(std::fabs(st::pearson(p, bits_stream(r::split_at(r::split_at(parent, 0), 0)))), bound) << "grandchild";
    const std::vector<double> a(p.begin(), p.end() - 1), b(p.begin() + 1, p.end());
    EXPECT_LT(std::fabs(st::pearson(a, b)), bound) << "lag 1";
  }
}

}  // namespace
