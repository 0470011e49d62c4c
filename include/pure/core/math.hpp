// Reproducible math: transcendental functions built only from +, -, *, / and
// sqrt (all correctly rounded by IEEE 754 on every backend), integer and bit
// operations, so the same input gives the same bits on Serial, OpenMP, CUDA and
// HIP. The library's reproducible paths (random samplers) call these instead of
// the backend's libm, whose results differ between vendors.
//
// Bitwise agreement across backends needs the caller's kernels compiled without
// FMA contraction (pure::pure carries -ffp-contract=off; CUDA builds need
// --fmad=false) and without fast-math or flush-to-zero.
//
// Accuracy: the largest error seen by tests/core/test_math.cpp (dense sweeps of
// each domain, subnormals included, plus seeded random inputs, against long
// double libm, scipy and mpmath-checked values); the tests assert these bounds.
//
//   double  log 0.74 ulp, log1p 0.77, exp 0.60 (subnormal results rounded once),
//           expm1 0.59, pow 0.62 (x > 0, |y log x| up to 745), erf 0.78 (fdlibm),
//           tanh 2.23 (from expm1), logistic 2.25; exp, expm1, tanh, logistic,
//           log, log1p branch-free (every path computed, one selected, so
//           loops vectorise; GPU threads branch in exp and expm1; the same
//           bits either way); erf branches, detail::erf_branch_free is the
//           same function without branches for the elementwise loops. Branch-free code here avoids && between
//           comparisons and one chained ?: of constants: GCC turns both into
//           control flow, and the loop stays scalar.
//   float   pow, erf: computed in double, rounded once (0.5 ulp measured;
//           at most 0.5 + 2^-28 by construction); log, log1p
//           (log_positive_normal) and exp, expm1, logistic, tanh
//           (exp_branch_free): branch-free in double, so loops vectorise;
//           within 0.5 ulp at every 1024th float of their
//           range (the test's sweep; a one-off sweep of every 64th float of
//           tanh, exp and logistic found only 61 logistic results near 0.5
//           not the nearest float, each exactly 0.5 ulp off)
//   erfinv  XLA's formulas, as JAX: about 3.5 ulp (double) and 2.3 ulp (float)
//           (branch-free on CPUs, every range evaluated and one selected,
//           so that sampler loops vectorise; GPU threads branch)
//           plus, near +-1, the effect of rounding x*x, the same as moving x by
//           up to |x| * 2^-54 (double) or 2^-25 (float); float values equal
//           JAX's bitwise for 94% of inputs and are within 2 ulp for all.
//
#pragma once

#include <cstdint>
#include <type_traits>

#include <Kokkos_Core.hpp>

namespace pure::detail {

/// The bytes of `from` reinterpreted as a `To` (C++20's std::bit_cast), usable
/// in device code: `bit_cast<std::uint32_t>(1.0f) == 0x3F800000u`.
template <class To, class From>
KOKKOS_INLINE_FUNCTION To bit_cast(const From& from) noexcept {
  static_assert(sizeof(To) == sizeof(From), "pure::detail::bit_cast: sizes differ");
  static_assert(std::is_trivially_copyable_v<To> && std::is_trivially_copyable_v<From>,
                "pure::detail::bit_cast: types must be trivially copyable");
#if KOKKOS_VERSION >= 40100
  return Kokkos::bit_cast<To>(from);
#else
  To to;
  __builtin_memcpy(&to, &from, sizeof(To));
  return to;
#endif
}

}  // namespace pure::detail

namespace pure::math {

/// Correctly rounded square root (IEEE 754 requires it of every backend).
KOKKOS_INLINE_FUNCTION double sqrt(double x) {
#if KOKKOS_VERSION >= 30700
  return Kokkos::sqrt(x);
#else
  return Kokkos::Experimental::sqrt(x);
#endif
}
KOKKOS_INLINE_FUNCTION float sqrt(float x) {
#if KOKKOS_VERSION >= 30700
  return Kokkos::sqrt(x);
#else
  return Kokkos::Experimental::sqrt(x);
#endif
}

namespace detail {

KOKKOS_INLINE_FUNCTION std::uint64_t to_bits(double x) { return pure::detail::bit_cast<std::uint64_t>(x); }
KOKKOS_INLINE_FUNCTION double from_bits(std::uint64_t b) { return pure::detail::bit_cast<double>(b); }
KOKKOS_INLINE_FUNCTION double inf() { return from_bits(0x7ff0000000000000ull); }
KOKKOS_INLINE_FUNCTION double nan() { return from_bits(0x7ff8000000000000ull); }
KOKKOS_INLINE_FUNCTION double abs(double x) { return from_bits(to_bits(x) & 0x7fffffffffffffffull); }
/// 2^k for -1022 <= k <= 1023, built from its bits.
KOKKOS_INLINE_FUNCTION double pow2(int k) { return from_bits(static_cast<std::uint64_t>(k + 1023) << 52); }

/// c0 + x*(c1 + x*(c2 + ...)): one fixed evaluation order for every backend.
template <class T>
KOKKOS_INLINE_FUNCTION T horner(T, T c) {
  return c;
}
template <class T, class... Cs>
KOKKOS_INLINE_FUNCTION T horner(T x, T c0, Cs... cs) {
  return c0 + x * horner(x, cs...);
}

// Error-free transformations (Knuth's TwoSum, Dekker's FastTwoSum and product
// with Veltkamp's split). They need every operation rounded on its own: no FMA
// contraction, which the library's compile flags guarantee.
struct DD {
  double hi, lo;
};
KOKKOS_INLINE_FUNCTION DD two_sum(double a, double b) {
  const double s = a + b;
  const double bb = s - a;
  return {s, (a - (s - bb)) + (b - bb)};
}
/// Needs |a| >= |b| (or a == 0).
KOKKOS_INLINE_FUNCTION DD fast_two_sum(double a, double b) {
  const double s = a + b;
  return {s, b - (s - a)};
}
/// Needs |a|, |b| < 2^995 so that the split does not overflow.
KOKKOS_INLINE_FUNCTION DD two_prod(double a, double b) {
  constexpr double kSplit = 0x1p27 + 1.0;
  const double ta = kSplit * a, tb = kSplit * b;
  const double ah = ta - (ta - a), bh = tb - (tb - b);
  const double al = a - ah, bl = b - bh;
  const double p = a * b;
  return {p, ((ah * bh - p) + ah * bl + al * bh) + al * bl};
}

// ln 2 split so that k * kLn2Hi is exact for |k| < 2^20 (Cody & Waite); the two
// parts together carry ln 2 to about 2^-85.
constexpr double kLn2Hi = 0x1.62e42feep-1;
constexpr double kLn2Lo = 0x1.a39ef35793c76p-33;
constexpr double kInvLn2 = 0x1.71547652b82fep0;
// exp(x) overflows above kExpMax and rounds to 0 below kExpMin (fdlibm's thresholds).
constexpr double kExpMax = 0x1.62e42fefa39efp9;   // 709.78...
constexpr double kExpMin = -0x1.74910d52d3051p9;  // -745.13...

/// Writes finite x > 0 as 2^k * (1 + f) with sqrt(1/2) < 1 + f < sqrt(2); f is exact.
KOKKOS_INLINE_FUNCTION double log_reduce(double x, int& k) {
  std::uint64_t b = to_bits(x);
  k = 0;
  if (b < 0x0010000000000000ull) {  // subnormal: scale into the normal range
    b = to_bits(x * 0x1p54);
    k = -54;
  }
  k += static_cast<int>(b >> 52) - 1023;
  double m = from_bits((b & 0x000fffffffffffffull) | 0x3ff0000000000000ull);
  if (m > 0x1.6a09e667f3bccp0) {
    m *= 0.5;
    ++k;
  }
  return m - 1.0;
}

/// The tail of 2*atanh(s) = log(1+f), s = f/(2+f), z = s^2:
/// 2*atanh(s) = 2s + s^3 * (2/3 + z*(2/5 + z*(2/7 + ...))). This is the part
/// from 2/7 on, up to 2/27; |s| < 0.1716 puts the first dropped term, 2 z^14 / 29,
/// below 2^-70 relative to log(1+f).
KOKKOS_INLINE_FUNCTION double atanh_series7(double z) {
  return horner(z, 2.0 / 7, 2.0 / 9, 2.0 / 11, 2.0 / 13, 2.0 / 15, 2.0 / 17, 2.0 / 19, 2.0 / 21, 2.0 / 23, 2.0 / 25,
                2.0 / 27);
}

/// k*ln2 + log(1+f) + c for the reduced f. As in fdlibm's log, with s = f/(2+f),
/// z = s^2 and r = z*(2/3 + z*(2/5 + ...)): log(1+f) = 2s + s*r
/// = f - (f^2/2 - s*(f^2/2 + r)), so the exact f carries the bulk. k*ln2_hi + f
/// is summed exactly too, leaving only the small correction to round before the
/// final addition.
KOKKOS_FORCEINLINE_FUNCTION double log_finish(double k, double f, double c) {
  const double hfsq = 0.5 * f * f;
  const double s = f / (2.0 + f);
  const double z = s * s;
  const double r = z * (2.0 / 3 + z * (2.0 / 5 + z * atanh_series7(z)));
  const DD a = two_sum(k * kLn2Hi, f);
  return a.hi + (a.lo - (hfsq - (s * (hfsq + r) + (k * kLn2Lo + c))));
}

/// The biased exponent field of a double's bits (sign bit clear) as an exact
/// double, by the 2^52 trick instead of an integer conversion (AVX2 has no
/// 64-bit integer to double instruction, so the conversion would stop loops
/// from vectorising).
KOKKOS_FORCEINLINE_FUNCTION double biased_exponent(std::uint64_t bits) {
  return from_bits(0x4330000000000000ull | (bits >> 52)) - 0x1p52;
}

/// log_reduce without branches, for finite x > 0: the same k (as a double)
/// and the same f, so that log_finish gives the same bits.
struct LogReduced {
  double k, f;
};
KOKKOS_FORCEINLINE_FUNCTION LogReduced log_reduce_branch_free(double x) {
  const bool subnormal = x < 0x1p-1022;
  const std::uint64_t b = to_bits(subnormal ? x * 0x1p54 : x);
  const double m = from_bits((b & 0x000fffffffffffffull) | 0x3ff0000000000000ull);
  const bool halve = m > 0x1.6a09e667f3bccp0;
  const double k = biased_exponent(b) - 1023.0 + (halve ? 1.0 : 0.0) - (subnormal ? 54.0 : 0.0);
  return {k, (halve ? m * 0.5 : m) - 1.0};
}

KOKKOS_INLINE_FUNCTION DD dd_add(DD a, DD b) {
  const DD s = two_sum(a.hi, b.hi);
  return fast_two_sum(s.hi, s.lo + (a.lo + b.lo));
}
KOKKOS_INLINE_FUNCTION DD dd_mul(DD a, DD b) {
  const DD p = two_prod(a.hi, b.hi);
  return fast_two_sum(p.hi, p.lo + (a.hi * b.lo + a.lo * b.hi));
}

/// log(x) as hi + lo with a relative error below 2^-68 (finite x > 0), so that
/// pow keeps < 1 ulp even when |y log x| is near 745.
KOKKOS_INLINE_FUNCTION DD log_dd(double x) {
  int k;
  const double f = log_reduce(x, k);
  // s = f / (2 + f) as a double-double.
  const double d = 2.0 + f;
  const double dl = f - (d - 2.0);
  const double sh = f / d;
  const DD p = two_prod(sh, d);
  const DD s = fast_two_sum(sh, (((f - p.hi) - p.lo) - sh * dl) / d);
  // 2*atanh(s) = 2s + s^3 * (2/3 + z*(2/5 + z*T(z))): the first two Horner
  // steps in double-double, the rest (< 1.3% of the s^3 term) in double.
  constexpr DD kTwoThirds = {0x1.5555555555555p-1, 0x1.5555555555555p-55};
  constexpr DD kTwoFifths = {0x1.999999999999ap-2, -0x1.999999999999ap-56};
  const DD z = dd_mul(s, s);
  const DD b = dd_add(kTwoFifths, DD{z.hi * atanh_series7(z.hi), 0.0});
  const DD a = dd_add(kTwoThirds, dd_mul(z, b));
  const DD t = dd_mul(dd_mul(s, z), a);
  const double dk = k;
  const DD u = two_sum(dk * kLn2Hi, 2.0 * s.hi);
  const DD v = two_sum(u.hi, t.hi);
  return fast_two_sum(v.hi, u.lo + v.lo + (dk * kLn2Lo + (2.0 * s.lo + t.lo)));
}

/// Reduced argument of exp: x + xlo = k*ln2 + r + c, |r| <= ln2/2 (+ rounding), c tiny.
struct ExpReduced {
  int k;
  double r, c;
};
KOKKOS_FORCEINLINE_FUNCTION ExpReduced exp_reduce(double x, double xlo) {
  const int k = static_cast<int>(x * kInvLn2 + (x < 0.0 ? -0.5 : 0.5));
  const double dk = k;
  const double hi = x - dk * kLn2Hi;  // exact (Cody & Waite)
  const DD r = two_sum(hi, xlo - dk * kLn2Lo);
  return {k, r.hi, r.lo};
}

/// (e^r - 1 - r - r^2/2) / r^3 for |r| <= 0.35: Taylor terms 1/3! ... 1/14!;
/// the first dropped term is below 2^-62 relative to e^r - 1.
KOKKOS_FORCEINLINE_FUNCTION double exp_series3(double r) {
  return horner(r, 1.0 / 6, 1.0 / 24, 1.0 / 120, 1.0 / 720, 1.0 / 5040, 1.0 / 40320, 1.0 / 362880, 1.0 / 3628800,
                1.0 / 39916800, 1.0 / 479001600, 1.0 / 6227020800.0, 1.0 / 87178291200.0);
}

/// e^r - 1 - r as hi + lo: r^2/2 exact, the rest rounded. Used where the result
/// cancels (expm1), so that the large r^2/2 term carries no rounding error.
KOKKOS_FORCEINLINE_FUNCTION DD expm1_tail_dd(double r) {
  const DD r2 = two_prod(r, r);
  return {0.5 * r2.hi, 0.5 * r2.lo + r2.hi * r * exp_series3(r)};
}

/// (hi + lo) * 2^k for -1075 <= k <= 1024 (|lo| < ulp(hi), 0.7 < hi < 1.5),
/// rounded once also when the result is subnormal: there the result is an
/// integer multiple of 2^-1074, so hi + lo is scaled to that unit and rounded to
/// an integer in one step, instead of rounding to 53 bits first and again when
/// scaling into the subnormals. Every case is computed and one selected (no
/// branches), so loops over exp vectorise.
KOKKOS_FORCEINLINE_FUNCTION double scale(double hi, double lo, int k) {
  const double sum = hi + lo;
  const double overflowing = sum * 2.0 * 0x1p1023;  // k = 1024
  const double normal = sum * pow2(k > 1023 || k < -1021 ? 0 : k);
  // Subnormal: the result in units of 2^-1074 (< 2^53); doubles in [2^52, 2^53)
  // are the integers (one rounding), below that 2^52 + hs rounds hs to one.
  const double unit = pow2(k < -1021 ? k + 1074 : 0);
  const double hs = hi * unit, ls = lo * unit;
  const DD t = two_sum(0x1p52, hs);
  const double n = hs >= 0x1p52 ? hs + ls : (t.hi + (t.lo + ls)) - 0x1p52;
  return k > 1023 ? overflowing : (k >= -1021 ? normal : n * 0x1p-1074);
}

/// e^(x + xlo) for kExpMin <= x + xlo <= kExpMax, |xlo| <= ulp(x).
KOKKOS_FORCEINLINE_FUNCTION double exp_core(double x, double xlo) {
  const ExpReduced e = exp_reduce(x, xlo);
  // e^(r+c) = 1 + r + tail(r) + c*(1 + r) (dropping c^2/2 < 2^-100); 1 + r is
  // split exactly so that the result rounds once.
  const DD one_r = fast_two_sum(1.0, e.r);
  const double tail = e.r * e.r * (0.5 + e.r * exp_series3(e.r));
  return scale(one_r.hi, one_r.lo + (tail + (e.c + e.c * e.r)), e.k);
}

/// exp(x) for kExpMin <= x <= kExpMax: exp's value there without its checks
/// for NaN and overflow (for callers whose arguments are known to be in range).
KOKKOS_FORCEINLINE_FUNCTION double exp_in_range(double x) {
  // The core runs on a stand-in for tiny x (its value is not used there):
  // with x itself GCC moves the core into a branch, and the loop stays scalar.
  const bool tiny = abs(x) < 0x1p-54;
  const double core = exp_core(tiny ? 1.0 : x, 0.0);
  return tiny ? 1.0 + x : core;
}

/// log1p for finite x > -1, without branches (selects only), so that loops
/// over it vectorise: 1 + x >= 2^-53 is never subnormal, so log_reduce's
/// scaling is not needed.
KOKKOS_FORCEINLINE_FUNCTION double log1p_finite(double x) {
  const double u = 1.0 + x;
  const std::uint64_t b = to_bits(u);
  const double m0 = from_bits((b & 0x000fffffffffffffull) | 0x3ff0000000000000ull);
  const bool halve = m0 > 0x1.6a09e667f3bccp0;
  const double k = biased_exponent(b) - 1023.0 + (halve ? 1.0 : 0.0);
  const double m = halve ? m0 * 0.5 : m0;
  // k == 0: 1 + x is already in the reduced range, f = x is exact and u's
  // rounding is moot. Else 1 + x = u + err exactly (FastTwoSum), so
  // log(1 + x) = log(u) + err/u to 2^-106.
  const double err = x >= 1.0 ? 1.0 - (u - x) : x - (u - 1.0);
  const double f = k == 0.0 ? x : m - 1.0;
  const double c = k == 0.0 ? 0.0 : err / u;
  const double r = log_finish(k, f, c);
  return abs(x) < 0x1p-54 ? x : r;  // log1p(x) = x - x^2/2 rounds to x; keeps -0 and subnormals
}

}  // namespace detail

/// Natural logarithm. log(0) = -inf, log(x < 0) = NaN, log(inf) = inf.
/// Branch-free (the core runs on a stand-in where its result is not used), so
/// loops vectorise; the same operations as a branching version on the path
/// taken, so the same bits.
KOKKOS_FORCEINLINE_FUNCTION double log(double x) {
  const bool finite_positive = (x > 0.0) & (x < detail::inf());  // false for NaN
  const detail::LogReduced r = detail::log_reduce_branch_free(finite_positive ? x : 1.0);
  const double core = detail::log_finish(r.k, r.f, 0.0);
  const double special = x == 0.0 ? -detail::inf() : (x == detail::inf() ? x : detail::nan());
  return finite_positive ? core : special;
}

/// log(1 + x), accurate for small x. log1p(-1) = -inf, log1p(x < -1) = NaN.
/// Branch-free like log.
KOKKOS_FORCEINLINE_FUNCTION double log1p(double x) {
  // & rather than &&: GCC turns && into control flow here, which stops vectorising.
  const bool finite = (x > -1.0) & (x < detail::inf());  // false for NaN
  const double core = detail::log1p_finite(finite ? x : 0.0);
  const double special = x == -1.0 ? -detail::inf() : (x == detail::inf() ? x : detail::nan());
  return finite ? core : special;
}

/// e^x. Overflows to inf above 709.78, underflows through the subnormals to 0.
KOKKOS_FORCEINLINE_FUNCTION double exp(double x) {
  // Branch-free (every case computed, one selected), so loops vectorise; the
  // core runs on an in-range stand-in where its result is not used.
  const bool in_range = (x >= detail::kExpMin) & (x <= detail::kExpMax);  // false for NaN
  const double special = x != x ? x : (x > 0.0 ? detail::inf() : 0.0);
#if defined(__CUDA_ARCH__) || defined(__HIP_DEVICE_COMPILE__)
  // GPU threads branch (the same operations on the path taken: the same bits).
  if (!in_range) return special;
  if (detail::abs(x) < 0x1p-54) return 1.0 + x;
  return detail::exp_core(x, 0.0);
#else
  const double core = detail::exp_core(in_range ? x : 0.0, 0.0);
  return !in_range ? special : (detail::abs(x) < 0x1p-54 ? 1.0 + x : core);
#endif
}

/// e^x - 1, accurate for small x. Branch-free like exp: every path is
/// computed on an in-range stand-in and one is selected.
KOKKOS_FORCEINLINE_FUNCTION double expm1(double x) {
  const bool in_range = (x >= -38.0) & (x <= detail::kExpMax);  // false for NaN
  const double xs = in_range ? x : 0.0;
  const double ax = detail::abs(xs);
  // |x| <= ln2/2: x + tail(x), summed exactly before the last rounding.
  const detail::DD near_tail = detail::expm1_tail_dd(xs);
  const detail::DD near_sum = detail::two_sum(xs, near_tail.hi);
  const double near = near_sum.hi + (near_sum.lo + near_tail.lo);
  // Otherwise 2^k * (1 + r + tail(r) + c*(1 + r)) - 1: the large terms 2^k,
  // 2^k*r, -1 and 2^k*r^2/2 are summed exactly, so the cancellation for small k
  // costs nothing; for k > 56 the -1 is below half an ulp (exp_core).
  const detail::ExpReduced e = detail::exp_reduce(xs, 0.0);
  const double t = detail::pow2(e.k);
  const detail::DD tail = detail::expm1_tail_dd(e.r);
  const detail::DD a = detail::two_sum(t, t * e.r);
  const detail::DD b = detail::two_sum(a.hi, -1.0);
  const detail::DD d = detail::two_sum(b.hi, t * tail.hi);
  const double far = d.hi + ((a.lo + b.lo + d.lo) + t * (tail.lo + (e.c + e.c * e.r)));
#if defined(__CUDA_ARCH__) || defined(__HIP_DEVICE_COMPILE__)
  const double huge = e.k > 56 ? detail::exp_core(xs, 0.0) : 0.0;  // GPU threads skip it
#else
  const double huge = detail::exp_core(xs, 0.0);
#endif
  // e^x < 2^-54 below -38: -1 + e^x rounds to -1. Tiny |x|: x itself (keeps -0
  // and subnormals).
  const double special = x != x ? x : (x > 0.0 ? detail::inf() : -1.0);
  const double value = ax < 0x1p-54 ? xs : (ax <= 0x1.62e42fefa39efp-2 ? near : (e.k > 56 ? huge : far));
  return in_range ? value : special;
}

/// x^y for x >= 0, as e^(y log x) with log x and the product carried in
/// double-double, so that large |y log x| keeps full accuracy (< 1 ulp).
/// Special values as C's pow for x >= 0 (pow(x, 0) = pow(1, y) = 1, pow(0, y<0) =
/// inf, ...), except that -0 counts as +0; x < 0 gives NaN.
KOKKOS_INLINE_FUNCTION double pow(double x, double y) {
  if (y == 0.0 || x == 1.0) return 1.0;
  if (x != x || y != y || x < 0.0) return detail::nan();
  const double inf = detail::inf();
  if (x == 0.0) return y > 0.0 ? 0.0 : inf;
  if (x == inf) return y > 0.0 ? inf : 0.0;
  if (detail::abs(y) == inf) return (x > 1.0) == (y > 0.0) ? inf : 0.0;
  const detail::DD l = detail::log_dd(x);
  const double p = y * l.hi;
  if (p > 710.0) return inf;
  if (p < -746.0) return 0.0;
  // Now |y| < 2^63 (as |log x| >= 2^-53 for x != 1), so two_prod cannot overflow.
  detail::DD q = detail::two_prod(y, l.hi);
  q.lo += y * l.lo;
  const double sum = q.hi + q.lo;
  if (sum > detail::kExpMax) return inf;
  if (sum < detail::kExpMin) return 0.0;
  return detail::exp_core(q.hi, q.lo);
}

/// Error function, following fdlibm's s_erf.c (Sun Microsystems, 1993): rational
/// fits on |x| < 0.84375, < 1.25, < 1/0.35, < 6 (coefficients from there, as
/// exact hex values); erf(x) = +-1 beyond 6. It branches: one range's fit per
/// value, which is what scalar code (users' kernels, GPU threads) runs
/// fastest; loops over many values use detail::erf_branch_free (the same bits).
KOKKOS_INLINE_FUNCTION double erf(double x) {
  using detail::horner;
  if (x != x) return x;
  const double ax = detail::abs(x);
  if (ax < 0.84375) {
    if (ax < 0x1p-28) {
      constexpr double kEfx = 0x1.06eba8214db69p-3;  // 2/sqrt(pi) - 1
      // For tiny x the scaling by 8 keeps efx*x out of the subnormal range.
      if (ax < 0x1p-1015) return 0.125 * (8.0 * x + (8.0 * kEfx) * x);
      return x + kEfx * x;
    }
    const double z = x * x;
    const double p = horner(z, 0x1.06eba8214db68p-3, -0x1.4cd7d691cb913p-2, -0x1.d2a51dbd7194fp-6,
                            -0x1.7a291236668e4p-8, -0x1.8ead6120016acp-16);
    const double q = horner(z, 1.0, 0x1.97779cddadc09p-2, 0x1.0a54c5536cebap-4, 0x1.4d022c4d36b0fp-8,
                            0x1.15dc9221c1a10p-13, -0x1.09c4342a26120p-18);
    return x + x * (p / q);
  }
  double r;
  if (ax < 1.25) {
    // erf(1 + s) - erx, erx = erf(1) rounded to 24 bits.
    const double s = ax - 1.0;
    const double p = horner(s, -0x1.359b8bef77538p-9, 0x1.a8d00ad92b34dp-2, -0x1.7d240fbb8c3f1p-2, 0x1.45fca805120e4p-2,
                            -0x1.c63983d3e28ecp-4, 0x1.22a36599795ebp-5, -0x1.1bf380a96073fp-9);
    const double q = horner(s, 1.0, 0x1.b3e6618eee323p-4, 0x1.14af092eb6f33p-1, 0x1.2635cd99fe9a7p-4,
                            0x1.02660e763351fp-3, 0x1.bedc26b51dd1cp-7, 0x1.88b545735151dp-7);
    r = 0x1.b0ac160000000p-1 + p / q;
  } else if (ax >= 6.0) {
    r = 1.0;
  } else {
    // erfc(x) = exp(-x^2 - 0.5625 + R(1/x^2)/S(1/x^2)) / x.
    const double s = 1.0 / (ax * ax);
    double rr, ss;
    if (ax < 0x1.6db6ep1) {  // 1/0.35
      rr = horner(s, -0x1.43412600d6435p-7, -0x1.63416e4ba7360p-1, -0x1.51e0441b0e726p+3, -0x1.f300ae4cba38dp+5,
                  -0x1.44cb184282266p+7, -0x1.7135cebccabb2p+7, -0x1.4526557e4d2f2p+6, -0x1.3a0efc69ac25cp+3);
      ss = horner(s, 1.0, 0x1.3a6b9bd707687p+4, 0x1.1350c526ae721p+7, 0x1.b290dd58a1a71p+8, 0x1.42b1921ec2868p+9,
                  0x1.ad02157700314p+8, 0x1.b28a3ee48ae2cp+6, 0x1.a47ef8e484a93p+2, -0x1.eeff2ee749a62p-5);
    } else {
      rr = horner(s, -0x1.4341239e86f4ap-7, -0x1.993ba70c285dep-1, -0x1.1c209555f995ap+4, -0x1.4145d43c5ed98p+7,
                  -0x1.3ec881375f228p+9, -0x1.004616a2e5992p+10, -0x1.e384e9bdc383fp+8);
      ss = horner(s, 1.0, 0x1.e568b261d5190p+4, 0x1.45cae221b9f0ap+8, 0x1.802eb189d5118p+10, 0x1.8ffb7688c246ap+11,
                  0x1.3f219cedf3be6p+11, 0x1.da874e79fe763p+8, -0x1.670e242712d62p+4);
    }
    // -x^2 = -z^2 + (z - x)(z + x) with z = x cut to 21 bits, so z^2 is exact.
    const double z = detail::from_bits(detail::to_bits(ax) & 0xffffffff00000000ull);
    r = 1.0 - exp(-z * z - 0.5625) * exp((z - ax) * (z + ax) + rr / ss) / ax;
  }
  return x < 0.0 ? -r : r;
}

namespace detail {
/// erf without branches, the same bits as pure::math::erf (tested), for the
/// elementwise primitive's multi-versioned host loops, which it lets vectorise:
/// the four fits share one rational evaluation whose argument and coefficients
/// are selected per element (the shorter fits padded with trailing zero
/// coefficients, which leave Horner's sums exact: c + t*0 = c), and the erfc
/// part runs on a stand-in where it is not used. On the path fdlibm would take,
/// the operations are the same, so the bits are fdlibm's.
KOKKOS_FORCEINLINE_FUNCTION double erf_branch_free(double x) {
  const double ax = abs(x);  // NaN: every comparison below is false
  const bool central = ax < 0.84375;
  const bool near_one = ax < 1.25;
  const bool near_tail = ax < 0x1.6db6ep1;  // 1/0.35
  // One rational P(t)/Q(t): t = x^2 (central), |x| - 1 (near one), 1/x^2 (tails).
  const bool tails = (ax >= 1.25) & (ax < 6.0);  // & not &&: no control flow, so loops vectorise
  const double tail_ax = tails ? ax : 2.0;       // a stand-in off the tails
  const double t = central ? x * x : (near_one ? ax - 1.0 : 1.0 / (tail_ax * tail_ax));
  // One select per level, as separate statements: GCC turns one chained ?:
  // of constants into control flow, which does not vectorise.
  auto pick = [&](double c_central, double c_one, double c_near_tail, double c_far_tail) {
    double c = near_tail ? c_near_tail : c_far_tail;
    c = near_one ? c_one : c;
    return central ? c_central : c;
  };
  const double p =
      horner(t, pick(0x1.06eba8214db68p-3, -0x1.359b8bef77538p-9, -0x1.43412600d6435p-7, -0x1.4341239e86f4ap-7),
             pick(-0x1.4cd7d691cb913p-2, 0x1.a8d00ad92b34dp-2, -0x1.63416e4ba7360p-1, -0x1.993ba70c285dep-1),
             pick(-0x1.d2a51dbd7194fp-6, -0x1.7d240fbb8c3f1p-2, -0x1.51e0441b0e726p+3, -0x1.1c209555f995ap+4),
             pick(-0x1.7a291236668e4p-8, 0x1.45fca805120e4p-2, -0x1.f300ae4cba38dp+5, -0x1.4145d43c5ed98p+7),
             pick(-0x1.8ead6120016acp-16, -0x1.c63983d3e28ecp-4, -0x1.44cb184282266p+7, -0x1.3ec881375f228p+9),
             pick(0.0, 0x1.22a36599795ebp-5, -0x1.7135cebccabb2p+7, -0x1.004616a2e5992p+10),
             pick(0.0, -0x1.1bf380a96073fp-9, -0x1.4526557e4d2f2p+6, -0x1.e384e9bdc383fp+8),
             pick(0.0, 0.0, -0x1.3a0efc69ac25cp+3, 0.0));
  const double q =
      horner(t, 1.0, pick(0x1.97779cddadc09p-2, 0x1.b3e6618eee323p-4, 0x1.3a6b9bd707687p+4, 0x1.e568b261d5190p+4),
             pick(0x1.0a54c5536cebap-4, 0x1.14af092eb6f33p-1, 0x1.1350c526ae721p+7, 0x1.45cae221b9f0ap+8),
             pick(0x1.4d022c4d36b0fp-8, 0x1.2635cd99fe9a7p-4, 0x1.b290dd58a1a71p+8, 0x1.802eb189d5118p+10),
             pick(0x1.15dc9221c1a10p-13, 0x1.02660e763351fp-3, 0x1.42b1921ec2868p+9, 0x1.8ffb7688c246ap+11),
             pick(-0x1.09c4342a26120p-18, 0x1.bedc26b51dd1cp-7, 0x1.ad02157700314p+8, 0x1.3f219cedf3be6p+11),
             pick(0.0, 0x1.88b545735151dp-7, 0x1.b28a3ee48ae2cp+6, 0x1.da874e79fe763p+8),
             pick(0.0, 0.0, 0x1.a47ef8e484a93p+2, -0x1.670e242712d62p+4), pick(0.0, 0.0, -0x1.eeff2ee749a62p-5, 0.0));
  const double ratio = p / q;
  // |x| < 2^-28: x + (2/sqrt(pi) - 1) x; below 2^-1015 scaled by 8 so that
  // the product stays out of the subnormals.
  constexpr double kEfx = 0x1.06eba8214db69p-3;
  const double tiny = ax < 0x1p-1015 ? 0.125 * (8.0 * x + (8.0 * kEfx) * x) : x + kEfx * x;
  const double small = x + x * ratio;
  // Near one: erf(1 + s) - erx, erx = erf(1) rounded to 24 bits.
  const double one = 0x1.b0ac160000000p-1 + ratio;
  // Tails: erfc(x) = exp(-x^2 - 0.5625 + R/S) / x, with -x^2 = -z^2 + (z - x)(z + x)
  // for z = x cut to 21 bits, so that z^2 is exact.
  const double z = from_bits(to_bits(tail_ax) & 0xffffffff00000000ull);
  const double tail =
      1.0 - exp_in_range(-z * z - 0.5625) * exp_in_range((z - tail_ax) * (z + tail_ax) + ratio) / tail_ax;
  const double r = near_one ? one : (ax < 6.0 ? tail : 1.0);
  const double signed_r = x < 0.0 ? -r : r;
  return x != x ? x : (ax < 0x1p-28 ? tiny : (central ? small : signed_r));
}
/// The float version: computed in double and rounded once, as erf(float).
KOKKOS_FORCEINLINE_FUNCTION float erf_branch_free(float x) {
  return static_cast<float>(erf_branch_free(static_cast<double>(x)));
}
}  // namespace detail

namespace detail {
// Giles' double-precision erfinv fit (as XLA's f64 ErfInv), one function per
// range of w = -log(1 - x^2): w < 6.25, 6.25 <= w < 16 (of sqrt(w)), w >= 16.
KOKKOS_FORCEINLINE_FUNCTION double erfinv64_central(double w) {
  return horner(
      w - 3.125, 1.6536545626831027356, 0.24015818242558961693, -0.0060336708714301490533, -0.00074070253416626697512,
      0.0001867342080340571352, -1.3882523362786468719e-05, -1.3654692000834678645e-06, 4.2347877827932403518e-07,
      -2.9070369957882005086e-08, -4.1126339803469836976e-09, 1.051212273321532285e-09, -5.4154120542946279317e-11,
      -1.2975133253453532498e-11, 2.6335093153082322977e-12, -8.1519341976054721522e-14, -4.0545662729752068639e-14,
      6.6376381343583238325e-15, 2.0972767875968561637e-17, -1.333171662854620906e-16, 1.115787767802518096e-17,
      1.2858480715256400167e-18, -1.685059138182016589e-19, -3.6444120640178196996e-21);
}
KOKKOS_FORCEINLINE_FUNCTION double erfinv64_middle(double sqrt_w) {
  return horner(
      sqrt_w - 3.25, 3.0838856104922207635, 1.0052589676941592334, 0.005370914553590063617, -0.0037512085075692412107,
      0.0024914420961078508066, -0.0016882755560235047313, 0.00095328937973738049703, -0.0003550375203628474796,
      2.4031110387097893999e-05, 6.8284851459573175448e-05, -4.7318229009055733981e-05, 1.2475304481671778723e-05,
      2.9234449089955446044e-06, -4.013867526981545969e-06, 1.5027403968909827627e-06, 1.8239629214389227755e-08,
      -2.7517406297064545428e-07, 9.0756561938885390979e-08, 2.2137376921775787049e-09);
}
KOKKOS_FORCEINLINE_FUNCTION double erfinv64_tail(double sqrt_w) {
  return horner(sqrt_w - 5.0, 4.8499064014085844221, 1.0103004648645343977, -0.00013871931833623122026,
                -0.00021503011930044477347, 7.5995277030017761139e-05, -1.9681778105531670567e-05,
                4.5260625972231537039e-06, -9.9298272942317002539e-07, 2.2900482228026654717e-07,
                -6.7711997758452339498e-08, 2.9147953450901080826e-08, -1.4960026627149240478e-08,
                7.6157012080783393804e-09, -3.7894654401267369937e-09, 1.5076572693500548083e-09,
                -2.5556418169965252055e-10, -2.7109920616438573243e-11);
}

/// -log1p(-t) for t in [0, 1): erfinv's w and the exponential sampler's value.
KOKKOS_FORCEINLINE_FUNCTION double neg_log1p_neg(double t) { return -log1p_finite(-t); }
}  // namespace detail

/// Inverse error function on [-1, 1] (XLA's f64 ErfInv, Giles' double-precision
/// fit "Approximating the erfinv function", GPU Computing Gems, 2011, in three
/// ranges of w = -log(1 - x^2)). erfinv(+-1) = +-inf, NaN outside [-1, 1]. Same
/// formula, order and special cases as jax.scipy.special.erfinv for float64, so
/// it agrees with JAX to the accuracy of log1p.
KOKKOS_FORCEINLINE_FUNCTION double erfinv(double x) {
  const double t = x * x;
  // |x| >= 1 and NaN are answered below; evaluating at t = 0 instead keeps
  // 0/0 and sqrt of a negative (FE_INVALID, errno) out of the computation.
  const double w = detail::neg_log1p_neg(t < 1.0 ? t : 0.0);
#if defined(__CUDA_ARCH__) || defined(__HIP_DEVICE_COMPILE__)
  // GPU threads branch: a warp almost never leaves the central range.
  const double p = w < 6.25 ? detail::erfinv64_central(w)
                            : (w < 16.0 ? detail::erfinv64_middle(sqrt(w)) : detail::erfinv64_tail(sqrt(w)));
#else
  // CPUs evaluate every range and select, so sampler loops vectorise.
  const double sqrt_w = sqrt(w);
  const double central = detail::erfinv64_central(w);
  const double middle = detail::erfinv64_middle(sqrt_w);
  const double tail = detail::erfinv64_tail(sqrt_w);
  const double p = w < 6.25 ? central : (w < 16.0 ? middle : tail);
#endif
  // XLA: erfinv(+-1) = x * inf; the polynomial is meaningless there.
  return t < 1.0 ? p * x : (t == 1.0 ? x * detail::inf() : detail::nan());  // NaN x: NaN
}

namespace detail {
/// e^y for y in [-700, 700] or NaN, without branches: 2^k * p(r), k = round(y /
/// ln2) by the 1.5 * 2^52 shift (no float-to-int conversion, so NaN is
/// harmless), r = y - k ln2 in [-ln2/2, ln2/2] (fdlibm's ln2 split in hi + lo),
/// p the degree-11 Taylor polynomial. Relative error below 1e-14: for float
/// results, rounded once from this, that is correct rounding except within
/// about 2^-30 of a rounding boundary. Loops over it vectorise.
///
/// p is evaluated in Estrin's order (pairs, then r^2, then r^4), not Horner's:
/// the dependency chain is 6 operations deep instead of 22, which is what
/// bounded the vectorised loops (bench_ops `ew/lax/tanh_f32` at -O3: 201 ->
/// 157 µs at 2^16 on Zen 3, docs/benchmarks.md). The float results did not change: identical for every 16th float
/// of exp's and logistic's range (140M values) and for all but one of 69M
/// tanh inputs, which moved by half an ulp at a rounding tie.
KOKKOS_FORCEINLINE_FUNCTION double exp_branch_free(double y) {
  const double shifted = y * 1.4426950408889634 + 0x1.8p52;
  const double k = shifted - 0x1.8p52;
  const double r = (y - k * 6.93147180369123816490e-01) - k * 1.90821492927058770002e-10;
  const double r2 = r * r, r4 = r2 * r2;
  const double p01 = 1.0 + r, p23 = 1.0 / 2 + r * (1.0 / 6), p45 = 1.0 / 24 + r * (1.0 / 120);
  const double p67 = 1.0 / 720 + r * (1.0 / 5040), p89 = 1.0 / 40320 + r * (1.0 / 362880);
  const double p1011 = 1.0 / 3628800 + r * (1.0 / 39916800);
  const double p = (p01 + r2 * p23) + r4 * ((p45 + r2 * p67) + r4 * (p89 + r2 * p1011));
  // The low bits of `shifted` are 2^51 + k; 2^k is built from k's exponent bits.
  const std::uint64_t k_plus_bias = (to_bits(shifted) & 0xFFFFFFFFFFFFFull) - 0x8000000000000ull + 1023u;
  return p * from_bits(k_plus_bias << 52);
}

/// log(y) for a positive normal double y, without branches (so loops over it
/// vectorise): fdlibm's reduction y = 2^k * m with sqrt(1/2) <= m < sqrt(2)
/// done on the bits, then log(m) = f - (f^2/2 - s (f^2/2 + R(s^2))), s = f/(2+f),
/// f = m - 1, with R the series 2/3 z + ... + 2/15 z^7 (z = s^2). Within about
/// 2^-45 relative: meant for float results (rounded once, correctly except
/// within 2^-45 of a rounding boundary), not as a double log.
KOKKOS_FORCEINLINE_FUNCTION double log_positive_normal(double y) {
  // Offsetting the bits by sqrt(1/2) puts the exponent step at m = sqrt(1/2);
  // the 1024 << 52 bias keeps the difference unsigned for every normal y.
  const std::uint64_t b = to_bits(y);
  const std::uint64_t biased_k = (b + (std::uint64_t{1024} << 52) - 0x3fe6a09e667f3bcdull) >> 52;  // k + 1024
  const double m = from_bits(b - ((biased_k - 1024u) << 52));  // unsigned wraparound: b - k * 2^52
  const double k = from_bits(0x4330000000000000ull | biased_k) - (0x1p52 + 1024.0);  // exact int -> double
  const double f = m - 1.0;
  const double s = f / (2.0 + f);
  const double z = s * s;
  const double r = z * horner(z, 2.0 / 3, 2.0 / 5, 2.0 / 7, 2.0 / 9, 2.0 / 11, 2.0 / 13, 2.0 / 15);
  const double hfsq = 0.5 * f * f;
  return k * 0x1.62e42fefa39efp-1 + (f - (hfsq - s * (hfsq + r)));
}

/// y clamped to [lo, hi], NaN kept (for exp_branch_free's domain).
KOKKOS_FORCEINLINE_FUNCTION double clamp_keep_nan(double y, double lo, double hi) {
  return y < lo ? lo : (y > hi ? hi : y);
}
}  // namespace detail

// Single precision: computed in double and rounded once (< 0.501 ulp), except
// erfinv, which must follow XLA's f32 algorithm to match jax.random.normal.

/// log, float, without branches: detail::log_positive_normal of x (every
/// positive finite float is a normal double), the special values selected:
/// log(+-0) = -inf, log(inf) = inf, NaN for x < 0 and NaN.
KOKKOS_INLINE_FUNCTION float log(float x) {
  const double d = static_cast<double>(x);
  const bool finite_positive = (d > 0.0) & (d < detail::inf());
  const double core = detail::log_positive_normal(finite_positive ? d : 1.0);
  const double special = d == 0.0 ? -detail::inf() : (d == detail::inf() ? d : detail::nan());
  return static_cast<float>(finite_positive ? core : special);
}
/// log1p, float, without branches: log of y = 1 + x, which is exact in double
/// for 2^-29 <= |x| < 2^24 (and within 2^-53 relative beyond, where log1p >= 16);
/// below 2^-29, x - x^2/2 (the next term is below 2^-58 relative). -0 and
/// subnormals stay themselves; log1p(-1) = -inf, NaN below -1.
KOKKOS_INLINE_FUNCTION float log1p(float x) {
  const double d = static_cast<double>(x);
  const double y = 1.0 + d;
  const bool finite_positive = (y > 0.0) & (y < detail::inf());
  const double core = detail::log_positive_normal(finite_positive ? y : 1.0);
  const double special = y == 0.0 ? -detail::inf() : (y == detail::inf() ? y : detail::nan());
  const double small = d - d * d * 0.5;
  return static_cast<float>(detail::abs(d) < 0x1p-29 ? small : (finite_positive ? core : special));
}
/// exp, float: detail::exp_branch_free (no branches, so loops vectorise) on x
/// clamped to [-200, 100], where float results are 0 and inf already.
KOKKOS_INLINE_FUNCTION float exp(float x) {
  return static_cast<float>(detail::exp_branch_free(detail::clamp_keep_nan(static_cast<double>(x), -200.0, 100.0)));
}
/// expm1, float, without branches: e^x - 1 from detail::exp_branch_free (x
/// clamped to [-200, 100]), whose relative error below 1e-14 leaves e^x - 1
/// within 1e-10 relative for |x| >= 2^-13; below that the Taylor series to x^5
/// (the next term is below 2^-80 |x|). -0 and subnormals stay themselves.
KOKKOS_INLINE_FUNCTION float expm1(float x) {
  const double d = static_cast<double>(x);
  const double series = d * detail::horner(d, 1.0, 1.0 / 2, 1.0 / 6, 1.0 / 24, 1.0 / 120);
  const double big = detail::exp_branch_free(detail::clamp_keep_nan(d, -200.0, 100.0)) - 1.0;
  return static_cast<float>(detail::abs(d) < 0x1p-13 ? series : big);
}
KOKKOS_INLINE_FUNCTION float erf(float x) { return static_cast<float>(erf(static_cast<double>(x))); }
KOKKOS_INLINE_FUNCTION float pow(float x, float y) {
  return static_cast<float>(pow(static_cast<double>(x), static_cast<double>(y)));
}

/// The logistic function 1 / (1 + e^-x), double; as e^x / (1 + e^x) for x < 0,
/// so that no e^-x overflows while the result is still above 2^-1074.
KOKKOS_FORCEINLINE_FUNCTION double logistic(double x) {
  const double e = exp(-detail::abs(x));
  return x < 0.0 ? e / (1.0 + e) : 1.0 / (1.0 + e);
}
/// The logistic function, float: 1 / (1 + e^-x) in double (e^-x from
/// detail::exp_branch_free, -x clamped to [-200, 200]), rounded once; no
/// branches, so loops vectorise.
KOKKOS_INLINE_FUNCTION float logistic(float x) {
  const double e = detail::exp_branch_free(detail::clamp_keep_nan(-static_cast<double>(x), -200.0, 200.0));
  return static_cast<float>(1.0 / (1.0 + e));
}

/// Hyperbolic tangent, double: expm1(2a) / (expm1(2a) + 2) for a = |x| <= 20
/// (1 beyond: exact in double), with the sign of x (tanh(-0) = -0, as JAX).
KOKKOS_FORCEINLINE_FUNCTION double tanh(double x) {
  const std::uint64_t sign = detail::to_bits(x) & 0x8000000000000000ull;
  const double a = detail::from_bits(detail::to_bits(x) ^ sign);
  const double em = expm1(2.0 * a);  // NaN stays NaN; inf above 354 (not selected)
  const double t = a > 20.0 ? 1.0 : em / (em + 2.0);
  return detail::from_bits(detail::to_bits(t) | sign);
}

/// Hyperbolic tangent, single precision, without branches so that loops over
/// it vectorise. In double: a = |x|; below 2^-12, a * (1 - a^2/3) (the next
/// term, 2a^5/15, is below 2^-60 a); otherwise (e - 1) / (e + 1) with
/// e = exp(2 min(a, 20)) from detail::exp_branch_free (relative error below
/// 1e-14, so e - 1 stays within 2^-30 relative down to a = 2^-12). Rounded once to float: within an
/// ulp of tanh(x), correctly rounded except within about 2^-30 of a rounding
/// boundary; tests/core/test_math.cpp sweeps the floats. NaN stays NaN; the
/// sign of x is copied (tanh(-0) = -0).
KOKKOS_INLINE_FUNCTION float tanh(float x) {
  const std::uint32_t sign = pure::detail::bit_cast<std::uint32_t>(x) & 0x80000000u;
  const double a = static_cast<double>(pure::detail::bit_cast<float>(pure::detail::bit_cast<std::uint32_t>(x) ^ sign));
  const double e = detail::exp_branch_free(2.0 * (a > 20.0 ? 20.0 : a));  // NaN stays NaN
  const double big = (e - 1.0) / (e + 1.0);
  const double small = a * (1.0 - a * a * (1.0 / 3));
  const float t = static_cast<float>(a < 0x1p-12 ? small : big);
  return pure::detail::bit_cast<float>(pure::detail::bit_cast<std::uint32_t>(t) | sign);
}

namespace detail {
/// -log1p(-t) for a float t in [0, 1], rounded to float: erfinv's w. Computed
/// in double without branches, so that sampler loops vectorise: 1 - t is exact
/// in double for t >= 2^-30, and its log (fdlibm's reduction to
/// sqrt(1/2) <= m < sqrt(2), series to s^15) is within about 2^-45 of the true
/// value, so the float result is the correctly rounded one except within 2^-45
/// of a rounding boundary (log_positive_normal). tests/core/test_math.cpp checks it against
/// float(log1p(double)) at a dense sweep of t = x*x (all 2^31 x in [-1, 1] once,
/// measured: no difference) and at every uniform float k * 2^-23. It is meant
/// for those t: over all floats in [0, 1) one other t differs by an ulp
/// (0x1.333e56p-2, 2^-50 from a tie). Below 2^-30, -log1p(-t) = t + t^2/2 + ...
/// rounds to t. Callers keep t < 1.
KOKKOS_FORCEINLINE_FUNCTION float neg_log1p_neg(float t) {
  const float w = static_cast<float>(-log_positive_normal(1.0 - static_cast<double>(t)));
  return t < 0x1p-30f ? t : w;
}

// Giles' single-precision erfinv fit, in XLA's ErfInv32 operation order:
// w < 5 (of w), w >= 5 (of sqrt(w)).
KOKKOS_FORCEINLINE_FUNCTION float erfinv32_central(float w) {
  const float v = w - 2.5f;
  float p = 2.81022636e-08f;
  p = 3.43273939e-07f + p * v;
  p = -3.5233877e-06f + p * v;
  p = -4.39150654e-06f + p * v;
  p = 0.00021858087f + p * v;
  p = -0.00125372503f + p * v;
  p = -0.00417768164f + p * v;
  p = 0.246640727f + p * v;
  return 1.50140941f + p * v;
}
KOKKOS_FORCEINLINE_FUNCTION float erfinv32_tail(float sqrt_w) {
  const float v = sqrt_w - 3.0f;
  float p = -0.000200214257f;
  p = 0.000100950558f + p * v;
  p = 0.00134934322f + p * v;
  p = -0.00367342844f + p * v;
  p = 0.00573950773f + p * v;
  p = -0.0076224613f + p * v;
  p = 0.00943887047f + p * v;
  p = 1.00167406f + p * v;
  return 2.83297682f + p * v;
}
}  // namespace detail

/// Inverse error function, single precision: Giles' single-precision fit, with
/// the same float operations in the same order as XLA's ErfInv32 (w = -log1p(-x*x),
/// rounded to float), so jax.random.normal's float32 values are reproduced.
/// erfinv(+-1) = +-inf, NaN outside [-1, 1].
KOKKOS_FORCEINLINE_FUNCTION float erfinv(float x) {
  const float t = x * x;
  // |x| >= 1 and NaN are answered below; evaluating at t = 0 instead keeps
  // sqrt of a negative (FE_INVALID, errno) out of the computation.
  const float w = detail::neg_log1p_neg(t < 1.0f ? t : 0.0f);
#if defined(__CUDA_ARCH__) || defined(__HIP_DEVICE_COMPILE__)
  // GPU threads branch: a warp almost never reaches the tail.
  const float p = w < 5.0f ? detail::erfinv32_central(w) : detail::erfinv32_tail(sqrt(w));
#else
  // CPUs evaluate both ranges and select, so sampler loops vectorise.
  const float central = detail::erfinv32_central(w);
  const float tail = detail::erfinv32_tail(sqrt(w));
  const float p = w < 5.0f ? central : tail;
#endif
  const float at_one = x * static_cast<float>(detail::inf());                          // XLA: erfinv(+-1) = x * inf
  return t < 1.0f ? p * x : (t == 1.0f ? at_one : static_cast<float>(detail::nan()));  // NaN x: NaN
}

}  // namespace pure::math
