// pure next to LibTorch on one MLP (issue 8, section 5): in 256 -> 256 tanh
// -> 256 tanh -> 1, batch 1024, f32, mean squared error, from the same host
// data, in one binary. Rows, each at 1 and 2 threads:
//   peers/mlp/pure/{forward,value_and_grad}/threads:N      eager pure with the
//       reproducible matmul (forced, whatever PURE_MATMUL_PRECISION says);
//       value_and_grad over a PURE_TREE of the six parameters;
//   peers/mlp/libtorch/{forward,value_and_grad}/threads:N  LibTorch, forward
//       under NoGradGuard, value_and_grad = forward + backward() with the
//       gradients reset to none each time; torch::set_num_threads(N), one
//       inter-op thread, and its BLAS (OpenBLAS here) at N threads;
//   peers/mlp/openblas_matmuls/{forward,value_and_grad}/threads:N  the floor:
//       the MLP's matmuls alone as cblas_sgemm calls, 3 for the forward and 8
//       for value_and_grad (the forward's, then dW3, dh2, dW2, dh1, dW1).
// Targets: pure no slower than LibTorch on both rows at one thread, and pure's
// value_and_grad within 1.5x of the floor's eight matmuls; at exit the binary
// prints every pure and LibTorch row over LibTorch and over the floor.
//
// Threads: pure's count is fixed when Kokkos starts (Debian's Kokkos is
// Serial: one thread), so pure's rows are registered only at the thread count
// its execution space has, and the summary notes which count is missing (it
// needs a Kokkos with OpenMP and OMP_NUM_THREADS=N). A one-thread pure run is
// never labelled threads:2. Debian's LibTorch runs its own loops on libgomp's
// threads and its matmuls on OpenBLAS' pthreads; at 2 threads on 2 cores,
// libgomp's workers spin between regions and take the cores OpenBLAS needs,
// unless OMP_WAIT_POLICY=PASSIVE (read when libgomp loads, so it must come
// from the environment; the summary says when it is unset).
//
// Clocks: at one thread every side runs on the benchmark's thread (LibTorch's
// autograd engine runs CPU work on the caller's thread), so the one-thread
// summary lines use CPU time, which another job on the machine disturbs less;
// at 2 threads part of the work runs on LibTorch's and OpenBLAS' worker
// threads, which that clock does not see, so those lines use wall time (the
// "Time" column) and say so.
//
// At start-up the binary checks that pure, LibTorch and the floor (its sgemm
// calls with host loops for the bias, tanh and loss in between) compute the
// same loss and gradients; a mismatch exits with 2. Figures and how to
// reproduce them: docs/benchmarks.md.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <cblas.h>
#include <Kokkos_Core.hpp>

#include <pure/pure.hpp>

#include "bench_peers.hpp"
#include "mlp_sgemm.hpp"
#include "summary.hpp"

namespace bench_peers {

using pure::Array;
using pure::DType;
namespace pr = pure::random;

constexpr std::uint64_t kSeed = 0x0b5e55ed0008ull;
constexpr std::size_t kLeaves = 6;
const char* const kLeafNames[kLeaves] = {"w1", "b1", "w2", "b2", "w3", "b3"};

std::vector<float> draw(std::uint32_t stream, std::int64_t rows, std::int64_t cols, double bound) {
  const pure::Shape shape = cols > 0 ? pure::Shape{rows, cols} : pure::Shape{rows};
  return pr::uniform(pr::fold_in(pr::key(kSeed), stream), shape, DType::f32, -bound, bound).to_host<float>();
}

const MlpHost& mlp_host() {
  static const MlpHost h = [] {
    MlpHost m;
    m.w1 = draw(1, kIn, kHidden, 1.0 / std::sqrt(double(kIn)));
    m.b1 = draw(2, kHidden, 0, 0.1);
    m.w2 = draw(3, kHidden, kHidden, 1.0 / std::sqrt(double(kHidden)));
    m.b2 = draw(4, kHidden, 0, 0.1);
    m.w3 = draw(5, kHidden, kOut, 1.0 / std::sqrt(double(kHidden)));
    m.b3 = draw(6, kOut, 0, 0.1);
    m.x = draw(7, kBatch, kIn, 1.0);
    m.y = draw(8, kBatch, kOut, 1.0);
    return m;
  }();
  return h;
}

// ---------------------------------------------------------------- pure

struct Mlp {
  Array w1, b1, w2, b2, w3, b3;
};
PURE_TREE(Mlp, w1, b1, w2, b2, w3, b3)

Array mlp_loss(const Mlp& p, const Array& x, const Array& y) {
  const Array h1 = pure::tanh(pure::matmul(x, p.w1) + p.b1);
  const Array h2 = pure::tanh(pure::matmul(h1, p.w2) + p.b2);
  const Array d = pure::matmul(h2, p.w3) + p.b3 - y;
  return pure::mean(d * d);
}

// Arrays are built per benchmark, not kept in a static: they must be gone
// before Kokkos finalizes.
struct PureMlp {
  Mlp params;
  Array x, y;
};

PureMlp pure_mlp() {
  const MlpHost& h = mlp_host();
  PureMlp m;
  m.params.w1 = pure::from_host(h.w1, pure::Shape{kIn, kHidden});
  m.params.b1 = pure::from_host(h.b1, pure::Shape{kHidden});
  m.params.w2 = pure::from_host(h.w2, pure::Shape{kHidden, kHidden});
  m.params.b2 = pure::from_host(h.b2, pure::Shape{kHidden});
  m.params.w3 = pure::from_host(h.w3, pure::Shape{kHidden, kOut});
  m.params.b3 = pure::from_host(h.b3, pure::Shape{kOut});
  m.x = pure::from_host(h.x, pure::Shape{kBatch, kIn});
  m.y = pure::from_host(h.y, pure::Shape{kBatch, kOut});
  return m;
}

void bm_pure_forward(benchmark::State& state) {
  const PureMlp m = pure_mlp();
  for (auto _ : state) {
    Array loss = mlp_loss(m.params, m.x, m.y);
    Kokkos::fence();
    benchmark::DoNotOptimize(loss.data());
  }
}

void bm_pure_value_and_grad(benchmark::State& state) {
  const PureMlp m = pure_mlp();
  const auto vg = pure::value_and_grad(&mlp_loss);
  for (auto _ : state) {
    auto [loss, g] = vg(m.params, m.x, m.y);
    Kokkos::fence();
    benchmark::DoNotOptimize(loss.data());
    benchmark::DoNotOptimize(g.w1.data());
  }
}

MlpResult pure_forward_and_backward(bool backward) {
  const PureMlp m = pure_mlp();
  MlpResult r;
  if (!backward) {
    r.loss = static_cast<double>(mlp_loss(m.params, m.x, m.y).item<float>());
    return r;
  }
  auto [loss, g] = pure::value_and_grad(&mlp_loss)(m.params, m.x, m.y);
  r.loss = static_cast<double>(loss.item<float>());
  for (const Array* a : {&g.w1, &g.b1, &g.w2, &g.b2, &g.w3, &g.b3}) r.grads.push_back(a->to_host<float>());
  return r;
}

// ---------------------------------------------------------------- the OpenBLAS floor
// The eight products of value_and_grad as row-major sgemm calls, C = op(A)
// op(B), in the order they run; the forward is the first three. The reference
// runs them with the bias, tanh and loss as host loops in between and keeps
// every intermediate, so the timed calls see the real operands.

class BlasMlp {
 public:
  static constexpr std::size_t kForwardMatmuls = 3, kAllMatmuls = 8;

  BlasMlp() {
    const auto sized = [](std::int64_t rows, std::int64_t cols) {
      return std::vector<float>(static_cast<std::size_t>(rows * cols));
    };
    z1_ = h1_ = dh1_ = dz1_ = sized(kBatch, kHidden);
    z2_ = h2_ = dh2_ = dz2_ = sized(kBatch, kHidden);
    z3_ = dz3_ = sized(kBatch, kOut);
    dw1_ = sized(kIn, kHidden);
    dw2_ = sized(kHidden, kHidden);
    dw3_ = sized(kHidden, kOut);
    const MlpHost& h = mlp_host();
    gemms_ = pure_bench::mlp_sgemms(int(kBatch), int(kIn), int(kHidden), int(kOut),
                                    {h.x.data(), h.w1.data(), h.w2.data(), h.w3.data(), h1_.data(), h2_.data(),
                                     dz3_.data(), dz2_.data(), dz1_.data(), z1_.data(), z2_.data(), z3_.data(),
                                     dw3_.data(), dh2_.data(), dw2_.data(), dh1_.data(), dw1_.data()});
    reference();
  }
  // The table points into this object's buffers.
  BlasMlp(const BlasMlp&) = delete;
  BlasMlp& operator=(const BlasMlp&) = delete;

  /// The first `count` products (kForwardMatmuls or kAllMatmuls).
  void matmuls(std::size_t count) const {
    for (std::size_t i = 0; i < count; ++i) run(i);
  }

  const MlpResult& result() const { return result_; }

 private:
  void run(std::size_t i) const { gemms_[i](); }

  // h = tanh(z + bias), the bias added to every row.
  static void bias_tanh(const std::vector<float>& z, const std::vector<float>& bias, std::vector<float>& h) {
    for (std::size_t i = 0; i < z.size(); ++i) h[i] = std::tanh(z[i] + bias[i % bias.size()]);
  }
  // dz = dh (1 - h^2); returns the bias gradient, the column sums of dz.
  static std::vector<float> tanh_backward(const std::vector<float>& h, const std::vector<float>& dh,
                                          std::vector<float>& dz) {
    std::vector<double> sums(static_cast<std::size_t>(kHidden), 0.0);
    for (std::size_t i = 0; i < dh.size(); ++i) {
      dz[i] = dh[i] * (1.0f - h[i] * h[i]);
      sums[i % sums.size()] += dz[i];
    }
    return std::vector<float>(sums.begin(), sums.end());
  }

  void reference() {
    const MlpHost& h = mlp_host();
    run(0);
    bias_tanh(z1_, h.b1, h1_);
    run(1);
    bias_tanh(z2_, h.b2, h2_);
    run(2);
    double sum_sq = 0, sum_dz3 = 0;
    for (std::size_t i = 0; i < z3_.size(); ++i) {
      const float d = z3_[i] + h.b3[0] - h.y[i];
      sum_sq += double(d) * double(d);
      dz3_[i] = 2.0f * d / float(kBatch);
      sum_dz3 += dz3_[i];
    }
    result_.loss = sum_sq / double(kBatch);
    run(3);
    run(4);
    const std::vector<float> db2 = tanh_backward(h2_, dh2_, dz2_);
    run(5);
    run(6);
    const std::vector<float> db1 = tanh_backward(h1_, dh1_, dz1_);
    run(7);
    result_.grads = {dw1_, db1, dw2_, db2, dw3_, {float(sum_dz3)}};
  }

  std::vector<float> z1_, h1_, dh1_, dz1_, z2_, h2_, dh2_, dz2_, z3_, dz3_, dw1_, dw2_, dw3_;
  std::array<pure_bench::Sgemm, kAllMatmuls> gemms_{};
  MlpResult result_;
};

const BlasMlp& blas_mlp() {
  static const BlasMlp m;
  return m;
}

void bm_openblas(benchmark::State& state, std::size_t count) {
  const BlasMlp& m = blas_mlp();
  for (auto _ : state) {
    m.matmuls(count);
    benchmark::ClobberMemory();
  }
}

// ---------------------------------------------------------------- threads and rows

/// LibTorch's intra-op threads and OpenBLAS' (the floor's, and LibTorch's
/// sgemm: Debian's libtorch reaches the same libopenblas through libblas).
void set_peer_threads(int threads) {
  openblas_set_num_threads(threads);
  libtorch_set_threads(threads);
}

void bm_at_threads(benchmark::State& state, void (*bm)(benchmark::State&), int threads) {
  set_peer_threads(threads);
  bm(state);
}

void bm_openblas_at_threads(benchmark::State& state, std::size_t count, int threads) {
  set_peer_threads(threads);
  bm_openblas(state, count);
}

int pure_threads() { return static_cast<int>(pure::ExecutionSpace().concurrency()); }

void register_all() {
  if (std::getenv("OMP_WAIT_POLICY") == nullptr) {
    pure_bench::summary_note(
        "OMP_WAIT_POLICY is unset: at threads:2, LibTorch's spinning libgomp workers compete with its OpenBLAS "
        "threads for the cores; OMP_WAIT_POLICY=PASSIVE avoids it");
  }
  // Not UseRealTime(): it would rename the rows (".../real_time"); the summary
  // reads the wall time all the same.
  const auto timed = [](benchmark::internal::Benchmark* b) { b->Unit(benchmark::kMicrosecond); };
  for (int n : {1, 2}) {
    const std::string t = "/threads:" + std::to_string(n);
    const std::string pure = "peers/mlp/pure/", torch = "peers/mlp/libtorch/", blas = "peers/mlp/openblas_matmuls/";
    if (pure_threads() == n) {
      timed(benchmark::RegisterBenchmark((pure + "forward" + t).c_str(), bm_pure_forward));
      timed(benchmark::RegisterBenchmark((pure + "value_and_grad" + t).c_str(), bm_pure_value_and_grad));
    } else {
      pure_bench::summary_note(
          "no pure rows at threads:" + std::to_string(n) + ": pure's " + pure::ExecutionSpace::name() + " space has " +
          std::to_string(pure_threads()) +
          " thread(s), fixed at start-up; they need a Kokkos with OpenMP and OMP_NUM_THREADS=" + std::to_string(n));
    }
    timed(benchmark::RegisterBenchmark((torch + "forward" + t).c_str(), bm_at_threads, &bm_libtorch_forward, n));
    timed(benchmark::RegisterBenchmark((torch + "value_and_grad" + t).c_str(), bm_at_threads,
                                       &bm_libtorch_value_and_grad, n));
    timed(benchmark::RegisterBenchmark((blas + "forward" + t).c_str(), bm_openblas_at_threads, BlasMlp::kForwardMatmuls,
                                       n));
    timed(benchmark::RegisterBenchmark((blas + "value_and_grad" + t).c_str(), bm_openblas_at_threads,
                                       BlasMlp::kAllMatmuls, n));

    const std::string tag = " threads:" + std::to_string(n);
    const auto clock = n == 1 ? pure_bench::SummaryClock::cpu : pure_bench::SummaryClock::wall;
    for (const char* op : {"forward", "value_and_grad"}) {
      const std::string row = op + t;
      pure_bench::summarize(std::string("time pure / LibTorch ") + op + tag, pure + row, torch + row, 1.0, "x",
                            n == 1 ? 1.0 : 0.0, clock);
    }
    for (const auto& [who, prefix] : {std::pair<const char*, std::string>{"pure", pure}, {"LibTorch", torch}}) {
      pure_bench::summarize(std::string("time ") + who + " forward / 3 sgemm" + tag, prefix + "forward" + t,
                            blas + "forward" + t, 1.0, "x", 0.0, clock);
      const bool target = n == 1 && std::string(who) == "pure";
      pure_bench::summarize(std::string("time ") + who + " value_and_grad / 8 sgemm" + tag,
                            prefix + "value_and_grad" + t, blas + "value_and_grad" + t, 1.0, "x", target ? 1.5 : 0.0,
                            clock);
    }
  }
}

// ---------------------------------------------------------------- start-up check
// All three compute in f32 with their own summation orders; 1e-4 relative is
// far above the rounding (about sqrt(1024) eps ~ 4e-6 per product) and far
// below any real difference. Gradients compare normwise per leaf: the largest
// |difference| against 1e-4 times the largest |reference| element.

constexpr double kTolerance = 1e-4;

bool close(const MlpResult& got, const MlpResult& ref, const char* who) {
  bool ok = true;
  if (!(std::fabs(got.loss - ref.loss) <= kTolerance * std::fabs(ref.loss))) {
    std::fprintf(stderr, "bench_peers: start-up check failed: %s loss %.9g, reference %.9g\n", who, got.loss, ref.loss);
    ok = false;
  }
  if (got.grads.empty()) return ok;
  for (std::size_t leaf = 0; leaf < kLeaves; ++leaf) {
    const std::vector<float>& g = got.grads[leaf];
    const std::vector<float>& r = ref.grads[leaf];
    if (g.size() != r.size()) {
      std::fprintf(stderr, "bench_peers: start-up check failed: %s d/d%s has %zu elements, reference %zu\n", who,
                   kLeafNames[leaf], g.size(), r.size());
      ok = false;
      continue;
    }
    double diff = 0, scale = 0;
    for (std::size_t i = 0; i < g.size(); ++i) {
      diff = std::max(diff, std::fabs(double(g[i]) - double(r[i])));
      scale = std::max(scale, std::fabs(double(r[i])));
    }
    if (!(diff <= kTolerance * scale)) {
      std::fprintf(stderr,
                   "bench_peers: start-up check failed: %s d/d%s differs from the reference by up to %.3g "
                   "(largest |reference| %.3g)\n",
                   who, kLeafNames[leaf], diff, scale);
      ok = false;
    }
  }
  return ok;
}

bool sanity_check() {
  set_peer_threads(1);
  const MlpResult& ref = blas_mlp().result();
  bool ok = true;
  ok &= close(pure_forward_and_backward(false), ref, "pure forward");
  ok &= close(pure_forward_and_backward(true), ref, "pure value_and_grad");
  ok &= close(libtorch_forward_and_backward(false), ref, "LibTorch forward");
  ok &= close(libtorch_forward_and_backward(true), ref, "LibTorch value_and_grad");
  return ok;
}

}  // namespace bench_peers

// Kokkos must be up before any benchmark runs and down after the last one, and
// LibTorch's inter-op pool sized before it starts, so this binary has its own main.
int main(int argc, char** argv) {
  bench_peers::libtorch_init();
  pure::ScopeGuard guard(argc, argv);
  // pure's reproducible default, whatever the environment asks.
  pure::set_matmul_precision(pure::MatmulPrecision::reproducible);
  std::fprintf(stderr, "bench_peers: pure on Kokkos %s (%d thread(s)), LibTorch %s, OpenBLAS %s, core %s\n",
               pure::ExecutionSpace::name(), bench_peers::pure_threads(), bench_peers::libtorch_version(),
               openblas_get_config(), openblas_get_corename());
  if (!bench_peers::sanity_check()) return 2;
  bench_peers::register_all();
  return pure_bench::run_benchmarks(argc, argv, "bench_peers");
}
