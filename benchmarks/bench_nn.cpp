// What pure::nn and pure::optim cost over the same step written with raw ops
// (issue 11, item 4):
//   nn/mlp_step/{eager,jit}      one training step of MLP({256, 256, 1}, tanh)
//       on a 1024 x 256 f32 batch, MSE loss, pure::optim::adam(1e-3): params
//       and optimizer state are pure::Trees going through Module::apply,
//       value_and_grad and GradientTransformation::update.
//   nn/mlp_step/raw_{eager,jit}  the same arithmetic, operation for operation
//       (Dense = dot_general + bias, Optax's adam formulas), written with
//       pure ops on a PURE_TREE struct: no Scope, no Tree, no std::function.
// Target (printed at exit, not asserted): the module + optimizer row within
// 1.05x of its raw row, eager and jitted. Both rows compute the same bits
// (checked before timing). Figures: docs/benchmarks.md.
//
// Key reuse: inputs are drawn again from the same keys on purpose; run with
// PURE_DEBUG_KEY_REUSE unset or 0 (the ctest smoke test sets 0).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstring>
#include <utility>
#include <vector>

#include <Kokkos_Core.hpp>

#include <pure/pure.hpp>

#include "summary.hpp"

namespace bench_nn {

namespace nn = pure::nn;
namespace pr = pure::random;
using pure::Array;
using pure::DType;
using pure::Shape;
using pure::Tree;
using pure_bench::summarize;

constexpr std::int64_t kBatch = 1024, kIn = 256, kHidden = 256;
constexpr double kLr = 1e-3, kB1 = 0.9, kB2 = 0.999, kEps = 1e-8;

struct Data {
  Array x, y;
};
Data data() {
  const pr::Key k = pr::key(0x6e6e);
  return {pr::uniform(pr::fold_in(k, 1), Shape{kBatch, kIn}, DType::f32, -1.0, 1.0),
          pr::uniform(pr::fold_in(k, 2), Shape{kBatch, 1}, DType::f32, -1.0, 1.0)};
}

const nn::MLP& model() {
  static const nn::MLP m({kHidden, kHidden, 1}, nn::tanh);
  return m;
}
const pure::optim::GradientTransformation& adam() {
  static const pure::optim::GradientTransformation opt = pure::optim::adam(kLr, kB1, kB2, kEps);
  return opt;
}

// ---------------------------------------------------------------- with nn + optim

std::pair<Tree, Tree> nn_step(const Tree& params, const Tree& state, const Array& x, const Array& y) {
  auto loss = [&](const Tree& p) { return pure::mean(pure::square(model().apply(p, x) - y)); };
  const Tree g = pure::grad(loss)(params);
  auto [updates, next_state] = adam().update(g, state, params);
  return {pure::optim::apply_updates(params, updates), next_state};
}

// ---------------------------------------------------------------- raw ops

struct Layer {
  Array kernel, bias;
};
PURE_TREE(Layer, kernel, bias)
struct Net {
  Layer d0, d1, d2;
};
PURE_TREE(Net, d0, d1, d2)
struct AdamState {
  Array count;
  Net mu, nu;
};
PURE_TREE(AdamState, count, mu, nu)

Array dense(const Layer& l, const Array& x) { return pure::lax::dot_general(x, l.kernel, {{1}, {0}}) + l.bias; }

Array raw_loss(const Net& p, const Array& x, const Array& y) {
  const Array h0 = pure::tanh(dense(p.d0, x));
  const Array h1 = pure::tanh(dense(p.d1, h0));
  return pure::mean(pure::square(dense(p.d2, h1) - y));
}

// Optax's adam, as pure::optim computes it: count + 1 saturating, bias
// corrections 1 - b^t in f64, moments, mu_hat / (sqrt(nu_hat + 0) + eps), * -lr.
std::pair<Net, AdamState> raw_step(const Net& p, const AdamState& s, const Array& x, const Array& y) {
  const Net g = pure::grad(&raw_loss)(p, x, y);
  const Array largest = pure::full(Shape{}, 2147483647.0, DType::i32);
  const Array count = pure::where(s.count < largest, s.count + 1, largest);
  const Array t = pure::astype(count, DType::f64);
  const Array c1 = pure::astype(1.0 - pure::power(pure::full(Shape{}, kB1, DType::f64), t), DType::f32);
  const Array c2 = pure::astype(1.0 - pure::power(pure::full(Shape{}, kB2, DType::f64), t), DType::f32);
  Net next;
  AdamState ns;
  ns.count = count;
  using LayerOf = Layer Net::*;  // (aliases: nvcc's host code of "Layer Net::*l" trips -Wparentheses)
  using LeafOf = Array Layer::*;
  for (LayerOf l : {&Net::d0, &Net::d1, &Net::d2}) {
    for (LeafOf a : {&Layer::kernel, &Layer::bias}) {
      const Array& gi = (g.*l).*a;
      const Array mu = (1.0 - kB1) * pure::integer_pow(gi, 1) + kB1 * ((s.mu.*l).*a);
      const Array nu = (1.0 - kB2) * pure::integer_pow(gi, 2) + kB2 * ((s.nu.*l).*a);
      const Array u = (mu / c1) / (pure::sqrt(nu / c2 + 0.0) + kEps);
      (next.*l).*a = (p.*l).*a + (-kLr) * u;
      (ns.mu.*l).*a = mu;
      (ns.nu.*l).*a = nu;
    }
  }
  return {next, ns};
}

Net net_of(const Tree& p) {
  auto layer = [&](const char* name) { return Layer{p[name]["kernel"].array(), p[name]["bias"].array()}; };
  return Net{layer("Dense_0"), layer("Dense_1"), layer("Dense_2")};
}
AdamState raw_state(const Net& p) {
  auto zeros = [](const Net& n) {
    return pure::tree_map([](const Array& a) { return pure::zeros(a.shape(), a.dtype()); }, n);
  };
  return AdamState{pure::full(Shape{}, 0.0, DType::i32), zeros(p), zeros(p)};
}

// ---------------------------------------------------------------- rows

template <class Step, class P, class S>
void run_rows(benchmark::State& state, Step&& step, P p, S s) {
  const Data d = data();
  auto once = [&] {
    auto next = step(p, s, d.x, d.y);
    p = std::move(next.first);
    s = std::move(next.second);
  };
  once();  // traces the jitted rows outside the timed loop
  for (auto _ : state) {
    once();
    Kokkos::fence();
  }
}

void bm_nn_eager(benchmark::State& state) {
  const Tree p = model().init(pr::key(1), data().x);
  run_rows(state, &nn_step, p, adam().init(p));
}
void bm_nn_jit(benchmark::State& state) {
  const Tree p = model().init(pr::key(1), data().x);
  run_rows(state, pure::jit(&nn_step), p, adam().init(p));
}
void bm_raw_eager(benchmark::State& state) {
  const Net p = net_of(model().init(pr::key(1), data().x));
  run_rows(state, &raw_step, p, raw_state(p));
}
void bm_raw_jit(benchmark::State& state) {
  const Net p = net_of(model().init(pr::key(1), data().x));
  run_rows(state, pure::jit(&raw_step), p, raw_state(p));
}

/// Two steps both ways must give the same parameter bits, or the comparison
/// would time different work.
bool sanity_check() {
  const Data d = data();
  Tree p = model().init(pr::key(1), d.x);
  Tree s = adam().init(p);
  Net q = net_of(p);
  AdamState r = raw_state(q);
  for (int i = 0; i < 2; ++i) {
    std::tie(p, s) = nn_step(p, s, d.x, d.y);
    std::tie(q, r) = raw_step(q, r, d.x, d.y);
  }
  const std::vector<float> a = p["Dense_1"]["kernel"].array().to_host<float>();
  const std::vector<float> b = q.d1.kernel.to_host<float>();
  if (a != b) {
    std::fprintf(stderr, "bench_nn: the nn + optim step and the raw step differ; not timing\n");
    return false;
  }
  return true;
}

void register_all() {
  for (auto [name, fn] :
       {std::pair{"nn/mlp_step/eager", &bm_nn_eager}, std::pair{"nn/mlp_step/raw_eager", &bm_raw_eager},
        std::pair{"nn/mlp_step/jit", &bm_nn_jit}, std::pair{"nn/mlp_step/raw_jit", &bm_raw_jit}}) {
    benchmark::RegisterBenchmark(name, fn)->Unit(benchmark::kMillisecond);
  }
  summarize("time nn/mlp_step eager: nn + optim / raw ops", "nn/mlp_step/eager", "nn/mlp_step/raw_eager", 1.0, "x",
            1.05);
  summarize("time nn/mlp_step jit: nn + optim / raw ops", "nn/mlp_step/jit", "nn/mlp_step/raw_jit", 1.0, "x", 1.05);
  summarize("time nn/mlp_step eager / jit", "nn/mlp_step/eager", "nn/mlp_step/jit", 1.0, "x");
}

}  // namespace bench_nn

int main(int argc, char** argv) {
  pure::ScopeGuard guard(argc, argv);
  pure::set_matmul_precision(pure::MatmulPrecision::reproducible);
  std::fprintf(stderr, "bench_nn: pure on Kokkos %s (%d thread(s))\n", pure::ExecutionSpace::name(),
               static_cast<int>(pure::ExecutionSpace().concurrency()));
  if (!bench_nn::sanity_check()) return 2;
  bench_nn::register_all();
  return pure_bench::run_benchmarks(argc, argv, "bench_nn");
}
