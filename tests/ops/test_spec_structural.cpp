// Spec table of the structural primitives: select, convert_element_type,
// broadcast_in_dim, reshape, stop_gradient, transpose, slice, pad, concatenate,
// iota, gather, scatter_add. The checks are in test_spec_elementwise.cpp.
#include <algorithm>

#include "spec_table.hpp"

namespace spec {
namespace {

namespace lax = pure::lax;

Row structural(std::string name, std::string prim, std::vector<Arg> args, std::function<Array(const Args&)> op,
               HostRef ref, Diff diff, std::vector<DType> dtypes = kNumeric) {
  return make_row(std::move(name), std::move(prim), std::move(args), std::move(op), std::move(ref), diff,
                  Accuracy::exact,  // data movement
                  std::move(dtypes));
}

HostRef identity_ref(Shape out) {
  return [out](const std::vector<Host>& in, DType) { return Host{out, in.at(0).v}; };
}

// out[idx] = in[j] with j_i = idx[dims[i]] (0 along the operand's extent-1 axes).
HostRef broadcast_ref(Shape shape, std::vector<std::int64_t> dims) {
  return [shape, dims](const std::vector<Host>& in, DType) {
    const Host& x = in.at(0);
    Host out{shape, std::vector<LD>(static_cast<std::size_t>(shape.size()))};
    for (std::int64_t i = 0; i < shape.size(); ++i) {
      const auto idx = unravel(i, shape);
      std::vector<std::int64_t> j(dims.size());
      for (std::size_t k = 0; k < dims.size(); ++k) {
        j[k] = x.shape[static_cast<int>(k)] == 1 ? 0 : idx[static_cast<std::size_t>(dims[k])];
      }
      out.v[static_cast<std::size_t>(i)] = x.v[static_cast<std::size_t>(ravel(j, x.shape))];
    }
    return out;
  };
}

// out[idx] = in[j] with j[perm[i]] = idx[i].
HostRef transpose_ref(std::vector<std::int64_t> perm) {
  return [perm](const std::vector<Host>& in, DType) {
    const Host& x = in.at(0);
    std::vector<std::int64_t> dims;
    for (std::int64_t p : perm) dims.push_back(x.shape[static_cast<int>(p)]);
    Host out{Shape(dims), std::vector<LD>(x.v.size())};
    for (std::int64_t i = 0; i < out.shape.size(); ++i) {
      const auto idx = unravel(i, out.shape);
      std::vector<std::int64_t> j(perm.size());
      for (std::size_t k = 0; k < perm.size(); ++k) j[static_cast<std::size_t>(perm[k])] = idx[k];
      out.v[static_cast<std::size_t>(i)] = x.v[static_cast<std::size_t>(ravel(j, x.shape))];
    }
    return out;
  };
}

// out[idx] = in[start + idx * stride].
HostRef slice_ref(std::vector<std::int64_t> start, std::vector<std::int64_t> limit, std::vector<std::int64_t> stride) {
  return [=](const std::vector<Host>& in, DType) {
    const Host& x = in.at(0);
    std::vector<std::int64_t> dims;
    for (std::size_t d = 0; d < start.size(); ++d) dims.push_back((limit[d] - start[d] + stride[d] - 1) / stride[d]);
    Host out{Shape(dims), std::vector<LD>(static_cast<std::size_t>(Shape(dims).size()))};
    for (std::int64_t i = 0; i < out.shape.size(); ++i) {
      auto j = unravel(i, out.shape);
      for (std::size_t d = 0; d < j.size(); ++d) j[d] = start[d] + j[d] * stride[d];
      out.v[static_cast<std::size_t>(i)] = x.v[static_cast<std::size_t>(ravel(j, x.shape))];
    }
    return out;
  };
}

// Element i of axis d lands at low + i * (interior + 1); the rest is the padding value.
HostRef pad_ref(std::vector<std::int64_t> low, std::vector<std::int64_t> high, std::vector<std::int64_t> interior) {
  return [=](const std::vector<Host>& in, DType) {
    const Host& x = in.at(0);
    const LD value = in.at(1).v.at(0);
    std::vector<std::int64_t> dims;
    for (int d = 0; d < x.shape.rank(); ++d) {
      const std::int64_t n = x.shape[d];
      dims.push_back(low[d] + n + std::max<std::int64_t>(n - 1, 0) * interior[d] + high[d]);
    }
    Host out{Shape(dims), std::vector<LD>(static_cast<std::size_t>(Shape(dims).size()), value)};
    for (std::int64_t i = 0; i < x.shape.size(); ++i) {
      auto j = unravel(i, x.shape);
      bool inside = true;
      for (std::size_t d = 0; d < j.size(); ++d) {
        j[d] = low[d] + j[d] * (interior[d] + 1);
        inside = inside && j[d] >= 0 && j[d] < dims[d];
      }
      if (inside) out.v[static_cast<std::size_t>(ravel(j, out.shape))] = x.v[static_cast<std::size_t>(i)];
    }
    return out;
  };
}

HostRef concatenate_ref(std::int64_t axis) {
  return [axis](const std::vector<Host>& in, DType) {
    std::vector<std::int64_t> dims = in.at(0).shape.dims();
    dims[static_cast<std::size_t>(axis)] = 0;
    for (const Host& h : in) dims[static_cast<std::size_t>(axis)] += h.shape[static_cast<int>(axis)];
    Host out{Shape(dims), std::vector<LD>(static_cast<std::size_t>(Shape(dims).size()))};
    std::int64_t offset = 0;
    for (const Host& h : in) {
      for (std::int64_t i = 0; i < h.shape.size(); ++i) {
        auto j = unravel(i, h.shape);
        j[static_cast<std::size_t>(axis)] += offset;
        out.v[static_cast<std::size_t>(ravel(j, out.shape))] = h.v[static_cast<std::size_t>(i)];
      }
      offset += h.shape[static_cast<int>(axis)];
    }
    return out;
  };
}

HostRef iota_ref(Shape shape, std::int64_t dimension) {
  return [shape, dimension](const std::vector<Host>&, DType) {
    Host out{shape, std::vector<LD>(static_cast<std::size_t>(shape.size()))};
    for (std::int64_t i = 0; i < shape.size(); ++i) {
      out.v[static_cast<std::size_t>(i)] = static_cast<LD>(unravel(i, shape)[static_cast<std::size_t>(dimension)]);
    }
    return out;
  };
}

std::int64_t clamp(LD k, std::int64_t n) {
  return std::min<std::int64_t>(std::max<std::int64_t>(static_cast<std::int64_t>(k), 0), n - 1);
}

// The index for position `at` of a target of shape `target`, reading indices
// that may have extent 1 (broadcast) on axes other than `axis`.
LD index_at(const Host& indices, std::vector<std::int64_t> at) {
  for (int d = 0; d < indices.shape.rank(); ++d) {
    if (indices.shape[d] == 1) at[static_cast<std::size_t>(d)] = 0;
  }
  return indices.v[static_cast<std::size_t>(ravel(at, indices.shape))];
}

// gather(x, idx, axis)[p] = x[p with axis replaced by clamp(idx[p])].
HostRef gather_ref(std::int64_t axis, std::int64_t m) {
  return [axis, m](const std::vector<Host>& in, DType) {
    const Host &x = in.at(0), &idx = in.at(1);
    std::vector<std::int64_t> dims = x.shape.dims();
    dims[static_cast<std::size_t>(axis)] = m;
    Host out{Shape(dims), std::vector<LD>(static_cast<std::size_t>(Shape(dims).size()))};
    for (std::int64_t i = 0; i < out.shape.size(); ++i) {
      auto j = unravel(i, out.shape);
      const auto a = static_cast<std::size_t>(axis);
      j[a] = clamp(index_at(idx, unravel(i, out.shape)), x.shape[static_cast<int>(axis)]);
      out.v[static_cast<std::size_t>(i)] = x.v[static_cast<std::size_t>(ravel(j, x.shape))];
    }
    return out;
  };
}

// scatter_add(op, idx, upd, axis): op plus each upd[p] at p with axis replaced by clamp(idx[p]).
HostRef scatter_add_ref(std::int64_t axis) {
  return [axis](const std::vector<Host>& in, DType) {
    Host out = in.at(0);
    const Host &idx = in.at(1), &upd = in.at(2);
    for (std::int64_t i = 0; i < upd.shape.size(); ++i) {
      auto j = unravel(i, upd.shape);
      j[static_cast<std::size_t>(axis)] =
          clamp(index_at(idx, unravel(i, upd.shape)), out.shape[static_cast<int>(axis)]);
      out.v[static_cast<std::size_t>(ravel(j, out.shape))] += upd.v[static_cast<std::size_t>(i)];
    }
    return out;
  };
}

}  // namespace

std::vector<Row> structural_rows() {
  std::vector<Row> rows;
  auto add = [&](Row r) { rows.push_back(std::move(r)); };
  const Shape s{3, 4};

  // ---- select: linear in the two branches, the predicate is data
  const ScalarRef choose = [](const std::vector<LD>& x, DType) { return x[0] != 0 ? x[1] : x[2]; };
  add(structural(
      "select", "select", {predicate(s), real(s, -3, 3), real(s, -3, 3)},
      [](const Args& a) { return lax::select(a[0], a[1], a[2]); }, map_ref(choose), Diff::linear));
  // With a constant branch the op is affine, not linear: no transpose identity,
  // but its linearization transposes select with one linear branch.
  add(structural(
      "select_constant_false_branch", "select", {predicate(s), real(s, -3, 3), fixed_real(s, -3, 3)},
      [](const Args& a) { return lax::select(a[0], a[1], a[2]); }, map_ref(choose), Diff::smooth, kFloats));

  // ---- convert_element_type
  const ScalarRef same = [](const std::vector<LD>& x, DType) { return x[0]; };  // rounded to the result dtype
  auto convert_row = [&](std::string name, Arg arg, DType to, Diff diff, std::vector<DType> from) {
    Row r = structural(
        std::move(name), "convert_element_type", {std::move(arg)},
        [to](const Args& a) { return lax::convert_element_type(a[0], to); }, map_ref(same), diff, std::move(from));
    r.out_dtype = [to](DType) { return to; };
    return r;
  };
  {
    // Widening is exact and linear; its derivative checks run in f32.
    Row r = convert_row("convert_to_f64", real(s, -3, 3), DType::f64, Diff::linear, {DType::f32, DType::i32});
    r.deriv_dtype = DType::f32;
    add(std::move(r));
  }
  add(convert_row("convert_to_f32", real(s, -3, 3), DType::f32, Diff::linear, {DType::f64, DType::i32}));
  // Float to integer truncates toward zero (static_cast); the derivative is zero.
  add(convert_row("convert_to_i32", real(s, -5, 5), DType::i32, Diff::zero, {DType::f32, DType::f64}));
  add(convert_row("convert_to_i64", real(s, -5, 5), DType::i64, Diff::zero, {DType::f64, DType::i32}));
  add(convert_row("convert_to_u32", real(s, 0, 50), DType::u32, Diff::zero, {DType::f64, DType::i32}));
  add(convert_row("convert_to_bool", whole(s, -1, 1), DType::boolean, Diff::zero, {DType::f32, DType::i32}));
  add(convert_row("convert_bool_to_f32", predicate(s), DType::f32, Diff::none, {DType::f32}));

  // ---- broadcast_in_dim
  auto bcast = [&](std::string name, Shape from, Shape to, std::vector<std::int64_t> dims) {
    add(structural(
        std::move(name), "broadcast_in_dim", {real(from, -3, 3)},
        [to, dims](const Args& a) { return lax::broadcast_in_dim(a[0], to, dims); }, broadcast_ref(to, dims),
        Diff::linear));
  };
  bcast("broadcast_in_dim_new_leading_axis", Shape{3}, Shape{2, 3}, {1});
  bcast("broadcast_in_dim_new_trailing_axis", Shape{3}, Shape{3, 2}, {0});
  bcast("broadcast_in_dim_expand_ones", Shape{3, 1}, Shape{3, 4}, {0, 1});
  bcast("broadcast_in_dim_scalar", Shape{}, Shape{2, 3}, {});
  bcast("broadcast_in_dim_middle_axis", Shape{2, 3}, Shape{2, 4, 3}, {0, 2});
  bcast("broadcast_in_dim_mixed", Shape{1, 3}, Shape{2, 5, 3}, {1, 2});

  // ---- reshape
  auto reshape_row = [&](std::string name, Shape from, Shape to) {
    add(structural(
        std::move(name), "reshape", {real(from, -3, 3)}, [to](const Args& a) { return lax::reshape(a[0], to); },
        identity_ref(to), Diff::linear));
  };
  reshape_row("reshape_2x3_to_3x2", Shape{2, 3}, Shape{3, 2});
  reshape_row("reshape_flat_to_3d", Shape{6}, Shape{1, 2, 3});
  reshape_row("reshape_3d_to_flat", Shape{2, 3, 2}, Shape{12});
  reshape_row("reshape_scalar_to_1x1", Shape{}, Shape{1, 1});

  // ---- stop_gradient: identity whose derivative is zero by definition
  add(structural(
      "stop_gradient", "stop_gradient", {real(s, -3, 3)}, [](const Args& a) { return lax::stop_gradient(a[0]); },
      identity_ref(s), Diff::zero, kFloats));

  // ---- transpose
  auto transpose_row = [&](std::string name, Shape from, std::vector<std::int64_t> perm) {
    add(structural(
        std::move(name), "transpose", {real(from, -3, 3)}, [perm](const Args& a) { return lax::transpose(a[0], perm); },
        transpose_ref(perm), Diff::linear));
  };
  transpose_row("transpose_2d", Shape{2, 3}, {1, 0});
  transpose_row("transpose_3d", Shape{2, 3, 4}, {2, 0, 1});
  transpose_row("transpose_3d_swap_last", Shape{2, 3, 4}, {0, 2, 1});

  // ---- slice
  auto slice_row = [&](std::string name, Shape from, std::vector<std::int64_t> start, std::vector<std::int64_t> limit,
                       std::vector<std::int64_t> stride) {
    add(structural(
        std::move(name), "slice", {real(from, -3, 3)},
        [=](const Args& a) { return lax::slice(a[0], start, limit, stride); }, slice_ref(start, limit, stride),
        Diff::linear));
  };
  slice_row("slice_2d_strided", Shape{5, 6}, {1, 0}, {4, 6}, {1, 2});
  slice_row("slice_1d_stride_3", Shape{10}, {2}, {9}, {3});
  slice_row("slice_2d_unit", Shape{4, 4}, {1, 1}, {3, 4}, {1, 1});

  // ---- pad: linear in the operand and the padding value together
  auto pad_row = [&](std::string name, Shape from, std::vector<std::int64_t> low, std::vector<std::int64_t> high,
                     std::vector<std::int64_t> interior) {
    add(structural(
        std::move(name), "pad", {real(from, -3, 3), real(Shape{}, -3, 3)},
        [=](const Args& a) { return lax::pad(a[0], a[1], low, high, interior); }, pad_ref(low, high, interior),
        Diff::linear));
  };
  pad_row("pad_1d_interior", Shape{3}, {1}, {2}, {1});
  pad_row("pad_2d", Shape{2, 3}, {1, 0}, {0, 2}, {0, 0});
  pad_row("pad_2d_negative_low_and_interior", Shape{2, 3}, {0, -1}, {1, 0}, {0, 1});

  // ---- concatenate (variadic)
  auto concat_row = [&](std::string name, std::vector<Shape> shapes, std::int64_t axis) {
    std::vector<Arg> args;
    for (const Shape& sh : shapes) args.push_back(real(sh, -3, 3));
    add(structural(
        std::move(name), "concatenate", std::move(args), [axis](const Args& a) { return lax::concatenate(a, axis); },
        concatenate_ref(axis), Diff::linear));
  };
  concat_row("concatenate_axis1", {Shape{2, 3}, Shape{2, 1}}, 1);
  concat_row("concatenate_three_axis0", {Shape{1, 2}, Shape{2, 2}, Shape{3, 2}}, 0);

  // ---- iota: no operands; the dtype is the case's
  auto iota_row = [&](std::string name, Shape shape, std::int64_t dimension) {
    Row r = structural(std::move(name), "iota", {}, nullptr, iota_ref(shape, dimension), Diff::none,
                       {DType::f32, DType::f64, DType::i32, DType::u32, DType::i64});
    r.constant = [shape, dimension](DType d) { return lax::broadcasted_iota(d, shape, dimension); };
    add(std::move(r));
  };
  iota_row("iota_1d", Shape{7}, 0);
  iota_row("broadcasted_iota_dim1", Shape{2, 3}, 1);
  iota_row("broadcasted_iota_dim0", Shape{3, 2, 2}, 0);
  {
    Row r = structural("iota", "iota", {}, nullptr, iota_ref(Shape{5}, 0), Diff::none, {DType::i32, DType::f32});
    r.constant = [](DType d) { return lax::iota(d, 5); };
    add(std::move(r));
  }

  // ---- gather / scatter_add along one axis; indices outside [0, n) are clamped
  add(structural(
      "gather_axis0", "gather", {real(Shape{4, 3}, -3, 3), indices(Shape{2, 3}, 0, 3)},
      [](const Args& a) { return lax::gather(a[0], a[1], 0); }, gather_ref(0, 2), Diff::linear));
  add(structural(
      "gather_axis1_broadcast_clamped", "gather", {real(Shape{3, 5}, -3, 3), indices(Shape{1, 4}, -2, 6)},
      [](const Args& a) { return lax::gather(a[0], a[1], 1); }, gather_ref(1, 4), Diff::linear));
  {
    // Repeated indices make several updates hit one element: an accumulated sum.
    Row r = structural(
        "scatter_add_axis0", "scatter_add",
        {real(Shape{4, 3}, -3, 3), indices(Shape{6, 3}, 0, 3), real(Shape{6, 3}, -3, 3)},
        [](const Args& a) { return lax::scatter_add(a[0], a[1], a[2], 0); }, scatter_add_ref(0), Diff::linear);
    r.accuracy = Accuracy::accumulated;
    r.args[0].lo = r.args[2].lo = 0.5;  // positive terms: no cancellation in the forward check
    add(std::move(r));
    Row q = structural(
        "scatter_add_axis1_broadcast_clamped", "scatter_add",
        {real(Shape{3, 4}, 0.5, 3), indices(Shape{1, 6}, -1, 5), real(Shape{3, 6}, 0.5, 3)},
        [](const Args& a) { return lax::scatter_add(a[0], a[1], a[2], 1); }, scatter_add_ref(1), Diff::linear);
    q.accuracy = Accuracy::accumulated;
    add(std::move(q));
  }
  return rows;
}

PURE_SPEC_INSTANTIATE(Structural, structural_rows);

}  // namespace spec
