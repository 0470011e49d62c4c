// Shape primitives: transpose, slice, pad, concatenate, iota. transpose and
// slice read their operand through an affine index map (strided.hpp); pad is
// slice's transpose and concatenate writes each operand into its slab.
#include <algorithm>

#include "rules.hpp"
#include "strided.hpp"

namespace pure::ops {
namespace {

using namespace detail;

void check_count(const char* op, const char* arg, const std::vector<std::int64_t>& v, const Aval& x) {
  if (static_cast<int>(v.size()) != x.shape.rank()) {
    throw ShapeError(std::string("pure::") + op + ": argument '" + arg + "' " + ints_text(v) +
                     " needs one entry per axis of operand " + x.str());
  }
}

// ---------------------------------------------------------------- transpose
std::vector<std::int64_t> inverse_permutation(const std::vector<std::int64_t>& perm) {
  std::vector<std::int64_t> inv(perm.size());
  for (std::size_t i = 0; i < perm.size(); ++i) inv[uz(perm[i])] = static_cast<std::int64_t>(i);
  return inv;
}

const ir::Primitive& transpose_p = ir::register_primitive([] {
  ir::Primitive p;
  p.name = "transpose";
  p.abstract_eval = [](const std::vector<Aval>& in, const Params& params) {
    const auto& perm = params.get_ints("permutation");
    const Shape& s = in.at(0).shape;
    std::vector<bool> seen(uz(s.rank()), false);
    bool ok = static_cast<int>(perm.size()) == s.rank();
    for (std::size_t i = 0; ok && i < perm.size(); ++i) {
      ok = perm[i] >= 0 && perm[i] < s.rank() && !seen[uz(perm[i])];
      if (ok) seen[uz(perm[i])] = true;
    }
    if (!ok) {
      throw ShapeError("pure::transpose: permutation " + ints_text(perm) +
                       " is not a permutation of the axes of operand " + in[0].str());
    }
    std::vector<std::int64_t> dims;
    for (auto a : perm) dims.push_back(s[static_cast<int>(a)]);
    return std::vector<Aval>{Aval{Shape(dims), in[0].dtype}};
  };
  p.impl = [](const Arrays& in, const Params& params) -> Arrays {
    const auto& perm = params.get_ints("permutation");
    const auto st = row_major_strides(in[0].shape());
    std::vector<std::int64_t> dims, strides;
    for (auto a : perm) {
      dims.push_back(in[0].shape()[static_cast<int>(a)]);
      strides.push_back(st[uz(a)]);
    }
    const Shape out(dims);
    return {strided_copy(in[0], out, strides, 0, "pure::transpose")};
  };
  p.jvp = [](const Arrays&, const Arrays& t, const Arrays&, const Params& params) -> Arrays {
    if (ir::is_zero(t[0])) return {Array()};
    return {lax::transpose(t[0], params.get_ints("permutation"))};
  };
  p.transpose = [](const Arrays& ct, const Arrays&, const std::vector<bool>&, const std::vector<Aval>&,
                   const Params& params) -> Arrays {
    if (ir::is_zero(ct[0])) return {Array()};
    return {lax::transpose(ct[0], inverse_permutation(params.get_ints("permutation")))};
  };
  return p;
}());

// ---------------------------------------------------------------- slice
std::int64_t sliced_extent(std::int64_t start, std::int64_t limit, std::int64_t stride) {
  return limit <= start ? 0 : (limit - start + stride - 1) / stride;
}

const ir::Primitive& slice_p = ir::register_primitive([] {
  ir::Primitive p;
  p.name = "slice";
  p.abstract_eval = [](const std::vector<Aval>& in, const Params& params) {
    const auto& start = params.get_ints("start_indices");
    const auto& limit = params.get_ints("limit_indices");
    const auto& strides = params.get_ints("strides");
    const Aval& x = in.at(0);
    check_count("slice", "start_indices", start, x);
    check_count("slice", "limit_indices", limit, x);
    check_count("slice", "strides", strides, x);
    std::vector<std::int64_t> dims;
    for (int d = 0; d < x.shape.rank(); ++d) {
      const std::int64_t b = start[uz(d)], e = limit[uz(d)], s = strides[uz(d)];
      if (b < 0 || e < b || e > x.shape[d] || s < 1) {
        throw ShapeError("pure::slice: axis " + std::to_string(d) + " needs 0 <= start <= limit <= " +
                         std::to_string(x.shape[d]) + " and stride >= 1, got start=" + std::to_string(b) +
                         " limit=" + std::to_string(e) + " stride=" + std::to_string(s) + " for operand " + x.str());
      }
      dims.push_back(sliced_extent(b, e, s));
    }
    return std::vector<Aval>{Aval{Shape(dims), x.dtype}};
  };
  p.impl = [](const Arrays& in, const Params& params) -> Arrays {
    const auto& start = params.get_ints("start_indices");
    const auto& limit = params.get_ints("limit_indices");
    const auto& step = params.get_ints("strides");
    const auto st = row_major_strides(in[0].shape());
    std::vector<std::int64_t> dims, strides;
    std::int64_t base = 0;
    for (std::size_t d = 0; d < st.size(); ++d) {
      dims.push_back(sliced_extent(start[d], limit[d], step[d]));
      strides.push_back(st[d] * step[d]);
      base += start[d] * st[d];
    }
    const Shape out(dims);
    return {strided_copy(in[0], out, strides, base, "pure::slice")};
  };
  p.jvp = [](const Arrays&, const Arrays& t, const Arrays&, const Params& params) -> Arrays {
    if (ir::is_zero(t[0])) return {Array()};
    return {lax::slice(t[0], params.get_ints("start_indices"), params.get_ints("limit_indices"),
                       params.get_ints("strides"))};
  };
  // The transpose puts the cotangent back where the slice read it and zeros
  // elsewhere: a pad whose interior padding skips the strided gaps (as jax).
  p.transpose = [](const Arrays& ct, const Arrays&, const std::vector<bool>&, const std::vector<Aval>& in_avals,
                   const Params& params) -> Arrays {
    if (ir::is_zero(ct[0])) return {Array()};
    const auto& start = params.get_ints("start_indices");
    const auto& step = params.get_ints("strides");
    const Shape& s = in_avals[0].shape;
    std::vector<std::int64_t> high, interior;
    for (int d = 0; d < s.rank(); ++d) {
      const std::int64_t n = ct[0].shape()[d];
      const std::int64_t real_limit = start[uz(d)] + (n == 0 ? 0 : (n - 1) * step[uz(d)] + 1);
      high.push_back(s[d] - real_limit);
      interior.push_back(step[uz(d)] - 1);
    }
    return {lax::pad(ct[0], pure::zeros({}, ct[0].dtype()), start, high, interior)};
  };
  return p;
}());

// ---------------------------------------------------------------- pad
// Output position c along an axis holds input element (c - low) / (interior + 1)
// when that division is exact and in range, else the padding value. Negative
// low/high crop.
struct PadMap {
  int rank = 0;
  std::int64_t out_dims[kMaxRank] = {};
  std::int64_t low[kMaxRank] = {};
  std::int64_t step[kMaxRank] = {};  // interior + 1
  std::int64_t in_dims[kMaxRank] = {};
  std::int64_t in_strides[kMaxRank] = {};
};

template <class T>
struct PadKernel {
  ConstView<T> in, value;
  MutableView<T> out;
  PadMap m;
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t i) const {
    std::int64_t rest = i, at = 0;
    bool inside = true;
    for (int d = m.rank - 1; d >= 0; --d) {
      const std::int64_t c = rest % m.out_dims[d] - m.low[d];
      rest /= m.out_dims[d];
      if (c < 0 || c % m.step[d] != 0 || c / m.step[d] >= m.in_dims[d]) {
        inside = false;
      } else {
        at += (c / m.step[d]) * m.in_strides[d];
      }
    }
    out(i) = inside ? in(at) : value(0);
  }
};

std::int64_t padded_extent(std::int64_t n, std::int64_t low, std::int64_t high, std::int64_t interior) {
  return low + high + n + (n > 0 ? (n - 1) * interior : 0);
}

const ir::Primitive& pad_p = ir::register_primitive([] {
  ir::Primitive p;
  p.name = "pad";
  p.abstract_eval = [](const std::vector<Aval>& in, const Params& params) {
    const Aval& x = in.at(0);
    const Aval& v = in.at(1);
    if (v.dtype != x.dtype) {
      throw DTypeError("pure::pad: argument 'padding_value' must have the operand's dtype " +
                       std::string(dtype_name(x.dtype)) + ", got " + v.str());
    }
    if (v.shape.rank() != 0) {
      throw ShapeError("pure::pad: argument 'padding_value' must be a scalar (rank 0), got " + v.str());
    }
    const auto& low = params.get_ints("low");
    const auto& high = params.get_ints("high");
    const auto& interior = params.get_ints("interior");
    check_count("pad", "low", low, x);
    check_count("pad", "high", high, x);
    check_count("pad", "interior", interior, x);
    std::vector<std::int64_t> dims;
    for (int d = 0; d < x.shape.rank(); ++d) {
      const std::int64_t n = padded_extent(x.shape[d], low[uz(d)], high[uz(d)], interior[uz(d)]);
      if (interior[uz(d)] < 0 || n < 0) {
        throw ShapeError(
            "pure::pad: axis " + std::to_string(d) + " of operand " + x.str() +
            " needs interior >= 0 and a non-negative padded extent, got low=" + std::to_string(low[uz(d)]) +
            " high=" + std::to_string(high[uz(d)]) + " interior=" + std::to_string(interior[uz(d)]));
      }
      dims.push_back(n);
    }
    return std::vector<Aval>{Aval{Shape(dims), x.dtype}};
  };
  p.impl = [](const Arrays& in, const Params& params) -> Arrays {
    const char* label = "pure::pad";
    const auto& low = params.get_ints("low");
    const auto& high = params.get_ints("high");
    const auto& interior = params.get_ints("interior");
    const Shape& s = in[0].shape();
    if (s.rank() > kMaxRank) {
      throw ShapeError("pure::pad: rank of operand " + s.str() + " exceeds the supported maximum of " +
                       std::to_string(kMaxRank));
    }
    const auto st = row_major_strides(s);
    PadMap m;
    m.rank = s.rank();
    std::vector<std::int64_t> dims;
    for (int d = 0; d < s.rank(); ++d) {
      m.out_dims[d] = padded_extent(s[d], low[uz(d)], high[uz(d)], interior[uz(d)]);
      m.low[d] = low[uz(d)];
      m.step[d] = interior[uz(d)] + 1;
      m.in_dims[d] = s[d];
      m.in_strides[d] = st[uz(d)];
      dims.push_back(m.out_dims[d]);
    }
    Array out = Array::allocate(Shape(dims), in[0].dtype(), label);
    dispatch<Types::all>(in[0].dtype(), label, [&](auto tag) {
      using T = decltype(tag);
      Kokkos::parallel_for(label, Policy(0, out.size()),
                           PadKernel<T>{in[0].view<T>(label), in[1].view<T>(label), out.mutable_view<T>(label), m});
      return 0;
    });
    return {out};
  };
  p.jvp = [](const Arrays& x, const Arrays& t, const Arrays&, const Params& params) -> Arrays {
    if (ir::is_zero(t[0]) && ir::is_zero(t[1])) return {Array()};
    const Array to = ir::is_zero(t[0]) ? pure::zeros(x[0].shape(), x[0].dtype()) : t[0];
    const Array tv = ir::is_zero(t[1]) ? pure::zeros({}, x[0].dtype()) : t[1];
    return {lax::pad(to, tv, params.get_ints("low"), params.get_ints("high"), params.get_ints("interior"))};
  };
  // Operand: undo the edge padding (a pad by -low, -high), then step over the
  // interior padding with a strided slice (as jax's _pad_transpose). Padding
  // value: the sum of the cotangent over the padded positions, taken through a
  // 0/1 mask rather than sum(ct) - sum(ct_operand) to avoid cancellation.
  p.transpose = [](const Arrays& ct, const Arrays&, const std::vector<bool>& linear, const std::vector<Aval>& in_avals,
                   const Params& params) -> Arrays {
    if (ir::is_zero(ct[0])) return {Array(), Array()};
    const auto& low = params.get_ints("low");
    const auto& high = params.get_ints("high");
    const auto& interior = params.get_ints("interior");
    const Aval& x = in_avals[0];
    Arrays out(2);
    if (linear[0]) {
      std::vector<std::int64_t> neg_low, neg_high, zeros(low.size(), 0), step, limit;
      for (std::size_t d = 0; d < low.size(); ++d) {
        neg_low.push_back(-low[d]);
        neg_high.push_back(-high[d]);
        step.push_back(interior[d] + 1);
      }
      const Array unpadded = lax::pad(ct[0], pure::zeros({}, x.dtype), neg_low, neg_high, zeros);
      out[0] = lax::slice(unpadded, zeros, unpadded.shape().dims(), step);
    }
    if (linear[1]) {
      const Array mask = lax::pad(pure::zeros(x.shape, x.dtype), pure::ones({}, x.dtype), low, high, interior);
      std::vector<std::int64_t> all;
      for (int d = 0; d < x.shape.rank(); ++d) all.push_back(d);
      out[1] = lax::reduce_sum(lax::mul(ct[0], mask), all);
    }
    return out;
  };
  return p;
}());

// ---------------------------------------------------------------- concatenate
// Writes operand element i to out[map(i)]: the operand's coordinates at the
// output's strides, shifted along the concatenation axis.
template <class T>
struct PlaceKernel {
  ConstView<T> in;
  MutableView<T> out;
  IndexMap map;
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t i) const { out(map(i)) = in(i); }
};

const ir::Primitive& concatenate_p = ir::register_primitive([] {
  ir::Primitive p;
  p.name = "concatenate";
  p.abstract_eval = [](const std::vector<Aval>& in, const Params& params) {
    const std::int64_t dim = params.get_int("dimension");
    if (in.empty()) throw ShapeError("pure::concatenate: needs at least one operand");
    const Aval& first = in[0];
    if (dim < 0 || dim >= first.shape.rank()) {
      throw ShapeError("pure::concatenate: dimension " + std::to_string(dim) + " is out of range for operand 0 " +
                       first.str());
    }
    std::vector<std::int64_t> dims = first.shape.dims();
    dims[uz(dim)] = 0;
    for (std::size_t k = 0; k < in.size(); ++k) {
      bool ok = in[k].dtype == first.dtype && in[k].shape.rank() == first.shape.rank();
      for (int d = 0; ok && d < first.shape.rank(); ++d) ok = d == dim || in[k].shape[d] == first.shape[d];
      if (!ok) {
        throw ShapeError("pure::concatenate: operand " + std::to_string(k) + " " + in[k].str() +
                         " must match operand 0 " + first.str() + " in dtype and in every axis but dimension " +
                         std::to_string(dim));
      }
      dims[uz(dim)] += in[k].shape[static_cast<int>(dim)];
    }
    return std::vector<Aval>{Aval{Shape(dims), first.dtype}};
  };
  p.impl = [](const Arrays& in, const Params& params) -> Arrays {
    const char* label = "pure::concatenate";
    const std::int64_t dim = params.get_int("dimension");
    std::vector<std::int64_t> dims = in[0].shape().dims();
    dims[uz(dim)] = 0;
    for (const Array& a : in) dims[uz(dim)] += a.shape()[static_cast<int>(dim)];
    const Shape out_shape(dims);
    const auto st = row_major_strides(out_shape);
    Array out = Array::allocate(out_shape, in[0].dtype(), label);
    std::int64_t offset = 0;
    for (const Array& a : in) {
      const IndexMap map = make_index_map(a.shape(), st, offset * st[uz(dim)], "concatenate");
      dispatch<Types::all>(a.dtype(), label, [&](auto tag) {
        using T = decltype(tag);
        Kokkos::parallel_for(label, Policy(0, a.size()),
                             PlaceKernel<T>{a.view<T>(label), out.mutable_view<T>(label), map});
        return 0;
      });
      offset += a.shape()[static_cast<int>(dim)];
    }
    return {out};
  };
  p.jvp = [](const Arrays& x, const Arrays& t, const Arrays&, const Params& params) -> Arrays {
    if (std::all_of(t.begin(), t.end(), [](const Array& a) { return ir::is_zero(a); })) return {Array()};
    Arrays ts;
    for (std::size_t k = 0; k < x.size(); ++k) {
      ts.push_back(ir::is_zero(t[k]) ? pure::zeros(x[k].shape(), x[k].dtype()) : t[k]);
    }
    return {lax::concatenate(ts, params.get_int("dimension"))};
  };
  p.transpose = [](const Arrays& ct, const Arrays&, const std::vector<bool>& linear, const std::vector<Aval>& in_avals,
                   const Params& params) -> Arrays {
    Arrays out(in_avals.size());
    if (ir::is_zero(ct[0])) return out;
    const std::int64_t dim = params.get_int("dimension");
    const Shape& s = ct[0].shape();
    std::vector<std::int64_t> start(uz(s.rank()), 0);
    std::vector<std::int64_t> limit = s.dims();
    std::int64_t offset = 0;
    for (std::size_t k = 0; k < in_avals.size(); ++k) {
      const std::int64_t n = in_avals[k].shape[static_cast<int>(dim)];
      if (linear[k]) {
        start[uz(dim)] = offset;
        limit[uz(dim)] = offset + n;
        out[k] = lax::slice(ct[0], start, limit);
      }
      offset += n;
    }
    return out;
  };
  return p;
}());

// ---------------------------------------------------------------- iota
template <class T>
struct IotaKernel {
  MutableView<T> out;
  std::int64_t extent, inner;  // extent of `dimension`, elements per step along it
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t i) const { out(i) = static_cast<T>((i / inner) % extent); }
};

const ir::Primitive& iota_p = ir::register_primitive([] {
  ir::Primitive p;
  p.name = "iota";
  p.abstract_eval = [](const std::vector<Aval>& in, const Params& params) {
    const DType dtype = params.get<DType>("dtype");
    const Shape shape(params.get_ints("shape"));
    const std::int64_t dim = params.get_int("dimension");
    if (!in.empty()) throw Error("pure::iota: takes no operands, got " + std::to_string(in.size()));
    if (dtype == DType::boolean) throw DTypeError("pure::iota: argument 'dtype' must be numeric, got bool");
    if (dim < 0 || dim >= shape.rank()) {
      throw ShapeError("pure::iota: dimension " + std::to_string(dim) + " is out of range for shape " + shape.str());
    }
    return std::vector<Aval>{Aval{shape, dtype}};
  };
  p.impl = [](const Arrays&, const Params& params) -> Arrays {
    const char* label = "pure::iota";
    const DType dtype = params.get<DType>("dtype");
    const Shape shape(params.get_ints("shape"));
    const std::int64_t dim = params.get_int("dimension");
    std::int64_t inner = 1;
    for (int d = static_cast<int>(dim) + 1; d < shape.rank(); ++d) inner *= shape[d];
    Array out = Array::allocate(shape, dtype, label);
    dispatch<Types::numeric>(dtype, label, [&](auto tag) {
      using T = decltype(tag);
      Kokkos::parallel_for(label, Policy(0, out.size()),
                           IotaKernel<T>{out.mutable_view<T>(label), shape[static_cast<int>(dim)], inner});
      return 0;
    });
    return {out};
  };
  p.jvp = [](const Arrays&, const Arrays&, const Arrays&, const Params&) -> Arrays { return {Array()}; };
  return p;
}());

}  // namespace
}  // namespace pure::ops

namespace pure::lax {

Array transpose(const Array& x, const std::vector<std::int64_t>& permutation) {
  bool identity = static_cast<int>(permutation.size()) == x.rank();
  for (std::size_t i = 0; identity && i < permutation.size(); ++i)
    identity = permutation[i] == static_cast<std::int64_t>(i);
  if (identity) return x;
  return ir::bind1(ops::transpose_p, {x}, ir::Params{{"permutation", permutation}});
}

Array slice(const Array& x, const std::vector<std::int64_t>& start_indices,
            const std::vector<std::int64_t>& limit_indices, const std::vector<std::int64_t>& strides) {
  const std::vector<std::int64_t> step = strides.empty() ? std::vector<std::int64_t>(start_indices.size(), 1) : strides;
  bool identity = static_cast<int>(start_indices.size()) == x.rank() && limit_indices == x.shape().dims() &&
                  step.size() == start_indices.size();
  for (std::size_t i = 0; identity && i < step.size(); ++i) identity = start_indices[i] == 0 && step[i] == 1;
  if (identity) return x;
  return ir::bind1(ops::slice_p, {x},
                   ir::Params{{"start_indices", start_indices}, {"limit_indices", limit_indices}, {"strides", step}});
}

Array pad(const Array& x, const Array& padding_value, const std::vector<std::int64_t>& low,
          const std::vector<std::int64_t>& high, const std::vector<std::int64_t>& interior) {
  const std::vector<std::int64_t> inner = interior.empty() ? std::vector<std::int64_t>(low.size(), 0) : interior;
  bool identity = static_cast<int>(low.size()) == x.rank() && high.size() == low.size() && inner.size() == low.size() &&
                  padding_value.rank() == 0 && padding_value.dtype() == x.dtype();
  for (std::size_t i = 0; identity && i < low.size(); ++i) identity = low[i] == 0 && high[i] == 0 && inner[i] == 0;
  if (identity) return x;
  return ir::bind1(ops::pad_p, {x, padding_value}, ir::Params{{"low", low}, {"high", high}, {"interior", inner}});
}

Array concatenate(const std::vector<Array>& operands, std::int64_t dimension) {
  if (operands.size() == 1 && dimension >= 0 && dimension < operands[0].rank()) return operands[0];
  return ir::bind1(ops::concatenate_p, operands, ir::Params{{"dimension", dimension}});
}

Array iota(DType dtype, std::int64_t size) {
  if (size < 0) throw ShapeError("pure::iota: argument 'size' must be >= 0, got " + std::to_string(size));
  return broadcasted_iota(dtype, Shape{size}, 0);
}

Array broadcasted_iota(DType dtype, const Shape& shape, std::int64_t dimension) {
  return ir::bind1(ops::iota_p, {}, ir::Params{{"dtype", dtype}, {"shape", shape.dims()}, {"dimension", dimension}});
}

}  // namespace pure::lax
