// Kernel building blocks shared by the primitive definitions in src/ops. Each
// elementwise primitive supplies an Op struct with a KOKKOS_INLINE_FUNCTION
// `apply`; these templates turn it into a labelled Kokkos kernel per dtype.
#pragma once

#include <cstdint>
#include <string>

#include <Kokkos_Core.hpp>

#include <pure/core/array.hpp>
#include <pure/core/math.hpp>

#include "../core/host_simd_for.hpp"

namespace pure::ops::detail {

// Kokkos 3.7 moved the math functions from Kokkos::Experimental to Kokkos.
#if KOKKOS_VERSION >= 30700
namespace kmath = ::Kokkos;
#else
namespace kmath = ::Kokkos::Experimental;
#endif

using Policy = Kokkos::RangePolicy<ExecutionSpace, Kokkos::IndexType<std::int64_t>>;

/// Which dtypes an elementwise kernel is compiled for (fewer = faster builds).
enum class Types { floating, numeric, all };

template <class T>
constexpr bool kIsFloat = std::is_floating_point<T>::value;

/// Calls f(T{}) for the dtype, or throws DTypeError naming the op if the dtype is not in `types`.
template <Types types, class F>
decltype(auto) dispatch(DType dtype, const char* op, F&& f) {
  switch (dtype) {
    case DType::f32: return f(float{});
    case DType::f64: return f(double{});
    default: break;
  }
  if constexpr (types != Types::floating) {
    switch (dtype) {
      case DType::i32: return f(std::int32_t{});
      case DType::u32: return f(std::uint32_t{});
      case DType::i64: return f(std::int64_t{});
      case DType::u64: return f(std::uint64_t{});
      default: break;
    }
  }
  if constexpr (types == Types::all) {
    if (dtype == DType::boolean) return f(bool{});
  }
  throw DTypeError(std::string("pure::") + op + ": dtype " + dtype_name(dtype) + " is not supported");
}

template <class T, class R, class Op>
struct UnaryKernel {
  ConstView<T> x;
  MutableView<R> out;
  Op op;
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t i) const { out(i) = op.template apply<T>(x(i)); }
};

template <class T, class R, class Op>
struct BinaryKernel {
  ConstView<T> x, y;
  MutableView<R> out;
  Op op;
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t i) const { out(i) = op.template apply<T>(x(i), y(i)); }
};

template <class T, class R, class Op>
Array run_unary(const Array& x, DType out_dtype, const Op& op, const char* label) {
  Array out = Array::allocate(x.shape(), out_dtype, label);
  // Multi-versioned host loops (one per SIMD level; same bits on each).
  pure::detail::host_simd_for(label, x.size(), UnaryKernel<T, R, Op>{x.view<T>(label), out.mutable_view<R>(label), op});
  return out;
}

template <class T, class R, class Op>
Array run_binary(const Array& x, const Array& y, DType out_dtype, const Op& op, const char* label) {
  Array out = Array::allocate(x.shape(), out_dtype, label);
  pure::detail::host_simd_for(
      label, x.size(), BinaryKernel<T, R, Op>{x.view<T>(label), y.view<T>(label), out.mutable_view<R>(label), op});
  return out;
}

/// out = op(x) elementwise, same dtype as x.
template <Types types, class Op>
Array map_unary(const Array& x, const Op& op, const char* label) {
  return dispatch<types>(x.dtype(), label, [&](auto tag) {
    using T = decltype(tag);
    return run_unary<T, T>(x, x.dtype(), op, label);
  });
}

/// out = op(x, y) elementwise, same dtype as the operands (or boolean if `to_bool`).
template <Types types, bool to_bool = false, class Op>
Array map_binary(const Array& x, const Array& y, const Op& op, const char* label) {
  return dispatch<types>(x.dtype(), label, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (to_bool) {
      return run_binary<T, bool>(x, y, DType::boolean, op, label);
    } else {
      return run_binary<T, T>(x, y, x.dtype(), op, label);
    }
  });
}

}  // namespace pure::ops::detail
