// pure::math: accuracy against long double libm over dense sweeps and seeded
// random inputs, special values, erfinv against scipy and JAX reference values
// (tests/data/math_reference.txt, made by tests/data/make_math_reference.py),
// and bitwise equality of kernel and host evaluation.
//
// Every accuracy bound here is a measured maximum rounded up a little; the
// sweeps are deterministic, so the tests cannot fail by chance.
#include <gtest/gtest.h>

#include <algorithm>
#include <cfenv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <Kokkos_Core.hpp>
#include <pure/core/math.hpp>

namespace {

namespace pm = pure::math;
using pure::detail::bit_cast;

template <class T>
using BitsOf = std::conditional_t<sizeof(T) == 8, std::uint64_t, std::uint32_t>;

// ------------------------------------------------------------------ measuring

/// The ulp of T at the exact value `ref`: the spacing of T's values in ref's binade.
template <class T>
long double ulp_at(long double ref) {
  int e;
  std::frexp(ref, &e);  // |ref| = m * 2^e, m in [0.5, 1)
  e = std::max(e, std::numeric_limits<T>::min_exponent);
  return std::ldexp(1.0L, e - std::numeric_limits<T>::digits);
}

/// |got - ref| in ulps of T; 0 for matching infinities and NaNs, inf for a
/// wrong infinity or NaN.
template <class T>
long double ulp_error(T got, long double ref) {
  constexpr long double kInf = std::numeric_limits<long double>::infinity();
  if (std::isnan(ref) || std::isnan(got)) return std::isnan(ref) && std::isnan(got) ? 0.0L : kInf;
  if (std::isinf(got) || std::isinf(ref)) {
    // A finite ref beyond T's range correctly rounds to inf.
    const bool ref_overflows = std::fabs(ref) > std::numeric_limits<T>::max();
    if (std::isinf(got) && (std::isinf(ref) || ref_overflows) && (got > 0) == (ref > 0)) return 0.0L;
    if (std::isinf(got)) return kInf;
    if (std::isinf(ref)) return kInf;
  }
  return std::fabs(static_cast<long double>(got) - ref) / ulp_at<T>(ref);
}

struct MaxError {
  long double ulps = 0;
  long double at = 0;
  std::size_t count = 0;
  void add(long double e, long double x) {
    ++count;
    if (e > ulps || std::isnan(e)) {
      ulps = e;
      at = x;
    }
  }
};

// ------------------------------------------------------------------- inputs

/// n values of T from a to b (0 <= a < b) evenly spaced in their bit patterns,
/// so logarithmically spaced, subnormals included.
template <class T>
void add_log_sweep(std::vector<T>& v, T a, T b, std::size_t n, T sign) {
  const BitsOf<T> ba = bit_cast<BitsOf<T>>(a), bb = bit_cast<BitsOf<T>>(b);
  const BitsOf<T> step = std::max<BitsOf<T>>(1, (bb - ba) / n);
  for (BitsOf<T> u = ba; u <= bb && u >= ba; u += step) v.push_back(sign * bit_cast<T>(u));
  v.push_back(sign * b);
}

/// Dense sweeps of [lo, hi] (logarithmic in both signs, linear over the core
/// range where argument reduction switches branches) plus seeded random
/// values: uniform ones and random bit patterns that fall in [lo, hi].
template <class T>
std::vector<T> make_inputs(T lo, T hi, T core_lo, T core_hi, std::size_t n, std::uint64_t seed) {
  std::vector<T> v;
  const T tiny = std::numeric_limits<T>::denorm_min();
  if (hi > 0) add_log_sweep<T>(v, tiny, hi, n, T(1));
  if (lo < 0) add_log_sweep<T>(v, tiny, -lo, n, T(-1));
  for (std::size_t i = 0; i <= n; ++i) {
    const long double t = static_cast<long double>(i) / n;
    v.push_back(static_cast<T>(core_lo + (static_cast<long double>(core_hi) - core_lo) * t));
  }
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> uniform(static_cast<double>(lo), static_cast<double>(hi));
  for (std::size_t i = 0; i < n; ++i) v.push_back(static_cast<T>(uniform(rng)));
  for (std::size_t found = 0, tries = 0; found < n && tries < 100 * n; ++tries) {
    const T x = bit_cast<T>(static_cast<BitsOf<T>>(rng()));
    if (x >= lo && x <= hi) {
      v.push_back(x);
      ++found;
    }
  }
  return v;
}

// ---------------------------------------------------------------- spec table

/// One row per unary function: domain, dense core, reference, and the max ulp
/// error allowed for double and float.
struct UnarySpec {
  const char* name;
  double (*f64)(double);
  float (*f32)(float);
  long double (*ref)(long double);
  double lo, hi, core_lo, core_hi;         // double domain
  float lo32, hi32, core_lo32, core_hi32;  // float domain
  double max_ulp64, max_ulp32;
};

constexpr double kDblMax = std::numeric_limits<double>::max();
constexpr float kFltMax = std::numeric_limits<float>::max();

// Tolerances: measured maxima (printed by the test) rounded up. Float versions
// round a < 1 ulp double result once, so they are within 0.5 + 2^-28 ulp.
const UnarySpec kUnary[] = {
    // name, f64, f32, long double reference; double domain and core; float domain and core; max ulp f64, f32
    {"log", [](double x) { return pm::log(x); }, [](float x) { return pm::log(x); },
     [](long double x) { return std::log(x); }, 0.0, kDblMax, 0.25, 4.0, 0.0f, kFltMax, 0.25f, 4.0f, 0.8, 0.501},
    {"log1p", [](double x) { return pm::log1p(x); }, [](float x) { return pm::log1p(x); },
     [](long double x) { return std::log1p(x); }, -1.0, kDblMax, -0.75, 3.0, -1.0f, kFltMax, -0.75f, 3.0f, 0.8, 0.501},
    {"exp", [](double x) { return pm::exp(x); }, [](float x) { return pm::exp(x); },
     [](long double x) { return std::exp(x); }, -746.0, 710.0, -2.0, 2.0, -105.0f, 89.0f, -2.0f, 2.0f, 0.65, 0.501},
    {"expm1", [](double x) { return pm::expm1(x); }, [](float x) { return pm::expm1(x); },
     [](long double x) { return std::expm1(x); }, -50.0, 710.0, -2.0, 2.0, -20.0f, 89.0f, -2.0f, 2.0f, 0.65, 0.501},
    {"erf", [](double x) { return pm::erf(x); }, [](float x) { return pm::erf(x); },
     [](long double x) { return std::erf(x); }, -7.0, 7.0, -6.5, 6.5, -5.0f, 5.0f, -4.5f, 4.5f, 0.8, 0.501},
    {"logistic", [](double x) { return pm::logistic(x); }, [](float x) { return pm::logistic(x); },
     [](long double x) { return 1 / (1 + std::exp(-x)); }, -745.0, 745.0, -5.0, 5.0, -120.0f, 120.0f, -5.0f, 5.0f, 2.3,
     0.501},
    {"tanh", [](double x) { return pm::tanh(x); }, [](float x) { return pm::tanh(x); },
     [](long double x) { return std::tanh(x); }, -25.0, 25.0, -3.0, 3.0, -12.0f, 12.0f, -3.0f, 3.0f, 2.3, 0.501},
};

constexpr std::size_t kSweep = 40000;  // per sweep; each function sees about 5 * kSweep inputs

template <class T>
MaxError measure(const UnarySpec& s, T (*f)(T), T lo, T hi, T core_lo, T core_hi, std::uint64_t seed) {
  MaxError m;
  for (T x : make_inputs<T>(lo, hi, core_lo, core_hi, kSweep, seed)) m.add(ulp_error<T>(f(x), s.ref(x)), x);
  return m;
}

TEST(Math, UnaryFunctionsWithinUlpBoundsOfLongDouble) {
  std::uint64_t seed = 1234;
  for (const UnarySpec& s : kUnary) {
    const MaxError d = measure<double>(s, s.f64, s.lo, s.hi, s.core_lo, s.core_hi, ++seed);
    const MaxError f = measure<float>(s, s.f32, s.lo32, s.hi32, s.core_lo32, s.core_hi32, ++seed);
    std::printf("[ math     ] %-6s f64 max %.4Lf ulp at %La (%zu inputs); f32 max %.4Lf ulp at %La (%zu inputs)\n",
                s.name, d.ulps, d.at, d.count, f.ulps, f.at, f.count);
    EXPECT_LE(d.ulps, s.max_ulp64) << s.name << " f64 at x = " << static_cast<double>(d.at);
    EXPECT_LE(f.ulps, s.max_ulp32) << s.name << " f32 at x = " << static_cast<double>(f.at);
  }
}

// pow(x, y): x over the whole positive range, y drawn so that |y log x| covers
// the full exponent range, where a plain exp(y * log(x)) would lose ~10 bits.
template <class T>
MaxError measure_pow(std::uint64_t seed) {
  using L = std::numeric_limits<T>;
  std::vector<T> xs = make_inputs<T>(T(0), L::max(), T(0.5), T(2), kSweep, seed);
  std::mt19937_64 rng(seed);
  const long double log_max = std::log(static_cast<long double>(L::max()));
  const long double log_min = std::log(static_cast<long double>(L::denorm_min()));
  std::uniform_real_distribution<long double> target(log_min - 1, log_max + 1);
  std::uniform_int_distribution<int> small_int(-40, 40);
  MaxError m;
  for (T x : xs) {
    if (!(x > 0) || x == 1) continue;
    const long double lx = std::log(static_cast<long double>(x));
    const T ys[] = {static_cast<T>(target(rng) / lx), static_cast<T>(small_int(rng)),
                    static_cast<T>(std::ldexp(target(rng) / lx, -10))};
    for (T y : ys) {
      const long double ref = std::pow(static_cast<long double>(x), static_cast<long double>(y));
      m.add(ulp_error<T>(pm::pow(x, y), ref), x);
    }
  }
  return m;
}

// The branch-free float functions (computed in double, no branches) at every
// 1024th float of an interval, both signs (about 2 million values each,
// subnormals included): within 0.501 ulp of long double, i.e. correctly
// rounded but for values within about 2^-30 of a rounding boundary.
template <class F, class Ref>
void sweep_float(const char* name, F f, Ref ref, float top) {
  MaxError m;
  std::size_t not_nearest = 0;
  const auto top_bits = bit_cast<std::uint32_t>(top);
  for (std::uint32_t sign : {0u, 0x80000000u}) {
    for (std::uint32_t b = 0; b <= top_bits; b += 1024) {
      const float x = bit_cast<float>(b | sign);
      const long double want = ref(static_cast<long double>(x));
      const float got = f(x);
      m.add(ulp_error<float>(got, want), x);
      if (got != static_cast<float>(want)) ++not_nearest;
    }
  }
  std::printf("[ math     ] %s f32 sweep: max %.4Lf ulp at %La, %zu of %zu not the nearest float\n", name, m.ulps, m.at,
              not_nearest, m.count);
  EXPECT_LE(m.ulps, 0.501L) << name << " at x = " << static_cast<double>(m.at);
}

TEST(Math, BranchFreeFloatSweeps) {
  sweep_float(
      "tanh", [](float x) { return pm::tanh(x); }, [](long double x) { return std::tanh(x); }, 12.0f);
  sweep_float(
      "exp", [](float x) { return pm::exp(x); }, [](long double x) { return std::exp(x); }, 105.0f);
  sweep_float(
      "expm1", [](float x) { return pm::expm1(x); }, [](long double x) { return std::expm1(x); }, 105.0f);
  sweep_float(
      "logistic", [](float x) { return pm::logistic(x); }, [](long double x) { return 1 / (1 + std::exp(-x)); },
      110.0f);
  // tanh is odd bit for bit (the sign is copied), including -0.
  for (float x : {0.0f, 1e-30f, 0.3f, 5.0f, 20.0f}) {
    EXPECT_EQ(bit_cast<std::uint32_t>(pm::tanh(-x)), bit_cast<std::uint32_t>(pm::tanh(x)) | 0x80000000u) << x;
  }
  EXPECT_EQ(bit_cast<std::uint64_t>(pm::tanh(-0.0)), 0x8000000000000000ull);
  constexpr float kInf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_TRUE(std::isnan(pm::tanh(nan)));
  EXPECT_TRUE(std::isnan(pm::exp(nan)));
  EXPECT_TRUE(std::isnan(pm::logistic(nan)));
  EXPECT_TRUE(std::isnan(pm::expm1(nan)));
  EXPECT_EQ(bit_cast<std::uint32_t>(pm::expm1(-0.0f)), 0x80000000u);
  EXPECT_EQ(pm::expm1(-kInf), -1.0f);
  EXPECT_EQ(pm::expm1(kInf), kInf);
  EXPECT_TRUE(std::isnan(pm::tanh(std::numeric_limits<double>::quiet_NaN())));
  EXPECT_EQ(pm::tanh(kInf), 1.0f);
  EXPECT_EQ(pm::tanh(-kInf), -1.0f);
  EXPECT_EQ(pm::tanh(-std::numeric_limits<double>::infinity()), -1.0);
  EXPECT_EQ(pm::exp(kInf), kInf);
  EXPECT_EQ(pm::exp(-kInf), 0.0f);
  EXPECT_EQ(pm::exp(89.0f), kInf);
  EXPECT_EQ(pm::logistic(kInf), 1.0f);
  EXPECT_EQ(pm::logistic(-kInf), 0.0f);
}

TEST(Math, PowWithinUlpBoundsOfLongDouble) {
  const MaxError d = measure_pow<double>(77);
  const MaxError f = measure_pow<float>(78);
  std::printf("[ math     ] pow    f64 max %.4Lf ulp at x = %La (%zu inputs); f32 max %.4Lf ulp (%zu inputs)\n", d.ulps,
              d.at, d.count, f.ulps, f.count);
  EXPECT_LE(d.ulps, 0.65);
  EXPECT_LE(f.ulps, 0.501);
}

// --------------------------------------------------------------- special values

template <class T>
bool same_bits(T a, T b) {
  return bit_cast<BitsOf<T>>(a) == bit_cast<BitsOf<T>>(b);
}

// erf exists twice: the branching fdlibm code (scalar callers, GPU threads)
// and detail::erf_branch_free (the elementwise primitive's vectorised loops).
// They must agree bit for bit everywhere: every range, the range boundaries and
// their neighbours, random bit patterns, specials.
TEST(Math, BranchFreeErfHasTheBitsOfErf) {
  std::vector<double> xs;
  std::mt19937_64 gen(11);
  std::uniform_real_distribution<double> u(-7.0, 7.0);
  for (int i = 0; i < 400000; ++i) xs.push_back(u(gen));
  for (int i = 0; i < 200000; ++i) xs.push_back(bit_cast<double>(gen()));
  for (double edge : {0.0, 0x1p-1022, 0x1p-1015, 0x1p-28, 0.84375, 1.0, 1.25, 0x1.6db6ep1, 6.0, 1e300,
                      std::numeric_limits<double>::infinity(), std::numeric_limits<double>::quiet_NaN(),
                      std::numeric_limits<double>::denorm_min()}) {
    double lo = edge, hi = edge;
    for (int k = 0; k < 64; ++k) {
      for (double v : {lo, hi}) {
        xs.push_back(v);
        xs.push_back(-v);
      }
      lo = std::nextafter(lo, 0.0);
      hi = std::nextafter(hi, std::numeric_limits<double>::infinity());
    }
  }
  int differ = 0;
  for (double x : xs) {
    if (!same_bits(pm::detail::erf_branch_free(x), pm::erf(x)) && ++differ <= 5) ADD_FAILURE() << "double " << x;
    const float f = static_cast<float>(x);
    if (!same_bits(pm::detail::erf_branch_free(f), pm::erf(f)) && ++differ <= 5) ADD_FAILURE() << "float " << f;
  }
  EXPECT_EQ(differ, 0);
}

TEST(Math, SpecialValuesDouble) {
  constexpr double inf = std::numeric_limits<double>::infinity();
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  constexpr double tiny = std::numeric_limits<double>::denorm_min();
  // log
  EXPECT_EQ(pm::log(0.0), -inf);
  EXPECT_EQ(pm::log(-0.0), -inf);
  EXPECT_TRUE(std::isnan(pm::log(-1.0)));
  EXPECT_TRUE(std::isnan(pm::log(-inf)));
  EXPECT_TRUE(std::isnan(pm::log(nan)));
  EXPECT_EQ(pm::log(inf), inf);
  EXPECT_TRUE(same_bits(pm::log(1.0), 0.0));
  EXPECT_EQ(pm::log(2.0), 0x1.62e42fefa39efp-1);   // ln 2 correctly rounded
  EXPECT_EQ(pm::log(tiny), -0x1.74385446d71c3p9);  // -1074 ln 2 correctly rounded
  // log1p
  EXPECT_EQ(pm::log1p(-1.0), -inf);
  EXPECT_TRUE(std::isnan(pm::log1p(-1.5)));
  EXPECT_TRUE(std::isnan(pm::log1p(-inf)));
  EXPECT_TRUE(std::isnan(pm::log1p(nan)));
  EXPECT_EQ(pm::log1p(inf), inf);
  EXPECT_TRUE(same_bits(pm::log1p(0.0), 0.0));
  EXPECT_TRUE(same_bits(pm::log1p(-0.0), -0.0));
  EXPECT_EQ(pm::log1p(tiny), tiny);
  EXPECT_EQ(pm::log1p(-tiny), -tiny);
  EXPECT_EQ(pm::log1p(1.0), 0x1.62e42fefa39efp-1);
  // exp
  EXPECT_EQ(pm::exp(0.0), 1.0);
  EXPECT_EQ(pm::exp(-0.0), 1.0);
  EXPECT_EQ(pm::exp(tiny), 1.0);
  EXPECT_EQ(pm::exp(1.0), 0x1.5bf0a8b145769p1);  // e correctly rounded
  EXPECT_EQ(pm::exp(inf), inf);
  EXPECT_TRUE(same_bits(pm::exp(-inf), 0.0));
  EXPECT_TRUE(std::isnan(pm::exp(nan)));
  EXPECT_EQ(pm::exp(709.78), 0x1.fe9ce5c4c52b4p1023);  // mpmath, correctly rounded
  EXPECT_EQ(pm::exp(709.8), inf);
  EXPECT_EQ(pm::exp(-745.0), tiny);  // e^-745 = 0.57 * 2^-1074 rounds up to the smallest subnormal
  EXPECT_EQ(pm::exp(-745.2), 0.0);
  // expm1
  EXPECT_TRUE(same_bits(pm::expm1(0.0), 0.0));
  EXPECT_TRUE(same_bits(pm::expm1(-0.0), -0.0));
  EXPECT_EQ(pm::expm1(tiny), tiny);
  EXPECT_EQ(pm::expm1(-inf), -1.0);
  EXPECT_EQ(pm::expm1(-40.0), -1.0);
  EXPECT_EQ(pm::expm1(inf), inf);
  EXPECT_EQ(pm::expm1(710.0), inf);
  EXPECT_TRUE(std::isnan(pm::expm1(nan)));
  EXPECT_EQ(pm::expm1(1.0), 0x1.b7e151628aed3p0);  // e - 1 correctly rounded
  // erf
  EXPECT_TRUE(same_bits(pm::erf(0.0), 0.0));
  EXPECT_TRUE(same_bits(pm::erf(-0.0), -0.0));
  EXPECT_EQ(pm::erf(inf), 1.0);
  EXPECT_EQ(pm::erf(-inf), -1.0);
  EXPECT_EQ(pm::erf(6.0), 1.0);
  EXPECT_EQ(pm::erf(-30.0), -1.0);
  EXPECT_TRUE(std::isnan(pm::erf(nan)));
  EXPECT_GT(pm::erf(tiny), 0.0);
  // erfinv
  EXPECT_EQ(pm::erfinv(1.0), inf);
  EXPECT_EQ(pm::erfinv(-1.0), -inf);
  EXPECT_TRUE(same_bits(pm::erfinv(0.0), 0.0));
  EXPECT_TRUE(same_bits(pm::erfinv(-0.0), -0.0));
  EXPECT_TRUE(std::isnan(pm::erfinv(1.5)));
  EXPECT_TRUE(std::isnan(pm::erfinv(-1.0000000000000002)));
  EXPECT_TRUE(std::isnan(pm::erfinv(inf)));
  EXPECT_TRUE(std::isnan(pm::erfinv(nan)));
  // sqrt
  EXPECT_EQ(pm::sqrt(4.0), 2.0);
  EXPECT_EQ(pm::sqrt(2.0), 0x1.6a09e667f3bcdp0);
  EXPECT_TRUE(same_bits(pm::sqrt(-0.0), -0.0));
  EXPECT_TRUE(std::isnan(pm::sqrt(-1.0)));
  EXPECT_EQ(pm::sqrt(inf), inf);
  // pow (x >= 0 only)
  EXPECT_EQ(pm::pow(3.0, 0.0), 1.0);
  EXPECT_EQ(pm::pow(nan, 0.0), 1.0);
  EXPECT_EQ(pm::pow(1.0, nan), 1.0);
  EXPECT_EQ(pm::pow(1.0, inf), 1.0);
  EXPECT_TRUE(std::isnan(pm::pow(nan, 1.0)));
  EXPECT_TRUE(std::isnan(pm::pow(2.0, nan)));
  EXPECT_TRUE(std::isnan(pm::pow(-2.0, 2.0)));
  EXPECT_TRUE(same_bits(pm::pow(0.0, 3.0), 0.0));
  EXPECT_EQ(pm::pow(0.0, -1.0), inf);
  EXPECT_EQ(pm::pow(inf, 0.5), inf);
  EXPECT_TRUE(same_bits(pm::pow(inf, -0.5), 0.0));
  EXPECT_EQ(pm::pow(2.0, inf), inf);
  EXPECT_EQ(pm::pow(0.5, inf), 0.0);
  EXPECT_EQ(pm::pow(2.0, -inf), 0.0);
  EXPECT_EQ(pm::pow(0.5, -inf), inf);
  EXPECT_EQ(pm::pow(2.0, 1024.0), inf);
  EXPECT_EQ(pm::pow(2.0, -1074.0), tiny);
  EXPECT_EQ(pm::pow(2.0, -1076.0), 0.0);
  EXPECT_EQ(pm::pow(2.0, 0.5), 0x1.6a09e667f3bcdp0);
  EXPECT_EQ(pm::pow(10.0, 22.0), 1e22);  // exactly representable
  EXPECT_EQ(pm::pow(1e300, 1e-300), 1.0);
  EXPECT_EQ(pm::pow(1.0000000000000002, 1e300), inf);
  EXPECT_EQ(pm::pow(0.9999999999999999, 1e300), 0.0);
}

TEST(Math, SpecialValuesFloat) {
  constexpr float inf = std::numeric_limits<float>::infinity();
  constexpr float nan = std::numeric_limits<float>::quiet_NaN();
  constexpr float tiny = std::numeric_limits<float>::denorm_min();
  EXPECT_EQ(pm::log(0.0f), -inf);
  EXPECT_TRUE(std::isnan(pm::log(-1.0f)));
  EXPECT_EQ(pm::log(2.0f), 0x1.62e43p-1f);
  EXPECT_EQ(pm::log(-0.0f), -inf);
  EXPECT_EQ(pm::log(inf), inf);
  EXPECT_TRUE(std::isnan(pm::log(-inf)));
  EXPECT_TRUE(std::isnan(pm::log(nan)));
  EXPECT_EQ(pm::log(tiny), -0x1.9d1dap+6f);            // -149 ln 2 = -103.2789...
  EXPECT_EQ(pm::log(0x1.fffffep127f), 0x1.62e43p+6f);  // ln(FLT_MAX) = 88.7228...
  EXPECT_TRUE(same_bits(pm::log1p(-0.0f), -0.0f));
  EXPECT_TRUE(same_bits(pm::log1p(0.0f), 0.0f));
  EXPECT_EQ(pm::log1p(-1.0f), -inf);
  EXPECT_TRUE(std::isnan(pm::log1p(-1.5f)));
  EXPECT_TRUE(std::isnan(pm::log1p(-inf)));
  EXPECT_TRUE(std::isnan(pm::log1p(nan)));
  EXPECT_EQ(pm::log1p(inf), inf);
  EXPECT_EQ(pm::log1p(tiny), tiny);
  EXPECT_EQ(pm::log1p(-tiny), -tiny);
  EXPECT_EQ(pm::log1p(0x1p-30f), 0x1p-30f);  // x - x^2/2 rounds to x
  EXPECT_EQ(pm::exp(89.0f), inf);
  EXPECT_EQ(pm::exp(-104.0f), 0.0f);
  EXPECT_EQ(pm::exp(-103.0f), tiny);  // e^-103 = 1.32 * 2^-149 rounds to 2^-149
  EXPECT_EQ(pm::exp(1.0f), 0x1.5bf0a8p1f);
  EXPECT_TRUE(same_bits(pm::expm1(-0.0f), -0.0f));
  EXPECT_EQ(pm::expm1(-inf), -1.0f);
  EXPECT_EQ(pm::erf(inf), 1.0f);
  EXPECT_EQ(pm::erf(-4.0f), -1.0f);
  EXPECT_TRUE(std::isnan(pm::erf(nan)));
  EXPECT_EQ(pm::erfinv(1.0f), inf);
  EXPECT_EQ(pm::erfinv(-1.0f), -inf);
  EXPECT_TRUE(same_bits(pm::erfinv(-0.0f), -0.0f));
  EXPECT_TRUE(std::isnan(pm::erfinv(1.5f)));
  EXPECT_TRUE(std::isnan(pm::erfinv(nan)));
  EXPECT_EQ(pm::sqrt(2.0f), 0x1.6a09e6p0f);
  EXPECT_EQ(pm::pow(2.0f, 10.0f), 1024.0f);
  EXPECT_EQ(pm::pow(2.0f, 128.0f), inf);
  EXPECT_EQ(pm::pow(2.0f, -149.0f), tiny);
}

TEST(Math, BitCastRoundTrips) {
  EXPECT_EQ(bit_cast<std::uint32_t>(1.0f), 0x3F800000u);
  EXPECT_EQ(bit_cast<std::uint64_t>(-2.0), 0xC000000000000000ull);
  EXPECT_EQ(bit_cast<double>(0x3FF8000000000000ull), 1.5);
  EXPECT_EQ(bit_cast<float>(bit_cast<std::int32_t>(-0.375f)), -0.375f);
}

// -------------------------------------------------------------------- erfinv

using Pairs = std::vector<std::pair<double, double>>;

/// The reference file as tag -> (x, y) pairs.
const std::map<std::string, Pairs>& reference() {
  static const std::map<std::string, Pairs> table = [] {
    std::map<std::string, Pairs> t;
    const std::string path = std::string(PURE_TEST_DATA_DIR) + "/math_reference.txt";
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      std::istringstream fields(line);
      std::string tag, xs, ys;
      fields >> tag >> xs >> ys;
      t[tag].emplace_back(std::strtod(xs.c_str(), nullptr), std::strtod(ys.c_str(), nullptr));
    }
    return t;
  }();
  return table;
}

const Pairs& reference(const std::string& tag) {
  static const Pairs empty;
  auto it = reference().find(tag);
  return it == reference().end() ? empty : it->second;
}

/// erfinv'(x) = sqrt(pi)/2 * e^(y^2): turns an error in x into one in y.
long double erfinv_slope(long double y) { return 0.886226925452758013649L * std::exp(y * y); }

// Forward error against scipy (Boost's erf_inv, itself within 2 ulp of the exact
// value; checked with mpmath when the file was made). erfinv is ill-conditioned
// near +-1 and XLA's formula rounds x*x, which is the same as moving x by up to
// |x| * 2^-p (p = 54 for double, 25 for float); the bound allows that, times the
// slope, on top of a few ulp.
template <class T>
void check_erfinv_vs_scipy(const std::string& tag, double max_ulp, int p) {
  const Pairs& ref = reference(tag);
  ASSERT_GT(ref.size(), 1000u) << "missing " << tag << " in " << PURE_TEST_DATA_DIR << "/math_reference.txt";
  MaxError excess, plain;  // error in ulps after removing the x*x allowance; raw error in ulps
  for (const auto& [xd, yd] : ref) {
    const T x = static_cast<T>(xd);
    ASSERT_EQ(static_cast<double>(x), xd);
    const T y = pm::erfinv(x);
    const long double err = std::fabs(static_cast<long double>(y) - yd);
    const long double allowance = erfinv_slope(yd) * std::fabs(static_cast<long double>(x)) * std::ldexp(1.0L, -p);
    excess.add(std::max(0.0L, err - allowance) / ulp_at<T>(yd), x);
    plain.add(err / ulp_at<T>(yd), x);
  }
  std::printf("[ math     ] %s: max %.3Lf ulp beyond the x*x allowance (raw max %.3Lf ulp at %La), %zu values\n",
              tag.c_str(), excess.ulps, plain.ulps, plain.at, excess.count);
  EXPECT_LE(excess.ulps, max_ulp) << tag << " at x = " << static_cast<double>(excess.at);
}

TEST(Math, ErfinvDoubleMatchesScipy) { check_erfinv_vs_scipy<double>("erfinv_f64_scipy", 4.0, 54); }
TEST(Math, ErfinvFloatMatchesScipy) { check_erfinv_vs_scipy<float>("erfinv_f32_scipy", 3.0, 25); }

// Against JAX, which runs the same formula, so differences come only from XLA's
// own log1p. On CPU that is within 2.2 ulp for float32, but for float64 it
// computes log(1 + x) on about [-0.5, -0.3], losing up to ~120 ulp of w for
// 0.55 < |x| < 0.71; JAX's erfinv is then up to ~19 ulp off (checked with
// mpmath) while ours stays accurate, hence the wide float64 bound.
template <class T>
void check_erfinv_vs_jax(const std::string& tag, double max_ulp) {
  const Pairs& ref = reference(tag);
  ASSERT_GT(ref.size(), 1000u) << "missing " << tag;
  MaxError m;
  std::size_t equal = 0;
  for (const auto& [xd, yd] : ref) {
    const T y = pm::erfinv(static_cast<T>(xd));
    equal += same_bits(y, static_cast<T>(yd));
    m.add(ulp_error<T>(y, yd), xd);
  }
  std::printf("[ math     ] %s: %zu of %zu bitwise equal, max %.3Lf ulp at %La\n", tag.c_str(), equal, m.count, m.ulps,
              m.at);
  EXPECT_LE(m.ulps, max_ulp) << tag << " at x = " << static_cast<double>(m.at);
}

TEST(Math, ErfinvDoubleMatchesJax) { check_erfinv_vs_jax<double>("erfinv_f64_jax", 24.0); }
TEST(Math, ErfinvFloatMatchesJax) { check_erfinv_vs_jax<float>("erfinv_f32_jax", 2.0); }

// Round trip through long double erf: |erf(erfinv(x)) - x| in ulps of x (a
// backward error, well conditioned everywhere, also for |x| -> 1).
template <class T>
MaxError erfinv_round_trip(std::uint64_t seed) {
  const T below_one = std::nextafter(T(1), T(0));
  MaxError m;
  for (T x : make_inputs<T>(-below_one, below_one, T(-1), T(1), kSweep, seed)) {
    if (x == 0) continue;
    const long double back = std::erf(static_cast<long double>(pm::erfinv(x)));
    m.add(std::fabs(back - x) / ulp_at<T>(x), x);
  }
  return m;
}

TEST(Math, ErfinvRoundTripsThroughErf) {
  const MaxError d = erfinv_round_trip<double>(91);
  const MaxError f = erfinv_round_trip<float>(92);
  std::printf("[ math     ] erfinv round trip: f64 max %.3Lf ulp(x) at %La; f32 max %.3Lf ulp(x) at %La\n", d.ulps,
              d.at, f.ulps, f.at);
  EXPECT_LE(d.ulps, 3.5);
  EXPECT_LE(f.ulps, 3.0);
}

// erfinv(float) takes w = -log1p(-x*x) from a branch-free double evaluation
// (detail::neg_log1p_neg), not from pure::math::log1p. It must round to the
// same float as float(log1p(double)), whose error is far below a float ulp:
// checked at every 61st float of [0, 1], at every float in the last 2^16 below
// 1 (where w is large and 1 - t loses the most), and around the 2^-30 switch.
TEST(Math, ErfinvFloatLogTermMatchesDoubleLog1p) {
  std::int64_t checked = 0;
  std::vector<std::uint32_t> mismatches;
  const auto check = [&](std::uint32_t xb) {
    const float x = bit_cast<float>(xb);
    const float t = x * x;
    const float want = static_cast<float>(-pm::log1p(-static_cast<double>(t)));
    if (bit_cast<std::uint32_t>(pm::detail::neg_log1p_neg(t)) != bit_cast<std::uint32_t>(want)) {
      mismatches.push_back(xb);
    }
    ++checked;
  };
  constexpr std::uint32_t one = 0x3F800000u;
  for (std::uint32_t b = 0; b < one; b += 61) check(b);
  for (std::uint32_t b = one - (1u << 16); b < one; ++b) check(b);
  const std::uint32_t switch_x = bit_cast<std::uint32_t>(0x1p-15f);  // x*x = 2^-30
  for (std::uint32_t b = switch_x - 4096; b < switch_x + 4096; ++b) check(b);
  std::printf("[ math     ] erfinv f32: log term checked at %lld x, %zu differ\n", static_cast<long long>(checked),
              mismatches.size());
  EXPECT_GT(checked, 17000000);
  EXPECT_TRUE(mismatches.empty()) << "first at x = " << std::hexfloat << bit_cast<float>(mismatches.front());
  // t = 0 and tiny t: -log1p(-t) rounds to t.
  EXPECT_TRUE(same_bits(pm::detail::neg_log1p_neg(0.0f), 0.0f));
  EXPECT_EQ(pm::detail::neg_log1p_neg(0x1p-140f), 0x1p-140f);
}

// exponential_at<float> computes -log1p(-u) as neg_log1p_neg(u). Its u is a
// uniform float, a multiple of 2^-23 in [0, 1): all 2^23 of them agree.
TEST(Math, NegLog1pNegMatchesLog1pOnTheUniformGrid) {
  std::int64_t differ = 0;
  float first = 0;
  for (std::uint32_t k = 0; k < (1u << 23); ++k) {
    const float u = static_cast<float>(k) * 0x1p-23f;
    if (bit_cast<std::uint32_t>(pm::detail::neg_log1p_neg(u)) != bit_cast<std::uint32_t>(-pm::log1p(-u))) {
      if (differ++ == 0) first = u;
    }
  }
  EXPECT_EQ(differ, 0) << "first at u = " << std::hexfloat << first;
}

// |x| >= 1 is answered by a select, not computed: no 0/0 or sqrt of a negative
// raises FE_INVALID (it would trap under feenableexcept). NaN inputs are left
// out: comparing a NaN may raise it by itself.
TEST(Math, ErfinvAtAndBeyondOneRaisesNoInvalid) {
  constexpr double inf = std::numeric_limits<double>::infinity();
  std::feclearexcept(FE_ALL_EXCEPT);
  for (double x : {1.0, -1.0, 2.0, -3.0, inf, -inf}) {
    volatile double d = pm::erfinv(x);
    volatile float f = pm::erfinv(static_cast<float>(x));
    (void)d;
    (void)f;
  }
  EXPECT_FALSE(std::fetestexcept(FE_INVALID));
  EXPECT_FALSE(std::fetestexcept(FE_DIVBYZERO));
}

// erfinv evaluates every range of Giles' fit and selects one (on CPUs), with
// w from neg_log1p_neg. Checked against the plain formula: branches, w from
// pure::math::log1p, the same range polynomials. Float: every 61st float of
// [-1, 1] and every float in the last 2^16 below 1 (the tail). Double: a
// geometric sweep towards +-1 (all three ranges) and seeded random inputs.
TEST(Math, ErfinvFloatEqualsBranchyReference) {
  const auto reference = [](float x) -> float {
    const float w = static_cast<float>(-pm::log1p(-static_cast<double>(x * x)));
    return (w < 5.0f ? pm::detail::erfinv32_central(w) : pm::detail::erfinv32_tail(std::sqrt(w))) * x;
  };
  std::int64_t differ = 0;
  float first = 0;
  const auto check = [&](std::uint32_t b) {
    const float x = bit_cast<float>(b);
    if (bit_cast<std::uint32_t>(pm::erfinv(x)) != bit_cast<std::uint32_t>(reference(x))) {
      if (differ++ == 0) first = x;
    }
  };
  constexpr std::uint32_t one = 0x3F800000u;
  for (std::uint32_t b = 0; b < one; b += 61) {
    check(b);
    check(b | 0x80000000u);
  }
  for (std::uint32_t b = one - (1u << 16); b < one; ++b) check(b);
  EXPECT_EQ(differ, 0) << "first at x = " << std::hexfloat << first;
}

TEST(Math, ErfinvDoubleEqualsBranchyReference) {
  const auto reference = [](double x) -> double {
    const double w = -pm::log1p(-x * x);
    if (w < 6.25) return pm::detail::erfinv64_central(w) * x;
    if (w < 16.0) return pm::detail::erfinv64_middle(std::sqrt(w)) * x;
    return pm::detail::erfinv64_tail(std::sqrt(w)) * x;
  };
  std::int64_t checked = 0, differ = 0, middle = 0, tail = 0;
  double first = 0;
  const auto check = [&](double x) {
    const double w = -pm::log1p(-x * x);
    middle += w >= 6.25 && w < 16.0;
    tail += w >= 16.0;
    ++checked;
    if (bit_cast<std::uint64_t>(pm::erfinv(x)) != bit_cast<std::uint64_t>(reference(x))) {
      if (differ++ == 0) first = x;
    }
  };
  // 1 - x from 1 down to 2^-53 in steps of 2^(1/4096): dense near +-1.
  for (double d = 1.0; d >= 0x1p-53; d *= 0.99983079) {
    check(1.0 - d);
    check(d - 1.0);
  }
  std::mt19937_64 gen(93);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  for (int i = 0; i < 1000000; ++i) check(u(gen));
  EXPECT_EQ(differ, 0) << "first at x = " << std::hexfloat << first;
  EXPECT_GT(middle, 1000) << "the sweep must reach the middle range";
  EXPECT_GT(tail, 1000) << "the sweep must reach the tail range";
  EXPECT_GT(checked, 1000000);
}

// ------------------------------------------------------- kernel vs host, bitwise

constexpr int kNumFunctions = 8;

/// Function number f of the table at (x, y); y is used by pow only.
template <class T>
KOKKOS_INLINE_FUNCTION T evaluate(int f, T x, T y) {
  switch (f) {
    case 0: return pm::log(x);
    case 1: return pm::log1p(x);
    case 2: return pm::exp(x);
    case 3: return pm::expm1(x);
    case 4: return pm::erf(x);
    case 5: return pm::erfinv(x);
    case 6: return pm::sqrt(x);
    default: return pm::pow(x, y);
  }
}

template <class T>
struct EvaluateAll {
  Kokkos::View<const T*> x, y;
  Kokkos::View<T**> out;
  KOKKOS_INLINE_FUNCTION void operator()(int i) const {
    for (int f = 0; f < kNumFunctions; ++f) out(f, i) = evaluate(f, x(i), y(i));
  }
};

/// Inputs spanning every function's domain and branches, with special values.
template <class T>
std::vector<T> kernel_inputs() {
  using L = std::numeric_limits<T>;
  std::vector<T> v = make_inputs<T>(-L::max(), L::max(), T(-8), T(8), 2000, 5);
  const std::vector<T> more = make_inputs<T>(T(-1), T(1), T(-1), T(1), 2000, 6);
  v.insert(v.end(), more.begin(), more.end());
  for (T s : {T(0), T(-0.0), T(1), T(-1), L::infinity(), -L::infinity(), L::quiet_NaN(), L::denorm_min(),
              -L::denorm_min(), L::min(), L::max(), T(0.84375), T(1.25), T(2.857), T(6), T(709.78), T(-745.1)}) {
    v.push_back(s);
  }
  return v;
}

template <class T>
void check_kernel_matches_host() {
  const std::vector<T> xs = kernel_inputs<T>();
  const int n = static_cast<int>(xs.size());
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> exponent(-60.0, 60.0);
  std::vector<T> ys(xs.size());
  for (T& y : ys) y = static_cast<T>(exponent(rng));

  Kokkos::View<T*> x("pure::math::test_x", n), y("pure::math::test_y", n);
  Kokkos::deep_copy(x, Kokkos::View<const T*, Kokkos::HostSpace>(xs.data(), n));
  Kokkos::deep_copy(y, Kokkos::View<const T*, Kokkos::HostSpace>(ys.data(), n));
  Kokkos::View<T**> out("pure::math::test_out", kNumFunctions, n);
  Kokkos::parallel_for("pure::math::kernel_vs_host", Kokkos::RangePolicy<>(0, n), EvaluateAll<T>{x, y, out});
  Kokkos::fence();
  auto host = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out);

  int mismatches = 0;
  for (int f = 0; f < kNumFunctions; ++f) {
    for (int i = 0; i < n; ++i) {
      const T want = evaluate<T>(f, xs[i], ys[i]);
      const T got = host(f, i);
      // NaN payloads are not portable between backends; any NaN matches any NaN.
      const bool ok = std::isnan(want) ? std::isnan(got) : same_bits(got, want);
      if (!ok && ++mismatches <= 10) {
        ADD_FAILURE() << "function " << f << " at x = " << xs[i] << ": kernel " << got << ", host " << want;
      }
    }
  }
  EXPECT_EQ(mismatches, 0);
}

TEST(Math, KernelResultsAreBitwiseEqualToHostDouble) { check_kernel_matches_host<double>(); }
TEST(Math, KernelResultsAreBitwiseEqualToHostFloat) { check_kernel_matches_host<float>(); }

}  // namespace
