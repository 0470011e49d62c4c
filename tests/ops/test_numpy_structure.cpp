// Slicing, products and construction (src/ops/numpy_structure.cpp, einsum.cpp,
// dynamic_slice.cpp): the spec rows of rev / dynamic_slice / dynamic_update_slice,
// then every numpy-level op against a plain host loop written here, its JVP
// against central differences, the VJP identity, second derivatives, errors, and
// a few values printed by real JAX (tests/data/make_structure_reference.py).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <pure/pure.hpp>

#include "ops_test_util.hpp"
#include "spec_table.hpp"

// ================================================================ spec rows
namespace spec {
namespace {

namespace lax = pure::lax;

Row moving(std::string name, std::string prim, std::vector<Arg> args, std::function<Array(const Args&)> op,
           HostRef ref) {
  return make_row(std::move(name), std::move(prim), std::move(args), std::move(op), std::move(ref), Diff::linear,
                  Accuracy::exact);  // data movement
}

// out[idx] = x[idx with the listed axes mirrored].
HostRef rev_ref(std::vector<std::int64_t> dims) {
  return [dims](const std::vector<Host>& in, DType) {
    const Host& x = in.at(0);
    Host out{x.shape, x.v};
    for (std::int64_t i = 0; i < x.shape.size(); ++i) {
      auto j = unravel(i, x.shape);
      for (auto d : dims)
        j[static_cast<std::size_t>(d)] = x.shape[static_cast<int>(d)] - 1 - j[static_cast<std::size_t>(d)];
      out.v[static_cast<std::size_t>(i)] = x.v[static_cast<std::size_t>(ravel(j, x.shape))];
    }
    return out;
  };
}

// jax's start: negative + extent, then clamped into [0, n - size].
std::int64_t jax_start(LD s, std::int64_t n, std::int64_t size) {
  auto k = static_cast<std::int64_t>(s);
  if (k < 0) k += n;
  return std::max<std::int64_t>(0, std::min(k, n - size));
}

HostRef dynamic_slice_ref(std::vector<std::int64_t> sizes) {
  return [sizes](const std::vector<Host>& in, DType) {
    const Host &x = in.at(0), &starts = in.at(1);
    const Shape out_shape(sizes);
    Host out{out_shape, std::vector<LD>(static_cast<std::size_t>(out_shape.size()))};
    for (std::int64_t i = 0; i < out_shape.size(); ++i) {
      auto j = unravel(i, out_shape);
      for (std::size_t d = 0; d < j.size(); ++d) {
        j[d] += jax_start(starts.v[d], x.shape[static_cast<int>(d)], sizes[d]);
      }
      out.v[static_cast<std::size_t>(i)] = x.v[static_cast<std::size_t>(ravel(j, x.shape))];
    }
    return out;
  };
}

HostRef dynamic_update_slice_ref() {
  return [](const std::vector<Host>& in, DType) {
    Host out = in.at(0);
    const Host &u = in.at(1), &starts = in.at(2);
    for (std::int64_t i = 0; i < u.shape.size(); ++i) {
      auto j = unravel(i, u.shape);
      for (std::size_t d = 0; d < j.size(); ++d) {
        j[d] += jax_start(starts.v[d], out.shape[static_cast<int>(d)], u.shape[static_cast<int>(d)]);
      }
      out.v[static_cast<std::size_t>(ravel(j, out.shape))] = u.v[static_cast<std::size_t>(i)];
    }
    return out;
  };
}

// The (rank,) int32 argument as one scalar per axis, as lax::dynamic_slice takes them.
std::vector<Array> split_starts(const Array& starts) {
  std::vector<Array> out;
  for (std::int64_t d = 0; d < starts.size(); ++d)
    out.push_back(lax::reshape(lax::slice(starts, {d}, {d + 1}), Shape{}));
  return out;
}

}  // namespace

std::vector<Row> structure_rows() {
  std::vector<Row> rows;
  auto rev_row = [&](std::string name, Shape shape, std::vector<std::int64_t> dims) {
    rows.push_back(moving(
        std::move(name), "rev", {real(shape, -3, 3)}, [dims](const Args& a) { return lax::rev(a[0], dims); },
        rev_ref(dims)));
  };
  rev_row("rev_1d", Shape{7}, {0});
  rev_row("rev_3d_outer_and_inner", Shape{2, 3, 4}, {0, 2});
  rev_row("rev_2d_middle_of_3", Shape{3, 4, 2}, {1});

  // Starts drawn in [-6, 6]: negative ones wrap, large ones clamp.
  auto ds_row = [&](std::string name, Shape shape, std::vector<std::int64_t> sizes) {
    const auto rank = static_cast<std::int64_t>(shape.rank());
    rows.push_back(moving(
        std::move(name), "dynamic_slice", {real(shape, -3, 3), indices(Shape{rank}, -6, 6)},
        [sizes](const Args& a) { return lax::dynamic_slice(a[0], split_starts(a[1]), sizes); },
        dynamic_slice_ref(sizes)));
  };
  ds_row("dynamic_slice_1d", Shape{6}, {3});
  ds_row("dynamic_slice_2d", Shape{4, 5}, {2, 3});
  ds_row("dynamic_slice_3d_full_axis", Shape{3, 2, 4}, {1, 2, 3});

  auto dus_row = [&](std::string name, Shape shape, Shape update) {
    const auto rank = static_cast<std::int64_t>(shape.rank());
    rows.push_back(moving(
        std::move(name), "dynamic_update_slice", {real(shape, -3, 3), real(update, -3, 3), indices(Shape{rank}, -6, 6)},
        [](const Args& a) { return lax::dynamic_update_slice(a[0], a[1], split_starts(a[2])); },
        dynamic_update_slice_ref()));
  };
  dus_row("dynamic_update_slice_1d", Shape{6}, Shape{2});
  dus_row("dynamic_update_slice_2d", Shape{4, 5}, Shape{3, 2});
  return rows;
}

PURE_SPEC_INSTANTIATE(Structure, structure_rows);

}  // namespace spec

// ================================================================ numpy-level ops
namespace {

using pure::Array;
using pure::DType;
using pure::none;
using pure::s;
using pure::Shape;
namespace lax = pure::lax;
using namespace pure_test;

Array f64(const std::vector<double>& v, const Shape& shape) { return pure::from_host(v, shape); }
// 0, 1, ..., n-1 as float64 of `shape`.
Array iota64(const Shape& shape) {
  return pure::reshape(pure::arange(0.0, static_cast<double>(shape.size()), 1.0, DType::f64), shape);
}

void expect_values(const Array& got, const Shape& shape, const std::vector<double>& want, const std::string& what,
                   double tol = 0) {
  ASSERT_EQ(got.shape(), shape) << what;
  const auto g = host(got);
  ASSERT_EQ(g.size(), want.size()) << what;
  for (std::size_t i = 0; i < g.size(); ++i) EXPECT_NEAR(g[i], want[i], tol) << what << " element " << i;
}

// ---------------------------------------------------------------- host reference of x[...]

// CPython's slice.indices(n) followed by range(): the positions a slice takes.
std::vector<std::int64_t> python_range(const pure::Slice& sl, std::int64_t n) {
  const std::int64_t step = sl.step.value_or(1);
  std::int64_t start, stop;
  if (step > 0) {
    auto adjust = [n](std::int64_t v) { return v < 0 ? std::max<std::int64_t>(v + n, 0) : std::min(v, n); };
    start = sl.start ? adjust(*sl.start) : 0;
    stop = sl.stop ? adjust(*sl.stop) : n;
  } else {
    auto adjust = [n](std::int64_t v) { return v < 0 ? std::max<std::int64_t>(v + n, -1) : std::min(v, n - 1); };
    start = sl.start ? adjust(*sl.start) : n - 1;
    stop = sl.stop ? adjust(*sl.stop) : -1;
  }
  std::vector<std::int64_t> out;
  for (std::int64_t i = start; step > 0 ? i < stop : i > stop; i += step) out.push_back(i);
  return out;
}

// x[index] by enumeration: per axis the list of positions it takes (one for an
// integer, which then drops the axis; none for newaxis).
Array index_reference(const Array& x, std::vector<pure::Index> idx) {
  int consumed = 0;
  for (const auto& i : idx) {
    if (!std::holds_alternative<pure::NewAxis>(i.value()) && !std::holds_alternative<pure::EllipsisIndex>(i.value())) {
      ++consumed;
    }
  }
  std::vector<pure::Index> full;
  bool had_ellipsis = false;
  for (const auto& i : idx) {
    if (std::holds_alternative<pure::EllipsisIndex>(i.value())) {
      had_ellipsis = true;
      for (int k = consumed; k < x.rank(); ++k) full.emplace_back(pure::s());
    } else {
      full.push_back(i);
    }
  }
  if (!had_ellipsis) {
    for (int k = consumed; k < x.rank(); ++k) full.emplace_back(pure::s());
  }
  std::vector<std::vector<std::int64_t>> take(static_cast<std::size_t>(x.rank()));
  std::vector<std::int64_t> out_dims;
  int axis = 0;
  for (const auto& i : full) {
    if (std::holds_alternative<pure::NewAxis>(i.value())) {
      out_dims.push_back(1);
      continue;
    }
    const std::int64_t n = x.shape()[axis];
    auto& t = take[static_cast<std::size_t>(axis)];
    if (const auto* sl = std::get_if<pure::Slice>(&i.value())) {
      t = python_range(*sl, n);
      out_dims.push_back(static_cast<std::int64_t>(t.size()));
    } else {
      std::int64_t k = std::get<std::int64_t>(i.value());
      if (k < 0) k += n;
      t = {std::max<std::int64_t>(0, std::min(k, n - 1))};  // jax clamps
    }
    ++axis;
  }
  std::vector<std::int64_t> kept_dims;
  for (const auto& t : take) kept_dims.push_back(static_cast<std::int64_t>(t.size()));
  const Shape kept(kept_dims);
  const auto hx = host(x);
  std::vector<double> out(static_cast<std::size_t>(kept.size()));
  for (std::int64_t i = 0; i < kept.size(); ++i) {
    auto c = coords(i, kept);
    for (std::size_t d = 0; d < c.size(); ++d) c[d] = take[d][static_cast<std::size_t>(c[d])];
    out[static_cast<std::size_t>(i)] = hx[static_cast<std::size_t>(flat(c, x.shape()))];
  }
  return f64(out, Shape(out_dims));
}

void expect_index(const Array& x, const std::vector<pure::Index>& idx, const std::string& what) {
  const Array got = pure::index(x, idx), want = index_reference(x, idx);
  ASSERT_EQ(got.shape(), want.shape()) << what;
  EXPECT_EQ(host(got), host(want)) << what;
}

TEST(Index, EverySliceFormMatchesAHostEnumeration) {
  const Array x = iota64({4, 5, 6});
  using I = std::vector<pure::Index>;
  const std::vector<std::pair<std::string, I>> cases = {
      {"x[1:-1, :, 3]", {s(1, -1), s(), 3}},
      {"x[::-1]", {s(none, none, -1)}},
      {"x[::-2, 4:0:-3, -1::-4]", {s(none, none, -2), s(4, 0, -3), s(-1, none, -4)}},
      {"x[-100:100, 7:2, 2::2]", {s(-100, 100), s(7, 2), s(2, none, 2)}},
      {"x[10:-10:-1]", {s(10, -10, -1)}},
      {"x[..., 0]", {pure::ellipsis, 0}},
      {"x[None, 1, ..., None, -2]", {pure::newaxis, 1, pure::ellipsis, pure::newaxis, -2}},
      {"x[1, 2, 3]", {1, 2, 3}},
      {"x[-1, ..., None]", {-1, pure::ellipsis, pure::newaxis}},
      {"x[]", {}},
      {"x[...]", {pure::ellipsis}},
      {"x[9, -9]  (clamped as jax)", {9, -9}},
      {"x[:, 3:3]  (empty)", {s(), s(3, 3)}},
      {"x[:, :, 5:1:-1]", {s(), s(), s(5, 1, -1)}},
  };
  for (const auto& [what, idx] : cases) expect_index(x, idx, what);
  // Any integer type indexes (no ambiguity between int, int64_t, size_t).
  const std::size_t two = 2;
  const unsigned one = 1;
  const long long minus_one = -1;
  EXPECT_EQ(host(pure::index(x, two, one, minus_one)), host(pure::index(x, 2, 1, 5)));
  // The variadic spelling is the same call.
  EXPECT_EQ(host(pure::index(x, s(1, -1), s(), 3, pure::newaxis)),
            host(pure::index(x, I{s(1, -1), s(), 3, pure::newaxis})));
}

TEST(Index, MatchesJaxValues) {
  // Values printed by tests/data/make_structure_reference.py (x = arange(24.).reshape(2, 3, 4)).
  const Array x = iota64({2, 3, 4});
  expect_values(pure::index(x, s(1, none), s(none, none, -2), 3), Shape{1, 2}, {23, 15}, "x[1:, ::-2, 3]");
  expect_values(pure::index(x, pure::ellipsis, pure::newaxis, -1), Shape{2, 3, 1}, {3, 7, 11, 15, 19, 23},
                "x[..., None, -1]");
  expect_values(pure::index(x, s(-5, 10), 2, s(1, -1, 2)), Shape{2, 1}, {9, 21}, "x[-5:10, 2, 1:-1:2]");
  expect_values(pure::index(x, 7, -9), Shape{4}, {12, 13, 14, 15}, "x[7, -9]");
  expect_values(pure::index(x, s(), s(3, 0, -1), s(none, none, -3)), Shape{2, 2, 2}, {11, 8, 7, 4, 23, 20, 19, 16},
                "x[:, 3:0:-1, ::-3]");
}

TEST(Index, ArrayIndexIsReadAtRunTimeAndClampedAsJax) {
  const Array x = iota64({3, 4});
  for (std::int64_t i : {-5, -1, 0, 2, 3, 7}) {
    const Array got = pure::index(x, pure::full({}, static_cast<double>(i), DType::i32), s(1, none));
    const Array want = pure::index(x, i, s(1, none));  // the static path, checked above
    EXPECT_EQ(host(got), host(want)) << "i = " << i;
  }
  // Traced: the index is an input of the staged program, read when it runs.
  const pure::FlatFn f = [](const Arrays& a) { return Arrays{pure::index(a[0], pure::s(), a[1])}; };
  const pure::ir::Program program =
      pure::make_program_flat(f, {pure::ir::Aval{Shape{3, 4}, DType::f64}, pure::ir::Aval{Shape{}, DType::i64}});
  for (std::int64_t i : {-6, -2, 0, 3, 9}) {
    const Arrays out = pure::ir::eval_program(program, {x, pure::full({}, static_cast<double>(i), DType::i64)});
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(host(out[0]), host(pure::index(x, pure::s(), i))) << "traced i = " << i;
  }
  const auto g = pure::grad([&](const Array& xx) { return pure::sum(f({xx, pure::full({}, 2.0, DType::i64)})[0]); })(x);
  expect_values(g, Shape{3, 4}, {0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0}, "grad through x[:, i]");
}

TEST(Index, DerivativesJvpVjpAndSecondOrder) {
  const Array x = random_array({4, 5}, DType::f64, 3);
  const auto op = [](const Array& y) { return pure::index(y, s(none, none, -2), s(4, 0, -2), pure::newaxis); };
  const pure::FlatFn f = [&](const Arrays& a) { return Arrays{op(a[0])}; };
  expect_jvp_matches_differences(f, {x}, 11, 1.0);  // linear: the quotient is exact
  expect_adjoint(f, {x}, 12, 1e-13);
  expect_second_order([&](const Array& y) { return smooth_sum(op(y)); }, x, 13);
}

TEST(Index, GradientMatchesJax) {
  // grad of sum(sin(y[::-2, 1:3]) * [[1,2],[3,4]]), y = arange(12.).reshape(3,4) / 5 - 1, from real JAX.
  const Array y = iota64({3, 4}) / 5.0 - 1.0;
  const Array w = f64({1, 2, 3, 4}, {2, 2});
  const Array g = pure::grad(
      [&](const Array& z) { return pure::sum(pure::sin(pure::index(z, s(none, none, -2), s(1, 3))) * w); })(y);
  expect_values(g, Shape{3, 4},
                {0.0, 2.0901201280414963, 3.3013424596387133, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.6967067093471654,
                 1.0806046117362795, 0.0},
                "grad through x[::-2, 1:3]", 1e-15);
}

TEST(Index, ErrorsNameTheFunctionAndShape) {
  const Array x = iota64({2, 3});
  expect_error<pure::ShapeError>([&] { pure::index(x, 0, 1, 2); }, "pure::index: too many indices for shape (2,3)");
  expect_error<pure::ValueError>([&] { pure::index(x, pure::ellipsis, pure::ellipsis); }, "only one ellipsis");
  expect_error<pure::ValueError>([&] { pure::index(x, s(none, none, 0)); },
                                 "slice step cannot be zero (axis 0 of shape (2,3))");
  expect_error<pure::ShapeError>([&] { pure::index(pure::zeros({0, 2}, DType::f64), 0); }, "axis 0 of shape (0,2)");
  expect_error<pure::DTypeError>([&] { pure::index(x, pure::full({}, 1.0, DType::f64)); },
                                 "must be a scalar integer array, got float64()");
}

// ---------------------------------------------------------------- flip, dynamic slices

TEST(Flip, ReversesTheGivenAxesAsAHostLoop) {
  const Array x = iota64({2, 3, 4});
  const auto hx = host(x);
  for (const auto& axes : std::vector<std::vector<std::int64_t>>{{}, {1}, {-1, 0}}) {
    const Array y = pure::flip(x, axes);
    ASSERT_EQ(y.shape(), x.shape());
    std::vector<bool> mirrored(3, axes.empty());
    for (auto a : axes) mirrored[static_cast<std::size_t>(a < 0 ? a + 3 : a)] = true;
    const auto hy = host(y);
    for (std::int64_t i = 0; i < x.size(); ++i) {
      auto c = coords(i, x.shape());
      for (int d = 0; d < 3; ++d) {
        if (mirrored[static_cast<std::size_t>(d)])
          c[static_cast<std::size_t>(d)] = x.shape()[d] - 1 - c[static_cast<std::size_t>(d)];
      }
      EXPECT_EQ(hy[static_cast<std::size_t>(i)], hx[static_cast<std::size_t>(flat(c, x.shape()))]);
    }
  }
  const pure::FlatFn f = [](const Arrays& a) { return Arrays{pure::flip(a[0], {0})}; };
  expect_adjoint(f, {random_array({3, 2}, DType::f64, 5)}, 6, 1e-13);
  expect_error<pure::ShapeError>(
      [&] {
        pure::flip(x, {1, -2});
      },
      "pure::flip: repeated axis in (1,-2) for shape (2,3,4)");
  expect_error<pure::ShapeError>([&] { pure::flip(x, {3}); }, "pure::flip: axis 3 is out of range for shape (2,3,4)");
}

TEST(DynamicSlice, MatchesJaxAndStaticPathAgrees) {
  const Array x = iota64({2, 3, 4});
  expect_values(lax::dynamic_slice(x, std::vector<std::int64_t>{1, -1, 3}, {1, 2, 2}), Shape{1, 2, 2}, {18, 19, 22, 23},
                "dynamic_slice(x, (1, -1, 3), (1, 2, 2)) static");
  const std::vector<Array> starts = {pure::full({}, 1, DType::i32), pure::full({}, -1, DType::i64),
                                     pure::full({}, 3, DType::u32)};
  expect_values(pure::dynamic_slice(x, starts, {1, 2, 2}), Shape{1, 2, 2}, {18, 19, 22, 23},
                "dynamic_slice(x, (1, -1, 3), (1, 2, 2)) traced");
  expect_values(pure::dynamic_update_slice(iota64({6}), f64({-1, -2}, {2}), std::vector<std::int64_t>{-1}), Shape{6},
                {0, 1, 2, 3, -1, -2}, "dynamic_update_slice(arange(6), [-1,-2], (-1,))");
}

TEST(DynamicSlice, GradientsWithTracedStartsMatchJaxAndDifferences) {
  // grad of sum(dynamic_slice(y, (2, 1), (2, 2)) ** 2) from real JAX: start 2 clamps to 1.
  const Array y = iota64({3, 4}) / 5.0 - 1.0;
  const std::vector<Array> st = {pure::full({}, 2, DType::i32), pure::full({}, 1, DType::i32)};
  const Array g = pure::grad([&](const Array& z) {
    return pure::sum(pure::square(lax::dynamic_slice(z, st, {2, 2})));
  })(y);
  expect_values(g, Shape{3, 4}, {0, 0, 0, 0, 0, 0, 0.40000000000000036, 0, 0, 1.6, 2.0, 0}, "grad of dynamic_slice",
                1e-15);
  // Update and operand together, and second order through the transposes.
  const Array u = random_array({2, 3}, DType::f64, 21);
  const pure::FlatFn f = [&](const Arrays& a) {
    return Arrays{pure::sin(lax::dynamic_update_slice(a[0], a[1] * a[1], st))};
  };
  expect_jvp_matches_differences(f, {random_array({3, 4}, DType::f64, 20), u}, 22, 1e-5);
  expect_adjoint(f, {random_array({3, 4}, DType::f64, 20), u}, 23, 1e-13);
  expect_second_order(
      [&](const Array& z) {
        return smooth_sum(lax::dynamic_slice(z, st, {2, 3}));
      },
      random_array({3, 4}, DType::f64, 24), 25);
}

TEST(DynamicSlice, ErrorsNameTheOpAndShapes) {
  const Array x = iota64({2, 3});
  expect_error<pure::ShapeError>(
      [&] { lax::dynamic_slice(x, std::vector<std::int64_t>{0}, {1}); },
      "pure::dynamic_slice: needs one start index and one slice size per axis of operand (2,3)");
  expect_error<pure::ShapeError>(
      [&] {
        lax::dynamic_slice(x, std::vector<std::int64_t>{0, 0}, {1, 4});
      },
      "slice size 4 of axis 1 is not in [0, 3] for operand (2,3)");
  const std::vector<Array> st = {pure::full({}, 0, DType::i32), pure::full({}, 0, DType::i32)};
  expect_error<pure::ShapeError>(
      [&] {
        lax::dynamic_slice(x, st, {3, 1});
      },
      "pure::dynamic_slice: slice_sizes (3,1) need one entry per axis of operand");
  expect_error<pure::DTypeError>(
      [&] {
        lax::dynamic_slice(x, {pure::full({}, 0, DType::f32), st[1]}, {1, 1});
      },
      "pure::dynamic_slice: start index 0 must be a scalar integer array, got float32()");
  expect_error<pure::ShapeError>(
      [&] {
        lax::dynamic_update_slice(x, iota64({3, 1}), st);
      },
      "pure::dynamic_update_slice: update f64[3,1]");
}

// ---------------------------------------------------------------- products

// Brute-force einsum on the host: every assignment of every label, the product
// of the operands' entries added into the output's entry.
std::vector<double> einsum_reference(const std::string& in_spec, const std::string& out_spec, const Arrays& xs,
                                     Shape* out_shape) {
  std::vector<std::string> terms(1);
  for (char c : in_spec) {
    if (c == ',') {
      terms.emplace_back();
    } else {
      terms.back() += c;
    }
  }
  std::map<char, std::int64_t> extent;
  for (std::size_t k = 0; k < terms.size(); ++k) {
    for (std::size_t i = 0; i < terms[k].size(); ++i) extent[terms[k][i]] = xs[k].shape()[static_cast<int>(i)];
  }
  std::vector<char> labels;
  std::vector<std::int64_t> dims;
  for (const auto& [c, n] : extent) {
    labels.push_back(c);
    dims.push_back(n);
  }
  std::vector<std::int64_t> od;
  for (char c : out_spec) od.push_back(extent.at(c));
  *out_shape = Shape(od);
  std::vector<double> out(static_cast<std::size_t>(out_shape->size()), 0.0);
  std::vector<std::vector<double>> hx;
  for (const Array& x : xs) hx.push_back(host(x));
  const Shape all(dims);
  for (std::int64_t i = 0; i < all.size(); ++i) {
    const auto c = coords(i, all);
    auto value_of = [&](char l) {
      return c[static_cast<std::size_t>(std::find(labels.begin(), labels.end(), l) - labels.begin())];
    };
    double p = 1;
    for (std::size_t k = 0; k < terms.size(); ++k) {
      std::vector<std::int64_t> at;
      for (char l : terms[k]) at.push_back(value_of(l));
      p *= hx[k][static_cast<std::size_t>(flat(at, xs[k].shape()))];
    }
    std::vector<std::int64_t> at;
    for (char l : out_spec) at.push_back(value_of(l));
    out[static_cast<std::size_t>(flat(at, *out_shape))] += p;
  }
  return out;
}

struct EinsumCase {
  std::string spec, in, out;  // spec as given to einsum; in/out as the reference reads them
  std::vector<Shape> shapes;
};

const std::vector<EinsumCase>& einsum_cases() {
  static const std::vector<EinsumCase> cases = {
      {"ij,jk->ik", "ij,jk", "ik", {{3, 4}, {4, 2}}},                // matmul
      {"ij,jk", "ij,jk", "ik", {{3, 4}, {4, 2}}},                    // implicit output
      {"bij,bjk->bik", "bij,bjk", "bik", {{2, 3, 4}, {2, 4, 5}}},    // batch matmul
      {"ii", "ii", "", {{4, 4}}},                                    // trace
      {"ii->i", "ii", "i", {{4, 4}}},                                // diagonal
      {"i,j->ij", "i,j", "ij", {{3}, {4}}},                          // outer
      {"ij->ji", "ij", "ji", {{3, 4}}},                              // transpose
      {"ijk->j", "ijk", "j", {{2, 3, 4}}},                           // sum over indices
      {"ij,jk,kl->il", "ij,jk,kl", "il", {{2, 3}, {3, 4}, {4, 5}}},  // 3 operands
      {"ij,ij,ij->", "ij,ij,ij", "", {{3, 2}, {3, 2}, {3, 2}}},      // shared by all three
      {"iij,jk->ki", "iij,jk", "ki", {{3, 3, 2}, {2, 4}}},           // diagonal inside a product
      {"ba,ca", "ba,ca", "bc", {{2, 3}, {4, 3}}},                    // implicit, sorted
      {"i,i->i", "i,i", "i", {{5}, {5}}},                            // elementwise
      {"abc,cd,ae->ebd", "abc,cd,ae", "ebd", {{2, 3, 4}, {4, 2}, {2, 3}}},
  };
  return cases;
}

TEST(Einsum, MatchesExplicitLoops) {
  std::uint32_t seed = 100;
  for (const EinsumCase& c : einsum_cases()) {
    Arrays xs;
    for (const Shape& sh : c.shapes) xs.push_back(random_array(sh, DType::f64, seed++));
    Shape want_shape;
    const auto want = einsum_reference(c.in, c.out, xs, &want_shape);
    expect_values(pure::einsum(c.spec, xs), want_shape, want, c.spec, 1e-12);
  }
}

TEST(Einsum, EllipsisBroadcastsLeadingAxes) {
  const Array a = random_array({2, 1, 3, 4}, DType::f64, 1), b = random_array({5, 4, 2}, DType::f64, 2);
  const Array got = pure::einsum("...ij,...jk->...ik", a, b);
  const Array want = pure::matmul(a, b);  // numpy's broadcasting matmul, tested in test_numpy.cpp
  ASSERT_EQ(got.shape(), (Shape{2, 5, 3, 2}));
  const auto g = host(got), w = host(want);
  for (std::size_t i = 0; i < g.size(); ++i) EXPECT_NEAR(g[i], w[i], 1e-12) << i;
  EXPECT_EQ(pure::einsum("...ii->...i", random_array({2, 3, 3}, DType::f64, 3)).shape(), (Shape{2, 3}));
  EXPECT_EQ(pure::einsum("i...->...", random_array({2, 3, 4}, DType::f64, 3)).shape(), (Shape{3, 4}));
}

TEST(Einsum, MatchesJaxValues) {
  const Array a = iota64({2, 3}) / 4.0 - 0.5, b = iota64({3, 4}) / 8.0 - 0.7, c = iota64({4, 2}) / 3.0 - 1.0;
  expect_values(pure::einsum("ij,jk,kl->li", a, b, c), Shape{2, 2},
                {-0.31250000000000006, 0.6249999999999999, 0.03333333333333319, 0.9333333333333332}, "3 operands",
                1e-15);
  expect_values(pure::einsum("ij,jk", a, b), Shape{2, 4},
                {0.39999999999999997, 0.30624999999999997, 0.21249999999999997, 0.11874999999999997,
                 -0.04999999999999993, 0.13750000000000007, 0.32500000000000007, 0.5125000000000001},
                "implicit matmul", 1e-15);
  // grad of sum(einsum('ii->i', y[:, :3]) ** 3) from real JAX.
  const Array y = iota64({3, 4}) / 5.0 - 1.0;
  const Array g = pure::grad([](const Array& z) {
    return pure::sum(lax::integer_pow(pure::einsum("ii->i", pure::index(z, s(), s(none, 3))), 3));
  })(y);
  expect_values(g, Shape{3, 4}, {3.0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3.0, 0}, "grad through a diagonal", 1e-15);
}

TEST(Einsum, DerivativesOfEverySpec) {
  std::uint32_t seed = 300;
  for (const EinsumCase& c : einsum_cases()) {
    SCOPED_TRACE(c.spec);
    Arrays xs;
    for (const Shape& sh : c.shapes) xs.push_back(random_array(sh, DType::f64, seed++));
    const pure::FlatFn f = [&](const Arrays& a) { return Arrays{pure::einsum(c.spec, a)}; };
    expect_jvp_matches_differences(f, xs, seed++, 1e-5);  // degree <= 3: truncation ~ h^2
    expect_adjoint(f, xs, seed++, 1e-13);
  }
  // Second order: d2/dx2 of sum(sin(x @ w) * (x @ w)) through dot_general's rules twice.
  const Array w = random_array({4, 3}, DType::f64, 7);
  expect_second_order([&](const Array& x) { return smooth_sum(pure::einsum("ij,jk->ik", x, w)); },
                      random_array({2, 4}, DType::f64, 8), 9);
}

TEST(Einsum, ErrorsNameTheSpecAndOperand) {
  const Array a = iota64({2, 3}), b = iota64({4, 5});
  expect_error<pure::ShapeError>(
      [&] { pure::einsum("ij,jk->ik", a, b); },
      "pure::einsum: subscripts \"ij,jk->ik\": operand 1 (4,5) gives 'j' extent 4, an earlier "
      "operand 3");
  expect_error<pure::ShapeError>([&] { pure::einsum("ijk", a); },
                                 "subscripts \"ijk\": operand 0 (2,3) names 3 axes, the operand has rank 2");
  expect_error<pure::ShapeError>([&] { pure::einsum("ij,jk", a); }, "names 2 operands, got 1");
  expect_error<pure::ShapeError>([&] { pure::einsum("ij->iz", a); }, "the output names 'z', which no operand has");
  expect_error<pure::ShapeError>([&] { pure::einsum("ij->ii", a); }, "the output repeats 'i'");
  expect_error<pure::ShapeError>([&] { pure::einsum("ii", a); },
                                 "operand 0 (2,3) repeats 'i' on axes of extents 2 and 3");
  expect_error<pure::ShapeError>([&] { pure::einsum("i1", a); }, "operand 0 (2,3) has the character '1'");
  expect_error<pure::ShapeError>([&] { pure::einsum("i..j", a); }, "has a stray '.'");
}

TEST(Products, OuterAndTensordotMatchLoops) {
  const Array a = random_array({2, 3}, DType::f64, 1), b = random_array({4}, DType::f64, 2);
  const Array o = pure::outer(a, b);
  ASSERT_EQ(o.shape(), (Shape{6, 4}));
  const auto ha = host(a), hb = host(b), ho = host(o);
  for (std::size_t i = 0; i < 6; ++i) {
    for (std::size_t j = 0; j < 4; ++j) EXPECT_EQ(ho[i * 4 + j], ha[i] * hb[j]);
  }

  // tensordot(x, y, 2) over x (2,3,4), y (3,4,5); and the pair form with axes out
  // of order; the brute-force einsum loop above is the reference.
  const Array x = random_array({2, 3, 4}, DType::f64, 3), y = random_array({3, 4, 5}, DType::f64, 4);
  const Array z = random_array({4, 5, 2}, DType::f64, 5);
  Shape want_shape;
  auto want = einsum_reference("ijk,jkl", "il", {x, y}, &want_shape);
  expect_values(pure::tensordot(x, y, 2), want_shape, want, "tensordot(x, y, 2)", 1e-12);
  want = einsum_reference("ijk,kmi", "jm", {x, z}, &want_shape);  // x's k,i with z's k,i
  expect_values(pure::tensordot(x, z, {{-1, 0}, {0, 2}}), want_shape, want, "tensordot(x, z, ((-1, 0), (0, 2)))",
                1e-12);
  EXPECT_EQ(pure::tensordot(a, b, 0).shape(), (Shape{2, 3, 4}));  // axes=0: outer product
  const pure::FlatFn f = [](const Arrays& v) { return Arrays{pure::tensordot(v[0], v[1], {{0, 2}, {2, 0}})}; };
  expect_adjoint(f, {x, z}, 6, 1e-13);
  expect_jvp_matches_differences(f, {x, z}, 7, 1e-5);
  expect_error<pure::ShapeError>(
      [&] {
        pure::tensordot(x, z, {{0}, {0}});
      },
      "pure::tensordot: axis 0 of a (2,3,4) and axis 0 of b (4,5,2) differ in extent");
  expect_error<pure::ShapeError>([&] { pure::tensordot(x, z, 4); }, "axes=4 must be in [0, min(rank)]");
}

// ---------------------------------------------------------------- construction

// jax's formula start * (1 - t) + stop * t, t = i / div, evaluated in the dtype
// on the host: pure computes exactly this, operation by operation.
template <class T>
std::vector<T> linspace_formula(T start, T stop, std::int64_t num, bool endpoint) {
  const std::int64_t div = endpoint ? num - 1 : num;
  std::vector<T> out;
  for (std::int64_t i = 0; i < div; ++i) {
    const T t = static_cast<T>(i) / static_cast<T>(div);
    const T a = start * (T(1) - t), b = stop * t;
    out.push_back(a + b);
  }
  if (endpoint) out.push_back(stop);
  return out;
}

TEST(Construction, LinspaceIsJaxFormulaAndWithinAnUlpOfJax) {
  const auto f = pure::linspace(0.0, 1.0, 7).to_host<float>();
  EXPECT_EQ(f, linspace_formula<float>(0.0f, 1.0f, 7, true));
  const auto d = pure::linspace(-1.5, 2.25, 5, false, DType::f64).to_host<double>();
  EXPECT_EQ(d, linspace_formula<double>(-1.5, 2.25, 5, false));
  // Real JAX: XLA rewrites x / div as x * (1 / div) and contracts into fma, so its
  // last bit can differ (pure keeps the written order: docs/indexing.md).
  const std::vector<float> jf = {
      0.0f, 0.1666666716337204f, 0.3333333432674408f, 0.5f, 0.6666666865348816f, 0.8333333730697632f, 1.0f};
  const std::vector<double> jd = {-1.5, -0.75, 1.1102230246251565e-16, 0.7500000000000002, 1.5};
  for (std::size_t i = 0; i < jf.size(); ++i) EXPECT_NEAR(f[i], jf[i], 1.2e-7) << i;
  for (std::size_t i = 0; i < jd.size(); ++i) EXPECT_NEAR(d[i], jd[i], 5e-16) << i;
  EXPECT_EQ(f.back(), 1.0f);  // the end is exact
  EXPECT_EQ(pure::linspace(0, 10, 4, true, DType::i32).to_host<std::int32_t>(),
            (std::vector<std::int32_t>{0, 3, 6, 10}));
  EXPECT_EQ(pure::linspace(2.0, 3.0, 1).to_host<float>(), (std::vector<float>{2.0f}));
  EXPECT_EQ(pure::linspace(2.0, 3.0, 0).shape(), (Shape{0}));
  expect_error<pure::ValueError>([] { pure::linspace(0, 1, -1); },
                                 "pure::linspace: argument 'num' must be >= 0, got -1");
}

TEST(Construction, EyeTrilTriuMatchLoopsAndJax) {
  for (std::int64_t k : {-2, -1, 0, 1, 3}) {
    const Array e = pure::eye(3, 4, k, DType::f64);
    const Array x = iota64({2, 3, 4});
    const Array lo = pure::tril(x, k), up = pure::triu(x, k);
    const auto he = host(e), hx = host(x), hl = host(lo), hu = host(up);
    for (int b = 0; b < 2; ++b) {
      for (int i = 0; i < 3; ++i) {
        for (int j = 0; j < 4; ++j) {
          const auto at = static_cast<std::size_t>((b * 3 + i) * 4 + j);
          if (b == 0) {
            EXPECT_EQ(he[static_cast<std::size_t>(i * 4 + j)], j - i == k ? 1.0 : 0.0);
          }
          EXPECT_EQ(hl[at], j - i <= k ? hx[at] : 0.0) << "tril k=" << k;
          EXPECT_EQ(hu[at], j - i >= k ? hx[at] : 0.0) << "triu k=" << k;
        }
      }
    }
  }
  expect_values(pure::eye(3, 4, -1), Shape{3, 4}, {0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0}, "eye(3, 4, k=-1)");
  expect_values(pure::tril(iota64({3, 4}), 1), Shape{3, 4}, {0, 1, 0, 0, 4, 5, 6, 0, 8, 9, 10, 11}, "tril k=1");
  expect_values(pure::triu(iota64({3, 4}), -1), Shape{3, 4}, {0, 1, 2, 3, 4, 5, 6, 7, 0, 9, 10, 11}, "triu k=-1");
  EXPECT_EQ(pure::eye(2).dtype(), DType::f32);
  EXPECT_EQ(pure::eye(2, -1, 0, DType::i32).to_host<std::int32_t>(), (std::vector<std::int32_t>{1, 0, 0, 1}));
  const pure::FlatFn f = [](const Arrays& a) { return Arrays{pure::tril(a[0], -1) + pure::triu(a[0], 2) * 3.0}; };
  expect_adjoint(f, {random_array({2, 4, 4}, DType::f64, 1)}, 2, 1e-13);
  expect_jvp_matches_differences(f, {random_array({2, 4, 4}, DType::f64, 1)}, 3, 1.0);
  expect_error<pure::ShapeError>([] { pure::tril(pure::zeros({3}, DType::f32)); },
                                 "pure::tril: needs an array of rank >= 2, got shape (3,)");
}

TEST(Construction, DiagAndDiagonalMatchLoopsAndJax) {
  expect_values(pure::diag(f64({1, 2, 3}, {3}), -1), Shape{4, 4}, {0, 0, 0, 0, 1, 0, 0, 0, 0, 2, 0, 0, 0, 0, 3, 0},
                "diag([1,2,3], k=-1)");
  expect_values(pure::diag(iota64({3, 4}), 1), Shape{3}, {1, 6, 11}, "diag(arange(12).reshape(3,4), k=1)");
  for (std::int64_t k : {-3, -1, 0, 2, 4, 5}) {
    const Array m = iota64({3, 4});
    std::vector<double> want;
    for (int i = 0; i < 3; ++i) {
      if (i + k >= 0 && i + k < 4) want.push_back(i * 4.0 + static_cast<double>(i + k));
    }
    expect_values(pure::diag(m, k), Shape{static_cast<std::int64_t>(want.size())}, want,
                  "diag of 3x4, k=" + std::to_string(k));
    // 1-D -> 2-D: v on diagonal k of an n x n zero matrix, n = len + |k|.
    const Array v = f64({1, 2, 3}, {3});
    const std::int64_t n = 3 + (k < 0 ? -k : k);
    std::vector<double> dense(static_cast<std::size_t>(n * n), 0.0);
    for (std::int64_t i = 0; i < 3; ++i) {
      const std::int64_t r = k >= 0 ? i : i - k, c = k >= 0 ? i + k : i;
      dense[static_cast<std::size_t>(r * n + c)] = static_cast<double>(i + 1);
    }
    expect_values(pure::diag(v, k), Shape{n, n}, dense, "diag of [1,2,3], k=" + std::to_string(k));
  }
  // diagonal of a 3-D array over axes (2, 0): appended last, as numpy.
  const Array x = iota64({3, 2, 4});
  const Array d = pure::diagonal(x, 1, 2, 0);
  // Element i is x[i + 1, j, i] (axis2 index i, axis0 index i + 1): length min(4, 3 - 1) = 2.
  ASSERT_EQ(d.shape(), (Shape{2, 2}));
  const auto hx = host(x), hd = host(d);
  for (int j = 0; j < 2; ++j) {
    for (int i = 0; i < 2; ++i) {
      EXPECT_EQ(hd[static_cast<std::size_t>(j * 2 + i)], hx[static_cast<std::size_t>(((i + 1) * 2 + j) * 4 + i)]);
    }
  }
  const pure::FlatFn f = [](const Arrays& a) { return Arrays{pure::diag(pure::diag(a[0], 1), -1)}; };
  expect_adjoint(f, {random_array({4, 5}, DType::f64, 1)}, 2, 1e-13);
  expect_second_order([](const Array& a) { return smooth_sum(pure::diagonal(a, -1)); },
                      random_array({4, 3}, DType::f64, 3), 4);
  expect_error<pure::ShapeError>(
      [] {
        pure::diag(pure::zeros({2, 2, 2}, DType::f32));
      },
      "pure::diag: argument 'v' must be 1-D or 2-D, got shape (2,2,2)");
  expect_error<pure::ShapeError>(
      [] {
        pure::diagonal(pure::zeros({2, 2}, DType::f32), 0, 1, -1);
      },
      "pure::diagonal: axis1 and axis2 must differ, both are 1 for shape (2,2)");
}

TEST(Construction, OneHotMatchesJax) {
  const Array idx = pure::from_host(std::vector<std::int32_t>{0, 2, -1, 5, 1});
  expect_values(pure::one_hot(idx, 3), Shape{5, 3}, {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0},
                "one_hot([0,2,-1,5,1], 3)");
  // axis 0 of a 2-D index array, int64 indices, int32 result: a host loop.
  const Array idx2 = pure::from_host(std::vector<std::int64_t>{3, 0, 1, 7, 2, 2}, {2, 3});
  const Array oh = pure::one_hot(idx2, 4, DType::i32, 0);
  ASSERT_EQ(oh.shape(), (Shape{4, 2, 3}));
  const auto v = oh.to_host<std::int32_t>();
  const std::vector<std::int64_t> iv = {3, 0, 1, 7, 2, 2};
  for (int c = 0; c < 4; ++c) {
    for (int p = 0; p < 6; ++p)
      EXPECT_EQ(v[static_cast<std::size_t>(c * 6 + p)], iv[static_cast<std::size_t>(p)] == c ? 1 : 0);
  }
  expect_error<pure::ValueError>([&] { pure::one_hot(idx, -1); }, "pure::one_hot: argument 'num_classes' must be >= 0");
  expect_error<pure::ShapeError>([&] { pure::one_hot(idx, 3, DType::f32, 2); },
                                 "pure::one_hot: axis 2 is out of range");
}

}  // namespace
