// 06_jit_training_step: a whole training step under pure::jit.
//
// The step (loss gradient plus an Adam update) is a pure function from
// (params, optimiser state, batch) to (new params, new state), as in JAX.
// pure::jit traces it on the first call and caches the program; later calls
// with the same shapes run the cached program without running the C++ body
// again. The program is printed (step.lower(...), like jax.jit(f).lower(...)),
// the jitted and eager steps are checked to give the same bits, and both are
// timed. Today jit runs one eager kernel per equation (docs/jit.md), so the
// bits match by construction and the speed-up is the C++ tracing and
// bookkeeping skipped; fusion will add to it.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <tuple>
#include <utility>
#include <vector>

#include <pure/pure.hpp>

namespace pr = pure::random;
using pure::Array;

// in 16 -> 32 tanh -> 32 tanh -> 1: small, so the example runs in about a second.
struct Mlp {
  Array w1, b1, w2, b2, w3, b3;
};
PURE_TREE(Mlp, w1, b1, w2, b2, w3, b3)

// Adam's state: the moments and the step count (a rank-0 array, so that a new
// count is a new value of the same signature, not a retrace).
struct Adam {
  Mlp m, v;
  Array t;
};
PURE_TREE(Adam, m, v, t)

Mlp init_params(pr::Key key) {
  const std::vector<pr::Key> k = pr::split(key, 3);
  const auto layer = [](pr::Key kw, std::int64_t in, std::int64_t out) {
    return pr::normal(kw, pure::Shape{in, out}) * (1.0 / std::sqrt(static_cast<double>(in)));
  };
  return {layer(k[0], 16, 32), pure::zeros({32}),  layer(k[1], 32, 32),
          pure::zeros({32}),   layer(k[2], 32, 1), pure::zeros({1})};
}

Array loss(const Mlp& p, const Array& x, const Array& y) {
  const Array h1 = pure::tanh(pure::matmul(x, p.w1) + p.b1);
  const Array h2 = pure::tanh(pure::matmul(h1, p.w2) + p.b2);
  return pure::mean(pure::square(pure::matmul(h2, p.w3) + p.b3 - y));
}

// One step: every array operation here is recorded when jitted.
std::pair<Mlp, Adam> train_step(const Mlp& p, const Adam& s, const Array& x, const Array& y) {
  constexpr double lr = 1e-2, b1 = 0.9, b2 = 0.999, eps = 1e-8;
  const Mlp g = pure::grad(loss)(p, x, y);
  Adam next;
  next.t = s.t + 1.0;
  next.m = pure::tree_map([&](const Array& m, const Array& gi) { return b1 * m + (1.0 - b1) * gi; }, s.m, g);
  next.v =
      pure::tree_map([&](const Array& v, const Array& gi) { return b2 * v + (1.0 - b2) * pure::square(gi); }, s.v, g);
  // Bias correction from the traced count: the same program serves every step.
  const Array c1 = 1.0 - pure::power(pure::full({}, b1), next.t);
  const Array c2 = 1.0 - pure::power(pure::full({}, b2), next.t);
  const Mlp updated = pure::tree_map(
      [&](const Array& pi, const Array& m, const Array& v) { return pi - lr * (m / c1) / (pure::sqrt(v / c2) + eps); },
      p, next.m, next.v);
  return {updated, next};
}

bool same_bits(const Mlp& a, const Mlp& b) {
  const std::vector<Array> la = pure::tree_leaves(a), lb = pure::tree_leaves(b);
  for (std::size_t i = 0; i < la.size(); ++i) {
    const std::vector<float> x = la[i].to_host<float>(), y = lb[i].to_host<float>();
    if (x.size() != y.size() || std::memcmp(x.data(), y.data(), x.size() * sizeof(float)) != 0) return false;
  }
  return true;
}

// Seconds per step over `steps` steps of `step`, state carried along.
template <class Step>
double seconds_per_step(const Step& step, Mlp p, Adam s, const Array& x, const Array& y, int steps) {
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < steps; ++i) std::tie(p, s) = step(p, s, x, y);
  p.w1.to_host<float>();  // waits for the last kernel
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / steps;
}

int main(int argc, char** argv) {
  pure::ScopeGuard guard(argc, argv);
  bool ok = true;
  {
    const std::vector<pr::Key> keys = pr::split(pr::key(6), 2);
    const Array x = pr::uniform(keys[0], {256, 16}, pure::DType::f32, -1.0, 1.0);
    const Array y = pure::sin(pure::sum(x, {1}, /*keepdims=*/true));  // a smooth target
    const Mlp params = init_params(keys[1]);
    const Adam opt{pure::tree_zeros_like(params), pure::tree_zeros_like(params), pure::full({}, 0.0)};

    const auto step = pure::jit(train_step, pure::JitOptions{}.named("train_step"));
    std::cout << step.lower(params, opt, x, y) << "\n";

    // Five steps each way, from the same start: the same bits every step.
    Mlp pe = params, pj = params;
    Adam se = opt, sj = opt;
    for (int i = 1; i <= 5; ++i) {
      std::tie(pe, se) = train_step(pe, se, x, y);
      std::tie(pj, sj) = step(pj, sj, x, y);
      const bool same = same_bits(pe, pj);
      std::printf("step %d: loss %.6f, jitted and eager bits %s\n", i, loss(pj, x, y).item<float>(),
                  same ? "equal" : "DIFFER");
      ok = ok && same;
    }
    std::printf("traces: %zu (the first call; later calls reuse the program)\n", step.trace_count());
    ok = ok && step.trace_count() == 1 && loss(pj, x, y).item<float>() < loss(params, x, y).item<float>();

    const int steps = 100;
    const double eager = seconds_per_step(train_step, params, opt, x, y, steps);
    const double jitted = seconds_per_step(step, params, opt, x, y, steps);
    std::printf("per step: eager %.1f us, jit %.1f us: speed-up %.2fx\n", eager * 1e6, jitted * 1e6, eager / jitted);
  }
  std::cout << (ok ? "OK" : "FAILED") << "\n";
  return ok ? 0 : 1;
}
