// The numpy-like surface: broadcasting, dtype promotion, scalars, reductions
// with axes/keepdims, the composite functions (logsumexp, softmax, var, norm)
// and their gradients, each against a plain host loop.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include <pure/pure.hpp>

namespace {

using pure::Array;
using pure::DType;
using pure::Shape;

Array f64(const std::vector<double>& v, const Shape& s) { return pure::from_host(v, s); }
Array f32(const std::vector<float>& v, const Shape& s) { return pure::from_host(v, s); }
std::vector<double> host(const Array& a) { return a.to_host<double>(); }

void expect_near(const std::vector<double>& got, const std::vector<double>& want, double rtol) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], rtol * (1 + std::fabs(want[i]))) << i;
}

// x[i][j] = i - 0.5 j + 0.25 (shape 2x3)
const std::vector<double> kA = {0.25, -0.25, -0.75, 1.25, 0.75, 0.25};

TEST(Broadcasting, ShapesFollowNumpy) {
  EXPECT_EQ(pure::broadcast_shapes(Shape{3, 1}, Shape{1, 4}), (Shape{3, 4}));
  EXPECT_EQ(pure::broadcast_shapes(Shape{5}, Shape{2, 5}), (Shape{2, 5}));
  EXPECT_EQ(pure::broadcast_shapes(Shape{}, Shape{3}), (Shape{3}));
  EXPECT_EQ(pure::broadcast_shapes(Shape{2, 1, 3}, Shape{4, 1}), (Shape{2, 4, 3}));
  EXPECT_THROW(pure::broadcast_shapes(Shape{2}, Shape{3}), pure::ShapeError);
}

TEST(Broadcasting, OperatorsBroadcastBothOperands) {
  const Array col = f64({1, 2, 3}, Shape{3, 1});
  const Array row = f64({10, 20, 30, 40}, Shape{4});
  const Array s = col + row, d = col - row, p = col * row, q = row / col;
  ASSERT_EQ(s.shape(), (Shape{3, 4}));
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 4; ++j) {
      const double c = i + 1, r = 10.0 * (j + 1);
      const auto k = static_cast<std::size_t>(i * 4 + j);
      EXPECT_EQ(host(s)[k], c + r);
      EXPECT_EQ(host(d)[k], c - r);
      EXPECT_EQ(host(p)[k], c * r);
      EXPECT_EQ(host(q)[k], r / c);
    }
  }
  EXPECT_EQ(pure::broadcast_to(f64({1, 2}, Shape{2}), Shape{2, 2}).to_host<double>(),
            (std::vector<double>{1, 2, 1, 2}));
}

TEST(Promotion, FloatBeatsIntegerWiderBeatsNarrower) {
  EXPECT_EQ(pure::promote_types(DType::i32, DType::f32), DType::f32);
  EXPECT_EQ(pure::promote_types(DType::f32, DType::f64), DType::f64);
  EXPECT_EQ(pure::promote_types(DType::i32, DType::i64), DType::i64);
  EXPECT_EQ(pure::promote_types(DType::boolean, DType::i32), DType::i32);
  const Array n = pure::from_host(std::vector<std::int32_t>{1, 2});
  const Array x = pure::from_host(std::vector<double>{0.5, 0.25});
  const Array y = n + x;
  EXPECT_EQ(y.dtype(), DType::f64);
  EXPECT_EQ(host(y), (std::vector<double>{1.5, 2.25}));
}

TEST(Scalars, TakeTheArraysDtype) {
  const Array x = f32({1, 2, 4}, Shape{3});
  const Array y = 2.0 * x - 1.0;
  EXPECT_EQ(y.dtype(), DType::f32);
  EXPECT_EQ(y.to_host<float>(), (std::vector<float>{1, 3, 7}));
  EXPECT_EQ((1.0 / x).to_host<float>(), (std::vector<float>{1, 0.5f, 0.25f}));
  EXPECT_EQ((x + 0.5).to_host<float>(), (std::vector<float>{1.5f, 2.5f, 4.5f}));
  EXPECT_EQ((3.0 - x).to_host<float>(), (std::vector<float>{2, 1, -1}));
  // Integer arrays (JAX's weak typing, docs/promotion.md): + - * with an integer
  // scalar keep int32, with a floating scalar give float64; / is true division.
  const Array n = pure::from_host(std::vector<std::int32_t>{1, 2, 7});
  EXPECT_EQ((n * 3).dtype(), DType::i32);
  EXPECT_EQ((n * 3).to_host<std::int32_t>(), (std::vector<std::int32_t>{3, 6, 21}));
  EXPECT_EQ((n * 1.5).to_host<double>(), (std::vector<double>{1.5, 3, 10.5}));
  const Array h = n / 2.0;
  EXPECT_EQ(h.dtype(), DType::f64);
  EXPECT_EQ(h.to_host<double>(), (std::vector<double>{0.5, 1, 3.5}));
  EXPECT_EQ(pure::divide(n, n).to_host<float>(), (std::vector<float>{1, 1, 1}));
}

TEST(Comparisons, GiveBooleansWithBroadcasting) {
  const Array x = f64({1, 2, 3}, Shape{3});
  const Array two = pure::full({}, 2.0, DType::f64);
  EXPECT_EQ(pure::to_host_bool(x < two), (std::vector<std::uint8_t>{1, 0, 0}));
  EXPECT_EQ(pure::to_host_bool(x <= two), (std::vector<std::uint8_t>{1, 1, 0}));
  EXPECT_EQ(pure::to_host_bool(x > two), (std::vector<std::uint8_t>{0, 0, 1}));
  EXPECT_EQ(pure::to_host_bool(x >= two), (std::vector<std::uint8_t>{0, 1, 1}));
  EXPECT_EQ(pure::to_host_bool(pure::equal(x, two)), (std::vector<std::uint8_t>{0, 1, 0}));
  EXPECT_EQ(pure::to_host_bool(pure::not_equal(x, two)), (std::vector<std::uint8_t>{1, 0, 1}));
  EXPECT_EQ((x < two).dtype(), DType::boolean);
}

TEST(Where, SelectsWithBroadcasting) {
  const Array cond = pure::from_host_bool({1, 0, 1}, Shape{3});
  const Array x = f64({1, 2, 3, 4, 5, 6}, Shape{2, 3});
  const Array y = pure::full({}, -1.0, DType::f64);
  EXPECT_EQ(host(pure::where(cond, x, y)), (std::vector<double>{1, -1, 3, 4, -1, 6}));
  EXPECT_EQ(host(pure::clip(x, 2, 4.5)), (std::vector<double>{2, 2, 3, 4, 4.5, 4.5}));
  EXPECT_EQ(host(pure::maximum(x, pure::full({}, 3.5, DType::f64))), (std::vector<double>{3.5, 3.5, 3.5, 4, 5, 6}));
  EXPECT_EQ(host(pure::minimum(x, pure::full({}, 3.5, DType::f64))), (std::vector<double>{1, 2, 3, 3.5, 3.5, 3.5}));
}

TEST(Elementwise, UnaryFunctionsOfIntegersComputeInFloat) {
  const Array n = pure::from_host(std::vector<std::int32_t>{0, 1, 4});
  const Array r = pure::sqrt(n);
  EXPECT_EQ(r.dtype(), DType::f32);
  EXPECT_EQ(r.to_host<float>(), (std::vector<float>{0, 1, 2}));
  EXPECT_EQ(pure::exp(n).dtype(), DType::f32);
  EXPECT_EQ(pure::abs(pure::from_host(std::vector<std::int32_t>{-3, 2})).to_host<std::int32_t>(),
            (std::vector<std::int32_t>{3, 2}));
  EXPECT_EQ((-n).to_host<std::int32_t>(), (std::vector<std::int32_t>{0, -1, -4}));
  EXPECT_EQ(pure::square(n).to_host<std::int32_t>(), (std::vector<std::int32_t>{0, 1, 16}));
  const Array x = f64({-1, 0, 2}, Shape{3});
  const std::vector<double> s = host(pure::sigmoid(x));
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(s[i], 1 / (1 + std::exp(-host(x)[i])), 1e-16);
  EXPECT_EQ(host(pure::sign(x)), (std::vector<double>{-1, 0, 1}));
  EXPECT_EQ(host(pure::power(x, pure::full({}, 2.0, DType::f64))), (std::vector<double>{1, 0, 4}));
}

// ---------------------------------------------------------------- reductions

// Host reductions of kA (2x3) over axis sets.
double host_sum(const std::vector<int>& rows, const std::vector<int>& cols) {
  double s = 0;
  for (int i : rows) {
    for (int j : cols) s += kA[static_cast<std::size_t>(i * 3 + j)];
  }
  return s;
}

TEST(Reductions, SumOverAxesWithKeepdims) {
  const Array a = f64(kA, Shape{2, 3});
  EXPECT_DOUBLE_EQ(pure::sum(a).item<double>(), host_sum({0, 1}, {0, 1, 2}));
  const Array s0 = pure::sum(a, {0});
  EXPECT_EQ(s0.shape(), (Shape{3}));
  for (int j = 0; j < 3; ++j) EXPECT_DOUBLE_EQ(host(s0)[j], host_sum({0, 1}, {j}));
  const Array s1 = pure::sum(a, {-1}, true);
  EXPECT_EQ(s1.shape(), (Shape{2, 1}));
  for (int i = 0; i < 2; ++i) EXPECT_DOUBLE_EQ(host(s1)[i], host_sum({i}, {0, 1, 2}));
  EXPECT_EQ(pure::sum(a, {0, 1}, true).shape(), (Shape{1, 1}));
}

TEST(Reductions, SumOfBooleansCounts) {
  const Array b = pure::from_host_bool({1, 0, 1, 1}, Shape{4});
  const Array c = pure::sum(b);
  EXPECT_EQ(c.dtype(), DType::i32);
  EXPECT_EQ(c.item<std::int32_t>(), 3);
}

TEST(Reductions, MeanVarMaxMin) {
  const Array a = f64(kA, Shape{2, 3});
  const std::vector<double> m = host(pure::mean(a, {1}));
  const std::vector<double> v = host(pure::var(a, {1}));
  for (int i = 0; i < 2; ++i) {
    const double mu = host_sum({i}, {0, 1, 2}) / 3;
    double var = 0;
    for (int j = 0; j < 3; ++j) var += std::pow(kA[static_cast<std::size_t>(i * 3 + j)] - mu, 2) / 3;
    EXPECT_NEAR(m[i], mu, 1e-15);
    EXPECT_NEAR(v[i], var, 1e-15);
  }
  EXPECT_EQ(host(pure::max(a, {0})), (std::vector<double>{1.25, 0.75, 0.25}));
  EXPECT_EQ(host(pure::min(a, {1}, true)), (std::vector<double>{-0.75, 0.25}));
  EXPECT_EQ(pure::min(a, {1}, true).shape(), (Shape{2, 1}));
  EXPECT_EQ(pure::max(a).item<double>(), 1.25);
  // mean of integers is a float
  EXPECT_EQ(pure::mean(pure::from_host(std::vector<std::int32_t>{1, 2})).item<float>(), 1.5f);
}

TEST(Reductions, NormIsEuclidean) {
  const Array a = f64({3, 4, 0, 12}, Shape{2, 2});
  EXPECT_DOUBLE_EQ(pure::norm(a).item<double>(), 13);
  EXPECT_EQ(host(pure::norm(a, {1})), (std::vector<double>{5, 12}));
}

// ---------------------------------------------------------------- logsumexp, softmax

TEST(LogSumExp, MatchesTheHostAndIsStableForLargeValues) {
  const Array a = f64(kA, Shape{2, 3});
  const std::vector<double> l = host(pure::logsumexp(a, {1}));
  for (int i = 0; i < 2; ++i) {
    double s = 0;
    for (int j = 0; j < 3; ++j) s += std::exp(kA[static_cast<std::size_t>(i * 3 + j)]);
    EXPECT_NEAR(l[i], std::log(s), 1e-15);
  }
  EXPECT_EQ(pure::logsumexp(a, {1}, true).shape(), (Shape{2, 1}));
  // exp(1000) overflows; the shifted form does not.
  const Array big = f64({1000, 1000}, Shape{2});
  EXPECT_NEAR(pure::logsumexp(big).item<double>(), 1000 + std::log(2.0), 1e-12);
  EXPECT_NEAR(pure::logsumexp(f64({-1000, -1000}, Shape{2})).item<double>(), -1000 + std::log(2.0), 1e-12);
}

TEST(Softmax, RowsSumToOneAndMatchTheHost) {
  const Array a = f64(kA, Shape{2, 3});
  const std::vector<double> p = host(pure::softmax(a));
  for (int i = 0; i < 2; ++i) {
    double z = 0;
    for (int j = 0; j < 3; ++j) z += std::exp(kA[static_cast<std::size_t>(i * 3 + j)]);
    for (int j = 0; j < 3; ++j) {
      const auto k = static_cast<std::size_t>(i * 3 + j);
      EXPECT_NEAR(p[k], std::exp(kA[k]) / z, 1e-15);
    }
  }
  const std::vector<double> p0 = host(pure::softmax(a, 0));
  for (int j = 0; j < 3; ++j)
    EXPECT_NEAR(p0[static_cast<std::size_t>(j)] + p0[static_cast<std::size_t>(3 + j)], 1, 1e-15);
  const std::vector<double> big = host(pure::softmax(f64({1000, 1000}, Shape{2})));
  EXPECT_EQ(big, (std::vector<double>{0.5, 0.5}));
}

TEST(LogSumExp, InfiniteInputsGiveInfiniteResults) {
  // As jax.nn.logsumexp and scipy: all -inf sums to 0, whose log is -inf; +inf dominates.
  const double inf = std::numeric_limits<double>::infinity();
  const double all_minus_inf = pure::logsumexp(f64({-inf, -inf}, Shape{2})).item<double>();
  const double with_inf = pure::logsumexp(f64({1, inf}, Shape{2})).item<double>();
  EXPECT_EQ(all_minus_inf, -inf);
  EXPECT_EQ(with_inf, inf);
  // Masked entries (-inf) next to finite ones are fine either way.
  EXPECT_NEAR(pure::logsumexp(f64({0, -inf}, Shape{2})).item<double>(), 0, 1e-16);
}

// ---------------------------------------------------------------- gradients through the surface

TEST(NumpyGrad, GradOfLogSumExpIsSoftmax) {
  const Array a = f64(kA, Shape{2, 3});
  const Array g = pure::grad([](const Array& x) { return pure::sum(pure::logsumexp(x, {1})); })(a);
  expect_near(host(g), host(pure::softmax(a, 1)), 1e-15);
}

TEST(NumpyGrad, MeanVarAndNorm) {
  const Array a = f64(kA, Shape{6});
  const double n = 6;
  double mu = 0;
  for (double x : kA) mu += x / n;
  const std::vector<double> gm = host(pure::grad([](const Array& x) { return pure::mean(x); })(a));
  const std::vector<double> gv = host(pure::grad([](const Array& x) { return pure::var(x); })(a));
  const std::vector<double> gn = host(pure::grad([](const Array& x) { return pure::norm(x); })(a));
  const double nrm = pure::norm(a).item<double>();
  for (std::size_t i = 0; i < kA.size(); ++i) {
    EXPECT_NEAR(gm[i], 1 / n, 1e-16);
    EXPECT_NEAR(gv[i], 2 * (kA[i] - mu) / n, 1e-15);
    EXPECT_NEAR(gn[i], kA[i] / nrm, 1e-15);
  }
}

TEST(NumpyGrad, BroadcastingIsTransposedToASum) {
  // d/db sum(x + b) for b of shape (3,) broadcast over (2,3) rows: 2 each.
  const Array x = f64(kA, Shape{2, 3});
  const auto f = [&x](const Array& b) { return pure::sum(x * b); };
  const Array g = pure::grad(f)(f64({1, 2, 3}, Shape{3}));
  EXPECT_EQ(g.shape(), (Shape{3}));
  for (int j = 0; j < 3; ++j) EXPECT_DOUBLE_EQ(host(g)[j], host_sum({0, 1}, {j}));
  // A scalar parameter broadcast everywhere gets the sum of all cotangents.
  const Array gs = pure::grad([&x](const Array& s) { return pure::sum(x * s); })(pure::full({}, 2.0, DType::f64));
  EXPECT_DOUBLE_EQ(gs.item<double>(), host_sum({0, 1}, {0, 1, 2}));
}

TEST(NumpyGrad, MaxSharesTiesEvenly) {
  // As jax: the gradient of max goes to the maximal elements, split evenly on ties.
  const Array x = f64({1, 3, 3, 2}, Shape{4});
  EXPECT_EQ(host(pure::grad([](const Array& v) { return pure::max(v); })(x)), (std::vector<double>{0, 0.5, 0.5, 0}));
  const Array y = f64({1, 2}, Shape{2});
  EXPECT_EQ(host(pure::grad([&y](const Array& v) { return pure::sum(pure::maximum(v, y)); })(f64({2, 2}, Shape{2}))),
            (std::vector<double>{1, 0.5}));
}

// ---------------------------------------------------------------- empty arrays

TEST(EmptyArrays, ElementwiseAndReductionsAcceptZeroExtents) {
  const Array e = pure::zeros({0, 3}, DType::f64);
  EXPECT_EQ((pure::exp(e) + e).shape(), (Shape{0, 3}));
  EXPECT_EQ(pure::sum(e, {0}).to_host<double>(), (std::vector<double>{0, 0, 0}));
  EXPECT_EQ(pure::sum(e, {1}).shape(), (Shape{0}));
  EXPECT_EQ(pure::sum(e).item<double>(), 0);
  EXPECT_EQ(pure::grad([](const Array& x) { return pure::sum(x * x); })(e).shape(), (Shape{0, 3}));
}

// ---------------------------------------------------------------- shapes

TEST(Shapes, ExpandDimsSqueezeReshape) {
  const Array a = f64(kA, Shape{2, 3});
  EXPECT_EQ(pure::expand_dims(a, 0).shape(), (Shape{1, 2, 3}));
  EXPECT_EQ(pure::expand_dims(a, -1).shape(), (Shape{2, 3, 1}));
  EXPECT_EQ(pure::expand_dims(a, 1).shape(), (Shape{2, 1, 3}));
  const Array b = pure::reshape(a, Shape{1, 2, 1, 3});
  EXPECT_EQ(pure::squeeze(b).shape(), (Shape{2, 3}));
  EXPECT_EQ(pure::squeeze(b, {2}).shape(), (Shape{1, 2, 3}));
  EXPECT_EQ(pure::squeeze(b, {0, -2}).shape(), (Shape{2, 3}));
  EXPECT_EQ(host(pure::squeeze(b)), kA);
}

}  // namespace
