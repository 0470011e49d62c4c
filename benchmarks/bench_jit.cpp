// What pure::jit saves and costs (issue 10, item 7), each row next to a floor:
//   jit/mlp_step/{eager,jit,floor}  one training step of the MLP in 256 ->
//       256 tanh -> 256 tanh -> 1, batch 1024, f32, mean squared error, Adam
//       written with pure's ops; params and Adam state go in and come out. The
//       floor is the step's eight cblas_sgemm calls alone (OpenBLAS, one
//       thread; absent without OpenBLAS). Counters: allocs_per_step (Kokkos
//       allocations seen through Kokkos Tools) and buffers_per_step (arrays
//       served by pure's buffer cache), both counted after the timed loop.
//   jit/chain8/{separate,fused,hand}  tanh(a*x + b) * exp(-x*x) + c*x - d over
//       2^22 f32 values: eager ops, the jitted function, and one hand-written
//       Kokkos kernel calling pure's scalar math (the same bits, checked).
//   jit/compile/mlp_step  trace and passes of the step (a fresh jit, lower()).
//   jit/dispatch/tiny{,_eager}  x * 2 on one f32 value, jitted and eager.
// Targets (printed at exit, not asserted): jit at least 1.3x faster than
// eager and within 1.25x of the floor, with no allocation per step; fused
// within 1.2x of hand; compile under 50 ms; dispatch at most 2 us. Until
// fusion and the memory arena land, jit runs one eager kernel per equation
// and takes a fresh buffer for each intermediate. Figures: docs/benchmarks.md.
//
// Key reuse: inputs are drawn again from the same keys on purpose; run with
// PURE_DEBUG_KEY_REUSE unset or 0 (the ctest smoke test sets 0).

#include <benchmark/benchmark.h>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <Kokkos_Core.hpp>

#include <pure/core/buffer_cache.hpp>
#include <pure/core/math.hpp>
#include <pure/pure.hpp>

#include "summary.hpp"

#if PURE_BENCH_HAVE_OPENBLAS
#include "mlp_sgemm.hpp"
#endif

namespace bench_jit {

namespace pr = pure::random;
using pure::Array;
using pure::DType;
using pure_bench::summarize;
using Policy = Kokkos::RangePolicy<pure::ExecutionSpace, Kokkos::IndexType<std::int64_t>>;

constexpr std::uint64_t kSeed = 0x0b5e55ed000aull;

Array input(std::uint32_t stream, const pure::Shape& shape, double lo, double hi) {
  return pr::uniform(pr::fold_in(pr::key(kSeed), stream), shape, DType::f32, lo, hi);
}

// ---------------------------------------------------------------- allocations
// Kokkos Tools' allocate-data callback fires for every Kokkos allocation once
// it is set, with no tool library loaded (checked on Kokkos 3.4; the setter is
// the same in 4.x). While any callback is set Kokkos also prepares tool calls
// around every kernel, so it is set only around a few counting steps after
// the timed loop, never while timing.
#if defined(KOKKOS_VERSION) && KOKKOS_VERSION >= 30400
#define PURE_BENCH_COUNT_ALLOCS 1
std::atomic<std::int64_t> g_allocations{0};
void on_allocate(Kokkos::Tools::SpaceHandle, const char*, const void*, std::uint64_t) { ++g_allocations; }
#else
#define PURE_BENCH_COUNT_ALLOCS 0
#endif

/// Runs `step` a few times and sets allocs_per_step (unless a Kokkos tool
/// library already owns the callbacks, or this Kokkos lacks the setter) and
/// buffers_per_step. Call after the timed loop.
template <class Step>
void count_allocations(benchmark::State& state, Step&& step) {
  constexpr int kSteps = 4;
  const pure::BufferCacheStats before = pure::buffer_cache_stats();
#if PURE_BENCH_COUNT_ALLOCS
  const bool own = !Kokkos::Tools::profileLibraryLoaded();
  g_allocations = 0;
  if (own) Kokkos::Tools::Experimental::set_allocate_data_callback(&on_allocate);
#endif
  for (int i = 0; i < kSteps; ++i) step();
  Kokkos::fence();
#if PURE_BENCH_COUNT_ALLOCS
  if (own) {
    Kokkos::Tools::Experimental::set_allocate_data_callback(nullptr);
    state.counters["allocs_per_step"] = static_cast<double>(g_allocations.load()) / kSteps;
  }
#endif
  const pure::BufferCacheStats after = pure::buffer_cache_stats();
  state.counters["buffers_per_step"] =
      static_cast<double>((after.hits + after.misses) - (before.hits + before.misses)) / kSteps;
}

// ---------------------------------------------------------------- 1. MLP training step

constexpr std::int64_t kBatch = 1024, kIn = 256, kHidden = 256, kOut = 1;

struct Mlp {
  Array w1, b1, w2, b2, w3, b3;
};
PURE_TREE(Mlp, w1, b1, w2, b2, w3, b3)

// Adam's moments and beta^t so far (bias correction without a pow).
struct Adam {
  Mlp m, v;
  Array beta1_t, beta2_t;
};
PURE_TREE(Adam, m, v, beta1_t, beta2_t)

constexpr double kLr = 1e-3, kBeta1 = 0.9, kBeta2 = 0.999, kEps = 1e-8;

Array mlp_loss(const Mlp& p, const Array& x, const Array& y) {
  const Array h1 = pure::tanh(pure::matmul(x, p.w1) + p.b1);
  const Array h2 = pure::tanh(pure::matmul(h1, p.w2) + p.b2);
  const Array d = pure::matmul(h2, p.w3) + p.b3 - y;
  return pure::mean(d * d);
}

/// One step: gradient of the loss, then Adam (Kingma & Ba) on every leaf.
std::pair<Mlp, Adam> train_step(const Mlp& p, const Adam& s, const Array& x, const Array& y) {
  const Mlp g = pure::grad(&mlp_loss)(p, x, y);
  Mlp p_next;
  Adam s_next;
  s_next.beta1_t = s.beta1_t * kBeta1;
  s_next.beta2_t = s.beta2_t * kBeta2;
  const Array c1 = 1.0 - s_next.beta1_t, c2 = 1.0 - s_next.beta2_t;
  using Leaf = Array Mlp::*;  // (an alias: nvcc's host code of "Array Mlp::*leaf" trips -Wparentheses)
  for (Leaf leaf : {&Mlp::w1, &Mlp::b1, &Mlp::w2, &Mlp::b2, &Mlp::w3, &Mlp::b3}) {
    const Array& gi = g.*leaf;
    const Array m = kBeta1 * (s.m.*leaf) + (1.0 - kBeta1) * gi;
    const Array v = kBeta2 * (s.v.*leaf) + (1.0 - kBeta2) * (gi * gi);
    p_next.*leaf = p.*leaf - kLr * (m / c1) / (pure::sqrt(v / c2) + kEps);
    s_next.m.*leaf = m;
    s_next.v.*leaf = v;
  }
  return {p_next, s_next};
}

// Arrays are built per benchmark, not kept in a static: they must be gone
// before Kokkos finalizes.
struct MlpData {
  Mlp params;
  Adam opt;
  Array x, y;
};

MlpData mlp_data() {
  MlpData d;
  const double s_in = 1.0 / std::sqrt(double(kIn)), s_hidden = 1.0 / std::sqrt(double(kHidden));
  d.params.w1 = input(1, pure::Shape{kIn, kHidden}, -s_in, s_in);
  d.params.b1 = input(2, pure::Shape{kHidden}, -0.1, 0.1);
  d.params.w2 = input(3, pure::Shape{kHidden, kHidden}, -s_hidden, s_hidden);
  d.params.b2 = input(4, pure::Shape{kHidden}, -0.1, 0.1);
  d.params.w3 = input(5, pure::Shape{kHidden, kOut}, -s_hidden, s_hidden);
  d.params.b3 = input(6, pure::Shape{kOut}, -0.1, 0.1);
  d.opt.m = pure::tree_zeros_like(d.params);
  d.opt.v = pure::tree_zeros_like(d.params);
  d.opt.beta1_t = pure::full(pure::Shape{}, 1.0);
  d.opt.beta2_t = pure::full(pure::Shape{}, 1.0);
  d.x = input(7, pure::Shape{kBatch, kIn}, -1.0, 1.0);
  d.y = input(8, pure::Shape{kBatch, kOut}, -1.0, 1.0);
  return d;
}

pure::JitOptions step_options() { return pure::JitOptions{}.named("mlp_step"); }

/// The step as each row runs it: state carried from call to call, as in training.
template <class Step>
void bm_mlp(benchmark::State& state, const Step& step_fn) {
  const MlpData d = mlp_data();
  Mlp p = d.params;
  Adam s = d.opt;
  const auto step = [&] { std::tie(p, s) = step_fn(p, s, d.x, d.y); };
  step();  // the jitted row traces here, outside the timed loop
  for (auto _ : state) {
    step();
    Kokkos::fence();
    benchmark::DoNotOptimize(p.w1.data());
  }
  count_allocations(state, step);
}

void bm_mlp_eager(benchmark::State& state) { bm_mlp(state, &train_step); }

void bm_mlp_jit(benchmark::State& state) {
  // Parameters and Adam state are donated: the new ones take the old ones' memory.
  const auto jitted = pure::jit(&train_step, step_options().donate_args({0, 1}));
  bm_mlp(state, jitted);
}

#if PURE_BENCH_HAVE_OPENBLAS
// The eight products alone. sgemm's time does not depend on the values (none
// are denormal), so the activations and gradients are drawn, not computed.
class SgemmFloor {
 public:
  SgemmFloor() {
    const MlpData d = mlp_data();
    x_ = d.x.to_host<float>();
    w1_ = d.params.w1.to_host<float>();
    w2_ = d.params.w2.to_host<float>();
    w3_ = d.params.w3.to_host<float>();
    const auto drawn = [](std::uint32_t stream, std::int64_t cols, double bound) {
      return input(stream, pure::Shape{kBatch, cols}, -bound, bound).to_host<float>();
    };
    h1_ = drawn(20, kHidden, 1.0);
    h2_ = drawn(21, kHidden, 1.0);
    dz1_ = drawn(22, kHidden, 1e-3);
    dz2_ = drawn(23, kHidden, 1e-3);
    dz3_ = drawn(24, kOut, 1e-3);
    const auto out = [](std::int64_t rows, std::int64_t cols) {
      return std::vector<float>(static_cast<std::size_t>(rows * cols));
    };
    z1_ = dh1_ = out(kBatch, kHidden);
    z2_ = dh2_ = out(kBatch, kHidden);
    z3_ = out(kBatch, kOut);
    dw1_ = out(kIn, kHidden);
    dw2_ = out(kHidden, kHidden);
    dw3_ = out(kHidden, kOut);
    gemms_ = pure_bench::mlp_sgemms(
        int(kBatch), int(kIn), int(kHidden), int(kOut),
        {x_.data(), w1_.data(), w2_.data(), w3_.data(), h1_.data(), h2_.data(), dz3_.data(), dz2_.data(), dz1_.data(),
         z1_.data(), z2_.data(), z3_.data(), dw3_.data(), dh2_.data(), dw2_.data(), dh1_.data(), dw1_.data()});
  }
  // The table points into this object's buffers.
  SgemmFloor(const SgemmFloor&) = delete;
  SgemmFloor& operator=(const SgemmFloor&) = delete;

  void run() const {
    for (const pure_bench::Sgemm& g : gemms_) g();
  }

 private:
  std::vector<float> x_, w1_, w2_, w3_, h1_, h2_, dz1_, dz2_, dz3_, z1_, z2_, z3_, dh1_, dh2_, dw1_, dw2_, dw3_;
  std::array<pure_bench::Sgemm, 8> gemms_{};
};

void bm_mlp_floor(benchmark::State& state) {
  const SgemmFloor floor;
  for (auto _ : state) {
    floor.run();
    benchmark::ClobberMemory();
  }
}
#endif

// ---------------------------------------------------------------- 2. an elementwise chain

constexpr std::int64_t kChainSize = std::int64_t{1} << 22;
constexpr float kA = 0.75f, kB = 0.25f, kC = 0.5f, kD = 0.125f;

// Traced as mul(a, x), add(., b), tanh, neg(x), mul(-x, x), exp, mul, mul(c, x),
// add, sub(., d): each C++ float becomes a rank-0 f32 constant (weak typing)
// broadcast against x.
Array chain8(const Array& x) { return pure::tanh(kA * x + kB) * pure::exp(-x * x) + kC * x - kD; }

// The same float operations in the same order (-ffp-contract=off: no FMA).
struct Chain8Kernel {
  pure::ConstView<float> x;
  Kokkos::View<float*, pure::MemorySpace> out;
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t i) const {
    const float v = x(i);
    out(i) = pure::math::tanh(kA * v + kB) * pure::math::exp(-v * v) + kC * v - kD;
  }
};

Array chain_input() { return input(30, pure::Shape{kChainSize}, -3.0, 3.0); }

Chain8Kernel chain_kernel(const Array& x) {
  return {x.view<float>(), Kokkos::View<float*, pure::MemorySpace>(
                               Kokkos::view_alloc(std::string("pure::bench::chain8"), Kokkos::WithoutInitializing),
                               static_cast<std::size_t>(x.size()))};
}

void set_bytes(benchmark::State& state) {
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * 2 * kChainSize *
                          static_cast<std::int64_t>(sizeof(float)));
}

template <class F>
void bm_chain(benchmark::State& state, const F& f) {
  const Array x = chain_input();
  benchmark::DoNotOptimize(f(x).data());  // the jitted row traces here
  for (auto _ : state) {
    Array r = f(x);
    Kokkos::fence();
    benchmark::DoNotOptimize(r.data());
  }
  set_bytes(state);
}

void bm_chain_separate(benchmark::State& state) { bm_chain(state, &chain8); }
void bm_chain_fused(benchmark::State& state) {
  bm_chain(state, pure::jit(&chain8, pure::JitOptions{}.named("chain8")));
}

void bm_chain_hand(benchmark::State& state) {
  const Array x = chain_input();
  const Chain8Kernel k = chain_kernel(x);
  for (auto _ : state) {
    Kokkos::parallel_for("pure::bench::chain8", Policy(0, kChainSize), k);
    Kokkos::fence();
    benchmark::DoNotOptimize(k.out.data());
    benchmark::ClobberMemory();
  }
  set_bytes(state);
}

// ---------------------------------------------------------------- 3. compile time, dispatch

void bm_compile(benchmark::State& state) {
  const MlpData d = mlp_data();
  for (auto _ : state) {
    const auto jitted = pure::jit(&train_step, step_options());
    const std::string text = jitted.lower(d.params, d.opt, d.x, d.y);
    benchmark::DoNotOptimize(text.data());
  }
}

Array tiny(const Array& x) { return x * 2.0; }

template <class F>
void bm_tiny(benchmark::State& state, const F& f) {
  const Array x = input(40, pure::Shape{1}, -1.0, 1.0);
  benchmark::DoNotOptimize(f(x).data());  // the jitted row traces here
  for (auto _ : state) {
    Array r = f(x);
    Kokkos::fence();
    benchmark::DoNotOptimize(r.data());
  }
}

void bm_tiny_jit(benchmark::State& state) { bm_tiny(state, pure::jit(&tiny, pure::JitOptions{}.named("tiny"))); }
void bm_tiny_eager(benchmark::State& state) { bm_tiny(state, &tiny); }

// ---------------------------------------------------------------- registration

void register_all() {
  const auto us = [](benchmark::internal::Benchmark* b) { b->Unit(benchmark::kMicrosecond); };
  const auto ms = [](benchmark::internal::Benchmark* b) { b->Unit(benchmark::kMillisecond); };
  ms(benchmark::RegisterBenchmark("jit/mlp_step/eager", bm_mlp_eager));
  ms(benchmark::RegisterBenchmark("jit/mlp_step/jit", bm_mlp_jit));
#if PURE_BENCH_HAVE_OPENBLAS
  ms(benchmark::RegisterBenchmark("jit/mlp_step/floor", bm_mlp_floor));
#endif
  us(benchmark::RegisterBenchmark("jit/chain8/separate", bm_chain_separate));
  us(benchmark::RegisterBenchmark("jit/chain8/fused", bm_chain_fused));
  us(benchmark::RegisterBenchmark("jit/chain8/hand", bm_chain_hand));
  ms(benchmark::RegisterBenchmark("jit/compile/mlp_step", bm_compile));
  us(benchmark::RegisterBenchmark("jit/dispatch/tiny", bm_tiny_jit));
  us(benchmark::RegisterBenchmark("jit/dispatch/tiny_eager", bm_tiny_eager));

  const std::string mlp = "jit/mlp_step/", chain = "jit/chain8/";
  summarize("time mlp_step eager / jit (target: >= 1.3)", mlp + "eager", mlp + "jit", 1.0, "x");
  summarize("time mlp_step jit / eager", mlp + "jit", mlp + "eager", 1.0, "x", 1.0 / 1.3);
  summarize("time mlp_step jit / 8 sgemm", mlp + "jit", mlp + "floor", 1.0, "x", 1.25);
  summarize("time mlp_step eager / 8 sgemm", mlp + "eager", mlp + "floor", 1.0, "x");
  summarize("time chain8 fused / hand", chain + "fused", chain + "hand", 1.0, "x", 1.2);
  summarize("time chain8 separate / hand", chain + "separate", chain + "hand", 1.0, "x");
  summarize("ms trace + passes of mlp_step (lower)", "jit/compile/mlp_step", "", 1e3, "ms", 50.0);
  summarize("us per call, jitted x * 2 on 1 value", "jit/dispatch/tiny", "", 1e6, "us", 2.0);
  summarize("us per call, eager x * 2 on 1 value", "jit/dispatch/tiny_eager", "", 1e6, "us");
  summarize("time chain8 fused / separate", chain + "fused", chain + "separate", 1.0, "x");
  pure_bench::summary_note(
      "jit fuses elementwise groups and plans an arena (buffers_per_step: arrays taken from the buffer cache per "
      "step; allocs_per_step: Kokkos allocations, what the cache misses); the hand kernel is a plain Kokkos "
      "functor, compiled with this build's flags and no -march (scalar at -O2, SSE2 at -O3)");
}

// ---------------------------------------------------------------- start-up checks
// The rows compare like with like only if they compute the same bits: the hand
// kernel, eager and jitted chain8; eager and jitted steps. A failure exits 2.

bool report(bool ok, const std::string& what) {
  if (!ok) std::fprintf(stderr, "bench_jit: start-up check failed: %s\n", what.c_str());
  return ok;
}

bool same_bits(const Array& a, const Array& b) {
  if (a.shape() != b.shape() || a.dtype() != b.dtype()) return false;
  const std::vector<float> ha = a.to_host<float>(), hb = b.to_host<float>();
  return std::memcmp(ha.data(), hb.data(), ha.size() * sizeof(float)) == 0;
}

template <class T>
bool same_tree_bits(const T& a, const T& b) {
  const std::vector<Array> la = pure::tree_leaves(a), lb = pure::tree_leaves(b);
  bool ok = la.size() == lb.size();
  for (std::size_t i = 0; ok && i < la.size(); ++i) ok = same_bits(la[i], lb[i]);
  return ok;
}

bool check_chain() {
  const Array x = chain_input();
  const Array separate = chain8(x);
  const Array fused = pure::jit(&chain8)(x);
  const Chain8Kernel k = chain_kernel(x);
  Kokkos::parallel_for("pure::bench::chain8", Policy(0, kChainSize), k);
  Kokkos::fence();
  const std::vector<float> hand = [&] {
    auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), k.out);
    return std::vector<float>(h.data(), h.data() + h.extent(0));
  }();
  const std::vector<float> sep = separate.to_host<float>();
  bool ok = report(std::memcmp(hand.data(), sep.data(), sep.size() * sizeof(float)) == 0,
                   "chain8: the hand kernel and the eager ops (separate) differ");
  ok &= report(same_bits(separate, fused), "chain8: the jitted function (fused) and the eager ops differ");
  return ok;
}

bool check_step() {
  const MlpData d = mlp_data();
  const auto jitted = pure::jit(&train_step, step_options());
  Mlp pe = d.params, pj = d.params;
  Adam se = d.opt, sj = d.opt;
  bool ok = true;
  for (int i = 0; i < 3 && ok; ++i) {
    std::tie(pe, se) = train_step(pe, se, d.x, d.y);
    std::tie(pj, sj) = jitted(pj, sj, d.x, d.y);
    ok = report(same_tree_bits(pe, pj) && same_tree_bits(se, sj),
                "mlp_step: jitted and eager steps differ at step " + std::to_string(i + 1));
  }
  ok &= report(jitted.trace_count() == 1, "mlp_step: the jitted step traced more than once");
  const float before = mlp_loss(d.params, d.x, d.y).item<float>(), after = mlp_loss(pe, d.x, d.y).item<float>();
  ok &= report(std::isfinite(after) && after < before, "mlp_step: three Adam steps did not lower the loss");
  return ok;
}

bool sanity_check() {
  bool ok = check_chain();
  ok &= check_step();
  const Array x = input(40, pure::Shape{1}, -1.0, 1.0);
  ok &= report(same_bits(tiny(x), pure::jit(&tiny)(x)), "tiny: jitted and eager x * 2 differ");
  return ok;
}

}  // namespace bench_jit

// Kokkos must be up before any benchmark runs and down after the last one, so
// this binary has its own main.
int main(int argc, char** argv) {
  pure::ScopeGuard guard(argc, argv);
  // pure's reproducible default, whatever the environment asks.
  pure::set_matmul_precision(pure::MatmulPrecision::reproducible);
#if PURE_BENCH_HAVE_OPENBLAS
  // pure's Serial backend runs on one core; so does the floor.
  openblas_set_num_threads(1);
  std::fprintf(stderr, "bench_jit: pure on Kokkos %s (%d thread(s)), OpenBLAS %s, core %s\n",
               pure::ExecutionSpace::name(), static_cast<int>(pure::ExecutionSpace().concurrency()),
               openblas_get_config(), openblas_get_corename());
#else
  std::fprintf(stderr, "bench_jit: pure on Kokkos %s (%d thread(s)); no OpenBLAS, so no jit/mlp_step/floor row\n",
               pure::ExecutionSpace::name(), static_cast<int>(pure::ExecutionSpace().concurrency()));
#endif
  if (!bench_jit::sanity_check()) return 2;
  bench_jit::register_all();
  return pure_bench::run_benchmarks(argc, argv, "bench_jit");
}
