// L-BFGS: Rosenbrock (n = 2 and n = 100) to 1e-10, trees of parameters,
// stop reasons, and clear errors.
#include <cmath>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include <pure/fit/fit.hpp>
#include <pure/pure.hpp>

namespace {

using pure::Array;

// Chained Rosenbrock: sum_i 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2, minimum 0 at all ones.
Array rosenbrock(const Array& x) {
  const std::int64_t n = x.size();
  const Array head = pure::lax::slice(x, {0}, {n - 1});
  const Array tail = pure::lax::slice(x, {1}, {n});
  return pure::sum(100.0 * pure::square(tail - pure::square(head)) + pure::square(1.0 - head));
}

double max_error_from_one(const Array& x) {
  double e = 0.0;
  for (double v : x.to_host<double>()) e = std::max(e, std::abs(v - 1.0));
  return e;
}

TEST(Lbfgs, Rosenbrock2DToOneInTenBillion) {
  const Array x0 = pure::from_host(std::vector<double>{-1.2, 1.0});
  pure::fit::LbfgsOptions o;
  o.gradient_tolerance = 1e-13;
  const auto r = pure::fit::lbfgs(rosenbrock, x0, o);
  EXPECT_TRUE(pure::fit::converged(r.reason)) << r.message;
  EXPECT_LE(max_error_from_one(r.params), 1e-10);
  EXPECT_LE(r.value, 1e-20);
  // With the strong Wolfe search L-BFGS needs a few dozen iterations here,
  // and few evaluations per iteration (steepest descent would need thousands).
  EXPECT_LT(r.iterations, 100);
  EXPECT_LT(r.evaluations, 2 * r.iterations + 20);
}

TEST(Lbfgs, Rosenbrock100DToOneInTenBillion) {
  std::vector<double> start(100);
  for (std::size_t i = 0; i < start.size(); ++i) start[i] = i % 2 == 0 ? -1.2 : 1.0;
  pure::fit::LbfgsOptions o;
  o.gradient_tolerance = 1e-11;
  o.jit = true;
  const auto r = pure::fit::lbfgs(rosenbrock, pure::from_host(start), o);
  EXPECT_TRUE(pure::fit::converged(r.reason)) << r.message;
  EXPECT_LE(max_error_from_one(r.params), 1e-10);
  EXPECT_LE(r.gradient_norm, 1e-11);
}

struct Quadratic {
  Array a;  // f32 leaf: the solver still works in f64
  Array b;  // f64 (2,)
};
PURE_TREE(Quadratic, a, b)

// (a - 3)^2 + (b0 + 1)^2 + 10 (b1 - 2)^2: minimum at a = 3, b = (-1, 2).
Array quadratic(const Quadratic& q) {
  const Array a = pure::astype(q.a, pure::DType::f64);
  return pure::square(a - 3.0) + pure::sum(pure::from_host(std::vector<double>{1.0, 10.0}) *
                                           pure::square(q.b - pure::from_host(std::vector<double>{-1.0, 2.0})));
}

TEST(Lbfgs, MinimisesOverATreeOfMixedDtypes) {
  const Quadratic q0{pure::zeros({}, pure::DType::f32), pure::zeros({2}, pure::DType::f64)};
  const auto r = pure::fit::lbfgs(quadratic, q0);
  EXPECT_TRUE(pure::fit::converged(r.reason)) << r.message;
  EXPECT_EQ(r.params.a.dtype(), pure::DType::f32);
  EXPECT_NEAR(r.params.a.item<float>(), 3.0f, 1e-6f);
  const std::vector<double> bv = r.params.b.to_host<double>();
  EXPECT_NEAR(bv[0], -1.0, 1e-7);
  EXPECT_NEAR(bv[1], 2.0, 1e-7);
}

TEST(Lbfgs, StopsAtTheIterationLimitAndSaysSo) {
  const Array x0 = pure::from_host(std::vector<double>{-1.2, 1.0});
  pure::fit::LbfgsOptions o;
  o.max_iterations = 3;
  const auto r = pure::fit::lbfgs(rosenbrock, x0, o);
  EXPECT_EQ(r.reason, pure::fit::StopReason::max_iterations);
  EXPECT_EQ(r.iterations, 3);
  EXPECT_NE(r.message.find("max_iterations"), std::string::npos);
  EXPECT_LT(r.value, rosenbrock(x0).item<double>());  // each iteration decreased f
}

// The line search on the first two test functions of Moré & Thuente (1994,
// section 6), from their four starting steps: the step it returns satisfies
// the strong Wolfe conditions, checked on phi recomputed here.
TEST(Lbfgs, LineSearchSatisfiesTheStrongWolfeConditions) {
  struct Case {
    std::function<std::pair<double, double>(double)> phi;
    double c1, c2;
  };
  const double beta1 = 2.0, beta2 = 0.004;
  const std::vector<Case> cases = {
      {[&](double a) {
         const double d = a * a + beta1;
         return std::make_pair(-a / d, (a * a - beta1) / (d * d));
       },
       1e-3, 0.1},
      {[&](double a) {
         const double t = a + beta2;
         return std::make_pair(std::pow(t, 5) - 2.0 * std::pow(t, 4), 5.0 * std::pow(t, 4) - 8.0 * std::pow(t, 3));
       },
       0.1, 0.1},
  };
  for (std::size_t c = 0; c < cases.size(); ++c) {
    const auto [f0, g0] = cases[c].phi(0.0);
    ASSERT_LT(g0, 0.0);
    for (double a0 : {1e-3, 1e-1, 1e1, 1e3}) {
      int calls = 0;
      const auto counted = [&](double a) {
        ++calls;
        return cases[c].phi(a);
      };
      const auto ls = pure::fit::detail::strong_wolfe_line_search(counted, f0, g0, a0, cases[c].c1, cases[c].c2, 30);
      ASSERT_TRUE(ls.ok) << "function " << c + 1 << " from " << a0;
      const auto [f, g] = cases[c].phi(ls.step);
      EXPECT_LE(f, f0 + cases[c].c1 * ls.step * g0) << "function " << c + 1 << " from " << a0;
      EXPECT_LE(std::abs(g), cases[c].c2 * std::abs(g0)) << "function " << c + 1 << " from " << a0;
      EXPECT_EQ(ls.evaluations, calls);
      // The paper needs at most 12 evaluations on these; allow a little more.
      EXPECT_LE(calls, 15) << "function " << c + 1 << " from " << a0;
    }
  }
}

// Rosenbrock with x0 <= 0.5: on the bound, f(0.5, x1) is least at x1 = 0.25,
// and there df/dx0 = -2 (1 - 0.5) = -1 < 0 pushes against the bound, so
// (0.5, 0.25) is the constrained minimum (KKT), with f = 0.25.
TEST(Lbfgs, BoxBoundsStopAtTheConstrainedMinimum) {
  pure::fit::LbfgsOptions o;
  // On the bound f = 0.25 + 100 (x1 - 0.25)^2, flat to rounding within ~1e-9
  // of x1 = 0.25 (gradient ~1e-7): so a gradient tolerance of 1e-6, x1 to 1e-8.
  o.gradient_tolerance = 1e-6;
  o.upper = {0.5, INFINITY};
  const auto r = pure::fit::lbfgs(rosenbrock, pure::from_host(std::vector<double>{-1.2, 1.0}), o);
  EXPECT_EQ(r.reason, pure::fit::StopReason::gradient_tolerance) << r.message;
  const std::vector<double> x = r.params.to_host<double>();
  EXPECT_EQ(x[0], 0.5);
  EXPECT_NEAR(x[1], 0.25, 1e-8);
  EXPECT_NEAR(r.value, 0.25, 1e-14);

  // A start outside the box is projected into it first; with x1 >= 0.3 the
  // unconstrained minimum (1, 1) is feasible and reached from (0.5, 0.3).
  o.gradient_tolerance = 1e-12;
  o.lower = {-INFINITY, 0.3};
  o.upper = {INFINITY, INFINITY};
  const auto r2 = pure::fit::lbfgs(rosenbrock, pure::from_host(std::vector<double>{0.5, 0.0}), o);
  EXPECT_TRUE(pure::fit::converged(r2.reason)) << r2.message;
  EXPECT_LE(max_error_from_one(r2.params), 1e-10);
}

TEST(Lbfgs, BoxBoundsFromTreesShapedLikeTheParameters) {
  // (a - 3)^2 + (b0 + 1)^2 + 10 (b1 - 2)^2 with a <= 1 and b >= 0: the
  // separable minimum is a = 1, b = (0, 2).
  const Quadratic q0{pure::zeros({}, pure::DType::f32), pure::ones({2}, pure::DType::f64)};
  pure::fit::LbfgsOptions o;
  o.upper =
      pure::fit::ravel(Quadratic{pure::full({}, 1.0, pure::DType::f32), pure::full({2}, INFINITY, pure::DType::f64)});
  o.lower =
      pure::fit::ravel(Quadratic{pure::full({}, -INFINITY, pure::DType::f32), pure::zeros({2}, pure::DType::f64)});
  const auto r = pure::fit::lbfgs(quadratic, q0, o);
  EXPECT_TRUE(pure::fit::converged(r.reason)) << r.message;
  EXPECT_EQ(r.params.a.item<float>(), 1.0f);
  const std::vector<double> b = r.params.b.to_host<double>();
  EXPECT_EQ(b[0], 0.0);
  EXPECT_NEAR(b[1], 2.0, 1e-7);
  EXPECT_NEAR(r.value, 4.0 + 1.0, 1e-12);
}

TEST(Lbfgs, BadInputsAreClearErrors) {
  const Array ok = pure::from_host(std::vector<double>{1.0, 2.0});
  try {
    pure::fit::lbfgs(rosenbrock, pure::from_host(std::vector<double>{1.0, NAN}));
    FAIL() << "expected an error";
  } catch (const pure::ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("params0"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("non-finite starting value"), std::string::npos) << e.what();
  }
  try {
    pure::fit::lbfgs([](const Array& x) { return x * 2.0; }, ok);
    FAIL() << "expected an error";
  } catch (const pure::Error& e) {
    EXPECT_NE(std::string(e.what()).find("scalar"), std::string::npos) << e.what();
  }
  pure::fit::LbfgsOptions o;
  o.history = 0;
  try {
    pure::fit::lbfgs(rosenbrock, ok, o);
    FAIL() << "expected an error";
  } catch (const pure::ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("history"), std::string::npos) << e.what();
  }
  o.history = 10;
  o.max_line_search_evaluations = 0;
  try {
    pure::fit::lbfgs(rosenbrock, ok, o);
    FAIL() << "expected an error";
  } catch (const pure::ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("max_line_search_evaluations"), std::string::npos) << e.what();
  }
  o.max_line_search_evaluations = 20;
  o.lower = {0.0, 3.0};
  o.upper = {1.0, 2.0};
  try {
    pure::fit::lbfgs(rosenbrock, ok, o);
    FAIL() << "expected an error";
  } catch (const pure::ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("lower[1] = 3"), std::string::npos) << e.what();
  }
  o.lower = {0.0};
  try {
    pure::fit::lbfgs(rosenbrock, ok, o);
    FAIL() << "expected an error";
  } catch (const pure::ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("one bound per parameter (2), got 1 and 2"), std::string::npos) << e.what();
  }
  try {
    pure::fit::lbfgs([](const Array& x) { return pure::sum(pure::astype(x, pure::DType::f64)); },
                     pure::from_host(std::vector<std::int32_t>{1, 2}));
    FAIL() << "expected an error";
  } catch (const pure::DTypeError& e) {
    EXPECT_NE(std::string(e.what()).find("params0"), std::string::npos) << e.what();
  }
}

}  // namespace
