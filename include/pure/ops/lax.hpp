// pure::lax: one function per primitive, with strict shapes and dtypes (as
// jax.lax). Operands of binary ops must have equal shapes and dtypes; the
// numpy-like surface (numpy.hpp) broadcasts and promotes before calling these.
// Every function binds its primitive, so it works eagerly and under every
// transform (grad, jvp, vjp, make_program).
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include <pure/core/array.hpp>

namespace pure::lax {

// ---- elementwise, unary (float unless noted) ----
Array neg(const Array& x);  // any numeric dtype
Array exp(const Array& x);
Array log(const Array& x);
Array log1p(const Array& x);
Array expm1(const Array& x);
Array sin(const Array& x);
Array cos(const Array& x);
Array tanh(const Array& x);
Array logistic(const Array& x);
Array sqrt(const Array& x);
Array rsqrt(const Array& x);
Array abs(const Array& x);   // any numeric dtype
Array sign(const Array& x);  // any numeric dtype
Array floor(const Array& x);
Array erf(const Array& x);
/// x**y for a fixed integer y (negative y gives 1 / x**-y).
Array integer_pow(const Array& x, std::int64_t y);

// ---- elementwise, binary ----
Array add(const Array& x, const Array& y);
Array sub(const Array& x, const Array& y);
Array mul(const Array& x, const Array& y);
Array div(const Array& x, const Array& y);  // integers: truncates toward zero
Array pow(const Array& x, const Array& y);  // float
Array max(const Array& x, const Array& y);
Array min(const Array& x, const Array& y);
Array atan2(const Array& x, const Array& y);  // float

// ---- comparisons (boolean result) and selection ----
Array lt(const Array& x, const Array& y);
Array le(const Array& x, const Array& y);
Array gt(const Array& x, const Array& y);
Array ge(const Array& x, const Array& y);
Array eq(const Array& x, const Array& y);
Array ne(const Array& x, const Array& y);
/// pred ? on_true : on_false elementwise; pred boolean of the same shape.
Array select(const Array& pred, const Array& on_true, const Array& on_false);
/// Elementwise conversion to `dtype` (float to int truncates toward zero).
Array convert_element_type(const Array& x, DType dtype);

// ---- shapes ----
/// Broadcasts x into `shape`: axis i of x becomes axis broadcast_dimensions[i]
/// of the result (its extent must be 1 or equal), the other axes are new.
Array broadcast_in_dim(const Array& x, const Shape& shape, const std::vector<std::int64_t>& broadcast_dimensions);
/// Same elements (row-major), new shape of the same size.
Array reshape(const Array& x, const Shape& shape);

// ---- reductions (canonical order: bitwise identical for any thread layout) ----
Array reduce_sum(const Array& x, const std::vector<std::int64_t>& axes);
Array reduce_max(const Array& x, const std::vector<std::int64_t>& axes);
Array reduce_min(const Array& x, const std::vector<std::int64_t>& axes);

// ---- differentiation helpers ----
/// Identity whose derivative is zero.
Array stop_gradient(const Array& x);

}  // namespace pure::lax

// ---- shapes, indexing, cumulative sums, dot_general (src/ops/{shape,indexing,cumulative,dot}.cpp) ----
namespace pure::lax {

/// Axis i of the result is axis permutation[i] of x (as jax.lax.transpose).
Array transpose(const Array& x, const std::vector<std::int64_t>& permutation);
/// x[start:limit:strides] per axis, 0 <= start <= limit <= extent, strides >= 1
/// (empty strides = all 1).
Array slice(const Array& x, const std::vector<std::int64_t>& start_indices,
            const std::vector<std::int64_t>& limit_indices, const std::vector<std::int64_t>& strides = {});
/// Pads each axis with `low` elements before, `high` after and `interior`
/// between neighbours, all equal to the scalar `padding_value` (x's dtype).
/// Negative low/high crop; interior must be >= 0 (empty interior = all 0).
Array pad(const Array& x, const Array& padding_value, const std::vector<std::int64_t>& low,
          const std::vector<std::int64_t>& high, const std::vector<std::int64_t>& interior = {});
/// Joins operands of equal dtype and shape (except along `dimension`) along `dimension`.
Array concatenate(const std::vector<Array>& operands, std::int64_t dimension);
/// 0, 1, ..., size-1.
Array iota(DType dtype, std::int64_t size);
/// An array of `shape` whose elements are their own coordinate along `dimension`.
Array broadcasted_iota(DType dtype, const Shape& shape, std::int64_t dimension);

/// take_along_axis-style gather: result[.., j, ..] = x[.., indices[.., j, ..], ..]
/// where ".." are the axes other than `axis`. `indices` (int32/int64) has x's
/// rank, any extent m along `axis`, and x's extent or 1 (broadcast) on the other
/// axes; the result has x's shape with extent m along `axis`. Out-of-range
/// indices are clamped to [0, n-1] (jax's "clip" mode; negative ones too).
Array gather(const Array& x, const Array& indices, std::int64_t axis);
/// gather's transpose: operand plus, at row clamp(indices[.., j, ..]) of `axis`,
/// every updates[.., j, ..]. Updates hitting one element are added in increasing
/// j, so the result is deterministic (no floating-point atomics).
Array scatter_add(const Array& operand, const Array& indices, const Array& updates, std::int64_t axis);

/// Index of the largest element along `axis` (first one on ties; a NaN counts
/// as largest, as jax). Integer result, so its derivative is zero.
Array argmax(const Array& x, std::int64_t axis, DType index_dtype = DType::i32);
/// Index of the smallest element along `axis` (first one on ties; NaN counts as smallest).
Array argmin(const Array& x, std::int64_t axis, DType index_dtype = DType::i32);

/// Inclusive cumulative sum along `axis` (from the end when `reverse`), in a
/// fixed blocked order: bitwise identical for any thread layout or backend.
Array cumsum(const Array& x, std::int64_t axis, bool reverse = false);

/// (lhs axes, rhs axes) of dot_general, paired position by position.
using DimensionPair = std::pair<std::vector<std::int64_t>, std::vector<std::int64_t>>;
/// jax.lax.dot_general: contracts x's contracting_dims.first with y's
/// contracting_dims.second and batches over batch_dims; the result's axes are
/// (batch, free axes of x, free axes of y). Matrix product:
///   lax::dot_general(a, b, {{1}, {0}});
/// Summation order: see pure::set_matmul_precision.
Array dot_general(const Array& x, const Array& y, const DimensionPair& contracting_dims,
                  const DimensionPair& batch_dims = {});

}  // namespace pure::lax

namespace pure {

/// How dot_general (and matmul, dot) sums its products.
///  - reproducible (default): pure's blocked kernel, per output acc = +0, then
///    acc = fma(x_t, y_t, acc) for t = 0..k-1 in order; bitwise identical on
///    every backend, SIMD level and thread count (docs/reproducibility.md).
///  - fast: KokkosKernels gemm (vendor BLAS) for float32/float64 when pure was
///    built with KokkosKernels (else the reproducible kernel is used). Its
///    summation order is the vendor's, so the last bits may differ between
///    backends, BLAS libraries and thread counts.
enum class MatmulPrecision { reproducible, fast };
/// Sets the process-wide mode; the initial one comes from the environment
/// variable PURE_MATMUL_PRECISION ("reproducible" or "fast").
void set_matmul_precision(MatmulPrecision precision);
MatmulPrecision matmul_precision();
/// True if this build has the fast (gemm) path.
bool matmul_fast_available();

}  // namespace pure

// ---- logaddexp, argsort (src/ops/{logaddexp,sort}.cpp) ----
namespace pure::lax {

/// log(exp(x) + exp(y)) elementwise without overflow (float operands of equal
/// shape and dtype): max(x, y) + log1p(exp(-|x - y|)), or x + y where x - y is
/// NaN (a NaN operand, or infinities of one sign), as jax.lax.logaddexp.
/// Derivative: t_x w + t_y (1 - w) with w = logistic(x - y) computed on both
/// sides (see docs/numpy_math.md for the infinite cases).
Array logaddexp(const Array& x, const Array& y);

/// Indices that sort each line of x along `axis` ascending, stably (equal
/// elements keep their order; -0.0 equals 0.0; NaNs are last), as
/// jnp.argsort(x, axis, stable=True). Integer result, so its derivative is zero.
Array argsort(const Array& x, std::int64_t axis, DType index_dtype = DType::i32);

}  // namespace pure::lax

// ---- reverse and dynamic slices (src/ops/dynamic_slice.cpp) ----
namespace pure::lax {

/// x with the order of elements reversed along each axis in `dimensions` (jax.lax.rev).
Array rev(const Array& x, const std::vector<std::int64_t>& dimensions);
/// jax.lax.dynamic_slice: the block of extents `slice_sizes` starting at
/// `start_indices` (one scalar integer array per axis of x; they are data, so
/// they may be traced, and are not differentiated). A negative start counts
/// from the end of its axis (start + extent); then every start is clamped to
/// [0, extent - size] so the block fits, as jax does.
Array dynamic_slice(const Array& x, const std::vector<Array>& start_indices,
                    const std::vector<std::int64_t>& slice_sizes);
/// The same with host integers (wrapped and clamped the same way); a static slice.
Array dynamic_slice(const Array& x, const std::vector<std::int64_t>& start_indices,
                    const std::vector<std::int64_t>& slice_sizes);
/// jax.lax.dynamic_update_slice: x with the block at `start_indices` replaced by
/// `update` (same dtype and rank, extents <= x's). Starts wrap and clamp as in
/// dynamic_slice, so the whole update is always written.
Array dynamic_update_slice(const Array& x, const Array& update, const std::vector<Array>& start_indices);
Array dynamic_update_slice(const Array& x, const Array& update, const std::vector<std::int64_t>& start_indices);

}  // namespace pure::lax
