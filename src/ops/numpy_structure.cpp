// Slicing, products and construction on the numpy surface: flip, index,
// outer, tensordot, linspace, eye, tril/triu, diagonal/diag, one_hot. Only
// calls pure::lax (slice, rev, pad, reshape, dynamic_slice, dot_general, iota,
// select), so everything here differentiates and traces through their rules.
#include <pure/core/creation.hpp>
#include <pure/ops/numpy.hpp>

#include "entry.hpp"

#include <algorithm>
#include <string>

namespace pure {
namespace {

std::string text(const std::vector<std::int64_t>& v) {
  std::string s = "(";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
  return s + (v.size() == 1 ? ",)" : ")");
}

// Axis `a` of a rank-`rank` operand of shape `shape` (for the message), negative from the end.
std::int64_t axis_of(std::int64_t a, int rank, const Shape& shape, const char* op, const char* arg) {
  const std::int64_t n = a < 0 ? a + rank : a;
  if (n < 0 || n >= rank) {
    throw ShapeError(std::string(op) + ": " + arg + " " + std::to_string(a) + " is out of range for shape " +
                     shape.str());
  }
  return n;
}

// Distinct axes, normalised and sorted.
std::vector<std::int64_t> distinct_axes(const std::vector<std::int64_t>& axes, const Shape& shape, const char* op) {
  std::vector<std::int64_t> out;
  for (auto a : axes) out.push_back(axis_of(a, shape.rank(), shape, op, "axis"));
  std::sort(out.begin(), out.end());
  if (std::adjacent_find(out.begin(), out.end()) != out.end()) {
    throw ShapeError(std::string(op) + ": repeated axis in " + text(axes) + " for shape " + shape.str());
  }
  return out;
}

// The last two axes as (rows, cols); throws unless rank >= 2.
std::pair<std::int64_t, std::int64_t> matrix_dims(const Array& x, const char* op) {
  if (x.rank() < 2) {
    throw ShapeError(std::string(op) + ": needs an array of rank >= 2, got shape " + x.shape().str());
  }
  return {x.shape()[x.rank() - 2], x.shape()[x.rank() - 1]};
}

// col - row over an (r, c) grid, as int64.
Array col_minus_row(std::int64_t r, std::int64_t c) {
  const Shape s{r, c};
  return lax::sub(lax::broadcasted_iota(DType::i64, s, 1), lax::broadcasted_iota(DType::i64, s, 0));
}

// x where keep (an (r, c) mask broadcast over x's leading axes), else 0.
Array keep_or_zero(const Array& x, const Array& keep) {
  return lax::select(broadcast_to(keep, x.shape()), x,
                     lax::broadcast_in_dim(pure::zeros({}, x.dtype()), x.shape(), {}));
}

Array scalar(std::int64_t v, DType dtype) { return pure::full({}, static_cast<double>(v), dtype); }

}  // namespace

// ---------------------------------------------------------------- flip
Array flip(const Array& x, std::vector<std::int64_t> axes) {
  const detail::Entry entry("pure::flip", {{"x", x}});
  if (axes.empty()) {
    for (int d = 0; d < x.rank(); ++d) axes.push_back(d);
  }
  return lax::rev(x, distinct_axes(axes, x.shape(), "pure::flip"));
}

// ---------------------------------------------------------------- index
namespace {

// One axis of x under a slice, in terms of rev + slice: the slice of the
// (possibly reversed) axis and the number of elements taken.
struct AxisSlice {
  std::int64_t start = 0, limit = 0, stride = 1, count = 0;
  bool reversed = false;
};

// numpy's slice.indices(n), then the equivalent forward slice.
AxisSlice resolve(const Slice& sl, std::int64_t n, int axis, const Shape& shape) {
  const std::int64_t step = sl.step.value_or(1);
  if (step == 0) {
    throw ValueError("pure::index: slice step cannot be zero (axis " + std::to_string(axis) + " of shape " +
                     shape.str() + ")");
  }
  AxisSlice out;
  if (step > 0) {
    auto bound = [n](std::optional<std::int64_t> v, std::int64_t dflt) {
      if (!v) return dflt;
      const std::int64_t b = *v < 0 ? *v + n : *v;
      return std::clamp<std::int64_t>(b, 0, n);
    };
    const std::int64_t b = bound(sl.start, 0), e = bound(sl.stop, n);
    out.count = e > b ? (e - b + step - 1) / step : 0;
    out.start = b;
    out.stride = step;
  } else {
    // -1 stands for "before the first element" (numpy's stop when walking backwards).
    auto bound = [n](std::optional<std::int64_t> v, std::int64_t dflt) {
      if (!v) return dflt;
      const std::int64_t b = *v < 0 ? *v + n : *v;
      return std::clamp<std::int64_t>(b, -1, n - 1);
    };
    const std::int64_t b = bound(sl.start, n - 1), e = bound(sl.stop, -1);
    out.count = b > e ? (b - e - step - 1) / -step : 0;
    out.start = n - 1 - b;  // position of element b once the axis is reversed
    out.stride = -step;
    out.reversed = true;
  }
  if (out.count == 0) out.start = 0;
  out.limit = out.count == 0 ? out.start : out.start + (out.count - 1) * out.stride + 1;
  return out;
}

}  // namespace

Array index(const Array& x, const std::vector<Index>& indices) {
  const detail::Entry entry("pure::index", {{"x", x}});
  const char* op = "pure::index";
  int consumed = 0, ellipses = 0;
  for (const Index& ix : indices) {
    if (std::holds_alternative<EllipsisIndex>(ix.value())) {
      ++ellipses;
    } else if (!std::holds_alternative<NewAxis>(ix.value())) {
      ++consumed;
    }
  }
  if (ellipses > 1)
    throw ValueError("pure::index: an index can have only one ellipsis, got " + std::to_string(ellipses));
  if (consumed > x.rank()) {
    throw ShapeError("pure::index: too many indices for shape " + x.shape().str() + ": " + std::to_string(consumed) +
                     " axes indexed, the array has " + std::to_string(x.rank()));
  }
  // The index with the ellipsis expanded and trailing full slices added.
  std::vector<Index> full;
  for (const Index& ix : indices) {
    if (std::holds_alternative<EllipsisIndex>(ix.value())) {
      for (int k = consumed; k < x.rank(); ++k) full.emplace_back(Slice{});
    } else {
      full.push_back(ix);
    }
  }
  for (int k = consumed; ellipses == 0 && k < x.rank(); ++k) full.emplace_back(Slice{});

  const int r = x.rank();
  std::vector<std::int64_t> start(static_cast<std::size_t>(r)), limit(start), stride(start), reversed, out_dims;
  std::vector<Array> dyn_starts(static_cast<std::size_t>(r));
  bool dynamic = false;
  int axis = 0;
  for (const Index& ix : full) {
    const auto& v = ix.value();
    if (std::holds_alternative<NewAxis>(v)) {
      out_dims.push_back(1);
      continue;
    }
    const auto a = static_cast<std::size_t>(axis);
    const std::int64_t n = x.shape()[axis];
    if (const Slice* sl = std::get_if<Slice>(&v)) {
      const AxisSlice as = resolve(*sl, n, axis, x.shape());
      start[a] = as.start;
      limit[a] = as.limit;
      stride[a] = as.stride;
      if (as.reversed) reversed.push_back(axis);
      out_dims.push_back(as.count);
    } else {
      if (n == 0) {
        throw ShapeError("pure::index: cannot take an element of axis " + std::to_string(axis) + " of shape " +
                         x.shape().str() + ", which is empty");
      }
      stride[a] = 1;
      if (const std::int64_t* i = std::get_if<std::int64_t>(&v)) {
        // Negative counts from the end; still out of range is clamped (jax; numpy raises).
        const std::int64_t k = std::clamp<std::int64_t>(*i < 0 ? *i + n : *i, 0, n - 1);
        start[a] = k;
        limit[a] = k + 1;
      } else {
        const Array& ia = std::get<Array>(v);
        if (!ia.valid() || ia.rank() != 0 || !is_integer(ia.dtype())) {
          throw DTypeError(std::string(op) + ": an array index must be a scalar integer array, got " +
                           (ia.valid() ? std::string(dtype_name(ia.dtype())) + ia.shape().str() : "an empty Array") +
                           " for axis " + std::to_string(axis) + " of shape " + x.shape().str());
        }
        start[a] = 0;
        limit[a] = n;
        dyn_starts[a] = ia;
        dynamic = true;
      }
    }
    ++axis;
  }
  Array y = lax::slice(lax::rev(x, reversed), start, limit, stride);
  if (dynamic) {
    std::vector<std::int64_t> sizes = y.shape().dims();
    for (std::size_t a = 0; a < dyn_starts.size(); ++a) {
      if (dyn_starts[a].valid()) {
        sizes[a] = 1;
      } else {
        dyn_starts[a] = scalar(0, DType::i64);
      }
    }
    y = lax::dynamic_slice(y, dyn_starts, sizes);
  }
  return lax::reshape(y, Shape(out_dims));
}

// ---------------------------------------------------------------- products
Array outer(const Array& a, const Array& b) {
  const detail::Entry entry("pure::outer", {{"a", a}, {"b", b}});
  return multiply(lax::reshape(a, Shape{a.size(), 1}), lax::reshape(b, Shape{1, b.size()}));
}

Array tensordot(const Array& a, const Array& b, std::int64_t axes) {
  const detail::Entry entry("pure::tensordot", {{"a", a}, {"b", b}});
  if (axes < 0 || axes > a.rank() || axes > b.rank()) {
    throw ShapeError("pure::tensordot: axes=" + std::to_string(axes) + " must be in [0, min(rank)] for shapes " +
                     a.shape().str() + " and " + b.shape().str());
  }
  std::vector<std::int64_t> xa, xb;
  for (std::int64_t i = 0; i < axes; ++i) {
    xa.push_back(a.rank() - axes + i);
    xb.push_back(i);
  }
  return tensordot(a, b, {xa, xb});
}

Array tensordot(const Array& a, const Array& b,
                const std::pair<std::vector<std::int64_t>, std::vector<std::int64_t>>& axes) {
  const detail::Entry entry("pure::tensordot", {{"a", a}, {"b", b}});
  const char* op = "pure::tensordot";
  if (axes.first.size() != axes.second.size()) {
    throw ShapeError("pure::tensordot: axes " + text(axes.first) + " of a " + a.shape().str() + " and " +
                     text(axes.second) + " of b " + b.shape().str() + " must have the same length");
  }
  std::vector<std::int64_t> xa, xb;
  for (std::size_t i = 0; i < axes.first.size(); ++i) {
    xa.push_back(axis_of(axes.first[i], a.rank(), a.shape(), op, "axis of a"));
    xb.push_back(axis_of(axes.second[i], b.rank(), b.shape(), op, "axis of b"));
    if (a.shape()[static_cast<int>(xa.back())] != b.shape()[static_cast<int>(xb.back())]) {
      throw ShapeError("pure::tensordot: axis " + std::to_string(xa.back()) + " of a " + a.shape().str() +
                       " and axis " + std::to_string(xb.back()) + " of b " + b.shape().str() + " differ in extent");
    }
  }
  distinct_axes(xa, a.shape(), op);
  distinct_axes(xb, b.shape(), op);
  const DType d = promote_types(a.dtype(), b.dtype());
  return lax::dot_general(astype(a, d), astype(b, d), {xa, xb});
}

// ---------------------------------------------------------------- construction
Array linspace(double start, double stop, std::int64_t num, bool endpoint, DType dtype) {
  const detail::Entry entry("pure::linspace", {});
  if (num < 0) throw ValueError("pure::linspace: argument 'num' must be >= 0, got " + std::to_string(num));
  // Computed in the float dtype (float64 for integer results), then floored and converted, as jax.
  const DType calc = is_floating(dtype) ? dtype : DType::f64;
  const std::int64_t div = endpoint ? num - 1 : num;
  Array out;
  if (num > 1) {
    const Array t = lax::div(lax::iota(calc, div), pure::full(Shape{div}, static_cast<double>(div), calc));
    const Array lo = pure::full(Shape{div}, start, calc), hi = pure::full(Shape{div}, stop, calc);
    out = lax::add(lax::mul(lo, lax::sub(pure::ones(Shape{div}, calc), t)), lax::mul(hi, t));
    if (endpoint) out = lax::concatenate({out, pure::full(Shape{1}, stop, calc)}, 0);
  } else {
    out = pure::full(Shape{num}, start, calc);
  }
  if (!is_floating(dtype) && dtype != DType::boolean) out = lax::floor(out);
  return astype(out, dtype);
}

Array eye(std::int64_t n, std::int64_t m, std::int64_t k, DType dtype) {
  const detail::Entry entry("pure::eye", {});
  if (m < 0) m = n;
  if (n < 0) throw ValueError("pure::eye: argument 'n' must be >= 0, got " + std::to_string(n));
  return astype(lax::eq(col_minus_row(n, m), pure::full(Shape{n, m}, static_cast<double>(k), DType::i64)), dtype);
}

Array tril(const Array& x, std::int64_t k) {
  const detail::Entry entry("pure::tril", {{"x", x}});
  const auto [r, c] = matrix_dims(x, "pure::tril");
  return keep_or_zero(x, lax::le(col_minus_row(r, c), pure::full(Shape{r, c}, static_cast<double>(k), DType::i64)));
}

Array triu(const Array& x, std::int64_t k) {
  const detail::Entry entry("pure::triu", {{"x", x}});
  const auto [r, c] = matrix_dims(x, "pure::triu");
  return keep_or_zero(x, lax::ge(col_minus_row(r, c), pure::full(Shape{r, c}, static_cast<double>(k), DType::i64)));
}

// The plane (axis1, axis2) moved last and flattened; diagonal `offset` is then
// a strided slice of the flat axis (step cols + 1), so its transpose is a pad.
Array diagonal(const Array& x, std::int64_t offset, std::int64_t axis1, std::int64_t axis2) {
  const detail::Entry entry("pure::diagonal", {{"x", x}});
  const char* op = "pure::diagonal";
  if (x.rank() < 2) throw ShapeError("pure::diagonal: needs an array of rank >= 2, got shape " + x.shape().str());
  const std::int64_t a1 = axis_of(axis1, x.rank(), x.shape(), op, "axis1");
  const std::int64_t a2 = axis_of(axis2, x.rank(), x.shape(), op, "axis2");
  if (a1 == a2) {
    throw ShapeError("pure::diagonal: axis1 and axis2 must differ, both are " + std::to_string(a1) + " for shape " +
                     x.shape().str());
  }
  std::vector<std::int64_t> perm, dims;
  for (int d = 0; d < x.rank(); ++d) {
    if (d != a1 && d != a2) {
      perm.push_back(d);
      dims.push_back(x.shape()[d]);
    }
  }
  perm.push_back(a1);
  perm.push_back(a2);
  const std::int64_t r = x.shape()[static_cast<int>(a1)], c = x.shape()[static_cast<int>(a2)];
  const std::int64_t len = std::max<std::int64_t>(0, offset >= 0 ? std::min(r, c - offset) : std::min(r + offset, c));
  std::vector<std::int64_t> flat_dims = dims;
  flat_dims.push_back(r * c);
  const Array flat = lax::reshape(lax::transpose(x, perm), Shape(flat_dims));
  std::vector<std::int64_t> start(flat_dims.size(), 0), limit = flat_dims, stride(flat_dims.size(), 1);
  const std::int64_t first = len == 0 ? 0 : (offset >= 0 ? offset : -offset * c);
  start.back() = first;
  limit.back() = len == 0 ? 0 : first + (len - 1) * (c + 1) + 1;
  stride.back() = c + 1;
  return lax::slice(flat, start, limit, stride);
}

Array diag(const Array& v, std::int64_t k) {
  const detail::Entry entry("pure::diag", {{"v", v}});
  if (v.rank() == 2) return diagonal(v, k, 0, 1);
  if (v.rank() != 1) {
    throw ShapeError("pure::diag: argument 'v' must be 1-D or 2-D, got shape " + v.shape().str());
  }
  // v's elements at flat positions first + i (n + 1) of the n x n result: a pad
  // with interior padding n (its transpose is the strided slice of diagonal).
  const std::int64_t m = v.shape()[0], n = m + (k < 0 ? -k : k);
  const std::int64_t first = m == 0 ? 0 : (k >= 0 ? k : -k * n);
  const std::int64_t used = m == 0 ? 0 : (m - 1) * (n + 1) + 1;
  const Array flat = lax::pad(v, pure::zeros({}, v.dtype()), {first}, {n * n - first - used}, {n});
  return lax::reshape(flat, Shape{n, n});
}

Array one_hot(const Array& indices, std::int64_t num_classes, DType dtype, std::int64_t axis) {
  const detail::Entry entry("pure::one_hot", {{"indices", indices}});
  if (num_classes < 0) {
    throw ValueError("pure::one_hot: argument 'num_classes' must be >= 0, got " + std::to_string(num_classes));
  }
  if (indices.dtype() == DType::boolean) {
    throw DTypeError("pure::one_hot: argument 'indices' must be numeric, got bool" + indices.shape().str());
  }
  const std::int64_t a = axis_of(axis, indices.rank() + 1, indices.shape(), "pure::one_hot", "axis");
  std::vector<std::int64_t> dims = indices.shape().dims(), keep;
  dims.insert(dims.begin() + a, num_classes);
  for (int d = 0; d <= indices.rank(); ++d) {
    if (d != a) keep.push_back(d);
  }
  const Shape out(dims);
  // Integer indices compare as int64 (no rounding); others in their own dtype.
  const DType cmp = is_floating(indices.dtype()) ? indices.dtype() : DType::i64;
  const Array lhs = lax::broadcast_in_dim(astype(indices, cmp), out, keep);
  return astype(lax::eq(lhs, lax::broadcasted_iota(cmp, out, a)), dtype);
}

}  // namespace pure
