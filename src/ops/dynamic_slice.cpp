// Reverse and dynamic slices: rev, dynamic_slice, dynamic_update_slice (as
// jax.lax). rev is an affine copy with negative strides; the dynamic slices read
// their start indices inside the kernel (one int64 operand, one entry per axis),
// so they stay data under tracing and never cost a host round trip.
//
// Start indices follow jax: a negative start counts from the end (start +
// extent), then it is clamped to [0, extent - size] so that the block fits.
// dynamic_slice and dynamic_update_slice are each other's transposes.
#include <pure/ops/numpy.hpp>  // declares lax::rev and the dynamic slices

#include <algorithm>

#include "rules.hpp"
#include "strided.hpp"

namespace pure::ops {
namespace {

using namespace detail;

// ---------------------------------------------------------------- rev
const ir::Primitive& rev_p = ir::register_primitive([] {
  ir::Primitive p;
  p.name = "rev";
  p.abstract_eval = [](const std::vector<Aval>& in, const Params& params) {
    const auto& dims = params.get_ints("dimensions");
    const Aval& x = in.at(0);
    for (std::size_t i = 0; i < dims.size(); ++i) {
      if (dims[i] < 0 || dims[i] >= x.shape.rank() || (i > 0 && dims[i] <= dims[i - 1])) {
        throw ShapeError("pure::rev: dimensions " + ints_text(dims) + " must be increasing axes of operand " + x.str());
      }
    }
    return std::vector<Aval>{x};
  };
  p.impl = [](const Arrays& in, const Params& params) -> Arrays {
    const Shape& s = in[0].shape();
    auto strides = row_major_strides(s);
    std::int64_t base = 0;
    for (const std::int64_t d : params.get_ints("dimensions")) {
      if (s[static_cast<int>(d)] > 0) base += (s[static_cast<int>(d)] - 1) * strides[uz(d)];
      strides[uz(d)] = -strides[uz(d)];
    }
    return {strided_copy(in[0], s, strides, base, "pure::rev")};
  };
  // Linear and its own transpose.
  p.jvp = [](const Arrays&, const Arrays& t, const Arrays&, const Params& params) -> Arrays {
    if (ir::is_zero(t[0])) return {Array()};
    return {lax::rev(t[0], params.get_ints("dimensions"))};
  };
  p.transpose = [](const Arrays& ct, const Arrays&, const std::vector<bool>&, const std::vector<Aval>&,
                   const Params& params) -> Arrays {
    if (ir::is_zero(ct[0])) return {Array()};
    return {lax::rev(ct[0], params.get_ints("dimensions"))};
  };
  return p;
}());

// ---------------------------------------------------------------- shared
// The placement of a block of extents `block` inside an operand of extents
// `dims`, at start indices read from `starts` (wrapped, then clamped).
struct Block {
  int rank = 0;
  std::int64_t dims[kMaxRank] = {};
  std::int64_t block[kMaxRank] = {};
  std::int64_t strides[kMaxRank] = {};  // operand's row-major strides

  KOKKOS_INLINE_FUNCTION std::int64_t start(const ConstView<std::int64_t>& starts, int d) const {
    std::int64_t s = starts(d);
    if (s < 0) s += dims[d];
    const std::int64_t hi = dims[d] - block[d];
    return s < 0 ? 0 : (s > hi ? hi : s);
  }
};

Block make_block(const Shape& operand, const Shape& block, const char* op) {
  if (operand.rank() > kMaxRank) {
    throw ShapeError(std::string("pure::") + op + ": rank of operand " + operand.str() +
                     " exceeds the supported maximum of " + std::to_string(kMaxRank));
  }
  const auto st = row_major_strides(operand);
  Block b;
  b.rank = operand.rank();
  for (int d = 0; d < b.rank; ++d) {
    b.dims[d] = operand[d];
    b.block[d] = block[d];
    b.strides[d] = st[uz(d)];
  }
  return b;
}

// `starts` must be int64 of shape (rank,): the public functions pack them so.
void check_starts(const char* op, const Aval& starts, const Aval& x) {
  if (starts.dtype != DType::i64 || starts.shape != Shape{x.shape.rank()}) {
    throw ShapeError(std::string("pure::") + op + ": start indices " + starts.str() +
                     " must be int64 with one entry per axis of operand " + x.str());
  }
}

Array bind_dynamic_slice(const Array& x, const Array& starts, const std::vector<std::int64_t>& sizes);
Array bind_dynamic_update_slice(const Array& x, const Array& update, const Array& starts);

// ---------------------------------------------------------------- dynamic_slice
template <class T>
struct DynamicSliceKernel {
  ConstView<T> x;
  ConstView<std::int64_t> starts;
  MutableView<T> out;
  Block b;
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t i) const {
    std::int64_t rest = i, at = 0;
    for (int d = b.rank - 1; d >= 0; --d) {
      const std::int64_t c = rest % b.block[d];
      rest /= b.block[d];
      at += (b.start(starts, d) + c) * b.strides[d];
    }
    out(i) = x(at);
  }
};

const ir::Primitive& dynamic_slice_p = ir::register_primitive([] {
  ir::Primitive p;
  p.name = "dynamic_slice";
  p.abstract_eval = [](const std::vector<Aval>& in, const Params& params) {
    const Aval& x = in.at(0);
    check_starts("dynamic_slice", in.at(1), x);
    const auto& sizes = params.get_ints("slice_sizes");
    bool ok = static_cast<int>(sizes.size()) == x.shape.rank();
    for (int d = 0; ok && d < x.shape.rank(); ++d) ok = sizes[uz(d)] >= 0 && sizes[uz(d)] <= x.shape[d];
    if (!ok) {
      throw ShapeError("pure::dynamic_slice: slice_sizes " + ints_text(sizes) + " need one entry per axis of operand " +
                       x.str() + ", each in [0, extent]");
    }
    return std::vector<Aval>{Aval{Shape(sizes), x.dtype}};
  };
  p.impl = [](const Arrays& in, const Params& params) -> Arrays {
    const char* label = "pure::dynamic_slice";
    const Shape out_shape(params.get_ints("slice_sizes"));
    Array out = Array::allocate(out_shape, in[0].dtype(), label);
    if (out.size() == 0) return {out};
    const Block b = make_block(in[0].shape(), out_shape, "dynamic_slice");
    dispatch<Types::all>(in[0].dtype(), label, [&](auto tag) {
      using T = decltype(tag);
      Kokkos::parallel_for(
          label, Policy(0, out.size()),
          DynamicSliceKernel<T>{in[0].view<T>(label), in[1].view<std::int64_t>(label), out.mutable_view<T>(label), b});
      return 0;
    });
    return {out};
  };
  p.jvp = [](const Arrays& x, const Arrays& t, const Arrays&, const Params& params) -> Arrays {
    if (ir::is_zero(t[0])) return {Array()};
    return {bind_dynamic_slice(t[0], x[1], params.get_ints("slice_sizes"))};
  };
  // The cotangent goes back where the block was read, zeros elsewhere.
  p.transpose = [](const Arrays& ct, const Arrays& args, const std::vector<bool>& linear,
                   const std::vector<Aval>& in_avals, const Params&) -> Arrays {
    if (linear[1]) throw Error("pure::dynamic_slice: transpose with respect to the start indices (not linear)");
    if (ir::is_zero(ct[0])) return {Array(), Array()};
    const Array zeros = pure::zeros(in_avals[0].shape, in_avals[0].dtype);
    return {bind_dynamic_update_slice(zeros, ct[0], args[1]), Array()};
  };
  return p;
}());

// ---------------------------------------------------------------- dynamic_update_slice
template <class T>
struct DynamicUpdateSliceKernel {
  ConstView<T> x, update;
  ConstView<std::int64_t> starts;
  MutableView<T> out;
  Block b;
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t i) const {
    std::int64_t rest = i, at = 0, stride = 1;
    bool inside = true;
    for (int d = b.rank - 1; d >= 0; --d) {
      const std::int64_t c = rest % b.dims[d] - b.start(starts, d);
      rest /= b.dims[d];
      inside = inside && c >= 0 && c < b.block[d];
      at += c * stride;
      stride *= b.block[d];
    }
    out(i) = inside ? update(at) : x(i);
  }
};

const ir::Primitive& dynamic_update_slice_p = ir::register_primitive([] {
  ir::Primitive p;
  p.name = "dynamic_update_slice";
  p.abstract_eval = [](const std::vector<Aval>& in, const Params&) {
    const Aval& x = in.at(0);
    const Aval& u = in.at(1);
    check_starts("dynamic_update_slice", in.at(2), x);
    bool ok = u.dtype == x.dtype && u.shape.rank() == x.shape.rank();
    for (int d = 0; ok && d < x.shape.rank(); ++d) ok = u.shape[d] <= x.shape[d];
    if (!ok) {
      throw ShapeError("pure::dynamic_update_slice: update " + u.str() + " must have the dtype and rank of operand " +
                       x.str() + " and no larger extents");
    }
    return std::vector<Aval>{x};
  };
  p.impl = [](const Arrays& in, const Params&) -> Arrays {
    const char* label = "pure::dynamic_update_slice";
    Array out = Array::allocate(in[0].shape(), in[0].dtype(), label);
    if (out.size() == 0) return {out};
    const Block b = make_block(in[0].shape(), in[1].shape(), "dynamic_update_slice");
    dispatch<Types::all>(in[0].dtype(), label, [&](auto tag) {
      using T = decltype(tag);
      Kokkos::parallel_for(label, Policy(0, out.size()),
                           DynamicUpdateSliceKernel<T>{in[0].view<T>(label), in[1].view<T>(label),
                                                       in[2].view<std::int64_t>(label), out.mutable_view<T>(label), b});
      return 0;
    });
    return {out};
  };
  p.jvp = [](const Arrays& x, const Arrays& t, const Arrays&, const Params&) -> Arrays {
    if (ir::is_zero(t[0]) && ir::is_zero(t[1])) return {Array()};
    const Array tx = ir::is_zero(t[0]) ? pure::zeros(x[0].shape(), x[0].dtype()) : t[0];
    const Array tu = ir::is_zero(t[1]) ? pure::zeros(x[1].shape(), x[1].dtype()) : t[1];
    return {bind_dynamic_update_slice(tx, tu, x[2])};
  };
  // Operand: the cotangent with the updated block zeroed; update: that block.
  p.transpose = [](const Arrays& ct, const Arrays& args, const std::vector<bool>& linear,
                   const std::vector<Aval>& in_avals, const Params&) -> Arrays {
    if (linear[2]) throw Error("pure::dynamic_update_slice: transpose with respect to the start indices (not linear)");
    if (ir::is_zero(ct[0])) return {Array(), Array(), Array()};
    Arrays out(3);
    if (linear[0]) {
      out[0] = bind_dynamic_update_slice(ct[0], pure::zeros(in_avals[1].shape, in_avals[1].dtype), args[2]);
    }
    if (linear[1]) out[1] = bind_dynamic_slice(ct[0], args[2], in_avals[1].shape.dims());
    return out;
  };
  return p;
}());

Array bind_dynamic_slice(const Array& x, const Array& starts, const std::vector<std::int64_t>& sizes) {
  return ir::bind1(dynamic_slice_p, {x, starts}, ir::Params{{"slice_sizes", sizes}});
}

Array bind_dynamic_update_slice(const Array& x, const Array& update, const Array& starts) {
  return ir::bind1(dynamic_update_slice_p, {x, update, starts});
}

// One int64 vector from the per-axis scalar start indices.
Array pack_starts(const char* op, const Array& x, const std::vector<Array>& starts) {
  if (static_cast<int>(starts.size()) != x.rank()) {
    throw ShapeError(std::string("pure::") + op + ": needs one start index per axis of operand " + x.shape().str() +
                     ", got " + std::to_string(starts.size()));
  }
  if (starts.empty()) return pure::zeros(Shape{0}, DType::i64);
  std::vector<Array> parts;
  for (std::size_t d = 0; d < starts.size(); ++d) {
    const Array& s = starts[d];
    if (!s.valid() || s.rank() != 0 || !is_integer(s.dtype())) {
      throw DTypeError(
          std::string("pure::") + op + ": start index " + std::to_string(d) + " must be a scalar integer array, got " +
          (s.valid() ? std::string(dtype_name(s.dtype())) + s.shape().str() : std::string("an empty Array")));
    }
    parts.push_back(lax::reshape(lax::convert_element_type(s, DType::i64), Shape{1}));
  }
  return lax::concatenate(parts, 0);
}

Array host_starts(const std::vector<std::int64_t>& starts) { return pure::from_host(starts); }

// numpy's wrap-then-clamp of one start, for the host-integer overloads.
std::int64_t clamp_start(std::int64_t s, std::int64_t n, std::int64_t size) {
  if (s < 0) s += n;
  return std::clamp<std::int64_t>(s, 0, std::max<std::int64_t>(n - size, 0));
}

}  // namespace
}  // namespace pure::ops

namespace pure::lax {

Array rev(const Array& x, const std::vector<std::int64_t>& dimensions) {
  if (dimensions.empty()) return x;
  return ir::bind1(ops::rev_p, {x}, ir::Params{{"dimensions", dimensions}});
}

Array dynamic_slice(const Array& x, const std::vector<Array>& start_indices,
                    const std::vector<std::int64_t>& slice_sizes) {
  return ops::bind_dynamic_slice(x, ops::pack_starts("dynamic_slice", x, start_indices), slice_sizes);
}

Array dynamic_slice(const Array& x, const std::vector<std::int64_t>& start_indices,
                    const std::vector<std::int64_t>& slice_sizes) {
  if (static_cast<int>(start_indices.size()) != x.rank() || slice_sizes.size() != start_indices.size()) {
    throw ShapeError("pure::dynamic_slice: needs one start index and one slice size per axis of operand " +
                     x.shape().str() + ", got start_indices " + ops::detail::ints_text(start_indices) +
                     " and slice_sizes " + ops::detail::ints_text(slice_sizes));
  }
  // Known starts: a static slice (whose transpose is a pad).
  std::vector<std::int64_t> start, limit;
  for (int d = 0; d < x.rank(); ++d) {
    const std::int64_t n = x.shape()[d], size = slice_sizes[static_cast<std::size_t>(d)];
    if (size < 0 || size > n) {
      throw ShapeError("pure::dynamic_slice: slice size " + std::to_string(size) + " of axis " + std::to_string(d) +
                       " is not in [0, " + std::to_string(n) + "] for operand " + x.shape().str());
    }
    start.push_back(ops::clamp_start(start_indices[static_cast<std::size_t>(d)], n, size));
    limit.push_back(start.back() + size);
  }
  return slice(x, start, limit);
}

Array dynamic_update_slice(const Array& x, const Array& update, const std::vector<Array>& start_indices) {
  return ops::bind_dynamic_update_slice(x, update, ops::pack_starts("dynamic_update_slice", x, start_indices));
}

Array dynamic_update_slice(const Array& x, const Array& update, const std::vector<std::int64_t>& start_indices) {
  if (static_cast<int>(start_indices.size()) != x.rank()) {
    throw ShapeError("pure::dynamic_update_slice: needs one start index per axis of operand " + x.shape().str() +
                     ", got " + ops::detail::ints_text(start_indices));
  }
  return ops::bind_dynamic_update_slice(x, update, ops::host_starts(start_indices));
}

}  // namespace pure::lax
