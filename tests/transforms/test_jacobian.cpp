// jacfwd, jacrev, hessian and linearize over trees, against analytic
// derivatives and against each other.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include <pure/pure.hpp>

namespace {

using pure::Array;
using pure::Tree;

Array vecd(const std::vector<double>& v) { return pure::from_host(v); }
Array matd(const std::vector<double>& v, std::int64_t r, std::int64_t c) { return pure::from_host(v, {r, c}); }

void expect_near(const Array& got, const std::vector<double>& want, double tol) {
  const std::vector<double> g = got.to_host<double>();
  ASSERT_EQ(g.size(), want.size());
  for (std::size_t i = 0; i < g.size(); ++i) EXPECT_NEAR(g[i], want[i], tol) << "element " << i;
}

const std::vector<double> kA{1.0, -2.0, 0.5, 3.0, 0.25, -1.5};  // 2x3
const std::vector<double> kX{0.3, -1.2, 2.0};

// y_i = sum_j A_ij sin(x_j), so J_ij = A_ij cos(x_j).
Array f_sin(const Array& x) { return pure::sum(matd(kA, 2, 3) * pure::sin(x), {1}); }

std::vector<double> f_sin_jacobian() {
  std::vector<double> j(6);
  for (int i = 0; i < 2; ++i) {
    for (int k = 0; k < 3; ++k)
      j[static_cast<std::size_t>(i * 3 + k)] =
          kA[static_cast<std::size_t>(i * 3 + k)] * std::cos(kX[static_cast<std::size_t>(k)]);
  }
  return j;
}

TEST(Jacobian, ForwardAndReverseMatchTheAnalyticJacobian) {
  const Array x = vecd(kX);
  const Array jf = pure::jacfwd(f_sin)(x);
  const Array jr = pure::jacrev(f_sin)(x);
  EXPECT_EQ(jf.shape(), (pure::Shape{2, 3}));
  EXPECT_EQ(jr.shape(), (pure::Shape{2, 3}));
  expect_near(jf, f_sin_jacobian(), 1e-15);
  expect_near(jr, f_sin_jacobian(), 1e-15);
}

TEST(Jacobian, ShapeIsOutputShapeThenInputShape) {
  // f(X) = X * X elementwise: J[i,j,k,l] = 2 X_ij if (i,j) == (k,l), else 0. Exact in f32.
  const Array X = pure::from_host(std::vector<float>{1, -2, 3, 0.5f, 4, -1}, {2, 3});
  auto sq = [](const Array& v) { return v * v; };
  const Array jf = pure::jacfwd(sq)(X);
  const Array jr = pure::jacrev(sq)(X);
  EXPECT_EQ(jf.shape(), (pure::Shape{2, 3, 2, 3}));
  EXPECT_EQ(jf.dtype(), pure::DType::f32);
  const std::vector<float> xs = X.to_host<float>();
  std::vector<float> want(36, 0.0f);
  for (std::size_t i = 0; i < 6; ++i) want[i * 6 + i] = 2 * xs[i];
  EXPECT_EQ(jf.to_host<float>(), want);
  EXPECT_EQ(jr.to_host<float>(), want);

  // Scalars: shape () + () = ().
  const Array s = pure::full({}, 1.5, pure::DType::f64);
  auto cube = [](const Array& v) { return v * v * v; };
  EXPECT_EQ(pure::jacfwd(cube)(s).shape(), pure::Shape{});
  EXPECT_DOUBLE_EQ(pure::jacfwd(cube)(s).item<double>(), 3 * 1.5 * 1.5);
  EXPECT_DOUBLE_EQ(pure::jacrev(cube)(s).item<double>(), 3 * 1.5 * 1.5);

  // An output that does not depend on x has a zero Jacobian of the full shape.
  auto constant = [](const Array&) { return pure::ones({2}, pure::DType::f64); };
  EXPECT_EQ(pure::jacfwd(constant)(vecd(kX)).to_host<double>(), std::vector<double>(6, 0.0));
  EXPECT_EQ(pure::jacrev(constant)(vecd(kX)).to_host<double>(), std::vector<double>(6, 0.0));
}

TEST(Jacobian, SelectsTheDifferentiatedArgument) {
  // f(a, x) = a * sin(x) (a fixed): J = diag(a cos x).
  const Array a = vecd({2.0, -1.0, 0.5});
  auto f = [](const Array& a, const Array& x) { return a * pure::sin(x); };
  const Array j = pure::jacfwd<1>(f)(a, vecd(kX));
  const Array k = pure::jacrev<1>(f)(a, vecd(kX));
  std::vector<double> want(9, 0.0);
  const std::vector<double> av{2.0, -1.0, 0.5};
  for (std::size_t i = 0; i < 3; ++i) want[i * 4] = av[i] * std::cos(kX[i]);
  expect_near(j, want, 1e-15);
  expect_near(k, want, 1e-15);
}

TEST(Jacobian, HessianMatchesAnalytic) {
  // g(x) = sum(x^3) + (sum x)^2: H = diag(6 x) + 2.
  auto g = [](const Array& x) {
    const Array s = pure::sum(x);
    return pure::sum(x * x * x) + s * s;
  };
  const Array x = vecd(kX);
  std::vector<double> want(9, 2.0);
  for (std::size_t i = 0; i < 3; ++i) want[i * 4] += 6 * kX[i];
  const Array h = pure::hessian(g)(x);
  EXPECT_EQ(h.shape(), (pure::Shape{3, 3}));
  expect_near(h, want, 1e-13);
  // The other three orders of the two modes give the same matrix.
  expect_near(pure::jacrev(pure::jacrev(g))(x), want, 1e-13);
  expect_near(pure::jacfwd(pure::jacfwd(g))(x), want, 1e-13);
  expect_near(pure::jacrev(pure::jacfwd(g))(x), want, 1e-13);
  expect_near(pure::jacfwd(pure::grad(g))(x), want, 1e-13);

  // log-sum-exp: H = diag(p) - p p^T with p = softmax(x).
  auto lse = [](const Array& v) { return pure::logsumexp(v); };
  double z = 0;
  for (double v : kX) z += std::exp(v);
  std::vector<double> p, want2(9);
  for (double v : kX) p.push_back(std::exp(v) / z);
  for (std::size_t i = 0; i < 3; ++i) {
    for (std::size_t k = 0; k < 3; ++k) want2[i * 3 + k] = (i == k ? p[i] : 0.0) - p[i] * p[k];
  }
  expect_near(pure::hessian(lse)(x), want2, 1e-14);
}

TEST(Jacobian, WorksUnderOtherTransforms) {
  // loss(x) = sum_ij J_ij(x) = sum_ij A_ij cos(x_j): d/dx_j = -sum_i A_ij sin(x_j).
  auto loss_rev = [](const Array& x) { return pure::sum(pure::jacrev(f_sin)(x)); };
  auto loss_fwd = [](const Array& x) { return pure::sum(pure::jacfwd(f_sin)(x)); };
  std::vector<double> want(3);
  for (std::size_t j = 0; j < 3; ++j) want[j] = -(kA[j] + kA[3 + j]) * std::sin(kX[j]);
  expect_near(pure::grad(loss_rev)(vecd(kX)), want, 1e-15);
  expect_near(pure::grad(loss_fwd)(vecd(kX)), want, 1e-15);
}

TEST(Jacobian, RejectsNonFloatArgumentsAndResults) {
  auto id = [](const Array& x) { return x * 2.0; };
  try {
    (void)pure::jacfwd(id)(pure::arange(3, pure::DType::i32));
    ADD_FAILURE() << "expected DTypeError";
  } catch (const pure::DTypeError& e) {
    EXPECT_NE(std::string(e.what()).find("pure::jacfwd: the differentiated argument must be float32 or float64"),
              std::string::npos)
        << e.what();
  }
  auto to_int = [](const Array& x) { return pure::astype(x, pure::DType::i32); };
  EXPECT_THROW((void)pure::jacrev(to_int)(vecd(kX)), pure::DTypeError);
  EXPECT_THROW((void)pure::jacfwd(to_int)(vecd(kX)), pure::DTypeError);
}

TEST(Linearize, OverTreesMatchesJvp) {
  Tree p;
  p["w"] = vecd({1.0, 2.0, -1.0});
  p["b"] = pure::full({}, 0.5, pure::DType::f64);
  const Array x = vecd(kX);
  auto f = [](const Tree& q, const Array& x) { return pure::sin(q["w"] * x) + pure::exp(q["b"]); };
  auto [y, f_jvp] = pure::linearize(f, p, x);
  expect_near(y, f(p, x).to_host<double>(), 0.0);

  // Tangents given with the keys in another order are matched by path.
  Tree dp;
  dp["b"] = pure::full({}, 2.0, pure::DType::f64);
  dp["w"] = vecd({0.5, -1.0, 0.25});
  const Array dx = vecd({1.0, 0.0, -2.0});
  const Array dy = f_jvp(dp, dx);
  // d/dt [sin(w x) + e^b] = cos(w x) (dw x + w dx) + e^b db.
  const std::vector<double> w{1.0, 2.0, -1.0}, dw{0.5, -1.0, 0.25}, dxs{1.0, 0.0, -2.0};
  std::vector<double> want;
  for (std::size_t i = 0; i < 3; ++i) {
    want.push_back(std::cos(w[i] * kX[i]) * (dw[i] * kX[i] + w[i] * dxs[i]) + std::exp(0.5) * 2.0);
  }
  expect_near(dy, want, 1e-15);
  // Applying again reuses the same linear program.
  expect_near(
      f_jvp(pure::tree_scale(2.0, dp), dx * 2.0),
      [&] {
        std::vector<double> w2;
        for (double v : want) w2.push_back(2 * v);
        return w2;
      }(),
      1e-15);

  Tree bad;
  bad["w"] = vecd({0.0, 0.0, 0.0});
  EXPECT_THROW((void)f_jvp(bad, dx), pure::Error);
}

}  // namespace
