// 05_custom_primitive: your own Kokkos kernel as a differentiable primitive.
//
// Every pure op is a Primitive: a name, a shape/dtype rule, a kernel and a JVP
// rule. You can register your own without touching the library. Here:
// softplus(x) = log(1 + e^x), computed by our kernel in the stable form
// max(x, 0) + log1p(e^-|x|), with the JVP rule  d softplus = t * sigmoid(x).
// Because the rule is written with pure::lax ops, grad works (reverse mode
// transposes the rule's lax::mul), and so does grad of grad (the rule itself
// is differentiated through lax::logistic). At the end, pure::custom_jvp gives
// an existing function its own derivative rule without writing any kernel.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <vector>

#include <pure/core/math.hpp>
#include <pure/pure.hpp>

namespace {

using pure::Array;

// The kernel: a functor template (not a generic lambda), so it compiles for
// CUDA/HIP too. pure::math's exp/log1p give the same bits on every backend.
template <class T>
struct SoftplusKernel {
  pure::ConstView<T> x;
  pure::MutableView<T> out;
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t i) const {
    const T v = x(i);
    const T a = v < T(0) ? -v : v;
    out(i) = (v > T(0) ? v : T(0)) + pure::math::log1p(pure::math::exp(-a));
  }
};

template <class T>
Array run_softplus(const Array& x) {
  Array out = Array::allocate(x.shape(), x.dtype(), "example::softplus");
  Kokkos::parallel_for("example::softplus",
                       Kokkos::RangePolicy<pure::ExecutionSpace, Kokkos::IndexType<std::int64_t>>(0, x.size()),
                       SoftplusKernel<T>{x.view<T>("example::softplus"), out.mutable_view<T>("example::softplus")});
  return out;
}

// Registered once, on first use; register_primitive returns a reference that
// stays valid for the whole program.
const pure::ir::Primitive& softplus_p() {
  static const pure::ir::Primitive& p = pure::ir::register_primitive([] {
    pure::ir::Primitive prim;
    prim.name = "example_softplus";
    // Shape/dtype rule: same aval as the input, floats only.
    prim.abstract_eval = [](const std::vector<pure::ir::Aval>& in, const pure::ir::Params&) {
      if (!pure::is_floating(in.at(0).dtype)) {
        throw pure::DTypeError("example::softplus: argument 'x' must be float32 or float64, got " + in[0].str());
      }
      return std::vector<pure::ir::Aval>{in[0]};
    };
    prim.impl = [](const std::vector<Array>& in, const pure::ir::Params&) {
      return std::vector<Array>{in[0].dtype() == pure::DType::f32 ? run_softplus<float>(in[0])
                                                                  : run_softplus<double>(in[0])};
    };
    // JVP rule: an empty tangent is a symbolic zero; the rule must pass it on.
    prim.jvp = [](const std::vector<Array>& x, const std::vector<Array>& t, const std::vector<Array>&,
                  const pure::ir::Params&) {
      if (pure::ir::is_zero(t[0])) return std::vector<Array>{Array()};
      return std::vector<Array>{pure::lax::mul(t[0], pure::lax::logistic(x[0]))};
    };
    return prim;
  }());
  return p;
}

// The public face of the op: bind it through the current interpreter, so it
// runs eagerly, or is traced, differentiated or staged by whatever transform is active.
Array softplus(const Array& x) { return pure::ir::bind1(softplus_p(), {x}); }

}  // namespace

int main(int argc, char** argv) {
  pure::ScopeGuard guard(argc, argv);
  bool ok = true;
  {
    const std::vector<double> xs = {-30.0, -2.0, -0.5, 0.0, 0.7, 3.0, 40.0};
    const Array x = pure::from_host(xs);

    // softplus, its gradient and its second derivative, all through pure.
    const auto f = [](const Array& v) { return pure::sum(softplus(v)); };
    const auto df = pure::grad(f);
    const auto d2f = pure::grad([&df](const Array& v) { return pure::sum(df(v)); });
    const std::vector<double> y = softplus(x).to_host<double>();
    const std::vector<double> g = df(x).to_host<double>();
    const std::vector<double> h = d2f(x).to_host<double>();

    // The traced program shows our primitive next to pure's own.
    std::cout << pure::make_program(df, x).str() << "\n";

    // Independent reference in host double with std:: math: softplus =
    // log1p(exp(x)) (no overflow for these x), sigmoid s = 1/(1+e^-x), s' = s (1 - s).
    std::printf("%6s %12s %12s %12s\n", "x", "softplus", "grad", "grad(grad)");
    for (std::size_t i = 0; i < xs.size(); ++i) {
      const double s = 1.0 / (1.0 + std::exp(-xs[i]));
      const double ref[3] = {std::log1p(std::exp(xs[i])), s, s * (1.0 - s)};
      const double got[3] = {y[i], g[i], h[i]};
      std::printf("%6.2f %12.6g %12.6g %12.6g\n", xs[i], got[0], got[1], got[2]);
      // pure::math is within a few ulp of std::; 1e-13 relative (plus 1e-300
      // for the tiny tails) is far above that and far below any wrong formula.
      for (int k = 0; k < 3; ++k) {
        if (!(std::abs(got[k] - ref[k]) <= 1e-13 * std::abs(ref[k]) + 1e-300)) {
          std::printf("  mismatch in column %d: got %.17g, want %.17g\n", k + 1, got[k], ref[k]);
          ok = false;
        }
      }
    }

    // Forward mode uses the same rule: jvp with tangent 1 gives sigmoid(x) elementwise.
    const auto [y2, dy] = pure::jvp([](const Array& v) { return softplus(v); }, x, pure::ones(x.shape(), x.dtype()));
    const std::vector<double> dys = dy.to_host<double>();
    bool same = true;
    for (std::size_t i = 0; i < xs.size(); ++i) same = same && dys[i] == g[i];
    std::cout << "jvp tangent equals grad: " << (same ? "yes" : "NO") << "\n";
    ok = ok && same;

    // Without a kernel of your own: custom_jvp gives an existing function a
    // better derivative. log1p(exp(x)) differentiated naively is
    // exp(x) / (1 + exp(x)) = inf / inf = NaN at x = 800 in double; the rule
    // t * sigmoid(x) stays finite.
    const auto log1pexp = pure::custom_jvp(
        [](const Array& v) { return pure::log1p(pure::exp(v)); },
        [](const Array& v, const Array& t) { return std::make_pair(pure::log1p(pure::exp(v)), t * pure::sigmoid(v)); },
        "log1pexp");
    const Array big = pure::from_host(std::vector<double>{-800.0, 0.0, 800.0});
    const std::vector<double> gl =
        pure::grad([&log1pexp](const Array& v) { return pure::sum(log1pexp(v)); })(big).to_host<double>();
    const std::vector<double> naive =
        pure::grad([](const Array& v) { return pure::sum(pure::log1p(pure::exp(v))); })(big).to_host<double>();
    std::printf("custom_jvp grad at -800, 0, 800: %g %g %g (naive: %g %g %g)\n", gl[0], gl[1], gl[2], naive[0],
                naive[1], naive[2]);
    // Reference: sigmoid(-800) = 0 (underflows), sigmoid(0) = 1/2, sigmoid(800) = 1.
    const bool custom_ok = gl[0] == 0.0 && gl[1] == 0.5 && gl[2] == 1.0 && std::isnan(naive[2]);
    std::cout << "custom_jvp keeps the gradient finite: " << (custom_ok ? "yes" : "NO") << "\n";
    ok = ok && custom_ok;
  }
  std::cout << (ok ? "OK" : "FAILED") << "\n";
  return ok ? 0 : 1;
}
