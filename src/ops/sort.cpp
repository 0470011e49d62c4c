// argsort as a primitive: the indices that sort each line of x along an axis,
// stably, in the order of jnp.sort: -0.0 and 0.0 are equal (they keep their
// order), NaNs compare equal to each other and after +inf. sort itself is
// gather(x, argsort(x)) on the numpy surface, so its derivative is the tangent
// gathered by the same permutation (as jax's sort JVP).
//
// A portable bottom-up merge sort of index arrays, written as plain
// parallel_for kernels (no sort library, no atomics, the same result on every
// backend since a stable sort's output is unique):
//   1. one thread per run of kRun elements of a line: insertion sort (stable);
//   2. merge passes for run widths kRun, 2 kRun, 4 kRun, ... < n: one thread
//      per element finds its position in the merged pair of runs as its index
//      in its own run plus the number of elements of the other run that go
//      before it (binary search: strictly smaller ones from the right run,
//      smaller or equal ones from the left run, which is what keeps it stable);
//   3. a copy into the output layout.
// Work: O(N kRun) for 1 and O(N log(n) log(n / kRun)) for 2, N elements in all
// and n per line; depth O(kRun + log(n)^2); every pass spreads over all N
// elements, so one long line uses the whole device too. Memory: two index
// buffers of N elements.
#include <limits>

#include "rules.hpp"

namespace pure::ops {
namespace {

using namespace detail;

constexpr std::int64_t kRun = 32;

// The sort order: a strict weak order in which NaNs are equivalent and last.
template <class T>
KOKKOS_INLINE_FUNCTION bool sorts_before(T a, T b) {
  if constexpr (kIsFloat<T>) {
    if (b != b) return a == a;
  }
  return a < b;
}

// Element k of line `line` of x, where lines are the (pre, post) pairs around the axis.
struct LineGeometry {
  std::int64_t n, post;
  KOKKOS_INLINE_FUNCTION std::int64_t at(std::int64_t line, std::int64_t k) const {
    return ((line / post) * n + k) * post + line % post;
  }
};

// Index buffers hold line after line: entry line * n + j.
template <class T, class I>
struct SortRuns {
  ConstView<T> x;
  MutableView<I> out;
  LineGeometry g;
  std::int64_t runs;  // per line
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t i) const {
    const std::int64_t line = i / runs, begin = (i % runs) * kRun;
    const std::int64_t end = begin + kRun < g.n ? begin + kRun : g.n;
    I* o = out.data() + line * g.n;
    for (std::int64_t k = begin; k < end; ++k) {
      const T v = x(g.at(line, k));
      std::int64_t j = k;
      while (j > begin && sorts_before(v, x(g.at(line, static_cast<std::int64_t>(o[j - 1]))))) {
        o[j] = o[j - 1];
        --j;
      }
      o[j] = static_cast<I>(k);
    }
  }
};

template <class T, class I>
struct MergePass {
  ConstView<T> x;
  ConstView<I> src;
  MutableView<I> dst;
  LineGeometry g;
  std::int64_t width;
  KOKKOS_INLINE_FUNCTION T value(std::int64_t line, const I* s, std::int64_t j) const {
    return x(g.at(line, static_cast<std::int64_t>(s[j])));
  }
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t i) const {
    const std::int64_t line = i / g.n, k = i % g.n;
    const I* s = src.data() + line * g.n;
    const std::int64_t start = k / (2 * width) * (2 * width);
    const std::int64_t mid = start + width < g.n ? start + width : g.n;
    const std::int64_t end = start + 2 * width < g.n ? start + 2 * width : g.n;
    std::int64_t pos = k;
    if (mid < end) {
      const T v = value(line, s, k);
      if (k < mid) {  // left run: after the right run's strictly smaller elements
        std::int64_t lo = mid, hi = end;
        while (lo < hi) {
          const std::int64_t m = lo + (hi - lo) / 2;
          if (sorts_before(value(line, s, m), v)) {
            lo = m + 1;
          } else {
            hi = m;
          }
        }
        pos = k + (lo - mid);
      } else {  // right run: after the left run's elements not after it
        std::int64_t lo = start, hi = mid;
        while (lo < hi) {
          const std::int64_t m = lo + (hi - lo) / 2;
          if (!sorts_before(v, value(line, s, m))) {
            lo = m + 1;
          } else {
            hi = m;
          }
        }
        pos = start + (k - mid) + (lo - start);
      }
    }
    dst(line * g.n + pos) = s[k];
  }
};

template <class I>
struct ToLayout {
  ConstView<I> src;
  MutableView<I> out;
  LineGeometry g;
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t i) const { out(g.at(i / g.n, i % g.n)) = src(i); }
};

template <class T, class I>
void argsort_impl(const Array& x, std::int64_t axis, Array& out, const char* label) {
  const Shape& s = x.shape();
  std::int64_t lines = 1;
  for (int d = 0; d < s.rank(); ++d) {
    if (d != axis) lines *= s[d];
  }
  std::int64_t post = 1;
  for (int d = static_cast<int>(axis) + 1; d < s.rank(); ++d) post *= s[d];
  const LineGeometry g{s[static_cast<int>(axis)], post};
  Array a = Array::allocate(Shape{x.size()}, out.dtype(), label);
  Array b = Array::allocate(Shape{x.size()}, out.dtype(), label);
  const std::int64_t runs = (g.n + kRun - 1) / kRun;
  Kokkos::parallel_for(label, Policy(0, lines * runs),
                       SortRuns<T, I>{x.view<T>(label), a.mutable_view<I>(label), g, runs});
  for (std::int64_t w = kRun; w < g.n; w *= 2) {
    Kokkos::parallel_for(label, Policy(0, x.size()),
                         MergePass<T, I>{x.view<T>(label), a.view<I>(label), b.mutable_view<I>(label), g, w});
    std::swap(a, b);
  }
  Kokkos::parallel_for(label, Policy(0, x.size()), ToLayout<I>{a.view<I>(label), out.mutable_view<I>(label), g});
}

const ir::Primitive& argsort_p = ir::register_primitive([] {
  ir::Primitive p;
  p.name = "argsort";
  p.abstract_eval = [](const std::vector<Aval>& in, const Params& params) {
    const std::int64_t axis = params.get_int("axis");
    const DType index_dtype = params.get<DType>("index_dtype");
    const Aval& x = in.at(0);
    if (x.dtype == DType::boolean) throw DTypeError("pure::argsort: operand must be numeric, got " + x.str());
    if (index_dtype != DType::i32 && index_dtype != DType::i64) {
      throw DTypeError("pure::argsort: argument 'index_dtype' must be int32 or int64, got " +
                       std::string(dtype_name(index_dtype)));
    }
    if (axis < 0 || axis >= x.shape.rank()) {
      throw ShapeError("pure::argsort: axis " + std::to_string(axis) + " is out of range for operand " + x.str());
    }
    if (index_dtype == DType::i32 && x.shape[static_cast<int>(axis)] > std::numeric_limits<std::int32_t>::max()) {
      throw ValueError("pure::argsort: axis " + std::to_string(axis) + " of operand " + x.str() +
                       " is too long for index_dtype int32");
    }
    return std::vector<Aval>{Aval{x.shape, index_dtype}};
  };
  p.impl = [](const Arrays& in, const Params& params) -> Arrays {
    const char* label = "pure::argsort";
    const DType index_dtype = params.get<DType>("index_dtype");
    Array out = Array::allocate(in[0].shape(), index_dtype, label);
    if (out.size() == 0) return {out};
    dispatch<Types::numeric>(in[0].dtype(), label, [&](auto tag) {
      using T = decltype(tag);
      if (index_dtype == DType::i32) {
        argsort_impl<T, std::int32_t>(in[0], params.get_int("axis"), out, label);
      } else {
        argsort_impl<T, std::int64_t>(in[0], params.get_int("axis"), out, label);
      }
      return 0;
    });
    return {out};
  };
  // An integer output: its tangent is zero (jax's float0).
  p.jvp = [](const Arrays&, const Arrays&, const Arrays&, const Params&) -> Arrays { return {Array()}; };
  return p;
}());

}  // namespace
}  // namespace pure::ops

namespace pure::lax {

Array argsort(const Array& x, std::int64_t axis, DType index_dtype) {
  return ir::bind1(ops::argsort_p, {x}, ir::Params{{"axis", axis}, {"index_dtype", index_dtype}});
}

}  // namespace pure::lax
