// host_simd_for: Kokkos::parallel_for for elementwise kernels, compiled once per
// HostSimd level when the execution space runs on the host, with the level in
// use (pure::host_simd()) picked at each launch. On device execution spaces it
// is a plain Kokkos::parallel_for. (Host: the execution space's memory is HostSpace.)
//
// Each level's loop is a function with GCC/Clang's target attribute, into which
// the kernel is inlined; functions the compiler does not inline stay calls to
// the ordinary (baseline) code, so no AVX instruction can leak into code run on
// a CPU without it. Kernels must be branch-free enough to vectorise (the loop
// still works, only slower, if they are not), and must compute each element
// with the same operations on every level: no FMA contraction (pure::pure sets
// -ffp-contract=off) and no fast-math.
//
// Instantiate each kernel's loops in one translation unit only, one built with
// the full vectoriser cost model (CMakeLists.txt): an instantiation in several
// files is one symbol, and the linker may keep a copy GCC left scalar at -O2.
// Kernels in an anonymous namespace are safe; the test host_simd_instances
// fails on any kernel instantiated in two object files.
#pragma once

#include <cstdint>
#include <type_traits>
#include <utility>

#include <Kokkos_Core.hpp>

#include <pure/core/array.hpp>
#include <pure/core/host_simd.hpp>

// Multi-versioned loops need x86-64, GCC or Clang, and a host compiler pass
// that is not nvcc's or hipcc's (device builds do not use this path);
// PURE_HOST_SIMD_VARIANTS=OFF in CMake turns them off.
#if !defined(PURE_HOST_SIMD_BASELINE_ONLY) && (defined(__x86_64__) || defined(__amd64__)) && \
    (defined(__GNUC__) || defined(__clang__)) && !defined(__CUDACC__) && !defined(__HIPCC__) && !defined(__NVCOMPILER)
#define PURE_HOST_SIMD_X86 1
#else
#define PURE_HOST_SIMD_X86 0
#endif

#if PURE_HOST_SIMD_X86
#define PURE_HOST_SIMD_ALWAYS_INLINE inline __attribute__((always_inline))
#define PURE_HOST_SIMD_TARGET_AVX2 __attribute__((target("avx2")))
// GCC 12 (generic tuning) vectorises these loops 512 bits wide (-fopt-info-vec);
// forcing prefer-vector-width=512 measured no different on Zen 4.
#define PURE_HOST_SIMD_TARGET_AVX512 __attribute__((target("avx512f,avx512dq,avx512vl,avx512bw")))
#else
#define PURE_HOST_SIMD_ALWAYS_INLINE inline
#endif

namespace pure::detail {

/// True for kernels with a host method `range(begin, end)` that runs a whole
/// range itself (to walk strided operands in runs); others are called per index.
template <class Kernel, class = void>
struct HasRange : std::false_type {};
template <class Kernel>
struct HasRange<Kernel, decltype(std::declval<const Kernel&>().range(std::int64_t{}, std::int64_t{}))>
    : std::true_type {};

template <class Kernel>
PURE_HOST_SIMD_ALWAYS_INLINE void host_simd_range(const Kernel& kernel, std::int64_t begin, std::int64_t end) {
  if constexpr (HasRange<Kernel>::value) {
    kernel.range(begin, end);
  } else {
    for (std::int64_t i = begin; i < end; ++i) kernel(i);
  }
}

template <class Kernel>
void host_simd_baseline(const Kernel& kernel, std::int64_t begin, std::int64_t end) {
  host_simd_range(kernel, begin, end);
}
#if PURE_HOST_SIMD_X86
template <class Kernel>
PURE_HOST_SIMD_TARGET_AVX2 void host_simd_avx2(const Kernel& kernel, std::int64_t begin, std::int64_t end) {
  host_simd_range(kernel, begin, end);
}
template <class Kernel>
PURE_HOST_SIMD_TARGET_AVX512 void host_simd_avx512(const Kernel& kernel, std::int64_t begin, std::int64_t end) {
  host_simd_range(kernel, begin, end);
}
#endif

template <class Kernel>
using HostSimdLoop = void (*)(const Kernel&, std::int64_t, std::int64_t);

template <class Kernel>
HostSimdLoop<Kernel> host_simd_loop(HostSimd level) {
#if PURE_HOST_SIMD_X86
  if (level == HostSimd::avx512) return &host_simd_avx512<Kernel>;
  if (level == HostSimd::avx2) return &host_simd_avx2<Kernel>;
#else
  (void)level;
#endif
  return &host_simd_baseline<Kernel>;
}

/// Elements per work item: at most 4096 (many vectors per call), at least 64
/// (a few AVX-512 vectors), and otherwise about n / (4 * threads), so that
/// mid-size arrays still reach every thread.
inline std::int64_t host_simd_chunk(std::int64_t n, int threads) {
  std::int64_t chunk = n / (4 * static_cast<std::int64_t>(threads > 0 ? threads : 1));
  chunk = chunk < 64 ? 64 : (chunk > 4096 ? 4096 : chunk);
  return chunk & ~std::int64_t{63};
}

/// kernel(i) for i in [0, n), as Kokkos::parallel_for(what, n, kernel), on
/// the host at pure::host_simd()'s level but at most `cap`.
template <class Kernel>
void host_simd_for(const char* what, std::int64_t n, const Kernel& kernel, HostSimd cap = HostSimd::avx512) {
  using Policy = Kokkos::RangePolicy<ExecutionSpace, Kokkos::IndexType<std::int64_t>>;
  if constexpr (std::is_same<typename ExecutionSpace::memory_space, Kokkos::HostSpace>::value) {
    const HostSimd level = host_simd() < cap ? host_simd() : cap;
    const HostSimdLoop<Kernel> loop = host_simd_loop<Kernel>(level);
    const std::int64_t chunk = host_simd_chunk(n, ExecutionSpace().concurrency());
    const std::int64_t chunks = (n + chunk - 1) / chunk;
    Kokkos::parallel_for(what, Policy(0, chunks), [=](std::int64_t c) {
      const std::int64_t begin = c * chunk;
      loop(kernel, begin, n - begin < chunk ? n : begin + chunk);
    });
  } else {
    (void)cap;
    Kokkos::parallel_for(what, Policy(0, n), kernel);
  }
}

}  // namespace pure::detail
