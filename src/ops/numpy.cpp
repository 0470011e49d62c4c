// The numpy-like surface: only calls pure::lax; no kernels here.
#include <pure/core/creation.hpp>
#include <pure/ops/numpy.hpp>

#include <algorithm>
#include <string>

namespace pure {
namespace {

int rank_of(DType d) {
  switch (d) {
    case DType::boolean: return 0;
    case DType::u32: return 1;
    case DType::i32: return 2;
    case DType::u64: return 3;
    case DType::i64: return 4;
    case DType::f32: return 5;
    case DType::f64: return 6;
  }
  return 0;
}

// Normalises axes (negative from the end), sorts them, checks range; empty = all.
std::vector<std::int64_t> normalize_axes(std::vector<std::int64_t> axes, int rank, const char* op) {
  if (axes.empty()) {
    for (int d = 0; d < rank; ++d) axes.push_back(d);
    return axes;
  }
  for (auto& a : axes) {
    const std::int64_t orig = a;
    if (a < 0) a += rank;
    if (a < 0 || a >= rank) {
      throw ShapeError(std::string(op) + ": axis " + std::to_string(orig) + " is out of range for rank " +
                       std::to_string(rank));
    }
  }
  std::sort(axes.begin(), axes.end());
  if (std::adjacent_find(axes.begin(), axes.end()) != axes.end()) {
    throw ShapeError(std::string(op) + ": repeated axis");
  }
  return axes;
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
  return F(a, b);
}

Array to_float(const Array& x) { return is_floating(x.dtype()) ? x : astype(x, DType::f32); }

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

DType promote_types(DType a, DType b) { return rank_of(a) >= rank_of(b) ? a : b; }
Array astype(const Array& x, DType dtype) { return lax::convert_element_type(x, dtype); }
Array scalar_like(const Array& x, double value) { return pure::full({}, value, x.dtype()); }

Array add(const Array& x, const Array& y) { return binary<lax::add>(x, y, "pure::add"); }
Array subtract(const Array& x, const Array& y) { return binary<lax::sub>(x, y, "pure::subtract"); }
Array multiply(const Array& x, const Array& y) { return binary<lax::mul>(x, y, "pure::multiply"); }
Array divide(const Array& x, const Array& y) {
  return binary<lax::div>(to_float(x), to_float(y), "pure::divide");  // true division, as numpy
}
Array power(const Array& x, const Array& y) { return binary<lax::pow>(to_float(x), to_float(y), "pure::power"); }
Array maximum(const Array& x, const Array& y) { return binary<lax::max>(x, y, "pure::maximum"); }
Array minimum(const Array& x, const Array& y) { return binary<lax::min>(x, y, "pure::minimum"); }
Array arctan2(const Array& x, const Array& y) { return binary<lax::atan2>(x, y, "pure::arctan2"); }
Array less(const Array& x, const Array& y) { return binary<lax::lt>(x, y, "pure::less"); }
Array less_equal(const Array& x, const Array& y) { return binary<lax::le>(x, y, "pure::less_equal"); }
Array greater(const Array& x, const Array& y) { return binary<lax::gt>(x, y, "pure::greater"); }
Array greater_equal(const Array& x, const Array& y) { return binary<lax::ge>(x, y, "pure::greater_equal"); }
Array equal(const Array& x, const Array& y) { return binary<lax::eq>(x, y, "pure::equal"); }
Array not_equal(const Array& x, const Array& y) { return binary<lax::ne>(x, y, "pure::not_equal"); }

Array where(const Array& cond, const Array& x, const Array& y) {
  if (cond.dtype() != DType::boolean) {
    throw DTypeError("pure::where: argument 'cond' must be bool, got " + std::string(dtype_name(cond.dtype())));
  }
  const DType d = promote_types(x.dtype(), y.dtype());
  const Shape s = broadcast_shapes(broadcast_shapes(cond.shape(), x.shape(), "pure::where"), y.shape(), "pure::where");
  return lax::select(broadcast_to(cond, s), broadcast_to(astype(x, d), s), broadcast_to(astype(y, d), s));
}

Array clip(const Array& x, double lo, double hi) {
  if (!(lo <= hi)) {
    throw ValueError("pure::clip: needs lo <= hi, got lo=" + std::to_string(lo) + " hi=" + std::to_string(hi));
  }
  return minimum(maximum(x, scalar_like(x, lo)), scalar_like(x, hi));
}

Array negative(const Array& x) { return lax::neg(x); }
Array exp(const Array& x) { return lax::exp(to_float(x)); }
Array log(const Array& x) { return lax::log(to_float(x)); }
Array log1p(const Array& x) { return lax::log1p(to_float(x)); }
Array expm1(const Array& x) { return lax::expm1(to_float(x)); }
Array sin(const Array& x) { return lax::sin(to_float(x)); }
Array cos(const Array& x) { return lax::cos(to_float(x)); }
Array tanh(const Array& x) { return lax::tanh(to_float(x)); }
Array sqrt(const Array& x) { return lax::sqrt(to_float(x)); }
Array abs(const Array& x) { return lax::abs(x); }
Array sign(const Array& x) { return lax::sign(x); }
Array floor(const Array& x) { return lax::floor(to_float(x)); }
Array erf(const Array& x) { return lax::erf(to_float(x)); }
Array square(const Array& x) { return lax::mul(x, x); }
Array sigmoid(const Array& x) { return lax::logistic(to_float(x)); }

Array sum(const Array& x, std::vector<std::int64_t> axes, bool keepdims) {
  axes = normalize_axes(std::move(axes), x.rank(), "pure::sum");
  const Array s = lax::reduce_sum(x.dtype() == DType::boolean ? astype(x, DType::i32) : x, axes);
  return keepdims ? lax::reshape(s, keepdims_shape(x.shape(), axes)) : s;
}

Array mean(const Array& x, std::vector<std::int64_t> axes, bool keepdims) {
  axes = normalize_axes(std::move(axes), x.rank(), "pure::mean");
  std::int64_t n = 1;
  for (auto a : axes) n *= x.shape()[static_cast<int>(a)];
  const Array s = sum(to_float(x), axes, keepdims);
  return s / static_cast<double>(n);
}

Array var(const Array& x, std::vector<std::int64_t> axes, bool keepdims) {
  axes = normalize_axes(std::move(axes), x.rank(), "pure::var");
  const Array xf = to_float(x);
  const Array centered = xf - mean(xf, axes, true);
  return mean(centered * centered, axes, keepdims);
}

Array max(const Array& x, std::vector<std::int64_t> axes, bool keepdims) {
  axes = normalize_axes(std::move(axes), x.rank(), "pure::max");
  const Array m = lax::reduce_max(x, axes);
  return keepdims ? lax::reshape(m, keepdims_shape(x.shape(), axes)) : m;
}

Array min(const Array& x, std::vector<std::int64_t> axes, bool keepdims) {
  axes = normalize_axes(std::move(axes), x.rank(), "pure::min");
  const Array m = lax::reduce_min(x, axes);
  return keepdims ? lax::reshape(m, keepdims_shape(x.shape(), axes)) : m;
}

Array logsumexp(const Array& x, std::vector<std::int64_t> axes, bool keepdims) {
  axes = normalize_axes(std::move(axes), x.rank(), "pure::logsumexp");
  const Array xf = to_float(x);
  // The shift does not change the value, so its derivative is cut (as jax).
  const Array m = lax::stop_gradient(max(xf, axes, true));
  const Array out = log(sum(exp(xf - m), axes, true)) + m;
  return keepdims ? out : lax::reshape(out, sum(xf, axes, false).shape());
}

Array softmax(const Array& x, std::int64_t axis) {
  const Array xf = to_float(x);
  const Array e = exp(xf - lax::stop_gradient(max(xf, {axis}, true)));
  return e / sum(e, {axis}, true);
}

Array norm(const Array& x, std::vector<std::int64_t> axes, bool keepdims) {
  return sqrt(sum(square(to_float(x)), std::move(axes), keepdims));
}

Array reshape(const Array& x, const Shape& shape) { return lax::reshape(x, shape); }

Array expand_dims(const Array& x, std::int64_t axis) {
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
  std::vector<std::int64_t> keep;
  if (axes.empty()) {
    for (int d = 0; d < x.rank(); ++d) {
      if (x.shape()[d] != 1) keep.push_back(x.shape()[d]);
    }
  } else {
    axes = normalize_axes(std::move(axes), x.rank(), "pure::squeeze");
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
Array operator+(const Array& x, double s) { return add(x, scalar_like(x, s)); }
Array operator-(const Array& x, double s) { return subtract(x, scalar_like(x, s)); }
Array operator*(const Array& x, double s) { return multiply(x, scalar_like(x, s)); }
Array operator/(const Array& x, double s) { return divide(x, scalar_like(to_float(x), s)); }
Array operator+(double s, const Array& x) { return add(scalar_like(x, s), x); }
Array operator-(double s, const Array& x) { return subtract(scalar_like(x, s), x); }
Array operator*(double s, const Array& x) { return multiply(scalar_like(x, s), x); }
Array operator/(double s, const Array& x) { return divide(scalar_like(to_float(x), s), x); }
Array operator<(const Array& x, const Array& y) { return less(x, y); }
Array operator>(const Array& x, const Array& y) { return greater(x, y); }
Array operator<=(const Array& x, const Array& y) { return less_equal(x, y); }
Array operator>=(const Array& x, const Array& y) { return greater_equal(x, y); }

}  // namespace pure
