// The user-facing transforms (grad, value_and_grad, jvp, vjp, linearize) and
// their compositions: grad(grad), jvp(grad), grad(jvp), grad of a function that
// calls grad (force matching), perturbation confusion, has_aux, argument
// selection. Expected values are analytic or central differences in f64.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <tuple>
#include <utility>
#include <vector>

#include <pure/pure.hpp>

namespace {

using pure::Array;
using pure::DType;
using pure::Shape;
namespace lax = pure::lax;

Array f64(const std::vector<double>& v) { return pure::from_host(v); }
Array f64(const std::vector<double>& v, const Shape& s) { return pure::from_host(v, s); }
Array scalar(double v) { return pure::full({}, v, DType::f64); }
std::vector<double> host(const Array& a) { return a.to_host<double>(); }
double value(const Array& a) { return a.item<double>(); }

void expect_near(const std::vector<double>& got, const std::vector<double>& want, double tol, const char* what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_NEAR(got[i], want[i], tol * (1 + std::fabs(want[i]))) << what << " element " << i;
  }
}

const std::vector<double> kX = {-1.3, -0.4, 0.2, 0.9, 1.7};

// ---------------------------------------------------------------- first order

TEST(Grad, OfASumOfSquaresIsTwiceTheInput) {
  const auto f = [](const Array& x) { return pure::sum(x * x); };
  const std::vector<double> g = host(pure::grad(f)(f64(kX)));
  std::vector<double> want;
  for (double x : kX) want.push_back(2 * x);
  expect_near(g, want, 1e-15, "grad");
  auto [v, g2] = pure::value_and_grad(f)(f64(kX));
  double ss = 0;
  for (double x : kX) ss += x * x;
  EXPECT_NEAR(value(v), ss, 1e-14);
  EXPECT_EQ(host(g2), g);
}

// JAX's conventions at non-differentiable and singular points (issue 9, item 5;
// the values are JAX's documented rules, stated in the issue).
TEST(Grad, AbsAtZeroIsOneAsInJax) {
  // jax: abs's JVP is select(x >= 0, t, -t), so grad(abs)(0.) == 1 (also at -0.).
  const auto f = [](const Array& x) { return pure::sum(pure::abs(x)); };
  EXPECT_EQ(host(pure::grad(f)(f64({0.0, -0.0, 2.5, -3.0}))), (std::vector<double>{1.0, 1.0, 1.0, -1.0}));
}

TEST(Grad, PowWithRespectToTheExponentAtZeroBaseIsZeroToEveryOrder) {
  // d/dy 0^y = 0^y log 0 is taken as 0 (jax); with the double where the second
  // derivative is 0 too instead of NaN. Away from 0: d^2/dy^2 x^y = x^y (log x)^2.
  for (double x : {0.0, 2.0}) {
    const auto first = [x](const Array& y) { return pure::power(scalar(x), y); };
    const auto second = [&](const Array& y) { return pure::grad(first)(y); };
    const double d1 = value(pure::grad(first)(scalar(3.0)));
    const double d2 = value(pure::grad(second)(scalar(3.0)));
    const double l = x == 0.0 ? 0.0 : std::log(x);
    EXPECT_NEAR(d1, std::pow(x, 3.0) * l, 1e-14) << "x = " << x;
    EXPECT_NEAR(d2, std::pow(x, 3.0) * l * l, 1e-14) << "x = " << x;
  }
}

TEST(Grad, KeepsTheInputDtype) {
  const auto f = [](const Array& x) { return pure::sum(pure::exp(x)); };
  const Array g = pure::grad(f)(pure::from_host(std::vector<float>{0.5f, 1}));
  EXPECT_EQ(g.dtype(), DType::f32);
  EXPECT_NEAR(g.to_host<float>()[1], std::exp(1.0f), 1e-6f);
}

TEST(Grad, StopGradientCutsTheDerivative) {
  // d/dx [x * stop(x)] = stop(x), not 2x.
  const auto f = [](const Array& x) { return pure::sum(x * lax::stop_gradient(x)); };
  expect_near(host(pure::grad(f)(f64(kX))), kX, 1e-15, "stop_gradient");
}

TEST(Jvp, MatchesTheAnalyticDirectionalDerivative) {
  const auto f = [](const Array& x) { return pure::sin(x) * x; };
  const std::vector<double> u = {1, -2, 0.5, 3, -1};
  auto [y, t] = pure::jvp(f, f64(kX), f64(u));
  for (std::size_t i = 0; i < kX.size(); ++i) {
    EXPECT_NEAR(host(y)[i], std::sin(kX[i]) * kX[i], 1e-15);
    EXPECT_NEAR(host(t)[i], (std::cos(kX[i]) * kX[i] + std::sin(kX[i])) * u[i], 1e-14);
  }
}

TEST(Jvp, OverTuplesOfArguments) {
  const auto f = [](const Array& a, const Array& b) { return a * b; };
  auto [y, t] = pure::jvp(f, std::make_tuple(scalar(2), scalar(3)), std::make_tuple(scalar(1), scalar(10)));
  EXPECT_EQ(value(y), 6);
  EXPECT_EQ(value(t), 1 * 3 + 2 * 10);
}

TEST(Vjp, PullbackGivesOneCotangentPerArgument) {
  const auto f = [](const Array& a, const Array& b) { return a * pure::exp(b); };
  const Array a = f64({1, 2}), b = f64({0.5, -1});
  auto [y, pullback] = pure::vjp(f, a, b);
  auto [ca, cb] = pullback(f64({1, 10}));
  expect_near(host(ca), {std::exp(0.5), 10 * std::exp(-1.0)}, 1e-15, "d/da");
  expect_near(host(cb), {1 * std::exp(0.5), 10 * 2 * std::exp(-1.0)}, 1e-15, "d/db");
  // The pullback is a function: it can be called again with another cotangent.
  auto [ca2, cb2] = pullback(f64({0, 1}));
  EXPECT_EQ(host(ca2)[0], 0);
  EXPECT_NEAR(host(cb2)[1], 2 * std::exp(-1.0), 1e-15);
}

TEST(Vjp, SeveralOutputsWithZeroCotangents) {
  const auto f = [](const Array& x) { return std::make_pair(pure::sin(x), x * x); };
  auto [y, pullback] = pure::vjp(f, f64(kX));
  const Array ones = pure::ones({5}, DType::f64), zeros = pure::zeros({5}, DType::f64);
  const std::vector<double> d_sin = host(std::get<0>(pullback(std::make_pair(ones, zeros))));
  const std::vector<double> d_sq = host(std::get<0>(pullback(std::make_pair(zeros, ones))));
  for (std::size_t i = 0; i < kX.size(); ++i) {
    EXPECT_NEAR(host(y.first)[i], std::sin(kX[i]), 1e-16);
    EXPECT_NEAR(d_sin[i], std::cos(kX[i]), 1e-16);
    EXPECT_EQ(d_sq[i], 2 * kX[i]);
  }
}

TEST(Grad, OfAFunctionThatIgnoresItsInputIsZero) {
  const auto f = [](const Array&) { return pure::full({}, 3.0, DType::f64); };
  EXPECT_EQ(host(pure::grad(f)(f64(kX))), std::vector<double>(5, 0.0));
  const auto g = [](const Array& x) { return pure::sum(lax::stop_gradient(x) * 2.0); };
  EXPECT_EQ(host(pure::grad(g)(f64(kX))), std::vector<double>(5, 0.0));
}

TEST(Linearize, AppliesTheJvpAndItsTranspose) {
  const pure::FlatFn f = [](const std::vector<Array>& x) { return std::vector<Array>{pure::tanh(x[0]) * x[0]}; };
  const pure::Linearized lin = pure::linearize_flat(f, {f64(kX)});
  const Array u = f64({1, 1, -1, 2, 0.5});
  const Array t = lin.apply({u}).at(0);
  const Array t2 = pure::jvp_flat(f, {f64(kX)}, {u}).second.at(0);
  EXPECT_EQ(host(t), host(t2));
  const Array ct = lin.transpose({u}).at(0);
  // The map is diagonal, so its transpose is itself.
  expect_near(host(ct), host(t), 1e-15, "transpose");
}

// ---------------------------------------------------------------- higher order

TEST(Compose, GradOfGradOfACube) {
  const auto f = [](const Array& x) { return x * x * x; };
  for (double x : {-2.0, 0.5, 3.0}) {
    EXPECT_NEAR(value(pure::grad(f)(scalar(x))), 3 * x * x, 1e-13);
    EXPECT_NEAR(value(pure::grad(pure::grad(f))(scalar(x))), 6 * x, 1e-13);
    EXPECT_NEAR(value(pure::grad(pure::grad(pure::grad(f)))(scalar(x))), 6, 1e-13);
  }
}

TEST(Compose, ThirdAndFourthDerivativesOfSin) {
  const auto f = [](const Array& x) { return pure::sin(x); };
  const auto d3 = pure::grad(pure::grad(pure::grad(f)));
  const auto d4 = pure::grad(d3);
  for (double x : kX) {
    EXPECT_NEAR(value(d3(scalar(x))), -std::cos(x), 1e-15);
    EXPECT_NEAR(value(d4(scalar(x))), std::sin(x), 1e-15);
  }
}

// g(x) = sum(exp(x) sin(x)): grad g = e^x (sin x + cos x), H = diag(2 e^x cos x).
TEST(Compose, JvpOfGradIsAHessianVectorProduct) {
  const auto g = [](const Array& x) { return pure::sum(pure::exp(x) * pure::sin(x)); };
  const std::vector<double> u = {0.3, -1, 2, 0.7, -0.2};
  auto [gx, hu] = pure::jvp(pure::grad(g), f64(kX), f64(u));
  for (std::size_t i = 0; i < kX.size(); ++i) {
    const double e = std::exp(kX[i]);
    EXPECT_NEAR(host(gx)[i], e * (std::sin(kX[i]) + std::cos(kX[i])), 1e-14);
    EXPECT_NEAR(host(hu)[i], 2 * e * std::cos(kX[i]) * u[i], 1e-14);
  }
}

// h(x) = <J_f(x) u, 1> for f(x) = x^3 elementwise: h = sum(3 x^2 u), grad h = 6 x u.
TEST(Compose, GradOfJvp) {
  const std::vector<double> u = {1, 2, -1, 0.5, 3};
  const Array ua = f64(u);
  const auto h = [&ua](const Array& x) {
    const auto cube = [](const Array& y) { return y * y * y; };
    return pure::sum(pure::jvp(cube, x, ua).second);
  };
  const std::vector<double> g = host(pure::grad(h)(f64(kX)));
  for (std::size_t i = 0; i < kX.size(); ++i) EXPECT_NEAR(g[i], 6 * kX[i] * u[i], 1e-13);
}

TEST(Compose, JvpOfJvp) {
  // Second directional derivative of exp along u and v: e^x u v.
  const auto f = [](const Array& x) { return pure::exp(x); };
  const Array u = f64({1, -1, 2, 0.5, 1}), v = f64({2, 2, -1, 1, 0});
  const auto df = [&](const Array& x) { return pure::jvp(f, x, u).second; };
  const std::vector<double> d2 = host(pure::jvp(df, f64(kX), v).second);
  for (std::size_t i = 0; i < kX.size(); ++i) EXPECT_NEAR(d2[i], std::exp(kX[i]) * host(u)[i] * host(v)[i], 1e-14);
}

TEST(Compose, VjpOfGradMatchesGradOfGrad) {
  const auto f = [](const Array& x) { return pure::sum(pure::tanh(x) * x); };
  auto [g, pullback] = pure::vjp(pure::grad(f), f64(kX));
  const std::vector<double> hv = host(std::get<0>(pullback(pure::ones({5}, DType::f64))));
  // H is diagonal: d2/dx2 [x tanh x] = 2 sech^2 x - 2 x sech^2 x tanh x.
  for (std::size_t i = 0; i < kX.size(); ++i) {
    const double t = std::tanh(kX[i]), s2 = 1 - t * t;
    EXPECT_NEAR(hv[i], 2 * s2 - 2 * kX[i] * s2 * t, 1e-14);
  }
}

// ---------------------------------------------------------------- perturbation confusion

// The examples of autodidax2 / Siskind & Pearlmutter: an inner derivative must
// not see the outer derivative's perturbation.
TEST(PerturbationConfusion, InnerDerivativeOfAnOuterConstantIsZero) {
  // f(x) = x * d/dy[x] = x * 0, so f'(x) = 0 (a confused implementation gives 1).
  const auto f = [](const Array& x) {
    const auto g = [&x](const Array& y) { return x + 0.0 * y; };
    return x * pure::grad(g)(scalar(0));
  };
  EXPECT_EQ(value(f(scalar(2))), 0);
  EXPECT_EQ(value(pure::grad(f)(scalar(2))), 0);
  // The same with forward mode outside.
  EXPECT_EQ(value(pure::jvp(f, scalar(2), scalar(1)).second), 0);
}

TEST(PerturbationConfusion, SiskindPearlmutter) {
  // d/dx [ x * (d/dy (x + y))(1) ] at x = 1 is 1; confusing the two tangents gives 2.
  const auto f = [](const Array& x) {
    const auto g = [&x](const Array& y) { return x + y; };
    return x * pure::grad(g)(scalar(1));
  };
  EXPECT_EQ(value(pure::grad(f)(scalar(1))), 1);
  const auto fj = [](const Array& x) {
    const auto g = [&x](const Array& y) { return x + y; };
    return x * pure::jvp(g, scalar(1), scalar(1)).second;
  };
  EXPECT_EQ(value(pure::jvp(fj, scalar(1), scalar(1)).second), 1);
  EXPECT_EQ(value(pure::grad(fj)(scalar(1))), 1);
}

TEST(PerturbationConfusion, InnerDerivativeThatUsesTheOuterVariable) {
  // f(x) = x * d/dy[x y] = x^2, f'(x) = 2x.
  const auto f = [](const Array& x) {
    const auto g = [&x](const Array& y) { return x * y; };
    return x * pure::grad(g)(scalar(5));
  };
  EXPECT_EQ(value(pure::grad(f)(scalar(3))), 6);
}

// ---------------------------------------------------------------- has_aux and argument selection

TEST(HasAux, AuxiliaryOutputsPassThrough) {
  const auto f = [](const Array& w) {
    const Array pred = w * 2.0;
    return std::make_pair(pure::sum(pred * pred), pred);
  };
  const Array w = f64({1, -2});
  auto [g, aux] = pure::grad(f, pure::has_aux)(w);
  EXPECT_EQ(host(g), (std::vector<double>{8, -16}));  // d/dw sum(4 w^2) = 8 w
  EXPECT_EQ(host(aux), (std::vector<double>{2, -4}));
  auto [va, g2] = pure::value_and_grad(f, pure::has_aux)(w);
  EXPECT_EQ(value(va.first), 20);
  EXPECT_EQ(host(va.second), host(aux));
  EXPECT_EQ(host(g2), host(g));
}

TEST(HasAux, AuxMayBeATree) {
  const auto f = [](const Array& w) {
    return std::make_pair(pure::sum(w), std::make_tuple(w + 1.0, std::vector<Array>{w * 3.0}));
  };
  auto [g, aux] = pure::grad(f, pure::has_aux)(f64({1, 2}));
  EXPECT_EQ(host(g), (std::vector<double>{1, 1}));
  EXPECT_EQ(host(std::get<0>(aux)), (std::vector<double>{2, 3}));
  EXPECT_EQ(host(std::get<1>(aux).at(0)), (std::vector<double>{3, 6}));
}

TEST(ArgumentSelection, GradOfSeveralArguments) {
  // loss(w, b, x) = sum((w x + b)^2)
  const auto loss = [](const Array& w, const Array& b, const Array& x) {
    const Array r = w * x + b;
    return pure::sum(r * r);
  };
  const Array w = scalar(0.5), b = scalar(-1), x = f64({1, 2, 3});
  // r = (-0.5, 0, 0.5): dw = sum(2 r x) = 2, db = sum(2 r) = 0, dx = 2 r w.
  const Array gw = pure::grad(loss)(w, b, x);
  EXPECT_EQ(value(gw), 2);
  EXPECT_EQ(value(pure::grad<1>(loss)(w, b, x)), 0);
  EXPECT_EQ(host(pure::grad<2>(loss)(w, b, x)), (std::vector<double>{-0.5, 0, 0.5}));
  auto [gw2, gb2] = pure::grad<0, 1>(loss)(w, b, x);
  EXPECT_EQ(value(gw2), 2);
  EXPECT_EQ(value(gb2), 0);
  auto [v, grads] = pure::value_and_grad<0, 2>(loss)(w, b, x);
  EXPECT_EQ(value(v), 0.5);
  EXPECT_EQ(host(std::get<1>(grads)), (std::vector<double>{-0.5, 0, 0.5}));
}

TEST(ArgumentSelection, UnselectedArgumentsMayBeIntegers) {
  const auto f = [](const Array& x, const Array& n) { return pure::sum(x * pure::astype(n, DType::f64)); };
  const Array g = pure::grad(f)(f64({1, 2}), pure::from_host(std::vector<std::int32_t>{3, -4}));
  EXPECT_EQ(host(g), (std::vector<double>{3, -4}));
}

TEST(ArgumentSelection, TreesOfParameters) {
  // Parameters as a vector of arrays; the gradient has the same structure.
  const auto loss = [](const std::vector<Array>& p, const Array& x) {
    const Array y = p[0] * x + p[1];
    return pure::sum(y * y);
  };
  const std::vector<Array> p = {f64({2}), f64({1})};
  const std::vector<Array> g = pure::grad(loss)(p, f64({1}));
  ASSERT_EQ(g.size(), 2u);
  EXPECT_EQ(host(g[0]), (std::vector<double>{6}));  // y = 3, dy/dw = x = 1
  EXPECT_EQ(host(g[1]), (std::vector<double>{6}));
}

// ---------------------------------------------------------------- force matching

// A pair potential on N particles in 3-D with parameters theta = (A, s):
//   E(r; A, s) = 1/2 sum_{i,j} A exp(-|r_i - r_j|^2 / s^2)
// (the i = j terms are constant in r). Forces F = -dE/dr, fitted to reference
// forces by loss(theta) = sum |F(r; theta) - F_ref|^2: a gradient of a gradient.
using Theta = std::pair<Array, Array>;

Array energy(const Array& r, const Theta& theta) {
  const Array diff = pure::expand_dims(r, 1) - pure::expand_dims(r, 0);  // (N, N, 3)
  const Array d2 = pure::sum(diff * diff, {2});
  return 0.5 * pure::sum(theta.first * pure::exp(-(d2 / (theta.second * theta.second))));
}

Array forces(const Array& r, const Theta& theta) {
  return -pure::grad([&theta](const Array& q) { return energy(q, theta); })(r);
}

// Analytic forces: F_i = sum_j (2 A / s^2) (r_i - r_j) exp(-|r_i - r_j|^2 / s^2).
std::vector<double> analytic_forces(const std::vector<double>& r, double a, double s) {
  const std::size_t n = r.size() / 3;
  std::vector<double> f(r.size(), 0);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      double d2 = 0;
      for (int k = 0; k < 3; ++k) d2 += (r[3 * i + k] - r[3 * j + k]) * (r[3 * i + k] - r[3 * j + k]);
      for (int k = 0; k < 3; ++k)
        f[3 * i + k] += 2 * a / (s * s) * (r[3 * i + k] - r[3 * j + k]) * std::exp(-d2 / (s * s));
    }
  }
  return f;
}

TEST(ForceMatching, GradOfAFunctionThatCallsGrad) {
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> u(-1, 1);
  std::vector<double> r(5 * 3);
  for (auto& x : r) x = u(rng);
  const Array ra = f64(r, Shape{5, 3});
  const std::vector<double> f_ref = analytic_forces(r, 1.3, 0.9);  // the "true" parameters
  const Array fref = f64(f_ref, Shape{5, 3});

  const double a0 = 1.0, s0 = 1.1;
  expect_near(host(forces(ra, {scalar(a0), scalar(s0)})), analytic_forces(r, a0, s0), 1e-13, "forces");

  const auto loss = [&](const Theta& theta) {
    const Array d = forces(ra, theta) - fref;
    return pure::sum(d * d);
  };
  const Theta g = pure::grad(loss)(Theta{scalar(a0), scalar(s0)});

  // Central differences of the loss in A and in s (f64, h = 1e-6: error ~ 1e-9 relative).
  const auto loss_at = [&](double a, double s) { return value(loss({scalar(a), scalar(s)})); };
  const double h = 1e-6;
  const double da = (loss_at(a0 + h, s0) - loss_at(a0 - h, s0)) / (2 * h);
  const double ds = (loss_at(a0, s0 + h) - loss_at(a0, s0 - h)) / (2 * h);
  EXPECT_NEAR(value(g.first), da, 1e-7 * (1 + std::fabs(da)));
  EXPECT_NEAR(value(g.second), ds, 1e-7 * (1 + std::fabs(ds)));
  EXPECT_GT(std::fabs(da), 1e-3);  // the check is not vacuous
  EXPECT_GT(std::fabs(ds), 1e-3);

  // A gradient step on theta lowers the loss.
  const double step = 1e-3;
  EXPECT_LT(loss_at(a0 - step * value(g.first), s0 - step * value(g.second)), loss_at(a0, s0));
}

}  // namespace
