// Kernel building blocks shared by the primitive definitions in src/ops. Each
// elementwise primitive supplies an Op struct with a KOKKOS_INLINE_FUNCTION
// `apply`; these templates turn it into a labelled Kokkos kernel per dtype.
#pragma once

#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include <Kokkos_Core.hpp>

#include <pure/core/array.hpp>
#include <pure/core/detail/convert.hpp>
#include <pure/core/math.hpp>

#include "../core/host_simd_for.hpp"
#include "../core/strided_walk.hpp"

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
  KOKKOS_FORCEINLINE_FUNCTION void operator()(std::int64_t i) const { out(i) = op.template apply<T>(x(i)); }
};

template <class T, class R, class Op>
struct BinaryKernel {
  ConstView<T> x, y;
  MutableView<R> out;
  Op op;
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t i) const { out(i) = op.template apply<T>(x(i), y(i)); }
};

/// An operand as kernels read it: its elements (a broadcast view's source) and
/// its element stride per axis of the output shape.
struct Operand {
  const void* data;
  std::vector<std::int64_t> strides;
};

inline Operand operand_of(const Array& a) {
  if (a.is_broadcast_view()) return {a.broadcast_source().data(), a.broadcast_strides()};
  return {a.data(), pure::detail::row_major_strides(a.shape())};
}

/// out = op(x, y) where x or y is a broadcast view, read in place: runs along
/// the innermost merged axis, with a loop per stride pattern so that a scalar
/// or a row (bias) operand vectorises like the contiguous case.
template <class T, class R, class Op>
struct StridedBinaryKernel {
  const T* x;
  const T* y;
  R* out;
  Op op;
  pure::detail::StridedWalk<2> walk;
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t i) const {
    std::int64_t off[2];
    walk.offsets(i, off);
    out[i] = op.template apply<T>(x[off[0]], y[off[1]]);
  }
  PURE_HOST_SIMD_ALWAYS_INLINE void range(std::int64_t begin, std::int64_t end) const {
    auto cur = walk.start(begin);
    const std::int64_t sx = walk.inner_stride(0), sy = walk.inner_stride(1);
    for (std::int64_t i = begin; i < end;) {
      const std::int64_t len = walk.run_length(cur, end - i);
      const T* KOKKOS_RESTRICT xs = x + cur.off[0];
      const T* KOKKOS_RESTRICT ys = y + cur.off[1];
      R* KOKKOS_RESTRICT o = out + i;
      if (sx == 1 && sy == 1) {
        for (std::int64_t j = 0; j < len; ++j) o[j] = op.template apply<T>(xs[j], ys[j]);
      } else if (sx == 1 && sy == 0) {
        const T b = *ys;
        for (std::int64_t j = 0; j < len; ++j) o[j] = op.template apply<T>(xs[j], b);
      } else if (sx == 0 && sy == 1) {
        const T a = *xs;
        for (std::int64_t j = 0; j < len; ++j) o[j] = op.template apply<T>(a, ys[j]);
      } else {
        for (std::int64_t j = 0; j < len; ++j) o[j] = op.template apply<T>(xs[j * sx], ys[j * sy]);
      }
      i += len;
      walk.advance(cur, len);
    }
  }
};

/// The eager unary loop over one contiguous block (Primitive::block_kernel):
/// the same kernel type, so the same code per SIMD level as map_unary.
template <class T, class R, class Op>
void unary_block(const Op& op, const void* const* in, void* out, std::int64_t n, HostSimd level) {
  using K = UnaryKernel<T, R, Op>;
  const auto count = static_cast<std::size_t>(n);
  const K k{ConstView<T>(static_cast<const T*>(in[0]), count), MutableView<R>(static_cast<R*>(out), count), op};
  pure::detail::host_simd_loop<K>(level)(k, 0, n);
}

/// The eager binary loop (both operands contiguous) over one block.
template <class T, class R, class Op>
void binary_block(const Op& op, const void* const* in, void* out, std::int64_t n, HostSimd level) {
  using K = BinaryKernel<T, R, Op>;
  const auto count = static_cast<std::size_t>(n);
  const K k{ConstView<T>(static_cast<const T*>(in[0]), count), ConstView<T>(static_cast<const T*>(in[1]), count),
            MutableView<R>(static_cast<R*>(out), count), op};
  pure::detail::host_simd_loop<K>(level)(k, 0, n);
}

/// Ops of a few cycles per element declare `static constexpr bool
/// kStreamsMemory = true` (scalar_ops.hpp): over arrays far larger than L2
/// their loops are bound by memory bandwidth, which 256-bit vectors already
/// saturate, and on AMD Zen 4 (512-bit operations run as two halves) the
/// AVX-512 loop streamed 10 to 20% slower than the AVX2 one (add f64 2^22,
/// docs/benchmarks.md). Eager calls of these ops that move at least
/// kStreamBytes run at most at AVX2; the bits are the same on every level.
template <class Op, class = void>
struct StreamsMemory : std::false_type {};
template <class Op>
struct StreamsMemory<Op, std::enable_if_t<Op::kStreamsMemory>> : std::true_type {};
// Measured on Zen 4: no difference up to 6 MiB moved, 10% at 24 MiB.
constexpr std::int64_t kStreamBytes = std::int64_t{16} << 20;

template <class Op>
HostSimd simd_cap(std::int64_t bytes_moved) {
  return StreamsMemory<Op>::value && bytes_moved >= kStreamBytes ? HostSimd::avx2 : HostSimd::avx512;
}

template <class T, class R, class Op>
Array run_unary(const Array& x, DType out_dtype, const Op& op, const char* label) {
  Array out = Array::allocate(x.shape(), out_dtype, label);
  // Multi-versioned host loops (one per SIMD level; same bits on each).
  pure::detail::host_simd_for(label, x.size(), UnaryKernel<T, R, Op>{x.view<T>(label), out.mutable_view<R>(label), op},
                              simd_cap<Op>(x.size() * static_cast<std::int64_t>(sizeof(T) + sizeof(R))));
  return out;
}

template <class T, class R, class Op>
Array run_binary(const Array& x, const Array& y, DType out_dtype, const Op& op, const char* label) {
  Array out = Array::allocate(x.shape(), out_dtype, label);
  if (x.is_broadcast_view() || y.is_broadcast_view()) {
    const Operand a = operand_of(x), b = operand_of(y);
    const std::vector<std::int64_t> strides[2] = {a.strides, b.strides};
    const std::int64_t base[2] = {0, 0};
    pure::detail::host_simd_for(
        label, x.size(),
        StridedBinaryKernel<T, R, Op>{static_cast<const T*>(a.data), static_cast<const T*>(b.data),
                                      out.mutable_view<R>(label).data(), op,
                                      pure::detail::make_strided_walk<2>(x.shape(), strides, base, label)},
        simd_cap<Op>(x.size() * static_cast<std::int64_t>(sizeof(T) + sizeof(R))));  // at least one operand streams
    return out;
  }
  pure::detail::host_simd_for(
      label, x.size(), BinaryKernel<T, R, Op>{x.view<T>(label), y.view<T>(label), out.mutable_view<R>(label), op},
      simd_cap<Op>(x.size() * static_cast<std::int64_t>(2 * sizeof(T) + sizeof(R))));
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
