// dot_general and the numpy products on top of it: dimension numbers vs a
// host loop, the documented summation order (bit for bit, at every SIMD
// level, block size, work split and on the device kernel), its accuracy,
// operands read in place, the bilinear JVP, both transpose rules, grad of
// grad, and the opt-in gemm path.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include <pure/pure.hpp>

#include "../../src/ops/gemm.hpp"  // test hooks: block sizes, work split, device kernel, copy count
#include "ops_test_util.hpp"

namespace {

using pure::Array;
using pure::DType;
using pure::Shape;
using Arrays = std::vector<Array>;
using Dims = std::vector<std::int64_t>;
namespace lax = pure::lax;

using namespace pure_test;

// Small integers, so integer products and sums are exact in every dtype.
Array small_ints(const Shape& s, DType dtype, std::uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int> dist(-5, 5);
  std::vector<double> v(static_cast<std::size_t>(s.size()));
  for (auto& x : v) x = dist(gen);
  return pure::astype(pure::from_host(v, s), dtype);
}

bool contains(const Dims& v, std::int64_t a) { return std::find(v.begin(), v.end(), a) != v.end(); }

// Where each output's terms sit in the operands: term t of output o is
// x[x_out[o] + x_term[t]] * y[y_out[o] + y_term[t]], t in row-major order of
// the contracted axes as lhs_contract lists them.
struct TermIndex {
  Shape out;
  std::vector<std::int64_t> x_out, y_out, x_term, y_term;
};

TermIndex term_index(const Shape& xs, const Shape& ys, const lax::DimensionPair& c, const lax::DimensionPair& b) {
  Dims xf, yf, dims, kdims;
  for (int d = 0; d < xs.rank(); ++d) {
    if (!contains(c.first, d) && !contains(b.first, d)) xf.push_back(d);
  }
  for (int d = 0; d < ys.rank(); ++d) {
    if (!contains(c.second, d) && !contains(b.second, d)) yf.push_back(d);
  }
  for (auto a : b.first) dims.push_back(xs[static_cast<int>(a)]);
  for (auto a : xf) dims.push_back(xs[static_cast<int>(a)]);
  for (auto a : yf) dims.push_back(ys[static_cast<int>(a)]);
  for (auto a : c.first) kdims.push_back(xs[static_cast<int>(a)]);
  TermIndex r{Shape(dims), {}, {}, {}, {}};
  const Shape ks(kdims);
  const auto offset = [](const std::vector<std::int64_t>& coord, const Shape& s) { return flat(coord, s); };
  for (std::int64_t o = 0; o < r.out.size(); ++o) {
    const auto oc = coords(o, r.out);
    std::vector<std::int64_t> xc(static_cast<std::size_t>(xs.rank())), yc(static_cast<std::size_t>(ys.rank()));
    std::size_t p = 0;
    for (std::size_t i = 0; i < b.first.size(); ++i, ++p) {
      xc[static_cast<std::size_t>(b.first[i])] = oc[p];
      yc[static_cast<std::size_t>(b.second[i])] = oc[p];
    }
    for (auto a : xf) xc[static_cast<std::size_t>(a)] = oc[p++];
    for (auto a : yf) yc[static_cast<std::size_t>(a)] = oc[p++];
    r.x_out.push_back(offset(xc, xs));
    r.y_out.push_back(offset(yc, ys));
  }
  for (std::int64_t t = 0; t < ks.size(); ++t) {
    const auto kc = coords(t, ks);
    std::vector<std::int64_t> xc(static_cast<std::size_t>(xs.rank())), yc(static_cast<std::size_t>(ys.rank()));
    for (std::size_t i = 0; i < c.first.size(); ++i) {
      xc[static_cast<std::size_t>(c.first[i])] = kc[i];
      yc[static_cast<std::size_t>(c.second[i])] = kc[i];
    }
    r.x_term.push_back(offset(xc, xs));
    r.y_term.push_back(offset(yc, ys));
  }
  return r;
}

struct HostDot {
  Shape shape;
  std::vector<long double> value, magnitude;  // sum of products, sum of |products|
};

// jax.lax.dot_general's definition, written out as loops over term_index.
HostDot host_dot_general(const Array& x, const Array& y, const lax::DimensionPair& c, const lax::DimensionPair& b) {
  const TermIndex ix = term_index(x.shape(), y.shape(), c, b);
  const auto hx = host(x), hy = host(y);
  HostDot r{ix.out, std::vector<long double>(ix.x_out.size()), std::vector<long double>(ix.x_out.size())};
  for (std::size_t o = 0; o < ix.x_out.size(); ++o) {
    for (std::size_t t = 0; t < ix.x_term.size(); ++t) {
      const long double p = static_cast<long double>(hx[static_cast<std::size_t>(ix.x_out[o] + ix.x_term[t])]) *
                            hy[static_cast<std::size_t>(ix.y_out[o] + ix.y_term[t])];
      r.value[o] += p;
      r.magnitude[o] += std::fabs(p);
    }
  }
  return r;
}

struct DotCase {
  const char* name;
  Shape x, y;
  lax::DimensionPair contract, batch;
};

std::vector<DotCase> dot_cases() {
  return {
      {"matmul", {3, 4}, {4, 5}, {{1}, {0}}, {}},
      {"batch_in_the_middle", {2, 3, 4}, {5, 2, 3}, {{1}, {2}}, {{0}, {1}}},
      {"two_contracted_axes_out_of_order", {3, 4, 5}, {5, 3, 6}, {{0, 2}, {1, 0}}, {}},
      {"outer_product", {2, 3}, {4}, {}, {}},
      {"batch_only", {2, 3}, {3, 2}, {}, {{0, 1}, {1, 0}}},
      {"two_batch_axes", {2, 3, 4, 5}, {3, 5, 2, 6}, {{3}, {1}}, {{0, 1}, {2, 0}}},
  };
}

TEST(DotGeneral, MatchesHostLoop) {
  std::uint32_t seed = 1;
  for (const auto& c : dot_cases()) {
    SCOPED_TRACE(c.name);
    for (DType d : {DType::f64, DType::f32, DType::i32}) {
      const Array x = d == DType::i32 ? small_ints(c.x, d, seed) : random_array(c.x, d, seed);
      const Array y = d == DType::i32 ? small_ints(c.y, d, seed + 1) : random_array(c.y, d, seed + 1);
      const Array z = lax::dot_general(x, y, c.contract, c.batch);
      const HostDot want = host_dot_general(x, y, c.contract, c.batch);
      ASSERT_EQ(z.shape(), want.shape);
      ASSERT_EQ(z.dtype(), d);
      const auto got = host(z);
      // Sequential fma sums of <= 15 products: a few roundings of the sum of |terms|.
      const double rtol = d == DType::f64 ? 1e-15 : d == DType::f32 ? 1e-6 : 0.0;
      for (std::size_t i = 0; i < got.size(); ++i) {
        EXPECT_NEAR(got[i], static_cast<double>(want.value[i]), rtol * static_cast<double>(want.magnitude[i]))
            << "element " << i;
      }
      seed += 2;
    }
  }
  const Array empty = lax::dot_general(pure::ones({2, 0}), pure::ones({0, 3}), {{1}, {0}});
  EXPECT_EQ(host(empty), std::vector<double>(6, 0.0));
}

// ---------------------------------------------------------------- the documented order

template <class T>
bool same_bits(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0);
}

// The documented order (docs/reproducibility.md, "gemm order"), written out:
// acc = +0; for each term in order: acc = fma(x, y, acc). Integers wrap.
template <class T>
std::vector<T> reference_dot(const std::vector<T>& x, const std::vector<T>& y, const TermIndex& ix) {
  std::vector<T> out(ix.x_out.size());
  for (std::size_t o = 0; o < out.size(); ++o) {
    T acc = T(0);
    for (std::size_t t = 0; t < ix.x_term.size(); ++t) {
      const T a = x[static_cast<std::size_t>(ix.x_out[o] + ix.x_term[t])];
      const T b = y[static_cast<std::size_t>(ix.y_out[o] + ix.y_term[t])];
      if constexpr (std::is_floating_point<T>::value) {
        acc = std::fma(a, b, acc);
      } else {
        using U = std::make_unsigned_t<T>;
        acc = static_cast<T>(static_cast<U>(acc) + static_cast<U>(a) * static_cast<U>(b));
      }
    }
    out[o] = acc;
  }
  return out;
}

// Floats over many binades with a few exact zeros of both signs (so that
// orders and roundings show); integers over the whole range (so products wrap).
template <class T>
std::vector<T> test_values(std::int64_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<T> v(static_cast<std::size_t>(n));
  if constexpr (std::is_floating_point<T>::value) {
    std::uniform_real_distribution<double> e(-6, 6);
    std::uniform_int_distribution<int> kind(0, 39);
    for (auto& x : v) {
      const int c = kind(rng);
      x = c == 0 ? T(0) : c == 1 ? -T(0) : static_cast<T>((c % 2 ? -1 : 1) * std::exp(e(rng)));
    }
  } else {
    for (auto& x : v) x = static_cast<T>(rng());
  }
  return v;
}

struct LayoutCase {
  std::string name;
  Shape x, y;
  lax::DimensionPair contract, batch;
};

// Matrix products in every layout, with m, n, k around the micro-tile sizes
// (MR = 4, 6, 12; NR = 4, 8, 16, 32), the block depth (KC = 192, 256) and k = 0, 1;
// and narrow products (one side at most 4, the other at least a vector of 4 or
// 8 lanes: gemm.cpp's narrow path) with row counts around one and two vectors
// and k around the 8 x 8 (4 x 4) transposed blocks, and past the 1 KiB chunk of
// rows of the axpy form.
std::vector<LayoutCase> layout_cases() {
  std::vector<LayoutCase> cases;
  const std::vector<std::array<std::int64_t, 3>> sizes = {
      {1, 1, 1},     {3, 5, 0},    {1, 7, 1},    {7, 1, 2},    {6, 8, 3},     {5, 17, 13},  {13, 33, 7}, {12, 32, 64},
      {25, 19, 257}, {31, 9, 600}, {70, 70, 40}, {150, 41, 9}, {3, 130, 200}, {8, 1, 8},    {71, 1, 37}, {1, 71, 37},
      {33, 2, 16},   {4, 45, 19},  {100, 3, 64}, {16, 4, 5},   {300, 2, 9},   {1, 300, 11},
  };
  for (const auto& [m, n, k] : sizes) {
    const std::string mnk = std::to_string(m) + "x" + std::to_string(n) + "x" + std::to_string(k);
    cases.push_back({"A.B " + mnk, {m, k}, {k, n}, {{1}, {0}}, {}});
    cases.push_back({"At.B " + mnk, {k, m}, {k, n}, {{0}, {0}}, {}});
    cases.push_back({"A.Bt " + mnk, {m, k}, {n, k}, {{1}, {1}}, {}});
    cases.push_back({"At.Bt " + mnk, {k, m}, {n, k}, {{0}, {1}}, {}});
  }
  cases.push_back({"batch first", {3, 9, 21}, {3, 21, 10}, {{2}, {1}}, {{0}, {0}}});
  cases.push_back({"batch middle", {9, 3, 21}, {21, 3, 10}, {{2}, {0}}, {{1}, {1}}});
  cases.push_back({"batch last, transposed", {21, 9, 3}, {10, 21, 3}, {{0}, {1}}, {{2}, {2}}});
  cases.push_back({"batch first, narrow", {3, 40, 21}, {3, 21, 2}, {{2}, {1}}, {{0}, {0}}});
  cases.push_back({"batch last, narrow, transposed", {21, 2, 3}, {21, 40, 3}, {{0}, {0}}, {{2}, {2}}});
  cases.push_back({"two batch axes", {2, 3, 7, 5}, {3, 5, 2, 6}, {{3}, {1}}, {{0, 1}, {2, 0}}});
  cases.push_back({"two contracted axes", {4, 6, 5}, {6, 5, 3}, {{1, 2}, {0, 1}}, {}});
  cases.push_back({"contracted axes out of order", {3, 4, 5}, {5, 3, 6}, {{0, 2}, {1, 0}}, {}});
  cases.push_back({"two free axes each", {2, 3, 11}, {11, 4, 2}, {{2}, {0}}, {}});
  cases.push_back({"vector dot", {301}, {301}, {{0}, {0}}, {}});
  cases.push_back({"outer product", {7}, {9}, {}, {}});
  return cases;
}

template <class T>
void expect_documented_order(const std::string& setting) {
  std::uint64_t seed = 1;
  for (const auto& c : layout_cases()) {
    const std::vector<T> x = test_values<T>(c.x.size(), seed++), y = test_values<T>(c.y.size(), seed++);
    const TermIndex ix = term_index(c.x, c.y, c.contract, c.batch);
    const Array z = lax::dot_general(pure::from_host(x, c.x), pure::from_host(y, c.y), c.contract, c.batch);
    ASSERT_EQ(z.shape(), ix.out) << c.name;
    EXPECT_TRUE(same_bits(z.template to_host<T>(), reference_dot(x, y, ix)))
        << c.name << ", " << pure::dtype_name(pure::dtype_of<T>()) << ", " << setting;
  }
}

void expect_documented_order_all_dtypes(const std::string& setting) {
  expect_documented_order<float>(setting);
  expect_documented_order<double>(setting);
  expect_documented_order<std::int32_t>(setting);
  expect_documented_order<std::uint32_t>(setting);
  expect_documented_order<std::int64_t>(setting);
}

// Sets a gemm tuning (gemm.hpp's test hooks) for one scope.
struct TuningScope {
  explicit TuningScope(const pure::ops::detail::GemmTuning& t) { pure::ops::detail::set_gemm_tuning(t); }
  ~TuningScope() { pure::ops::detail::set_gemm_tuning({}); }
  TuningScope(const TuningScope&) = delete;
  TuningScope& operator=(const TuningScope&) = delete;
};

TEST(DotGeneral, BitwiseEqualsTheDocumentedOrder) {
  ASSERT_EQ(pure::matmul_precision(), pure::MatmulPrecision::reproducible);
  expect_documented_order_all_dtypes("default settings");
}

// Every instruction-set version of the host kernel (baseline: libm's fma;
// AVX2 and AVX-512: the fma instruction) gives the documented bits.
TEST(DotGeneral, SameBitsAtEverySimdLevel) {
  const pure::HostSimd saved = pure::host_simd();
  for (int l = 0; l <= static_cast<int>(pure::host_simd_supported()); ++l) {
    const auto level = static_cast<pure::HostSimd>(l);
    pure::set_host_simd(level);
    expect_documented_order<float>(std::string("SIMD level ") + pure::host_simd_name(level));
    expect_documented_order<double>(std::string("SIMD level ") + pure::host_simd_name(level));
  }
  pure::set_host_simd(saved);
}

// Block sizes far below the tuned ones: many KC blocks continue each sum, and
// MC / NC blocks that are not multiples of the micro-tile make edge tiles everywhere.
TEST(DotGeneral, SameBitsForAnyBlockSizes) {
  const pure::HostSimd saved = pure::host_simd();
  for (int l = 0; l <= static_cast<int>(pure::host_simd_supported()); ++l) {
    pure::set_host_simd(static_cast<pure::HostSimd>(l));
    for (const auto& [mc, kc, nc] : std::vector<std::array<std::int64_t, 3>>{{1, 1, 1}, {5, 3, 7}, {13, 64, 40}}) {
      const TuningScope scope({mc, kc, nc, 0, 0, false});
      const std::string s = std::string(pure::host_simd_name(static_cast<pure::HostSimd>(l))) +
                            " MC=" + std::to_string(mc) + " KC=" + std::to_string(kc) + " NC=" + std::to_string(nc);
      expect_documented_order<float>(s);
      expect_documented_order<double>(s);
    }
  }
  pure::set_host_simd(saved);
  const TuningScope scope({3, 2, 5, 0, 0, false});
  expect_documented_order<std::int32_t>("integers, MC=3 KC=2 NC=5");
}

// Work items are what threads take; any split of out into items gives the
// same bits (Serial runs them one after another; OpenMP would spread them).
TEST(DotGeneral, SameBitsForAnyWorkSplit) {
  for (const auto& [rows, cols] : std::vector<std::pair<int, int>>{{2, 1}, {1, 3}, {3, 2}, {7, 5}}) {
    const TuningScope scope({0, 0, 0, rows, cols, false});
    expect_documented_order<float>("row parts " + std::to_string(rows) + ", column parts " + std::to_string(cols));
    expect_documented_order<double>("row parts " + std::to_string(rows) + ", column parts " + std::to_string(cols));
  }
}

// The kernel of device backends (CUDA, HIP), run here on the host backend.
TEST(DotGeneral, DeviceKernelGivesTheSameBits) {
  const TuningScope scope({0, 0, 0, 0, 0, true});
  expect_documented_order_all_dtypes("device kernel");
}

// Sequential fma sums: |computed - exact| <= gamma_k sum_t |x_t y_t| with
// gamma_k = k u / (1 - k u), u = eps / 2 (one rounding per term; Higham,
// Accuracy and Stability of Numerical Algorithms, 2nd ed., section 3.1).
template <class T>
void expect_within_fma_bound() {
  const double u = std::numeric_limits<T>::epsilon() / 2;
  double worst = 0;
  for (std::int64_t k : {1, 2, 17, 256, 1000, 5003}) {
    const Array x = random_array({4, k}, pure::dtype_of<T>(), 200 + static_cast<std::uint32_t>(k));
    const Array y = random_array({k, 3}, pure::dtype_of<T>(), 300 + static_cast<std::uint32_t>(k));
    const Array z = lax::dot_general(x, y, {{1}, {0}});
    const HostDot exact = host_dot_general(x, y, {{1}, {0}}, {});
    const auto got = host(z);
    const double gamma = static_cast<double>(k) * u / (1 - static_cast<double>(k) * u);
    for (std::size_t i = 0; i < got.size(); ++i) {
      const double err = std::fabs(static_cast<double>(got[i] - exact.value[i]));
      const double bound = gamma * static_cast<double>(exact.magnitude[i]);
      EXPECT_LE(err, bound) << "k=" << k << " element " << i;
      worst = std::max(worst, err / bound);
    }
  }
  EXPECT_GT(worst, 0.0);  // the data does round
}

TEST(DotGeneral, AccuracyWithinTheFmaBound) {
  expect_within_fma_bound<float>();
  expect_within_fma_bound<double>();
}

// The layouts of A.B, A^T.B, A.B^T, batch axes anywhere, and what a dense
// layer's forward and backward passes contract, are read in place; only
// contracted axes that cannot be stepped with one stride cost a copy.
TEST(DotGeneral, OperandsAreReadInPlace) {
  const auto copies = [](const std::function<void()>& f) {
    const std::int64_t before = pure::ops::detail::dot_operand_copies();
    f();
    return pure::ops::detail::dot_operand_copies() - before;
  };
  for (const auto& c : layout_cases()) {
    const Array x = random_array(c.x, DType::f32, 1), y = random_array(c.y, DType::f32, 2);
    const std::int64_t want = c.name == "contracted axes out of order" ? 2 : 0;
    EXPECT_EQ(copies([&] { lax::dot_general(x, y, c.contract, c.batch); }), want) << c.name;
  }
  const Array w = random_array({20, 30}, DType::f64, 3), b = random_array({30}, DType::f64, 4);
  const Array in = random_array({8, 20}, DType::f64, 5);
  const auto loss = [](const Array& w_, const Array& b_, const Array& x_) {
    return pure::sum(pure::tanh(pure::matmul(x_, w_) + b_));
  };
  EXPECT_EQ(copies([&] { pure::value_and_grad<0, 1, 2>(loss)(w, b, in); }), 0);
}

// ---------------------------------------------------------------- derivatives

// JVP vs central differences in f64 (h = 1e-5: truncation and rounding both ~1e-11).
TEST(DotGeneral, JvpMatchesCentralDifferences) {
  std::uint32_t seed = 30;
  for (const auto& c : dot_cases()) {
    SCOPED_TRACE(c.name);
    const auto f = [&](const Arrays& in) {
      return Arrays{pure::sin(lax::dot_general(in[0], in[1], c.contract, c.batch))};
    };
    const Arrays x{random_array(c.x, DType::f64, seed), random_array(c.y, DType::f64, seed + 1)};
    const Arrays u{random_array(c.x, DType::f64, seed + 2), random_array(c.y, DType::f64, seed + 3)};
    const double h = 1e-5;
    const auto [outs, touts] = pure::jvp_flat(f, x, u);
    const auto fp = host(f({x[0] + u[0] * h, x[1] + u[1] * h})[0]);
    const auto fm = host(f({x[0] - u[0] * h, x[1] - u[1] * h})[0]);
    const auto t = host(touts[0]);
    for (std::size_t i = 0; i < t.size(); ++i) {
      const double fd = (fp[i] - fm[i]) / (2 * h);
      EXPECT_NEAR(t[i], fd, 1e-7 * (1 + std::fabs(fd))) << "element " << i;
    }
    seed += 4;
  }
}

// <J u, v> == <u, J^T v> with J the linearization in (x, y) jointly (both
// transpose rules at once) and in each operand alone.
TEST(DotGeneral, TransposeRulesSatisfyTheAdjointIdentity) {
  std::uint32_t seed = 50;
  for (const auto& c : dot_cases()) {
    SCOPED_TRACE(c.name);
    const Array x = random_array(c.x, DType::f64, seed), y = random_array(c.y, DType::f64, seed + 1);
    const std::vector<std::pair<const char*, pure::FlatFn>> fns = {
        {"both", [&](const Arrays& in) { return Arrays{lax::dot_general(in[0], in[1], c.contract, c.batch)}; }},
        {"lhs", [&](const Arrays& in) { return Arrays{lax::dot_general(in[0], y, c.contract, c.batch)}; }},
        {"rhs", [&](const Arrays& in) { return Arrays{lax::dot_general(x, in[0], c.contract, c.batch)}; }},
    };
    for (const auto& [which, f] : fns) {
      SCOPED_TRACE(which);
      const Arrays primals = std::string(which) == "both" ? Arrays{x, y} : Arrays{std::string(which) == "lhs" ? x : y};
      const pure::Linearized lin = pure::linearize_flat(f, primals);
      Arrays us;
      for (std::size_t k = 0; k < primals.size(); ++k) {
        us.push_back(random_array(primals[k].shape(), DType::f64, seed + 7 + static_cast<std::uint32_t>(k)));
      }
      const Array v = random_array(lin.outs[0].shape(), DType::f64, seed + 9);
      const auto [lhs, scale] = inner(lin.apply(us)[0], v);
      const Arrays jtv = lin.transpose({v});
      long double rhs = 0;
      for (std::size_t k = 0; k < us.size(); ++k) rhs += inner(us[k], jtv[k]).first;
      // f64 sums of < 1000 products each way: far below 1e-13 of sum |terms|.
      EXPECT_NEAR(static_cast<double>(lhs), static_cast<double>(rhs), 1e-13 * static_cast<double>(scale));
      EXPECT_GT(static_cast<double>(scale), 0.0);
    }
    seed += 10;
  }
}

// Second derivatives through dot_general's rules: the Hessian-vector product
// of sum(tanh(x . y)) in x, and the mixed derivative d/dy <grad_x f, w> of
// force matching, against central differences of first derivatives.
TEST(DotGeneral, GradOfGradAndJvpOfGrad) {
  const DotCase c = dot_cases()[1];
  const Array x = random_array(c.x, DType::f64, 70), y = random_array(c.y, DType::f64, 71);
  const Array w = random_array(c.x, DType::f64, 72);
  const auto f = [&](const Array& a, const Array& b) {
    return pure::sum(pure::tanh(lax::dot_general(a, b, c.contract, c.batch)));
  };
  const auto gx = pure::grad<0>(f);
  const auto gy = pure::grad<1>(f);
  const double h = 1e-5;

  const Array hw_rev = pure::grad<0>([&](const Array& a, const Array& b) { return pure::sum(gx(a, b) * w); })(x, y);
  const Array hw_fwd = pure::jvp([&](const Array& a) { return gx(a, y); }, x, w).second;
  const Array mixed = pure::grad<1>([&](const Array& a, const Array& b) { return pure::sum(gx(a, b) * w); })(x, y);
  const auto hp = host(gx(x + w * h, y)), hm = host(gx(x - w * h, y));
  const auto mp = host(gy(x + w * h, y)), mm = host(gy(x - w * h, y));
  const auto r = host(hw_rev), fw = host(hw_fwd), mx = host(mixed);
  for (std::size_t i = 0; i < hp.size(); ++i) {
    const double fd = (hp[i] - hm[i]) / (2 * h);
    EXPECT_NEAR(r[i], fd, 1e-7 * (1 + std::fabs(fd))) << "grad(grad) element " << i;
    EXPECT_NEAR(fw[i], fd, 1e-7 * (1 + std::fabs(fd))) << "jvp(grad) element " << i;
  }
  double norm = 0;
  for (std::size_t i = 0; i < mp.size(); ++i) {
    const double fd = (mp[i] - mm[i]) / (2 * h);
    norm = std::max(norm, std::fabs(fd));
    EXPECT_NEAR(mx[i], fd, 1e-7 * (1 + std::fabs(fd))) << "mixed element " << i;
  }
  EXPECT_GT(norm, 1e-3);
}

// ---------------------------------------------------------------- numpy surface

TEST(DotGeneral, NumpyMatmulBroadcastsAndDropsVectorAxes) {
  const Array a = random_array({2, 1, 3, 4}, DType::f64, 80);
  const Array b = random_array({5, 4, 2}, DType::f64, 81);
  const Array c = pure::matmul(a, b);
  ASSERT_EQ(c.shape(), (Shape{2, 5, 3, 2}));
  const auto ha = host(a), hb = host(b), hc = host(c);
  for (std::int64_t i = 0; i < c.size(); ++i) {
    const auto o = coords(i, c.shape());  // (p, q, r, s) = sum_t a[p, 0, r, t] b[q, t, s]
    long double want = 0;
    for (std::int64_t t = 0; t < 4; ++t) {
      want += static_cast<long double>(ha[static_cast<std::size_t>(flat({o[0], 0, o[2], t}, a.shape()))]) *
              hb[static_cast<std::size_t>(flat({o[1], t, o[3]}, b.shape()))];
    }
    EXPECT_NEAR(hc[static_cast<std::size_t>(i)], static_cast<double>(want), 1e-14);
  }
  const Array v = random_array({4}, DType::f64, 82);
  const Array m = random_array({4, 3}, DType::f64, 83);
  EXPECT_EQ(pure::matmul(v, m).shape(), (Shape{3}));
  EXPECT_EQ(pure::matmul(a, v).shape(), (Shape{2, 1, 3}));
  EXPECT_EQ(pure::matmul(v, v).shape(), Shape{});
  EXPECT_EQ(host(pure::matmul(v, m)), host(lax::dot_general(v, m, {{0}, {0}})));
  // int32 times float32 computes in float32, as numpy's promotion
  EXPECT_EQ(pure::matmul(pure::ones({2, 2}, DType::i32), pure::ones({2, 2})).dtype(), DType::f32);
}

TEST(DotGeneral, NumpyDotContractsLastWithSecondToLast) {
  const Array a = random_array({2, 3, 4}, DType::f64, 90);
  const Array b = random_array({5, 4, 6}, DType::f64, 91);
  const Array c = pure::dot(a, b);
  ASSERT_EQ(c.shape(), (Shape{2, 3, 5, 6}));
  const auto ha = host(a), hb = host(b), hc = host(c);
  for (std::int64_t i = 0; i < c.size(); ++i) {
    const auto o = coords(i, c.shape());
    long double want = 0;
    for (std::int64_t t = 0; t < 4; ++t) {
      want += static_cast<long double>(ha[static_cast<std::size_t>(flat({o[0], o[1], t}, a.shape()))]) *
              hb[static_cast<std::size_t>(flat({o[2], t, o[3]}, b.shape()))];
    }
    EXPECT_NEAR(hc[static_cast<std::size_t>(i)], static_cast<double>(want), 1e-14);
  }
  EXPECT_EQ(pure::dot(a, random_array({4}, DType::f64, 92)).shape(), (Shape{2, 3}));
  EXPECT_EQ(host(pure::dot(a, pure::full({}, 2.0, DType::f64))), host(a * 2.0));
}

// ---------------------------------------------------------------- precision switch

// The vendor path reads every layout in place too (N/T flags, leading
// dimensions), in any summation order of its own.
TEST(DotGeneral, FastPathAgreesWithTheReproducibleKernel) {
  struct Restore {
    ~Restore() { pure::set_matmul_precision(pure::MatmulPrecision::reproducible); }
  } restore;
  std::uint32_t seed = 100;
  for (auto c : layout_cases()) {
    c.name += ", fast";
    const Array x = random_array(c.x, DType::f64, seed++), y = random_array(c.y, DType::f64, seed++);
    pure::set_matmul_precision(pure::MatmulPrecision::fast);
    EXPECT_EQ(pure::matmul_precision(), pure::MatmulPrecision::fast);
    const std::int64_t before = pure::ops::detail::dot_operand_copies();
    const auto fast = host(lax::dot_general(x, y, c.contract, c.batch));
    const std::int64_t copies = pure::ops::detail::dot_operand_copies() - before;
    pure::set_matmul_precision(pure::MatmulPrecision::reproducible);
    const auto repro = host(lax::dot_general(x, y, c.contract, c.batch));
    const HostDot want = host_dot_general(x, y, c.contract, c.batch);
    ASSERT_EQ(fast.size(), want.value.size()) << c.name;
    for (std::size_t i = 0; i < fast.size(); ++i) {
      // Any summation order of <= 600 f64 products: within 1e-13 of the sum of |terms|.
      const double tol = 1e-13 * static_cast<double>(want.magnitude[i]);
      EXPECT_NEAR(fast[i], static_cast<double>(want.value[i]), tol) << c.name << " element " << i;
      EXPECT_NEAR(repro[i], static_cast<double>(want.value[i]), tol) << c.name << " element " << i;
    }
    if (!pure::matmul_fast_available()) {
      EXPECT_EQ(fast, repro) << c.name;  // without KokkosKernels "fast" falls back to the reproducible kernel
    }
    const bool needs_copy = c.name.find("out of order") != std::string::npos ||
                            (pure::matmul_fast_available() && c.name.find("batch last") != std::string::npos);
    if (!needs_copy) {
      EXPECT_EQ(copies, 0) << c.name;
    }
  }
}

// ---------------------------------------------------------------- errors

TEST(DotGeneral, BadArgumentsGiveClearErrors) {
  const Array x = pure::zeros({2, 3}), y = pure::zeros({4, 5});
  expect_error<pure::ShapeError>(
      [&] {
        lax::dot_general(x, y, {{1}, {0}});
      },
      "pure::dot_general: contracting axis 1 of f32[2,3] and axis 0 of f32[4,5]");
  expect_error<pure::DTypeError>(
      [&] {
        lax::dot_general(x, pure::zeros({3}, DType::f64), {{1}, {0}});
      },
      "pure::dot_general: operands must have the same numeric dtype");
  expect_error<pure::ShapeError>(
      [&] {
        lax::dot_general(x, x, {{1}, {1}}, {{1}, {0}});
      },
      "pure::dot_general: lhs axes");
  expect_error<pure::ShapeError>([&] { lax::dot_general(x, x, {{1}, {}}); }, "must pair up");
  expect_error<pure::ShapeError>([&] { pure::matmul(x, y); }, "pure::matmul: the last axis of a (2,3)");
  expect_error<pure::ShapeError>([&] { pure::matmul(x, pure::zeros({})); }, "pure::matmul: operands must have rank");
  // Batch axes that do not broadcast: the message names both operands' shapes.
  expect_error<pure::ShapeError>(
      [&] {
        pure::matmul(pure::zeros({2, 2, 3}), pure::zeros({3, 3, 4}));
      },
      "(the batch axes of a (2,2,3) and b (3,3,4))");
}

}  // namespace
