// Reductions with a canonical order: the reduced elements of each output are
// cut into fixed blocks of kBlock consecutive indices, each block is summed by
// a pairwise tree fixed by the indices, and block results are combined the same
// way, level by level. Nothing depends on the thread count, the chunking of the
// parallel loop or the backend, so sums are bitwise reproducible everywhere.
#include <algorithm>

#include "core/host_simd_for.hpp"
#include "rules.hpp"
#include "scalar_ops.hpp"
#include "strided.hpp"

namespace pure::ops {
namespace {

using namespace detail;

constexpr std::int64_t kBlock = 256;
constexpr int kStack = 9;  // log2(kBlock) + 1 levels of the pairwise tree

struct SumCombine {
  template <class T>
  static KOKKOS_INLINE_FUNCTION T apply(T a, T b) {
    return pure::detail::wrapping_add(a, b);  // integers wrap (as XLA), never signed overflow
  }
};
// The elementwise max and min (scalar_ops.hpp): NaN propagates, +0 above -0.
struct MaxCombine {
  template <class T>
  static KOKKOS_INLINE_FUNCTION T apply(T a, T b) {
    return MaxOp{}.apply(a, b);
  }
};
struct MinCombine {
  template <class T>
  static KOKKOS_INLINE_FUNCTION T apply(T a, T b) {
    return MinOp{}.apply(a, b);
  }
};

// Pairwise combination of up to kBlock values in index order, as a binary
// counter: after element k, stack level l holds the combination of an aligned
// run of 2^l elements. The tree depends only on the element count.
template <class T, class Combine>
struct Pairwise {
  T stack[kStack];
  std::int64_t count = 0;
  KOKKOS_INLINE_FUNCTION void push(T v) {
    std::int64_t c = count;
    int level = 0;
    while (c & 1) {
      v = Combine::apply(stack[level], v);
      c >>= 1;
      ++level;
    }
    stack[level] = v;
    ++count;
  }
  KOKKOS_INLINE_FUNCTION T result() const {
    T acc{};
    bool have = false;
    for (int level = 0; level < kStack; ++level) {
      if ((count >> level) & 1) {
        acc = have ? Combine::apply(stack[level], acc) : stack[level];
        have = true;
      }
    }
    return acc;
  }
};

// The same tree for a whole block of kBlock contiguous values, level by level:
// level l + 1 element k = combine(level l elements 2k, 2k + 1), which is what
// Pairwise computes for a full block. Loops over whole levels with fixed trip
// counts, so the compiler vectorises them (even/odd loads and one combine per
// lane): the fast path of the host loops.
template <class T, class Combine>
KOKKOS_FORCEINLINE_FUNCTION T full_block(const T* p) {
  static_assert(kBlock == 256, "the levels below are written out for 256");
  T a[kBlock / 2], b[kBlock / 4];
  for (int k = 0; k < 128; ++k) a[k] = Combine::apply(p[2 * k], p[2 * k + 1]);
  for (int k = 0; k < 64; ++k) b[k] = Combine::apply(a[2 * k], a[2 * k + 1]);
  for (int k = 0; k < 32; ++k) a[k] = Combine::apply(b[2 * k], b[2 * k + 1]);
  for (int k = 0; k < 16; ++k) b[k] = Combine::apply(a[2 * k], a[2 * k + 1]);
  for (int k = 0; k < 8; ++k) a[k] = Combine::apply(b[2 * k], b[2 * k + 1]);
  for (int k = 0; k < 4; ++k) b[k] = Combine::apply(a[2 * k], a[2 * k + 1]);
  for (int k = 0; k < 2; ++k) a[k] = Combine::apply(b[2 * k], b[2 * k + 1]);
  return Combine::apply(a[0], a[1]);
}

// Level 1: block b of output o combines input elements r in [b*kBlock, ...) at
// kept(o) + reduced(r); later levels combine the previous level's partials.
// `trailing`: output o's elements are in[o * extent + r] (the reduced axes are
// the trailing ones, or a later level); then on the host full blocks take
// full_block.
template <class T, class Combine>
struct BlockKernel {
  ConstView<T> in;
  MutableView<T> out;
  IndexMap kept, reduced;  // index maps of output position and reduced position into `in`
  std::int64_t extent;     // number of reduced elements per output
  std::int64_t blocks;     // blocks per output
  bool first_level;
  bool trailing;    // output o's elements are in[o * extent + r] (trailing axes, or a later level)
  bool contiguous;  // ... and full blocks take full_block (host loops)
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t i) const {
    const std::int64_t o = i / blocks, b = i % blocks;
    const std::int64_t begin = b * kBlock, end = begin + kBlock < extent ? begin + kBlock : extent;
    if (contiguous && end - begin == kBlock) {
      out(i) = full_block<T, Combine>(in.data() + o * extent + begin);
      return;
    }
    Pairwise<T, Combine> acc;
    if (first_level && !trailing) {
      for (std::int64_t r = begin; r < end; ++r) acc.push(in(kept(o) + reduced(r)));
    } else {
      for (std::int64_t r = begin; r < end; ++r) acc.push(in(o * extent + r));
    }
    out(i) = acc.result();
  }
};

// Level 1 when the operand's innermost axis is kept (a sum over rows, as in a
// bias gradient): up to kLanes neighbouring outputs at once, their elements read
// as rows of contiguous values, one row after the other (so a work item streams
// through memory like a plain loop over rows). Each lane runs Pairwise's binary
// counter for its own output, so the bits are those of BlockKernel; the lanes
// are what the host loops vectorise. Host only (on devices BlockKernel).
constexpr std::int64_t kLanes = 256;
constexpr std::int64_t kPrefetchBytes = std::int64_t{4} << 20;  // above the L2 of current CPUs

template <class T, class Combine>
struct LanesBlockKernel {
  const T* in;
  T* out;
  IndexMap kept, reduced;
  std::int64_t extent, blocks;
  std::int64_t row;     // extent of the operand's innermost axis (kept, stride 1)
  std::int64_t groups;  // groups of kLanes outputs per row
  bool prefetch;        // the operand is larger than any L2: prefetch the next rows

  PURE_HOST_SIMD_ALWAYS_INLINE void operator()(std::int64_t i) const {
    // Neighbouring work items take neighbouring groups of the same block.
    const std::int64_t group = i % groups, b = (i / groups) % blocks, line = i / (blocks * groups);
    const std::int64_t o0 = line * row + group * kLanes;
    const std::int64_t lanes = row - group * kLanes < kLanes ? row - group * kLanes : kLanes;
    const std::int64_t begin = b * kBlock, end = begin + kBlock < extent ? begin + kBlock : extent;
    const T* base = in + kept(o0);
    T result[kLanes];
    block_lanes(base, begin, end, lanes, result);
    for (std::int64_t l = 0; l < lanes; ++l) out[(o0 + l) * blocks + b] = result[l];
  }

  // v enters the counter at `level` as its element number c of that level.
  PURE_HOST_SIMD_ALWAYS_INLINE static void push(T (&stack)[kStack][kLanes], T (&v)[kLanes], std::int64_t lanes,
                                                std::int64_t c, int level) {
    for (; c & 1; c >>= 1, ++level) {
      for (std::int64_t l = 0; l < lanes; ++l) v[l] = Combine::apply(stack[level][l], v[l]);
    }
    for (std::int64_t l = 0; l < lanes; ++l) stack[level][l] = v[l];
  }

  // Pairwise's binary counter with a row of lanes per stack level. Aligned runs
  // of 8 rows are first combined as their perfect tree, lane by lane, and
  // pushed at level 3: what pushing the 8 rows one by one would leave there,
  // for an eighth of the stack traffic.
  PURE_HOST_SIMD_ALWAYS_INLINE void block_lanes(const T* base, std::int64_t begin, std::int64_t end, std::int64_t lanes,
                                                T* result) const {
    T stack[kStack][kLanes];
    T v[kLanes];
    std::int64_t count = 0;
    std::int64_t r = begin;
    // Reading eight rows at once defeats the hardware prefetchers (eight short
    // runs, then a jump): for large operands, while one group is summed, the
    // next group's lines are prefetched into L2 in address order, eight lines
    // per cache line of lanes summed (on Zen 4 the 8-row group then streams like
    // a plain loop over rows, 1.5x faster from memory). From cache the
    // prefetches only cost (1.4x at (1024, 256) f32), so smaller operands take
    // all lanes in one pass. Prefetches change no value.
    constexpr std::int64_t kLine = 64 / sizeof(T);  // lanes per cache line
    const std::int64_t lines = (lanes + kLine - 1) / kLine;
    const std::int64_t pass = prefetch ? kLine : lanes;  // lanes summed between prefetches
    for (; end - r >= 8; r += 8, count += 8) {
      const T* p[8];
      const T* next[8];
      for (int q = 0; q < 8; ++q) p[q] = base + reduced(r + q);
      const bool ahead = prefetch && extent - r >= 16;
      if (ahead) {
        for (int q = 0; q < 8; ++q) next[q] = base + reduced(r + 8 + q);
      }
      std::int64_t pq = 0, pline = 0;  // next line to prefetch: row next[pq], line pline
      for (std::int64_t l0 = 0; l0 < lanes; l0 += pass) {
        if (ahead) {
          for (int j = 0; j < 8 && pq < 8; ++j) {
            __builtin_prefetch(next[pq] + pline * kLine, 0, 2);
            if (++pline == lines) pline = 0, ++pq;
          }
        }
        const std::int64_t l1 = lanes - l0 < pass ? lanes : l0 + pass;
        for (std::int64_t l = l0; l < l1; ++l) {
          const T a = Combine::apply(Combine::apply(p[0][l], p[1][l]), Combine::apply(p[2][l], p[3][l]));
          const T b = Combine::apply(Combine::apply(p[4][l], p[5][l]), Combine::apply(p[6][l], p[7][l]));
          v[l] = Combine::apply(a, b);
        }
      }
      push(stack, v, lanes, count >> 3, 3);
    }
    for (; r < end; ++r, ++count) {
      const T* p = base + reduced(r);
      for (std::int64_t l = 0; l < lanes; ++l) v[l] = p[l];
      push(stack, v, lanes, count, 0);
    }
    bool have = false;
    for (int level = 0; level < kStack; ++level) {
      if (((count >> level) & 1) == 0) continue;
      for (std::int64_t l = 0; l < lanes; ++l)
        result[l] = have ? Combine::apply(stack[level][l], result[l]) : stack[level][l];
      have = true;
    }
  }
};

static_assert(kBlock == ir::Primitive::kReduceBlock, "fused reductions assume the eager block");

// The first level over a contiguous run of a row (Primitive::reduce_blocks):
// BlockKernel's trailing case, block by block, in a host SIMD loop.
template <class T, class Combine>
struct FirstLevelKernel {
  const T* in;
  T* out;
  std::int64_t n;
  PURE_HOST_SIMD_ALWAYS_INLINE void range(std::int64_t begin, std::int64_t end) const {
    for (std::int64_t b = begin; b < end; ++b) {
      const std::int64_t first = b * kBlock, last = first + kBlock < n ? first + kBlock : n;
      if (last - first == kBlock) {
        out[b] = full_block<T, Combine>(in + first);
      } else {
        Pairwise<T, Combine> acc;
        for (std::int64_t r = first; r < last; ++r) acc.push(in[r]);
        out[b] = acc.result();
      }
    }
  }
};

template <class Combine>
ir::Primitive::ReduceBlocks first_level_blocks(const Aval& in, const Params&) {
  if (!dtype_ok(Types::numeric, in.dtype)) return {};
  return dispatch<Types::numeric>(in.dtype, "reduce", [](auto tag) -> ir::Primitive::ReduceBlocks {
    using T = decltype(tag);
    return [](const void* values, std::int64_t n, void* partials, HostSimd level) {
      using K = FirstLevelKernel<T, Combine>;
      const K k{static_cast<const T*>(values), static_cast<T*>(partials), n};
      pure::detail::host_simd_loop<K>(level)(k, 0, (n + kBlock - 1) / kBlock);
    };
  });
}

template <class T, class Combine>
Array reduce_impl(const Array& x, const std::vector<std::int64_t>& axes, const char* label) {
  const Shape& s = x.shape();
  const auto strides = row_major_strides(s);
  std::vector<std::int64_t> out_dims, out_strides, red_dims, red_strides;
  for (int d = 0; d < s.rank(); ++d) {
    const bool r = std::find(axes.begin(), axes.end(), d) != axes.end();
    (r ? red_dims : out_dims).push_back(s[d]);
    (r ? red_strides : out_strides).push_back(strides[static_cast<std::size_t>(d)]);
  }
  const Shape out_shape(out_dims);
  const Shape red_shape(red_dims);
  const std::int64_t n_out = out_shape.size(), extent = red_shape.size();
  const IndexMap kept = make_index_map(out_shape, out_strides, 0, label);
  const IndexMap reduced = make_index_map(red_shape, red_strides, 0, label);

  if (extent == 0) {
    if (!std::is_same<Combine, SumCombine>::value) {
      throw ValueError(std::string(label) + ": reduction over an empty axis has no identity, operand " + s.str());
    }
    return pure::zeros(out_shape, x.dtype());
  }
  // Reduced axes trailing: output o reads the contiguous run [o * extent, (o + 1) * extent).
  bool trailing = true;
  for (std::size_t k = 0; k < axes.size(); ++k) {
    trailing = trailing && axes[k] == s.rank() - static_cast<std::int64_t>(axes.size()) + static_cast<std::int64_t>(k);
  }
  // The fast path is for host loops (on GPUs one thread per block is the old kernel).
  constexpr bool kHost = std::is_same<ExecutionSpace::memory_space, Kokkos::HostSpace>::value;
  // Repeated blocking until one value per output remains.
  Array level = x;
  std::int64_t count = extent;
  bool first = true;
  // The operand's innermost axis kept with stride 1: the lanes kernel.
  const std::int64_t row = s.rank() > 0 && out_dims.size() > 0 && out_strides.back() == 1 ? out_dims.back() : 0;
  do {
    const std::int64_t blocks = (count + kBlock - 1) / kBlock;
    Array next = Array::allocate(Shape{n_out * blocks}, x.dtype(), label);
    bool done = false;
    if constexpr (kHost) {
      if (first && !trailing && row > 0) {
        const std::int64_t groups = (row + kLanes - 1) / kLanes;
        pure::detail::host_simd_for(
            label, n_out / row * groups * blocks,
            LanesBlockKernel<T, Combine>{level.view<T>(label).data(), next.mutable_view<T>(label).data(), kept, reduced,
                                         count, blocks, row, groups,
                                         static_cast<std::int64_t>(x.nbytes()) >= kPrefetchBytes});
        done = true;
      }
    }
    if (!done) {
      const bool flat = trailing || !first;
      pure::detail::host_simd_for(label, n_out * blocks,
                                  BlockKernel<T, Combine>{level.view<T>(label), next.mutable_view<T>(label), kept,
                                                          reduced, count, blocks, first, flat, kHost && flat});
    }
    level = next;
    count = blocks;
    first = false;
  } while (count > 1);
  return level.with_shape(out_shape);
}

std::vector<Aval> reduce_rule(const std::string& name, const std::vector<Aval>& in, const Params& params) {
  const auto& axes = params.get_ints("axes");
  const Shape& s = in.at(0).shape;
  std::vector<std::int64_t> out;
  for (std::size_t i = 0; i < axes.size(); ++i) {
    if (axes[i] < 0 || axes[i] >= s.rank() || (i > 0 && axes[i] <= axes[i - 1])) {
      std::string given;
      for (std::size_t j = 0; j < axes.size(); ++j) given += (j ? ", " : "") + std::to_string(axes[j]);
      throw ShapeError("pure::" + name + ": axes (" + given + ") must be sorted, distinct and in [0, " +
                       std::to_string(s.rank()) + ") for operand " + in[0].str());
    }
  }
  for (int d = 0; d < s.rank(); ++d) {
    if (std::find(axes.begin(), axes.end(), d) == axes.end()) out.push_back(s[d]);
  }
  if (in[0].dtype == DType::boolean)
    throw DTypeError("pure::" + name + ": operand must be numeric, got " + in[0].str());
  return {Aval{Shape(out), in[0].dtype}};
}

template <class Combine>
Arrays run_reduce(const Array& x, const Params& params, const char* label) {
  return {dispatch<Types::numeric>(x.dtype(), label, [&](auto tag) {
    using T = decltype(tag);
    return reduce_impl<T, Combine>(x, params.get_ints("axes"), label);
  })};
}

// The kept axes of an operand of rank `rank` after reducing `axes`.
std::vector<std::int64_t> kept_axes(int rank, const std::vector<std::int64_t>& axes) {
  std::vector<std::int64_t> kept;
  for (int d = 0; d < rank; ++d) {
    if (std::find(axes.begin(), axes.end(), d) == axes.end()) kept.push_back(d);
  }
  return kept;
}

const ir::Primitive& reduce_sum_p = ir::register_primitive([] {
  ir::Primitive p;
  p.name = "reduce_sum";
  p.abstract_eval = [](const std::vector<Aval>& in, const Params& params) {
    return reduce_rule("reduce_sum", in, params);
  };
  p.impl = [](const Arrays& in, const Params& params) {
    return run_reduce<SumCombine>(in[0], params, "pure::reduce_sum");
  };
  p.reduce_blocks = first_level_blocks<SumCombine>;
  p.jvp = [](const Arrays&, const Arrays& t, const Arrays&, const Params& params) -> Arrays {
    if (ir::is_zero(t[0])) return {Array()};
    return {lax::reduce_sum(t[0], params.get_ints("axes"))};
  };
  p.transpose = [](const Arrays& ct, const Arrays&, const std::vector<bool>&, const std::vector<Aval>& in_avals,
                   const Params& params) -> Arrays {
    if (ir::is_zero(ct[0])) return {Array()};
    const Shape& s = in_avals[0].shape;
    return {lax::broadcast_in_dim(ct[0], s, kept_axes(s.rank(), params.get_ints("axes")))};
  };
  return p;
}());

// Tangent of max/min reductions: the mean of the tangents at the positions that
// attain the extremum (ties share evenly, as jax).
Arrays chooser_jvp(const Arrays& x, const Arrays& t, const Arrays& out, const Params& params) {
  if (ir::is_zero(t[0])) return {Array()};
  const auto& axes = params.get_ints("axes");
  const Shape& s = x[0].shape();
  const Array ans = lax::broadcast_in_dim(out[0], s, kept_axes(s.rank(), axes));
  const Array where = lax::convert_element_type(lax::eq(x[0], ans), x[0].dtype());
  const Array counts = lax::reduce_sum(where, axes);
  return {lax::div(lax::reduce_sum(lax::mul(t[0], where), axes), counts)};
}

const ir::Primitive& reduce_max_p = ir::register_primitive([] {
  ir::Primitive p;
  p.name = "reduce_max";
  p.abstract_eval = [](const std::vector<Aval>& in, const Params& params) {
    return reduce_rule("reduce_max", in, params);
  };
  p.impl = [](const Arrays& in, const Params& params) {
    return run_reduce<MaxCombine>(in[0], params, "pure::reduce_max");
  };
  p.reduce_blocks = first_level_blocks<MaxCombine>;
  p.jvp = chooser_jvp;
  return p;
}());

const ir::Primitive& reduce_min_p = ir::register_primitive([] {
  ir::Primitive p;
  p.name = "reduce_min";
  p.abstract_eval = [](const std::vector<Aval>& in, const Params& params) {
    return reduce_rule("reduce_min", in, params);
  };
  p.impl = [](const Arrays& in, const Params& params) {
    return run_reduce<MinCombine>(in[0], params, "pure::reduce_min");
  };
  p.reduce_blocks = first_level_blocks<MinCombine>;
  p.jvp = chooser_jvp;
  return p;
}());

}  // namespace
}  // namespace pure::ops

namespace pure::lax {

Array reduce_sum(const Array& x, const std::vector<std::int64_t>& axes) {
  if (axes.empty()) return x;
  return ir::bind1(ops::reduce_sum_p, {x}, ir::Params{{"axes", axes}});
}
Array reduce_max(const Array& x, const std::vector<std::int64_t>& axes) {
  if (axes.empty()) return x;
  return ir::bind1(ops::reduce_max_p, {x}, ir::Params{{"axes", axes}});
}
Array reduce_min(const Array& x, const std::vector<std::int64_t>& axes) {
  if (axes.empty()) return x;
  return ir::bind1(ops::reduce_min_p, {x}, ir::Params{{"axes", axes}});
}

}  // namespace pure::lax
