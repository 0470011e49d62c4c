// Device-side random API: every value is a pure function of (key, index), so a
// user's own Kokkos kernel can draw element i directly, and gets exactly what
// the host API (pure::random::bits, uniform, normal) returns at index i.
//
//   Kokkos::parallel_for(n, KOKKOS_LAMBDA(std::int64_t i) {
//     double xi = pure::random::normal_at<double>(pure::random::fold_in(key, step), i);
//   });
#pragma once

#include <cstdint>
#include <type_traits>

#include <Kokkos_Macros.hpp>

#include <pure/core/math.hpp>
#include <pure/random/detail/random123.hpp>
#include <pure/random/key.hpp>

namespace pure::random {
namespace detail {

/// The key types the device API takes: Key (generator chosen at run time) and
/// GeneratorKey<impl> (ThreefryKey, PhiloxKey: chosen at compile time). The
/// functions below test key.impl; for a GeneratorKey that is a constant, so
/// the other generator's branch is compiled away.
template <class K>
struct IsKey : std::false_type {};
template <>
struct IsKey<Key> : std::true_type {};
template <Impl kImpl>
struct IsKey<GeneratorKey<kImpl>> : std::true_type {};
template <class K>
using EnableIfKey = std::enable_if_t<IsKey<K>::value, int>;

// The generator path is force-inlined: measured 30-40% faster bits/uniform at
// -O2 (docs/benchmarks.md), since GCC otherwise keeps threefry out of line.

/// threefry2x32-20 (as jax's threefry2x32_p): (c0, c1) -> 2 words.
template <class K>
KOKKOS_FORCEINLINE_FUNCTION void threefry_block(const K& key, std::uint32_t c0, std::uint32_t c1,
                                                std::uint32_t out[2]) {
  r123::Threefry2x32_R<20>::ctr_type ctr = {{c0, c1}};
  r123::Threefry2x32_R<20>::key_type k = {{key.words[0], key.words[1]}};
  const auto r = r123::Threefry2x32_R<20>()(ctr, k);
  out[0] = r.v[0];
  out[1] = r.v[1];
}

/// philox4x32-10: (c0, c1, c2, c3) -> 4 words.
template <class K>
KOKKOS_FORCEINLINE_FUNCTION void philox_block(const K& key, std::uint32_t c0, std::uint32_t c1, std::uint32_t c2,
                                              std::uint32_t c3, std::uint32_t out[4]) {
  r123::Philox4x32_R<10>::ctr_type ctr = {{c0, c1, c2, c3}};
  r123::Philox4x32_R<10>::key_type k = {{key.words[0], key.words[1]}};
  const auto r = r123::Philox4x32_R<10>()(ctr, k);
  out[0] = r.v[0];
  out[1] = r.v[1];
  out[2] = r.v[2];
  out[3] = r.v[3];
}

KOKKOS_INLINE_FUNCTION std::uint32_t hi32(std::uint64_t i) { return static_cast<std::uint32_t>(i >> 32); }
KOKKOS_INLINE_FUNCTION std::uint32_t lo32(std::uint64_t i) { return static_cast<std::uint32_t>(i); }

// Philox streams put a 1 in the last counter word for key derivation and a 0
// for value draws, so derived keys and drawn bits never share a counter.
constexpr std::uint32_t kPhiloxDeriveTag = 1;

/// The two words threefry gives at 64-bit counter i (jax's iota_2x32_shape).
template <class K>
KOKKOS_FORCEINLINE_FUNCTION void threefry_at(const K& key, std::uint64_t i, std::uint32_t out[2]) {
  threefry_block(key, hi32(i), lo32(i), out);
}

}  // namespace detail

/// Child `i` of `key`: equals split(key, n)[i] for any n > i, without consuming.
/// For threefry this is jax's partitionable split: threefry2x32(key, (hi(i), lo(i))).
template <class K, detail::EnableIfKey<K> = 0>
KOKKOS_INLINE_FUNCTION K split_at(const K& key, std::uint64_t i) {
  K child = key;  // the generator; the words are replaced
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
template <class K, detail::EnableIfKey<K> = 0>
KOKKOS_INLINE_FUNCTION K fold_in(const K& key, std::uint32_t data) {
  return split_at(key, data);
}

/// 32 random bits at element index i (as jax.random.bits(key, dtype=uint32)[i]).
template <class K, detail::EnableIfKey<K> = 0>
KOKKOS_FORCEINLINE_FUNCTION std::uint32_t bits_at(const K& key, std::uint64_t i) {
  if (key.impl == Impl::philox) {
    std::uint32_t w[4];
    const std::uint64_t block = i >> 2;
    detail::philox_block(key, detail::lo32(block), detail::hi32(block), 0u, 0u, w);
    const unsigned j = static_cast<unsigned>(i & 3u);  // selects, not w[j]: loops over i vectorise
    return j == 0u ? w[0] : j == 1u ? w[1] : j == 2u ? w[2] : w[3];
  }
  std::uint32_t w[2];
  detail::threefry_at(key, i, w);
  return w[0] ^ w[1];
}

/// 64 random bits at element index i (as jax.random.bits(key, dtype=uint64)[i]).
template <class K, detail::EnableIfKey<K> = 0>
KOKKOS_FORCEINLINE_FUNCTION std::uint64_t bits64_at(const K& key, std::uint64_t i) {
  if (key.impl == Impl::philox) {
    std::uint32_t w[4];
    const std::uint64_t block = i >> 1;
    detail::philox_block(key, detail::lo32(block), detail::hi32(block), 0u, 0u, w);
    const bool second = (i & 1u) != 0u;
    return (static_cast<std::uint64_t>(second ? w[2] : w[0]) << 32) | (second ? w[3] : w[1]);
  }
  std::uint32_t w[2];
  detail::threefry_at(key, i, w);
  return (static_cast<std::uint64_t>(w[0]) << 32) | w[1];
}

namespace detail {
/// Random bits -> float in [1, 2) -> [0, 1), mantissa filled from the high bits (jax's uniform).
KOKKOS_FORCEINLINE_FUNCTION float unit_float(std::uint32_t bits) {
  return pure::detail::bit_cast<float>((bits >> 9) | 0x3F800000u) - 1.0f;
}
KOKKOS_FORCEINLINE_FUNCTION double unit_double(std::uint64_t bits) {
  return pure::detail::bit_cast<double>((bits >> 12) | 0x3FF0000000000000ull) - 1.0;
}
/// A unit draw in [0, 1): float from 32 bits, double from 64.
template <class T, class K>
KOKKOS_FORCEINLINE_FUNCTION T unit_at(const K& key, std::uint64_t i) {
  static_assert(std::is_same<T, float>::value || std::is_same<T, double>::value, "T must be float or double");
  if constexpr (std::is_same<T, float>::value) {
    return unit_float(bits_at(key, i));
  } else {
    return unit_double(bits64_at(key, i));
  }
}
}  // namespace detail

namespace detail {
// Exact fused multiply-add from +, - and * only. XLA (CPU and GPU) contracts
// jax's `u * (hi - lo) + lo` into one FMA, so bit-compatibility needs fma's
// single rounding; Kokkos 3.4 has no portable fma, and a libm call would not be
// allowed in kernels anyway. Emulation algorithms: Knuth's TwoSum, Dekker's TwoProduct
// with Veltkamp's split, and Boldo & Melquiond's FMA emulation through rounding
// to odd ("Emulation of FMA and correctly rounded sums: proved algorithms using
// rounding to odd", IEEE Trans. Computers 57(4), 2008). Exact for finite
// arguments whose product's error term does not underflow (|a*b| > 2^-969).

/// s = fl(a + b) with a + b == s + e exactly.
KOKKOS_FORCEINLINE_FUNCTION double two_sum(double a, double b, double& e) {
  const double s = a + b;
  const double bv = s - a;
  e = (a - (s - bv)) + (b - bv);
  return s;
}
/// p = fl(a * b) with a * b == p + e exactly.
KOKKOS_FORCEINLINE_FUNCTION double two_prod(double a, double b, double& e) {
  constexpr double splitter = 134217729.0;  // 2^27 + 1
  const double ca = splitter * a, cb = splitter * b;
  const double ah = ca - (ca - a), bh = cb - (cb - b);
  const double al = a - ah, bl = b - bh;
  const double p = a * b;
  e = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
  return p;
}
/// a + b rounded to odd: the exact sum if representable, else whichever
/// neighbour has an odd last bit (it keeps a sticky bit for a later rounding).
KOKKOS_FORCEINLINE_FUNCTION double add_round_to_odd(double a, double b) {
  double e;
  double s = two_sum(a, b, e);
  if (e != 0.0) {
    const std::uint64_t bits = pure::detail::bit_cast<std::uint64_t>(s);
    if ((bits & 1u) == 0u) s = pure::detail::bit_cast<double>(((e > 0.0) == (s > 0.0)) ? bits + 1u : bits - 1u);
  }
  return s;
}
// GPUs and FMA-enabled host builds have the correctly rounded instruction; the
// emulation (same result, IEEE fma is exact) serves every other target.
#if defined(__CUDA_ARCH__) || defined(__HIP_DEVICE_COMPILE__)
#define PURE_RANDOM_NATIVE_FMA(a, b, c) ::fma(a, b, c)
#define PURE_RANDOM_NATIVE_FMAF(a, b, c) ::fmaf(a, b, c)
#elif defined(__FMA__) && (defined(__GNUC__) || defined(__clang__))
#define PURE_RANDOM_NATIVE_FMA(a, b, c) __builtin_fma(a, b, c)
#define PURE_RANDOM_NATIVE_FMAF(a, b, c) __builtin_fmaf(a, b, c)
#endif

/// a * b + c with one rounding (as IEEE fma).
KOKKOS_FORCEINLINE_FUNCTION double fma_exact(double a, double b, double c) {
#ifdef PURE_RANDOM_NATIVE_FMA
  return PURE_RANDOM_NATIVE_FMA(a, b, c);
#else
  double ul, tl;
  const double uh = two_prod(a, b, ul);
  const double th = two_sum(c, uh, tl);
  return th + add_round_to_odd(tl, ul);
#endif
}
/// Float fma: the product of two floats is exact in double, and rounding the
/// sum to odd in double (53 >= 24 + 2 bits) then to float rounds only once.
KOKKOS_FORCEINLINE_FUNCTION float fma_exact(float a, float b, float c) {
#ifdef PURE_RANDOM_NATIVE_FMAF
  return PURE_RANDOM_NATIVE_FMAF(a, b, c);
#else
  return static_cast<float>(add_round_to_odd(static_cast<double>(a) * static_cast<double>(b), static_cast<double>(c)));
#endif
}
#undef PURE_RANDOM_NATIVE_FMA
#undef PURE_RANDOM_NATIVE_FMAF
}  // namespace detail

/// Uniform in [lo, hi) at element index i (as jax.random.uniform; T = float or double).
/// Computed as max(lo, fma(u, hi - lo, lo)) with u in [0, 1): XLA fuses jax's
/// multiply-add, so this is what JAX returns on CPUs and GPUs with FMA.
namespace detail {
/// uniform_at's map of a unit draw u in [0, 1) onto [lo, hi). kLoIsZero promises
/// lo == 0 (either sign) at compile time, so a sampler loop has no run-time choice left.
template <class T, bool kLoIsZero = false>
KOKKOS_FORCEINLINE_FUNCTION T scale_unit(T u, T lo, T hi) {
  // fma(u, s, 0) is the plain product: the default [0, 1) skips the emulation.
  const T v = (kLoIsZero || lo == T(0)) ? u * (hi - lo) : fma_exact(u, hi - lo, lo);
  return v > lo ? v : lo;  // jax: max(lo, ...), guards rounding below lo
}
}  // namespace detail

template <class T, class K, detail::EnableIfKey<K> = 0>
KOKKOS_FORCEINLINE_FUNCTION T uniform_at(const K& key, std::uint64_t i, T lo = T(0), T hi = T(1)) {
  return detail::scale_unit<T>(detail::unit_at<T>(key, i), lo, hi);
}

/// Standard normal at element index i (as jax.random.normal: sqrt(2) * erfinv(u),
/// u uniform in (-1, 1)); bitwise the same on every backend.
template <class T, class K, detail::EnableIfKey<K> = 0>
KOKKOS_FORCEINLINE_FUNCTION T normal_at(const K& key, std::uint64_t i) {
  // jax draws u = uniform(lo = nextafter(-1, 0), hi = 1): the open interval keeps
  // erfinv finite. That is max(lo, fma(unit, hi - lo, lo)) as in uniform_at, where
  // hi - lo = 2 - ulp(1)/2 rounds to 2 (a tie, to even), so the product is
  // exact and the fma is one rounded addition: the same bits without the emulation.
  const T lo = static_cast<T>(-1) + (sizeof(T) == 4 ? T(5.9604644775390625e-08) : T(1.1102230246251565e-16));
  const T v = T(2) * detail::unit_at<T>(key, i) + lo;
  const T u = v > lo ? v : lo;
  return static_cast<T>(1.4142135623730951) * pure::math::erfinv(u);
}

namespace detail {
/// The next representable value above (up = true) or below x, as std::nextafter
/// towards +-inf; NaN stays NaN, and +-inf stays put when moving outwards.
template <class T>
KOKKOS_INLINE_FUNCTION T next_float(T x, bool up) {
  using Bits = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
  constexpr Bits magnitude = ~Bits(0) >> 1;
  constexpr Bits infinity = sizeof(T) == 4 ? Bits(0x7F800000u) : Bits(0x7FF0000000000000ull);
  if (x != x) return x;
  if (x == T(0)) {
    const T smallest = pure::detail::bit_cast<T>(Bits(1));  // the smallest subnormal
    return up ? smallest : -smallest;
  }
  Bits b = pure::detail::bit_cast<Bits>(x);
  const bool away = (x > T(0)) == up;  // away from zero: the magnitude grows
  if (away && (b & magnitude) == infinity) return x;
  b = away ? Bits(b + 1u) : Bits(b - 1u);
  return pure::detail::bit_cast<T>(b);
}

/// Smallest positive normal number of T (numpy's finfo(T).tiny).
template <class T>
KOKKOS_INLINE_FUNCTION constexpr T tiny() {
  return sizeof(T) == 4 ? static_cast<T>(1.1754943508222875e-38) : static_cast<T>(2.2250738585072014e-308);
}

/// truncated_normal_at with the bounds' images a = erf(lower/sqrt2), b = erf(upper/sqrt2)
/// and the clip bounds precomputed (the host sampler computes them once).
template <class T, class K>
KOKKOS_FORCEINLINE_FUNCTION T truncated_normal_from(const K& key, std::uint64_t i, T a, T b, T clip_lo, T clip_hi) {
  const T u = uniform_at<T>(key, i, a, b);
  const T out = static_cast<T>(1.4142135623730951) * pure::math::erfinv(u);
  const T lo_clipped = out > clip_lo ? out : clip_lo;  // jnp.clip: min(max(out, lo), hi)
  return lo_clipped < clip_hi ? lo_clipped : clip_hi;
}

/// x % m with XLA's convention x % 0 == x (jax's randint relies on it for a
/// span that wrapped to 0).
template <class U>
KOKKOS_INLINE_FUNCTION U rem0(U x, U m) {
  return m == 0 ? x : static_cast<U>(x % m);
}

/// Random bits of T's width for randint (jax draws nbits per value).
template <class U, class K>
KOKKOS_INLINE_FUNCTION U uint_bits_at(const K& key, std::uint64_t i) {
  static_assert(std::is_same<U, std::uint32_t>::value || std::is_same<U, std::uint64_t>::value,
                "U must be uint32 or uint64");
  if constexpr (std::is_same<U, std::uint32_t>::value) {
    return bits_at(key, i);
  } else {
    return bits64_at(key, i);
  }
}

template <class T>
struct UnsignedOf;
template <>
struct UnsignedOf<std::int32_t> {
  using type = std::uint32_t;
};
template <>
struct UnsignedOf<std::uint32_t> {
  using type = std::uint32_t;
};
template <>
struct UnsignedOf<std::int64_t> {
  using type = std::uint64_t;
};
template <>
struct UnsignedOf<std::uint64_t> {
  using type = std::uint64_t;
};

/// randint with the span already known (span 0 stands for the full 2^nbits range):
/// jax's _randint, which splits the key into (k1, k2), draws nbits from each and
/// folds the 2*nbits-bit number into [0, span) with modular arithmetic. The
/// multiplier (2^(nbits/2) % span)^2 is computed in nbits unsigned arithmetic
/// and wraps exactly as jax's does (it is 0 for spans above 2^(nbits/2)).
template <class T, class K>
KOKKOS_INLINE_FUNCTION T randint_span_at(const K& key, std::uint64_t i, T minval, typename UnsignedOf<T>::type span) {
  using U = typename UnsignedOf<T>::type;
  const U higher = uint_bits_at<U>(split_at(key, 0), i);
  const U lower = uint_bits_at<U>(split_at(key, 1), i);
  U multiplier = rem0<U>(static_cast<U>(U(1) << (sizeof(U) * 4)), span);
  multiplier = rem0<U>(static_cast<U>(multiplier * multiplier), span);
  const U offset = rem0<U>(static_cast<U>(rem0<U>(higher, span) * multiplier + rem0<U>(lower, span)), span);
  return static_cast<T>(static_cast<U>(static_cast<U>(minval) + offset));
}
}  // namespace detail

/// Exponential with rate 1 at element index i (as jax.random.exponential:
/// -log1p(-u), u = uniform_at<T>(key, i)). T = float or double.
template <class T, class K, detail::EnableIfKey<K> = 0>
KOKKOS_FORCEINLINE_FUNCTION T exponential_at(const K& key, std::uint64_t i) {
  // The same value as -log1p(-u) (float: checked at all 2^23 possible u by
  // tests/core/test_math.cpp), without branches, so sampler loops vectorise.
  return pure::math::detail::neg_log1p_neg(uniform_at<T>(key, i));
}

/// Standard normal truncated to (lower, upper) at element index i (as
/// jax.random.truncated_normal: inverse CDF of a uniform in [erf(lower/sqrt2),
/// erf(upper/sqrt2)), then clipped into the open interval). Needs lower < upper.
template <class T, class K, detail::EnableIfKey<K> = 0>
KOKKOS_INLINE_FUNCTION T truncated_normal_at(const K& key, std::uint64_t i, T lower, T upper) {
  const T sqrt2 = static_cast<T>(1.4142135623730951);
  return detail::truncated_normal_from<T>(key, i, pure::math::erf(lower / sqrt2), pure::math::erf(upper / sqrt2),
                                          detail::next_float(lower, true), detail::next_float(upper, false));
}

/// true with probability p at element index i (as jax.random.bernoulli:
/// uniform_at<T>(key, i) < p; jax's default 32-bit mode uses T = float).
template <class T = float, class K = Key, detail::EnableIfKey<K> = 0>
KOKKOS_FORCEINLINE_FUNCTION bool bernoulli_at(const K& key, std::uint64_t i, T p) {
  return uniform_at<T>(key, i) < p;
}

/// Integer in [minval, maxval) at element index i (as jax.random.randint with
/// dtype T = int32, uint32, int64 or uint64; maxval <= minval gives minval).
/// Uses split_at(key, 0) and split_at(key, 1): the host sampler consumes the whole key.
template <class T, class K, detail::EnableIfKey<K> = 0>
KOKKOS_INLINE_FUNCTION T randint_at(const K& key, std::uint64_t i, T minval, T maxval) {
  using U = typename detail::UnsignedOf<T>::type;
  const U span = maxval <= minval ? U(1) : static_cast<U>(static_cast<U>(maxval) - static_cast<U>(minval));
  return detail::randint_span_at<T>(key, i, minval, span);
}

/// Standard Gumbel at element index i (as jax.random.gumbel, mode "low":
/// -log(-log(u)), u uniform in [tiny, 1)).
template <class T, class K, detail::EnableIfKey<K> = 0>
KOKKOS_INLINE_FUNCTION T gumbel_at(const K& key, std::uint64_t i) {
  const T u = uniform_at<T>(key, i, detail::tiny<T>(), T(1));
  return -pure::math::log(-pure::math::log(u));
}

/// Gamma(alpha, 1) from one key, as jax's _gamma_one: Marsaglia and Tsang,
/// "A simple method for generating gamma variables" (ACM TOMS 26(3), 2000),
/// with alpha < 1 boosted to alpha + 1 and scaled by U^(1/alpha). Every split,
/// draw and operation is in jax's order, so the loops consume the same keys.
template <class T, class K>
KOKKOS_INLINE_FUNCTION T gamma_one(K key, T alpha) {
  const T one = 1;
  const T third = static_cast<T>(1.0 / 3.0);
  const T squeeze = static_cast<T>(0.0331);
  const bool boost_mask = alpha >= one;
  const T alpha_orig = alpha;
  if (!boost_mask) alpha = alpha + one;
  const T d = alpha - third;
  const T c = third / pure::math::sqrt(d);

  const K subkey = split_at(key, 1);  // key, subkey = split(key)
  key = split_at(key, 0);
  T X = 0, V = 1, U = 2;  // makes the loop condition true on entry
  while (U >= one - squeeze * (X * X) &&
         pure::math::log(U) >= X * static_cast<T>(0.5) + d * ((one - V) + pure::math::log(V))) {
    const K x_key = split_at(key, 1);  // key, x_key, U_key = split(key, 3)
    const K u_key = split_at(key, 2);
    key = split_at(key, 0);
    K kx = x_key;
    T x = 0, v = -one;
    while (v <= T(0)) {
      const K sub = split_at(kx, 1);  // kx, sub = split(kx)
      kx = split_at(kx, 0);
      x = normal_at<T>(sub, 0);
      v = detail::fma_exact(x, c, one);  // XLA contracts jax's 1 + x * c
    }
    X = x * x;
    V = (v * v) * v;
    U = uniform_at<T>(u_key, 0);
  }
  const T samples = one - uniform_at<T>(subkey, 0);
  const T boost = boost_mask ? one : pure::math::pow(samples, one / alpha_orig);
  return (d * V) * boost;
}

/// Gamma(a, 1) at element index i (as jax.random.gamma: element i uses the key
/// split(key, n)[i] = split_at(key, i)). Needs a > 0; the loop is a rejection
/// sampler, so the cost per element varies (about 1.05 rounds on average).
template <class T, class K, detail::EnableIfKey<K> = 0>
KOKKOS_INLINE_FUNCTION T gamma_at(const K& key, std::uint64_t i, T a) {
  return gamma_one<T>(split_at(key, i), a);
}

}  // namespace pure::random
