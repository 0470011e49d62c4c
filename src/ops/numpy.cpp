// The numpy-like surface: only calls pure::lax; no kernels here.
#include <pure/core/creation.hpp>
#include <pure/ops/numpy.hpp>

#include "entry.hpp"

#include <algorithm>
#include <limits>
#include <string>

namespace pure {
namespace {

using detail::normalize_axes;
using detail::normalize_axis;

int bits_of(DType d) { return d == DType::boolean ? 1 : static_cast<int>(8 * dtype_size(d)); }

// max/min/argmax have no identity: an empty reduced axis is an error (as in JAX).
void require_nonempty_axes(const Shape& shape, const std::vector<std::int64_t>& axes, const char* op) {
  for (auto a : axes) {
    if (shape[static_cast<int>(a)] == 0) {
      throw ValueError(std::string(op) + ": cannot reduce over axis " + std::to_string(a) + " of shape " + shape.str() +
                       ", which is empty (the reduction has no identity)");
    }
  }
}

// True when some reduced axis is empty (the reduction of nothing).
bool reduces_nothing(const Shape& shape, const std::vector<std::int64_t>& axes) {
  for (auto a : axes) {
    if (shape[static_cast<int>(a)] == 0) return true;
  }
  return false;
}

// Shape with the reduced axes kept as extent 1.
Shape keepdims_shape(const Shape& s, const std::vector<std::int64_t>& axes) {
  std::vector<std::int64_t> d = s.dims();
  for (auto a : axes) d[static_cast<std::size_t>(a)] = 1;
  return Shape(d);
}

// Brings x and y to a common dtype and shape.
std::pair<Array, Array> align(const Array& x, const Array& y, const char* op) {
  const DType d = promote_types(x.dtype(), y.dtype());
  const Shape s = broadcast_shapes(x.shape(), y.shape(), op);
  return {broadcast_to(astype(x, d), s), broadcast_to(astype(y, d), s)};
}

template <Array (*F)(const Array&, const Array&)>
Array binary(const Array& x, const Array& y, const char* op) {
  auto [a, b] = align(x, y, op);
  if (a.dtype() == DType::boolean) {
    // bool with bool as jax: computed on 0/1, so add and maximum are "or",
    // multiply and minimum "and"; arithmetic results are made bool again.
    const Array r = F(astype(a, DType::i32), astype(b, DType::i32));
    return r.dtype() == DType::boolean ? r : astype(r, DType::boolean);
  }
  return F(a, b);
}

// Float-only ops: operands in the inexact dtype of their promoted dtype (jax's promote_args_inexact).
template <Array (*F)(const Array&, const Array&)>
Array inexact_binary(const Array& x, const Array& y, const char* op) {
  const DType d = to_inexact_dtype(promote_types(x.dtype(), y.dtype()));
  return binary<F>(astype(x, d), astype(y, d), op);
}

Array to_float(const Array& x) { return astype(x, to_inexact_dtype(x.dtype())); }

}  // namespace

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op) {
  const int r = std::max(a.rank(), b.rank());
  std::vector<std::int64_t> out(static_cast<std::size_t>(r));
  for (int i = 0; i < r; ++i) {
    const int ia = a.rank() - r + i, ib = b.rank() - r + i;
    const std::int64_t da = ia >= 0 ? a[ia] : 1, db = ib >= 0 ? b[ib] : 1;
    if (da != db && da != 1 && db != 1) {
      throw ShapeError(std::string(op) + ": cannot broadcast shapes " + a.str() + " and " + b.str());
    }
    out[static_cast<std::size_t>(i)] = da == 1 ? db : da;
  }
  return Shape(out);
}

Array broadcast_to(const Array& x, const Shape& shape) {
  const detail::Entry entry("pure::broadcast_to", {{"x", x}});
  if (x.shape() == shape) return x;
  const int offset = shape.rank() - x.rank();
  if (offset < 0) {
    throw ShapeError("pure::broadcast_to: cannot broadcast " + x.shape().str() + " to lower rank " + shape.str());
  }
  std::vector<std::int64_t> dims;
  for (int i = 0; i < x.rank(); ++i) dims.push_back(offset + i);
  if (broadcast_shapes(x.shape(), shape, "pure::broadcast_to") != shape) {
    throw ShapeError("pure::broadcast_to: cannot broadcast " + x.shape().str() + " to " + shape.str());
  }
  return lax::broadcast_in_dim(x, shape, dims);
}

// JAX's lattice (jax._src.dtypes, x64) restricted to pure's dtypes; the
// generated table tests/data/jax_promotion.txt checks every pair.
DType promote_types(DType a, DType b) {
  if (a == b || b == DType::boolean) return a;
  if (a == DType::boolean) return b;
  if (is_floating(a) || is_floating(b)) {
    if (is_floating(a) && is_floating(b)) return bits_of(a) >= bits_of(b) ? a : b;
    return is_floating(a) ? a : b;
  }
  if (is_unsigned(a) == is_unsigned(b)) return bits_of(a) >= bits_of(b) ? a : b;
  const DType u = is_unsigned(a) ? a : b, s = is_unsigned(a) ? b : a;
  if (bits_of(s) > bits_of(u)) return s;
  // No signed type of pure holds uint64: jax goes up to its default float.
  return u == DType::u32 ? DType::i64 : DType::f64;
}

DType promote_types(DType a, WeakType b) {
  if (b == WeakType::integer) return a == DType::boolean ? DType::i64 : a;
  return is_floating(a) ? a : DType::f64;
}

DType to_inexact_dtype(DType a) {
  if (is_floating(a)) return a;
  return bits_of(a) > 32 ? DType::f64 : DType::f32;
}

Array astype(const Array& x, DType dtype) {
  const detail::Entry entry("pure::astype", {{"x", x}});
  return lax::convert_element_type(x, dtype);
}
Array scalar_like(const Array& x, double value) { return pure::full({}, value, x.dtype()); }

namespace detail {

Array weak_float_scalar(const Array& like, double value) {
  return pure::full({}, value, promote_types(like.dtype(), WeakType::floating));
}

// Exact: an int64 value goes through an int64 array (full's double would round
// it), then wraps into the result dtype as an integer conversion.
Array weak_int_scalar(const Array& like, std::int64_t value) {
  const DType d = promote_types(like.dtype(), WeakType::integer);
  if (is_floating(d)) return pure::full({}, static_cast<double>(value), d);
  return astype(from_host(&value, Shape{}), d);
}

Array weak_uint_scalar(const Array& like, std::uint64_t value) {
  const DType d = promote_types(like.dtype(), WeakType::integer);
  if (is_floating(d)) return pure::full({}, static_cast<double>(value), d);
  if (d != DType::u64 && value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    throw ValueError("pure::weak_scalar: the integer scalar " + std::to_string(value) + " does not fit " +
                     dtype_name(d) + " (the dtype of the " + dtype_name(like.dtype()) + " operand)");
  }
  return astype(from_host(&value, Shape{}), d);
}

void check_clip_bounds(double lo, double hi) {
  if (!(lo <= hi)) {
    throw ValueError("pure::clip: needs lo <= hi, got lo=" + std::to_string(lo) + " hi=" + std::to_string(hi));
  }
}

}  // namespace detail

Array add(const Array& x, const Array& y) {
  const detail::Entry entry("pure::add", {{"x", x}, {"y", y}});
  return binary<lax::add>(x, y, "pure::add");
}
Array subtract(const Array& x, const Array& y) {
  const detail::Entry entry("pure::subtract", {{"x", x}, {"y", y}});
  if (x.dtype() == DType::boolean && y.dtype() == DType::boolean) {
    throw DTypeError("pure::subtract: cannot subtract two bool arrays (shapes " + x.shape().str() + " and " +
                     y.shape().str() + "), as jax.numpy; use not_equal for exclusive or");
  }
  return binary<lax::sub>(x, y, "pure::subtract");
}
Array multiply(const Array& x, const Array& y) {
  const detail::Entry entry("pure::multiply", {{"x", x}, {"y", y}});
  return binary<lax::mul>(x, y, "pure::multiply");
}
// True division, as numpy: the promoted dtype, then its inexact dtype (i32 / i32 -> f32).
Array divide(const Array& x, const Array& y) {
  const detail::Entry entry("pure::divide", {{"x", x}, {"y", y}});
  return inexact_binary<lax::div>(x, y, "pure::divide");
}
// Integers are raised in floating point (jnp.power keeps integers integer: docs/promotion.md).
Array power(const Array& x, const Array& y) {
  const detail::Entry entry("pure::power", {{"x", x}, {"y", y}});
  if (!is_integer(y.dtype())) return inexact_binary<lax::pow>(x, y, "pure::power");
  // An integer exponent array (a polynomial basis x^[0, 1, 2]): as jax's rule
  // for one, the derivative where y == 0 is 0, not y x^(y-1) = 0 * inf at
  // x = 0 (or NaN for a NaN x). x is replaced by 1 there (the double-where
  // trick): x^0 = 1 either way, so no value changes, and no derivative of x
  // reaches those elements at any order.
  const Array y_zero = equal(y, full(Shape{}, 0.0, y.dtype()));
  const Array x_safe = where(y_zero, full(Shape{}, 1.0, x.dtype()), x);
  return inexact_binary<lax::pow>(x_safe, y, "pure::power");
}
Array maximum(const Array& x, const Array& y) {
  const detail::Entry entry("pure::maximum", {{"x", x}, {"y", y}});
  return binary<lax::max>(x, y, "pure::maximum");
}
Array minimum(const Array& x, const Array& y) {
  const detail::Entry entry("pure::minimum", {{"x", x}, {"y", y}});
  return binary<lax::min>(x, y, "pure::minimum");
}
Array arctan2(const Array& x, const Array& y) {
  const detail::Entry entry("pure::arctan2", {{"x", x}, {"y", y}});
  return inexact_binary<lax::atan2>(x, y, "pure::arctan2");
}
Array less(const Array& x, const Array& y) {
  const detail::Entry entry("pure::less", {{"x", x}, {"y", y}});
  return binary<lax::lt>(x, y, "pure::less");
}
Array less_equal(const Array& x, const Array& y) {
  const detail::Entry entry("pure::less_equal", {{"x", x}, {"y", y}});
  return binary<lax::le>(x, y, "pure::less_equal");
}
Array greater(const Array& x, const Array& y) {
  const detail::Entry entry("pure::greater", {{"x", x}, {"y", y}});
  return binary<lax::gt>(x, y, "pure::greater");
}
Array greater_equal(const Array& x, const Array& y) {
  const detail::Entry entry("pure::greater_equal", {{"x", x}, {"y", y}});
  return binary<lax::ge>(x, y, "pure::greater_equal");
}
Array equal(const Array& x, const Array& y) {
  const detail::Entry entry("pure::equal", {{"x", x}, {"y", y}});
  return binary<lax::eq>(x, y, "pure::equal");
}
Array not_equal(const Array& x, const Array& y) {
  const detail::Entry entry("pure::not_equal", {{"x", x}, {"y", y}});
  return binary<lax::ne>(x, y, "pure::not_equal");
}

Array where(const Array& cond, const Array& x, const Array& y) {
  const detail::Entry entry("pure::where", {{"cond", cond}, {"x", x}, {"y", y}});
  if (cond.dtype() != DType::boolean) {
    throw DTypeError("pure::where: argument 'cond' must be bool, got " + std::string(dtype_name(cond.dtype())));
  }
  const DType d = promote_types(x.dtype(), y.dtype());
  const Shape s = broadcast_shapes(broadcast_shapes(cond.shape(), x.shape(), "pure::where"), y.shape(), "pure::where");
  return lax::select(broadcast_to(cond, s), broadcast_to(astype(x, d), s), broadcast_to(astype(y, d), s));
}

Array clip(const Array& x, const Array& lo, const Array& hi) {
  const detail::Entry entry("pure::clip", {{"x", x}, {"lo", lo}, {"hi", hi}});
  return minimum(maximum(x, lo), hi);
}

Array negative(const Array& x) {
  const detail::Entry entry("pure::negative", {{"x", x}});
  return lax::neg(x);
}
Array exp(const Array& x) {
  const detail::Entry entry("pure::exp", {{"x", x}});
  return lax::exp(to_float(x));
}
Array log(const Array& x) {
  const detail::Entry entry("pure::log", {{"x", x}});
  return lax::log(to_float(x));
}
Array log1p(const Array& x) {
  const detail::Entry entry("pure::log1p", {{"x", x}});
  return lax::log1p(to_float(x));
}
Array expm1(const Array& x) {
  const detail::Entry entry("pure::expm1", {{"x", x}});
  return lax::expm1(to_float(x));
}
Array sin(const Array& x) {
  const detail::Entry entry("pure::sin", {{"x", x}});
  return lax::sin(to_float(x));
}
Array cos(const Array& x) {
  const detail::Entry entry("pure::cos", {{"x", x}});
  return lax::cos(to_float(x));
}
Array tanh(const Array& x) {
  const detail::Entry entry("pure::tanh", {{"x", x}});
  return lax::tanh(to_float(x));
}
Array sqrt(const Array& x) {
  const detail::Entry entry("pure::sqrt", {{"x", x}});
  return lax::sqrt(to_float(x));
}
Array abs(const Array& x) {
  const detail::Entry entry("pure::abs", {{"x", x}});
  return lax::abs(x);
}
Array sign(const Array& x) {
  const detail::Entry entry("pure::sign", {{"x", x}});
  return lax::sign(x);
}
Array floor(const Array& x) {
  const detail::Entry entry("pure::floor", {{"x", x}});
  return lax::floor(to_float(x));
}
Array erf(const Array& x) {
  const detail::Entry entry("pure::erf", {{"x", x}});
  return lax::erf(to_float(x));
}
Array square(const Array& x) {
  const detail::Entry entry("pure::square", {{"x", x}});
  return lax::mul(x, x);
}
Array sigmoid(const Array& x) {
  const detail::Entry entry("pure::sigmoid", {{"x", x}});
  return lax::logistic(to_float(x));
}

Array sum(const Array& x, std::vector<std::int64_t> axes, bool keepdims) {
  const detail::Entry entry("pure::sum", {{"x", x}});
  axes = normalize_axes(std::move(axes), x.shape(), "pure::sum");
  const Array s = lax::reduce_sum(x.dtype() == DType::boolean ? astype(x, DType::i32) : x, axes);
  return keepdims ? lax::reshape(s, keepdims_shape(x.shape(), axes)) : s;
}

Array mean(const Array& x, std::vector<std::int64_t> axes, bool keepdims) {
  const detail::Entry entry("pure::mean", {{"x", x}});
  axes = normalize_axes(std::move(axes), x.shape(), "pure::mean");
  std::int64_t n = 1;
  for (auto a : axes) n *= x.shape()[static_cast<int>(a)];
  const Array s = sum(to_float(x), axes, keepdims);
  return s / static_cast<double>(n);  // a weak float: keeps s's float dtype
}

Array var(const Array& x, std::vector<std::int64_t> axes, bool keepdims) {
  const detail::Entry entry("pure::var", {{"x", x}});
  axes = normalize_axes(std::move(axes), x.shape(), "pure::var");
  const Array xf = to_float(x);
  const Array centered = xf - mean(xf, axes, true);
  return mean(centered * centered, axes, keepdims);
}

Array max(const Array& x, std::vector<std::int64_t> axes, bool keepdims) {
  const detail::Entry entry("pure::max", {{"x", x}});
  axes = normalize_axes(std::move(axes), x.shape(), "pure::max");
  require_nonempty_axes(x.shape(), axes, "pure::max");
  const Array m = lax::reduce_max(x, axes);
  return keepdims ? lax::reshape(m, keepdims_shape(x.shape(), axes)) : m;
}

Array min(const Array& x, std::vector<std::int64_t> axes, bool keepdims) {
  const detail::Entry entry("pure::min", {{"x", x}});
  axes = normalize_axes(std::move(axes), x.shape(), "pure::min");
  require_nonempty_axes(x.shape(), axes, "pure::min");
  const Array m = lax::reduce_min(x, axes);
  return keepdims ? lax::reshape(m, keepdims_shape(x.shape(), axes)) : m;
}

Array logsumexp(const Array& x, std::vector<std::int64_t> axes, bool keepdims) {
  const detail::Entry entry("pure::logsumexp", {{"x", x}});
  axes = normalize_axes(std::move(axes), x.shape(), "pure::logsumexp");
  const Array xf = to_float(x);
  // The sum of nothing is 0, its log -inf (as jax); there is no maximum to shift by.
  if (reduces_nothing(x.shape(), axes)) return log(sum(exp(xf), axes, keepdims));
  // The shift does not change the value, so its derivative is cut (as jax).
  // A non-finite maximum (all -inf, or a +inf) is replaced by 0 so that
  // x - m does not make inf - inf = NaN; the result is then -inf or +inf, as jax.
  const Array raw = lax::stop_gradient(max(xf, axes, true));
  const Array m = where(equal(raw - raw, scalar_like(raw, 0.0)), raw, scalar_like(raw, 0.0));
  const Array out = log(sum(exp(xf - m), axes, true)) + m;
  return keepdims ? out : lax::reshape(out, sum(xf, axes, false).shape());
}

Array softmax(const Array& x, std::int64_t axis) {
  const detail::Entry entry("pure::softmax", {{"x", x}});
  const Array xf = to_float(x);
  // Empty along the axis: nothing to normalise, the result is empty too (as jax).
  if (x.shape()[static_cast<int>(normalize_axis(axis, x.shape(), "pure::softmax"))] == 0) return xf;
  const Array e = exp(xf - lax::stop_gradient(max(xf, {axis}, true)));
  return e / sum(e, {axis}, true);
}

Array norm(const Array& x, std::vector<std::int64_t> axes, bool keepdims) {
  const detail::Entry entry("pure::norm", {{"x", x}});
  return sqrt(sum(square(to_float(x)), std::move(axes), keepdims));
}

Array reshape(const Array& x, const Shape& shape) {
  const detail::Entry entry("pure::reshape", {{"x", x}});
  return lax::reshape(x, shape);
}

Array expand_dims(const Array& x, std::int64_t axis) {
  const detail::Entry entry("pure::expand_dims", {{"x", x}});
  const std::int64_t r = x.rank() + 1;
  const std::int64_t a = axis < 0 ? axis + r : axis;
  if (a < 0 || a >= r) {
    throw ShapeError("pure::expand_dims: axis " + std::to_string(axis) + " out of range for " + x.shape().str());
  }
  std::vector<std::int64_t> d = x.shape().dims();
  d.insert(d.begin() + a, 1);
  return lax::reshape(x, Shape(d));
}

Array squeeze(const Array& x, std::vector<std::int64_t> axes) {
  const detail::Entry entry("pure::squeeze", {{"x", x}});
  std::vector<std::int64_t> keep;
  if (axes.empty()) {
    for (int d = 0; d < x.rank(); ++d) {
      if (x.shape()[d] != 1) keep.push_back(x.shape()[d]);
    }
  } else {
    axes = normalize_axes(std::move(axes), x.shape(), "pure::squeeze");
    for (int d = 0; d < x.rank(); ++d) {
      const bool drop = std::find(axes.begin(), axes.end(), d) != axes.end();
      if (drop && x.shape()[d] != 1) {
        throw ShapeError("pure::squeeze: axis " + std::to_string(d) + " of " + x.shape().str() + " is not 1");
      }
      if (!drop) keep.push_back(x.shape()[d]);
    }
  }
  return lax::reshape(x, Shape(keep));
}

Array operator+(const Array& x, const Array& y) { return add(x, y); }
Array operator-(const Array& x, const Array& y) { return subtract(x, y); }
Array operator*(const Array& x, const Array& y) { return multiply(x, y); }
Array operator/(const Array& x, const Array& y) { return divide(x, y); }
Array operator-(const Array& x) { return negative(x); }
Array operator<(const Array& x, const Array& y) { return less(x, y); }
Array operator>(const Array& x, const Array& y) { return greater(x, y); }
Array operator<=(const Array& x, const Array& y) { return less_equal(x, y); }
Array operator>=(const Array& x, const Array& y) { return greater_equal(x, y); }

}  // namespace pure

// ---- products, indexing, joining, cumulative ----
namespace pure {
namespace {

Array flatten(const Array& x) { return lax::reshape(x, Shape{x.size()}); }

// Integer indices as int32/int64 with negative ones counted from the end of an
// axis of extent n (numpy); the gather primitive clamps what is still out of range.
Array wrap_indices(const Array& idx, std::int64_t n, const char* op) {
  const DType d = idx.dtype();
  if (!is_integer(d)) {
    throw DTypeError(std::string(op) + ": argument 'indices' must be an integer array, got " + dtype_name(d) +
                     idx.shape().str());
  }
  if (is_unsigned(d)) return astype(idx, DType::i64);
  return where(idx < scalar_like(idx, 0.0), idx + n, idx);
}

Array no_bool(const Array& x) { return x.dtype() == DType::boolean ? astype(x, DType::i32) : x; }

DType index_dtype_for(std::int64_t n) { return n > std::numeric_limits<std::int32_t>::max() ? DType::i64 : DType::i32; }

Array arg_reduce(const Array& x, std::int64_t axis, bool keepdims, bool is_max, const char* op) {
  const std::int64_t a = normalize_axis(axis, x.shape(), op);
  require_nonempty_axes(x.shape(), {a}, op);
  const Array xi = no_bool(x);
  const DType id = index_dtype_for(x.shape()[static_cast<int>(a)]);
  const Array r = is_max ? lax::argmax(xi, a, id) : lax::argmin(xi, a, id);
  return keepdims ? lax::reshape(r, keepdims_shape(x.shape(), {a})) : r;
}

Shape dims_slice(const Shape& s, int begin, int end) {
  return Shape(std::vector<std::int64_t>(s.dims().begin() + begin, s.dims().begin() + end));
}

std::vector<std::int64_t> concat_dims(const Shape& a, const Shape& b) {
  std::vector<std::int64_t> d = a.dims();
  d.insert(d.end(), b.dims().begin(), b.dims().end());
  return d;
}

}  // namespace

Array matmul(const Array& a, const Array& b) {
  const detail::Entry entry("pure::matmul", {{"a", a}, {"b", b}});
  if (a.rank() == 0 || b.rank() == 0) {
    throw ShapeError("pure::matmul: operands must have rank >= 1, got shapes " + a.shape().str() + " and " +
                     b.shape().str() + " (use multiply for scalars)");
  }
  const DType d = promote_types(a.dtype(), b.dtype());
  const Array a1 = a.rank() == 1 ? lax::reshape(astype(a, d), Shape{1, a.shape()[0]}) : astype(a, d);
  const Array b1 = b.rank() == 1 ? lax::reshape(astype(b, d), Shape{b.shape()[0], 1}) : astype(b, d);
  const int ra = a1.rank(), rb = b1.rank();
  if (a1.shape()[ra - 1] != b1.shape()[rb - 2]) {
    throw ShapeError("pure::matmul: the last axis of a " + a.shape().str() + " and the " +
                     (b.rank() == 1 ? std::string("only") : std::string("second-to-last")) + " axis of b " +
                     b.shape().str() + " differ");
  }
  Shape batch;
  try {
    batch = broadcast_shapes(dims_slice(a1.shape(), 0, ra - 2), dims_slice(b1.shape(), 0, rb - 2), "pure::matmul");
  } catch (const ShapeError& e) {  // the batch axes alone would not say which operands
    throw ShapeError(std::string(e.what()) + " (the batch axes of a " + a.shape().str() + " and b " + b.shape().str() +
                     ")");
  }
  const Array a2 = broadcast_to(a1, Shape(concat_dims(batch, dims_slice(a1.shape(), ra - 2, ra))));
  const Array b2 = broadcast_to(b1, Shape(concat_dims(batch, dims_slice(b1.shape(), rb - 2, rb))));
  const std::int64_t nb = batch.rank();
  std::vector<std::int64_t> batch_axes;
  for (std::int64_t i = 0; i < nb; ++i) batch_axes.push_back(i);
  const Array out = lax::dot_general(a2, b2, {{nb + 1}, {nb}}, {batch_axes, batch_axes});
  std::vector<std::int64_t> dims = batch.dims();
  if (a.rank() > 1) dims.push_back(a1.shape()[ra - 2]);
  if (b.rank() > 1) dims.push_back(b1.shape()[rb - 1]);
  return lax::reshape(out, Shape(dims));
}

Array dot(const Array& a, const Array& b) {
  const detail::Entry entry("pure::dot", {{"a", a}, {"b", b}});
  if (a.rank() == 0 || b.rank() == 0) return multiply(a, b);
  const DType d = promote_types(a.dtype(), b.dtype());
  const std::int64_t ax = a.rank() - 1, bx = b.rank() == 1 ? 0 : b.rank() - 2;
  if (a.shape()[static_cast<int>(ax)] != b.shape()[static_cast<int>(bx)]) {
    throw ShapeError("pure::dot: axis " + std::to_string(ax) + " of a " + a.shape().str() + " and axis " +
                     std::to_string(bx) + " of b " + b.shape().str() + " differ");
  }
  return lax::dot_general(astype(a, d), astype(b, d), {{ax}, {bx}});
}

Array transpose(const Array& x, std::vector<std::int64_t> axes) {
  const detail::Entry entry("pure::transpose", {{"x", x}});
  if (axes.empty()) {
    for (int d = x.rank() - 1; d >= 0; --d) axes.push_back(d);
  }
  for (auto& a : axes) {
    if (a < 0) a += x.rank();
  }
  return lax::transpose(x, axes);
}

Array take(const Array& x, const Array& indices, std::int64_t axis) {
  const detail::Entry entry("pure::take", {{"x", x}, {"indices", indices}});
  const std::int64_t a = normalize_axis(axis, x.shape(), "pure::take");
  const Array idx = wrap_indices(indices, x.shape()[static_cast<int>(a)], "pure::take");
  std::vector<std::int64_t> idx_shape(static_cast<std::size_t>(x.rank()), 1);
  idx_shape[static_cast<std::size_t>(a)] = indices.size();
  const Array g = lax::gather(x, lax::reshape(idx, Shape(idx_shape)), a);
  std::vector<std::int64_t> dims(x.shape().dims().begin(), x.shape().dims().begin() + a);
  dims.insert(dims.end(), indices.shape().dims().begin(), indices.shape().dims().end());
  dims.insert(dims.end(), x.shape().dims().begin() + a + 1, x.shape().dims().end());
  return lax::reshape(g, Shape(dims));
}

Array take(const Array& x, const Array& indices) {
  const detail::Entry entry("pure::take", {{"x", x}, {"indices", indices}});
  return take(flatten(x), indices, 0);
}

Array take_along_axis(const Array& x, const Array& indices, std::int64_t axis) {
  const detail::Entry entry("pure::take_along_axis", {{"x", x}, {"indices", indices}});
  if (indices.rank() != x.rank()) {
    throw ShapeError("pure::take_along_axis: indices " + indices.shape().str() + " must have the rank of x " +
                     x.shape().str());
  }
  const std::int64_t a = normalize_axis(axis, x.shape(), "pure::take_along_axis");
  // The other axes broadcast; gather itself takes indices of extent 1 there.
  std::vector<std::int64_t> xs = x.shape().dims();
  for (int d = 0; d < x.rank(); ++d) {
    const std::int64_t n = x.shape()[d], m = indices.shape()[d];
    if (d == a) continue;
    if (n != m && n != 1 && m != 1) {
      throw ShapeError("pure::take_along_axis: cannot broadcast x " + x.shape().str() + " and indices " +
                       indices.shape().str() + " along axis " + std::to_string(d));
    }
    xs[static_cast<std::size_t>(d)] = std::max(n, m);
  }
  const Array idx = wrap_indices(indices, x.shape()[static_cast<int>(a)], "pure::take_along_axis");
  return lax::gather(broadcast_to(x, Shape(xs)), idx, a);
}

Array concatenate(const std::vector<Array>& xs, std::int64_t axis) {
  const detail::Entry entry("pure::concatenate", "xs", xs);
  if (xs.empty()) throw ValueError("pure::concatenate: needs at least one array");
  if (xs[0].rank() == 0) throw ShapeError("pure::concatenate: cannot concatenate zero-dimensional arrays");
  DType d = xs[0].dtype();
  for (const Array& x : xs) d = promote_types(d, x.dtype());
  std::vector<Array> cast;
  for (const Array& x : xs) cast.push_back(astype(x, d));
  return lax::concatenate(cast, normalize_axis(axis, xs[0].shape(), "pure::concatenate"));
}

Array stack(const std::vector<Array>& xs, std::int64_t axis) {
  const detail::Entry entry("pure::stack", "xs", xs);
  if (xs.empty()) throw ValueError("pure::stack: needs at least one array");
  for (std::size_t k = 1; k < xs.size(); ++k) {
    if (xs[k].shape() != xs[0].shape()) {
      throw ShapeError("pure::stack: array " + std::to_string(k) + " has shape " + xs[k].shape().str() +
                       ", array 0 has " + xs[0].shape().str());
    }
  }
  const std::int64_t a = normalize_axis(axis, xs[0].shape(), "pure::stack", 1);
  std::vector<Array> expanded;
  for (const Array& x : xs) expanded.push_back(expand_dims(x, a));
  return concatenate(expanded, a);
}

Array pad(const Array& x, const std::vector<std::pair<std::int64_t, std::int64_t>>& pad_width, double constant_value) {
  const detail::Entry entry("pure::pad", {{"x", x}});
  if (pad_width.size() != 1 && static_cast<int>(pad_width.size()) != x.rank()) {
    throw ShapeError("pure::pad: argument 'pad_width' needs 1 or " + std::to_string(x.rank()) +
                     " (before, after) pairs for shape " + x.shape().str() + ", got " +
                     std::to_string(pad_width.size()));
  }
  std::vector<std::int64_t> low, high;
  for (int d = 0; d < x.rank(); ++d) {
    const auto& w = pad_width[pad_width.size() == 1 ? 0 : static_cast<std::size_t>(d)];
    if (w.first < 0 || w.second < 0) {
      throw ValueError("pure::pad: argument 'pad_width' must be non-negative, got (" + std::to_string(w.first) + ", " +
                       std::to_string(w.second) + ") for axis " + std::to_string(d));
    }
    low.push_back(w.first);
    high.push_back(w.second);
  }
  return lax::pad(x, scalar_like(x, constant_value), low, high);
}

Array cumsum(const Array& x, std::int64_t axis) {
  const detail::Entry entry("pure::cumsum", {{"x", x}});
  return lax::cumsum(no_bool(x), normalize_axis(axis, x.shape(), "pure::cumsum"));
}
Array cumsum(const Array& x) {
  const detail::Entry entry("pure::cumsum", {{"x", x}});
  return cumsum(flatten(x), 0);
}

Array argmax(const Array& x, std::int64_t axis, bool keepdims) {
  const detail::Entry entry("pure::argmax", {{"x", x}});
  return arg_reduce(x, axis, keepdims, true, "pure::argmax");
}
Array argmax(const Array& x) {
  const detail::Entry entry("pure::argmax", {{"x", x}});
  return arg_reduce(flatten(x), 0, false, true, "pure::argmax");
}
Array argmin(const Array& x, std::int64_t axis, bool keepdims) {
  const detail::Entry entry("pure::argmin", {{"x", x}});
  return arg_reduce(x, axis, keepdims, false, "pure::argmin");
}
Array argmin(const Array& x) {
  const detail::Entry entry("pure::argmin", {{"x", x}});
  return arg_reduce(flatten(x), 0, false, false, "pure::argmin");
}

}  // namespace pure
