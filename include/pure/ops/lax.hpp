// pure::lax: one function per primitive, with strict shapes and dtypes (as
// jax.lax). Operands of binary ops must have equal shapes and dtypes; the
// numpy-like surface (numpy.hpp) broadcasts and promotes before calling these.
// Every function binds its primitive, so it works eagerly and under every
// transform (grad, jvp, vjp, make_program).
#pragma once

#include <cstdint>
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
