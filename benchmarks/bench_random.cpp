// Random-number throughput: pure's host API (bits, uniform, normal returning
// Arrays) and device API (bits_at, uniform_at, normal_at inside a Kokkos
// kernel) next to
//   - the floor: a plain loop over Random123's threefry2x32-20 with pure's
//     counter layout, compiled with the same flags as a user's kernel
//     (floor_threefry), and vectorised like pure's host loops, once per
//     instruction-set level (floor_simd_<level>, bench_random_floor_simd.cpp),
//     so the ratio shows what pure's layers (Array allocation, Kokkos
//     dispatch, the generator switch) cost on top of the generator itself;
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

#include "random_floor.hpp"

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
// random_floor.hpp: the loop. Here it is compiled with this file's flags (the
// project's), as a user's own kernel would be: the floor for pure_device. The
// vectorised floors for pure's host loops are in bench_random_floor_simd.cpp.

threefry2x32_key_t floor_key(const pr::Key& key) { return threefry2x32_key_t{{key.words[0], key.words[1]}}; }

template <class T, class Convert>
void floor_fill(threefry2x32_key_t k, std::uint64_t offset, T* out, std::int64_t n) {
  pure_bench::floor_loop<T, Convert>(k, offset, out, n);
}

template <class T>
void bm_floor(benchmark::State& state, pure_bench::FloorFill<T> fill) {
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
// A user's kernel writing into a view it already owns. Key K: pr::Key (the
// generator chosen per element at run time: pure_device rows) or
// pr::ThreefryKey (fixed at compile time: pure_device_threefry rows).

struct AtBitsU32 {
  template <class K>
  KOKKOS_INLINE_FUNCTION std::uint32_t operator()(const K& k, std::uint64_t i) const {
    return pr::bits_at(k, i);
  }
};
template <class T>
struct AtUniform {
  template <class K>
  KOKKOS_INLINE_FUNCTION T operator()(const K& k, std::uint64_t i) const {
    return pr::uniform_at<T>(k, i);
  }
};
template <class T>
struct AtNormal {
  template <class K>
  KOKKOS_INLINE_FUNCTION T operator()(const K& k, std::uint64_t i) const {
    return pr::normal_at<T>(k, i);
  }
};

template <class T, class Draw, class K = pr::Key>
struct DeviceFill {
  OutView<T> out;
  K key;
  Draw draw;
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t i) const { out(i) = draw(key, static_cast<std::uint64_t>(i)); }
};

template <class T, class Draw, class K = pr::Key>
void bm_pure_device(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const DeviceFill<T, Draw, K> fill{make_out<T>(n), K(pr::key(kSeed)), Draw{}};
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
                                     &floor_fill<std::uint32_t, pure_bench::FloorBitsU32>));
  sized(benchmark::RegisterBenchmark("floor_threefry/uniform_f32", bm_floor<float>,
                                     &floor_fill<float, pure_bench::FloorUniformF32>));
  sized(benchmark::RegisterBenchmark("floor_threefry/uniform_f64", bm_floor<double>,
                                     &floor_fill<double, pure_bench::FloorUniformF64>));
  for (int l = 0; l <= static_cast<int>(pure::host_simd_supported()); ++l) {
    const auto level = static_cast<pure::HostSimd>(l);
    const std::string prefix = std::string("floor_simd_") + pure::host_simd_name(level) + "/";
    sized(benchmark::RegisterBenchmark((prefix + "bits_u32").c_str(), bm_floor<std::uint32_t>,
                                       pure_bench::floor_simd_bits_u32(level)));
    sized(benchmark::RegisterBenchmark((prefix + "uniform_f32").c_str(), bm_floor<float>,
                                       pure_bench::floor_simd_uniform_f32(level)));
    sized(benchmark::RegisterBenchmark((prefix + "uniform_f64").c_str(), bm_floor<double>,
                                       pure_bench::floor_simd_uniform_f64(level)));
  }

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
  using TK = pr::ThreefryKey;
  sized(benchmark::RegisterBenchmark("pure_device_threefry/bits_u32", bm_pure_device<std::uint32_t, AtBitsU32, TK>));
  sized(benchmark::RegisterBenchmark("pure_device_threefry/uniform_f32", bm_pure_device<float, AtUniform<float>, TK>));
  sized(
      benchmark::RegisterBenchmark("pure_device_threefry/uniform_f64", bm_pure_device<double, AtUniform<double>, TK>));
  sized(benchmark::RegisterBenchmark("pure_device_threefry/normal_f32", bm_pure_device<float, AtNormal<float>, TK>));
  sized(benchmark::RegisterBenchmark("pure_device_threefry/normal_f64", bm_pure_device<double, AtNormal<double>, TK>));

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

template <class T, class Draw, class K = pr::Key>
std::vector<T> device_vector(const pr::Key& key, std::int64_t n) {
  const DeviceFill<T, Draw, K> fill{make_out<T>(n), K(key), Draw{}};
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
  ok &= same_bits(floor_vector<std::uint32_t, pure_bench::FloorBitsU32>(k0, high, n),
                  pr::bits(k0, pure::Shape{n}, DType::u32, high).to_host<std::uint32_t>(), "floor and pure::bits u32");
  ok &= same_bits(floor_vector<float, pure_bench::FloorUniformF32>(k1, 0, n),
                  pr::uniform(k1, pure::Shape{n}, DType::f32).to_host<float>(), "floor and pure::uniform f32");
  ok &= same_bits(floor_vector<double, pure_bench::FloorUniformF64>(k2, 0, n),
                  pr::uniform(k2, pure::Shape{n}, DType::f64).to_host<double>(), "floor and pure::uniform f64");
  ok &= same_bits(device_vector<float, AtNormal<float>>(k3, n),
                  pr::normal(k3, pure::Shape{n}, DType::f32).to_host<float>(), "normal_at and pure::normal f32");
  ok &= same_bits(device_vector<double, AtNormal<double>>(k4, n),
                  pr::normal(k4, pure::Shape{n}, DType::f64).to_host<double>(), "normal_at and pure::normal f64");
  // The compile-time generator rows compute the same stream.
  ok &= same_bits(device_vector<std::uint32_t, AtBitsU32, pr::ThreefryKey>(k0, n),
                  device_vector<std::uint32_t, AtBitsU32>(k0, n), "bits_at over ThreefryKey and Key");
  ok &= same_bits(device_vector<double, AtUniform<double>, pr::ThreefryKey>(k2, n),
                  device_vector<double, AtUniform<double>>(k2, n), "uniform_at over ThreefryKey and Key");
  ok &= same_bits(device_vector<float, AtNormal<float>, pr::ThreefryKey>(k3, n),
                  device_vector<float, AtNormal<float>>(k3, n), "normal_at over ThreefryKey and Key");
  // The vectorised floors compute the plain floor's bits.
  const std::vector<std::uint32_t> plain = floor_vector<std::uint32_t, pure_bench::FloorBitsU32>(k0, high, n);
  for (int l = 0; l <= static_cast<int>(pure::host_simd_supported()); ++l) {
    const auto level = static_cast<pure::HostSimd>(l);
    std::vector<std::uint32_t> v(static_cast<std::size_t>(n));
    pure_bench::floor_simd_bits_u32(level)(floor_key(k0), high, v.data(), n);
    ok &= same_bits(v, plain, (std::string("floor_simd_") + pure::host_simd_name(level) + " and the floor").c_str());
  }
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
