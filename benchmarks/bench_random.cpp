// Random-number throughput: pure's host API (bits, uniform, normal returning
// Arrays) and device API (bits_at, uniform_at, normal_at inside a Kokkos
// kernel) next to
//   - the floor: a plain loop over Random123's threefry2x32-20 with pure's
//     counter layout, compiled with the same flags (and, as floor_threefry_avx2
//     and _avx512, for the instruction sets of pure's host loops), so the ratio
//     shows what pure's layers (Array allocation, Kokkos dispatch, the
//     generator switch) cost on top of the generator itself;
//   - pure's host API once more at each instruction-set level its host loops
//     are built for (pure_host_baseline, _avx2, _avx512: pure/core/host_simd.hpp);
//   - peers: std::mt19937_64 with <random>'s distributions, and
//     Kokkos::Random_XorShift64_Pool (fill_random, and get_state/free_state).
// Every benchmark reports bytes/s and values/s; Kokkos ones fence inside the
// timed region. docs/benchmarks.md has the figures and how to reproduce them.
//
// Key reuse: every benchmark draws again and again from one key, on purpose:
// it measures the generator, not key handling. pure's key-reuse check
// (PURE_DEBUG_KEY_REUSE) is off unless that variable is set, and would throw
// here if it were; the ctest smoke test sets it to 0 explicitly.

#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <Kokkos_Core.hpp>
#include <Kokkos_Random.hpp>

#include <pure/pure.hpp>
#include <pure/random/detail/random123.hpp>

namespace {

namespace pr = pure::random;
using Policy = Kokkos::RangePolicy<pure::ExecutionSpace, Kokkos::IndexType<std::int64_t>>;
template <class T>
using OutView = Kokkos::View<T*, pure::MemorySpace>;

constexpr std::uint64_t kSeed = 0x5eed0000002aull;

template <class T>
void set_counters(benchmark::State& state, std::int64_t n) {
  const std::int64_t values = static_cast<std::int64_t>(state.iterations()) * n;
  state.SetBytesProcessed(values * static_cast<std::int64_t>(sizeof(T)));
  state.counters["values"] = benchmark::Counter(static_cast<double>(values), benchmark::Counter::kIsRate);
}

template <class T>
OutView<T> make_out(std::int64_t n) {
  return OutView<T>(Kokkos::view_alloc(std::string("pure::bench::out"), Kokkos::WithoutInitializing),
                    static_cast<std::size_t>(n));
}

// ---------------------------------------------------------------- the floor
// Element i uses counter (hi32(i), lo32(i)), as pure (and jax's partitionable
// threefry) do; u32 bits are word0 ^ word1, a u64 is word0:word1. The float
// conversions are jax's: random mantissa under the exponent of 1, minus 1.

threefry2x32_key_t floor_key(const pr::Key& key) { return threefry2x32_key_t{{key.words[0], key.words[1]}}; }

KOKKOS_FORCEINLINE_FUNCTION threefry2x32_ctr_t floor_block(threefry2x32_key_t k, std::uint64_t i) {
  const threefry2x32_ctr_t c = {{static_cast<std::uint32_t>(i >> 32), static_cast<std::uint32_t>(i)}};
  return threefry2x32(c, k);
}

struct FloorBitsU32 {
  KOKKOS_FORCEINLINE_FUNCTION std::uint32_t operator()(threefry2x32_ctr_t r) const { return r.v[0] ^ r.v[1]; }
};
struct FloorUniformF32 {
  KOKKOS_FORCEINLINE_FUNCTION float operator()(threefry2x32_ctr_t r) const {
    const std::uint32_t f = ((r.v[0] ^ r.v[1]) >> 9) | 0x3F800000u;
    float x;
    std::memcpy(&x, &f, sizeof x);
    return x - 1.0f;
  }
};
struct FloorUniformF64 {
  KOKKOS_FORCEINLINE_FUNCTION double operator()(threefry2x32_ctr_t r) const {
    const std::uint64_t f = (((std::uint64_t{r.v[0]} << 32) | r.v[1]) >> 12) | 0x3FF0000000000000ull;
    double x;
    std::memcpy(&x, &f, sizeof x);
    return x - 1.0;
  }
};

template <class T, class Convert>
KOKKOS_FORCEINLINE_FUNCTION void floor_loop(threefry2x32_key_t k, std::uint64_t offset, T* out, std::int64_t n) {
  const Convert convert;
  for (std::int64_t i = 0; i < n; ++i) out[i] = convert(floor_block(k, offset + static_cast<std::uint64_t>(i)));
}

template <class T, class Convert>
void floor_fill(threefry2x32_key_t k, std::uint64_t offset, T* out, std::int64_t n) {
  floor_loop<T, Convert>(k, offset, out, n);
}

template <class T>
using FloorFill = void (*)(threefry2x32_key_t, std::uint64_t, T*, std::int64_t);

// The floor at pure's other instruction-set levels: the same loop, compiled for
// AVX2 and AVX-512 with the target attributes of pure's host loops
// (src/core/host_simd_for.hpp), so pure_host_<level> has a floor of its own.
#if (defined(__x86_64__) || defined(__amd64__)) && (defined(__GNUC__) || defined(__clang__))
#define PURE_BENCH_X86 1
template <class T, class Convert>
__attribute__((target("avx2"))) void floor_fill_avx2(threefry2x32_key_t k, std::uint64_t offset, T* out,
                                                     std::int64_t n) {
  floor_loop<T, Convert>(k, offset, out, n);
}
#if defined(__clang__)
#define PURE_BENCH_AVX512 "avx512f,avx512dq,avx512vl,avx512bw"
#else
#define PURE_BENCH_AVX512 "avx512f,avx512dq,avx512vl,avx512bw,prefer-vector-width=512"
#endif
template <class T, class Convert>
__attribute__((target(PURE_BENCH_AVX512))) void floor_fill_avx512(threefry2x32_key_t k, std::uint64_t offset, T* out,
                                                                  std::int64_t n) {
  floor_loop<T, Convert>(k, offset, out, n);
}
#else
#define PURE_BENCH_X86 0
#endif

template <class T>
void bm_floor(benchmark::State& state, FloorFill<T> fill) {
  const std::int64_t n = state.range(0);
  std::vector<T> out(static_cast<std::size_t>(n));
  const threefry2x32_key_t k = floor_key(pr::key(kSeed));
  for (auto _ : state) {
    fill(k, 0, out.data(), n);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  set_counters<T>(state, n);
}

// ---------------------------------------------------------------- pure, host API
// A fresh Array per call, as a user gets it: allocation and dispatch included.

struct HostBitsU32 {
  pure::Array operator()(const pr::Key& k, std::int64_t n) const {
    return pr::bits(k, pure::Shape{n}, pure::DType::u32);
  }
};
template <pure::DType D>
struct HostUniform {
  pure::Array operator()(const pr::Key& k, std::int64_t n) const { return pr::uniform(k, pure::Shape{n}, D); }
};
template <pure::DType D>
struct HostNormal {
  pure::Array operator()(const pr::Key& k, std::int64_t n) const { return pr::normal(k, pure::Shape{n}, D); }
};

template <class T, class Draw>
void bm_pure_host(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const pr::Key key = pr::key(kSeed);
  const Draw draw;
  for (auto _ : state) {
    pure::Array a = draw(key, n);
    Kokkos::fence();
    benchmark::DoNotOptimize(a.data());
  }
  set_counters<T>(state, n);
}

// The same at a chosen instruction-set level of pure's host loops (the rows
// above run at the level pure picks: the best the CPU has, or PURE_HOST_SIMD).
template <class T, class Draw>
void bm_pure_host_at(benchmark::State& state, pure::HostSimd level) {
  const pure::HostSimd saved = pure::host_simd();
  pure::set_host_simd(level);
  bm_pure_host<T, Draw>(state);
  pure::set_host_simd(saved);
}

// ---------------------------------------------------------------- pure, device API
// A user's kernel writing into a view it already owns.

struct AtBitsU32 {
  KOKKOS_INLINE_FUNCTION std::uint32_t operator()(const pr::Key& k, std::uint64_t i) const { return pr::bits_at(k, i); }
};
template <class T>
struct AtUniform {
  KOKKOS_INLINE_FUNCTION T operator()(const pr::Key& k, std::uint64_t i) const { return pr::uniform_at<T>(k, i); }
};
template <class T>
struct AtNormal {
  KOKKOS_INLINE_FUNCTION T operator()(const pr::Key& k, std::uint64_t i) const { return pr::normal_at<T>(k, i); }
};

template <class T, class Draw>
struct DeviceFill {
  OutView<T> out;
  pr::Key key;
  Draw draw;
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t i) const { out(i) = draw(key, static_cast<std::uint64_t>(i)); }
};

template <class T, class Draw>
void bm_pure_device(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const DeviceFill<T, Draw> fill{make_out<T>(n), pr::key(kSeed), Draw{}};
  for (auto _ : state) {
    Kokkos::parallel_for("pure::bench::device_draw", Policy(0, n), fill);
    Kokkos::fence();
    benchmark::DoNotOptimize(fill.out.data());
    benchmark::ClobberMemory();
  }
  set_counters<T>(state, n);
}

// ---------------------------------------------------------------- std::mt19937_64

struct StdBits {
  std::uint64_t operator()(std::mt19937_64& g) { return g(); }
};
template <class T>
struct StdUniform {
  std::uniform_real_distribution<T> dist;
  T operator()(std::mt19937_64& g) { return dist(g); }
};
template <class T>
struct StdNormal {
  std::normal_distribution<T> dist;
  T operator()(std::mt19937_64& g) { return dist(g); }
};

template <class T, class Draw>
void bm_std(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  std::vector<T> out(static_cast<std::size_t>(n));
  std::mt19937_64 gen(kSeed);
  Draw draw;
  for (auto _ : state) {
    T* p = out.data();
    for (std::int64_t i = 0; i < n; ++i) p[i] = draw(gen);
    benchmark::DoNotOptimize(p);
    benchmark::ClobberMemory();
  }
  set_counters<T>(state, n);
}

// ---------------------------------------------------------------- Kokkos::Random_XorShift64_Pool

using XorPool = Kokkos::Random_XorShift64_Pool<pure::ExecutionSpace>;

template <class T>
void bm_kokkos_fill_random(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const OutView<T> out = make_out<T>(n);
  XorPool pool(kSeed);
  for (auto _ : state) {
    Kokkos::fill_random(out, pool, T(1));
    Kokkos::fence();
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  set_counters<T>(state, n);
}

struct XorBitsU32 {
  template <class Gen>
  KOKKOS_INLINE_FUNCTION std::uint32_t operator()(Gen& g) const {
    return g.urand();
  }
};
template <class T>
struct XorUniform;
template <>
struct XorUniform<float> {
  template <class Gen>
  KOKKOS_INLINE_FUNCTION float operator()(Gen& g) const {
    return g.frand();
  }
};
template <>
struct XorUniform<double> {
  template <class Gen>
  KOKKOS_INLINE_FUNCTION double operator()(Gen& g) const {
    return g.drand();
  }
};
// Kokkos' normal() is Marsaglia's polar method in double (one value kept per pair).
template <class T>
struct XorNormal {
  template <class Gen>
  KOKKOS_INLINE_FUNCTION T operator()(Gen& g) const {
    return static_cast<T>(g.normal());
  }
};

// The idiom of Kokkos' documentation: each work item takes a state, draws, gives it back.
template <class T, class Draw>
struct PoolFill {
  OutView<T> out;
  XorPool pool;
  Draw draw;
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t i) const {
    auto gen = pool.get_state();
    out(i) = draw(gen);
    pool.free_state(gen);
  }
};

template <class T, class Draw>
void bm_kokkos_state(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const PoolFill<T, Draw> fill{make_out<T>(n), XorPool(kSeed), Draw{}};
  for (auto _ : state) {
    Kokkos::parallel_for("pure::bench::xorshift_draw", Policy(0, n), fill);
    Kokkos::fence();
    benchmark::DoNotOptimize(fill.out.data());
    benchmark::ClobberMemory();
  }
  set_counters<T>(state, n);
}

// ---------------------------------------------------------------- registration

void register_all() {
  using pure::DType;
  const auto sized = [](benchmark::internal::Benchmark* b) {
    b->Arg(std::int64_t{1} << 16)->Arg(std::int64_t{1} << 22)->Unit(benchmark::kMicrosecond);
  };
  sized(benchmark::RegisterBenchmark("floor_threefry/bits_u32", bm_floor<std::uint32_t>,
                                     &floor_fill<std::uint32_t, FloorBitsU32>));
  sized(
      benchmark::RegisterBenchmark("floor_threefry/uniform_f32", bm_floor<float>, &floor_fill<float, FloorUniformF32>));
  sized(benchmark::RegisterBenchmark("floor_threefry/uniform_f64", bm_floor<double>,
                                     &floor_fill<double, FloorUniformF64>));
#if PURE_BENCH_X86
  if (pure::host_simd_supported() >= pure::HostSimd::avx2) {
    sized(benchmark::RegisterBenchmark("floor_threefry_avx2/bits_u32", bm_floor<std::uint32_t>,
                                       &floor_fill_avx2<std::uint32_t, FloorBitsU32>));
    sized(benchmark::RegisterBenchmark("floor_threefry_avx2/uniform_f32", bm_floor<float>,
                                       &floor_fill_avx2<float, FloorUniformF32>));
  }
  if (pure::host_simd_supported() >= pure::HostSimd::avx512) {
    sized(benchmark::RegisterBenchmark("floor_threefry_avx512/bits_u32", bm_floor<std::uint32_t>,
                                       &floor_fill_avx512<std::uint32_t, FloorBitsU32>));
    sized(benchmark::RegisterBenchmark("floor_threefry_avx512/uniform_f32", bm_floor<float>,
                                       &floor_fill_avx512<float, FloorUniformF32>));
  }
#endif

  sized(benchmark::RegisterBenchmark("pure_host/bits_u32", bm_pure_host<std::uint32_t, HostBitsU32>));
  sized(benchmark::RegisterBenchmark("pure_host/uniform_f32", bm_pure_host<float, HostUniform<DType::f32>>));
  sized(benchmark::RegisterBenchmark("pure_host/uniform_f64", bm_pure_host<double, HostUniform<DType::f64>>));
  sized(benchmark::RegisterBenchmark("pure_host/normal_f32", bm_pure_host<float, HostNormal<DType::f32>>));
  sized(benchmark::RegisterBenchmark("pure_host/normal_f64", bm_pure_host<double, HostNormal<DType::f64>>));

  for (int l = 0; l <= static_cast<int>(pure::host_simd_supported()); ++l) {
    const auto level = static_cast<pure::HostSimd>(l);
    const std::string prefix = std::string("pure_host_") + pure::host_simd_name(level) + "/";
    sized(benchmark::RegisterBenchmark((prefix + "bits_u32").c_str(), bm_pure_host_at<std::uint32_t, HostBitsU32>,
                                       level));
    sized(benchmark::RegisterBenchmark((prefix + "uniform_f32").c_str(),
                                       bm_pure_host_at<float, HostUniform<DType::f32>>, level));
    sized(benchmark::RegisterBenchmark((prefix + "normal_f32").c_str(), bm_pure_host_at<float, HostNormal<DType::f32>>,
                                       level));
  }

  sized(benchmark::RegisterBenchmark("pure_device/bits_u32", bm_pure_device<std::uint32_t, AtBitsU32>));
  sized(benchmark::RegisterBenchmark("pure_device/uniform_f32", bm_pure_device<float, AtUniform<float>>));
  sized(benchmark::RegisterBenchmark("pure_device/uniform_f64", bm_pure_device<double, AtUniform<double>>));
  sized(benchmark::RegisterBenchmark("pure_device/normal_f32", bm_pure_device<float, AtNormal<float>>));
  sized(benchmark::RegisterBenchmark("pure_device/normal_f64", bm_pure_device<double, AtNormal<double>>));

  sized(benchmark::RegisterBenchmark("std_mt19937_64/bits_u64", bm_std<std::uint64_t, StdBits>));
  sized(benchmark::RegisterBenchmark("std_mt19937_64/uniform_f32", bm_std<float, StdUniform<float>>));
  sized(benchmark::RegisterBenchmark("std_mt19937_64/uniform_f64", bm_std<double, StdUniform<double>>));
  sized(benchmark::RegisterBenchmark("std_mt19937_64/normal_f32", bm_std<float, StdNormal<float>>));
  sized(benchmark::RegisterBenchmark("std_mt19937_64/normal_f64", bm_std<double, StdNormal<double>>));

  sized(benchmark::RegisterBenchmark("kokkos_xorshift64/fill_random_f32", bm_kokkos_fill_random<float>));
  sized(benchmark::RegisterBenchmark("kokkos_xorshift64/fill_random_f64", bm_kokkos_fill_random<double>));
  sized(benchmark::RegisterBenchmark("kokkos_xorshift64/state_bits_u32", bm_kokkos_state<std::uint32_t, XorBitsU32>));
  sized(benchmark::RegisterBenchmark("kokkos_xorshift64/state_uniform_f32", bm_kokkos_state<float, XorUniform<float>>));
  sized(
      benchmark::RegisterBenchmark("kokkos_xorshift64/state_uniform_f64", bm_kokkos_state<double, XorUniform<double>>));
  sized(benchmark::RegisterBenchmark("kokkos_xorshift64/state_normal_f32", bm_kokkos_state<float, XorNormal<float>>));
  sized(benchmark::RegisterBenchmark("kokkos_xorshift64/state_normal_f64", bm_kokkos_state<double, XorNormal<double>>));
}

// ---------------------------------------------------------------- sanity check
// The floor is only a fair floor if it computes pure's stream; and the device
// path must compute what the host API returns. Checked once at start-up (cheap),
// so the smoke test fails if either drifts. Each check uses its own key.

template <class T>
bool same_bits(const std::vector<T>& a, const std::vector<T>& b, const char* what) {
  if (a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0) return true;
  std::fprintf(stderr, "bench_random: sanity check failed: %s differ\n", what);
  return false;
}

template <class T, class Convert>
std::vector<T> floor_vector(const pr::Key& key, std::uint64_t offset, std::int64_t n) {
  std::vector<T> v(static_cast<std::size_t>(n));
  floor_fill<T, Convert>(floor_key(key), offset, v.data(), n);
  return v;
}

template <class T, class Draw>
std::vector<T> device_vector(const pr::Key& key, std::int64_t n) {
  const DeviceFill<T, Draw> fill{make_out<T>(n), key, Draw{}};
  Kokkos::parallel_for("pure::bench::device_draw", Policy(0, n), fill);
  auto host = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), fill.out);
  return std::vector<T>(host.data(), host.data() + n);
}

bool sanity_check() {
  using pure::DType;
  constexpr std::int64_t n = 1000;
  // Straddles 2^32 so the high counter word is exercised too.
  constexpr std::uint64_t high = (std::uint64_t{1} << 32) - 500;
  const pr::Key k0 = pr::key(1), k1 = pr::key(2), k2 = pr::key(3), k3 = pr::key(4), k4 = pr::key(5);
  bool ok = true;
  ok &= same_bits(floor_vector<std::uint32_t, FloorBitsU32>(k0, high, n),
                  pr::bits(k0, pure::Shape{n}, DType::u32, high).to_host<std::uint32_t>(), "floor and pure::bits u32");
  ok &= same_bits(floor_vector<float, FloorUniformF32>(k1, 0, n),
                  pr::uniform(k1, pure::Shape{n}, DType::f32).to_host<float>(), "floor and pure::uniform f32");
  ok &= same_bits(floor_vector<double, FloorUniformF64>(k2, 0, n),
                  pr::uniform(k2, pure::Shape{n}, DType::f64).to_host<double>(), "floor and pure::uniform f64");
  ok &= same_bits(device_vector<float, AtNormal<float>>(k3, n),
                  pr::normal(k3, pure::Shape{n}, DType::f32).to_host<float>(), "normal_at and pure::normal f32");
  ok &= same_bits(device_vector<double, AtNormal<double>>(k4, n),
                  pr::normal(k4, pure::Shape{n}, DType::f64).to_host<double>(), "normal_at and pure::normal f64");
#if PURE_BENCH_X86
  // The vectorised floors compute the plain floor's bits.
  const std::vector<std::uint32_t> plain = floor_vector<std::uint32_t, FloorBitsU32>(k0, high, n);
  for (int l = 1; l <= static_cast<int>(pure::host_simd_supported()); ++l) {
    std::vector<std::uint32_t> v(static_cast<std::size_t>(n));
    (l == 1 ? &floor_fill_avx2<std::uint32_t, FloorBitsU32>
            : &floor_fill_avx512<std::uint32_t, FloorBitsU32>)(floor_key(k0), high, v.data(), n);
    ok &= same_bits(v, plain, l == 1 ? "floor_threefry_avx2 and the floor" : "floor_threefry_avx512 and the floor");
  }
#endif
  return ok;
}

}  // namespace

// Kokkos (and MPI, when built with it) must be up before any benchmark runs
// and down after the last one, so this binary has its own main.
int main(int argc, char** argv) {
  pure::ScopeGuard guard(argc, argv);
  if (!sanity_check()) return 2;
  register_all();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  const std::size_t ran = benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  if (ran == 0) {
    std::fprintf(stderr, "bench_random: no benchmark matched the filter\n");
    return 1;
  }
  return 0;
}
