// The floor loop of random_floor.hpp compiled exactly like pure's host sampler
// loops (src/random/samplers.cpp: the same flags, -fvect-cost-model=dynamic
// included, and one version per instruction-set level with the same target
// attributes as src/core/host_simd_for.hpp), so pure_host_<level> rows have a
// floor built the same way.
#include "random_floor.hpp"

namespace pure_bench {
namespace {

template <class T, class Convert>
void floor_baseline(threefry2x32_key_t k, std::uint64_t offset, T* out, std::int64_t n) {
  floor_loop<T, Convert>(k, offset, out, n);
}

#if (defined(__x86_64__) || defined(__amd64__)) && (defined(__GNUC__) || defined(__clang__))
#define PURE_BENCH_X86 1
template <class T, class Convert>
__attribute__((target("avx2"))) void floor_avx2(threefry2x32_key_t k, std::uint64_t offset, T* out, std::int64_t n) {
  floor_loop<T, Convert>(k, offset, out, n);
}
template <class T, class Convert>
__attribute__((target("avx512f,avx512dq,avx512vl,avx512bw"))) void floor_avx512(threefry2x32_key_t k,
                                                                                std::uint64_t offset, T* out,
                                                                                std::int64_t n) {
  floor_loop<T, Convert>(k, offset, out, n);
}
#else
#define PURE_BENCH_X86 0
#endif

template <class T, class Convert>
FloorFill<T> pick(pure::HostSimd level) {
#if PURE_BENCH_X86
  if (level == pure::HostSimd::avx512) return &floor_avx512<T, Convert>;
  if (level == pure::HostSimd::avx2) return &floor_avx2<T, Convert>;
#else
  (void)level;
#endif
  return &floor_baseline<T, Convert>;
}

}  // namespace

FloorFill<std::uint32_t> floor_simd_bits_u32(pure::HostSimd level) { return pick<std::uint32_t, FloorBitsU32>(level); }
FloorFill<float> floor_simd_uniform_f32(pure::HostSimd level) { return pick<float, FloorUniformF32>(level); }
FloorFill<double> floor_simd_uniform_f64(pure::HostSimd level) { return pick<double, FloorUniformF64>(level); }

}  // namespace pure_bench
