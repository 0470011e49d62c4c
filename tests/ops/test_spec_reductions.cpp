// Spec table of the reductions and contractions: reduce_sum, reduce_max,
// reduce_min over several axis sets (including extents over one 256-element
// block), argmax/argmin, cumsum, dot_general. The checks are in
// test_spec_elementwise.cpp; summation orders are tested bitwise in
// test_determinism.cpp.
#include <algorithm>

#include "spec_table.hpp"

namespace spec {
namespace {

namespace lax = pure::lax;

enum class Reducer { sum, max, min };

HostRef reduce_ref(std::vector<std::int64_t> axes, Reducer how) {
  return [axes, how](const std::vector<Host>& in, DType) {
    const Host& x = in.at(0);
    std::vector<std::int64_t> kept;
    for (int d = 0; d < x.shape.rank(); ++d) {
      if (std::find(axes.begin(), axes.end(), d) == axes.end()) kept.push_back(x.shape[d]);
    }
    Host out{Shape(kept), {}};
    out.v.assign(static_cast<std::size_t>(out.shape.size()), 0);
    std::vector<bool> seen(out.v.size(), false);
    for (std::int64_t i = 0; i < x.shape.size(); ++i) {
      const auto idx = unravel(i, x.shape);
      std::vector<std::int64_t> o;
      for (int d = 0; d < x.shape.rank(); ++d) {
        if (std::find(axes.begin(), axes.end(), d) == axes.end()) o.push_back(idx[static_cast<std::size_t>(d)]);
      }
      const auto at = static_cast<std::size_t>(ravel(o, out.shape));
      const LD v = x.v[static_cast<std::size_t>(i)];
      if (how == Reducer::sum) {
        out.v[at] += v;
      } else if (!seen[at]) {
        out.v[at] = v;
      } else {
        out.v[at] = how == Reducer::max ? std::max(out.v[at], v) : std::min(out.v[at], v);
      }
      seen[at] = true;
    }
    return out;
  };
}

Row reduction(const std::string& prim, Reducer how, Shape shape, std::vector<std::int64_t> axes) {
  std::string name = prim + "_" + std::to_string(shape.rank()) + "d";
  for (std::int64_t d : shape.dims()) name += "_" + std::to_string(d);
  name += "_axes";
  for (std::int64_t a : axes) name += "_" + std::to_string(a);
  Row r;
  r.name = name;
  r.prim = prim;
  // Sums of positive terms: the relative error bound does not blow up by cancellation.
  r.args = {how == Reducer::sum ? real(shape, 0.5, 2) : real(shape, -3, 3)};
  r.op = [prim, axes](const Args& a) {
    return prim == "reduce_sum"   ? lax::reduce_sum(a[0], axes)
           : prim == "reduce_max" ? lax::reduce_max(a[0], axes)
                                  : lax::reduce_min(a[0], axes);
  };
  r.ref = reduce_ref(axes, how);
  r.dtypes = kNumeric;
  r.accuracy = how == Reducer::sum ? Accuracy::accumulated : Accuracy::exact;
  r.diff = how == Reducer::sum ? Diff::linear : Diff::piecewise;
  return r;
}

// First index of the extremum along `axis` (ties: the first).
HostRef arg_ref(std::int64_t axis, bool is_max) {
  return [axis, is_max](const std::vector<Host>& in, DType) {
    const Host& x = in.at(0);
    std::vector<std::int64_t> dims = x.shape.dims();
    dims.erase(dims.begin() + axis);
    Host out{Shape(dims), std::vector<LD>(static_cast<std::size_t>(Shape(dims).size()))};
    for (std::int64_t o = 0; o < out.shape.size(); ++o) {
      auto j = unravel(o, out.shape);
      j.insert(j.begin() + axis, 0);
      std::int64_t best = 0;
      for (std::int64_t k = 0; k < x.shape[static_cast<int>(axis)]; ++k) {
        j[static_cast<std::size_t>(axis)] = k;
        const LD v = x.v[static_cast<std::size_t>(ravel(j, x.shape))];
        j[static_cast<std::size_t>(axis)] = best;
        const LD b = x.v[static_cast<std::size_t>(ravel(j, x.shape))];
        if (is_max ? v > b : v < b) best = k;
      }
      out.v[static_cast<std::size_t>(o)] = static_cast<LD>(best);
    }
    return out;
  };
}

// Inclusive running sum along `axis` (from the end when reverse).
HostRef cumsum_ref(std::int64_t axis, bool reverse) {
  return [axis, reverse](const std::vector<Host>& in, DType) {
    Host out = in.at(0);
    const std::int64_t n = out.shape[static_cast<int>(axis)];
    // Sweep in scan order so each element adds its finished predecessor.
    for (std::int64_t t = 1; t < n; ++t) {
      for (std::int64_t i = 0; i < out.shape.size(); ++i) {
        auto j = unravel(i, out.shape);
        const std::int64_t k = j[static_cast<std::size_t>(axis)];
        if (k != (reverse ? n - 1 - t : t)) continue;
        j[static_cast<std::size_t>(axis)] = reverse ? k + 1 : k - 1;
        out.v[static_cast<std::size_t>(i)] += out.v[static_cast<std::size_t>(ravel(j, out.shape))];
      }
    }
    return out;
  };
}

using Dims = std::vector<std::int64_t>;

// out[batch, x free, y free] = sum over the contracted positions of x * y.
HostRef dot_general_ref(Dims xc, Dims yc, Dims xb, Dims yb) {
  return [=](const std::vector<Host>& in, DType) {
    const Host &x = in.at(0), &y = in.at(1);
    auto free_axes = [](int rank, const Dims& c, const Dims& b) {
      Dims f;
      for (int d = 0; d < rank; ++d) {
        if (std::find(c.begin(), c.end(), d) == c.end() && std::find(b.begin(), b.end(), d) == b.end()) f.push_back(d);
      }
      return f;
    };
    const Dims xf = free_axes(x.shape.rank(), xc, xb), yf = free_axes(y.shape.rank(), yc, yb);
    Dims dims, cdims;
    for (std::int64_t d : xb) dims.push_back(x.shape[static_cast<int>(d)]);
    for (std::int64_t d : xf) dims.push_back(x.shape[static_cast<int>(d)]);
    for (std::int64_t d : yf) dims.push_back(y.shape[static_cast<int>(d)]);
    for (std::int64_t d : xc) cdims.push_back(x.shape[static_cast<int>(d)]);
    const Shape out_shape(dims), c_shape(cdims);
    Host out{out_shape, std::vector<LD>(static_cast<std::size_t>(out_shape.size()), 0)};
    for (std::int64_t o = 0; o < out_shape.size(); ++o) {
      const Dims oi = unravel(o, out_shape);
      for (std::int64_t c = 0; c < c_shape.size(); ++c) {
        const Dims ci = unravel(c, c_shape);
        Dims xi(static_cast<std::size_t>(x.shape.rank())), yi(static_cast<std::size_t>(y.shape.rank()));
        std::size_t at = 0;
        for (std::size_t k = 0; k < xb.size(); ++k, ++at) {
          xi[static_cast<std::size_t>(xb[k])] = oi[at];
          yi[static_cast<std::size_t>(yb[k])] = oi[at];
        }
        for (std::int64_t d : xf) xi[static_cast<std::size_t>(d)] = oi[at++];
        for (std::int64_t d : yf) yi[static_cast<std::size_t>(d)] = oi[at++];
        for (std::size_t k = 0; k < xc.size(); ++k) {
          xi[static_cast<std::size_t>(xc[k])] = ci[k];
          yi[static_cast<std::size_t>(yc[k])] = ci[k];
        }
        out.v[static_cast<std::size_t>(o)] +=
            x.v[static_cast<std::size_t>(ravel(xi, x.shape))] * y.v[static_cast<std::size_t>(ravel(yi, y.shape))];
      }
    }
    return out;
  };
}

Row plain(std::string name, std::string prim, std::vector<Arg> args, std::function<Array(const Args&)> op, HostRef ref,
          Diff diff, Accuracy accuracy) {
  return make_row(std::move(name), std::move(prim), std::move(args), std::move(op), std::move(ref), diff, accuracy);
}

}  // namespace

std::vector<Row> reduction_rows() {
  std::vector<Row> rows;
  const std::pair<const char*, Reducer> kinds[] = {
      {"reduce_sum", Reducer::sum}, {"reduce_max", Reducer::max}, {"reduce_min", Reducer::min}};
  for (const auto& [prim, how] : kinds) {
    rows.push_back(reduction(prim, how, Shape{3, 4}, {0}));
    rows.push_back(reduction(prim, how, Shape{3, 4}, {1}));
    rows.push_back(reduction(prim, how, Shape{3, 4}, {0, 1}));
    rows.push_back(reduction(prim, how, Shape{2, 3, 4}, {0, 2}));
    rows.push_back(reduction(prim, how, Shape{2, 3, 4}, {1}));
    // More than one block of 256: the second level of the canonical order.
    rows.push_back(reduction(prim, how, Shape{600}, {0}));
    rows.push_back(reduction(prim, how, Shape{300, 3}, {0}));
  }

  // ---- argmax / argmin: whole numbers in [-2, 2], so ties occur (the first index wins)
  for (const bool is_max : {true, false}) {
    const std::string prim = is_max ? "argmax" : "argmin";
    for (const auto& [axis, index_dtype] : {std::pair{0, DType::i32}, std::pair{1, DType::i64}}) {
      Row r = plain(
          prim + "_axis" + std::to_string(axis) + "_" + pure::ir::short_dtype_name(index_dtype), prim,
          {whole(Shape{4, 5}, -2, 2)},
          [is_max, axis = axis, index_dtype = index_dtype](const Args& a) {
            return is_max ? lax::argmax(a[0], axis, index_dtype) : lax::argmin(a[0], axis, index_dtype);
          },
          arg_ref(axis, is_max), Diff::zero, Accuracy::exact);
      r.out_dtype = [index_dtype = index_dtype](DType) { return index_dtype; };
      rows.push_back(std::move(r));
    }
  }

  // ---- cumsum (linear; its transpose is the reversed cumsum)
  auto cumsum_row = [&](std::string name, Shape shape, std::int64_t axis, bool reverse) {
    rows.push_back(plain(
        std::move(name), "cumsum", {real(shape, 0.5, 2)},
        [axis, reverse](const Args& a) { return lax::cumsum(a[0], axis, reverse); }, cumsum_ref(axis, reverse),
        Diff::linear, Accuracy::accumulated));
  };
  cumsum_row("cumsum_1d", Shape{7}, 0, false);
  cumsum_row("cumsum_2d_axis1_reverse", Shape{3, 4}, 1, true);
  cumsum_row("cumsum_2d_axis0", Shape{4, 3}, 0, false);
  cumsum_row("cumsum_over_one_block", Shape{600}, 0, false);
  cumsum_row("cumsum_over_one_block_reverse", Shape{2, 300}, 1, true);

  // ---- dot_general: bilinear (smooth); with one operand held fixed it is linear
  auto dot_row = [&](std::string name, Shape xs, Shape ys, Dims xc, Dims yc, Dims xb, Dims yb, Diff diff = Diff::smooth,
                     bool fix_x = false, bool fix_y = false) {
    Arg x = real(xs, 0.5, 2), y = real(ys, 0.5, 2);  // positive: no cancellation in the forward check
    x.fixed = fix_x;
    y.fixed = fix_y;
    rows.push_back(plain(
        std::move(name), "dot_general", {x, y},
        [=](const Args& a) {
          return lax::dot_general(a[0], a[1], {xc, yc}, {xb, yb});
        },
        dot_general_ref(xc, yc, xb, yb), diff, Accuracy::accumulated));
  };
  dot_row("dot_general_matmul", Shape{3, 4}, Shape{4, 2}, {1}, {0}, {}, {});
  dot_row("dot_general_vector_dot", Shape{5}, Shape{5}, {0}, {0}, {}, {});
  dot_row("dot_general_outer", Shape{3}, Shape{2}, {}, {}, {}, {});
  dot_row("dot_general_contract_leading", Shape{4, 3}, Shape{4, 2}, {0}, {0}, {}, {});
  dot_row("dot_general_batched", Shape{2, 3, 4}, Shape{2, 4, 5}, {2}, {1}, {0}, {0});
  dot_row("dot_general_two_contractions", Shape{2, 3, 4}, Shape{4, 2, 5}, {0, 2}, {1, 0}, {}, {});
  dot_row("dot_general_long_contraction", Shape{2, 600}, Shape{600, 2}, {1}, {0}, {}, {});
  dot_row("dot_general_lhs_linear", Shape{3, 4}, Shape{4, 2}, {1}, {0}, {}, {}, Diff::linear, false, true);
  dot_row("dot_general_rhs_linear", Shape{2, 3, 4}, Shape{2, 4, 5}, {2}, {1}, {0}, {0}, Diff::linear, true, false);
  return rows;
}

PURE_SPEC_INSTANTIATE(Reductions, reduction_rows);

}  // namespace spec
