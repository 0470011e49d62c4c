// Spec table of the primitives behind numpy_math.cpp: logaddexp and argsort
// (and sort = gather by argsort, whose derivative is the gathered tangent).
// The checks are in test_spec_elementwise.cpp; wide-range accuracy, the
// conventions at infinities and ties, and JAX's values are in test_numpy_math.cpp.
#include <algorithm>
#include <numeric>

#include "spec_table.hpp"

namespace spec {
namespace {

namespace lax = pure::lax;

// The stable order of each line along `axis` (NaNs last): indices, or the sorted values.
HostRef sorted_ref(std::int64_t axis, bool values) {
  return [axis, values](const std::vector<Host>& in, DType) {
    const Host& x = in.at(0);
    Host out{x.shape, std::vector<LD>(x.v.size())};
    std::int64_t pre = 1, post = 1;
    for (int d = 0; d < x.shape.rank(); ++d) {
      if (d < axis) pre *= x.shape[d];
      if (d > axis) post *= x.shape[d];
    }
    const std::int64_t n = x.shape[static_cast<int>(axis)];
    for (std::int64_t line = 0; line < pre * post; ++line) {
      const auto at = [&](std::int64_t k) {
        return static_cast<std::size_t>((line / post * n + k) * post + line % post);
      };
      std::vector<std::int64_t> idx(static_cast<std::size_t>(n));
      std::iota(idx.begin(), idx.end(), 0);
      std::stable_sort(idx.begin(), idx.end(), [&](std::int64_t a, std::int64_t b) {
        const LD u = x.v[at(a)], v = x.v[at(b)];
        if (std::isnan(v)) return !std::isnan(u);
        return u < v;
      });
      for (std::int64_t k = 0; k < n; ++k) {
        out.v[at(k)] =
            values ? x.v[at(idx[static_cast<std::size_t>(k)])] : static_cast<LD>(idx[static_cast<std::size_t>(k)]);
      }
    }
    return out;
  };
}

Row sorting(const std::string& name, Shape shape, std::int64_t axis, bool values) {
  Row r;
  r.name = name;
  r.prim = "argsort";
  if (values) {
    // Distinct reals: sort is differentiable there, its derivative a permutation.
    r.args = {real(std::move(shape), -3, 3)};
    r.op = [axis](const Args& a) { return lax::gather(a[0], lax::argsort(a[0], axis), axis); };
    r.dtypes = kFloats;
    r.diff = Diff::piecewise;
  } else {
    // Seven whole numbers: many ties, so the order among equals (stability) is checked.
    r.args = {whole(std::move(shape), -3, 3)};
    r.op = [axis](const Args& a) { return lax::argsort(a[0], axis); };
    r.dtypes = kNumeric;
    r.diff = Diff::zero;
    r.out_dtype = [](DType) { return DType::i32; };
  }
  r.ref = sorted_ref(axis, values);
  r.accuracy = Accuracy::exact;
  return r;
}

}  // namespace

std::vector<Row> math_rows() {
  const Shape s{3, 4};
  std::vector<Row> rows;
  // Positive operands: the result has no cancellation (x = y = -ln 2 / 2 gives 0).
  rows.push_back(elementwise(
      "logaddexp", {real(s, 0.5, 3), real(s, -1, 3)}, [](const Args& a) { return lax::logaddexp(a[0], a[1]); },
      in_long_double([](LD x, LD y) { return std::log(std::exp(x) + std::exp(y)); }), Diff::smooth));
  // Lines shorter than, equal to and longer than the insertion-sort runs (32).
  rows.push_back(sorting("argsort_axis1", Shape{3, 70}, 1, false));
  rows.push_back(sorting("argsort_axis0", Shape{33, 2, 2}, 0, false));
  rows.push_back(sorting("argsort_short", Shape{4, 5}, 1, false));
  rows.push_back(sorting("sort_values_axis1", Shape{3, 40}, 1, true));
  rows.push_back(sorting("sort_values_axis0", Shape{9, 4}, 0, true));
  return rows;
}

PURE_SPEC_INSTANTIATE(Math, math_rows);

}  // namespace spec
