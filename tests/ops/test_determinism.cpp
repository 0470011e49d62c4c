// Reductions have one documented summation order (src/ops/reduce.cpp): the
// reduced elements of each output, in row-major order of the reduced axes, are
// cut into blocks of 256 consecutive elements; each block is summed as a binary
// counter would (aligned runs of 2^l elements summed as perfect binary trees,
// the runs then combined from the smallest up); the block sums are combined the
// same way, level by level, until one value remains. Nothing depends on the
// thread layout, so the result must equal, bit for bit, this host
// re-implementation. (Only Kokkos Serial is available on the test machine; the
// same test run on OpenMP/CUDA builds checks the other layouts.)
//
// With a power-of-two block this is the same tree as one binary-counter
// pairwise sum over the whole sequence, so the block size never shows in the
// result; what the tests pin down is that tree.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <utility>
#include <vector>

#include <pure/pure.hpp>

#include "../../src/ops/scalar_ops.hpp"  // simd_cap and the op types

namespace {

using pure::Array;
using pure::DType;
using pure::Shape;
namespace lax = pure::lax;

constexpr std::int64_t kBlock = 256;

struct Plus {
  template <class T>
  T operator()(T a, T b) const {
    return a + b;
  }
};
// reduce_max's combine: a NaN wins (the first operand's first); otherwise a > b ? a : b.
// jax's max: NaN propagates, +0 above -0 (so signed zeros no longer depend on the tree).
struct Max {
  template <class T>
  T operator()(T a, T b) const {
    if (a != a) return a;
    if (b != b) return b;
    if (a == b) return std::signbit(a) ? b : a;
    return a > b ? a : b;
  }
};

// A perfect binary tree over n = 2^l values: left half + right half.
template <class T, class Combine = Plus>
T tree_sum(const T* v, std::int64_t n, Combine c = {}) {
  if (n == 1) return v[0];
  return c(tree_sum(v, n / 2, c), tree_sum(v + n / 2, n / 2, c));
}

// One block of n <= 256 values: split n into its binary digits, largest run
// first; each run is a perfect tree; the runs are combined from the last
// (smallest) one towards the first: run_0 + (run_1 + (... + run_k)).
template <class T, class Combine = Plus>
T block_sum(const T* v, std::int64_t n, Combine c = {}) {
  std::vector<T> runs;
  std::int64_t offset = 0;
  for (int level = 62; level >= 0; --level) {
    const std::int64_t len = std::int64_t{1} << level;
    if (n & len) {
      runs.push_back(tree_sum(v + offset, len, c));
      offset += len;
    }
  }
  T acc = runs.back();
  for (std::size_t k = runs.size() - 1; k-- > 0;) acc = c(runs[k], acc);
  return acc;
}

// The canonical sum (or max, ...) of one output's reduced sequence.
template <class T, class Combine = Plus>
T canonical_sum(std::vector<T> level, Combine c = {}) {
  while (true) {
    const auto n = static_cast<std::int64_t>(level.size());
    std::vector<T> next;
    for (std::int64_t b = 0; b < n; b += kBlock) {
      next.push_back(block_sum(level.data() + b, std::min(kBlock, n - b), c));
    }
    if (next.size() == 1) return next[0];
    level = std::move(next);
  }
}

template <class T>
T sequential_sum(const std::vector<T>& v) {
  T s = 0;
  for (T x : v) s += x;
  return s;
}

// Values spanning many binades, of both signs, so that the order of additions
// shows in the last bits.
template <class T>
std::vector<T> wide_values(std::int64_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> e(-12, 12);
  std::bernoulli_distribution negative(0.4);
  std::vector<T> v(static_cast<std::size_t>(n));
  for (auto& x : v) x = static_cast<T>((negative(rng) ? -1 : 1) * std::exp(e(rng)));
  return v;
}

template <class T>
bool same_bits(T a, T b) {
  return std::memcmp(&a, &b, sizeof(T)) == 0;
}

template <class T>
class CanonicalSum : public ::testing::Test {};
using FloatTypes = ::testing::Types<float, double>;
TYPED_TEST_SUITE(CanonicalSum, FloatTypes);

// Sizes around the block edges and over 256 * 256 (three levels).
const std::vector<std::int64_t> kSizes = {1, 2, 3, 7, 255, 256, 257, 1000, 4096, 65535, 65536, 65537, 131849};

TYPED_TEST(CanonicalSum, OneAxisEqualsTheHostReimplementationBitwise) {
  using T = TypeParam;
  int differs_from_sequential = 0;
  for (std::int64_t n : kSizes) {
    const std::vector<T> v = wide_values<T>(n, 1000 + static_cast<std::uint64_t>(n));
    const T got = lax::reduce_sum(pure::from_host(v), {0}).template item<T>();
    const T want = canonical_sum(v);
    EXPECT_TRUE(same_bits(got, want)) << "n=" << n << " got " << got << " want " << want;
    differs_from_sequential += !same_bits(want, sequential_sum(v));
  }
  // The data can tell orders apart: a left-to-right loop would fail the test above.
  EXPECT_GE(differs_from_sequential, 5);
}

TYPED_TEST(CanonicalSum, ManyOutputsAndStridedAxesFollowTheSameOrder) {
  using T = TypeParam;
  const Shape shape{5, 300, 3};
  const std::vector<T> v = wide_values<T>(shape.size(), 7);
  const Array x = pure::from_host(v, shape);
  auto at = [&](std::int64_t i, std::int64_t j, std::int64_t k) {
    return v[static_cast<std::size_t>((i * 300 + j) * 3 + k)];
  };

  // Over the middle axis: 15 outputs, each a strided sequence of 300 elements.
  const std::vector<T> mid = lax::reduce_sum(x, {1}).template to_host<T>();
  for (std::int64_t i = 0; i < 5; ++i) {
    for (std::int64_t k = 0; k < 3; ++k) {
      std::vector<T> seq;
      for (std::int64_t j = 0; j < 300; ++j) seq.push_back(at(i, j, k));
      EXPECT_TRUE(same_bits(mid[static_cast<std::size_t>(i * 3 + k)], canonical_sum(seq))) << i << "," << k;
    }
  }
  // Over axes (0, 2): 300 outputs, each the 15 elements in row-major order of (i, k).
  const std::vector<T> outer = lax::reduce_sum(x, {0, 2}).template to_host<T>();
  for (std::int64_t j = 0; j < 300; ++j) {
    std::vector<T> seq;
    for (std::int64_t i = 0; i < 5; ++i) {
      for (std::int64_t k = 0; k < 3; ++k) seq.push_back(at(i, j, k));
    }
    EXPECT_TRUE(same_bits(outer[static_cast<std::size_t>(j)], canonical_sum(seq))) << j;
  }
  // Over everything: the row-major sequence of all 4500.
  EXPECT_TRUE(same_bits(lax::reduce_sum(x, {0, 1, 2}).template item<T>(), canonical_sum(v)));
}

TYPED_TEST(CanonicalSum, RepeatedRunsAreIdentical) {
  using T = TypeParam;
  const std::vector<T> v = wide_values<T>(131849, 3);
  const Array x = pure::from_host(v);
  const T first = lax::reduce_sum(x, {0}).template item<T>();
  for (int run = 0; run < 5; ++run) {
    EXPECT_TRUE(same_bits(lax::reduce_sum(x, {0}).template item<T>(), first)) << "run " << run;
  }
}

// The order depends only on the reduced extent and the row-major order of the
// reduced elements, not on how they are laid out in axes.
TYPED_TEST(CanonicalSum, SameDataReshapedGivesTheSameBits) {
  using T = TypeParam;
  const std::int64_t n = 300 * 257;
  const std::vector<T> v = wide_values<T>(n, 11);
  const T flat = lax::reduce_sum(pure::from_host(v), {0}).template item<T>();
  EXPECT_TRUE(same_bits(lax::reduce_sum(pure::from_host(v, Shape{300, 257}), {0, 1}).template item<T>(), flat));
  EXPECT_TRUE(same_bits(lax::reduce_sum(pure::from_host(v, Shape{257, 300}), {0, 1}).template item<T>(), flat));
  EXPECT_TRUE(same_bits(lax::reduce_sum(pure::from_host(v, Shape{n, 1}), {0, 1}).template item<T>(), flat));
  EXPECT_TRUE(same_bits(lax::reduce_sum(pure::from_host(v, Shape{1, 20, 5, 771}), {1, 2, 3}).template item<T>(), flat));
  // Also when the data is one row among others: the row's sum is unchanged.
  std::vector<T> two = v;
  const std::vector<T> other = wide_values<T>(n, 12);
  two.insert(two.end(), other.begin(), other.end());
  const std::vector<T> rows = lax::reduce_sum(pure::from_host(two, Shape{2, n}), {1}).template to_host<T>();
  EXPECT_TRUE(same_bits(rows[0], flat));
  EXPECT_TRUE(same_bits(rows[1], canonical_sum(other)));
}

// Sums over leading axes (the innermost axis kept, as in a bias gradient) run
// many outputs side by side in SIMD lanes: the same tree per output, on every
// SIMD level. 65537 rows give full blocks, a partial one and three levels;
// rows of 300 give a full group of 256 lanes and a tail of 44; (300, 3, 35)
// over (0, 1) reads each row through a two-axis map. Operands of 4 MiB and
// more ((65537, 40), (4100, 300)) take the loop that prefetches the next rows.
TYPED_TEST(CanonicalSum, LeadingAxesSumInLanesWithTheSameOrderOnEverySimdLevel) {
  using T = TypeParam;
  const pure::HostSimd saved = pure::host_simd();
  const int top = static_cast<int>(pure::host_simd_supported());
  struct Case {
    Shape shape;
    std::vector<std::int64_t> axes;
  };
  for (const Case& c : {Case{{65537, 40}, {0}}, Case{{300, 300}, {0}}, Case{{4100, 300}, {0}},
                        Case{{300, 3, 35}, {0, 1}}, Case{{7, 33}, {0}}}) {
    const std::int64_t row = c.shape[c.shape.rank() - 1];
    const std::int64_t rows = c.shape.size() / row;
    std::vector<T> v = wide_values<T>(c.shape.size(), 21);
    // Signed zeros and a NaN: reduce_max must give +0 for any mix of zeros, NaN with one.
    for (std::int64_t r = 0; r < rows; r += 2) v[static_cast<std::size_t>(r * row)] = (r / 2) % 2 ? T(0) : -T(0);
    v[static_cast<std::size_t>(rows / 2 * row + 1)] = std::numeric_limits<T>::quiet_NaN();
    std::vector<T> want_sum, want_max;
    for (std::int64_t j = 0; j < row; ++j) {
      std::vector<T> seq, zeros;
      for (std::int64_t r = 0; r < rows; ++r) seq.push_back(v[static_cast<std::size_t>(r * row + j)]);
      want_sum.push_back(canonical_sum(seq));
      // Max over signed zeros only (plus the NaN in column 1).
      for (std::int64_t r = 0; r < rows; ++r)
        zeros.push_back(seq[static_cast<std::size_t>(r)] == T(0) || j == 1 ? seq[static_cast<std::size_t>(r)] : T(0));
      want_max.push_back(canonical_sum(zeros, Max{}));
    }
    const Array x = pure::from_host(v, c.shape);
    const Array zero_x = pure::from_host(
        [&] {
          std::vector<T> z = v;
          for (std::size_t i = 0; i < z.size(); ++i) {
            if (!(z[i] == T(0)) && static_cast<std::int64_t>(i) % row != 1) z[i] = T(0);
          }
          return z;
        }(),
        c.shape);
    for (int l = 0; l <= top; ++l) {
      pure::set_host_simd(static_cast<pure::HostSimd>(l));
      const auto got_sum = lax::reduce_sum(x, c.axes).template to_host<T>();
      const auto got_max = lax::reduce_max(zero_x, c.axes).template to_host<T>();
      for (std::int64_t j = 0; j < row; ++j) {
        const auto u = static_cast<std::size_t>(j);
        EXPECT_TRUE(same_bits(got_sum[u], want_sum[u]))
            << c.shape.str() << " sum column " << j << " got " << got_sum[u] << " want " << want_sum[u] << " at "
            << pure::host_simd_name(static_cast<pure::HostSimd>(l));
        EXPECT_TRUE(same_bits(got_max[u], want_max[u]) || (got_max[u] != got_max[u] && want_max[u] != want_max[u]))
            << c.shape.str() << " max column " << j << " got " << got_max[u] << " want " << want_max[u];
      }
    }
  }
  pure::set_host_simd(saved);
}

// ---------------------------------------------------------------- dot_general

// Its reproducible kernel has an order of its own (src/ops/gemm.hpp,
// docs/reproducibility.md "gemm order"): acc = +0, then acc = fma(x_t, y_t,
// acc) for t in order -- not reduce_sum's tree (tests/ops/test_dot.cpp checks
// every layout, SIMD level and block size; this is the cross-check here).
template <class T>
T fma_chain(const std::vector<T>& x, const std::vector<T>& y) {
  T acc = 0;
  for (std::size_t i = 0; i < x.size(); ++i) acc = std::fma(x[i], y[i], acc);
  return acc;
}

TYPED_TEST(CanonicalSum, DotGeneralSumsProductsInTheGemmOrder) {
  using T = TypeParam;
  struct Reproducible {  // the default; set explicitly in case PURE_MATMUL_PRECISION says otherwise
    pure::MatmulPrecision before = pure::matmul_precision();
    Reproducible() { pure::set_matmul_precision(pure::MatmulPrecision::reproducible); }
    ~Reproducible() { pure::set_matmul_precision(before); }
  } reproducible;
  for (std::int64_t n : {1, 7, 256, 1000, 70001}) {
    const std::vector<T> x = wide_values<T>(n, 21), y = wide_values<T>(n, 22);
    const T dot = lax::dot_general(pure::from_host(x), pure::from_host(y), {{0}, {0}}).template item<T>();
    EXPECT_TRUE(same_bits(dot, fma_chain(x, y))) << "n=" << n;
  }
  // A matrix product: every element is the fma chain over k of x[i,k] * y[k,j].
  const std::int64_t m = 3, k = 700, p = 2;
  const std::vector<T> x = wide_values<T>(m * k, 23), y = wide_values<T>(k * p, 24);
  const std::vector<T> got =
      lax::dot_general(pure::from_host(x, Shape{m, k}), pure::from_host(y, Shape{k, p}), {{1}, {0}})
          .template to_host<T>();
  for (std::int64_t i = 0; i < m; ++i) {
    for (std::int64_t j = 0; j < p; ++j) {
      std::vector<T> row, col;
      for (std::int64_t q = 0; q < k; ++q) {
        row.push_back(x[static_cast<std::size_t>(i * k + q)]);
        col.push_back(y[static_cast<std::size_t>(q * p + j)]);
      }
      EXPECT_TRUE(same_bits(got[static_cast<std::size_t>(i * p + j)], fma_chain(row, col))) << i << "," << j;
    }
  }
}

// ---------------------------------------------------------------- cumsum

// The documented scan order (src/ops/cumulative.cpp): blocks of 256 elements in
// scan order; within a block a left-to-right running sum; the block totals
// summed left to right (from 0) into offsets; an element outside the first
// block is offset + its in-block running sum.
template <class T>
std::vector<T> canonical_cumsum(const std::vector<T>& x) {
  const auto n = static_cast<std::int64_t>(x.size());
  std::vector<T> out(x.size()), offsets;
  T run = 0;
  for (std::int64_t b = 0; b < n; b += kBlock) {
    T acc = x[static_cast<std::size_t>(b)];
    out[static_cast<std::size_t>(b)] = acc;
    for (std::int64_t t = b + 1; t < std::min(n, b + kBlock); ++t) {
      acc = acc + x[static_cast<std::size_t>(t)];
      out[static_cast<std::size_t>(t)] = acc;
    }
    offsets.push_back(run);
    run = run + acc;
  }
  for (std::int64_t t = kBlock; t < n; ++t) {
    out[static_cast<std::size_t>(t)] = offsets[static_cast<std::size_t>(t / kBlock)] + out[static_cast<std::size_t>(t)];
  }
  return out;
}

TYPED_TEST(CanonicalSum, CumsumFollowsTheDocumentedOrder) {
  using T = TypeParam;
  int differs_from_sequential = 0;
  for (std::int64_t n : {1, 255, 256, 257, 1000, 70000}) {
    const std::vector<T> x = wide_values<T>(n, 31 + static_cast<std::uint64_t>(n));
    const std::vector<T> got = lax::cumsum(pure::from_host(x), 0).template to_host<T>();
    const std::vector<T> want = canonical_cumsum(x);
    T seq = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      ASSERT_TRUE(same_bits(got[i], want[i])) << "n=" << n << " element " << i;
      seq += x[i];
      differs_from_sequential += !same_bits(seq, want[i]);
    }
    // Reverse: the same order counted from the end.
    std::vector<T> rx(x.rbegin(), x.rend());
    std::vector<T> rwant = canonical_cumsum(rx);
    const std::vector<T> rgot = lax::cumsum(pure::from_host(x), 0, true).template to_host<T>();
    for (std::size_t i = 0; i < x.size(); ++i) {
      ASSERT_TRUE(same_bits(rgot[i], rwant[x.size() - 1 - i])) << "reverse n=" << n << " element " << i;
    }
  }
  EXPECT_GT(differs_from_sequential, 0);  // the data tells the orders apart
  // Lines along a strided axis follow the same order.
  const std::vector<T> x = wide_values<T>(600 * 3, 40);
  const std::vector<T> got = lax::cumsum(pure::from_host(x, Shape{600, 3}), 0).template to_host<T>();
  for (std::size_t c = 0; c < 3; ++c) {
    std::vector<T> line;
    for (std::size_t r = 0; r < 600; ++r) line.push_back(x[r * 3 + c]);
    const std::vector<T> want = canonical_cumsum(line);
    for (std::size_t r = 0; r < 600; ++r) ASSERT_TRUE(same_bits(got[r * 3 + c], want[r])) << r << "," << c;
  }
}

TEST(CanonicalSum, IntegerSumsAreExact) {
  std::vector<std::int64_t> v(70000);
  std::int64_t want = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    v[i] = static_cast<std::int64_t>(i * i % 1000003) - 500000;
    want += v[i];
  }
  EXPECT_EQ(lax::reduce_sum(pure::from_host(v), {0}).item<std::int64_t>(), want);
}

TEST(CanonicalSum, MaxAndMinPropagateNaNWherever) {
  for (std::int64_t where : {0, 1, 255, 256, 600, 999}) {
    std::vector<double> v = wide_values<double>(1000, 5);
    v[static_cast<std::size_t>(where)] = std::nan("");
    const Array x = pure::from_host(v);
    EXPECT_TRUE(std::isnan(lax::reduce_max(x, {0}).item<double>())) << where;
    EXPECT_TRUE(std::isnan(lax::reduce_min(x, {0}).item<double>())) << where;
  }
}

// ---------------------------------------------------------------- SIMD levels

// Elementwise kernels run through the multi-versioned host loops
// (core/host_simd_for.hpp): every instruction-set level the CPU has must give
// the baseline's bytes, for every op, on ordinary values and on the special
// ones (signed zeros, subnormals, infinities, NaN, huge and tiny magnitudes).
template <class T>
Array simd_test_input(std::uint32_t seed, double scale) {
  std::mt19937_64 gen(seed);
  std::uniform_real_distribution<double> u(-scale, scale);
  std::vector<T> v(5003);  // several work items and a ragged tail
  for (auto& e : v) e = static_cast<T>(u(gen));
  const T specials[] = {T(0),
                        -T(0),
                        std::numeric_limits<T>::denorm_min(),
                        -std::numeric_limits<T>::min(),
                        std::numeric_limits<T>::infinity(),
                        -std::numeric_limits<T>::infinity(),
                        std::numeric_limits<T>::quiet_NaN(),
                        std::numeric_limits<T>::max(),
                        T(1e-30),
                        T(20.5)};
  for (std::size_t k = 0; k < sizeof(specials) / sizeof(specials[0]); ++k) v[k * 97] = specials[k];
  return pure::from_host(v, Shape{static_cast<std::int64_t>(v.size())});
}

std::vector<unsigned char> bytes_of(const Array& a) {
  std::vector<unsigned char> b(a.nbytes());
  if (a.dtype() == DType::boolean) {
    const auto v = pure::to_host_bool(a);
    std::memcpy(b.data(), v.data(), v.size());
  } else if (a.dtype() == DType::f32) {
    const auto v = a.to_host<float>();
    std::memcpy(b.data(), v.data(), b.size());
  } else {
    const auto v = a.to_host<double>();
    std::memcpy(b.data(), v.data(), b.size());
  }
  return b;
}

TEST(ElementwiseSimd, EveryLevelGivesTheBaselineBits) {
  using Unary = Array (*)(const Array&);
  using Binary = Array (*)(const Array&, const Array&);
  const std::vector<std::pair<const char*, Unary>> unary = {
      {"neg", lax::neg},     {"exp", lax::exp}, {"log", lax::log},   {"log1p", lax::log1p},       {"expm1", lax::expm1},
      {"sin", lax::sin},     {"cos", lax::cos}, {"tanh", lax::tanh}, {"logistic", lax::logistic}, {"sqrt", lax::sqrt},
      {"rsqrt", lax::rsqrt}, {"abs", lax::abs}, {"sign", lax::sign}, {"floor", lax::floor},       {"erf", lax::erf}};
  const std::vector<std::pair<const char*, Binary>> binary = {
      {"add", lax::add}, {"sub", lax::sub}, {"mul", lax::mul},     {"div", lax::div}, {"pow", lax::pow},
      {"max", lax::max}, {"min", lax::min}, {"atan2", lax::atan2}, {"lt", lax::lt},   {"eq", lax::eq}};
  const pure::HostSimd saved = pure::host_simd();
  const int top = static_cast<int>(pure::host_simd_supported());
  if (top == 0) std::printf("[ simd     ] only the baseline host loop exists on this CPU or build\n");
  for (DType d : {DType::f32, DType::f64}) {
    const Array x = d == DType::f32 ? simd_test_input<float>(1, 30.0) : simd_test_input<double>(1, 30.0);
    const Array y = d == DType::f32 ? simd_test_input<float>(2, 3.0) : simd_test_input<double>(2, 3.0);
    std::vector<std::vector<unsigned char>> want;
    for (int l = 0; l <= top; ++l) {
      pure::set_host_simd(static_cast<pure::HostSimd>(l));
      std::size_t k = 0;
      const auto check = [&](const char* name, const Array& got) {
        if (l == 0) {
          want.push_back(bytes_of(got));
        } else {
          EXPECT_EQ(bytes_of(got), want[k]) << name << " " << pure::dtype_name(d) << " at SIMD level "
                                            << pure::host_simd_name(static_cast<pure::HostSimd>(l));
        }
        ++k;
      };
      for (const auto& [name, f] : unary) check(name, f(x));
      for (const auto& [name, f] : binary) check(name, f(x, y));
    }
  }
  pure::set_host_simd(saved);
}

// Eager add, sub, mul, neg and abs that move at least kStreamBytes run at most
// at AVX2 (simd_cap in src/ops/kernels.hpp); heavier ops and smaller calls keep
// the level in use. The capped calls still give a host loop's bits, with
// contiguous operands and with a broadcast scalar.
TEST(ElementwiseSimd, LargeCheapOpsRunAtMostAtAvx2WithTheSameBits) {
  namespace ops = pure::ops::detail;
  EXPECT_EQ(ops::simd_cap<ops::AddOp>(ops::kStreamBytes), pure::HostSimd::avx2);
  EXPECT_EQ(ops::simd_cap<ops::MulOp>(ops::kStreamBytes), pure::HostSimd::avx2);
  EXPECT_EQ(ops::simd_cap<ops::NegOp>(ops::kStreamBytes), pure::HostSimd::avx2);
  EXPECT_EQ(ops::simd_cap<ops::AddOp>(ops::kStreamBytes - 1), pure::HostSimd::avx512);
  EXPECT_EQ(ops::simd_cap<ops::DivOp>(std::int64_t{1} << 40), pure::HostSimd::avx512);
  EXPECT_EQ(ops::simd_cap<ops::ExpOp>(std::int64_t{1} << 40), pure::HostSimd::avx512);

  const std::int64_t n = 3 * (std::int64_t{1} << 20) + 5;  // f32: x + y moves 36 MiB, x * 2.0 24 MiB
  ASSERT_GE(n * 8, ops::kStreamBytes);
  std::vector<float> xs(static_cast<std::size_t>(n)), ys(xs.size());
  std::mt19937 gen(11);
  std::uniform_real_distribution<float> dist(-1e3f, 1e3f);
  for (std::size_t i = 0; i < xs.size(); ++i) {
    xs[i] = dist(gen);
    ys[i] = dist(gen);
  }
  const Array x = pure::from_host(xs, Shape{n}), y = pure::from_host(ys, Shape{n});
  const auto sum = (x + y).to_host<float>(), diff = (x - y).to_host<float>(), prod = (x * y).to_host<float>();
  const auto twice = (x * 2.0).to_host<float>(), neg = (-x).to_host<float>(), abs = pure::abs(x).to_host<float>();
  std::int64_t wrong = 0;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    wrong += sum[i] != xs[i] + ys[i];
    wrong += diff[i] != xs[i] - ys[i];
    wrong += prod[i] != xs[i] * ys[i];
    wrong += twice[i] != xs[i] * 2.0f;
    wrong += neg[i] != -xs[i];
    wrong += abs[i] != std::fabs(xs[i]);
  }
  EXPECT_EQ(wrong, 0);
}

}  // namespace
