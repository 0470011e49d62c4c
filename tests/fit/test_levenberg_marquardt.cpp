// Levenberg–Marquardt: the closed-form straight-line fit and its textbook
// covariance, exact data, trees, Jacobian modes, jit, and clear errors.
#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <pure/fit/fit.hpp>
#include <pure/pure.hpp>

#include "message_of.hpp"

namespace {

using pure_test::message_of;

using pure::Array;

struct Line {
  Array a, b;  // y = a + b x
};
PURE_TREE(Line, a, b)

const std::vector<double> kX = {0.5, 1.0, 1.7, 2.2, 3.1, 3.9, 4.4, 5.3, 6.0, 7.2};
const std::vector<double> kY = {1.9, 2.3, 3.4, 3.8, 5.6, 6.9, 7.3, 9.1, 10.2, 12.4};

// Ordinary least squares for y = a + b x in closed form (any statistics
// textbook): b = Sxy / Sxx, a = ybar - b xbar; with s^2 = RSS / (n - 2),
// var b = s^2 / Sxx, var a = s^2 (1/n + xbar^2 / Sxx), cov(a, b) = -xbar s^2 / Sxx.
struct ClosedForm {
  double a, b, rss, var_a, var_b, cov_ab;
};
ClosedForm closed_form() {
  const double n = static_cast<double>(kX.size());
  double xbar = 0, ybar = 0;
  for (std::size_t i = 0; i < kX.size(); ++i) {
    xbar += kX[i] / n;
    ybar += kY[i] / n;
  }
  double sxx = 0, sxy = 0;
  for (std::size_t i = 0; i < kX.size(); ++i) {
    sxx += (kX[i] - xbar) * (kX[i] - xbar);
    sxy += (kX[i] - xbar) * (kY[i] - ybar);
  }
  ClosedForm c{};
  c.b = sxy / sxx;
  c.a = ybar - c.b * xbar;
  for (std::size_t i = 0; i < kX.size(); ++i) c.rss += std::pow(kY[i] - c.a - c.b * kX[i], 2);
  const double s2 = c.rss / (n - 2);
  c.var_b = s2 / sxx;
  c.var_a = s2 * (1.0 / n + xbar * xbar / sxx);
  c.cov_ab = -xbar * s2 / sxx;
  return c;
}

TEST(LevenbergMarquardt, LinearModelMatchesTheClosedFormAndItsCovariance) {
  const Array x = pure::from_host(kX), y = pure::from_host(kY);
  const auto residual = [&](const Line& p) { return p.a + p.b * x - y; };
  const Line p0{pure::zeros({}, pure::DType::f64), pure::zeros({}, pure::DType::f64)};
  for (auto mode : {pure::fit::JacobianMode::forward, pure::fit::JacobianMode::reverse}) {
    pure::fit::LmOptions o;
    o.jacobian = mode;
    const auto fit = pure::fit::levenberg_marquardt(residual, p0, o);
    const ClosedForm c = closed_form();
    EXPECT_TRUE(pure::fit::converged(fit.reason)) << fit.message;
    EXPECT_NEAR(fit.params.a.item<double>(), c.a, 1e-12 * std::abs(c.a));
    EXPECT_NEAR(fit.params.b.item<double>(), c.b, 1e-12 * std::abs(c.b));
    EXPECT_NEAR(fit.rss, c.rss, 1e-10 * c.rss);
    EXPECT_NEAR(fit.sigma2, c.rss / 8.0, 1e-10 * c.rss);
    const std::vector<double> cov = fit.covariance.to_host<double>();
    ASSERT_EQ(cov.size(), 4u);
    EXPECT_NEAR(cov[0], c.var_a, 1e-10 * c.var_a);
    EXPECT_NEAR(cov[3], c.var_b, 1e-10 * c.var_b);
    EXPECT_NEAR(cov[1], c.cov_ab, 1e-10 * std::abs(c.cov_ab));
    EXPECT_NEAR(cov[2], c.cov_ab, 1e-10 * std::abs(c.cov_ab));
    EXPECT_NEAR(fit.standard_errors.a.item<double>(), std::sqrt(c.var_a), 1e-10 * std::sqrt(c.var_a));
    EXPECT_NEAR(fit.standard_errors.b.item<double>(), std::sqrt(c.var_b), 1e-10 * std::sqrt(c.var_b));
    EXPECT_EQ(fit.rank, 2);
    // Linear: the first Gauss-Newton step inside the trust region is exact.
    EXPECT_LE(fit.iterations, 4);
  }
}

// Data made exactly by y = 2.5 exp(-1.3 x) + 0.7: the fit recovers the
// parameters to rounding, whatever the Jacobian mode or jit.
TEST(LevenbergMarquardt, ExactDataGiveTheGeneratingParameters) {
  std::vector<double> xs, ys;
  for (int i = 0; i < 20; ++i) {
    xs.push_back(0.2 * i);
    ys.push_back(2.5 * std::exp(-1.3 * 0.2 * i) + 0.7);
  }
  const Array x = pure::from_host(xs), y = pure::from_host(ys);
  const auto residual = [x, y](const Array& p) {
    return pure::index(p, 0) * pure::exp(-pure::index(p, 1) * x) + pure::index(p, 2) - y;
  };
  const Array p0 = pure::from_host(std::vector<double>{1.0, 0.5, 0.0});
  for (bool jit : {false, true}) {
    for (auto mode : {pure::fit::JacobianMode::forward, pure::fit::JacobianMode::reverse}) {
      pure::fit::LmOptions o;
      o.jit = jit;
      o.jacobian = mode;
      const auto fit = pure::fit::levenberg_marquardt(residual, p0, o);
      EXPECT_TRUE(pure::fit::converged(fit.reason)) << fit.message;
      const std::vector<double> p = fit.params.to_host<double>();
      EXPECT_NEAR(p[0], 2.5, 1e-12);
      EXPECT_NEAR(p[1], 1.3, 1e-12);
      EXPECT_NEAR(p[2], 0.7, 1e-12);
      EXPECT_LE(fit.rss, 1e-25);
      EXPECT_GT(fit.evaluations, fit.iterations - 1);
    }
  }
}

// f32 parameters and f32 residuals: the solver still runs in f64 and returns
// f32 leaves; the answer is the f64 one to f32 precision.
TEST(LevenbergMarquardt, Float32ResidualsWorkWithAndWithoutJit) {
  const Array x = pure::astype(pure::from_host(kX), pure::DType::f32);
  const Array y = pure::astype(pure::from_host(kY), pure::DType::f32);
  const auto residual = [x, y](const Line& p) { return p.a + p.b * x - y; };
  const Line p0{pure::zeros({}, pure::DType::f32), pure::zeros({}, pure::DType::f32)};
  const ClosedForm c = closed_form();
  for (bool jit : {false, true}) {
    pure::fit::LmOptions o;
    o.jit = jit;
    const auto fit = pure::fit::levenberg_marquardt(residual, p0, o);
    EXPECT_TRUE(pure::fit::converged(fit.reason)) << fit.message;
    EXPECT_EQ(fit.params.a.dtype(), pure::DType::f32);
    EXPECT_NEAR(fit.params.a.item<float>(), c.a, 1e-5 * std::abs(c.a));
    EXPECT_NEAR(fit.params.b.item<float>(), c.b, 1e-5 * std::abs(c.b));
  }
}

// The matrix-free variant (CGLS on J v and J^T u products) reaches the same
// closed-form answers; its covariance comes from the dense J at the end.
TEST(LevenbergMarquardt, MatrixFreeMatchesTheClosedFormAndExactData) {
  const Array x = pure::from_host(kX), y = pure::from_host(kY);
  const Line p0{pure::zeros({}, pure::DType::f64), pure::zeros({}, pure::DType::f64)};
  pure::fit::LmOptions o;
  o.matrix_free = true;
  const auto fit = pure::fit::levenberg_marquardt([&](const Line& p) { return p.a + p.b * x - y; }, p0, o);
  const ClosedForm c = closed_form();
  EXPECT_TRUE(pure::fit::converged(fit.reason)) << fit.message;
  // Looser than the dense solver's 1e-12: the run ends on the value test with
  // the last step still slightly damped (lambda > 0), about 1e-10 short.
  EXPECT_NEAR(fit.params.a.item<double>(), c.a, 1e-9 * std::abs(c.a));
  EXPECT_NEAR(fit.params.b.item<double>(), c.b, 1e-9 * std::abs(c.b));
  EXPECT_NEAR(fit.standard_errors.b.item<double>(), std::sqrt(c.var_b), 1e-8 * std::sqrt(c.var_b));

  std::vector<double> xs, ys;
  for (int i = 0; i < 20; ++i) {
    xs.push_back(0.2 * i);
    ys.push_back(2.5 * std::exp(-1.3 * 0.2 * i) + 0.7);
  }
  const Array xe = pure::from_host(xs), ye = pure::from_host(ys);
  for (bool jit : {false, true}) {
    o.jit = jit;
    o.covariance = false;
    const auto e = pure::fit::levenberg_marquardt(
        [xe, ye](const Array& p) {
          return pure::index(p, 0) * pure::exp(-pure::index(p, 1) * xe) + pure::index(p, 2) - ye;
        },
        pure::from_host(std::vector<double>{1.0, 0.5, 0.0}), o);
    EXPECT_TRUE(pure::fit::converged(e.reason)) << e.message;
    const std::vector<double> p = e.params.to_host<double>();
    EXPECT_NEAR(p[0], 2.5, 1e-10);
    EXPECT_NEAR(p[1], 1.3, 1e-10);
    EXPECT_NEAR(p[2], 0.7, 1e-10);
    EXPECT_TRUE(std::isnan(e.standard_errors.to_host<double>()[0]));  // covariance = false
  }
}

TEST(LevenbergMarquardt, StopsAtTheIterationLimitAndSaysSo) {
  const Array x = pure::from_host(kX), y = pure::from_host(kY);
  const auto residual = [&](const Array& p) { return pure::exp(pure::index(p, 0) * x) - y; };
  pure::fit::LmOptions o;
  o.max_iterations = 1;
  const auto fit = pure::fit::levenberg_marquardt(residual, pure::from_host(std::vector<double>{2.0}), o);
  EXPECT_EQ(fit.reason, pure::fit::StopReason::max_iterations);
  EXPECT_EQ(fit.iterations, 1);
  EXPECT_NE(fit.message.find("max_iterations"), std::string::npos);
}

TEST(LevenbergMarquardt, BadInputsAreClearErrors) {
  const Array x = pure::from_host(kX), y = pure::from_host(kY);
  const Array p0 = pure::from_host(std::vector<double>{1.0, 1.0});
  std::string e = message_of([&] {
    pure::fit::levenberg_marquardt([&](const Array& p) { return pure::reshape(p * 2.0, {1, 2}); }, p0);
  });
  EXPECT_NE(e.find("pure::fit::levenberg_marquardt"), std::string::npos) << e;
  EXPECT_NE(e.find("must return a 1-D array"), std::string::npos) << e;
  EXPECT_NE(e.find("(1,2)"), std::string::npos) << e;

  e = message_of([&] {
    pure::fit::levenberg_marquardt([&](const Array& p) { return pure::sum(p, {}, true); },
                                   pure::from_host(std::vector<double>{1.0, 2.0}));
  });
  EXPECT_NE(e.find("1 residuals for 2 parameters"), std::string::npos) << e;

  e = message_of([&] {
    pure::fit::levenberg_marquardt([&](const Array& p) { return p * x - y; },
                                   pure::from_host(std::vector<double>{INFINITY}));
  });
  EXPECT_NE(e.find("params0"), std::string::npos) << e;
  EXPECT_NE(e.find("non-finite starting value"), std::string::npos) << e;

  e = message_of([&] {
    const Line bad{pure::zeros({}, pure::DType::f64), pure::zeros({}, pure::DType::i32)};
    pure::fit::levenberg_marquardt([&](const Line& p) { return p.a + x - y; }, bad);
  });
  EXPECT_NE(e.find("params0 at"), std::string::npos) << e;
  EXPECT_NE(e.find("b"), std::string::npos) << e;
  EXPECT_NE(e.find("float32 or float64"), std::string::npos) << e;

  pure::fit::LmOptions o;
  o.max_iterations = 0;
  e = message_of([&] { pure::fit::levenberg_marquardt([&](const Array& p) { return p * x - y; }, p0, o); });
  EXPECT_NE(e.find("max_iterations"), std::string::npos) << e;
}

// Parameters that only enter as a sum cannot be resolved: rank 1, and the
// covariance says so with NaN instead of inventing numbers.
TEST(LevenbergMarquardt, RankDeficientJacobianGivesNaNCovariances) {
  const Array x = pure::from_host(kX), y = pure::from_host(kY);
  const auto fit =
      pure::fit::levenberg_marquardt([&](const Array& p) { return (pure::index(p, 0) + pure::index(p, 1)) * x - y; },
                                     pure::from_host(std::vector<double>{0.5, 0.5}));
  EXPECT_EQ(fit.rank, 1);
  const std::vector<double> p = fit.params.to_host<double>();
  double sxy = 0, sxx = 0;
  for (std::size_t i = 0; i < kX.size(); ++i) {
    sxy += kX[i] * kY[i];
    sxx += kX[i] * kX[i];
  }
  EXPECT_NEAR(p[0] + p[1], sxy / sxx, 1e-12);  // the resolved combination is the through-origin slope
  EXPECT_TRUE(std::isnan(fit.standard_errors.to_host<double>()[1]));
}

// A residual that is NaN at the start is reported, not iterated on.
TEST(LevenbergMarquardt, NonFiniteResidualsStopWithAReason) {
  const Array x = pure::from_host(kX), y = pure::from_host(kY);
  const auto fit = pure::fit::levenberg_marquardt([&](const Array& p) { return pure::log(p) * x - y; },
                                                  pure::from_host(std::vector<double>{-1.0}));
  EXPECT_EQ(fit.reason, pure::fit::StopReason::non_finite);
}

}  // namespace
