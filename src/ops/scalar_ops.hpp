// The scalar code of the elementwise primitives: one Op per primitive, with a
// device-callable `apply` on one element. The eager kernels (kernels.hpp),
// the fused groups' block loops and the fused groups' one-element-per-thread
// kernel (element_kernel.cpp) all call these, so every path computes each
// element with the same operations: the same bits. The primitives themselves
// (shape rules, JVP and transpose rules) are in elementwise.cpp and logaddexp.cpp.
#pragma once

#include <cstdint>
#include <type_traits>

#include <Kokkos_Core.hpp>

#include <pure/core/detail/convert.hpp>
#include <pure/core/math.hpp>

#include "kernels.hpp"
#include "rules.hpp"

namespace pure::ops::detail {

// Integer add, sub, mul, neg and abs wrap modulo 2^n (neg and abs of INT_MIN
// give INT_MIN), as XLA: they run in unsigned arithmetic, where C++ defines
// overflow (pure/core/detail/convert.hpp).

// ================================================================ unary
struct NegOp : NoParams {
  static constexpr bool kStreamsMemory = true;  // a few instructions per element: simd_cap (kernels.hpp)
  template <class T>
  KOKKOS_FORCEINLINE_FUNCTION T apply(T x) const {
    return pure::detail::wrapping_neg(x);
  }
};

struct ExpOp : NoParams {
  template <class T>
  KOKKOS_FORCEINLINE_FUNCTION T apply(T x) const {
    return pure::math::exp(x);
  }
};

struct LogOp : NoParams {
  template <class T>
  KOKKOS_FORCEINLINE_FUNCTION T apply(T x) const {
    return pure::math::log(x);
  }
};

struct Log1pOp : NoParams {
  template <class T>
  KOKKOS_FORCEINLINE_FUNCTION T apply(T x) const {
    return pure::math::log1p(x);
  }
};

struct Expm1Op : NoParams {
  template <class T>
  KOKKOS_FORCEINLINE_FUNCTION T apply(T x) const {
    return pure::math::expm1(x);
  }
};

struct SinOp : NoParams {
  template <class T>
  KOKKOS_FORCEINLINE_FUNCTION T apply(T x) const {
    return kmath::sin(x);
  }
};

struct CosOp : NoParams {
  template <class T>
  KOKKOS_FORCEINLINE_FUNCTION T apply(T x) const {
    return kmath::cos(x);
  }
};

struct TanhOp : NoParams {
  // pure::math::tanh: bitwise reproducible; the float one is branch-free, so the
  // host loops vectorise it.
  template <class T>
  KOKKOS_FORCEINLINE_FUNCTION T apply(T x) const {
    return pure::math::tanh(x);
  }
};

struct LogisticOp : NoParams {
  template <class T>
  KOKKOS_FORCEINLINE_FUNCTION T apply(T x) const {
    return pure::math::logistic(x);
  }
};

struct SqrtOp : NoParams {
  template <class T>
  KOKKOS_FORCEINLINE_FUNCTION T apply(T x) const {
    return kmath::sqrt(x);  // correctly rounded on every backend
  }
};

struct RsqrtOp : NoParams {
  template <class T>
  KOKKOS_FORCEINLINE_FUNCTION T apply(T x) const {
    return T(1) / kmath::sqrt(x);
  }
};

// The bits of a float or double, and back (sign-bit work below).
template <class T>
using FloatBits = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
template <class T>
KOKKOS_FORCEINLINE_FUNCTION FloatBits<T> float_bits(T x) {
  return pure::detail::bit_cast<FloatBits<T>>(x);
}
template <class T>
KOKKOS_FORCEINLINE_FUNCTION T float_of_bits(FloatBits<T> b) {
  return pure::detail::bit_cast<T>(b);
}

struct AbsOp : NoParams {
  static constexpr bool kStreamsMemory = true;  // a few instructions per element: simd_cap (kernels.hpp)
  template <class T>
  KOKKOS_FORCEINLINE_FUNCTION T apply(T x) const {
    if constexpr (kIsFloat<T>) {
      // The sign bit cleared, as jax (XLA's abs): abs(-0.0) is +0.0, so 1 / abs(-0.0) is +inf.
      return float_of_bits<T>(float_bits(x) & (~FloatBits<T>(0) >> 1));
    } else if constexpr (std::is_unsigned<T>::value) {
      return x;
    } else {
      return x < T(0) ? pure::detail::wrapping_neg(x) : x;
    }
  }
};

struct SignOp : NoParams {
  template <class T>
  KOKKOS_FORCEINLINE_FUNCTION T apply(T x) const {
    // Unsigned: 0 or 1. Not the general form, whose x < 0 nvcc flags as a
    // pointless comparison (warning #186-D); the result is the same.
    if constexpr (kIsFloat<T>) {
      return x > T(0) ? T(1) : (x < T(0) ? T(-1) : x);  // +-0 and NaN are themselves, as jax
    } else if constexpr (std::is_unsigned<T>::value) {
      return static_cast<T>(x != T(0));
    } else {
      return static_cast<T>((T(0) < x) - (x < T(0)));
    }
  }
};

struct FloorOp : NoParams {
  template <class T>
  KOKKOS_FORCEINLINE_FUNCTION T apply(T x) const {
    return kmath::floor(x);
  }
};

struct ErfOp : NoParams {
  template <class T>
  KOKKOS_FORCEINLINE_FUNCTION T apply(T x) const {
#if defined(__CUDA_ARCH__) || defined(__HIP_DEVICE_COMPILE__)
    return pure::math::erf(x);  // GPU threads branch (the same bits)
#else
    return pure::math::detail::erf_branch_free(x);  // so that host loops vectorise
#endif
  }
};

struct IntegerPowOp {
  std::int64_t y = 1;
  void configure(const Params& p) { y = p.get_int("y"); }
  template <class T>
  KOKKOS_FORCEINLINE_FUNCTION T apply(T x) const {
    // Binary exponentiation in a fixed order, so results do not depend on the backend's pow.
    std::int64_t n = y < 0 ? -y : y;
    T acc = T(1), base = x;
    while (n > 0) {
      if (n & 1) acc = acc * base;
      n >>= 1;
      if (n > 0) base = base * base;
    }
    return y < 0 ? T(1) / acc : acc;
  }
};

// ================================================================ binary
struct AddOp {
  static constexpr bool kStreamsMemory = true;  // a few instructions per element: simd_cap (kernels.hpp)
  template <class T>
  KOKKOS_INLINE_FUNCTION T apply(T x, T y) const {
    return pure::detail::wrapping_add(x, y);
  }
};

struct SubOp {
  static constexpr bool kStreamsMemory = true;  // a few instructions per element: simd_cap (kernels.hpp)
  template <class T>
  KOKKOS_INLINE_FUNCTION T apply(T x, T y) const {
    return pure::detail::wrapping_sub(x, y);
  }
};

struct MulOp {
  static constexpr bool kStreamsMemory = true;  // a few instructions per element: simd_cap (kernels.hpp)
  template <class T>
  KOKKOS_INLINE_FUNCTION T apply(T x, T y) const {
    return pure::detail::wrapping_mul(x, y);
  }
};

struct DivOp {
  // Integer x / 0 and INT_MIN / -1 are undefined in C++ (a trap on x86); they
  // give -1 and INT_MIN, as XLA does on CPU, instead of killing the process.
  template <class T>
  KOKKOS_INLINE_FUNCTION T apply(T x, T y) const {
    if constexpr (!kIsFloat<T>) {
      if (y == T(0)) return static_cast<T>(-1);
      if constexpr (std::is_signed<T>::value) {
        if (y == T(-1)) return pure::detail::wrapping_neg(x);  // INT_MIN / -1 = INT_MIN
      }
    }
    return static_cast<T>(x / y);
  }
};

struct PowOp {
  template <class T>
  KOKKOS_INLINE_FUNCTION T apply(T x, T y) const {
    return kmath::pow(x, y);
  }
};

// max and min as jax (XLA): NaN propagates, and +0 is above -0, so a tie of
// zeros gives max +0 and min -0 in either operand order (and a reduction's
// result does not depend on where the zeros sit). Equal operands have equal
// bits except for zeros, so the tie is the AND (max) or OR (min) of the bits.
struct MaxOp {
  template <class T>
  KOKKOS_INLINE_FUNCTION T apply(T x, T y) const {
    if constexpr (kIsFloat<T>) {
      const T tie = float_of_bits<T>(float_bits(x) & float_bits(y));
      return x != x ? x : (y != y ? y : (x == y ? tie : (x > y ? x : y)));
    } else {
      return x > y ? x : y;
    }
  }
};

struct MinOp {
  template <class T>
  KOKKOS_INLINE_FUNCTION T apply(T x, T y) const {
    if constexpr (kIsFloat<T>) {
      const T tie = float_of_bits<T>(float_bits(x) | float_bits(y));
      return x != x ? x : (y != y ? y : (x == y ? tie : (x < y ? x : y)));
    } else {
      return x < y ? x : y;
    }
  }
};

struct Atan2Op {
  template <class T>
  KOKKOS_INLINE_FUNCTION T apply(T x, T y) const {
    return kmath::atan2(x, y);
  }
};

struct LogAddExpOp {
  // x - y is NaN for a NaN operand or for infinities of one sign; x + y is
  // then NaN, +inf or -inf, as jax.
  template <class T>
  KOKKOS_INLINE_FUNCTION T apply(T x, T y) const {
    const T delta = x - y;
    if (delta != delta) return x + y;
    const T m = x > y ? x : y;
    const T neg_abs = delta > T(0) ? -delta : delta;
    return m + pure::math::log1p(pure::math::exp(neg_abs));
  }
};

// ================================================================ comparisons
#define PURE_COMPARISON_OP(NAME, EXPR)                  \
  struct NAME##Op {                                     \
    template <class T>                                  \
    KOKKOS_INLINE_FUNCTION bool apply(T x, T y) const { \
      return EXPR;                                      \
    }                                                   \
  };
PURE_COMPARISON_OP(lt, x < y)
PURE_COMPARISON_OP(le, x <= y)
PURE_COMPARISON_OP(gt, x > y)
PURE_COMPARISON_OP(ge, x >= y)
PURE_COMPARISON_OP(eq, x == y)
PURE_COMPARISON_OP(ne, x != y)
#undef PURE_COMPARISON_OP

}  // namespace pure::ops::detail
