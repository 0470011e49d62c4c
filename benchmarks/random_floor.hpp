// The floor of bench_random: Random123's threefry2x32-20 in a plain loop with
// pure's counter layout. Element i uses counter (hi32(i), lo32(i)), as pure
// (and jax's partitionable threefry) do; u32 bits are word0 ^ word1, a u64 is
// word0:word1. The float conversions are jax's: random mantissa under the
// exponent of 1, minus 1.
#pragma once

#include <cstdint>
#include <cstring>

#include <Kokkos_Macros.hpp>

#include <pure/core/host_simd.hpp>
#include <pure/random/detail/random123.hpp>

namespace pure_bench {

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

template <class T>
using FloorFill = void (*)(threefry2x32_key_t, std::uint64_t, T*, std::int64_t);

/// The floor loop compiled like pure's host loops at `level` (vectorised;
/// bench_random_floor_simd.cpp). Off x86-64 every level is the baseline loop.
FloorFill<std::uint32_t> floor_simd_bits_u32(pure::HostSimd level);
FloorFill<float> floor_simd_uniform_f32(pure::HostSimd level);
FloorFill<double> floor_simd_uniform_f64(pure::HostSimd level);

}  // namespace pure_bench
