// Device-side random API: every value is a pure function of (key, index), so a
// user's own Kokkos kernel can draw element i directly, and gets exactly what
// the host API (pure::random::bits, uniform, normal) returns at index i.
//
//   Kokkos::parallel_for(n, KOKKOS_LAMBDA(std::int64_t i) {
//     double xi = pure::random::normal_at<double>(pure::random::fold_in(key, step), i);
//   });
#pragma once

#include <cstdint>

#include <Kokkos_Macros.hpp>

#include <pure/core/math.hpp>
#include <pure/random/detail/random123.hpp>
#include <pure/random/key.hpp>

namespace pure::random {
namespace detail {

/// threefry2x32-20 (as jax's threefry2x32_p): (c0, c1) -> 2 words.
KOKKOS_INLINE_FUNCTION void threefry_block(const Key& key, std::uint32_t c0, std::uint32_t c1, std::uint32_t out[2]) {
  r123::Threefry2x32_R<20>::ctr_type ctr = {{c0, c1}};
  r123::Threefry2x32_R<20>::key_type k = {{key.words[0], key.words[1]}};
  const auto r = r123::Threefry2x32_R<20>()(ctr, k);
  out[0] = r.v[0];
  out[1] = r.v[1];
}

/// philox4x32-10: (c0, c1, c2, c3) -> 4 words.
KOKKOS_INLINE_FUNCTION void philox_block(const Key& key, std::uint32_t c0, std::uint32_t c1, std::uint32_t c2,
                                         std::uint32_t c3, std::uint32_t out[4]) {
  r123::Philox4x32_R<10>::ctr_type ctr = {{c0, c1, c2, c3}};
  r123::Philox4x32_R<10>::key_type k = {{key.words[0], key.words[1]}};
  const auto r = r123::Philox4x32_R<10>()(ctr, k);
  for (int j = 0; j < 4; ++j) out[j] = r.v[j];
}

KOKKOS_INLINE_FUNCTION std::uint32_t hi32(std::uint64_t i) { return static_cast<std::uint32_t>(i >> 32); }
KOKKOS_INLINE_FUNCTION std::uint32_t lo32(std::uint64_t i) { return static_cast<std::uint32_t>(i); }

// Philox streams put a 1 in the last counter word for key derivation and a 0
// for value draws, so derived keys and drawn bits never share a counter.
constexpr std::uint32_t kPhiloxDeriveTag = 1;

/// The two words threefry gives at 64-bit counter i (jax's iota_2x32_shape).
KOKKOS_INLINE_FUNCTION void threefry_at(const Key& key, std::uint64_t i, std::uint32_t out[2]) {
  threefry_block(key, hi32(i), lo32(i), out);
}

}  // namespace detail

/// Child `i` of `key`: equals split(key, n)[i] for any n > i, without consuming.
/// For threefry this is jax's partitionable split: threefry2x32(key, (hi(i), lo(i))).
KOKKOS_INLINE_FUNCTION Key split_at(const Key& key, std::uint64_t i) {
  Key child;
  child.impl = key.impl;
  if (key.impl == Impl::philox) {
    std::uint32_t w[4];
    detail::philox_block(key, detail::lo32(i), detail::hi32(i), 0u, detail::kPhiloxDeriveTag, w);
    child.words[0] = w[0];
    child.words[1] = w[1];
  } else {
    detail::threefry_at(key, i, child.words);
  }
  return child;
}

/// A new key for `data` (a step number, a rank, a particle id), as
/// jax.random.fold_in. Does not consume `key`: fold_in(key, t) for t = 0, 1, ...
/// is the intended way to get one key per step. (For threefry, jax's fold_in(k, d)
/// equals split(k, 2^32)[d]; so does ours.)
KOKKOS_INLINE_FUNCTION Key fold_in(const Key& key, std::uint32_t data) { return split_at(key, data); }

/// 32 random bits at element index i (as jax.random.bits(key, dtype=uint32)[i]).
KOKKOS_INLINE_FUNCTION std::uint32_t bits_at(const Key& key, std::uint64_t i) {
  if (key.impl == Impl::philox) {
    std::uint32_t w[4];
    const std::uint64_t block = i >> 2;
    detail::philox_block(key, detail::lo32(block), detail::hi32(block), 0u, 0u, w);
    return w[i & 3u];
  }
  std::uint32_t w[2];
  detail::threefry_at(key, i, w);
  return w[0] ^ w[1];
}

/// 64 random bits at element index i (as jax.random.bits(key, dtype=uint64)[i]).
KOKKOS_INLINE_FUNCTION std::uint64_t bits64_at(const Key& key, std::uint64_t i) {
  if (key.impl == Impl::philox) {
    std::uint32_t w[4];
    const std::uint64_t block = i >> 1;
    detail::philox_block(key, detail::lo32(block), detail::hi32(block), 0u, 0u, w);
    const unsigned j = 2u * static_cast<unsigned>(i & 1u);
    return (static_cast<std::uint64_t>(w[j]) << 32) | w[j + 1];
  }
  std::uint32_t w[2];
  detail::threefry_at(key, i, w);
  return (static_cast<std::uint64_t>(w[0]) << 32) | w[1];
}

namespace detail {
/// Random bits -> float in [1, 2) -> [0, 1), mantissa filled from the high bits (jax's uniform).
KOKKOS_INLINE_FUNCTION float unit_float(std::uint32_t bits) {
  const std::uint32_t f = (bits >> 9) | 0x3F800000u;
  float x;
  __builtin_memcpy(&x, &f, sizeof x);
  return x - 1.0f;
}
KOKKOS_INLINE_FUNCTION double unit_double(std::uint64_t bits) {
  const std::uint64_t f = (bits >> 12) | 0x3FF0000000000000ull;
  double x;
  __builtin_memcpy(&x, &f, sizeof x);
  return x - 1.0;
}
template <class T>
KOKKOS_INLINE_FUNCTION T unit_at(const Key& key, std::uint64_t i);
template <>
KOKKOS_INLINE_FUNCTION float unit_at<float>(const Key& key, std::uint64_t i) {
  return unit_float(bits_at(key, i));
}
template <>
KOKKOS_INLINE_FUNCTION double unit_at<double>(const Key& key, std::uint64_t i) {
  return unit_double(bits64_at(key, i));
}
}  // namespace detail

/// Uniform in [lo, hi) at element index i (as jax.random.uniform; T = float or double).
template <class T>
KOKKOS_INLINE_FUNCTION T uniform_at(const Key& key, std::uint64_t i, T lo = T(0), T hi = T(1)) {
  const T v = detail::unit_at<T>(key, i) * (hi - lo) + lo;
  return v > lo ? v : lo;  // jax: max(lo, ...), guards rounding below lo
}

/// Standard normal at element index i (as jax.random.normal: sqrt(2) * erfinv(u),
/// u uniform in (-1, 1)); bitwise the same on every backend.
template <class T>
KOKKOS_INLINE_FUNCTION T normal_at(const Key& key, std::uint64_t i) {
  // lo = nextafter(-1, 0): the open interval keeps erfinv finite.
  const T lo = static_cast<T>(-1) + (sizeof(T) == 4 ? T(5.9604644775390625e-08) : T(1.1102230246251565e-16));
  const T u = uniform_at<T>(key, i, lo, T(1));
  return static_cast<T>(1.4142135623730951) * pure::math::erfinv(u);
}

}  // namespace pure::random
