// gather / scatter_add / argmax / argmin and the numpy indexing on top
// (take, take_along_axis): clamping, broadcast indices, the deterministic
// accumulation order of scatter_add, and the rules under grad of grad.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <random>
#include <vector>

#include <pure/pure.hpp>

#include "ops_test_util.hpp"

namespace {

using pure::Array;
using pure::DType;
using pure::Shape;
using Arrays = std::vector<Array>;
namespace lax = pure::lax;

using namespace pure_test;

Array random_indices(const Shape& s, int lo, int hi, DType dtype, std::uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int> dist(lo, hi);
  std::vector<std::int64_t> v(static_cast<std::size_t>(s.size()));
  for (auto& x : v) x = dist(gen);
  return pure::astype(pure::from_host(v, s), dtype);
}

std::int64_t clamp(double k, std::int64_t n) {
  return k < 0 ? 0 : (k >= static_cast<double>(n) ? n - 1 : static_cast<std::int64_t>(k));
}

// ---------------------------------------------------------------- gather

TEST(Indexing, GatherClampsAndBroadcastsIndices) {
  const Array x = random_array({3, 5, 2}, DType::f64, 1);
  for (DType id : {DType::i32, DType::i64}) {
    // Indices of extent 1 on the last axis: broadcast over it.
    const Array idx =
        pure::astype(pure::from_host(std::vector<double>{0, 4, -2, 7, 1, 1, 3, 2, 6, -1, 2, 0}, {3, 4, 1}), id);
    const Array y = lax::gather(x, idx, 1);
    ASSERT_EQ(y.shape(), (Shape{3, 4, 2}));
    const auto hx = host(x), hi = host(idx), hy = host(y);
    for (std::int64_t p = 0; p < 3; ++p) {
      for (std::int64_t j = 0; j < 4; ++j) {
        const std::int64_t k = clamp(hi[static_cast<std::size_t>(p * 4 + j)], 5);
        for (std::int64_t q = 0; q < 2; ++q) {
          EXPECT_EQ(hy[static_cast<std::size_t>((p * 4 + j) * 2 + q)],
                    hx[static_cast<std::size_t>((p * 5 + k) * 2 + q)]);
        }
      }
    }
  }
}

// Host reference for both primitives: position `out` (coordinates of the
// indexed array's shape) reads idx at the same coordinates, 0 where idx has
// extent 1, and returns clamp(idx) for the row along `axis`.
struct IndexCase {
  std::vector<std::int64_t> x, idx;  // shapes; idx's extent along axis is m
  std::int64_t axis;
};

std::vector<std::int64_t> coords_of(std::int64_t flat, const std::vector<std::int64_t>& shape) {
  std::vector<std::int64_t> c(shape.size());
  for (std::size_t d = shape.size(); d-- > 0;) {
    c[d] = flat % shape[d];
    flat /= shape[d];
  }
  return c;
}
std::int64_t flat_of(const std::vector<std::int64_t>& c, const std::vector<std::int64_t>& shape) {
  std::int64_t f = 0;
  for (std::size_t d = 0; d < shape.size(); ++d) f = f * shape[d] + (shape[d] == 1 ? 0 : c[d]);
  return f;
}

// Row indices (extent 1 after the axis, with and without broadcast before it),
// a line per element (the axis last), and indices varying along every axis;
// enough lines that host work items (about 4096 elements) end inside a row
// of the pre axes.
std::vector<IndexCase> index_cases() {
  return {
      {{300, 40}, {500, 1}, 0},
      {{7, 300, 16}, {7, 600, 1}, 1},
      {{7, 300, 16}, {1, 600, 1}, 1},
      {{3, 5000}, {3, 4000}, 1},
      {{3, 5000}, {1, 4000}, 1},
      {{4, 9, 3, 5}, {4, 11, 1, 1}, 1},
      {{4, 9, 3, 5}, {1, 11, 3, 1}, 1},
      {{4, 9, 3, 5}, {4, 11, 3, 5}, 1},
      {{2, 3, 9}, {2, 3, 1}, 2},
      {{6, 2, 200}, {6, 9, 1}, 1},
      {{8, 1}, {3, 1}, 0},
      {{5}, {13}, 0},
  };
}

TEST(Indexing, GatherMatchesHostLoopForRowAndElementIndices) {
  const pure::HostSimd saved = pure::host_simd();
  std::uint32_t seed = 60;
  for (const IndexCase& c : index_cases()) {
    std::vector<std::int64_t> out_shape = c.x;
    out_shape[static_cast<std::size_t>(c.axis)] = c.idx[static_cast<std::size_t>(c.axis)];
    const std::int64_t n = c.x[static_cast<std::size_t>(c.axis)];
    for (DType dt : {DType::f32, DType::f64, DType::i64}) {
      for (DType index_dtype : {DType::i32, DType::i64}) {
        const Array x = pure::astype(random_array(Shape(c.x), DType::f64, seed++) * 1000.0, dt);
        const Array idx = random_indices(Shape(c.idx), -3, static_cast<int>(n) + 2, index_dtype, seed++);
        const auto hx = host(x), hi = host(idx);
        // Every SIMD level: take_along_axis of int32 indices clamps them with AVX2 on the host.
        for (int level = 0; level <= static_cast<int>(pure::host_simd_supported()); ++level) {
          pure::set_host_simd(static_cast<pure::HostSimd>(level));
          const Array y = lax::gather(x, idx, c.axis);
          ASSERT_EQ(y.shape(), Shape(out_shape));
          const auto hy = host(y);
          std::int64_t wrong = 0;
          for (std::int64_t o = 0; o < y.size(); ++o) {
            auto pos = coords_of(o, out_shape);
            const double k = hi[static_cast<std::size_t>(flat_of(pos, c.idx))];
            pos[static_cast<std::size_t>(c.axis)] = clamp(k, n);
            wrong += hy[static_cast<std::size_t>(o)] != hx[static_cast<std::size_t>(flat_of(pos, c.x))];
          }
          EXPECT_EQ(wrong, 0) << "x " << Shape(c.x).str() << ", indices " << Shape(c.idx).str() << ", axis " << c.axis
                              << ", " << pure::dtype_name(dt) << " by " << pure::dtype_name(index_dtype) << " at "
                              << pure::host_simd_name(static_cast<pure::HostSimd>(level));
        }
      }
    }
  }
  pure::set_host_simd(saved);
}

// ---------------------------------------------------------------- scatter_add

// Sequential host reference: out = operand; then for j = 0, 1, ...: out[k(j)] += u[j].
std::vector<double> host_scatter(const std::vector<double>& op, const std::vector<double>& idx,
                                 const std::vector<double>& upd, std::int64_t pre, std::int64_t n, std::int64_t m,
                                 std::int64_t post, bool idx_broadcast_pre, bool as_float) {
  std::vector<double> out = op;
  for (std::int64_t p = 0; p < pre; ++p) {
    for (std::int64_t q = 0; q < post; ++q) {
      for (std::int64_t j = 0; j < m; ++j) {
        const std::int64_t ii = idx_broadcast_pre ? j * post + q : (p * m + j) * post + q;
        const std::int64_t k = clamp(idx[static_cast<std::size_t>(ii)], n);
        double& o = out[static_cast<std::size_t>((p * n + k) * post + q)];
        const double u = upd[static_cast<std::size_t>((p * m + j) * post + q)];
        o = as_float ? static_cast<double>(static_cast<float>(o) + static_cast<float>(u)) : o + u;
      }
    }
  }
  return out;
}

// Updates of very different magnitudes hit the same element, so any other
// order of addition would change the result: equality must be bitwise.
TEST(Indexing, ScatterAddAddsInIndexOrder) {
  const std::vector<double> upd{1e16, 1, -1e16, 1, 3, 1e-3, -1, 1e16, 2, -1e16, 1, 1};
  const Array updates = pure::from_host(upd, {2, 6});
  const Array idx = pure::from_host(std::vector<std::int32_t>{0, 0, 0, 9, 2, -3}, {1, 6});  // broadcast over axis 0
  const Array operand = pure::from_host(std::vector<double>{0.5, 0.25, 0.125, 4, 5, 6}, {2, 3});
  const auto got = host(lax::scatter_add(operand, idx, updates, 1));
  const auto want = host_scatter(host(operand), host(idx), upd, 2, 3, 6, 1, true, false);
  EXPECT_EQ(got, want);
  // The data is order-sensitive: adding the updates in reverse gives other bits.
  std::vector<double> upd_rev(upd.size());
  const std::vector<double> idx_h = host(idx), idx_rev(idx_h.rbegin(), idx_h.rend());
  for (std::size_t p = 0; p < 2; ++p) {
    for (std::size_t j = 0; j < 6; ++j) upd_rev[p * 6 + j] = upd[p * 6 + 5 - j];
  }
  EXPECT_NE(got, host_scatter(host(operand), idx_rev, upd_rev, 2, 3, 6, 1, true, false));
}

// Many lines, many duplicates, out-of-range indices: exercises the sort and
// the binary search; f32 to make the order visible in the rounding.
TEST(Indexing, ScatterAddMatchesSequentialHostLoopBitwise) {
  const std::int64_t pre = 50, n = 7, m = 300, post = 3;
  const Array operand = random_array({pre, n, post}, DType::f32, 2);
  const Array updates = random_array({pre, m, post}, DType::f32, 3);
  for (DType id : {DType::i32, DType::i64}) {
    const Array idx = random_indices({pre, m, post}, -2, 9, id, 4);
    const auto got = host(lax::scatter_add(operand, idx, updates, 1));
    const auto want = host_scatter(host(operand), host(idx), host(updates), pre, n, m, post, false, true);
    EXPECT_EQ(got, want);
  }
  const Array ints = pure::astype(updates * 100.0, DType::i32);
  const Array idx = random_indices({pre, m, post}, 0, 6, DType::i32, 5);
  const Array zeros = pure::zeros({pre, n, post}, DType::i32);
  EXPECT_EQ(host(lax::scatter_add(zeros, idx, ints, 1)),
            host_scatter(host(zeros), host(idx), host(ints), pre, n, m, post, false, false));
}

// Every index form of index_cases() (row indices: one sort key per line),
// f32 updates of mixed magnitudes so that the order of addition shows, and
// integers (wrapping).
TEST(Indexing, ScatterAddMatchesSequentialHostLoopForRowAndElementIndices) {
  const pure::HostSimd saved = pure::host_simd();
  std::uint32_t seed = 90;
  for (const IndexCase& c : index_cases()) {
    std::vector<std::int64_t> upd_shape = c.x;
    upd_shape[static_cast<std::size_t>(c.axis)] = c.idx[static_cast<std::size_t>(c.axis)];
    const std::int64_t n = c.x[static_cast<std::size_t>(c.axis)];
    // Few distinct rows, so that many updates meet in one element.
    const Array idx = random_indices(Shape(c.idx), -1, static_cast<int>(std::min<std::int64_t>(n, 4)),
                                     seed % 2 ? DType::i32 : DType::i64, seed);
    ++seed;
    const Array mags = pure::exp(random_array(Shape(upd_shape), DType::f64, seed++) * 10.0);
    for (DType dt : {DType::f32, DType::i32}) {
      const Array operand = pure::astype(random_array(Shape(c.x), DType::f64, seed++) * 100.0, dt);
      const Array upd = dt == DType::f32 ? pure::astype(random_array(Shape(upd_shape), DType::f64, seed++) * mags, dt)
                                         : pure::astype(random_array(Shape(upd_shape), DType::f64, seed++) * 1e9, dt);
      const auto hi = host(idx), hu = host(upd);
      auto want = host(operand);
      for (std::int64_t u = 0; u < upd.size(); ++u) {  // row-major: increasing j for every output element
        auto pos = coords_of(u, upd_shape);
        const double k = hi[static_cast<std::size_t>(flat_of(pos, c.idx))];
        pos[static_cast<std::size_t>(c.axis)] = clamp(k, n);
        double& o = want[static_cast<std::size_t>(flat_of(pos, c.x))];
        const double add = hu[static_cast<std::size_t>(u)];
        o = dt == DType::f32 ? static_cast<double>(static_cast<float>(o) + static_cast<float>(add))
                             : static_cast<double>(static_cast<std::int32_t>(static_cast<std::uint32_t>(
                                   static_cast<std::int64_t>(o) + static_cast<std::int64_t>(add))));
      }
      // Every SIMD level: row indices sum lines in the host SIMD loops.
      for (int level = 0; level <= static_cast<int>(pure::host_simd_supported()); ++level) {
        pure::set_host_simd(static_cast<pure::HostSimd>(level));
        EXPECT_EQ(host(lax::scatter_add(operand, idx, upd, c.axis)), want)
            << "operand " << Shape(c.x).str() << ", indices " << Shape(c.idx).str() << ", axis " << c.axis << ", "
            << pure::dtype_name(dt) << " at " << pure::host_simd_name(static_cast<pure::HostSimd>(level));
      }
    }
  }
  pure::set_host_simd(saved);
}

// ---------------------------------------------------------------- derivatives

TEST(Indexing, TransposeRulesSatisfyTheAdjointIdentity) {
  const Array idx = random_indices({4, 6, 1}, -1, 5, DType::i32, 10);
  const Array x = random_array({4, 5, 3}, DType::f64, 11);
  expect_adjoint([&](const Arrays& in) { return Arrays{lax::gather(in[0], idx, 1)}; }, {x}, 12, 1e-13);
  const Array upd = random_array({4, 6, 3}, DType::f64, 13);
  expect_adjoint([&](const Arrays& in) { return Arrays{lax::scatter_add(in[0], idx, in[1], 1)}; }, {x, upd}, 14, 1e-13);
  const Array ti = pure::from_host(std::vector<std::int64_t>{3, -1, 0, 3, 3}, {5});
  expect_adjoint([&](const Arrays& in) { return Arrays{pure::take(in[0], ti, 1)}; }, {x}, 15, 1e-13);
  const Array ta = random_indices({1, 7, 3}, 0, 4, DType::i64, 16);
  expect_adjoint([&](const Arrays& in) { return Arrays{pure::take_along_axis(in[0], ta, 1)}; }, {x}, 17, 1e-13);
}

TEST(Indexing, JvpMatchesCentralDifferences) {
  const Array idx = random_indices({4, 6, 3}, 0, 4, DType::i64, 20);
  const Array x = random_array({4, 5, 3}, DType::f64, 21);
  const Array upd = random_array({4, 6, 3}, DType::f64, 22);
  expect_jvp_matches_differences([&](const Arrays& in) { return Arrays{pure::sin(lax::gather(in[0], idx, 1))}; }, {x},
                                 23, 1e-5);
  expect_jvp_matches_differences(
      [&](const Arrays& in) { return Arrays{pure::sin(lax::scatter_add(in[0], idx, in[1], 1)) * in[0]}; }, {x, upd}, 24,
      1e-5);
}

TEST(Indexing, GradOfGradAndJvpOfGrad) {
  const Array idx = pure::from_host(std::vector<std::int32_t>{2, 0, 2, 2, 1, -1}, {2, 3});
  expect_second_order([&](const Array& x) { return smooth_sum(pure::take(x, idx, 0)); },
                      random_array({4, 3}, DType::f64, 30), 31);
  const Array sidx = random_indices({8, 2}, 0, 4, DType::i32, 32);
  expect_second_order(
      [&](const Array& u) {
        return smooth_sum(lax::scatter_add(pure::zeros({5, 2}, DType::f64), sidx, u, 0));
      },
      random_array({8, 2}, DType::f64, 33), 34);
}

// ---------------------------------------------------------------- argmax, argmin

TEST(Indexing, ArgmaxArgminMatchHostLoopWithTiesAndNaN) {
  // Small integers: many ties, where the first index must win.
  const Array x = pure::astype(random_indices({4, 9, 3}, -2, 2, DType::i32, 40), DType::f32);
  const auto hx = host(x);
  for (bool is_max : {true, false}) {
    for (DType id : {DType::i32, DType::i64}) {
      const Array r = is_max ? lax::argmax(x, 1, id) : lax::argmin(x, 1, id);
      ASSERT_EQ(r.shape(), (Shape{4, 3}));
      ASSERT_EQ(r.dtype(), id);
      const auto hr = host(r);
      for (std::int64_t p = 0; p < 4; ++p) {
        for (std::int64_t q = 0; q < 3; ++q) {
          std::int64_t best = 0;
          for (std::int64_t k = 1; k < 9; ++k) {
            const double v = hx[static_cast<std::size_t>((p * 9 + k) * 3 + q)];
            const double b = hx[static_cast<std::size_t>((p * 9 + best) * 3 + q)];
            if (is_max ? v > b : v < b) best = k;
          }
          EXPECT_EQ(hr[static_cast<std::size_t>(p * 3 + q)], static_cast<double>(best));
        }
      }
    }
  }
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const Array withnan = pure::from_host(std::vector<double>{1, 5, nan, 9, nan, -3}, {6});
  EXPECT_EQ(lax::argmax(withnan, 0).item<std::int32_t>(), 2);  // a NaN counts as the extreme (as jax)
  EXPECT_EQ(lax::argmin(withnan, 0).item<std::int32_t>(), 2);
  EXPECT_EQ(pure::argmax(pure::from_host(std::vector<double>{1, 7, 7, 0}, {2, 2})).item<std::int32_t>(), 1);
  EXPECT_EQ(pure::argmin(x, -2, true).shape(), (Shape{4, 1, 3}));
}

// Long contiguous lines take the lane scan of the host loops: the same answers
// as a plain scan (ties to the lowest index, the first NaN wins, +0 and -0 tie),
// on every SIMD level, for lines of every length around the lane count.
TEST(Indexing, ArgmaxAlongContiguousLinesMatchesTheScanOnEverySimdLevel) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const pure::HostSimd saved = pure::host_simd();
  const int top = static_cast<int>(pure::host_simd_supported());
  for (std::int64_t n : {16, 17, 23, 24, 100, 257}) {
    const std::int64_t lines = 40;
    std::vector<double> v = host(pure::astype(random_indices({lines, n}, -3, 3, DType::i32, 41 + n), DType::f64));
    // Line 1: a NaN late; line 2: two NaNs, the first in the tail; line 3: signed zeros only.
    v[static_cast<std::size_t>(1 * n + n - 3)] = nan;
    v[static_cast<std::size_t>(2 * n + n - 1)] = nan;
    v[static_cast<std::size_t>(2 * n + n - n % 8 - 1)] = n % 8 ? v[static_cast<std::size_t>(2 * n)] : nan;
    for (std::int64_t k = 0; k < n; ++k) v[static_cast<std::size_t>(3 * n + k)] = k % 3 ? 0.0 : -0.0;
    for (DType d : {DType::f64, DType::f32, DType::i32}) {
      const Array x = pure::astype(pure::from_host(v, {lines, n}), d);
      const auto hx = host(x);
      for (int l = 0; l <= top; ++l) {
        pure::set_host_simd(static_cast<pure::HostSimd>(l));
        for (bool is_max : {true, false}) {
          const auto got = host(is_max ? lax::argmax(x, 1) : lax::argmin(x, 1));
          for (std::int64_t r = 0; r < lines; ++r) {
            std::int64_t best = 0;
            for (std::int64_t k = 0; k < n; ++k) {
              const double a = hx[static_cast<std::size_t>(r * n + k)];
              const double b = hx[static_cast<std::size_t>(r * n + best)];
              if (b != b) break;
              if (a != a || (is_max ? a > b : a < b)) best = k;
            }
            ASSERT_EQ(got[static_cast<std::size_t>(r)], static_cast<double>(best))
                << (is_max ? "argmax" : "argmin") << " n=" << n << " line " << r << " " << pure::dtype_name(d) << " at "
                << pure::host_simd_name(static_cast<pure::HostSimd>(l));
          }
        }
      }
    }
  }
  pure::set_host_simd(saved);
}

// argmax has a zero derivative (integer output), yet the value it selects is
// differentiable: d/dx max_i x_i through take_along_axis is the one-hot of the argmax.
TEST(Indexing, GradThroughTheSelectedMaximumIsOneHot) {
  const Array x = pure::from_host(std::vector<double>{0.5, 3, -1, 2, 2, 8}, {2, 3});
  const auto f = [](const Array& z) { return pure::sum(pure::take_along_axis(z, pure::argmax(z, 1, true), 1)); };
  EXPECT_EQ(host(pure::grad(f)(x)), (std::vector<double>{0, 1, 0, 0, 0, 1}));
}

// ---------------------------------------------------------------- numpy surface

TEST(Indexing, NumpyTakeAndTakeAlongAxis) {
  const Array x = pure::astype(pure::arange(12), DType::f64);
  const Array m = pure::reshape(x, {3, 4});
  const Array idx = pure::from_host(std::vector<std::int32_t>{-1, 0, 2, 2, 1, -4}, {2, 3});
  const Array t = pure::take(m, idx, 1);
  ASSERT_EQ(t.shape(), (Shape{3, 2, 3}));
  const auto ht = host(t);
  const std::vector<double> cols{3, 0, 2, 2, 1, 0};  // negative indices count from the end
  for (std::int64_t r = 0; r < 3; ++r) {
    for (std::size_t j = 0; j < 6; ++j) EXPECT_EQ(ht[static_cast<std::size_t>(r) * 6 + j], r * 4 + cols[j]);
  }
  EXPECT_EQ(host(pure::take(m, pure::from_host(std::vector<std::int64_t>{11, -12, 40}))),
            (std::vector<double>{11, 0, 11}));
  // take_along_axis: indices broadcast against x on the other axes.
  const Array col = pure::from_host(std::vector<std::int32_t>{3, 0, -1}, {3, 1});
  EXPECT_EQ(host(pure::take_along_axis(m, col, 1)), (std::vector<double>{3, 4, 11}));
  const Array row = pure::from_host(std::vector<std::int32_t>{2, 0}, {2, 1});
  EXPECT_EQ(pure::take_along_axis(m, row, 0).shape(), (Shape{2, 4}));
}

TEST(Indexing, BadArgumentsGiveClearErrors) {
  const Array x = pure::zeros({3, 4});
  const Array fidx = pure::zeros({3, 2});
  const Array iidx = pure::zeros({3, 2}, DType::i32);
  expect_error<pure::DTypeError>([&] { lax::gather(x, fidx, 1); }, "pure::gather: argument 'indices' must be int32");
  expect_error<pure::ShapeError>(
      [&] {
        lax::gather(x, pure::zeros({2, 2}, DType::i32), 1);
      },
      "pure::gather: argument 'indices' i32[2,2] must have shape (3,2)");
  expect_error<pure::ShapeError>([&] { lax::gather(x, iidx, 2); }, "pure::gather: axis 2");
  expect_error<pure::DTypeError>(
      [&] {
        lax::scatter_add(x, iidx, pure::zeros({3, 2}, DType::f64), 1);
      },
      "pure::scatter_add: argument 'updates' f64[3,2] must have the dtype of operand f32[3,4]");
  expect_error<pure::ShapeError>(
      [&] {
        lax::scatter_add(x, iidx, pure::zeros({2, 2}), 1);
      },
      "pure::scatter_add: argument 'updates' f32[2,2]");
  expect_error<pure::ShapeError>([&] { lax::argmax(pure::zeros({3, 0}), 1); }, "pure::argmax: axis 1");
  expect_error<pure::DTypeError>([&] { pure::take(x, fidx, 0); }, "pure::take: argument 'indices'");
  expect_error<pure::ShapeError>([&] { pure::take_along_axis(x, pure::zeros({3}, DType::i32), 0); },
                                 "pure::take_along_axis: indices (3,)");
}

}  // namespace
