// The numpy-surface functions of numpy_math.cpp: trigonometric and hyperbolic
// functions and their inverses, log2/log10/exp2, logaddexp, integer powers,
// prod/cumprod, var/std with ddof, sort/argsort.
//   forward      vs long double host loops over wide ranges (tiny, huge, near
//                the domain ends, +-inf, NaN, -0.0), in ulp of the dtype
//   derivatives  jvp vs central differences, the vjp identity, second
//                derivatives, closed forms at extreme inputs, and real JAX's
//                values at the conventional points (tests/data/numpy_math_reference.txt,
//                written by make_numpy_math_reference.py; the few intentional
//                differences are listed and explained below)
//   errors       op, argument, axes and shape in the message
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>
#include <map>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include <pure/pure.hpp>

#include "ops_test_util.hpp"

namespace {

using pure::Array;
using pure::DType;
using pure::Shape;
using pure_test::expect_error;
using pure_test::host;
using LD = long double;
using UnaryFn = Array (*)(const Array&);

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

Array f64(const std::vector<double>& v) { return pure::from_host(v, Shape{static_cast<std::int64_t>(v.size())}); }
Array f64(double v) { return pure::full({}, v, DType::f64); }
double scalar(const Array& a) { return host(a).at(0); }

// ================================================================ ulp measure

// The spacing of the dtype's floats at |v| (the gap above it; the largest
// finite value's gap below it).
LD spacing(LD v, DType dtype) {
  if (dtype == DType::f32) {
    const float a = std::fabs(static_cast<float>(v));
    if (a == std::numeric_limits<float>::max()) return a - std::nextafter(a, 0.0f);
    return static_cast<LD>(std::nextafter(a, std::numeric_limits<float>::infinity())) - a;
  }
  const double a = std::fabs(static_cast<double>(v));
  if (a == std::numeric_limits<double>::max()) return a - std::nextafter(a, 0.0);
  return static_cast<LD>(std::nextafter(a, kInf)) - a;
}

LD max_finite(DType dtype) {
  return dtype == DType::f32 ? std::numeric_limits<float>::max() : std::numeric_limits<double>::max();
}

// Checks got against the exact value `want` (long double): NaN for NaN,
// the signed infinity where want overflows the dtype, the signed zero for an
// exact zero, else |got - want| <= max_ulp spacings at |want| (or at `scale`
// when larger: for sums whose terms are larger than the result).
// Returns the error in ulp (0 for the exact special cases).
double expect_ulps(double got, LD want, DType dtype, double max_ulp, const std::string& what, LD scale = 0) {
  if (std::isnan(want)) {
    EXPECT_TRUE(std::isnan(got)) << what << ": got " << got << ", want NaN";
    return 0;
  }
  const LD rounded = dtype == DType::f32 ? static_cast<LD>(static_cast<float>(want)) : static_cast<double>(want);
  if (std::isinf(rounded) || std::fabs(want) > max_finite(dtype) * (1 + 1e-9L)) {
    EXPECT_EQ(got, static_cast<double>(want > 0 ? kInf : -kInf)) << what;
    return 0;
  }
  if (want == 0) {
    EXPECT_EQ(got, 0.0) << what;
    EXPECT_EQ(std::signbit(got), std::signbit(want)) << what << ": sign of zero";
    return 0;
  }
  const LD ulps = std::fabs(static_cast<LD>(got) - want) / spacing(std::max(std::fabs(want), scale), dtype);
  EXPECT_LE(static_cast<double>(ulps), max_ulp) << what << ": got " << got << " want " << static_cast<double>(want);
  return static_cast<double>(ulps);
}

// ================================================================ inputs

std::vector<double> specials() { return {0.0, -0.0, kInf, -kInf, kNaN}; }

// Logarithmically spaced magnitudes 10^lo .. 10^hi, `per_decade` each, both signs.
std::vector<double> log_sweep(int lo, int hi, int per_decade = 7) {
  std::vector<double> v;
  for (int k = lo * per_decade; k <= hi * per_decade; ++k) {
    const double m = std::pow(10.0, static_cast<double>(k) / per_decade);
    v.push_back(m);
    v.push_back(-m);
  }
  return v;
}

std::vector<double> grid(double lo, double hi, int n) {
  std::vector<double> v;
  for (int i = 0; i <= n; ++i) v.push_back(lo + (hi - lo) * i / n);
  return v;
}

// c - 2^-k and c + 2^-k for k = 1 .. 60 (rounded to the dtype later).
std::vector<double> near(double c) {
  std::vector<double> v;
  for (int k = 1; k <= 60; ++k) {
    v.push_back(c - std::ldexp(1.0, -k));
    v.push_back(c + std::ldexp(1.0, -k));
  }
  return v;
}

std::vector<double> join(std::vector<std::vector<double>> parts) {
  std::vector<double> v;
  for (auto& p : parts) v.insert(v.end(), p.begin(), p.end());
  return v;
}

// ================================================================ forward

struct Unary {
  const char* name;
  UnaryFn f;
  LD (*ref)(LD);
  std::vector<double> inputs;
  double max_ulp;
};

LD ref_exp2(LD x) { return std::exp2(x); }
LD ref_log2(LD x) { return std::log2(x); }
LD ref_log10(LD x) { return std::log10(x); }

std::vector<Unary> unary_table() {
  const double half_pi = 1.5707963267948966;
  return {
      {"tan", pure::tan, [](LD x) { return std::tan(x); },
       join({specials(), grid(-10, 10, 997), near(half_pi), near(-half_pi), log_sweep(-300, 0)}), 4},
      {"arcsin", pure::arcsin, [](LD x) { return std::asin(x); },
       join({specials(), grid(-1, 1, 997), near(1), near(-1), near(0.5), log_sweep(-300, 1), {1.0, -1.0}}), 4},
      {"arccos", pure::arccos, [](LD x) { return std::acos(x); },
       join({specials(), grid(-1, 1, 997), near(1), near(-1), near(0.5), log_sweep(-300, 1), {1.0, -1.0}}), 4},
      {"arctan", pure::arctan, [](LD x) { return std::atan(x); },
       join({specials(), grid(-10, 10, 997), log_sweep(-300, 300)}), 2},
      {"sinh", pure::sinh, [](LD x) { return std::sinh(x); },
       join({specials(), grid(-30, 30, 997), log_sweep(-300, 3, 20), grid(85, 95, 100), grid(-95, -85, 100),
             grid(700, 720, 100)}),
       4},
      {"cosh", pure::cosh, [](LD x) { return std::cosh(x); },
       join({specials(), grid(-30, 30, 997), log_sweep(-300, 3, 20), grid(85, 95, 100), grid(700, 720, 100)}), 4},
      {"arcsinh", pure::arcsinh, [](LD x) { return std::asinh(x); },
       join({specials(), grid(-10, 10, 997), log_sweep(-300, 300)}), 4},
      {"arccosh", pure::arccosh, [](LD x) { return std::acosh(x); },
       join({specials(), grid(1, 30, 997), near(1), log_sweep(0, 300), {1.0, 0.5, -2.0}}), 4},
      {"arctanh", pure::arctanh, [](LD x) { return std::atanh(x); },
       join({specials(), grid(-1, 1, 997), near(1), near(-1), log_sweep(-300, 1)}), 4},
      {"log2", pure::log2, ref_log2, join({specials(), log_sweep(-300, 300), grid(0.5, 4, 997), near(1)}), 3},
      {"log10", pure::log10, ref_log10, join({specials(), log_sweep(-300, 300), grid(0.5, 4, 997), near(1)}), 3},
      {"exp2", pure::exp2, ref_exp2, join({specials(), grid(-1100, 1100, 4001), log_sweep(-300, 0)}), 2},
  };
}

class UnaryForward : public ::testing::TestWithParam<std::tuple<int, DType>> {};

TEST_P(UnaryForward, MatchesLongDoubleOverWideRanges) {
  const Unary u = unary_table().at(static_cast<std::size_t>(std::get<0>(GetParam())));
  const DType dtype = std::get<1>(GetParam());
  const Array x = pure::astype(f64(u.inputs), dtype);
  const Array y = u.f(x);
  ASSERT_EQ(y.dtype(), dtype);
  ASSERT_EQ(y.shape(), x.shape());
  const std::vector<double> xs = host(x), ys = host(y);
  double worst = 0;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    std::ostringstream what;
    what << u.name << "(" << xs[i] << ") in " << pure::dtype_name(dtype);
    worst = std::max(worst, expect_ulps(ys[i], u.ref(static_cast<LD>(xs[i])), dtype, u.max_ulp, what.str()));
  }
  RecordProperty("max_ulp", std::to_string(worst));  // the figures in docs/numpy_math.md
}

INSTANTIATE_TEST_SUITE_P(NumpyMath, UnaryForward,
                         ::testing::Combine(::testing::Range(0, static_cast<int>(unary_table().size())),
                                            ::testing::Values(DType::f32, DType::f64)),
                         [](const ::testing::TestParamInfo<std::tuple<int, DType>>& info) {
                           return std::string(unary_table()[static_cast<std::size_t>(std::get<0>(info.param))].name) +
                                  "_" + pure::dtype_name(std::get<1>(info.param));
                         });

TEST(NumpyMath, IntegerAndBoolInputsComputeInFloat32) {
  const Array n = pure::from_host(std::vector<std::int32_t>{1, 2, 8}, Shape{3});
  for (UnaryFn f : {pure::tan, pure::arcsin, pure::arccos, pure::arctan, pure::sinh, pure::cosh, pure::arcsinh,
                    pure::arccosh, pure::arctanh, pure::log2, pure::log10, pure::exp2}) {
    EXPECT_EQ(f(n).dtype(), DType::f32);
  }
  EXPECT_EQ(pure::log2(n).to_host<float>(), (std::vector<float>{0, 1, 3}));
  EXPECT_EQ(pure::exp2(n).to_host<float>(), (std::vector<float>{2, 4, 256}));
  EXPECT_EQ(pure::logaddexp(n, n).dtype(), DType::f32);
  EXPECT_EQ(pure::logaddexp(n, f64(0.0)).dtype(), DType::f64);
}

// Powers of two and ten are whole numbers users compare exactly.
TEST(NumpyMath, Log2AndExp2AreExactAtPowersOfTwo) {
  for (DType dtype : {DType::f32, DType::f64}) {
    const int lo = dtype == DType::f32 ? -149 : -1074, hi = dtype == DType::f32 ? 127 : 1023;
    std::vector<double> k, p;
    for (int e = lo; e <= hi; ++e) {
      k.push_back(e);
      p.push_back(std::ldexp(1.0, e));
    }
    const std::vector<double> l = host(pure::log2(pure::astype(f64(p), dtype)));
    const std::vector<double> q = host(pure::exp2(pure::astype(f64(k), dtype)));
    for (std::size_t i = 0; i < k.size(); ++i) {
      EXPECT_EQ(l[i], k[i]) << "log2(2^" << k[i] << ") in " << pure::dtype_name(dtype);
      EXPECT_EQ(q[i], p[i]) << "exp2(" << k[i] << ") in " << pure::dtype_name(dtype);
    }
  }
  std::vector<double> tens;
  for (int e = 0; e <= 22; ++e) tens.push_back(std::pow(10.0, e));
  const std::vector<double> l = host(pure::log10(f64(tens)));
  for (std::size_t e = 0; e < tens.size(); ++e) EXPECT_EQ(l[e], static_cast<double>(e)) << "log10(1e" << e << ")";
}

// ---------------------------------------------------------------- logaddexp

LD ref_logaddexp(LD x, LD y) {
  if (std::isnan(x - y)) return x + y;
  const LD m = std::max(x, y);
  return m + std::log1p(std::exp(-std::fabs(x - y)));
}

TEST(NumpyMath, LogAddExpMatchesLongDoubleWithoutOverflow) {
  const std::vector<double> vals = join({specials(), grid(-50, 50, 41), log_sweep(-300, 300, 1), {1e38, -1e38}});
  std::vector<double> xs, ys;
  for (double a : vals) {
    for (double b : vals) {
      xs.push_back(a);
      ys.push_back(b);
    }
  }
  double worst = 0;
  for (DType dtype : {DType::f32, DType::f64}) {
    const Array x = pure::astype(f64(xs), dtype), y = pure::astype(f64(ys), dtype);
    const std::vector<double> hx = host(x), hy = host(y), out = host(pure::logaddexp(x, y));
    for (std::size_t i = 0; i < out.size(); ++i) {
      const LD want = ref_logaddexp(hx[i], hy[i]);
      // max + log1p(...) is accurate relative to its larger term, not to a
      // result that cancels to near 0 (x = y = -ln 2 / 2): as jax's formula.
      const LD scale = std::isfinite(static_cast<double>(want)) ? std::max(std::fabs(std::max(hx[i], hy[i])), 0.7) : 0;
      std::ostringstream what;
      what << "logaddexp(" << hx[i] << ", " << hy[i] << ") in " << pure::dtype_name(dtype);
      worst = std::max(worst, expect_ulps(out[i], want, dtype, 2, what.str(), static_cast<LD>(scale)));
    }
  }
  RecordProperty("max_ulp", std::to_string(worst));
}

TEST(NumpyMath, LogAddExpBroadcasts) {
  const Array x = pure::from_host(std::vector<double>{0, 1, 2}, Shape{3, 1});
  const Array y = f64({0, 10});
  const Array z = pure::logaddexp(x, y);
  ASSERT_EQ(z.shape(), (Shape{3, 2}));
  const auto h = host(z);
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 2; ++j) {
      const double want = std::log(std::exp(static_cast<double>(i)) + std::exp(j * 10.0));
      EXPECT_NEAR(h[static_cast<std::size_t>(i * 2 + j)], want, 1e-14 * want);
    }
  }
  // Derivatives through the broadcast, with respect to both operands.
  const pure::FlatFn f = [](const pure_test::Arrays& a) { return pure_test::Arrays{pure::logaddexp(a[0], a[1])}; };
  const Array u = pure_test::random_array(Shape{3, 1}, DType::f64, 90) * 3.0;
  const Array v = pure_test::random_array(Shape{4}, DType::f64, 91) * 3.0;
  pure_test::expect_jvp_matches_differences(f, {u, v}, 92, 1e-6);
  pure_test::expect_adjoint(f, {u, v}, 93, 1e-13);
  expect_error<pure::ShapeError>(
      [] {
        pure::logaddexp(f64({1, 2}), f64({1, 2, 3}));
      },
      "pure::logaddexp: cannot broadcast shapes (2,) and (3,)");
}

// ================================================================ derivatives

// Interior points of each function's domain (f64), away from the singularities.
struct Smooth {
  const char* name;
  UnaryFn f;
  LD (*d1)(LD);  // closed-form derivative
  std::vector<double> points;
};

std::vector<Smooth> smooth_table() {
  return {
      {"tan", pure::tan, [](LD x) { return 1 / (std::cos(x) * std::cos(x)); }, {-1.2, -0.3, 0.01, 0.7, 1.4}},
      {"arcsin", pure::arcsin, [](LD x) { return 1 / std::sqrt(1 - x * x); }, {-0.9, -0.2, 1e-3, 0.5, 0.95}},
      {"arccos", pure::arccos, [](LD x) { return -1 / std::sqrt(1 - x * x); }, {-0.9, -0.2, 1e-3, 0.5, 0.95}},
      {"arctan", pure::arctan, [](LD x) { return 1 / (1 + x * x); }, {-5, -0.5, 1e-3, 0.8, 3}},
      {"sinh", pure::sinh, [](LD x) { return std::cosh(x); }, {-3, -0.5, 1e-3, 1.2, 2.5}},
      {"cosh", pure::cosh, [](LD x) { return std::sinh(x); }, {-3, -0.5, 0.3, 1.2, 2.5}},
      {"arcsinh", pure::arcsinh, [](LD x) { return 1 / std::sqrt(x * x + 1); }, {-5, -0.5, 1e-3, 1.2, 8}},
      {"arccosh", pure::arccosh, [](LD x) { return 1 / std::sqrt(x * x - 1); }, {1.1, 1.5, 2.5, 4, 9}},
      {"arctanh", pure::arctanh, [](LD x) { return 1 / (1 - x * x); }, {-0.9, -0.3, 1e-3, 0.4, 0.85}},
      {"log2", pure::log2, [](LD x) { return 1 / (x * std::log(2.0L)); }, {0.2, 0.9, 1.5, 3, 7}},
      {"log10", pure::log10, [](LD x) { return 1 / (x * std::log(10.0L)); }, {0.2, 0.9, 1.5, 3, 7}},
      {"exp2", pure::exp2, [](LD x) { return std::log(2.0L) * std::exp2(x); }, {-3, -0.5, 0.1, 1.5, 3}},
  };
}

class SmoothDerivatives : public ::testing::TestWithParam<int> {};

TEST_P(SmoothDerivatives, JvpVjpSecondOrderAndClosedForm) {
  const Smooth s = smooth_table().at(static_cast<std::size_t>(GetParam()));
  const Array x = f64(s.points);
  const pure::FlatFn f = [&s](const pure_test::Arrays& a) { return pure_test::Arrays{s.f(a[0])}; };
  pure_test::expect_jvp_matches_differences(f, {x}, 11, 1e-6);
  pure_test::expect_adjoint(f, {x}, 12, 1e-13);
  pure_test::expect_second_order([&s](const Array& z) { return pure_test::smooth_sum(s.f(z)); }, x, 13);
  const auto g = host(pure::grad([&s](const Array& z) { return pure::sum(s.f(z)); })(x));
  for (std::size_t i = 0; i < s.points.size(); ++i) {
    const LD want = s.d1(s.points[i]);
    EXPECT_NEAR(g[i], static_cast<double>(want), 1e-14 * std::fabs(static_cast<double>(want)))
        << s.name << "'(" << s.points[i] << ")";
  }
}

INSTANTIATE_TEST_SUITE_P(NumpyMath, SmoothDerivatives, ::testing::Range(0, static_cast<int>(smooth_table().size())),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return std::string(smooth_table()[static_cast<std::size_t>(info.param)].name);
                         });

double d1(UnaryFn f, double x) {
  return scalar(pure::grad([f](const Array& z) { return f(z); })(f64(x)));
}
double d1_fwd(UnaryFn f, double x) {
  return scalar(pure::jvp([f](const Array& z) { return f(z); }, f64(x), f64(1.0)).second);
}
double d3(UnaryFn f, double x) {
  const auto g1 = pure::grad([f](const Array& z) { return f(z); });
  const auto g2 = pure::grad([g1](const Array& z) { return g1(z); });
  return scalar(pure::grad([g2](const Array& z) { return g2(z); })(f64(x)));
}

// Far from 0, where the formulas change (|x| = 20 for sinh, 1e8 for the inverse
// hyperbolic functions) and where x^2 or e^x would overflow: derivatives are
// finite, accurate, and never NaN.
TEST(NumpyMathDerivatives, ExtremeInputsGiveAccurateFiniteDerivatives) {
  struct Point {
    UnaryFn f;
    const char* name;
    double x;
    LD (*deriv)(LD);
  };
  const auto cosh_ = [](LD x) { return std::cosh(x); };
  const auto sinh_ = [](LD x) { return std::sinh(x); };
  const auto asinh_ = [](LD x) { return 1 / std::sqrt(x * x + 1); };
  const auto acosh_ = [](LD x) { return 1 / (std::sqrt(x - 1) * std::sqrt(x + 1)); };
  const std::vector<Point> points = {
      {pure::sinh, "sinh", 19.999, cosh_},
      {pure::sinh, "sinh", 20.001, cosh_},
      {pure::sinh, "sinh", -300, cosh_},
      {pure::sinh, "sinh", 709.5, cosh_},
      {pure::cosh, "cosh", -300, sinh_},
      {pure::cosh, "cosh", 709.5, sinh_},
      {pure::arcsinh, "arcsinh", 9.99e7, asinh_},
      {pure::arcsinh, "arcsinh", -1.01e8, asinh_},
      {pure::arcsinh, "arcsinh", 1e200, asinh_},
      {pure::arcsinh, "arcsinh", -1e300, asinh_},
      {pure::arcsinh, "arcsinh", 1e-300, asinh_},
      {pure::arccosh, "arccosh", 9.99e7, acosh_},
      {pure::arccosh, "arccosh", 1e200, acosh_},
      {pure::arccosh, "arccosh", 1 + 1e-12, acosh_},
      {pure::arctan, "arctan", 1e200, [](LD x) { return 1 / (1 + x * x); }},
      {pure::arctanh, "arctanh", 1 - 1e-12, [](LD x) { return 1 / ((1 - x) * (1 + x)); }},
      {pure::arcsin, "arcsin", 1 - 1e-12, [](LD x) { return 1 / std::sqrt((1 - x) * (1 + x)); }},
      {pure::arccos, "arccos", -1 + 1e-12, [](LD x) { return -1 / std::sqrt((1 - x) * (1 + x)); }},
      {pure::exp2, "exp2", -1000, [](LD x) { return std::log(2.0L) * std::exp2(x); }},
  };
  for (const Point& p : points) {
    const LD want = p.deriv(static_cast<LD>(p.x));
    for (double got : {d1(p.f, p.x), d1_fwd(p.f, p.x)}) {
      EXPECT_FALSE(std::isnan(got)) << p.name << "'(" << p.x << ")";
      EXPECT_NEAR(got, static_cast<double>(want), 1e-13 * std::fabs(static_cast<double>(want)))
          << p.name << "'(" << p.x << ")";
    }
  }
  // Overflowed derivatives are inf, not NaN.
  EXPECT_EQ(d1(pure::sinh, 1000), kInf);
  EXPECT_EQ(d1(pure::cosh, -1000), -kInf);
  // A batch mixing both formulas of sinh: no branch leaks into the other's gradient.
  const auto g = host(pure::grad([](const Array& z) { return pure::sum(pure::sinh(z)); })(f64({0.5, 100, -800})));
  EXPECT_NEAR(g[0], std::cosh(0.5), 1e-15);
  EXPECT_NEAR(g[1], std::cosh(100.0), 1e-15 * std::cosh(100.0));
  EXPECT_EQ(g[2], kInf);
}

// Odd functions are odd to every order at +-0 (the sign of x is taken from
// its sign bit, -0.0 included): f(-0) = -0, f'(0) = 1, f'''(0) from the series.
TEST(NumpyMathDerivatives, OddFunctionsAtSignedZero) {
  struct Odd {
    UnaryFn f;
    const char* name;
    double third;  // f'''(0)
  };
  for (const Odd& o : {Odd{pure::sinh, "sinh", 1}, Odd{pure::arcsinh, "arcsinh", -1}, Odd{pure::arctanh, "arctanh", 2},
                       Odd{pure::arcsin, "arcsin", 1}, Odd{pure::arctan, "arctan", -2}, Odd{pure::tan, "tan", 2}}) {
    for (double z : {0.0, -0.0}) {
      const double y = scalar(o.f(f64(z)));
      EXPECT_EQ(y, 0.0) << o.name;
      EXPECT_EQ(std::signbit(y), std::signbit(z)) << o.name << "(" << z << ")";
      EXPECT_EQ(d1(o.f, z), 1.0) << o.name << "'(" << z << ")";
      EXPECT_NEAR(d3(o.f, z), o.third, 1e-14) << o.name << "'''(" << z << ")";
    }
  }
}

// ---------------------------------------------------------------- against real JAX

struct Record {
  std::vector<double> in, out;
};

std::map<std::string, std::vector<Record>> jax_reference() {
  std::map<std::string, std::vector<Record>> recs;
  const std::string path = std::string(PURE_TEST_DATA_DIR) + "/numpy_math_reference.txt";
  std::ifstream file(path);
  std::string line;
  while (std::getline(file, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream s(line);
    std::string name, tok;
    s >> name;
    Record r;
    bool after = false;
    while (s >> tok) {
      if (tok == ":") {
        after = true;
        continue;
      }
      (after ? r.out : r.in).push_back(std::strtod(tok.c_str(), nullptr));
    }
    recs[name].push_back(r);
  }
  return recs;
}

// Equal as JAX prints them: NaN with NaN, infinities exactly, else within rtol.
void expect_like_jax(double got, double want, double rtol, const std::string& what) {
  if (std::isnan(want)) {
    EXPECT_TRUE(std::isnan(got)) << what << ": got " << got << ", jax NaN";
  } else if (std::isinf(want)) {
    EXPECT_EQ(got, want) << what;
  } else {
    EXPECT_NEAR(got, want, rtol * std::fabs(want) + 1e-300) << what;
  }
}

std::string point_name(const std::string& fn, const std::vector<double>& in) {
  std::ostringstream s;
  s << fn;
  for (double v : in) s << " " << v;
  return s.str();
}

// The points where pure's derivative intentionally differs from JAX's, with
// pure's value (docs/numpy_math.md): JAX's rules square x (rsqrt(x^2 + 1)), so
// its derivative underflows to 0 where x^2 overflows, and its second
// derivatives at infinity are NaN; pure's far-range formula log(x) + ln 2 has
// the derivative 1/x. NaN marks "pure's value is not compared here".
const std::map<std::string, std::vector<double>>& unary_differences() {
  static const std::map<std::string, std::vector<double>> d = {
      {"arcsinh 1e+200", {461.2101657793691, 1e-200, -0.0}},
      {"arcsinh inf", {kInf, 0.0, -0.0}},
      {"arccosh 1e+200", {461.2101657793691, 1e-200, -0.0}},
      {"arccosh inf", {kInf, 0.0, -0.0}},
      // 2^1024 overflows; jax's exp(1024 * ln 2), with ln 2 rounded down, does not.
      {"exp2 1024", {kInf, kInf, kInf}},
  };
  return d;
}

TEST(NumpyMathJax, ElementwiseValuesAndDerivativesAtConventionalPoints) {
  const auto recs = jax_reference();
  const std::map<std::string, UnaryFn> fns = {
      {"tan", pure::tan},         {"arcsin", pure::arcsin}, {"arccos", pure::arccos},   {"arctan", pure::arctan},
      {"sinh", pure::sinh},       {"cosh", pure::cosh},     {"arcsinh", pure::arcsinh}, {"arccosh", pure::arccosh},
      {"arctanh", pure::arctanh}, {"log2", pure::log2},     {"log10", pure::log10},     {"exp2", pure::exp2},
  };
  std::size_t checked = 0;
  for (const auto& [name, f] : fns) {
    ASSERT_TRUE(recs.count(name)) << "no " << name << " in numpy_math_reference.txt";
    for (const Record& r : recs.at(name)) {
      const double x = r.in.at(0);
      const auto g1 = pure::grad([f = f](const Array& z) { return f(z); });
      const auto g2 = pure::grad([g1](const Array& z) { return g1(z); });
      const double got[3] = {scalar(f(f64(x))), scalar(g1(f64(x))), scalar(g2(f64(x)))};
      const std::string at = point_name(name, r.in);
      const auto diff = unary_differences().find(at);
      for (int k = 0; k < 3; ++k) {
        const std::string what = at + (k == 0 ? " value" : k == 1 ? " first derivative" : " second derivative");
        if (diff != unary_differences().end()) {
          expect_like_jax(got[k], diff->second[static_cast<std::size_t>(k)], 1e-15, what + " (pure's)");
          continue;
        }
        // The second derivative at the ends of the domain (inf in jax) is not compared.
        if (k == 2 && std::isinf(r.out[1])) continue;
        // Values to 4e-15: jax's own sinh and cosh are 7 ulp off at |x| = 30
        // (pure's are checked against long double in UnaryForward).
        expect_like_jax(got[k], r.out.at(static_cast<std::size_t>(k)), k == 0 ? 4e-15 : 1e-14, what);
        ++checked;
      }
    }
  }
  EXPECT_GE(checked, 150u);
}

// pure's logaddexp derivative is w = logistic(x - y) and 1 - w everywhere
// (1/2 each at infinities of one sign). JAX's exp(x - out), with +inf replaced
// by 0, differs where that loses w: at (1, inf) it gives e, at large ties
// (1e300, 1e300) 1 and 1, at (-inf, -inf) NaN, at (inf, inf) 1 and 1.
TEST(NumpyMathJax, LogAddExpDerivatives) {
  const std::map<std::string, std::vector<double>> differences = {
      {"logaddexp 1e+300 1e+300", {1e300, 0.5, 0.5, 0.25}}, {"logaddexp -inf -inf", {-kInf, 0.5, 0.5, 0.0}},
      {"logaddexp inf inf", {kInf, 0.5, 0.5, 0.0}},         {"logaddexp inf 1", {kInf, 1.0, 0.0, 0.0}},
      {"logaddexp 1 inf", {kInf, 0.0, 1.0, 0.0}},
  };
  const auto recs = jax_reference();
  ASSERT_TRUE(recs.count("logaddexp"));
  const auto f = [](const Array& x, const Array& y) { return pure::logaddexp(x, y); };
  for (const Record& r : recs.at("logaddexp")) {
    const Array x = f64(r.in.at(0)), y = f64(r.in.at(1));
    const auto gx = pure::grad([&](const Array& a) { return f(a, y); });
    const auto gy = pure::grad([&](const Array& b) { return f(x, b); });
    const auto gxx = pure::grad([&](const Array& a) { return gx(a); });
    const double got[4] = {scalar(f(x, y)), scalar(gx(x)), scalar(gy(y)), scalar(gxx(x))};
    // Forward mode agrees with reverse mode.
    const double fx = scalar(pure::jvp([&](const Array& a) { return f(a, y); }, x, f64(1.0)).second);
    if (!std::isnan(got[1])) {
      EXPECT_EQ(fx, got[1]);
    }
    const std::string at = point_name("logaddexp", r.in);
    const auto diff = differences.find(at);
    for (int k = 0; k < 4; ++k) {
      const std::string what = at + " output " + std::to_string(k);
      if (diff != differences.end()) {
        expect_like_jax(got[k], diff->second[static_cast<std::size_t>(k)], 1e-15, what + " (pure's)");
      } else {
        expect_like_jax(got[k], r.out.at(static_cast<std::size_t>(k)), 1e-14, what);
      }
    }
  }
}

TEST(NumpyMathJax, IntegerPowDerivativesAtZero) {
  const auto recs = jax_reference();
  for (std::int64_t n : {0, 1, 2, 3, -1, -2}) {
    const std::string name = "integer_pow_" + std::to_string(n);
    ASSERT_TRUE(recs.count(name)) << name;
    const auto f = [n](const Array& z) { return pure::power(z, n); };
    const auto g1 = pure::grad(f);
    const auto g2 = pure::grad([g1](const Array& z) { return g1(z); });
    for (const Record& r : recs.at(name)) {
      const Array x = f64(r.in.at(0));
      const std::string at = point_name(name, r.in);
      expect_like_jax(scalar(f(x)), r.out[0], 0, at + " value");
      expect_like_jax(scalar(g1(x)), r.out[1], 0, at + " first derivative");
      expect_like_jax(scalar(g2(x)), r.out[2], 0, at + " second derivative");
    }
  }
}

TEST(NumpyMathJax, ProdCumprodSortVarStd) {
  const auto recs = jax_reference();
  for (const char* name : {"prod_grad", "cumprod_grad", "sort_grad"}) {
    ASSERT_TRUE(recs.count(name)) << name;
    for (const Record& r : recs.at(name)) {
      const Array x = f64(r.in);
      std::vector<double> w(r.in.size());
      std::iota(w.begin(), w.end(), 1.0);
      const Array wa = f64(w);
      const std::string n = name;
      const auto loss = [&](const Array& z) {
        if (n == "prod_grad") return pure::prod(z);
        return pure::sum(wa * (n == "cumprod_grad" ? pure::cumprod(z) : pure::sort(z)));
      };
      const auto g = host(pure::grad(loss)(x));
      const auto t = host(pure::jvp(loss, x, f64(std::vector<double>(r.in.size(), 1.0))).second);
      double tsum = 0;
      for (std::size_t i = 0; i < g.size(); ++i) {
        EXPECT_EQ(g[i], r.out[i]) << point_name(name, r.in) << " element " << i;
        tsum += r.out[i];
      }
      EXPECT_EQ(t[0], tsum) << point_name(name, r.in) << " jvp along ones";
    }
  }
  for (int ddof : {0, 1, 3, 4}) {
    const std::string name = "var_ddof" + std::to_string(ddof);
    ASSERT_TRUE(recs.count(name)) << name;
    const Record& r = recs.at(name).at(0);
    const Array x = f64(r.in);
    expect_like_jax(scalar(pure::var(x, {}, false, ddof)), r.out[0], 2e-16, name + " var");
    expect_like_jax(scalar(pure::std(x, {}, false, ddof)), r.out[1], 2e-16, name + " std");
    if (ddof >= 3) {  // no degrees of freedom left: jax's derivative is NaN too (jax 0.10.2)
      for (double d : host(pure::grad([ddof](const Array& z) { return pure::var(z, {}, false, ddof); })(x))) {
        EXPECT_TRUE(std::isnan(d)) << name << " derivative";
      }
    }
  }
}

// ================================================================ integer powers

TEST(NumpyMathPower, IntegerPowersAreExactForIntegers) {
  const Array n = pure::from_host(std::vector<std::int32_t>{-3, -1, 0, 2, 7, 46341}, Shape{6});
  for (int e : {0, 1, 2, 3, 5, 11}) {
    const Array y = pure::power(n, e);
    ASSERT_EQ(y.dtype(), DType::i32);
    const auto h = y.to_host<std::int32_t>();
    const auto in = n.to_host<std::int32_t>();
    for (std::size_t i = 0; i < h.size(); ++i) {
      std::uint32_t want = 1;  // wraps modulo 2^32, as integer multiplication
      for (int k = 0; k < e; ++k) want *= static_cast<std::uint32_t>(in[i]);
      EXPECT_EQ(static_cast<std::uint32_t>(h[i]), want) << in[i] << "^" << e;
    }
  }
  const Array b = pure::from_host_bool(std::vector<std::uint8_t>{1, 0}, Shape{2});
  EXPECT_EQ(pure::power(b, 3).dtype(), DType::i32);
  const Array big = pure::from_host(std::vector<std::int64_t>{3}, Shape{1});
  EXPECT_EQ(pure::power(big, 39).to_host<std::int64_t>()[0], 4052555153018976267LL);
  expect_error<pure::ValueError>([&] { pure::power(n, -1); },
                                 "pure::power: integers cannot be raised to negative powers, got n = -1 for int32(6,)");
}

TEST(NumpyMathPower, FloatPowersUseIntegerPow) {
  const Array x = f64({-1.5, 0.5, 2.0});
  const auto y3 = host(pure::power(x, 3)), ym2 = host(pure::power(x, -2L)), yh = host(pure::power(x, 0.5));
  for (std::size_t i = 0; i < 3; ++i) {
    const double v = host(x)[i];
    EXPECT_EQ(y3[i], v * v * v);
    EXPECT_EQ(ym2[i], 1 / (v * v));
  }
  EXPECT_TRUE(std::isnan(yh[0]));
  EXPECT_EQ(yh[2], std::sqrt(2.0));
  const pure::FlatFn f = [](const pure_test::Arrays& a) { return pure_test::Arrays{pure::power(a[0], 5)}; };
  pure_test::expect_jvp_matches_differences(f, {x}, 21, 1e-6);
  pure_test::expect_adjoint(f, {x}, 23, 1e-13);
  pure_test::expect_second_order([](const Array& z) { return pure_test::smooth_sum(pure::power(z, 3)); }, x, 22);
}

// ================================================================ prod, cumprod

// Host references in long double.
std::vector<LD> host_cumprod(const std::vector<double>& v) {
  std::vector<LD> out(v.size());
  LD acc = 1;
  for (std::size_t i = 0; i < v.size(); ++i) out[i] = acc *= v[i];
  return out;
}

TEST(NumpyMathProd, ProdOverAxesMatchesHostLoop) {
  const Shape s{3, 4, 5};
  const Array x = pure_test::random_array(s, DType::f64, 31) * 0.5 + 1.0;
  const auto h = host(x);
  struct Case {
    std::vector<std::int64_t> axes;
    bool keepdims;
    Shape out;
  };
  for (const Case& c : {Case{{}, false, Shape{}}, Case{{1}, false, Shape{3, 5}}, Case{{0, 2}, true, Shape{1, 4, 1}},
                        Case{{-1, 0}, false, Shape{4}}, Case{{0, 1, 2}, true, Shape{1, 1, 1}}}) {
    const Array p = pure::prod(x, c.axes, c.keepdims);
    ASSERT_EQ(p.shape(), c.out);
    std::vector<LD> want(static_cast<std::size_t>(p.size()), 1);
    std::vector<std::int64_t> axes = c.axes;
    if (axes.empty()) axes = {0, 1, 2};
    for (auto& a : axes) a = a < 0 ? a + 3 : a;
    for (std::int64_t i = 0; i < x.size(); ++i) {
      auto idx = pure_test::coords(i, s);
      for (auto a : axes) idx[static_cast<std::size_t>(a)] = 0;
      std::vector<std::int64_t> kept;
      for (int d = 0; d < 3; ++d) kept.push_back(idx[static_cast<std::size_t>(d)]);
      std::int64_t o = 0;
      for (int d = 0; d < 3; ++d) {
        if (std::find(axes.begin(), axes.end(), d) == axes.end()) o = o * s[d] + kept[static_cast<std::size_t>(d)];
      }
      want[static_cast<std::size_t>(o)] *= h[static_cast<std::size_t>(i)];
    }
    const auto got = host(p);
    for (std::size_t k = 0; k < got.size(); ++k) {
      EXPECT_NEAR(got[k], static_cast<double>(want[k]), 2e-15 * std::fabs(static_cast<double>(want[k])));
    }
  }
}

TEST(NumpyMathProd, EmptyIntegerAndBool) {
  EXPECT_EQ(host(pure::prod(pure::zeros({0}, DType::f64))), (std::vector<double>{1}));
  EXPECT_EQ(host(pure::prod(pure::zeros({2, 0}, DType::f32), {1})), (std::vector<double>{1, 1}));
  const Array n = pure::from_host(std::vector<std::int32_t>{3, -2, 5, 7, 1, 2, 2}, Shape{7});
  const Array p = pure::prod(n);
  EXPECT_EQ(p.dtype(), DType::i32);
  EXPECT_EQ(p.to_host<std::int32_t>()[0], -840);
  const Array b = pure::from_host_bool(std::vector<std::uint8_t>{1, 1, 0}, Shape{3});
  EXPECT_EQ(pure::prod(b).dtype(), DType::i32);
  EXPECT_EQ(pure::prod(b).to_host<std::int32_t>()[0], 0);
  EXPECT_EQ(pure::cumprod(n).to_host<std::int32_t>(), (std::vector<std::int32_t>{3, -6, -30, -210, -210, -420, -840}));
  EXPECT_EQ(pure::cumprod(pure::zeros({0}, DType::f64)).shape(), (Shape{0}));
}

TEST(NumpyMathProd, CumprodMatchesHostLoopAlongEachAxis) {
  for (std::int64_t n : {1, 2, 3, 7, 64, 257}) {
    const Array x = pure_test::random_array(Shape{2, n, 3}, DType::f64, 40) * 0.1 + 1.0;
    const Array c = pure::cumprod(x, 1);
    ASSERT_EQ(c.shape(), x.shape());
    const auto h = host(x), got = host(c);
    for (std::int64_t p = 0; p < 2; ++p) {
      for (std::int64_t q = 0; q < 3; ++q) {
        std::vector<double> line;
        for (std::int64_t k = 0; k < n; ++k) line.push_back(h[static_cast<std::size_t>((p * n + k) * 3 + q)]);
        const auto want = host_cumprod(line);
        for (std::int64_t k = 0; k < n; ++k) {
          const double w = static_cast<double>(want[static_cast<std::size_t>(k)]);
          EXPECT_NEAR(got[static_cast<std::size_t>((p * n + k) * 3 + q)], w, 1e-14 * std::fabs(w)) << n << " " << k;
        }
      }
    }
  }
  const Array m = f64({1, 2, 3, 4, 5, 6});
  EXPECT_EQ(host(pure::cumprod(pure::reshape(m, Shape{2, 3}))), (std::vector<double>{1, 2, 6, 24, 120, 720}));
  EXPECT_EQ(host(pure::cumprod(pure::reshape(m, Shape{2, 3}), -1)), (std::vector<double>{1, 2, 6, 4, 20, 120}));
  EXPECT_EQ(host(pure::cumprod(pure::reshape(m, Shape{2, 3}), 0)), (std::vector<double>{1, 2, 3, 4, 10, 18}));
}

// d prod / d x_i = product of the others, exactly, with no, one or two zeros.
TEST(NumpyMathProd, DerivativesWithZerosAreExact) {
  for (const std::vector<double>& v : {std::vector<double>{2, 3, 5, 7, 11}, std::vector<double>{2, 0, 5, 7, 11},
                                       std::vector<double>{0, 3, 5, 0, 11}, std::vector<double>{0, 0, 0, 7, 11}}) {
    const Array x = f64(v);
    const auto g = host(pure::grad([](const Array& z) { return pure::prod(z); })(x));
    for (std::size_t i = 0; i < v.size(); ++i) {
      double others = 1;
      for (std::size_t j = 0; j < v.size(); ++j) others *= j == i ? 1 : v[j];
      EXPECT_EQ(g[i], others) << "d prod / d x_" << i;
    }
    // d cumprod_k / d x_i = prod_{j <= k, j != i} x_j for i <= k, else 0.
    const auto cp = [](const Array& z) { return pure::cumprod(z); };
    for (std::size_t i = 0; i < v.size(); ++i) {
      std::vector<double> e(v.size(), 0.0);
      e[i] = 1;
      const auto col = host(pure::jvp(cp, x, f64(e)).second);
      for (std::size_t k = 0; k < v.size(); ++k) {
        double want = 0;
        if (i <= k) {
          want = 1;
          for (std::size_t j = 0; j <= k; ++j) want *= j == i ? 1 : v[j];
        }
        EXPECT_EQ(col[k], want) << "d cumprod_" << k << " / d x_" << i;
      }
    }
    // Second derivatives: d2 prod / dx_i dx_j = product of the rest.
    const Array w = f64(std::vector<double>(v.size(), 1.0));
    const auto g2 = host(
        pure::jvp(pure::grad([](const Array& z) { return pure::prod(z); }), x, pure::astype(w, DType::f64)).second);
    for (std::size_t i = 0; i < v.size(); ++i) {
      double want = 0;
      for (std::size_t j = 0; j < v.size(); ++j) {
        if (j == i) continue;
        double r = 1;
        for (std::size_t k = 0; k < v.size(); ++k) r *= (k == i || k == j) ? 1 : v[k];
        want += r;
      }
      EXPECT_EQ(g2[i], want) << "sum_j d2 prod / dx_" << i << " dx_j";
    }
  }
}

TEST(NumpyMathProd, DerivativesMatchDifferencesAndTheVjpIdentity) {
  const Array x = pure_test::random_array(Shape{3, 6}, DType::f64, 50);
  for (const pure::FlatFn& f :
       std::vector<pure::FlatFn>{[](const pure_test::Arrays& a) { return pure_test::Arrays{pure::prod(a[0], {1})}; },
                                 [](const pure_test::Arrays& a) {
                                   return pure_test::Arrays{pure::prod(a[0], {0, 1}, true)};
                                 },
                                 [](const pure_test::Arrays& a) { return pure_test::Arrays{pure::cumprod(a[0], 1)}; },
                                 [](const pure_test::Arrays& a) { return pure_test::Arrays{pure::cumprod(a[0])}; }}) {
    pure_test::expect_jvp_matches_differences(f, {x}, 51, 1e-6);
    pure_test::expect_adjoint(f, {x}, 52, 1e-13);
  }
  pure_test::expect_second_order([](const Array& z) { return pure_test::smooth_sum(pure::prod(z, {1})); }, x, 53);
  pure_test::expect_second_order([](const Array& z) { return pure_test::smooth_sum(pure::cumprod(z, 1)); }, x, 54);
}

// ================================================================ var, std

TEST(NumpyMathStd, MatchesHostLoopWithDdof) {
  const Array x = pure_test::random_array(Shape{4, 5}, DType::f64, 60);
  const auto h = host(x);
  for (double ddof : {0.0, 1.0, 2.5}) {
    const auto v = host(pure::var(x, {1}, false, ddof)), s = host(pure::std(x, {1}, false, ddof));
    const auto k = host(pure::std(x, {1}, true, ddof));
    for (int i = 0; i < 4; ++i) {
      LD mean = 0, ss = 0;
      for (int j = 0; j < 5; ++j) mean += h[static_cast<std::size_t>(i * 5 + j)];
      mean /= 5;
      for (int j = 0; j < 5; ++j)
        ss += (h[static_cast<std::size_t>(i * 5 + j)] - mean) * (h[static_cast<std::size_t>(i * 5 + j)] - mean);
      const double want = static_cast<double>(ss / (5 - ddof));
      EXPECT_NEAR(v[static_cast<std::size_t>(i)], want, 1e-15 * want);
      EXPECT_NEAR(s[static_cast<std::size_t>(i)], std::sqrt(want), 1e-15 * std::sqrt(want));
      EXPECT_EQ(k[static_cast<std::size_t>(i)], s[static_cast<std::size_t>(i)]);
    }
  }
  EXPECT_EQ(pure::std(x, {1}, true).shape(), (Shape{4, 1}));
  EXPECT_EQ(pure::std(x).shape(), (Shape{}));
  // No degrees of freedom left: NaN, as jnp.var.
  EXPECT_TRUE(std::isnan(host(pure::var(x, {1}, false, 5))[0]));
  EXPECT_TRUE(std::isnan(host(pure::std(x, {}, false, 25))[0]));
  // Integers are computed in float32.
  const Array n = pure::from_host(std::vector<std::int32_t>{1, 2, 4}, Shape{3});
  EXPECT_EQ(pure::std(n).dtype(), DType::f32);
  const pure::FlatFn f = [](const pure_test::Arrays& a) { return pure_test::Arrays{pure::std(a[0], {0}, false, 1)}; };
  pure_test::expect_jvp_matches_differences(f, {x}, 61, 1e-6);
  pure_test::expect_adjoint(f, {x}, 62, 1e-13);
  pure_test::expect_second_order([](const Array& z) { return pure_test::smooth_sum(pure::std(z, {1})); }, x, 63);
}

// ================================================================ sort, argsort

// Host reference: the stable order with NaNs last and -0.0 == 0.0.
std::vector<std::int64_t> host_argsort(const std::vector<double>& v) {
  std::vector<std::int64_t> idx(v.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::stable_sort(idx.begin(), idx.end(), [&](std::int64_t a, std::int64_t b) {
    const double x = v[static_cast<std::size_t>(a)], y = v[static_cast<std::size_t>(b)];
    if (std::isnan(y)) return !std::isnan(x);
    return x < y;
  });
  return idx;
}

std::vector<std::int64_t> as_i64(const Array& a) {
  std::vector<std::int64_t> out;
  for (double v : host(a)) out.push_back(static_cast<std::int64_t>(v));
  return out;
}

TEST(NumpyMathSort, StableWithTiesNaNsAndSignedZeros) {
  const std::vector<double> v = {3, kNaN, -0.0, 1, 0.0, -kInf, 1, -kNaN, kInf, -0.0, 3, 0.0, 1};
  for (DType dtype : {DType::f32, DType::f64}) {
    const Array x = pure::astype(f64(v), dtype);
    const Array i = pure::argsort(x);
    EXPECT_EQ(i.dtype(), DType::i32);
    EXPECT_EQ(as_i64(i), host_argsort(v));
    const auto s = host(pure::sort(x));
    const auto order = host_argsort(v);
    for (std::size_t k = 0; k < v.size(); ++k) {
      const double want = v[static_cast<std::size_t>(order[k])];
      if (std::isnan(want)) {
        EXPECT_TRUE(std::isnan(s[k]));
      } else {
        EXPECT_EQ(s[k], want);
        EXPECT_EQ(std::signbit(s[k]), std::signbit(want)) << "sign of element " << k;  // the element itself moves
      }
    }
  }
  // Integers and bool (stable: the two trues keep their order).
  const Array n = pure::from_host(std::vector<std::int32_t>{5, -2, 5, 0, -2}, Shape{5});
  EXPECT_EQ(as_i64(pure::argsort(n)), (std::vector<std::int64_t>{1, 4, 3, 0, 2}));
  EXPECT_EQ(pure::sort(n).to_host<std::int32_t>(), (std::vector<std::int32_t>{-2, -2, 0, 5, 5}));
  const Array b = pure::from_host_bool(std::vector<std::uint8_t>{1, 0, 1, 0}, Shape{4});
  EXPECT_EQ(as_i64(pure::argsort(b)), (std::vector<std::int64_t>{1, 3, 0, 2}));
  EXPECT_EQ(pure::to_host_bool(pure::sort(b)), (std::vector<std::uint8_t>{0, 0, 1, 1}));
}

// Lengths around the insertion-sort runs (32) and several merge passes, every
// axis of a 3-D array, many ties (values drawn from 7 whole numbers).
TEST(NumpyMathSort, MatchesStableHostSortAlongEveryAxis) {
  std::mt19937 gen(70);
  std::uniform_int_distribution<int> pick(-3, 3);
  for (std::int64_t n : {1, 2, 31, 32, 33, 100, 1000}) {
    const Shape s{3, n, 2};
    std::vector<double> v(static_cast<std::size_t>(s.size()));
    for (auto& e : v) e = pick(gen) == 3 ? kNaN : pick(gen);
    const Array x = pure::from_host(v, s);
    for (std::int64_t axis : {0, 1, 2, -1}) {
      const std::int64_t a = axis < 0 ? axis + 3 : axis;
      const auto got = as_i64(pure::argsort(x, axis));
      const auto sorted = host(pure::sort(x, axis));
      std::int64_t pre = 1, post = 1;
      for (int d = 0; d < 3; ++d) {
        if (d < a) pre *= s[d];
        if (d > a) post *= s[d];
      }
      const std::int64_t len = s[static_cast<int>(a)];
      for (std::int64_t line = 0; line < pre * post; ++line) {
        std::vector<std::int64_t> pos;
        for (std::int64_t k = 0; k < len; ++k) pos.push_back((line / post * len + k) * post + line % post);
        std::vector<double> line_v;
        for (auto p : pos) line_v.push_back(v[static_cast<std::size_t>(p)]);
        const auto want = host_argsort(line_v);
        for (std::size_t k = 0; k < pos.size(); ++k) {
          ASSERT_EQ(got[static_cast<std::size_t>(pos[k])], want[k])
              << "n " << n << " axis " << axis << " line " << line;
          const double w = line_v[static_cast<std::size_t>(want[k])];
          const double g = sorted[static_cast<std::size_t>(pos[k])];
          EXPECT_TRUE(g == w || (std::isnan(g) && std::isnan(w)));
        }
      }
    }
  }
}

// One long line: twelve merge passes over 100003 elements, duplicates included.
TEST(NumpyMathSort, LongLine) {
  std::mt19937 gen(75);
  std::uniform_int_distribution<int> pick(0, 5000);
  std::vector<float> v(100003);
  for (auto& e : v) e = static_cast<float>(pick(gen)) * 0.25f - 600.0f;
  const Array x = pure::from_host(v, Shape{static_cast<std::int64_t>(v.size())});
  const auto got = as_i64(pure::argsort(x));
  const auto want = host_argsort(std::vector<double>(v.begin(), v.end()));
  EXPECT_EQ(got, want);
  std::vector<float> sorted = v;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(pure::sort(x).to_host<float>(), sorted);
}

TEST(NumpyMathSort, SortIsDifferentiableThroughThePermutation) {
  const Array x = pure_test::random_array(Shape{4, 9}, DType::f64, 80);
  for (std::int64_t axis : {0, 1}) {
    const pure::FlatFn f = [axis](const pure_test::Arrays& a) { return pure_test::Arrays{pure::sort(a[0], axis)}; };
    pure_test::expect_jvp_matches_differences(f, {x}, 81, 1e-6);
    pure_test::expect_adjoint(f, {x}, 82, 1e-13);
  }
  // The tangent is the input tangent gathered by argsort.
  const Array t = pure_test::random_array(Shape{4, 9}, DType::f64, 83);
  const Array st = pure::jvp([](const Array& z) { return pure::sort(z); }, x, t).second;
  EXPECT_EQ(host(st), host(pure::take_along_axis(t, pure::argsort(x), 1)));
  // argsort has a zero derivative (integer output).
  const auto g =
      host(pure::grad([](const Array& z) { return pure::sum(pure::astype(pure::argsort(z), DType::f64) * z); })(x));
  const auto i = as_i64(pure::argsort(x));
  for (std::size_t k = 0; k < g.size(); ++k) EXPECT_EQ(g[k], static_cast<double>(i[k]));
}

// ================================================================ errors

TEST(NumpyMathErrors, AxesNameTheOpTheAxisAndTheShape) {
  const Array x = pure::zeros({2, 3}, DType::f32);
  expect_error<pure::ShapeError>([&] { pure::prod(x, {2}); },
                                 "pure::prod: axis 2 of axes (2,) is out of range for shape (2,3) (rank 2)");
  expect_error<pure::ShapeError>(
      [&] {
        pure::prod(x, {1, -1});
      },
      "pure::prod: axes (1, -1) name axis 1 of shape (2,3) more than once");
  expect_error<pure::ShapeError>([&] { pure::cumprod(x, -3); },
                                 "pure::cumprod: axis -3 is out of range for shape (2,3)");
  expect_error<pure::ShapeError>([&] { pure::std(x, {5}); },
                                 "pure::std: axis 5 of axes (5,) is out of range for shape (2,3) (rank 2)");
  expect_error<pure::ShapeError>(
      [&] {
        pure::var(x, {0, 0}, false, 1);
      },
      "pure::var: axes (0, 0) name axis 0 of shape (2,3) more than once");
  expect_error<pure::ShapeError>([&] { pure::sort(x, 2); }, "pure::sort: axis 2 is out of range for shape (2,3)");
  expect_error<pure::ShapeError>([&] { pure::argsort(pure::zeros({}, DType::f32)); },
                                 "pure::argsort: axis -1 is out of range for shape ()");
  expect_error<pure::DTypeError>([&] { pure::lax::argsort(pure::zeros({3}, DType::boolean), 0); },
                                 "pure::argsort: operand must be numeric");
  expect_error<pure::DTypeError>([&] { pure::lax::argsort(x, 0, DType::f32); },
                                 "pure::argsort: argument 'index_dtype' must be int32 or int64");
  expect_error<pure::DTypeError>(
      [&] { pure::lax::logaddexp(pure::zeros({3}, DType::i32), pure::zeros({3}, DType::i32)); },
      "pure::logaddexp: argument 'x' must have float32 or float64");
  expect_error<pure::ShapeError>([&] { pure::lax::logaddexp(x, pure::zeros({3}, DType::f32)); },
                                 "pure::logaddexp: operands must have equal shapes and dtypes");
}

}  // namespace

// Signed zeros and NaN where pure once differed from jax (XLA): abs clears
// the sign bit, sign keeps +-0 and NaN, and max / min order +0 above -0, so a
// tie of zeros gives max +0 and min -0 whatever the operand order, in
// elementwise ops, reductions and jitted (fused) code alike.
template <class T>
void expect_signed_zero_semantics() {
  const T nan = std::numeric_limits<T>::quiet_NaN(), z = T(0), nz = -T(0);
  const auto from = [](const std::vector<T>& v) {
    return pure::from_host(v, Shape{static_cast<std::int64_t>(v.size())});
  };
  const auto bits_of = [](const Array& a) { return a.to_host<T>(); };
  const auto signbits = [&](const Array& a) {
    std::vector<bool> s;
    for (T v : bits_of(a)) s.push_back(std::signbit(v));
    return s;
  };
  const std::string t = pure::dtype_name(pure::dtype_of<T>());
  const Array a = pure::abs(from({nz, z, -nan, T(-2)}));
  EXPECT_EQ(signbits(a), (std::vector<bool>{false, false, false, false})) << t;
  EXPECT_TRUE(std::isnan(bits_of(a)[2])) << t;
  EXPECT_EQ(bits_of(pure::divide(from({T(1)}), pure::abs(from({nz}))))[0], std::numeric_limits<T>::infinity()) << t;
  const Array s = pure::sign(from({nz, z, nan, T(-2), T(3)}));
  const std::vector<T> sv = bits_of(s);
  EXPECT_TRUE(sv[0] == 0 && std::signbit(sv[0])) << t;
  EXPECT_TRUE(sv[1] == 0 && !std::signbit(sv[1])) << t;
  EXPECT_TRUE(std::isnan(sv[2])) << t;
  EXPECT_EQ(sv[3], T(-1));
  EXPECT_EQ(sv[4], T(1));
  // Elementwise, both operand orders.
  const Array lhs = from({z, nz, nz, z}), rhs = from({nz, z, nz, z});
  EXPECT_EQ(signbits(pure::maximum(lhs, rhs)), (std::vector<bool>{false, false, true, false})) << t;
  EXPECT_EQ(signbits(pure::minimum(lhs, rhs)), (std::vector<bool>{true, true, true, false})) << t;
  // Reductions: the zeros' positions do not matter.
  for (const std::vector<T>& v : {std::vector<T>{z, nz}, std::vector<T>{nz, z}, std::vector<T>(37, nz)}) {
    std::vector<T> w = v;
    const bool all_negative = std::all_of(w.begin(), w.end(), [](T x) { return std::signbit(x); });
    EXPECT_EQ(std::signbit(bits_of(pure::max(from(w)))[0]), all_negative) << t;
    EXPECT_TRUE(std::signbit(bits_of(pure::min(from(w)))[0])) << t;
  }
  std::vector<T> many(300, z);
  many[151] = nz;
  EXPECT_TRUE(std::signbit(bits_of(pure::min(from(many)))[0])) << t;
  EXPECT_FALSE(std::signbit(bits_of(pure::max(from(many)))[0])) << t;
  // Jitted: the fused group runs the same scalar code.
  const auto f =
      pure::jit([](const Array& x, const Array& y) { return pure::abs(pure::maximum(x, y)) + pure::minimum(x, y); });
  EXPECT_EQ(signbits(f(lhs, rhs)), signbits(pure::abs(pure::maximum(lhs, rhs)) + pure::minimum(lhs, rhs))) << t;
}

TEST(NumpyMathJax, SignedZerosAndNaNInAbsSignMaxMin) {
  expect_signed_zero_semantics<float>();
  expect_signed_zero_semantics<double>();
}

// jnp.power with an integer exponent array (a polynomial basis x^[0, 1, 2]):
// jax's pow rule for an integer exponent makes the derivative 0 where y == 0
// (y x^(y-1) would be 0 * inf at x = 0, and NaN for a NaN x). jax 0.10.2 (x64)
// gives grad [0, 1, 0, 0, 0] here and, reverse over reverse at x = [0, 0, 0,
// 2, 1], [nan, nan, 2, -0, -0]; pure's second derivative where y == 0 is 0
// (x^0 is constant; docs/numpy_math.md).
TEST(NumpyMathJax, PowerWithAnIntegerArrayExponent) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const Array y = pure::from_host(std::vector<std::int32_t>{0, 1, 2, 0, 0}, Shape{5});
  const Array x = f64({0.0, 0.0, 0.0, 2.0, nan});
  EXPECT_EQ(host(pure::power(x, y)), (std::vector<double>{1, 0, 0, 1, 1}));
  const auto f = [&](const Array& z) { return pure::sum(pure::power(z, y)); };
  EXPECT_EQ(host(pure::grad(f)(x)), (std::vector<double>{0, 1, 0, 0, 0}));
  const auto g = [&](const Array& z) { return pure::sum(pure::grad(f)(z)); };
  const std::vector<double> second = host(pure::grad(g)(f64({0.0, 0.0, 0.0, 2.0, 1.0})));
  EXPECT_EQ(second[0], 0.0);
  EXPECT_TRUE(std::isnan(second[1]));  // 1 * 0 * 0^-1, as jax
  EXPECT_EQ(second[2], 2.0);
  EXPECT_EQ(second[3], 0.0);
  EXPECT_EQ(second[4], 0.0);
  // Values elsewhere are pow's, bit for bit, and a float exponent keeps jax's float rule (NaN at (0, 0)).
  const Array xs = f64({0.5, -3.0, 7.25}), ys = pure::from_host(std::vector<std::int32_t>{3, -2, 5}, Shape{3});
  EXPECT_EQ(host(pure::power(xs, ys)), host(pure::lax::pow(xs, pure::astype(ys, DType::f64))));
  const auto h = [](const Array& z) { return pure::sum(pure::power(z, f64({0.0}))); };
  EXPECT_TRUE(std::isnan(host(pure::grad(h)(f64({0.0})))[0]));
}
