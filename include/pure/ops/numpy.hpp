// The numpy-like surface: broadcasting, dtype promotion and scalars on top of
// the strict pure::lax primitives (as jax.numpy on jax.lax).
//
//   pure::Array y = pure::exp(x) * 2.0 + b;      // b broadcasts against x
//   pure::Array s = pure::sum(y, {1}, true);      // keepdims
#pragma once

#include <cstdint>
#include <type_traits>
#include <utility>
#include <vector>

#include <pure/core/array.hpp>
#include <pure/ops/lax.hpp>

namespace pure {

/// numpy's broadcast of two shapes; ShapeError naming `op` and both shapes if incompatible.
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op = "pure::broadcast_shapes");
/// x broadcast to `shape` (numpy rules: trailing axes align).
Array broadcast_to(const Array& x, const Shape& shape);
/// The dtype two arrays are computed in: JAX's type promotion with 64-bit types
/// on (jax.numpy.promote_types under jax_enable_x64), restricted to pure's dtypes:
///  - bool promotes to anything; the wider of two floats; a float beats every integer
///    (i64 + f32 -> f32);
///  - two signed or two unsigned integers: the wider;
///  - unsigned u with signed s: s if it is wider, else the next signed type that
///    holds both (u32 + i32 -> i64), and u64 with any signed type -> f64.
/// The table (tests/data/jax_promotion.txt) comes from real JAX; docs/promotion.md.
DType promote_types(DType a, DType b);
/// C++ scalars on the numpy surface are weakly typed, like Python scalars in JAX:
/// they take the array's dtype where it can hold their kind.
enum class WeakType : std::uint8_t {
  integer,   ///< any C++ integer type (int, long, unsigned, std::int64_t, ...)
  floating,  ///< float or double
};
/// The dtype of an array of dtype `a` combined with a weakly typed scalar:
/// integer scalar -> a (int64 for a bool array); float scalar -> a if a is a
/// float, else float64 (JAX's default float with x64).
DType promote_types(DType a, WeakType b);
/// The float dtype that functions such as exp and true division compute an
/// integer or bool array in (jax's to_inexact_dtype): float32 for bool, int32 and
/// uint32, float64 for int64 and uint64; floats are unchanged.
DType to_inexact_dtype(DType a);
/// Casts to dtype (no-op when equal).
Array astype(const Array& x, DType dtype);

// ---- elementwise (broadcasting, promoting) ----
Array add(const Array& x, const Array& y);
Array subtract(const Array& x, const Array& y);
Array multiply(const Array& x, const Array& y);
Array divide(const Array& x, const Array& y);
Array power(const Array& x, const Array& y);
Array maximum(const Array& x, const Array& y);
Array minimum(const Array& x, const Array& y);
Array arctan2(const Array& x, const Array& y);
Array less(const Array& x, const Array& y);
Array less_equal(const Array& x, const Array& y);
Array greater(const Array& x, const Array& y);
Array greater_equal(const Array& x, const Array& y);
Array equal(const Array& x, const Array& y);
Array not_equal(const Array& x, const Array& y);
/// cond ? x : y with broadcasting of all three.
Array where(const Array& cond, const Array& x, const Array& y);
/// minimum(maximum(x, lo), hi), bounds broadcast and promoted; at x == lo or
/// x == hi the derivative is 0.5 (maximum/minimum share ties, as jnp.clip).
Array clip(const Array& x, const Array& lo, const Array& hi);

Array negative(const Array& x);
Array exp(const Array& x);
Array log(const Array& x);
Array log1p(const Array& x);
Array expm1(const Array& x);
Array sin(const Array& x);
Array cos(const Array& x);
Array tanh(const Array& x);
Array sqrt(const Array& x);
Array abs(const Array& x);
Array sign(const Array& x);
Array floor(const Array& x);
Array erf(const Array& x);
Array square(const Array& x);
Array sigmoid(const Array& x);

// ---- reductions; `axes` empty means all axes; negative axes count from the end ----
Array sum(const Array& x, std::vector<std::int64_t> axes = {}, bool keepdims = false);
Array mean(const Array& x, std::vector<std::int64_t> axes = {}, bool keepdims = false);
Array var(const Array& x, std::vector<std::int64_t> axes = {}, bool keepdims = false);
Array max(const Array& x, std::vector<std::int64_t> axes = {}, bool keepdims = false);
Array min(const Array& x, std::vector<std::int64_t> axes = {}, bool keepdims = false);
/// log(sum(exp(x))) along axes, computed stably (max subtracted).
Array logsumexp(const Array& x, std::vector<std::int64_t> axes = {}, bool keepdims = false);
/// exp(x) / sum(exp(x)) along one axis (default: last).
Array softmax(const Array& x, std::int64_t axis = -1);
/// Euclidean norm over axes (all by default).
Array norm(const Array& x, std::vector<std::int64_t> axes = {}, bool keepdims = false);

// ---- shapes ----
Array reshape(const Array& x, const Shape& shape);
Array expand_dims(const Array& x, std::int64_t axis);
Array squeeze(const Array& x, std::vector<std::int64_t> axes = {});

/// A rank-0 array of x's dtype holding `value` (converted as astype converts).
Array scalar_like(const Array& x, double value);

namespace detail {
template <class S>
using if_scalar = std::enable_if_t<std::is_arithmetic<S>::value, int>;
Array weak_float_scalar(const Array& like, double value);
Array weak_int_scalar(const Array& like, std::int64_t value);
Array weak_uint_scalar(const Array& like, std::uint64_t value);
void check_clip_bounds(double lo, double hi);
}  // namespace detail

/// A rank-0 array holding the C++ scalar `value` in the dtype that `like op value`
/// is computed in (promote_types(like.dtype(), WeakType)): `x + 1` keeps an int32
/// x int32, `x + 0.5` makes it float64, `x + 1` and `x * 2.0` keep a float32 x
/// float32. A bool is a bool array (it promotes to the other operand's dtype).
/// Integer values wrap into the result dtype as jax does (uint32 x + -1 adds
/// 2^32 - 1); an unsigned value above 2^63 - 1 with a dtype other than uint64 or
/// a float is a ValueError (jax's OverflowError).
template <class S, detail::if_scalar<S> = 0>
Array weak_scalar(const Array& like, S value) {
  if constexpr (std::is_same<S, bool>::value) {
    return astype(scalar_like(like, value ? 1.0 : 0.0), DType::boolean);
  } else if constexpr (std::is_floating_point<S>::value) {
    return detail::weak_float_scalar(like, static_cast<double>(value));
  } else if constexpr (std::is_signed<S>::value) {
    return detail::weak_int_scalar(like, static_cast<std::int64_t>(value));
  } else {
    return detail::weak_uint_scalar(like, static_cast<std::uint64_t>(value));
  }
}

// ---- operators: numpy semantics; C++ scalars are weakly typed (weak_scalar) ----
Array operator+(const Array& x, const Array& y);
Array operator-(const Array& x, const Array& y);
Array operator*(const Array& x, const Array& y);
Array operator/(const Array& x, const Array& y);
Array operator-(const Array& x);
Array operator<(const Array& x, const Array& y);
Array operator>(const Array& x, const Array& y);
Array operator<=(const Array& x, const Array& y);
Array operator>=(const Array& x, const Array& y);
// Templates rather than (Array, double) overloads: `x + 1` is then an exact
// match for int, neither ambiguous between integer and double overloads nor
// silently a double.
template <class S, detail::if_scalar<S> = 0>
Array operator+(const Array& x, S s) {
  return add(x, weak_scalar(x, s));
}
template <class S, detail::if_scalar<S> = 0>
Array operator-(const Array& x, S s) {
  return subtract(x, weak_scalar(x, s));
}
template <class S, detail::if_scalar<S> = 0>
Array operator*(const Array& x, S s) {
  return multiply(x, weak_scalar(x, s));
}
template <class S, detail::if_scalar<S> = 0>
Array operator/(const Array& x, S s) {
  return divide(x, weak_scalar(x, s));
}
template <class S, detail::if_scalar<S> = 0>
Array operator+(S s, const Array& x) {
  return add(weak_scalar(x, s), x);
}
template <class S, detail::if_scalar<S> = 0>
Array operator-(S s, const Array& x) {
  return subtract(weak_scalar(x, s), x);
}
template <class S, detail::if_scalar<S> = 0>
Array operator*(S s, const Array& x) {
  return multiply(weak_scalar(x, s), x);
}
template <class S, detail::if_scalar<S> = 0>
Array operator/(S s, const Array& x) {
  return divide(weak_scalar(x, s), x);
}
/// clip with weakly typed scalar bounds: clip(int32 x, 0, 5) stays int32,
/// clip(int32 x, 0.5, 2.5) is float64 (as jnp.clip with Python scalars).
template <class L, class H, detail::if_scalar<L> = 0, detail::if_scalar<H> = 0>
Array clip(const Array& x, L lo, H hi) {
  detail::check_clip_bounds(static_cast<double>(lo), static_cast<double>(hi));
  return clip(x, weak_scalar(x, lo), weak_scalar(x, hi));
}

}  // namespace pure

// ---- products, indexing, joining, cumulative (numpy.cpp, second part) ----
namespace pure {

/// numpy.matmul: matrix product over the last two axes with the leading (batch)
/// axes broadcast; a 1-D operand is a vector whose axis is dropped from the
/// result. Summation order: see pure::set_matmul_precision.
Array matmul(const Array& a, const Array& b);
/// numpy.dot: a scalar operand multiplies; N-D . 1-D contracts the last axes;
/// N-D . M-D contracts a's last axis with b's second-to-last.
Array dot(const Array& a, const Array& b);
/// Permutes the axes (reverses them when `axes` is empty); negative axes count from the end.
Array transpose(const Array& x, std::vector<std::int64_t> axes = {});

/// numpy.take along `axis`: shape x.shape[:axis] + indices.shape + x.shape[axis+1:].
/// Negative indices count from the end; indices still out of range are clamped
/// (jnp.take would fill with NaN instead).
Array take(const Array& x, const Array& indices, std::int64_t axis);
/// numpy.take on the flattened x.
Array take(const Array& x, const Array& indices);
/// numpy.take_along_axis: indices of x's rank; the other axes broadcast.
/// Negative indices count from the end, out-of-range ones are clamped.
Array take_along_axis(const Array& x, const Array& indices, std::int64_t axis);

/// Joins arrays along an existing axis (dtypes promoted).
Array concatenate(const std::vector<Array>& xs, std::int64_t axis = 0);
/// Joins arrays of equal shape along a new axis.
Array stack(const std::vector<Array>& xs, std::int64_t axis = 0);
/// numpy.pad in "constant" mode: pad_width[i] = (before, after) for axis i, or
/// one pair for every axis.
Array pad(const Array& x, const std::vector<std::pair<std::int64_t, std::int64_t>>& pad_width,
          double constant_value = 0.0);

/// Inclusive cumulative sum along `axis` (booleans count as int32).
Array cumsum(const Array& x, std::int64_t axis);
/// Cumulative sum of the flattened x.
Array cumsum(const Array& x);
/// Index of the first maximum along `axis` (int32, or int64 for axes longer than int32 allows).
Array argmax(const Array& x, std::int64_t axis, bool keepdims = false);
/// Index of the first maximum of the flattened x.
Array argmax(const Array& x);
/// Index of the first minimum along `axis`.
Array argmin(const Array& x, std::int64_t axis, bool keepdims = false);
/// Index of the first minimum of the flattened x.
Array argmin(const Array& x);

}  // namespace pure

// ---- more math, reductions and sorting (numpy_math.cpp) ----
#include <type_traits>

namespace pure {

// Elementwise, as jax.numpy: integer and boolean inputs are computed in float32.
// Built from pure::lax primitives with the numerically stable formulas (table
// and accuracy in docs/numpy_math.md); derivatives follow by the chain rule and
// match jax's at the domain ends (for example arcsin'(1) = inf).
Array tan(const Array& x);
Array arcsin(const Array& x);
Array arccos(const Array& x);
Array arctan(const Array& x);
Array sinh(const Array& x);
Array cosh(const Array& x);
Array arcsinh(const Array& x);
Array arccosh(const Array& x);
Array arctanh(const Array& x);
Array log2(const Array& x);
Array log10(const Array& x);
/// 2**x, as pow(2, x) (accurate for large |x|, unlike exp(x * ln 2)).
Array exp2(const Array& x);
/// log(exp(x) + exp(y)) with broadcasting, stable for large |x|, |y|
/// (lax::logaddexp; integers computed in float32).
Array logaddexp(const Array& x, const Array& y);

/// x**n for a whole number n, exact for integer dtypes (wrapping as multiplication
/// does) and lax::integer_pow for floats, whose derivative is n x**(n-1) (at 0:
/// 1 for n = 1, 0 for n >= 2, as jax). Negative n needs a float x (ValueError
/// otherwise); bool counts as int32.
Array integer_pow(const Array& x, std::int64_t n);
namespace detail {
Array integer_power(const Array& x, std::int64_t n, const char* op);
}
/// power(x, 3): integer_pow (as jnp.power with a Python int exponent).
template <class I, std::enable_if_t<std::is_integral<I>::value, int> = 0>
Array power(const Array& x, I n) {
  return detail::integer_power(x, static_cast<std::int64_t>(n), "pure::power");
}
/// power(x, 2.5): pow with a float exponent (x as float).
Array power(const Array& x, double y);

/// Product over axes (all when empty), a pairwise tree of multiplications:
/// exact derivatives even where elements are zero (no division). The product
/// of no elements is 1. bool counts as int32, other dtypes are kept.
Array prod(const Array& x, std::vector<std::int64_t> axes = {}, bool keepdims = false);
/// Inclusive cumulative product along `axis` (a log-depth scan of
/// multiplications: O(n log n) work per line, exact derivatives with zeros).
Array cumprod(const Array& x, std::int64_t axis);
/// Cumulative product of the flattened x.
Array cumprod(const Array& x);

/// Variance with `ddof` degrees of freedom removed: sum((x - mean)^2) / (n - ddof),
/// NaN where n - ddof <= 0 (as jnp.var).
Array var(const Array& x, std::vector<std::int64_t> axes, bool keepdims, double ddof);
/// Standard deviation sqrt(var(x, axes, keepdims, ddof)).
Array std(const Array& x, std::vector<std::int64_t> axes = {}, bool keepdims = false, double ddof = 0);

/// Sorted copy along `axis`, stable (NaNs last, -0.0 and 0.0 equal), as
/// jnp.sort. Differentiable: the tangent is gathered by the same permutation.
Array sort(const Array& x, std::int64_t axis = -1);
/// Indices that sort x along `axis` (stable, NaNs last): int32, or int64 for
/// axes longer than int32 allows.
Array argsort(const Array& x, std::int64_t axis = -1);

}  // namespace pure

// ---- slicing, products and construction (numpy_structure.cpp) ----
// jax.lax's reverse and dynamic slices (primitives in src/ops/dynamic_slice.cpp),
// numpy-style indexing, tensor products and einsum (src/ops/einsum.cpp), and
// constructors built from iota. docs/indexing.md has the tables.
#include <optional>
#include <string>
#include <type_traits>
#include <variant>

namespace pure {

using lax::dynamic_slice;
using lax::dynamic_update_slice;

/// numpy.flip: x reversed along `axes` (negative count from the end; empty = every axis).
Array flip(const Array& x, std::vector<std::int64_t> axes = {});

// ---- numpy-style indexing: pure::index(x, ...) is x[...] ----
//
//   Python                      C++
//   x[1:-1, :, 3, None]         pure::index(x, pure::s(1, -1), pure::s(), 3, pure::newaxis)
//   x[::-1]                     pure::index(x, pure::s(pure::none, pure::none, -1))
//   x[..., 0]                   pure::index(x, pure::ellipsis, 0)
//   x[2:]                       pure::index(x, pure::s(2, pure::none))
//   x[i] (i a traced int array) pure::index(x, i)
//
// Slices follow numpy (negative bounds count from the end, out-of-range bounds
// are clipped, a negative step walks backwards). An integer index drops its
// axis; one out of range is clamped into the axis, as jax does (numpy raises).
// A scalar integer Array index is read at run time through dynamic_slice.
// Everything is built from slice, rev, reshape and dynamic_slice, so it is
// differentiable and traceable.

/// Python's None in a slice: an omitted start, stop or step.
inline constexpr std::nullopt_t none = std::nullopt;

/// A numpy slice start:stop:step; an empty bound takes numpy's default.
struct Slice {
  std::optional<std::int64_t> start, stop, step;
};
/// s() is ":", s(a, b) is "a:b", s(a, b, c) is "a:b:c"; pure::none leaves a bound out.
inline Slice s(std::optional<std::int64_t> start = std::nullopt, std::optional<std::int64_t> stop = std::nullopt,
               std::optional<std::int64_t> step = std::nullopt) {
  return Slice{start, stop, step};
}
/// numpy.newaxis: a new axis of extent 1.
struct NewAxis {};
inline constexpr NewAxis newaxis{};
/// Python's "...": as many full slices as the other indices leave axes.
struct EllipsisIndex {};
inline constexpr EllipsisIndex ellipsis{};

/// One entry of an index expression.
class Index {
 public:
  /// Any integer type (int, std::int64_t, std::size_t, ...): x[3] reads as index(x, 3).
  template <class I, std::enable_if_t<std::is_integral<I>::value && !std::is_same<I, bool>::value, int> = 0>
  Index(I i) : v_(static_cast<std::int64_t>(i)) {}  // NOLINT(google-explicit-constructor)
  Index(Slice s) : v_(s) {}                         // NOLINT(google-explicit-constructor)
  Index(NewAxis n) : v_(n) {}                       // NOLINT(google-explicit-constructor)
  Index(EllipsisIndex e) : v_(e) {}                 // NOLINT(google-explicit-constructor)
  Index(Array i) : v_(std::move(i)) {}              // NOLINT(google-explicit-constructor): a scalar integer array
  using Value = std::variant<std::int64_t, Slice, NewAxis, EllipsisIndex, Array>;
  const Value& value() const { return v_; }

 private:
  Value v_;
};

/// x[indices...] with numpy's basic-indexing rules (see above).
Array index(const Array& x, const std::vector<Index>& indices);
template <class... Rest>
Array index(const Array& x, const Index& first, const Rest&... rest) {
  return index(x, std::vector<Index>{first, Index(rest)...});
}

// ---- products ----

/// numpy.outer: a.ravel()[:, None] * b.ravel()[None, :].
Array outer(const Array& a, const Array& b);
/// numpy.tensordot with an integer: contracts the last `axes` axes of a with the first `axes` of b.
Array tensordot(const Array& a, const Array& b, std::int64_t axes = 2);
/// numpy.tensordot with (axes of a, axes of b), paired in order; negative axes count from the end.
/// The result's axes are a's free axes then b's free axes.
Array tensordot(const Array& a, const Array& b,
                const std::pair<std::vector<std::int64_t>, std::vector<std::int64_t>>& axes);
/// numpy.einsum: "ij,jk->ik", implicit output (letters that appear once, sorted)
/// when there is no "->", "..." for leading broadcast axes, a letter repeated in
/// one operand takes its diagonal. Operands are reduced pairwise, left to right,
/// with dot_general; a letter is summed as soon as no later operand or the
/// output needs it.
Array einsum(const std::string& subscripts, const std::vector<Array>& operands);
template <class... Rest>
Array einsum(const std::string& subscripts, const Array& first, const Rest&... rest) {
  return einsum(subscripts, std::vector<Array>{first, rest...});
}

// ---- construction and triangles ----

/// numpy.linspace: num values from start to stop (stop included when
/// `endpoint`). Computed as jax does, start * (1 - t) + stop * t with t = i / div,
/// so the ends are exact; integer dtypes floor the values.
Array linspace(double start, double stop, std::int64_t num = 50, bool endpoint = true, DType dtype = DType::f32);
/// numpy.eye: an n x m (m < 0: n x n) array with ones on diagonal k (k > 0 above the main one).
Array eye(std::int64_t n, std::int64_t m = -1, std::int64_t k = 0, DType dtype = DType::f32);
/// numpy.tril: x with the elements above diagonal k of its last two axes set to zero.
Array tril(const Array& x, std::int64_t k = 0);
/// numpy.triu: x with the elements below diagonal k of its last two axes set to zero.
Array triu(const Array& x, std::int64_t k = 0);
/// numpy.diagonal: diagonal `offset` of the plane (axis1, axis2), appended as the last axis.
Array diagonal(const Array& x, std::int64_t offset = 0, std::int64_t axis1 = 0, std::int64_t axis2 = 1);
/// numpy.diag: a 1-D v gives the square 2-D array with v on diagonal k; a 2-D v gives its diagonal k.
Array diag(const Array& v, std::int64_t k = 0);
/// jax.nn.one_hot: a new axis (at `axis`, default last) of num_classes entries,
/// 1 where the class equals the index; an index outside [0, num_classes) gives all zeros.
Array one_hot(const Array& indices, std::int64_t num_classes, DType dtype = DType::f32, std::int64_t axis = -1);

}  // namespace pure
