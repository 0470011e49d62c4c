// transpose, slice, pad, concatenate, iota and cumsum: what is specific to
// them (index arithmetic vs host loops, negative/interior padding, the
// blocked cumsum order, rules under grad of grad). The generic per-primitive
// checks live in the spec tables (test_spec_*.cpp).
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
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

Array counting(const Shape& s, DType dtype) {
  std::vector<double> v(static_cast<std::size_t>(s.size()));
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<double>(i);
  return pure::astype(pure::from_host(v, s), dtype);
}

// ---------------------------------------------------------------- forward vs host loops

TEST(ShapeOps, TransposeMatchesHostLoop) {
  const Shape s{2, 3, 4};
  for (DType d : {DType::f32, DType::i32}) {
    const Array x = counting(s, d);
    const Array y = lax::transpose(x, {2, 0, 1});
    ASSERT_EQ(y.shape(), (Shape{4, 2, 3}));
    ASSERT_EQ(y.dtype(), d);
    const auto hx = host(x), hy = host(y);
    for (std::int64_t i = 0; i < y.size(); ++i) {
      const auto c = coords(i, y.shape());  // y[c0, c1, c2] = x[c1, c2, c0]
      EXPECT_EQ(hy[static_cast<std::size_t>(i)], hx[static_cast<std::size_t>(flat({c[1], c[2], c[0]}, s))]);
    }
  }
}

TEST(ShapeOps, StridedSliceMatchesHostLoop) {
  const Shape s{7, 9};
  const Array x = counting(s, DType::f64);
  const Array y = lax::slice(x, {1, 2}, {6, 9}, {2, 3});
  ASSERT_EQ(y.shape(), (Shape{3, 3}));  // rows 1,3,5; columns 2,5,8
  const auto hy = host(y);
  for (std::int64_t i = 0; i < 3; ++i) {
    for (std::int64_t j = 0; j < 3; ++j) {
      EXPECT_EQ(hy[static_cast<std::size_t>(i * 3 + j)], static_cast<double>((1 + 2 * i) * 9 + 2 + 3 * j));
    }
  }
  EXPECT_EQ(lax::slice(x, {3, 0}, {3, 9}).shape(), (Shape{0, 9}));
}

// Column steps 1..7 over rows of every length up to 40 (the strided copy
// loops unroll by four for 8-byte words: every tail), for 1-, 4- and 8-byte
// elements, against the host loop.
TEST(ShapeOps, SlicesWithEveryStepAndRowLengthMatchHostLoop) {
  for (DType d : {DType::boolean, DType::f32, DType::i32, DType::f64, DType::i64, DType::u64}) {
    for (std::int64_t cols = 1; cols <= 40; cols += 3) {
      const Shape s{3, cols};
      const Array x = counting(s, d);
      const auto hx = host(pure::astype(x, DType::f64));
      for (std::int64_t step = 1; step <= 7; ++step) {
        const Array y = lax::slice(x, {0, 0}, {3, cols}, {1, step});
        const std::int64_t n = (cols + step - 1) / step;
        ASSERT_EQ(y.shape(), (Shape{3, n}));
        ASSERT_EQ(y.dtype(), d);
        const auto hy = host(pure::astype(y, DType::f64));
        for (std::int64_t i = 0; i < 3; ++i) {
          for (std::int64_t j = 0; j < n; ++j) {
            ASSERT_EQ(hy[static_cast<std::size_t>(i * n + j)], hx[static_cast<std::size_t>(i * cols + j * step)])
                << pure::dtype_name(d) << " cols " << cols << " step " << step << " at " << i << "," << j;
          }
        }
      }
    }
  }
}

// Pad with negative low (crop), positive high and interior padding.
TEST(ShapeOps, PadMatchesHostLoop) {
  const Shape s{3, 4};
  for (DType d : {DType::f64, DType::i32}) {
    const Array x = counting(s, d) + 1;  // an int scalar keeps d (1.0 would make an int32 x float64)
    const std::vector<std::int64_t> low{1, -1}, high{2, 1}, interior{1, 2};
    const Array y = lax::pad(x, pure::full({}, -7, d), low, high, interior);
    // axis 0: 1 + 2 + 3 + 2*1 = 8; axis 1: -1 + 1 + 4 + 3*2 = 10
    ASSERT_EQ(y.shape(), (Shape{8, 10}));
    const auto hx = host(x), hy = host(y);
    for (std::int64_t i = 0; i < 8; ++i) {
      for (std::int64_t j = 0; j < 10; ++j) {
        const std::int64_t a = i - low[0], b = j - low[1];
        const bool in = a >= 0 && b >= 0 && a % 2 == 0 && b % 3 == 0 && a / 2 < 3 && b / 3 < 4;
        const double want = in ? hx[static_cast<std::size_t>((a / 2) * 4 + b / 3)] : -7.0;
        EXPECT_EQ(hy[static_cast<std::size_t>(i * 10 + j)], want) << i << "," << j;
      }
    }
  }
}

TEST(ShapeOps, ConcatenateMatchesHostLoop) {
  const Array a = counting({2, 1, 3}, DType::f32);
  const Array b = counting({2, 4, 3}, DType::f32) + 100.0;
  const Array c = counting({2, 2, 3}, DType::f32) + 200.0;
  const Array y = lax::concatenate({a, b, c}, 1);
  ASSERT_EQ(y.shape(), (Shape{2, 7, 3}));
  const auto ha = host(a), hb = host(b), hc = host(c), hy = host(y);
  for (std::int64_t i = 0; i < y.size(); ++i) {
    auto cc = coords(i, y.shape());
    double want;
    if (cc[1] < 1) {
      want = ha[static_cast<std::size_t>(flat(cc, a.shape()))];
    } else if (cc[1] < 5) {
      cc[1] -= 1;
      want = hb[static_cast<std::size_t>(flat(cc, b.shape()))];
    } else {
      cc[1] -= 5;
      want = hc[static_cast<std::size_t>(flat(cc, c.shape()))];
    }
    EXPECT_EQ(hy[static_cast<std::size_t>(i)], want);
  }
}

TEST(ShapeOps, IotaMatchesHostLoop) {
  const Array a = lax::iota(DType::i64, 5);
  EXPECT_EQ(a.to_host<std::int64_t>(), (std::vector<std::int64_t>{0, 1, 2, 3, 4}));
  const Array b = lax::broadcasted_iota(DType::f32, {2, 3, 4}, 1);
  const auto hb = host(b);
  for (std::int64_t i = 0; i < b.size(); ++i) {
    EXPECT_EQ(hb[static_cast<std::size_t>(i)], static_cast<double>(coords(i, b.shape())[1]));
  }
}

// The documented order: blocks of 256 summed left to right, block totals
// summed left to right into offsets, element = offset + in-block prefix.
template <class T>
std::vector<T> blocked_cumsum(const std::vector<T>& x) {
  const std::size_t n = x.size(), B = 256;
  std::vector<T> out(n);
  T offset = 0;
  for (std::size_t b = 0; b * B < n; ++b) {
    T acc = x[b * B];
    out[b * B] = acc;
    for (std::size_t t = b * B + 1; t < std::min(n, (b + 1) * B); ++t) {
      acc = acc + x[t];
      out[t] = acc;
    }
    if (b > 0) {
      for (std::size_t t = b * B; t < std::min(n, (b + 1) * B); ++t) out[t] = offset + out[t];
    }
    offset = offset + acc;
  }
  return out;
}

TEST(ShapeOps, CumsumFollowsTheDocumentedBlockedOrder) {
  const std::int64_t n = 600;  // three blocks
  const Shape s{3, n, 2};
  const Array xf = random_array(s, DType::f32, 11);
  const Array xi = pure::astype(random_array(s, DType::f64, 12) * 1000.0, DType::i32);
  for (bool reverse : {false, true}) {
    const auto yf = lax::cumsum(xf, 1, reverse).to_host<float>();
    const auto yi = lax::cumsum(xi, 1, reverse).to_host<std::int32_t>();
    const auto hf = xf.to_host<float>();
    const auto hi = xi.to_host<std::int32_t>();
    for (std::int64_t p = 0; p < 3; ++p) {
      for (std::int64_t q = 0; q < 2; ++q) {
        auto at = [&](std::int64_t t) {
          const std::int64_t k = reverse ? n - 1 - t : t;
          return static_cast<std::size_t>((p * n + k) * 2 + q);
        };
        std::vector<float> line;
        for (std::int64_t t = 0; t < n; ++t) line.push_back(hf[at(t)]);
        const auto want = blocked_cumsum(line);
        long double exact = 0;
        std::int64_t isum = 0;
        for (std::int64_t t = 0; t < n; ++t) {
          exact += line[static_cast<std::size_t>(t)];
          isum += hi[at(t)];
          // Bitwise equal to the documented order ...
          EXPECT_EQ(yf[at(t)], want[static_cast<std::size_t>(t)]) << "t=" << t << " reverse=" << reverse;
          // ... which is an accurate sum: 600 terms of |x| ~ 1 in f32 round to < 1e-3.
          EXPECT_NEAR(yf[at(t)], static_cast<double>(exact), 1e-3);
          EXPECT_EQ(yi[at(t)], isum);
        }
      }
    }
  }
}

TEST(ShapeOps, NumpySurface) {
  const Array x = counting({2, 3, 4}, DType::f32);
  EXPECT_EQ(pure::transpose(x).shape(), (Shape{4, 3, 2}));
  EXPECT_EQ(host(pure::transpose(x, {-1, 0, 1})), host(lax::transpose(x, {2, 0, 1})));
  const Array st = pure::stack({x, x + 1.0}, -1);
  ASSERT_EQ(st.shape(), (Shape{2, 3, 4, 2}));
  EXPECT_EQ(host(lax::slice(st, {0, 0, 0, 1}, {2, 3, 4, 2})), host(x + 1.0));
  const Array cat = pure::concatenate({pure::ones({2, 3, 1}, DType::i32), x}, -1);
  EXPECT_EQ(cat.dtype(), DType::f32);  // promoted
  EXPECT_EQ(cat.shape(), (Shape{2, 3, 5}));
  const Array padded = pure::pad(pure::ones({2}, DType::f64), {{1, 2}}, 3.0);
  EXPECT_EQ(host(padded), (std::vector<double>{3, 1, 1, 3, 3}));
  const Array flags = pure::from_host_bool({1, 0, 1, 1}, {4});
  EXPECT_EQ(pure::cumsum(flags).to_host<std::int32_t>(), (std::vector<std::int32_t>{1, 1, 2, 3}));
  EXPECT_EQ(host(pure::cumsum(counting({2, 2}, DType::f64))), (std::vector<double>{0, 1, 3, 6}));
  EXPECT_EQ(host(pure::cumsum(counting({2, 2}, DType::f64), 0)), (std::vector<double>{0, 1, 2, 4}));
}

TEST(ShapeOps, ProgramText) {
  const auto prog = pure::make_program(
      [](const Array& x) {
        return lax::slice(lax::transpose(x, {1, 0}), {0, 1}, {3, 2});
      },
      pure::zeros({2, 3}));
  EXPECT_EQ(prog.str(),
            "{ lambda ; a:f32[2,3]. let\n"
            "    b:f32[3,2] = transpose[permutation=(1, 0)] a\n"
            "    c:f32[3,1] = slice[start_indices=(0, 1) limit_indices=(3, 2) strides=(1, 1)] b\n"
            "  in (c,) }");
}

// ---------------------------------------------------------------- derivatives

struct LinearCase {
  const char* name;
  std::function<Array(const Array&)> op;
  Shape in;
};

std::vector<LinearCase> linear_cases() {
  return {
      {"transpose",
       [](const Array& x) {
         return lax::transpose(x, {1, 2, 0});
       },
       {2, 3, 4}},
      {"slice",
       [](const Array& x) {
         return lax::slice(x, {1, 0, 1}, {2, 3, 4}, {1, 2, 2});
       },
       {2, 3, 4}},
      {"pad",
       [](const Array& x) {
         return lax::pad(x, pure::full({}, 0.5, x.dtype()), {1, -1}, {-1, 2}, {2, 1});
       },
       {3, 4}},
      {"concatenate",
       [](const Array& x) {
         return lax::concatenate({x, pure::ones({2, 3}, x.dtype()), x}, 0);
       },
       {1, 3}},
      {"cumsum", [](const Array& x) { return lax::cumsum(x, 1); }, {3, 300}},
      {"cumsum_reverse", [](const Array& x) { return lax::cumsum(x, 0, true); }, {260, 2}},
  };
}

TEST(ShapeOps, JvpMatchesCentralDifferences) {
  std::uint32_t seed = 100;
  for (const auto& c : linear_cases()) {
    SCOPED_TRACE(c.name);
    const auto f = [&](const Arrays& xs) { return Arrays{pure::sin(c.op(xs[0])) * c.op(xs[0])}; };
    expect_jvp_matches_differences(f, {random_array(c.in, DType::f64, seed)}, seed + 1, 1e-6);
    seed += 10;
  }
}

TEST(ShapeOps, TransposeRulesSatisfyTheAdjointIdentity) {
  std::uint32_t seed = 200;
  for (const auto& c : linear_cases()) {
    SCOPED_TRACE(c.name);
    const auto f = [&](const Arrays& xs) { return Arrays{c.op(xs[0])}; };
    // f64: both sides are sums of < 1000 products: error << 1e-13 of sum |terms|.
    expect_adjoint(f, {random_array(c.in, DType::f64, seed)}, seed + 1, 1e-13);
    // f32: same sums in single precision, ~1e-7 relative per rounding, log2(n) levels.
    expect_adjoint(f, {random_array(c.in, DType::f32, seed + 2)}, seed + 3, 2e-5);
    seed += 10;
  }
}

// pad and concatenate are linear in several inputs at once.
TEST(ShapeOps, MultiInputAdjointIdentity) {
  const auto pad_f = [](const Arrays& xs) { return Arrays{lax::pad(xs[0], xs[1], {2, 0}, {1, -2}, {0, 3})}; };
  expect_adjoint(pad_f, {random_array({3, 4}, DType::f64, 1), random_array({}, DType::f64, 2)}, 3, 1e-13);
  const auto cat_f = [](const Arrays& xs) { return Arrays{lax::concatenate(xs, 1)}; };
  expect_adjoint(
      cat_f,
      {random_array({2, 1}, DType::f64, 4), random_array({2, 5}, DType::f64, 5), random_array({2, 3}, DType::f64, 6)},
      7, 1e-13);
  // The padding value's cotangent is the sum over padded positions: with
  // ct = 1 it is their number. 3x4 becomes (2+3+1)x(4-2+3*3) = 6x11; the
  // operand's columns land at 0, 4, 8 and 12, so high=-2 crops the last one:
  // 66 - 9 = 57 padded cells, and the cropped column gets no cotangent.
  const auto [outs, pullback] = pure::vjp_flat(pad_f, {pure::ones({3, 4}, DType::f64), pure::zeros({}, DType::f64)});
  ASSERT_EQ(outs[0].shape(), (Shape{6, 11}));
  const Arrays cts = pullback({pure::ones({6, 11}, DType::f64)});
  EXPECT_EQ(cts[1].item<double>(), 57.0);
  EXPECT_EQ(host(cts[0]), (std::vector<double>{1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 0}));
}

TEST(ShapeOps, GradOfGradAndJvpOfGrad) {
  std::uint32_t seed = 300;
  for (const auto& c : linear_cases()) {
    SCOPED_TRACE(c.name);
    expect_second_order([&](const Array& x) { return smooth_sum(c.op(x)); }, random_array(c.in, DType::f64, seed),
                        seed + 1);
    seed += 10;
  }
}

// ---------------------------------------------------------------- errors

TEST(ShapeOps, BadArgumentsGiveClearErrors) {
  const Array x = pure::zeros({2, 3});
  expect_error<pure::ShapeError>([&] { lax::transpose(x, {0, 0}); }, "pure::transpose: permutation (0,0)");
  expect_error<pure::ShapeError>([&] { lax::slice(x, {0, 0}, {3, 3}); }, "pure::slice: axis 0");
  expect_error<pure::ShapeError>([&] { lax::slice(x, {0}, {2}); }, "pure::slice: argument 'start_indices'");
  expect_error<pure::ShapeError>([&] { lax::pad(x, pure::zeros({}), {0, 0}, {0, 0}, {-1, 0}); }, "pure::pad: axis 0");
  expect_error<pure::DTypeError>(
      [&] {
        lax::pad(x, pure::zeros({}, DType::f64), {1, 0}, {0, 0});
      },
      "pure::pad: argument 'padding_value'");
  expect_error<pure::ShapeError>(
      [&] {
        lax::concatenate({x, pure::zeros({3, 3})}, 1);
      },
      "pure::concatenate: operand 1 f32[3,3]");
  expect_error<pure::ShapeError>([&] { lax::broadcasted_iota(DType::i32, {2, 3}, 2); }, "pure::iota: dimension 2");
  expect_error<pure::ShapeError>([&] { lax::cumsum(x, 2); }, "pure::cumsum: axis 2");
  expect_error<pure::ShapeError>([&] { pure::stack({x, pure::zeros({3, 2})}); }, "pure::stack: array 1");
}

}  // namespace
