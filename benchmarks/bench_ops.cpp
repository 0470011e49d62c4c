// Cost of pure's array layer (issue 3, section 8), each figure next to a floor
// or a peer compiled with the library's flags:
//   ew/*      elementwise add, mul, exp, tanh, log, log1p, erf through pure::lax (a fresh Array
//             per call) vs a hand-written Kokkos kernel computing the same
//             bits into a preallocated view, and a Kokkos copy kernel as the
//             memory-bandwidth floor; exp/tanh also with Kokkos' libm-backed
//             math for the price of pure's reproducible math;
//   reduce/*  lax::reduce_sum over all elements (canonical pairwise order) vs
//             a plain serial loop and Kokkos::parallel_reduce;
//   dot/*     lax::dot_general matrix products (reproducible kernel, and the
//             gemm path when this build has it) vs OpenBLAS cblas_?gemm on one
//             thread, as pure's Serial backend runs on one;
//   dotv/*    matrix-vector products (A v and A^T v, n x n times n) through
//             lax::dot_general's reproducible kernel vs cblas_?gemv on one thread;
//   ad/*      value_and_grad(loss) next to loss for an MLP and a Lennard-Jones
//             pair energy (target: at most 3x);
//   tiny/*    per-call overhead of eager ops on 1 and 16 elements (target: at
//             most 2 us), with a bare Kokkos allocate + kernel as the floor;
//   ew/numpy/{mul_scalar,bias_add}, index/*  broadcast operands read in place
//             and strided copies (transpose, slice), gather (rows of a
//             matrix; take_along_axis on rows) and scatter_add of rows vs
//             hand loops (target: at most 1.25x, i.e. at least 0.8x the
//             loop's speed);
//   optim/adam/*  a hand-written Adam step over 132k f32 parameters with
//             pure's ops (target: at most 0.5 ms) vs one fused loop per leaf.
// At exit the binary prints the ratios and targets from the medians (or the
// single runs). Kokkos benchmarks fence inside the timed region. Figures and
// how to reproduce them: docs/benchmarks.md.
//
// Key reuse: inputs are drawn again from the same keys on purpose, so every
// benchmark of a group sees the same data; run with PURE_DEBUG_KEY_REUSE unset
// or 0 (the ctest smoke test sets 0).

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include <Kokkos_Core.hpp>

#include <pure/core/math.hpp>
#include <pure/pure.hpp>

#include "summary.hpp"

#if PURE_BENCH_HAVE_OPENBLAS
#include <cblas.h>
// Declared here too: the cblas.h found may be another vendor's.
extern "C" void openblas_set_num_threads(int num_threads);
extern "C" char* openblas_get_corename(void);
extern "C" char* openblas_get_config(void);
#endif

namespace bench_ops {

namespace pr = pure::random;
using pure::Array;
using pure::DType;
using Policy = Kokkos::RangePolicy<pure::ExecutionSpace, Kokkos::IndexType<std::int64_t>>;
template <class T>
using View1 = Kokkos::View<T*, pure::MemorySpace>;

// Kokkos 3.7 moved the math functions from Kokkos::Experimental to Kokkos.
#if KOKKOS_VERSION >= 30700
namespace kmath = ::Kokkos;
#else
namespace kmath = ::Kokkos::Experimental;
#endif

constexpr std::uint64_t kSeed = 0x0b5e55ed0003ull;

template <class T>
constexpr DType dtype_of() {
  return sizeof(T) == 4 ? DType::f32 : DType::f64;
}
template <class T>
const char* suffix() {
  return sizeof(T) == 4 ? "f32" : "f64";
}

/// Uniform [lo, hi) data of stream `stream`: the same call gives the same array.
Array input(std::uint32_t stream, const pure::Shape& shape, DType dtype, double lo, double hi) {
  return pr::uniform(pr::fold_in(pr::key(kSeed), stream), shape, dtype, lo, hi);
}

template <class T>
View1<T> make_out(std::int64_t n) {
  return View1<T>(Kokkos::view_alloc(std::string("pure::bench::out"), Kokkos::WithoutInitializing),
                  static_cast<std::size_t>(n));
}

void set_bytes(benchmark::State& state, std::int64_t bytes_per_iteration) {
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * bytes_per_iteration);
}

// ---------------------------------------------------------------- summary lines
// Printed after the last benchmark (summary.hpp); times are per iteration, CPU.

using pure_bench::summarize;

// ---------------------------------------------------------------- 1. elementwise
// The hand kernels compute exactly pure's values (checked at start-up), so the
// ratio is what pure's layers cost: dispatch, validation, a fresh output.

struct AddOp {
  template <class T>
  KOKKOS_INLINE_FUNCTION T operator()(T a, T b) const {
    return static_cast<T>(a + b);
  }
};
struct MulOp {
  template <class T>
  KOKKOS_INLINE_FUNCTION T operator()(T a, T b) const {
    return static_cast<T>(a * b);
  }
};
// Each unary op names its input domain: exp finite, tanh off its saturated
// branch, log and log1p on positive arguments across several octaves.
struct ExpOp {
  static constexpr double lo = -4.0, hi = 4.0;
  template <class T>
  KOKKOS_INLINE_FUNCTION T operator()(T x) const {
    return pure::math::exp(x);
  }
};
// pure's own tanh (the float one branch-free), as a user's kernel would call it.
struct TanhOp {
  static constexpr double lo = -4.0, hi = 4.0;
  template <class T>
  KOKKOS_INLINE_FUNCTION T operator()(T x) const {
    return pure::math::tanh(x);
  }
};
struct LogOp {
  static constexpr double lo = 1e-3, hi = 100.0;
  template <class T>
  KOKKOS_INLINE_FUNCTION T operator()(T x) const {
    return pure::math::log(x);
  }
};
struct Log1pOp {
  static constexpr double lo = -0.9, hi = 10.0;
  template <class T>
  KOKKOS_INLINE_FUNCTION T operator()(T x) const {
    return pure::math::log1p(x);
  }
};
struct ErfOp {
  static constexpr double lo = -4.0, hi = 4.0;
  template <class T>
  KOKKOS_INLINE_FUNCTION T operator()(T x) const {
    return pure::math::erf(x);
  }
};
// What a user would write without pure: the backend's math library.
struct LibmExpOp : ExpOp {
  template <class T>
  KOKKOS_INLINE_FUNCTION T operator()(T x) const {
    return kmath::exp(x);
  }
};
struct LibmTanhOp : TanhOp {
  template <class T>
  KOKKOS_INLINE_FUNCTION T operator()(T x) const {
    return kmath::tanh(x);
  }
};
struct LibmLogOp : LogOp {
  template <class T>
  KOKKOS_INLINE_FUNCTION T operator()(T x) const {
    return kmath::log(x);
  }
};
struct LibmLog1pOp : Log1pOp {
  template <class T>
  KOKKOS_INLINE_FUNCTION T operator()(T x) const {
    return kmath::log1p(x);
  }
};
struct LibmErfOp : ErfOp {
  template <class T>
  KOKKOS_INLINE_FUNCTION T operator()(T x) const {
    return kmath::erf(x);
  }
};

template <class T, class Op>
struct HandUnary {
  pure::ConstView<T> x;
  View1<T> out;
  Op op;
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t i) const { out(i) = op(x(i)); }
};
template <class T, class Op>
struct HandBinary {
  pure::ConstView<T> x, y;
  View1<T> out;
  Op op;
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t i) const { out(i) = op(x(i), y(i)); }
};
template <class T>
struct CopyKernel {
  pure::ConstView<T> x;
  View1<T> out;
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t i) const { out(i) = x(i); }
};

using LaxUnary = Array (*)(const Array&);
using LaxBinary = Array (*)(const Array&, const Array&);

// Input domains keep exp finite and tanh off its saturated branch.
constexpr double kLo = -4.0, kHi = 4.0;

template <class T, class Op>
void bm_lax_unary(benchmark::State& state, LaxUnary f) {
  const std::int64_t n = state.range(0);
  const Array x = input(1, pure::Shape{n}, dtype_of<T>(), Op::lo, Op::hi);
  for (auto _ : state) {
    Array r = f(x);
    Kokkos::fence();
    benchmark::DoNotOptimize(r.data());
  }
  set_bytes(state, 2 * n * static_cast<std::int64_t>(sizeof(T)));
}

template <class T>
void bm_lax_binary(benchmark::State& state, LaxBinary f) {
  const std::int64_t n = state.range(0);
  const Array x = input(1, pure::Shape{n}, dtype_of<T>(), kLo, kHi);
  const Array y = input(2, pure::Shape{n}, dtype_of<T>(), kLo, kHi);
  for (auto _ : state) {
    Array r = f(x, y);
    Kokkos::fence();
    benchmark::DoNotOptimize(r.data());
  }
  set_bytes(state, 3 * n * static_cast<std::int64_t>(sizeof(T)));
}

template <class T, class Op>
void bm_hand_unary(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const Array x = input(1, pure::Shape{n}, dtype_of<T>(), Op::lo, Op::hi);
  const HandUnary<T, Op> k{x.view<T>(), make_out<T>(n), Op{}};
  for (auto _ : state) {
    Kokkos::parallel_for("pure::bench::hand_unary", Policy(0, n), k);
    Kokkos::fence();
    benchmark::DoNotOptimize(k.out.data());
    benchmark::ClobberMemory();
  }
  set_bytes(state, 2 * n * static_cast<std::int64_t>(sizeof(T)));
}

template <class T, class Op>
void bm_hand_binary(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const Array x = input(1, pure::Shape{n}, dtype_of<T>(), kLo, kHi);
  const Array y = input(2, pure::Shape{n}, dtype_of<T>(), kLo, kHi);
  const HandBinary<T, Op> k{x.view<T>(), y.view<T>(), make_out<T>(n), Op{}};
  for (auto _ : state) {
    Kokkos::parallel_for("pure::bench::hand_binary", Policy(0, n), k);
    Kokkos::fence();
    benchmark::DoNotOptimize(k.out.data());
    benchmark::ClobberMemory();
  }
  set_bytes(state, 3 * n * static_cast<std::int64_t>(sizeof(T)));
}

template <class T>
void bm_copy(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const Array x = input(1, pure::Shape{n}, dtype_of<T>(), kLo, kHi);
  const CopyKernel<T> k{x.view<T>(), make_out<T>(n)};
  for (auto _ : state) {
    Kokkos::parallel_for("pure::bench::copy", Policy(0, n), k);
    Kokkos::fence();
    benchmark::DoNotOptimize(k.out.data());
    benchmark::ClobberMemory();
  }
  set_bytes(state, 2 * n * static_cast<std::int64_t>(sizeof(T)));
}

// ---------------------------------------------------------------- 2. reduce_sum

template <class T>
struct SumReduce {
  pure::ConstView<T> x;
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t i, T& acc) const { acc += x(i); }
};

template <class T>
void bm_reduce_lax(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const Array x = input(3, pure::Shape{n}, dtype_of<T>(), 0.0, 1.0);
  for (auto _ : state) {
    Array s = pure::lax::reduce_sum(x, {0});
    Kokkos::fence();
    benchmark::DoNotOptimize(s.data());
  }
  set_bytes(state, n * static_cast<std::int64_t>(sizeof(T)));
}

// The obvious loop; without -ffast-math it is one dependent add per element.
template <class T>
T serial_sum(const T* p, std::int64_t n) {
  T s = 0;
  for (std::int64_t i = 0; i < n; ++i) s += p[i];
  return s;
}

template <class T>
void bm_reduce_serial(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const std::vector<T> h = input(3, pure::Shape{n}, dtype_of<T>(), 0.0, 1.0).template to_host<T>();
  for (auto _ : state) {
    T s = serial_sum(h.data(), n);
    benchmark::DoNotOptimize(s);
  }
  set_bytes(state, n * static_cast<std::int64_t>(sizeof(T)));
}

template <class T>
void bm_reduce_kokkos(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const Array x = input(3, pure::Shape{n}, dtype_of<T>(), 0.0, 1.0);
  const SumReduce<T> f{x.view<T>()};
  for (auto _ : state) {
    T s = 0;
    Kokkos::parallel_reduce("pure::bench::parallel_reduce", Policy(0, n), f, s);  // fences: result on host
    benchmark::DoNotOptimize(s);
  }
  set_bytes(state, n * static_cast<std::int64_t>(sizeof(T)));
}

// Over the rows of a (rows, 256) matrix (a bias gradient) and argmax along its
// rows, against the loops a user writes: the column sums in one pass over the
// rows (a vectorised loop: no order constraint across columns), argmax as a scan.
constexpr std::int64_t kReduceWidth = 256;

template <class T>
void bm_reduce_rows_lax(benchmark::State& state) {
  const std::int64_t rows = state.range(0);
  const Array x = input(4, pure::Shape{rows, kReduceWidth}, dtype_of<T>(), 0.0, 1.0);
  for (auto _ : state) {
    Array s = pure::lax::reduce_sum(x, {0});
    Kokkos::fence();
    benchmark::DoNotOptimize(s.data());
  }
  set_bytes(state, rows * kReduceWidth * static_cast<std::int64_t>(sizeof(T)));
}

template <class T>
void bm_reduce_rows_serial(benchmark::State& state) {
  const std::int64_t rows = state.range(0);
  const std::vector<T> h = input(4, pure::Shape{rows, kReduceWidth}, dtype_of<T>(), 0.0, 1.0).template to_host<T>();
  std::vector<T> acc(kReduceWidth);
  for (auto _ : state) {
    std::fill(acc.begin(), acc.end(), T(0));
    for (std::int64_t r = 0; r < rows; ++r) {
      const T* p = h.data() + r * kReduceWidth;
      for (std::int64_t j = 0; j < kReduceWidth; ++j) acc[static_cast<std::size_t>(j)] += p[j];
    }
    benchmark::DoNotOptimize(acc.data());
    benchmark::ClobberMemory();
  }
  set_bytes(state, rows * kReduceWidth * static_cast<std::int64_t>(sizeof(T)));
}

template <class T>
void bm_argmax_lax(benchmark::State& state) {
  const std::int64_t rows = state.range(0);
  const Array x = input(5, pure::Shape{rows, kReduceWidth}, dtype_of<T>(), 0.0, 1.0);
  for (auto _ : state) {
    Array s = pure::argmax(x, 1);
    Kokkos::fence();
    benchmark::DoNotOptimize(s.data());
  }
  set_bytes(state, rows * kReduceWidth * static_cast<std::int64_t>(sizeof(T)));
}

template <class T>
void bm_argmax_serial(benchmark::State& state) {
  const std::int64_t rows = state.range(0);
  const std::vector<T> h = input(5, pure::Shape{rows, kReduceWidth}, dtype_of<T>(), 0.0, 1.0).template to_host<T>();
  std::vector<std::int32_t> out(static_cast<std::size_t>(rows));
  for (auto _ : state) {
    for (std::int64_t r = 0; r < rows; ++r) {
      const T* p = h.data() + r * kReduceWidth;
      std::int32_t at = 0;
      for (std::int32_t j = 1; j < kReduceWidth; ++j) at = p[j] > p[at] ? j : at;
      out[static_cast<std::size_t>(r)] = at;
    }
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  set_bytes(state, rows * kReduceWidth * static_cast<std::int64_t>(sizeof(T)));
}

// ---------------------------------------------------------------- 3. dot_general

void set_flops(benchmark::State& state, std::int64_t n) {
  const double flops = 2.0 * static_cast<double>(n) * static_cast<double>(n) * static_cast<double>(n);
  state.counters["flop"] =
      benchmark::Counter(flops * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

// Sets the matmul mode for one benchmark and restores the previous one.
class PrecisionScope {
 public:
  explicit PrecisionScope(pure::MatmulPrecision p) : before_(pure::matmul_precision()) {
    pure::set_matmul_precision(p);
  }
  ~PrecisionScope() { pure::set_matmul_precision(before_); }
  PrecisionScope(const PrecisionScope&) = delete;
  PrecisionScope& operator=(const PrecisionScope&) = delete;

 private:
  pure::MatmulPrecision before_;
};

Array matmul_lax(const Array& a, const Array& b) { return pure::lax::dot_general(a, b, {{1}, {0}}); }

template <class T>
void bm_dot_lax(benchmark::State& state, pure::MatmulPrecision precision) {
  const std::int64_t n = state.range(0);
  const Array a = input(4, pure::Shape{n, n}, dtype_of<T>(), -1.0, 1.0);
  const Array b = input(5, pure::Shape{n, n}, dtype_of<T>(), -1.0, 1.0);
  const PrecisionScope scope(precision);
  for (auto _ : state) {
    Array c = matmul_lax(a, b);
    Kokkos::fence();
    benchmark::DoNotOptimize(c.data());
  }
  set_flops(state, n);
}

#if PURE_BENCH_HAVE_OPENBLAS
void blas_gemm(int n, const float* a, const float* b, float* c) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
}
void blas_gemm(int n, const double* a, const double* b, double* c) {
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, a, n, b, n, 0.0, c, n);
}

template <class T>
void bm_dot_openblas(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const std::vector<T> a = input(4, pure::Shape{n, n}, dtype_of<T>(), -1.0, 1.0).template to_host<T>();
  const std::vector<T> b = input(5, pure::Shape{n, n}, dtype_of<T>(), -1.0, 1.0).template to_host<T>();
  std::vector<T> c(static_cast<std::size_t>(n * n));
  for (auto _ : state) {
    blas_gemm(static_cast<int>(n), a.data(), b.data(), c.data());
    benchmark::DoNotOptimize(c.data());
    benchmark::ClobberMemory();
  }
  set_flops(state, n);
}
#endif

// Matrix-vector products: A v (contracting A's rows) or A^T v (its columns),
// A n x n. Memory-bound; bytes = A's.
template <class T>
void bm_dotv_lax(benchmark::State& state, bool transposed) {
  const std::int64_t n = state.range(0);
  const Array a = input(4, pure::Shape{n, n}, dtype_of<T>(), -1.0, 1.0);
  const Array v = input(5, pure::Shape{n}, dtype_of<T>(), -1.0, 1.0);
  for (auto _ : state) {
    Array c = pure::lax::dot_general(a, v, {{transposed ? 0 : 1}, {0}});
    Kokkos::fence();
    benchmark::DoNotOptimize(c.data());
  }
  state.SetBytesProcessed(state.iterations() * n * n * static_cast<std::int64_t>(sizeof(T)));
}

#if PURE_BENCH_HAVE_OPENBLAS
void blas_gemv(bool transposed, int n, const float* a, const float* v, float* c) {
  cblas_sgemv(CblasRowMajor, transposed ? CblasTrans : CblasNoTrans, n, n, 1.0f, a, n, v, 1, 0.0f, c, 1);
}
void blas_gemv(bool transposed, int n, const double* a, const double* v, double* c) {
  cblas_dgemv(CblasRowMajor, transposed ? CblasTrans : CblasNoTrans, n, n, 1.0, a, n, v, 1, 0.0, c, 1);
}

template <class T>
void bm_dotv_openblas(benchmark::State& state, bool transposed) {
  const std::int64_t n = state.range(0);
  const std::vector<T> a = input(4, pure::Shape{n, n}, dtype_of<T>(), -1.0, 1.0).template to_host<T>();
  const std::vector<T> v = input(5, pure::Shape{n}, dtype_of<T>(), -1.0, 1.0).template to_host<T>();
  std::vector<T> c(static_cast<std::size_t>(n));
  for (auto _ : state) {
    blas_gemv(transposed, static_cast<int>(n), a.data(), v.data(), c.data());
    benchmark::DoNotOptimize(c.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * n * n * static_cast<std::int64_t>(sizeof(T)));
}
#endif

// ---------------------------------------------------------------- 4. value_and_grad / loss

// 128 -> 128 (tanh) -> 128, batch 256, squared error.
constexpr std::int64_t kBatch = 256, kWidth = 128;

struct Mlp {
  Array w1, b1, w2, b2;
};
PURE_TREE(Mlp, w1, b1, w2, b2)

Array mlp_loss(const Mlp& p, const Array& x, const Array& y) {
  const Array h = pure::tanh(pure::matmul(x, p.w1) + p.b1);
  const Array d = pure::matmul(h, p.w2) + p.b2 - y;
  return pure::mean(d * d);
}

struct MlpData {
  Mlp params;
  Array x, y;
};

MlpData mlp_data(DType dtype) {
  const double scale = 1.0 / std::sqrt(static_cast<double>(kWidth));
  MlpData d;
  d.params.w1 = input(10, pure::Shape{kWidth, kWidth}, dtype, -scale, scale);
  d.params.b1 = input(11, pure::Shape{kWidth}, dtype, -0.1, 0.1);
  d.params.w2 = input(12, pure::Shape{kWidth, kWidth}, dtype, -scale, scale);
  d.params.b2 = input(13, pure::Shape{kWidth}, dtype, -0.1, 0.1);
  d.x = input(14, pure::Shape{kBatch, kWidth}, dtype, -1.0, 1.0);
  d.y = input(15, pure::Shape{kBatch, kWidth}, dtype, -1.0, 1.0);
  return d;
}

// N particles on an 8 x 8 x (N/64) cubic lattice at the LJ minimum distance
// 2^(1/6) sigma, jittered by up to 0.05 sigma; sigma = epsilon = 1.
constexpr std::int64_t kParticles = 256;

// E = 1/2 sum_{i != j} 4 (r^-12 - r^-6) via (N,1,3) - (1,N,3) broadcasting.
// `offdiag` is 1 off the diagonal and 0 on it: the self pairs (r = 0) get
// r^2 = 1 there so that their (masked) terms and derivatives stay finite.
Array lj_energy(const Array& r, const Array& offdiag) {
  const std::int64_t n = r.shape()[0];
  const Array d = pure::reshape(r, pure::Shape{n, 1, 3}) - pure::reshape(r, pure::Shape{1, n, 3});
  const Array r2 = pure::sum(d * d, {2}) + (1.0 - offdiag);
  const Array s2 = 1.0 / r2;
  const Array s6 = s2 * s2 * s2;
  return 2.0 * pure::sum((s6 * s6 - s6) * offdiag);
}

struct LjData {
  Array r, offdiag;
};

LjData lj_data(DType dtype) {
  const std::int64_t n = kParticles;
  const double a = std::pow(2.0, 1.0 / 6.0);
  std::vector<double> lattice, mask(static_cast<std::size_t>(n * n), 1.0);
  for (std::int64_t i = 0; i < n; ++i) {
    lattice.push_back(a * static_cast<double>(i % 8));
    lattice.push_back(a * static_cast<double>((i / 8) % 8));
    lattice.push_back(a * static_cast<double>(i / 64));
    mask[static_cast<std::size_t>(i * n + i)] = 0.0;
  }
  LjData d;
  const Array jitter = input(20, pure::Shape{n, 3}, dtype, -0.05, 0.05);
  d.r = pure::astype(pure::from_host(lattice, pure::Shape{n, 3}), dtype) + jitter;
  d.offdiag = pure::astype(pure::from_host(mask, pure::Shape{n, n}), dtype);
  return d;
}

void bm_mlp_loss(benchmark::State& state, DType dtype, pure::MatmulPrecision precision) {
  const MlpData d = mlp_data(dtype);
  const PrecisionScope scope(precision);
  for (auto _ : state) {
    Array v = mlp_loss(d.params, d.x, d.y);
    Kokkos::fence();
    benchmark::DoNotOptimize(v.data());
  }
}

void bm_mlp_value_and_grad(benchmark::State& state, DType dtype, pure::MatmulPrecision precision) {
  const MlpData d = mlp_data(dtype);
  const auto vg = pure::value_and_grad(&mlp_loss);
  const PrecisionScope scope(precision);
  for (auto _ : state) {
    auto [v, g] = vg(d.params, d.x, d.y);
    Kokkos::fence();
    benchmark::DoNotOptimize(v.data());
    benchmark::DoNotOptimize(g.w1.data());
  }
}

void bm_lj_energy(benchmark::State& state, DType dtype) {
  const LjData d = lj_data(dtype);
  for (auto _ : state) {
    Array e = lj_energy(d.r, d.offdiag);
    Kokkos::fence();
    benchmark::DoNotOptimize(e.data());
  }
}

void bm_lj_value_and_grad(benchmark::State& state, DType dtype) {
  const LjData d = lj_data(dtype);
  const auto vg = pure::value_and_grad(&lj_energy);
  for (auto _ : state) {
    auto [e, g] = vg(d.r, d.offdiag);
    Kokkos::fence();
    benchmark::DoNotOptimize(e.data());
    benchmark::DoNotOptimize(g.data());
  }
}

// ---------------------------------------------------------------- 5. per-op overhead

Array numpy_add(const Array& x, const Array& y) { return pure::add(x, y); }
Array numpy_mul_scalar(const Array& x, const Array&) { return x * 2.0; }

void bm_tiny(benchmark::State& state, LaxBinary f) {
  const std::int64_t n = state.range(0);
  const Array x = input(30, pure::Shape{n}, DType::f32, -1.0, 1.0);
  const Array y = input(31, pure::Shape{n}, DType::f32, -1.0, 1.0);
  for (auto _ : state) {
    Array r = f(x, y);
    Kokkos::fence();
    benchmark::DoNotOptimize(r.data());
  }
}

// The least an eager op can cost on Kokkos: a labelled allocation and one kernel.
void bm_tiny_kokkos(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const Array x = input(30, pure::Shape{n}, DType::f32, -1.0, 1.0);
  const Array y = input(31, pure::Shape{n}, DType::f32, -1.0, 1.0);
  for (auto _ : state) {
    const HandBinary<float, AddOp> k{x.view<float>(), y.view<float>(), make_out<float>(n), AddOp{}};
    Kokkos::parallel_for("pure::bench::tiny_add", Policy(0, n), k);
    Kokkos::fence();
    benchmark::DoNotOptimize(k.out.data());
  }
}

// ---------------------------------------------------------------- 6. broadcasts, copies, an Adam step
// Broadcast operands are read in place (no written-out broadcast): x * 2.0 and
// h + b (a bias over rows) against hand loops; transpose and slice (strided
// copies) against the plain loop doing the same reads; a hand-written Adam
// update over the 3-layer MLP's parameters (in 256 -> 256 -> 256 -> 1: 132k
// values, 14 elementwise ops per leaf) against one fused loop per leaf.

constexpr std::int64_t kBiasWidth = 256;

template <class T>
struct ScaleKernel {
  pure::ConstView<T> x;
  View1<T> out;
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t i) const { out(i) = x(i) * T(2); }
};

template <class T>
struct BiasAddKernel {  // one row per index: the hand loop a user writes
  pure::ConstView<T> h, b;
  View1<T> out;
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t r) const {
    for (std::int64_t j = 0; j < kBiasWidth; ++j) out(r * kBiasWidth + j) = h(r * kBiasWidth + j) + b(j);
  }
};

template <class T>
struct TransposeKernel {  // out row i = column i of the n x n input
  pure::ConstView<T> x;
  View1<T> out;
  std::int64_t n;
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t i) const {
    for (std::int64_t j = 0; j < n; ++j) out(i * n + j) = x(j * n + i);
  }
};

template <class T>
struct SliceKernel {  // every other column of an n x n input
  pure::ConstView<T> x;
  View1<T> out;
  std::int64_t n;
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t i) const {
    for (std::int64_t j = 0; j < n / 2; ++j) out(i * (n / 2) + j) = x(i * n + 2 * j);
  }
};

template <class T>
struct GatherRowsKernel {  // out row i = x row idx[i] (in range: no clamp needed)
  pure::ConstView<T> x;
  pure::ConstView<std::int32_t> idx;
  View1<T> out;
  std::int64_t n;
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t i) const {
    const std::int64_t k = idx(i);
    for (std::int64_t j = 0; j < n; ++j) out(i * n + j) = x(k * n + j);
  }
};

template <class T>
struct TakeAlongRowsKernel {  // out(i, j) = x(i, idx(i, j)): take_along_axis on the last axis
  pure::ConstView<T> x;
  pure::ConstView<std::int32_t> idx;
  View1<T> out;
  std::int64_t n;
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t i) const {
    for (std::int64_t j = 0; j < n; ++j) out(i * n + j) = x(i * n + idx(i * n + j));
  }
};

template <class T>
struct ScatterRowsKernel {  // out = operand, then out row idx[j] += upd row j for j = 0, 1, ... (one work item)
  pure::ConstView<T> operand, upd;
  pure::ConstView<std::int32_t> idx;
  View1<T> out;
  std::int64_t n;
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t) const {
    for (std::int64_t e = 0; e < n * n; ++e) out(e) = operand(e);
    for (std::int64_t j = 0; j < n; ++j) {
      const std::int64_t k = idx(j);
      for (std::int64_t c = 0; c < n; ++c) out(k * n + c) += upd(j * n + c);
    }
  }
};

// Row indices in [0, n) (drawn with pure's generator).
Array row_indices(std::uint32_t stream, const pure::Shape& shape, std::int64_t n) {
  return pure::astype(pure::floor(input(stream, shape, DType::f64, 0.0, static_cast<double>(n) - 0.5)), DType::i32);
}

template <class T>
void bm_lax_gather_rows(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const Array x = input(45, pure::Shape{n, n}, dtype_of<T>(), kLo, kHi), idx = row_indices(46, {n, 1}, n);
  for (auto _ : state) {
    Array r = pure::lax::gather(x, idx, 0);
    Kokkos::fence();
    benchmark::DoNotOptimize(r.data());
  }
  set_bytes(state, 2 * n * n * static_cast<std::int64_t>(sizeof(T)));
}

template <class T>
void bm_hand_gather_rows(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const Array x = input(45, pure::Shape{n, n}, dtype_of<T>(), kLo, kHi), idx = row_indices(46, {n, 1}, n);
  const GatherRowsKernel<T> k{x.view<T>(), idx.view<std::int32_t>(), make_out<T>(n * n), n};
  for (auto _ : state) {
    Kokkos::parallel_for("pure::bench::gather_rows", Policy(0, n), k);
    Kokkos::fence();
    benchmark::DoNotOptimize(k.out.data());
    benchmark::ClobberMemory();
  }
  set_bytes(state, 2 * n * n * static_cast<std::int64_t>(sizeof(T)));
}

template <class T>
void bm_lax_take_along(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const Array x = input(47, pure::Shape{n, n}, dtype_of<T>(), kLo, kHi), idx = row_indices(48, {n, n}, n);
  for (auto _ : state) {
    Array r = pure::lax::gather(x, idx, 1);
    Kokkos::fence();
    benchmark::DoNotOptimize(r.data());
  }
  set_bytes(state, n * n * static_cast<std::int64_t>(2 * sizeof(T) + 4));
}

template <class T>
void bm_hand_take_along(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const Array x = input(47, pure::Shape{n, n}, dtype_of<T>(), kLo, kHi), idx = row_indices(48, {n, n}, n);
  const TakeAlongRowsKernel<T> k{x.view<T>(), idx.view<std::int32_t>(), make_out<T>(n * n), n};
  for (auto _ : state) {
    Kokkos::parallel_for("pure::bench::take_along", Policy(0, n), k);
    Kokkos::fence();
    benchmark::DoNotOptimize(k.out.data());
    benchmark::ClobberMemory();
  }
  set_bytes(state, n * n * static_cast<std::int64_t>(2 * sizeof(T) + 4));
}

template <class T>
void bm_lax_scatter_rows(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const Array op = input(49, pure::Shape{n, n}, dtype_of<T>(), kLo, kHi);
  const Array upd = input(50, pure::Shape{n, n}, dtype_of<T>(), kLo, kHi), idx = row_indices(51, {n, 1}, n);
  for (auto _ : state) {
    Array r = pure::lax::scatter_add(op, idx, upd, 0);
    Kokkos::fence();
    benchmark::DoNotOptimize(r.data());
  }
  set_bytes(state, 3 * n * n * static_cast<std::int64_t>(sizeof(T)));
}

template <class T>
void bm_hand_scatter_rows(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const Array op = input(49, pure::Shape{n, n}, dtype_of<T>(), kLo, kHi);
  const Array upd = input(50, pure::Shape{n, n}, dtype_of<T>(), kLo, kHi), idx = row_indices(51, {n, 1}, n);
  const ScatterRowsKernel<T> k{op.view<T>(), upd.view<T>(), idx.view<std::int32_t>(), make_out<T>(n * n), n};
  for (auto _ : state) {
    Kokkos::parallel_for("pure::bench::scatter_rows", Policy(0, 1), k);
    Kokkos::fence();
    benchmark::DoNotOptimize(k.out.data());
    benchmark::ClobberMemory();
  }
  set_bytes(state, 3 * n * n * static_cast<std::int64_t>(sizeof(T)));
}

template <class T>
void bm_numpy_mul_scalar(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const Array x = input(40, pure::Shape{n}, dtype_of<T>(), kLo, kHi);
  for (auto _ : state) {
    Array r = x * 2.0;
    Kokkos::fence();
    benchmark::DoNotOptimize(r.data());
  }
  set_bytes(state, 2 * n * static_cast<std::int64_t>(sizeof(T)));
}

template <class T>
void bm_hand_mul_scalar(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const Array x = input(40, pure::Shape{n}, dtype_of<T>(), kLo, kHi);
  const ScaleKernel<T> k{x.view<T>(), make_out<T>(n)};
  for (auto _ : state) {
    Kokkos::parallel_for("pure::bench::scale", Policy(0, n), k);
    Kokkos::fence();
    benchmark::DoNotOptimize(k.out.data());
    benchmark::ClobberMemory();
  }
  set_bytes(state, 2 * n * static_cast<std::int64_t>(sizeof(T)));
}

template <class T>
void bm_numpy_bias_add(benchmark::State& state) {
  const std::int64_t rows = state.range(0);
  const Array h = input(41, pure::Shape{rows, kBiasWidth}, dtype_of<T>(), kLo, kHi);
  const Array b = input(42, pure::Shape{kBiasWidth}, dtype_of<T>(), kLo, kHi);
  for (auto _ : state) {
    Array r = h + b;
    Kokkos::fence();
    benchmark::DoNotOptimize(r.data());
  }
  set_bytes(state, 2 * rows * kBiasWidth * static_cast<std::int64_t>(sizeof(T)));
}

template <class T>
void bm_hand_bias_add(benchmark::State& state) {
  const std::int64_t rows = state.range(0);
  const Array h = input(41, pure::Shape{rows, kBiasWidth}, dtype_of<T>(), kLo, kHi);
  const Array b = input(42, pure::Shape{kBiasWidth}, dtype_of<T>(), kLo, kHi);
  const BiasAddKernel<T> k{h.view<T>(), b.view<T>(), make_out<T>(rows * kBiasWidth)};
  for (auto _ : state) {
    Kokkos::parallel_for("pure::bench::bias_add", Policy(0, rows), k);
    Kokkos::fence();
    benchmark::DoNotOptimize(k.out.data());
    benchmark::ClobberMemory();
  }
  set_bytes(state, 2 * rows * kBiasWidth * static_cast<std::int64_t>(sizeof(T)));
}

template <class T>
void bm_lax_transpose(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const Array x = input(43, pure::Shape{n, n}, dtype_of<T>(), kLo, kHi);
  for (auto _ : state) {
    Array r = pure::lax::transpose(x, {1, 0});
    Kokkos::fence();
    benchmark::DoNotOptimize(r.data());
  }
  set_bytes(state, 2 * n * n * static_cast<std::int64_t>(sizeof(T)));
}

template <class T>
void bm_hand_transpose(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const Array x = input(43, pure::Shape{n, n}, dtype_of<T>(), kLo, kHi);
  const TransposeKernel<T> k{x.view<T>(), make_out<T>(n * n), n};
  for (auto _ : state) {
    Kokkos::parallel_for("pure::bench::transpose", Policy(0, n), k);
    Kokkos::fence();
    benchmark::DoNotOptimize(k.out.data());
    benchmark::ClobberMemory();
  }
  set_bytes(state, 2 * n * n * static_cast<std::int64_t>(sizeof(T)));
}

template <class T>
void bm_lax_slice(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const Array x = input(44, pure::Shape{n, n}, dtype_of<T>(), kLo, kHi);
  for (auto _ : state) {
    Array r = pure::lax::slice(x, {0, 0}, {n, n}, {1, 2});
    Kokkos::fence();
    benchmark::DoNotOptimize(r.data());
  }
  set_bytes(state, n * n * static_cast<std::int64_t>(sizeof(T)));
}

template <class T>
void bm_hand_slice(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const Array x = input(44, pure::Shape{n, n}, dtype_of<T>(), kLo, kHi);
  const SliceKernel<T> k{x.view<T>(), make_out<T>(n * (n / 2)), n};
  for (auto _ : state) {
    Kokkos::parallel_for("pure::bench::slice", Policy(0, n), k);
    Kokkos::fence();
    benchmark::DoNotOptimize(k.out.data());
    benchmark::ClobberMemory();
  }
  set_bytes(state, n * n * static_cast<std::int64_t>(sizeof(T)));
}

// Adam (Kingma & Ba) with bias correction, as a user writes it with pure's
// numpy-like ops: every scalar is a broadcast view, read in place.
struct AdamState {
  std::vector<Array> params, m, v;
};
constexpr double kLr = 1e-3, kB1 = 0.9, kB2 = 0.999, kEps = 1e-8;

AdamState adam_state() {
  AdamState s;
  const std::vector<pure::Shape> shapes = {{256, 256}, {256}, {256, 256}, {256}, {256, 1}, {1}};
  std::uint32_t stream = 50;
  for (const auto& shape : shapes) {
    s.params.push_back(input(stream++, shape, DType::f32, -0.1, 0.1));
    s.m.push_back(input(stream++, shape, DType::f32, -0.01, 0.01));
    s.v.push_back(input(stream++, shape, DType::f32, 0.0, 1e-4));
  }
  return s;
}

std::vector<Array> adam_grads() {
  const std::vector<pure::Shape> shapes = {{256, 256}, {256}, {256, 256}, {256}, {256, 1}, {1}};
  std::vector<Array> g;
  std::uint32_t stream = 80;
  for (const auto& shape : shapes) g.push_back(input(stream++, shape, DType::f32, -0.1, 0.1));
  return g;
}

void adam_step(AdamState& s, const std::vector<Array>& g, int t) {
  const double c1 = 1.0 - std::pow(kB1, t), c2 = 1.0 - std::pow(kB2, t);
  for (std::size_t i = 0; i < g.size(); ++i) {
    s.m[i] = kB1 * s.m[i] + (1.0 - kB1) * g[i];
    s.v[i] = kB2 * s.v[i] + (1.0 - kB2) * (g[i] * g[i]);
    const Array m_hat = s.m[i] / c1;
    const Array v_hat = s.v[i] / c2;
    s.params[i] = s.params[i] - kLr * m_hat / (pure::sqrt(v_hat) + kEps);
  }
}

struct AdamKernel {
  View1<float> p, m, v;
  pure::ConstView<float> g;
  float c1, c2;
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t i) const {
    m(i) = float(kB1) * m(i) + float(1.0 - kB1) * g(i);
    v(i) = float(kB2) * v(i) + float(1.0 - kB2) * (g(i) * g(i));
    p(i) = p(i) - float(kLr) * (m(i) / c1) / (kmath::sqrt(v(i) / c2) + float(kEps));
  }
};

void bm_adam_pure(benchmark::State& state) {
  AdamState s = adam_state();
  const std::vector<Array> g = adam_grads();
  int t = 0;
  for (auto _ : state) {
    adam_step(s, g, ++t);
    Kokkos::fence();
    benchmark::DoNotOptimize(s.params[0].data());
  }
}

void bm_adam_fused(benchmark::State& state) {
  const AdamState init = adam_state();
  const std::vector<Array> g = adam_grads();
  std::vector<AdamKernel> kernels;
  for (std::size_t i = 0; i < g.size(); ++i) {
    const auto n = static_cast<std::size_t>(g[i].size());
    AdamKernel k{View1<float>("p", n), View1<float>("m", n), View1<float>("v", n), g[i].view<float>(), 1, 1};
    Kokkos::deep_copy(k.p, init.params[i].view<float>());
    Kokkos::deep_copy(k.m, init.m[i].view<float>());
    Kokkos::deep_copy(k.v, init.v[i].view<float>());
    kernels.push_back(k);
  }
  int t = 0;
  for (auto _ : state) {
    ++t;
    for (AdamKernel& k : kernels) {
      k.c1 = static_cast<float>(1.0 - std::pow(kB1, t));
      k.c2 = static_cast<float>(1.0 - std::pow(kB2, t));
      Kokkos::parallel_for("pure::bench::adam", Policy(0, static_cast<std::int64_t>(k.p.extent(0))), k);
    }
    Kokkos::fence();
    benchmark::DoNotOptimize(kernels[0].p.data());
    benchmark::ClobberMemory();
  }
}

// ---------------------------------------------------------------- registration

std::string with_size(const std::string& name, std::int64_t n) { return name + "/" + std::to_string(n); }

// Registers a row for each size, timed in microseconds.
inline auto args_in_us(const std::vector<std::int64_t>& sizes) {
  return [sizes](benchmark::internal::Benchmark* b) {
    for (auto n : sizes) b->Arg(n);
    b->Unit(benchmark::kMicrosecond);
  };
}

template <class T>
void register_elementwise(const std::vector<std::int64_t>& sizes) {
  const std::string t = suffix<T>();
  const auto sized = args_in_us(sizes);
  struct Entry {
    const char* name;
    int arity;
    LaxBinary binary;
    void (*lax_unary)(benchmark::State&, LaxUnary);
    LaxUnary unary;
    void (*hand)(benchmark::State&);
    void (*libm)(benchmark::State&);
  };
  const Entry entries[] = {
      {"add", 2, &pure::lax::add, nullptr, nullptr, &bm_hand_binary<T, AddOp>, nullptr},
      {"mul", 2, &pure::lax::mul, nullptr, nullptr, &bm_hand_binary<T, MulOp>, nullptr},
      {"exp", 1, nullptr, &bm_lax_unary<T, ExpOp>, &pure::lax::exp, &bm_hand_unary<T, ExpOp>,
       &bm_hand_unary<T, LibmExpOp>},
      {"tanh", 1, nullptr, &bm_lax_unary<T, TanhOp>, &pure::lax::tanh, &bm_hand_unary<T, TanhOp>,
       &bm_hand_unary<T, LibmTanhOp>},
      {"log", 1, nullptr, &bm_lax_unary<T, LogOp>, &pure::lax::log, &bm_hand_unary<T, LogOp>,
       &bm_hand_unary<T, LibmLogOp>},
      {"log1p", 1, nullptr, &bm_lax_unary<T, Log1pOp>, &pure::lax::log1p, &bm_hand_unary<T, Log1pOp>,
       &bm_hand_unary<T, LibmLog1pOp>},
      {"erf", 1, nullptr, &bm_lax_unary<T, ErfOp>, &pure::lax::erf, &bm_hand_unary<T, ErfOp>,
       &bm_hand_unary<T, LibmErfOp>},
  };
  sized(benchmark::RegisterBenchmark(("ew/copy/" + t).c_str(), bm_copy<T>));
  for (const Entry& e : entries) {
    const std::string op = std::string(e.name) + "_" + t;
    if (e.arity == 1) {
      sized(benchmark::RegisterBenchmark(("ew/lax/" + op).c_str(), e.lax_unary, e.unary));
    } else {
      sized(benchmark::RegisterBenchmark(("ew/lax/" + op).c_str(), bm_lax_binary<T>, e.binary));
    }
    sized(benchmark::RegisterBenchmark(("ew/hand/" + op).c_str(), e.hand));
    if (e.libm) sized(benchmark::RegisterBenchmark(("ew/libm/" + op).c_str(), e.libm));
    for (auto n : sizes) {
      const std::string lax = with_size("ew/lax/" + op, n), hand = with_size("ew/hand/" + op, n);
      const std::string copy = with_size("ew/copy/" + t, n), tag = op + " n=" + std::to_string(n);
      summarize("time lax / hand  " + tag, lax, hand, 1.0, "x");
      // GB/s of lax over GB/s of copy: (bytes_lax / t_lax) / (bytes_copy / t_copy).
      summarize("GB/s lax / copy  " + tag, copy, lax, (e.arity + 1) / 2.0, "of the copy floor");
      if (e.libm) summarize("time hand / libm " + tag, hand, with_size("ew/libm/" + op, n), 1.0, "x");
    }
  }
}

template <class T>
void register_reduce(const std::vector<std::int64_t>& sizes) {
  const std::string t = suffix<T>();
  const auto sized = args_in_us(sizes);
  sized(benchmark::RegisterBenchmark(("reduce/lax/" + t).c_str(), bm_reduce_lax<T>));
  sized(benchmark::RegisterBenchmark(("reduce/serial/" + t).c_str(), bm_reduce_serial<T>));
  sized(benchmark::RegisterBenchmark(("reduce/kokkos/" + t).c_str(), bm_reduce_kokkos<T>));
  const auto rows = [](benchmark::internal::Benchmark* b) { b->Arg(1024)->Arg(16384)->Unit(benchmark::kMicrosecond); };
  rows(benchmark::RegisterBenchmark(("reduce/lax_rows/" + t).c_str(), bm_reduce_rows_lax<T>));
  rows(benchmark::RegisterBenchmark(("reduce/serial_rows/" + t).c_str(), bm_reduce_rows_serial<T>));
  rows(benchmark::RegisterBenchmark(("argmax/lax/" + t).c_str(), bm_argmax_lax<T>));
  rows(benchmark::RegisterBenchmark(("argmax/serial/" + t).c_str(), bm_argmax_serial<T>));
  for (std::int64_t r : {1024, 16384}) {
    const std::string tag = t + " (" + std::to_string(r) + ", 256)";
    summarize("time reduce_sum over rows / loop   " + tag, with_size("reduce/lax_rows/" + t, r),
              with_size("reduce/serial_rows/" + t, r), 1.0, "x", 1.25);
    summarize("time argmax along rows / loop      " + tag, with_size("argmax/lax/" + t, r),
              with_size("argmax/serial/" + t, r), 1.0, "x", 1.25);
  }
  for (auto n : sizes) {
    const std::string tag = t + " n=" + std::to_string(n);
    summarize("time reduce_sum / serial loop      " + tag, with_size("reduce/lax/" + t, n),
              with_size("reduce/serial/" + t, n), 1.0, "x");
    summarize("time reduce_sum / parallel_reduce  " + tag, with_size("reduce/lax/" + t, n),
              with_size("reduce/kokkos/" + t, n), 1.0, "x");
  }
}

template <class T>
void register_dot(const std::vector<std::int64_t>& sizes) {
  const std::string t = suffix<T>();
  const auto sized = args_in_us(sizes);
  sized(benchmark::RegisterBenchmark(("dot/lax_reproducible/" + t).c_str(), bm_dot_lax<T>,
                                     pure::MatmulPrecision::reproducible));
  if (pure::matmul_fast_available()) {
    sized(benchmark::RegisterBenchmark(("dot/lax_fast/" + t).c_str(), bm_dot_lax<T>, pure::MatmulPrecision::fast));
  }
#if PURE_BENCH_HAVE_OPENBLAS
  sized(benchmark::RegisterBenchmark(("dot/openblas/" + t).c_str(), bm_dot_openblas<T>));
  for (auto n : sizes) {
    const std::string tag = t + " n=" + std::to_string(n);
    const std::string blas = with_size("dot/openblas/" + t, n);
    summarize("time dot_general reproducible / OpenBLAS " + tag, with_size("dot/lax_reproducible/" + t, n), blas, 1.0,
              "x");
    if (pure::matmul_fast_available()) {
      summarize("time dot_general fast / OpenBLAS         " + tag, with_size("dot/lax_fast/" + t, n), blas, 1.0, "x");
    }
  }
#endif
}

template <class T>
void register_dotv(const std::vector<std::int64_t>& sizes) {
  const std::string t = suffix<T>();
  const auto sized = args_in_us(sizes);
  sized(benchmark::RegisterBenchmark(("dotv/lax_reproducible/A.v/" + t).c_str(), bm_dotv_lax<T>, false));
  sized(benchmark::RegisterBenchmark(("dotv/lax_reproducible/At.v/" + t).c_str(), bm_dotv_lax<T>, true));
#if PURE_BENCH_HAVE_OPENBLAS
  sized(benchmark::RegisterBenchmark(("dotv/openblas/A.v/" + t).c_str(), bm_dotv_openblas<T>, false));
  sized(benchmark::RegisterBenchmark(("dotv/openblas/At.v/" + t).c_str(), bm_dotv_openblas<T>, true));
  for (auto n : sizes) {
    for (const char* form : {"A.v", "At.v"}) {
      const std::string f = std::string(form) + "/" + t;
      summarize("time matrix-vector reproducible / OpenBLAS " + std::string(form) + " " + t + " n=" + std::to_string(n),
                with_size("dotv/lax_reproducible/" + f, n), with_size("dotv/openblas/" + f, n), 1.0, "x");
    }
  }
#endif
}

void register_ad() {
  using pure::MatmulPrecision;
  for (DType d : {DType::f32, DType::f64}) {
    const std::string t = d == DType::f32 ? "f32" : "f64";
    std::vector<std::pair<std::string, MatmulPrecision>> modes{{"", MatmulPrecision::reproducible}};
    if (pure::matmul_fast_available()) modes.emplace_back("_fast", MatmulPrecision::fast);
    for (const auto& [m, precision] : modes) {
      const std::string base = "ad/mlp" + m + "_" + t;
      benchmark::RegisterBenchmark((base + "/loss").c_str(), bm_mlp_loss, d, precision)->Unit(benchmark::kMicrosecond);
      benchmark::RegisterBenchmark((base + "/value_and_grad").c_str(), bm_mlp_value_and_grad, d, precision)
          ->Unit(benchmark::kMicrosecond);
      summarize("time value_and_grad / loss, " + base.substr(3), base + "/value_and_grad", base + "/loss", 1.0, "x",
                3.0);
    }
    const std::string base = "ad/lj_" + t;
    benchmark::RegisterBenchmark((base + "/loss").c_str(), bm_lj_energy, d)->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark((base + "/value_and_grad").c_str(), bm_lj_value_and_grad, d)
        ->Unit(benchmark::kMicrosecond);
    summarize("time value_and_grad / loss, " + base.substr(3), base + "/value_and_grad", base + "/loss", 1.0, "x", 3.0);
  }
}

void register_tiny() {
  const auto sized = [](benchmark::internal::Benchmark* b) { b->Arg(1)->Arg(16)->Unit(benchmark::kMicrosecond); };
  sized(benchmark::RegisterBenchmark("tiny/lax_add", bm_tiny, &pure::lax::add));
  sized(benchmark::RegisterBenchmark("tiny/numpy_add", bm_tiny, &numpy_add));
  sized(benchmark::RegisterBenchmark("tiny/numpy_mul_scalar", bm_tiny, &numpy_mul_scalar));
  sized(benchmark::RegisterBenchmark("tiny/kokkos_alloc_kernel", bm_tiny_kokkos));
  for (std::int64_t n : {1, 16}) {
    const std::string s = " n=" + std::to_string(n);
    summarize("us per call pure::lax::add" + s, with_size("tiny/lax_add", n), "", 1e6, "us", 2.0);
    summarize("us per call pure::add" + s, with_size("tiny/numpy_add", n), "", 1e6, "us", 2.0);
    summarize("us per call x * 2.0" + s, with_size("tiny/numpy_mul_scalar", n), "", 1e6, "us");
    summarize("us per call Kokkos allocate + kernel" + s, with_size("tiny/kokkos_alloc_kernel", n), "", 1e6, "us");
  }
}

template <class T>
void register_views(const std::vector<std::int64_t>& sizes, const std::vector<std::int64_t>& matrices) {
  const std::string t = suffix<T>();
  const std::vector<std::int64_t> rows = {1024};
  const std::pair<const char*, std::vector<std::int64_t>> groups[] = {{"mul_scalar", sizes}, {"bias_add", rows}};
  args_in_us(sizes)(benchmark::RegisterBenchmark(("ew/numpy/mul_scalar_" + t).c_str(), bm_numpy_mul_scalar<T>));
  args_in_us(sizes)(benchmark::RegisterBenchmark(("ew/hand/mul_scalar_" + t).c_str(), bm_hand_mul_scalar<T>));
  args_in_us(rows)(benchmark::RegisterBenchmark(("ew/numpy/bias_add_" + t).c_str(), bm_numpy_bias_add<T>));
  args_in_us(rows)(benchmark::RegisterBenchmark(("ew/hand/bias_add_" + t).c_str(), bm_hand_bias_add<T>));
  for (const auto& [op, args] : groups) {
    for (auto n : args) {
      const std::string name = std::string(op) + "_" + t;
      summarize("time numpy / hand " + name + " n=" + std::to_string(n), with_size("ew/numpy/" + name, n),
                with_size("ew/hand/" + name, n), 1.0, "x", 1.25);
    }
  }
  args_in_us(matrices)(benchmark::RegisterBenchmark(("index/lax/transpose_" + t).c_str(), bm_lax_transpose<T>));
  args_in_us(matrices)(benchmark::RegisterBenchmark(("index/hand/transpose_" + t).c_str(), bm_hand_transpose<T>));
  args_in_us(matrices)(benchmark::RegisterBenchmark(("index/lax/slice_" + t).c_str(), bm_lax_slice<T>));
  args_in_us(matrices)(benchmark::RegisterBenchmark(("index/hand/slice_" + t).c_str(), bm_hand_slice<T>));
  args_in_us(matrices)(benchmark::RegisterBenchmark(("index/lax/gather_rows_" + t).c_str(), bm_lax_gather_rows<T>));
  args_in_us(matrices)(benchmark::RegisterBenchmark(("index/hand/gather_rows_" + t).c_str(), bm_hand_gather_rows<T>));
  args_in_us(matrices)(benchmark::RegisterBenchmark(("index/lax/take_along_" + t).c_str(), bm_lax_take_along<T>));
  args_in_us(matrices)(benchmark::RegisterBenchmark(("index/hand/take_along_" + t).c_str(), bm_hand_take_along<T>));
  args_in_us(matrices)(
      benchmark::RegisterBenchmark(("index/lax/scatter_add_rows_" + t).c_str(), bm_lax_scatter_rows<T>));
  args_in_us(matrices)(
      benchmark::RegisterBenchmark(("index/hand/scatter_add_rows_" + t).c_str(), bm_hand_scatter_rows<T>));
  for (const char* op : {"transpose", "slice", "gather_rows", "take_along", "scatter_add_rows"}) {
    for (auto n : matrices) {
      const std::string name = std::string(op) + "_" + t;
      summarize("time lax / hand " + name + " n=" + std::to_string(n), with_size("index/lax/" + name, n),
                with_size("index/hand/" + name, n), 1.0, "x", 1.25);
    }
  }
}

void register_adam() {
  benchmark::RegisterBenchmark("optim/adam/pure_f32", bm_adam_pure)->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("optim/adam/fused_loop_f32", bm_adam_fused)->Unit(benchmark::kMicrosecond);
  summarize("ms per Adam step, 132k f32 parameters (pure ops)", "optim/adam/pure_f32", "", 1e3, "ms", 0.5);
  summarize("time Adam pure / one fused loop per leaf", "optim/adam/pure_f32", "optim/adam/fused_loop_f32", 1.0, "x");
}

void register_all() {
  const std::vector<std::int64_t> sizes{std::int64_t{1} << 16, std::int64_t{1} << 22};
  const std::vector<std::int64_t> matrices{64, 256, 512, 1024};
  register_elementwise<float>(sizes);
  register_elementwise<double>(sizes);
  register_reduce<float>(sizes);
  register_reduce<double>(sizes);
  register_dot<float>(matrices);
  register_dot<double>(matrices);
  register_dotv<float>({256, 1024});
  register_dotv<double>({256, 1024});
  register_ad();
  register_tiny();
  register_views<float>(sizes, {1024});
  register_views<double>(sizes, {1024});
  register_adam();
}

// ---------------------------------------------------------------- start-up checks
// Each comparison is only fair if both sides compute the same thing: the hand
// kernels must give pure's bits, the peers pure's values up to rounding, and
// the gradients being timed must be right. Cheap; a failure exits non-zero.

bool report(bool ok, const std::string& what) {
  if (!ok) std::fprintf(stderr, "bench_ops: start-up check failed: %s\n", what.c_str());
  return ok;
}

template <class T>
std::vector<T> to_vector(const View1<T>& v) {
  auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), v);
  return std::vector<T>(h.data(), h.data() + h.extent(0));
}

template <class T>
bool same_bits(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0;
}

template <class T, class Op>
bool check_unary(LaxUnary f, const char* name) {
  constexpr std::int64_t n = 1000;
  const Array x = input(1, pure::Shape{n}, dtype_of<T>(), Op::lo, Op::hi);
  const HandUnary<T, Op> k{x.view<T>(), make_out<T>(n), Op{}};
  Kokkos::parallel_for("pure::bench::hand_unary", Policy(0, n), k);
  return report(same_bits(to_vector(k.out), f(x).template to_host<T>()),
                std::string("hand kernel and pure::lax::") + name + " " + suffix<T>() + " differ");
}

template <class T, class Op>
bool check_binary(LaxBinary f, const char* name) {
  constexpr std::int64_t n = 1000;
  const Array x = input(1, pure::Shape{n}, dtype_of<T>(), kLo, kHi);
  const Array y = input(2, pure::Shape{n}, dtype_of<T>(), kLo, kHi);
  const HandBinary<T, Op> k{x.view<T>(), y.view<T>(), make_out<T>(n), Op{}};
  Kokkos::parallel_for("pure::bench::hand_binary", Policy(0, n), k);
  return report(same_bits(to_vector(k.out), f(x, y).template to_host<T>()),
                std::string("hand kernel and pure::lax::") + name + " " + suffix<T>() + " differ");
}

template <class T>
bool check_copy_and_reduce() {
  constexpr std::int64_t n = 100000;
  const Array x = input(3, pure::Shape{n}, dtype_of<T>(), 0.0, 1.0);
  const std::vector<T> h = x.to_host<T>();
  const CopyKernel<T> copy{x.view<T>(), make_out<T>(n)};
  Kokkos::parallel_for("pure::bench::copy", Policy(0, n), copy);
  bool ok = report(same_bits(to_vector(copy.out), h), std::string("copy kernel ") + suffix<T>());
  // Summing n non-negative terms in any order errs by at most (n-1) eps sum|x|
  // (first order); the pairwise order by at most ~log2(n) eps sum|x|.
  long double exact = 0;
  for (T v : h) exact += v;
  const double eps = std::numeric_limits<T>::epsilon();
  const double e = static_cast<double>(exact);
  const double pure_sum = static_cast<double>(pure::lax::reduce_sum(x, {0}).template item<T>());
  const double loop = static_cast<double>(serial_sum(h.data(), n));
  T kokkos = 0;
  Kokkos::parallel_reduce("pure::bench::parallel_reduce", Policy(0, n), SumReduce<T>{x.view<T>()}, kokkos);
  ok &= report(std::fabs(pure_sum - e) <= 20 * eps * e, std::string("pure::lax::reduce_sum ") + suffix<T>());
  ok &= report(std::fabs(loop - e) <= n * eps * e, std::string("serial loop sum ") + suffix<T>());
  ok &= report(std::fabs(static_cast<double>(kokkos) - e) <= n * eps * e,
               std::string("Kokkos::parallel_reduce sum ") + suffix<T>());
  return ok;
}

// The gather and scatter hand kernels give lax's bits (copies; the same
// additions in the same order).
template <class T>
bool check_indexing() {
  constexpr std::int64_t n = 64;
  const Array x = input(45, pure::Shape{n, n}, dtype_of<T>(), kLo, kHi), rows = row_indices(46, {n, 1}, n);
  const Array full = row_indices(48, {n, n}, n), upd = input(50, pure::Shape{n, n}, dtype_of<T>(), kLo, kHi);
  const GatherRowsKernel<T> g{x.view<T>(), rows.view<std::int32_t>(), make_out<T>(n * n), n};
  Kokkos::parallel_for("pure::bench::gather_rows", Policy(0, n), g);
  const TakeAlongRowsKernel<T> a{x.view<T>(), full.view<std::int32_t>(), make_out<T>(n * n), n};
  Kokkos::parallel_for("pure::bench::take_along", Policy(0, n), a);
  const ScatterRowsKernel<T> sc{x.view<T>(), upd.view<T>(), rows.view<std::int32_t>(), make_out<T>(n * n), n};
  Kokkos::parallel_for("pure::bench::scatter_rows", Policy(0, 1), sc);
  bool ok = report(same_bits(to_vector(g.out), pure::lax::gather(x, rows, 0).template to_host<T>()),
                   std::string("gather rows ") + suffix<T>());
  ok &= report(same_bits(to_vector(a.out), pure::lax::gather(x, full, 1).template to_host<T>()),
               std::string("take along rows ") + suffix<T>());
  ok &= report(same_bits(to_vector(sc.out), pure::lax::scatter_add(x, rows, upd, 0).template to_host<T>()),
               std::string("scatter_add rows ") + suffix<T>());
  return ok;
}

// |pure - blas| per element within 2 k eps (|A| |B|)_ij: both sums err by at
// most k eps (|A||B|)_ij whatever their order (Higham, Accuracy and Stability
// of Numerical Algorithms, 2nd ed., eq. 3.13).
template <class T>
bool check_dot(pure::MatmulPrecision precision) {
  constexpr std::int64_t n = 64;
  const Array a = input(4, pure::Shape{n, n}, dtype_of<T>(), -1.0, 1.0);
  const Array b = input(5, pure::Shape{n, n}, dtype_of<T>(), -1.0, 1.0);
  const std::vector<T> ha = a.to_host<T>(), hb = b.to_host<T>();
  std::vector<T> c;
  {
    const PrecisionScope scope(precision);
    c = matmul_lax(a, b).template to_host<T>();
  }
  std::vector<T> ref(static_cast<std::size_t>(n * n), T(0));
#if PURE_BENCH_HAVE_OPENBLAS
  blas_gemm(static_cast<int>(n), ha.data(), hb.data(), ref.data());
#else
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t j = 0; j < n; ++j) {
      double s = 0;
      for (std::int64_t l = 0; l < n; ++l) s += double(ha[std::size_t(i * n + l)]) * double(hb[std::size_t(l * n + j)]);
      ref[std::size_t(i * n + j)] = static_cast<T>(s);
    }
#endif
  const double eps = std::numeric_limits<T>::epsilon();
  bool ok = true;
  for (std::int64_t i = 0; i < n; ++i) {
    for (std::int64_t j = 0; j < n; ++j) {
      double mag = 0;
      for (std::int64_t l = 0; l < n; ++l) {
        mag += std::fabs(double(ha[std::size_t(i * n + l)]) * double(hb[std::size_t(l * n + j)]));
      }
      const std::size_t ij = static_cast<std::size_t>(i * n + j);
      ok = ok && std::fabs(double(c[ij]) - double(ref[ij])) <= 2.0 * n * eps * mag;
    }
  }
  return report(ok, std::string("pure::lax::dot_general ") +
                        (precision == pure::MatmulPrecision::fast ? "fast " : "reproducible ") + suffix<T>() +
                        " and the reference gemm differ beyond rounding");
}

// Matrix-vector products against cblas_?gemv (or a double loop), within the
// same bound as check_dot.
template <class T>
bool check_dotv(bool transposed) {
  constexpr std::int64_t n = 67;
  const Array a = input(4, pure::Shape{n, n}, dtype_of<T>(), -1.0, 1.0);
  const Array v = input(5, pure::Shape{n}, dtype_of<T>(), -1.0, 1.0);
  const std::vector<T> ha = a.to_host<T>(), hv = v.to_host<T>();
  const std::vector<T> c = pure::lax::dot_general(a, v, {{transposed ? 0 : 1}, {0}}).template to_host<T>();
  std::vector<T> ref(static_cast<std::size_t>(n), T(0));
#if PURE_BENCH_HAVE_OPENBLAS
  blas_gemv(transposed, static_cast<int>(n), ha.data(), hv.data(), ref.data());
#else
  for (std::int64_t i = 0; i < n; ++i) {
    double s = 0;
    for (std::int64_t l = 0; l < n; ++l) {
      s += double(ha[std::size_t(transposed ? l * n + i : i * n + l)]) * double(hv[std::size_t(l)]);
    }
    ref[std::size_t(i)] = static_cast<T>(s);
  }
#endif
  const double eps = std::numeric_limits<T>::epsilon();
  bool ok = true;
  for (std::int64_t i = 0; i < n; ++i) {
    double mag = 0;
    for (std::int64_t l = 0; l < n; ++l) {
      mag += std::fabs(double(ha[std::size_t(transposed ? l * n + i : i * n + l)]) * double(hv[std::size_t(l)]));
    }
    ok = ok && std::fabs(double(c[std::size_t(i)]) - double(ref[std::size_t(i)])) <= 2.0 * n * eps * mag;
  }
  return report(ok, std::string("pure::lax::dot_general ") + (transposed ? "A^T v " : "A v ") + suffix<T>() +
                        " and the reference gemv differ beyond rounding");
}

// Central difference of f along v against <grad f, v>, in f64: the truncation
// error is O(h^2) ~ 1e-10 and the rounding error ~ 1e-16 |f| / h ~ 1e-11 |f|.
bool check_directional(double fd, double ad, const char* what) {
  return report(std::fabs(fd - ad) <= 1e-6 * std::max(1.0, std::fabs(ad)),
                std::string(what) + ": gradient disagrees with central differences (fd " + std::to_string(fd) +
                    ", ad " + std::to_string(ad) + ")");
}

double dot_all(const Array& a, const Array& b) { return pure::sum(a * b).item<double>(); }

bool check_ad() {
  bool ok = true;
  constexpr double h = 1e-5;
  {
    const MlpData d = mlp_data(DType::f64);
    auto [v, g] = pure::value_and_grad(&mlp_loss)(d.params, d.x, d.y);
    const Array v_eager = mlp_loss(d.params, d.x, d.y);
    ok &= report(v.item<double>() == v_eager.item<double>(), "value_and_grad(mlp_loss) value != mlp_loss");
    const Array dir = input(40, d.params.w1.shape(), DType::f64, -1.0, 1.0);
    Mlp plus = d.params, minus = d.params;
    plus.w1 = d.params.w1 + h * dir;
    minus.w1 = d.params.w1 - h * dir;
    const double fd = (mlp_loss(plus, d.x, d.y).item<double>() - mlp_loss(minus, d.x, d.y).item<double>()) / (2 * h);
    ok &= check_directional(fd, dot_all(g.w1, dir), "mlp_loss d/dw1");
  }
  {
    const LjData d = lj_data(DType::f64);
    auto [e, g] = pure::value_and_grad(&lj_energy)(d.r, d.offdiag);
    const Array e_eager = lj_energy(d.r, d.offdiag);
    ok &= report(e.item<double>() == e_eager.item<double>(), "value_and_grad(lj_energy) value != lj_energy");
    // Sanity of the set-up: a near-perfect lattice at the pair minimum is bound.
    ok &= report(e.item<double>() < 0, "lj_energy of the jittered lattice is not negative");
    const Array dir = input(41, d.r.shape(), DType::f64, -1.0, 1.0);
    const double fd =
        (lj_energy(d.r + h * dir, d.offdiag).item<double>() - lj_energy(d.r - h * dir, d.offdiag).item<double>()) /
        (2 * h);
    ok &= check_directional(fd, dot_all(g, dir), "lj_energy d/dr");
  }
  return ok;
}

bool sanity_check() {
  bool ok = true;
  ok &= check_binary<float, AddOp>(&pure::lax::add, "add");
  ok &= check_binary<double, AddOp>(&pure::lax::add, "add");
  ok &= check_binary<float, MulOp>(&pure::lax::mul, "mul");
  ok &= check_binary<double, MulOp>(&pure::lax::mul, "mul");
  ok &= check_unary<float, ExpOp>(&pure::lax::exp, "exp");
  ok &= check_unary<double, ExpOp>(&pure::lax::exp, "exp");
  ok &= check_unary<float, TanhOp>(&pure::lax::tanh, "tanh");
  ok &= check_unary<double, TanhOp>(&pure::lax::tanh, "tanh");
  ok &= check_unary<float, LogOp>(&pure::lax::log, "log");
  ok &= check_unary<double, LogOp>(&pure::lax::log, "log");
  ok &= check_unary<float, Log1pOp>(&pure::lax::log1p, "log1p");
  ok &= check_unary<double, Log1pOp>(&pure::lax::log1p, "log1p");
  ok &= check_unary<float, ErfOp>(&pure::lax::erf, "erf");
  ok &= check_unary<double, ErfOp>(&pure::lax::erf, "erf");
  ok &= check_copy_and_reduce<float>();
  ok &= check_copy_and_reduce<double>();
  ok &= check_indexing<float>();
  ok &= check_indexing<double>();
  for (auto p : {pure::MatmulPrecision::reproducible, pure::MatmulPrecision::fast}) {
    if (p == pure::MatmulPrecision::fast && !pure::matmul_fast_available()) continue;
    ok &= check_dot<float>(p);
    ok &= check_dot<double>(p);
  }
  for (bool transposed : {false, true}) {
    ok &= check_dotv<float>(transposed);
    ok &= check_dotv<double>(transposed);
  }
  ok &= check_ad();
  {
    const Array x = pure::full(pure::Shape{1}, 1.5), y = pure::full(pure::Shape{1}, 0.25);
    ok &= report(pure::lax::add(x, y).item<float>() == 1.75f && numpy_add(x, y).item<float>() == 1.75f &&
                     numpy_mul_scalar(x, y).item<float>() == 3.0f,
                 "tiny add / multiply");
  }
  return ok;
}

}  // namespace bench_ops

// Kokkos (and MPI, when built with it) must be up before any benchmark runs
// and down after the last one, so this binary has its own main.
int main(int argc, char** argv) {
  pure::ScopeGuard guard(argc, argv);
#if PURE_BENCH_HAVE_OPENBLAS
  // pure's Serial backend runs on one core; so does the peer. The call reaches
  // only the libopenblas linked here: KokkosKernels (pure's fast matmul) may
  // reach OpenBLAS through libblas.so, a second instance that reads the
  // variable when it loads.
  openblas_set_num_threads(1);
  // Which kernels the peer runs (OPENBLAS_CORETYPE, when set, overrides the CPU's).
  const char* coretype = std::getenv("OPENBLAS_CORETYPE");
  std::fprintf(stderr, "bench_ops: OpenBLAS %s, core %s, OPENBLAS_CORETYPE=%s\n", openblas_get_config(),
               openblas_get_corename(), coretype != nullptr ? coretype : "(unset)");
  if (pure::matmul_fast_available() && std::getenv("OPENBLAS_NUM_THREADS") == nullptr) {
    std::fprintf(stderr,
                 "bench_ops: note: set OPENBLAS_NUM_THREADS=1 so that pure's fast matmul (KokkosKernels, "
                 "possibly OpenBLAS behind libblas) runs on one thread like the rest\n");
  }
#endif
  if (!bench_ops::sanity_check()) return 2;
  bench_ops::register_all();
  return pure_bench::run_benchmarks(argc, argv, "bench_ops");
}
