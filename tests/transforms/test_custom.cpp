// custom_jvp, custom_vjp, and a user primitive with its own Kokkos kernel and
// derivative rule registered from outside the library.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <tuple>
#include <vector>

#include <pure/core/math.hpp>
#include <pure/pure.hpp>

#include "message_of.hpp"

namespace {

using pure_test::message_of;

using pure::Array;
using pure::Tree;

Array vecf(const std::vector<float>& v) { return pure::from_host(v); }
Array vecd(const std::vector<double>& v) { return pure::from_host(v); }

double host_sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// ================================================================ custom_jvp

// log(1 + e^x) computed stably; its derivative, sigmoid(x), comes from the rule.
Array log1pexp_body(const Array& x) {
  return pure::maximum(x, pure::scalar_like(x, 0.0)) + pure::log1p(pure::exp(-pure::abs(x)));
}

const auto log1pexp = pure::custom_jvp(
    [](const Array& x) { return log1pexp_body(x); },
    [](const Array& x, const Array& t) { return std::make_pair(log1pexp_body(x), t * pure::sigmoid(x)); }, "log1pexp");

TEST(CustomJvp, Log1pexpIsStableAndDifferentiable) {
  const std::vector<float> xs{-100.0f, -3.0f, 0.0f, 0.5f, 100.0f};
  // The premise: differentiating the textbook formula overflows to inf/inf.
  auto naive = [](const Array& x) { return pure::sum(pure::log(1.0 + pure::exp(x))); };
  EXPECT_TRUE(std::isnan(pure::grad(naive)(vecf({100.0f})).to_host<float>()[0]));

  auto loss = [](const Array& x) { return pure::sum(log1pexp(x)); };
  const std::vector<float> y = log1pexp(vecf(xs)).to_host<float>();
  const std::vector<float> g = pure::grad(loss)(vecf(xs)).to_host<float>();
  const auto dgrad = [&](const Array& x) { return pure::sum(pure::grad(loss)(x)); };
  const std::vector<float> h = pure::grad(dgrad)(vecf(xs)).to_host<float>();
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const double x = xs[i];
    const double want = std::max(x, 0.0) + std::log1p(std::exp(-std::abs(x)));
    const double s = host_sigmoid(x);
    EXPECT_NEAR(y[i], want, 1e-6 * (1 + std::abs(want))) << "x=" << x;
    EXPECT_TRUE(std::isfinite(g[i]));
    EXPECT_NEAR(g[i], s, 1e-6) << "x=" << x;
    // grad of grad differentiates the rule: sigmoid' = s (1 - s).
    EXPECT_NEAR(h[i], s * (1 - s), 1e-6) << "x=" << x;
  }
  // Forward mode uses the rule too, and jvp of grad works.
  const auto [out, tout] = pure::jvp(log1pexp, vecd({100.0, 0.0}), vecd({2.0, 2.0}));
  EXPECT_EQ(tout.to_host<double>(), (std::vector<double>{2.0 * host_sigmoid(100.0), 1.0}));
  const auto gl = [](const Array& x) { return pure::grad([](const Array& v) { return pure::sum(log1pexp(v)); })(x); };
  const auto jg = pure::jvp(gl, vecd({0.5}), vecd({1.0})).second.to_host<double>();
  EXPECT_NEAR(jg[0], host_sigmoid(0.5) * (1 - host_sigmoid(0.5)), 1e-15);
}

TEST(CustomJvp, DerivativesComeFromTheRuleNotTheBody) {
  // A deliberately wrong rule: d sin = 2 dt. Only the rule can give 2.
  int f_calls = 0, rule_calls = 0;
  const auto fake = pure::custom_jvp(
      [&](const Array& x) {
        ++f_calls;
        return pure::sin(x);
      },
      [&](const Array& x, const Array& t) {
        ++rule_calls;
        return std::make_pair(pure::sin(x), t * 2.0);
      },
      "fake_sin");
  const Array x = vecd({0.1, 1.0, 2.0});
  const std::vector<double> y = fake(x).to_host<double>();
  EXPECT_DOUBLE_EQ(y[1], std::sin(1.0));
  EXPECT_EQ(f_calls, 1);
  EXPECT_EQ(rule_calls, 0);

  const Array g = pure::grad([&](const Array& v) { return pure::sum(fake(v)); })(x);
  EXPECT_EQ(g.to_host<double>(), (std::vector<double>{2.0, 2.0, 2.0}));
  EXPECT_EQ(f_calls, 1);  // the rule computed the primal output as well
  EXPECT_EQ(rule_calls, 1);

  EXPECT_EQ(pure::jvp(fake, x, vecd({1.0, 0.5, 0.0})).second.to_host<double>(), (std::vector<double>{2.0, 1.0, 0.0}));
  EXPECT_EQ(pure::jacrev(fake)(x).to_host<double>(), (std::vector<double>{2, 0, 0, 0, 2, 0, 0, 0, 2}));
  EXPECT_EQ(pure::jacfwd(fake)(x).to_host<double>(), (std::vector<double>{2, 0, 0, 0, 2, 0, 0, 0, 2}));

  // Staging without differentiation records the body's own operations.
  const int before = rule_calls;
  const std::string text = pure::make_program(fake, x).str();
  EXPECT_NE(text.find("sin"), std::string::npos) << text;
  EXPECT_EQ(rule_calls, before);
}

TEST(CustomJvp, TreesAndSeveralArguments) {
  // f(p, x) = p.a * x with a rule that scales the x-part of the tangent by 3.
  const auto f = pure::custom_jvp([](const Tree& p, const Array& x) { return p["a"] * x; },
                                  [](const std::tuple<Tree, Array>& primals, const std::tuple<Tree, Array>& tangents) {
                                    const auto& [p, x] = primals;
                                    const auto& [tp, tx] = tangents;
                                    return std::make_pair(p["a"] * x, tp["a"] * x + p["a"] * tx * 3.0);
                                  },
                                  "scaled_mul");
  Tree p;
  p["a"] = vecd({2.0, -1.0});
  const Array x = vecd({5.0, 7.0});
  auto loss = [&](const Tree& q, const Array& v) { return pure::sum(f(q, v)); };
  const auto [gp, gx] = pure::grad<0, 1>(loss)(p, x);
  EXPECT_EQ(gp["a"].array().to_host<double>(), (std::vector<double>{5.0, 7.0}));
  EXPECT_EQ(gx.to_host<double>(), (std::vector<double>{6.0, -3.0}));
  // With p constant (a zero tangent), the rule still sees zeros for it.
  EXPECT_EQ(pure::grad<1>(loss)(p, x).to_host<double>(), (std::vector<double>{6.0, -3.0}));
}

TEST(CustomJvp, RuleErrorsNameTheFunction) {
  const auto bad =
      pure::custom_jvp([](const Array& x) { return x; },
                       [](const Array& x, const Array&) { return std::make_pair(x, pure::ones({7})); }, "bad_rule");
  const std::string m = message_of<pure::ShapeError>([&] {
    (void)pure::grad([&](const Array& v) { return pure::sum(bad(v)); })(vecf({1, 2}));
  });
  EXPECT_NE(m.find("pure::custom_jvp(bad_rule)"), std::string::npos) << m;
  EXPECT_NE(m.find("f32[7]"), std::string::npos) << m;
}

// ================================================================ custom_vjp

// Identity whose cotangent is clipped to [lo, hi] (jax's clip_gradient).
auto make_clip_gradient(double lo, double hi) {
  return pure::custom_vjp(
      [](const Array& x) { return x; }, [](const Array& x) { return std::make_pair(x, std::vector<Array>{}); },
      [lo, hi](const std::vector<Array>&, const Array& g) { return pure::clip(g, lo, hi); }, "clip_gradient");
}

TEST(CustomVjp, ClipGradientClipsTheCotangent) {
  const auto clip_gradient = make_clip_gradient(-0.5, 0.5);
  const Array x = vecd({1.0, -2.0, 3.0});
  EXPECT_EQ(clip_gradient(x).to_host<double>(), x.to_host<double>());
  // d/dx sum(c * clip_gradient(3 x)): cotangent c clipped, then times 3 (true derivative: 3 c).
  const Array c = vecd({0.1, 2.0, -3.0});
  auto loss = [&](const Array& v) { return pure::sum(c * clip_gradient(v * 3.0)); };
  EXPECT_EQ(pure::grad(loss)(x).to_host<double>(), (std::vector<double>{0.1 * 3.0, 1.5, -1.5}));
  const auto [y, pullback] = pure::vjp(clip_gradient, x);
  EXPECT_EQ(std::get<0>(pullback(vecd({0.25, 4.0, -4.0}))).to_host<double>(), (std::vector<double>{0.25, 0.5, -0.5}));
}

TEST(CustomVjp, BwdGetsResidualsAndReturnsOneCotangentPerArgument) {
  // f(x, y) = x * y with a bwd that scales x's cotangent by 10 (true: g y).
  const auto f =
      pure::custom_vjp([](const Array& x, const Array& y) { return x * y; },
                       [](const Array& x, const Array& y) { return std::make_pair(x * y, std::make_pair(x, y)); },
                       [](const std::pair<Array, Array>& res, const Array& g) {
                         return std::make_tuple(g * res.second * 10.0, g * res.first);
                       },
                       "mul10");
  const Array x = vecd({1.0, 2.0}), y = vecd({3.0, -4.0});
  auto loss = [&](const Array& a, const Array& b) { return pure::sum(f(a, b)); };
  const auto [gx, gy] = pure::grad<0, 1>(loss)(x, y);
  EXPECT_EQ(gx.to_host<double>(), (std::vector<double>{30.0, -40.0}));
  EXPECT_EQ(gy.to_host<double>(), (std::vector<double>{1.0, 2.0}));
  EXPECT_EQ(pure::grad<1>(loss)(x, y).to_host<double>(), (std::vector<double>{1.0, 2.0}));

  // The staged linear program shows one custom_lin equation with its residuals.
  const pure::Linearized lin =
      pure::linearize_flat([&](const std::vector<Array>& in) { return std::vector<Array>{f(in[0], in[1])}; }, {x, y});
  const std::string text = lin.program.str();
  EXPECT_NE(text.find("custom_lin[name=mul10 num_res=2"), std::string::npos) << text;
  EXPECT_NO_THROW(lin.program.typecheck());
}

// sin with fwd/bwd written in pure ops, so they can be differentiated again.
const auto mysin =
    pure::custom_vjp([](const Array& x) { return pure::sin(x); },
                     [](const Array& x) { return std::make_pair(pure::sin(x), std::vector<Array>{pure::cos(x)}); },
                     [](const std::vector<Array>& res, const Array& g) { return g * res[0]; }, "mysin");

TEST(CustomVjp, HigherOrderDifferentiatesFwdAndBwd) {
  const std::vector<double> xs{0.3, -1.2, 2.0};
  const Array x = vecd(xs);
  auto loss = [](const Array& v) { return pure::sum(mysin(v)); };
  auto g1 = pure::grad(loss);
  auto g2 = pure::grad([&](const Array& v) { return pure::sum(g1(v)); });
  const std::vector<double> d1 = g1(x).to_host<double>(), d2 = g2(x).to_host<double>();
  const std::vector<double> dj = pure::jvp(g1, x, vecd({1.0, 1.0, 1.0})).second.to_host<double>();
  const std::vector<double> h = pure::hessian(loss)(x).to_host<double>();
  const std::vector<double> jr = pure::jacrev(mysin)(x).to_host<double>();
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_NEAR(d1[i], std::cos(xs[i]), 1e-15);
    EXPECT_NEAR(d2[i], -std::sin(xs[i]), 1e-15);
    EXPECT_NEAR(dj[i], -std::sin(xs[i]), 1e-15);
    for (std::size_t k = 0; k < 3; ++k) {
      EXPECT_NEAR(h[i * 3 + k], i == k ? -std::sin(xs[i]) : 0.0, 1e-15);
      EXPECT_NEAR(jr[i * 3 + k], i == k ? std::cos(xs[i]) : 0.0, 1e-15);
    }
  }
}

TEST(CustomVjp, ForwardModeIsAClearError) {
  const Array x = vecd({0.5});
  std::string m = message_of<pure::Error>([&] { (void)pure::jvp(mysin, x, x); });
  EXPECT_NE(m.find("pure::custom_vjp(mysin)"), std::string::npos) << m;
  EXPECT_NE(m.find("forward-mode"), std::string::npos) << m;
  m = message_of<pure::Error>([&] { (void)pure::jacfwd(mysin)(x); });
  EXPECT_NE(m.find("custom_vjp function (mysin)"), std::string::npos) << m;
  auto [y, f_jvp] = pure::linearize(mysin, x);
  EXPECT_NEAR(y.to_host<double>()[0], std::sin(0.5), 1e-16);
  EXPECT_THROW((void)f_jvp(x), pure::Error);
}

TEST(CustomVjp, PullbackOutlivesTheCustomFunctionObject) {
  // The custom_vjp object lives only inside f; the pullback runs after f returned.
  auto f = [](const Array& x) {
    const double limit = 0.25;
    const auto local = pure::custom_vjp(
        [](const Array& v) { return v * 2.0; },
        [](const Array& v) { return std::make_pair(v * 2.0, std::vector<Array>{}); },
        [limit](const std::vector<Array>&, const Array& g) { return pure::clip(g, -limit, limit); }, "local");
    return local(x);
  };
  auto [y, pullback] = pure::vjp(f, vecd({1.0, 2.0}));
  EXPECT_EQ(y.to_host<double>(), (std::vector<double>{2.0, 4.0}));
  EXPECT_EQ(std::get<0>(pullback(vecd({1.0, -0.1}))).to_host<double>(), (std::vector<double>{0.25, -0.1}));
  EXPECT_EQ(pure::grad([&](const Array& v) { return pure::sum(f(v)); })(vecd({1.0})).to_host<double>(),
            std::vector<double>{0.25});
}

TEST(CustomVjp, BwdErrorsNameTheFunction) {
  const auto bad = pure::custom_vjp([](const Array& x) { return x; },
                                    [](const Array& x) { return std::make_pair(x, std::vector<Array>{}); },
                                    [](const std::vector<Array>&, const Array&) { return pure::ones({5}); }, "bad_bwd");
  const std::string m = message_of<pure::ShapeError>([&] {
    (void)pure::grad([&](const Array& v) { return pure::sum(bad(v)); })(vecf({1, 2}));
  });
  EXPECT_NE(m.find("pure::custom_vjp(bad_bwd)"), std::string::npos) << m;
  EXPECT_NE(m.find("f32[5]"), std::string::npos) << m;
}

// ================================================================ a user primitive

// softplus(x) = log(1 + e^x) as a user's own Kokkos kernel; device-safe math
// from pure::math (no std:: math in device code).
template <class T>
struct SoftplusKernel {
  pure::ConstView<T> x;
  pure::MutableView<T> y;
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t i) const {
    const T v = x(i);
    const T a = v < T(0) ? -v : v;
    y(i) = (v > T(0) ? v : T(0)) + pure::math::log1p(pure::math::exp(-a));
  }
};

template <class T>
Array run_softplus(const Array& x) {
  const char* label = "user::softplus";
  Array y = Array::allocate(x.shape(), x.dtype(), label);
  Kokkos::parallel_for(label, Kokkos::RangePolicy<pure::ExecutionSpace, Kokkos::IndexType<std::int64_t>>(0, x.size()),
                       SoftplusKernel<T>{x.view<T>(label), y.mutable_view<T>(label)});
  return y;
}

const pure::ir::Primitive& softplus_p() {
  // Registered once, on first use, from outside the library.
  static const pure::ir::Primitive& prim = pure::ir::register_primitive([] {
    pure::ir::Primitive p;
    p.name = "test_softplus";
    p.abstract_eval = [](const std::vector<pure::ir::Aval>& in, const pure::ir::Params&) {
      if (in.size() != 1 || !pure::is_floating(in[0].dtype)) {
        throw pure::DTypeError("test_softplus: needs one float32/float64 operand");
      }
      return std::vector<pure::ir::Aval>{in[0]};
    };
    p.impl = [](const std::vector<Array>& in, const pure::ir::Params&) -> std::vector<Array> {
      return {in[0].dtype() == pure::DType::f64 ? run_softplus<double>(in[0]) : run_softplus<float>(in[0])};
    };
    // d softplus = sigmoid(x) dx, written with pure's ops so it can be differentiated again.
    p.jvp = [](const std::vector<Array>& x, const std::vector<Array>& t, const std::vector<Array>&,
               const pure::ir::Params&) -> std::vector<Array> {
      if (pure::ir::is_zero(t[0])) return {Array()};
      return {pure::lax::mul(t[0], pure::lax::logistic(x[0]))};
    };
    return p;
  }());
  return prim;
}

Array softplus(const Array& x) { return pure::ir::bind1(softplus_p(), {x}); }

TEST(UserPrimitive, ForwardGradAndGradOfGradMatchFiniteDifferences) {
  const std::vector<double> xs{-30.0, -2.0, -0.3, 0.0, 0.7, 4.0, 40.0};
  const Array x = vecd(xs);
  const std::vector<double> y = softplus(x).to_host<double>();
  const std::vector<float> yf = softplus(pure::astype(x, pure::DType::f32)).to_host<float>();
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const double want = std::max(xs[i], 0.0) + std::log1p(std::exp(-std::abs(xs[i])));
    EXPECT_NEAR(y[i], want, 1e-15 * (1 + want));
    EXPECT_NEAR(yf[i], want, 1e-6 * (1 + want));
  }

  // F = sum softplus(x); G = grad F; checks by central differences with h = 1e-5:
  // truncation h^2 |f'''| / 6 < 2e-12, rounding ~ 1e-16 |F| / h < 1e-9 (|F| <= 50), so 1e-8.
  auto F = [](const Array& v) { return pure::sum(softplus(v)); };
  auto G = pure::grad(F);
  auto H = pure::grad([&](const Array& v) { return pure::sum(G(v)); });
  const std::vector<double> g = G(x).to_host<double>(), h = H(x).to_host<double>();
  const double step = 1e-5;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    std::vector<double> up = xs, down = xs;
    up[i] += step;
    down[i] -= step;
    const double fd = (F(vecd(up)).item<double>() - F(vecd(down)).item<double>()) / (2 * step);
    const double fd2 = (G(vecd(up)).to_host<double>()[i] - G(vecd(down)).to_host<double>()[i]) / (2 * step);
    EXPECT_NEAR(g[i], fd, 1e-8) << "x=" << xs[i];
    EXPECT_NEAR(h[i], fd2, 1e-8) << "x=" << xs[i];
    EXPECT_NEAR(g[i], host_sigmoid(xs[i]), 1e-15);
  }

  const std::string text = pure::make_program(softplus, x).str();
  EXPECT_NE(text.find("test_softplus"), std::string::npos) << text;
  EXPECT_THROW(softplus(pure::arange(3, pure::DType::i32)), pure::DTypeError);
}

}  // namespace
