// host_simd_for: Kokkos::parallel_for for elementwise kernels, compiled once per
// HostSimd level when the execution space runs on the host, with the level in
// use (pure::host_simd()) picked at each launch. On device execution spaces it
// is a plain Kokkos::parallel_for.
//
// Each level's loop is a function with GCC/Clang's target attribute, into which
// the kernel is inlined; functions the compiler does not inline stay calls to
// the ordinary (baseline) code, so no AVX instruction can leak into code run on
// a CPU without it. Kernels must be branch-free enough to vectorise (the loop
// still works, only slower, if they are not), and must compute each element
// with the same operations on every level: no FMA contraction (pure::pure sets
// -ffp-contract=off) and no fast-math.
#pragma once

#include <cstdint>

#include <Kokkos_Core.hpp>

#include <pure/core/array.hpp>
#include <pure/core/host_simd.hpp>

// Multi-versioned loops need x86-64, GCC or Clang, and a host compiler pass
// that is not nvcc's or hipcc's (device builds do not use this path).
#if (defined(__x86_64__) || defined(__amd64__)) && (defined(__GNUC__) || defined(__clang__)) && \
    !defined(__CUDACC__) && !defined(__HIPCC__) && !defined(__NVCOMPILER)
#define PURE_HOST_SIMD_X86 1
#else
#define PURE_HOST_SIMD_X86 0
#endif

#if PURE_HOST_SIMD_X86
#define PURE_HOST_SIMD_ALWAYS_INLINE inline __attribute__((always_inline))
#define PURE_HOST_SIMD_TARGET_AVX2 __attribute__((target("avx2")))
#if defined(__clang__)
#define PURE_HOST_SIMD_TARGET_AVX512 __attribute__((target("avx512f,avx512dq,avx512vl,avx512bw")))
#else
// GCC may otherwise keep to 256-bit vectors with AVX-512; full width measured faster (docs/benchmarks.md).
#define PURE_HOST_SIMD_TARGET_AVX512 \
  __attribute__((target("avx512f,avx512dq,avx512vl,avx512bw,prefer-vector-width=512")))
#endif
#else
#define PURE_HOST_SIMD_ALWAYS_INLINE inline
#endif

namespace pure::detail {

template <class Kernel>
PURE_HOST_SIMD_ALWAYS_INLINE void host_simd_range(const Kernel& kernel, std::int64_t begin, std::int64_t end) {
  for (std::int64_t i = begin; i < end; ++i) kernel(i);
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

/// Elements per work item: many vectors per call, and still thousands of
/// items to spread over threads for large arrays.
constexpr std::int64_t kHostSimdChunk = 4096;

/// kernel(i) for i in [0, n), as Kokkos::parallel_for(what, n, kernel).
template <class Kernel>
void host_simd_for(const char* what, std::int64_t n, const Kernel& kernel) {
  using Policy = Kokkos::RangePolicy<ExecutionSpace, Kokkos::IndexType<std::int64_t>>;
  if constexpr (Kokkos::SpaceAccessibility<ExecutionSpace, Kokkos::HostSpace>::accessible) {
    const HostSimdLoop<Kernel> loop = host_simd_loop<Kernel>(host_simd());
    const std::int64_t chunks = (n + kHostSimdChunk - 1) / kHostSimdChunk;
    Kokkos::parallel_for(what, Policy(0, chunks), [=](std::int64_t c) {
      const std::int64_t begin = c * kHostSimdChunk;
      loop(kernel, begin, n - begin < kHostSimdChunk ? n : begin + kHostSimdChunk);
    });
  } else {
    Kokkos::parallel_for(what, Policy(0, n), kernel);
  }
}

}  // namespace pure::detail
