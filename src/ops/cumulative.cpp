// cumsum as a primitive (its transpose is the reversed cumsum, as jax's
// cumsum_p). The order of additions is fixed by the indices alone: each line
// is cut into blocks of kBlock elements (counted from the end when reverse);
// a block's elements are summed left to right, block totals are summed left
// to right into offsets, and element = offset of its block + its in-block
// prefix. No thread layout or backend changes a bit of the result.
#include "rules.hpp"

namespace pure::ops {
namespace {

using namespace detail;

constexpr std::int64_t kBlock = 256;

// Element t (in scan order) of line (p, q) lives at position k = t or n-1-t.
struct ScanGeometry {
  std::int64_t n, post, blocks;
  bool reverse;
  KOKKOS_INLINE_FUNCTION std::int64_t at(std::int64_t line, std::int64_t t) const {
    const std::int64_t p = line / post, q = line % post;
    const std::int64_t k = reverse ? n - 1 - t : t;
    return (p * n + k) * post + q;
  }
};

// Level 1: in-block inclusive prefix sums, and each block's total.
template <class T>
struct BlockScan {
  ConstView<T> x;
  MutableView<T> out, totals;
  ScanGeometry g;
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t i) const {
    const std::int64_t line = i / g.blocks, b = i % g.blocks;
    const std::int64_t end = (b + 1) * kBlock < g.n ? (b + 1) * kBlock : g.n;
    T acc = x(g.at(line, b * kBlock));  // not 0 + x: keeps -0.0
    out(g.at(line, b * kBlock)) = acc;
    for (std::int64_t t = b * kBlock + 1; t < end; ++t) {
      const std::int64_t k = g.at(line, t);
      acc = pure::detail::wrapping_add(acc, x(k));  // integers wrap, as XLA
      out(k) = acc;
    }
    totals(i) = acc;
  }
};

// Level 2: exclusive running sum of the block totals of one line.
template <class T>
struct BlockOffsets {
  MutableView<T> totals;  // replaced by offsets in place
  std::int64_t blocks;
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t line) const {
    T run = T(0);
    for (std::int64_t b = 0; b < blocks; ++b) {
      const T tot = totals(line * blocks + b);
      totals(line * blocks + b) = run;
      run = pure::detail::wrapping_add(run, tot);
    }
  }
};

// Level 3: element += offset of its block (blocks after the first).
template <class T>
struct AddOffsets {
  ConstView<T> offsets;
  MutableView<T> out;
  ScanGeometry g;
  std::int64_t per_line;  // n - kBlock: elements outside the first block
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t i) const {
    const std::int64_t line = i / per_line, t = kBlock + i % per_line;
    const std::int64_t k = g.at(line, t);
    out(k) = pure::detail::wrapping_add(offsets(line * g.blocks + t / kBlock), out(k));
  }
};

template <class T>
Array cumsum_impl(const Array& x, std::int64_t axis, bool reverse, const char* label) {
  const Shape& s = x.shape();
  std::int64_t pre = 1, post = 1;
  for (int d = 0; d < s.rank(); ++d) {
    if (d < axis) pre *= s[d];
    if (d > axis) post *= s[d];
  }
  const std::int64_t n = s[static_cast<int>(axis)];
  Array out = Array::allocate(s, x.dtype(), label);
  if (x.size() == 0) return out;
  const std::int64_t lines = pre * post, blocks = (n + kBlock - 1) / kBlock;
  const ScanGeometry g{n, post, blocks, reverse};
  Array totals = Array::allocate(Shape{lines * blocks}, x.dtype(), label);
  Kokkos::parallel_for(label, Policy(0, lines * blocks),
                       BlockScan<T>{x.view<T>(label), out.mutable_view<T>(label), totals.mutable_view<T>(label), g});
  if (blocks > 1) {
    Kokkos::parallel_for(label, Policy(0, lines), BlockOffsets<T>{totals.mutable_view<T>(label), blocks});
    Kokkos::parallel_for(label, Policy(0, lines * (n - kBlock)),
                         AddOffsets<T>{totals.view<T>(label), out.mutable_view<T>(label), g, n - kBlock});
  }
  return out;
}

const ir::Primitive& cumsum_p = ir::register_primitive([] {
  ir::Primitive p;
  p.name = "cumsum";
  p.abstract_eval = [](const std::vector<Aval>& in, const Params& params) {
    const std::int64_t axis = params.get_int("axis");
    const Aval& x = in.at(0);
    if (x.dtype == DType::boolean) throw DTypeError("pure::cumsum: operand must be numeric, got " + x.str());
    if (axis < 0 || axis >= x.shape.rank()) {
      throw ShapeError("pure::cumsum: axis " + std::to_string(axis) + " is out of range for operand " + x.str());
    }
    return std::vector<Aval>{x};
  };
  p.impl = [](const Arrays& in, const Params& params) -> Arrays {
    const char* label = "pure::cumsum";
    return {dispatch<Types::numeric>(in[0].dtype(), label, [&](auto tag) {
      using T = decltype(tag);
      return cumsum_impl<T>(in[0], params.get_int("axis"), params.get<bool>("reverse"), label);
    })};
  };
  p.jvp = [](const Arrays&, const Arrays& t, const Arrays&, const Params& params) -> Arrays {
    if (ir::is_zero(t[0])) return {Array()};
    return {lax::cumsum(t[0], params.get_int("axis"), params.get<bool>("reverse"))};
  };
  p.transpose = [](const Arrays& ct, const Arrays&, const std::vector<bool>&, const std::vector<Aval>&,
                   const Params& params) -> Arrays {
    if (ir::is_zero(ct[0])) return {Array()};
    return {lax::cumsum(ct[0], params.get_int("axis"), !params.get<bool>("reverse"))};
  };
  return p;
}());

}  // namespace
}  // namespace pure::ops

namespace pure::lax {

Array cumsum(const Array& x, std::int64_t axis, bool reverse) {
  return ir::bind1(ops::cumsum_p, {x}, ir::Params{{"axis", axis}, {"reverse", reverse}});
}

}  // namespace pure::lax
