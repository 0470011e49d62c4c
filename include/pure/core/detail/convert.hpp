// Element conversions and integer arithmetic with every result defined, for
// kernels (device-callable). The rules are those of XLA and of GPU hardware,
// and docs/conversions.md states them:
//   float -> integer   truncates toward zero; saturates (below the range -> min,
//                      above -> max); NaN -> 0
//   any -> bool        x != 0 (NaN -> true)
//   bool -> any        0 or 1
//   integer -> integer keeps the low n bits (wraps modulo 2^n)
//   float -> float, integer -> float: rounds to nearest (IEEE), overflow -> +-inf
// C++ leaves float -> integer undefined out of range, and signed overflow
// undefined: here a float is compared against exactly representable bounds
// before only in-range values are converted, and integer arithmetic runs in the
// unsigned type, so no compiler or backend instruction picks the result.
#pragma once

#include <cstdint>
#include <limits>
#include <type_traits>

#include <Kokkos_Macros.hpp>

namespace pure::detail {

/// The unsigned type integer arithmetic on T runs in: T's own width, but never
/// narrower than unsigned int (so that promotion cannot bring back signed int).
template <class T>
using WrapUnsigned = std::common_type_t<unsigned int, std::make_unsigned_t<T>>;

/// The largest and smallest values of the integer type T, as
/// std::numeric_limits gives them, in arithmetic that device code may use
/// (nvcc rejects calls of the host-only constexpr numeric_limits members
/// from device functions, #20013-D, unless --expt-relaxed-constexpr).
template <class T>
KOKKOS_INLINE_FUNCTION constexpr T integer_max() {
  using U = std::make_unsigned_t<T>;
  return static_cast<T>(std::is_signed<T>::value ? static_cast<U>(static_cast<U>(~U(0)) >> 1) : static_cast<U>(~U(0)));
}
template <class T>
KOKKOS_INLINE_FUNCTION constexpr T integer_min() {
  return std::is_signed<T>::value ? static_cast<T>(-integer_max<T>() - T(1)) : T(0);
}

/// The integer To with the low bits of the unsigned value u (two's complement).
/// Written without an out-of-range unsigned -> signed conversion (implementation
/// defined before C++20); compilers reduce it to nothing.
template <class To, class U>
KOKKOS_INLINE_FUNCTION constexpr To from_low_bits(U u) {
  static_assert(std::is_unsigned<U>::value && std::is_integral<To>::value && !std::is_same<To, bool>::value);
  using UTo = std::make_unsigned_t<To>;
  const auto bits = static_cast<UTo>(u);  // modulo 2^n: defined
  if constexpr (std::is_unsigned<To>::value) {
    return bits;
  } else {
    constexpr auto max = static_cast<UTo>(integer_max<To>());
    // bits > max stands for bits - 2^n = -(~bits) - 1, and ~bits <= max.
    return bits <= max ? static_cast<To>(bits) : static_cast<To>(-static_cast<To>(static_cast<UTo>(~bits)) - To(1));
  }
}

/// 2^digits of the integer To (one past its largest value) as the float F:
/// a power of two, so exact in float and double.
template <class F, class To>
KOKKOS_INLINE_FUNCTION constexpr F integer_range_end() {
  constexpr int digits = std::numeric_limits<To>::digits;  // 31, 32, 63, 64
  return static_cast<F>(std::uint64_t{1} << (digits - 1)) * F(2);
}

/// `x` converted to To under the rules at the top of this file.
template <class To, class From>
KOKKOS_INLINE_FUNCTION constexpr To convert(From x) {
  if constexpr (std::is_same<To, From>::value) {
    return x;
  } else if constexpr (std::is_same<To, bool>::value) {
    return x != From(0);
  } else if constexpr (std::is_same<From, bool>::value) {
    return x ? To(1) : To(0);
  } else if constexpr (std::is_floating_point<To>::value) {
    return static_cast<To>(x);
  } else if constexpr (std::is_floating_point<From>::value) {
    constexpr From end = integer_range_end<From, To>();
    constexpr From lo = std::is_signed<To>::value ? -end : From(0);
    const bool below = x <= lo, above = x >= end;  // both false for NaN
    // Only values strictly inside (lo, end) reach the conversion, which truncates
    // them into [min, max]; the others convert 0 and take the bound (NaN: 0).
    const To inside = static_cast<To>(below || above || x != x ? From(0) : x);
    return above ? integer_max<To>() : below ? integer_min<To>() : inside;
  } else {
    return from_low_bits<To>(static_cast<std::make_unsigned_t<To>>(x));  // x modulo 2^n: defined
  }
}

/// -x, x + y, x - y, x * y for integers, wrapping modulo 2^n (the negative of
/// INT_MIN is INT_MIN); for floats, the plain operations.
template <class T>
KOKKOS_INLINE_FUNCTION constexpr T wrapping_neg(T x) {
  if constexpr (std::is_integral<T>::value) {
    return from_low_bits<T>(static_cast<WrapUnsigned<T>>(WrapUnsigned<T>(0) - static_cast<WrapUnsigned<T>>(x)));
  } else {
    return -x;
  }
}
template <class T>
KOKKOS_INLINE_FUNCTION constexpr T wrapping_add(T x, T y) {
  if constexpr (std::is_integral<T>::value) {
    return from_low_bits<T>(
        static_cast<WrapUnsigned<T>>(static_cast<WrapUnsigned<T>>(x) + static_cast<WrapUnsigned<T>>(y)));
  } else {
    return x + y;
  }
}
template <class T>
KOKKOS_INLINE_FUNCTION constexpr T wrapping_sub(T x, T y) {
  if constexpr (std::is_integral<T>::value) {
    return from_low_bits<T>(
        static_cast<WrapUnsigned<T>>(static_cast<WrapUnsigned<T>>(x) - static_cast<WrapUnsigned<T>>(y)));
  } else {
    return x - y;
  }
}
template <class T>
KOKKOS_INLINE_FUNCTION constexpr T wrapping_mul(T x, T y) {
  if constexpr (std::is_integral<T>::value) {
    return from_low_bits<T>(
        static_cast<WrapUnsigned<T>>(static_cast<WrapUnsigned<T>>(x) * static_cast<WrapUnsigned<T>>(y)));
  } else {
    return x * y;
  }
}

}  // namespace pure::detail
