// Indexing primitives: gather / scatter_add along one axis, argmax / argmin.
//
// A simplified form of XLA's gather/scatter, enough for take, take_along_axis
// and embedding lookups (and for their gradients):
//   gather(x, idx, axis)[.., j, ..]          = x[.., clamp(idx[.., j, ..]), ..]
//   scatter_add(op, idx, upd, axis)[.., k, ..] = op[.., k, ..] + sum over j with
//                                                clamp(idx[.., j, ..]) == k of upd[.., j, ..]
// where ".." are the other axes (equal extents), idx is int32 or int64 and
// may have extent 1 on axes other than `axis` (broadcast). Indices are clamped
// to [0, n-1] (jax's "clip" mode), so the two are exact transposes of each other.
//
// scatter_add is deterministic: the updates that hit one output element are
// added in increasing j, found through a sort of unique integer keys (no
// floating-point atomics), so results never depend on thread timing.
//
// Row indices (idx of extent 1 on every axis after `axis`: take of rows,
// embedding lookups and their gradients) move whole lines of `post`
// contiguous elements: gather copies rows on host spaces (an odometer over
// lines instead of an index map per element), scatter_add sorts one key per
// line instead of one per element. Device spaces keep one element per thread
// for gather (coalesced). Either way each element gets the same value, or the
// same additions in the same order, as the element-wise kernels.
#include <algorithm>
#include <cstring>
#include <limits>
#include <type_traits>

#include <Kokkos_Sort.hpp>

#include "../core/host_simd_for.hpp"
#include "rules.hpp"
#include "strided.hpp"

#if PURE_HOST_SIMD_X86
#include <immintrin.h>
#endif

namespace pure::ops {
namespace {

using namespace detail;

// An operand seen as (pre, n, post) around `axis`.
struct Lines {
  std::int64_t pre = 1, n = 1, post = 1;
};
Lines lines_of(const Shape& s, std::int64_t axis) {
  Lines l;
  for (int d = 0; d < s.rank(); ++d) {
    if (d < axis) l.pre *= s[d];
    if (d == axis) l.n = s[d];
    if (d > axis) l.post *= s[d];
  }
  return l;
}

KOKKOS_INLINE_FUNCTION std::int64_t clamp_index(std::int64_t k, std::int64_t n) {
  return k < 0 ? 0 : (k >= n ? n - 1 : k);
}

void check_axis(const char* op, std::int64_t axis, const Aval& x) {
  if (axis < 0 || axis >= x.shape.rank()) {
    throw ShapeError(std::string("pure::") + op + ": axis " + std::to_string(axis) + " is out of range for operand " +
                     x.str());
  }
}

// `indices` must be int32/int64 of the target's rank, with extent m along
// `axis` and, elsewhere, the target's extent or 1.
void check_indices(const char* op, const Aval& idx, const Shape& target, std::int64_t axis) {
  if (idx.dtype != DType::i32 && idx.dtype != DType::i64) {
    throw DTypeError(std::string("pure::") + op + ": argument 'indices' must be int32 or int64, got " + idx.str());
  }
  bool ok = idx.shape.rank() == target.rank();
  for (int d = 0; ok && d < target.rank(); ++d) {
    ok = idx.shape[d] == target[d] || (d != axis && idx.shape[d] == 1);
  }
  if (!ok) {
    throw ShapeError(std::string("pure::") + op + ": argument 'indices' " + idx.str() + " must have shape " +
                     target.str() + " (extent 1 allowed on axes other than " + std::to_string(axis) + ")");
  }
}

// Index map from a target position to the (possibly broadcast) indices array.
IndexMap indices_map(const Shape& idx, const Shape& target, const char* op) {
  const auto st = row_major_strides(idx);
  std::vector<std::int64_t> strides;
  for (int d = 0; d < target.rank(); ++d) strides.push_back(idx[d] == target[d] ? st[uz(d)] : 0);
  return make_index_map(target, strides, 0, op);
}

Shape with_extent(const Shape& s, std::int64_t axis, std::int64_t n) {
  std::vector<std::int64_t> d = s.dims();
  d[uz(axis)] = n;
  return Shape(d);
}

// ---------------------------------------------------------------- gather
template <class T, class I>
struct GatherKernel {
  ConstView<T> x;
  ConstView<I> idx;
  MutableView<T> out;
  IndexMap idx_map;
  std::int64_t n, m, post;
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t i) const {
    const std::int64_t q = i % post, p = i / (post * m);
    const std::int64_t k = clamp_index(static_cast<std::int64_t>(idx(idx_map(i))), n);
    out(i) = x((p * n + k) * post + q);
  }
};

// Whether idx has extent 1 on every axis after `axis` (one index per line).
bool row_indices(const Shape& idx, std::int64_t axis) {
  for (int d = static_cast<int>(axis) + 1; d < idx.rank(); ++d) {
    if (idx[d] != 1) return false;
  }
  return true;
}

// Offsets into idx of line (p, j) = pre_map(p) + j * step: pre_map over the
// axes before `axis` (broadcast ones with stride 0), step idx's stride along it.
struct LineIndices {
  IndexMap pre_map;
  std::int64_t step = 0;
};
LineIndices line_indices(const Shape& idx, const Shape& target, std::int64_t axis, const char* op) {
  const auto st = row_major_strides(idx);
  std::vector<std::int64_t> pre_dims, pre_strides;
  for (int d = 0; d < axis; ++d) {
    pre_dims.push_back(target[d]);
    pre_strides.push_back(idx[d] == target[d] ? st[uz(d)] : 0);
  }
  return {make_index_map(Shape(pre_dims), pre_strides, 0, op), st[uz(axis)]};
}

#if PURE_HOST_SIMD_X86
// take_along_axis on the last axis with contiguous int32 indices, AVX2: out[j]
// = x[clamp(idx[j])] for j in [0, count) rounded down to multiples of 8. The
// indices are clamped eight at a time with vector min/max (the scalar loop's
// clamp doubled its instructions), then moved to general registers two at a
// time (vmovq / vpextrq of 64 bits, split by a shift: the clamped indices are
// >= 0, so zero extension is exact) and the elements move one by one.
// Measured on Zen 4: 1.38x faster than widening to 64 bits through a stack
// buffer (the version tuned on Zen 3, 2026-12-07); AVX2 gather instructions
// were slower still on Zen 3 (microcoded; Intel's Gather Data Sampling
// microcode slows them too). Only data moves, so the bits are the scalar loop's.
// Returns the count done.
template <class T>
__attribute__((target("avx2"))) std::int64_t take_avx2(const T* x, const std::int32_t* idx, std::int64_t n, T* out,
                                                       std::int64_t count) {
  const __m256i lo = _mm256_setzero_si256();
  const __m256i hi = _mm256_set1_epi32(static_cast<int>(std::min<std::int64_t>(n - 1, 0x7fffffff)));
  std::int64_t j = 0;
  for (; j + 8 <= count; j += 8) {
    const __m256i v =
        _mm256_min_epi32(_mm256_max_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(idx + j)), lo), hi);
    const __m128i a = _mm256_castsi256_si128(v), b = _mm256_extracti128_si256(v, 1);
    const std::uint64_t k[4] = {
        static_cast<std::uint64_t>(_mm_cvtsi128_si64(a)), static_cast<std::uint64_t>(_mm_extract_epi64(a, 1)),
        static_cast<std::uint64_t>(_mm_cvtsi128_si64(b)), static_cast<std::uint64_t>(_mm_extract_epi64(b, 1))};
#pragma GCC unroll 4
    for (int u = 0; u < 4; ++u) {
      out[j + 2 * u] = x[k[u] & 0xffffffffu];
      out[j + 2 * u + 1] = x[k[u] >> 32];
    }
  }
  return j;
}
#endif

// out[j] = x[clamp(idx[j * step])] for j in [0, count): one line's elements of
// take_along_axis on the last axis.
template <class T, class I>
void take_elements(const T* x, const I* idx, std::int64_t step, std::int64_t n, T* out, std::int64_t count,
                   bool vector) {
  std::int64_t j = 0;
#if PURE_HOST_SIMD_X86
  if constexpr (std::is_same<I, std::int32_t>::value) {
    if (vector && step == 1) j = take_avx2(x, idx, n, out, count);
  }
#endif
  (void)vector;
  for (; j < count; ++j) out[j] = x[clamp_index(static_cast<std::int64_t>(idx[j * step]), n)];
}

// Host spaces: each work item copies `per_item` consecutive output lines
// (p, j), each the `post` contiguous elements of x's row clamp(idx(p, j)),
// walking them as runs of j within one p (one division per run).
template <class T, class I>
struct GatherLinesKernel {
  const T* x;
  const I* idx;
  T* out;
  LineIndices li;
  std::int64_t n, m, post, lines, per_item;
  bool vector;  // take_avx2 for int32 indices (the host's SIMD level allows AVX2)
  void operator()(std::int64_t item) const {
    std::int64_t line = item * per_item;
    const std::int64_t end = line + per_item < lines ? line + per_item : lines;
    while (line < end) {
      const std::int64_t p = line / m, j_begin = line % m;
      const std::int64_t j_end = m - j_begin < end - line ? m : j_begin + (end - line);
      const I* ip = idx + li.pre_map(p);
      const T* xp = x + p * n * post;
      T* op = out + p * m * post;
      if (post == 1) {  // take_along_axis on the last axis: one element per line
        take_elements(xp, ip + j_begin * li.step, li.step, n, op + j_begin, j_end - j_begin, vector);
      } else {
        for (std::int64_t j = j_begin; j < j_end; ++j) {
          const T* src = xp + clamp_index(static_cast<std::int64_t>(ip[j * li.step]), n) * post;
          // memcpy: the C library's widest moves (a plain loop is scalar at -O2
          // and SSE2 at -O3 without -march; only data moves, so the same bits).
          std::memcpy(op + j * post, src, static_cast<std::size_t>(post) * sizeof(T));
        }
      }
      line += j_end - j_begin;
    }
  }
};

const ir::Primitive& gather_p = ir::register_primitive([] {
  ir::Primitive p;
  p.name = "gather";
  p.abstract_eval = [](const std::vector<Aval>& in, const Params& params) {
    const std::int64_t axis = params.get_int("axis");
    const Aval& x = in.at(0);
    const Aval& idx = in.at(1);
    check_axis("gather", axis, x);
    if (idx.shape.rank() != x.shape.rank()) {
      throw ShapeError("pure::gather: argument 'indices' " + idx.str() + " must have the rank of operand " + x.str());
    }
    const Shape out = with_extent(x.shape, axis, idx.shape[static_cast<int>(axis)]);
    check_indices("gather", idx, out, axis);
    if (x.shape[static_cast<int>(axis)] == 0 && out.size() > 0) {
      throw ShapeError("pure::gather: cannot take elements from the empty axis " + std::to_string(axis) +
                       " of operand " + x.str());
    }
    return std::vector<Aval>{Aval{out, x.dtype}};
  };
  p.impl = [](const Arrays& in, const Params& params) -> Arrays {
    const char* label = "pure::gather";
    const std::int64_t axis = params.get_int("axis");
    const Lines l = lines_of(in[0].shape(), axis);
    const std::int64_t m = in[1].shape()[static_cast<int>(axis)];
    const Shape out_shape = with_extent(in[0].shape(), axis, m);
    const IndexMap im = indices_map(in[1].shape(), out_shape, "gather");
    Array out = Array::allocate(out_shape, in[0].dtype(), label);
    if (out.size() == 0) return {out};
    constexpr bool host_space = std::is_same<ExecutionSpace::memory_space, Kokkos::HostSpace>::value;
    const bool by_lines = row_indices(in[1].shape(), axis);
    dispatch<Types::all>(in[0].dtype(), label, [&](auto tag) {
      using T = decltype(tag);
      auto run = [&](auto itag) {
        using I = decltype(itag);
        // (Host spaces only: the line kernel is host code.)
        if constexpr (host_space) {
          if (by_lines) {
            const std::int64_t lines = out.size() / l.post;
            const std::int64_t per_item = std::max<std::int64_t>(1, 4096 / l.post);  // about 4096 elements per item
            Kokkos::parallel_for(label, Policy(0, (lines + per_item - 1) / per_item),
                                 GatherLinesKernel<T, I>{in[0].view<T>(label).data(), in[1].view<I>(label).data(),
                                                         out.mutable_view<T>(label).data(),
                                                         line_indices(in[1].shape(), out_shape, axis, "gather"), l.n, m,
                                                         l.post, lines, per_item, host_simd() >= HostSimd::avx2});
            return;
          }
        }
        Kokkos::parallel_for(label, Policy(0, out.size()),
                             GatherKernel<T, I>{in[0].view<T>(label), in[1].view<I>(label), out.mutable_view<T>(label),
                                                im, l.n, m, l.post});
      };
      if (in[1].dtype() == DType::i32) {
        run(std::int32_t{});
      } else {
        run(std::int64_t{});
      }
      return 0;
    });
    return {out};
  };
  p.jvp = [](const Arrays& x, const Arrays& t, const Arrays&, const Params& params) -> Arrays {
    if (ir::is_zero(t[0])) return {Array()};
    return {lax::gather(t[0], x[1], params.get_int("axis"))};
  };
  p.transpose = [](const Arrays& ct, const Arrays& args, const std::vector<bool>& linear,
                   const std::vector<Aval>& in_avals, const Params& params) -> Arrays {
    if (linear[1]) throw Error("pure::gather: transpose with respect to the indices (not linear)");
    if (ir::is_zero(ct[0])) return {Array(), Array()};
    const Array zeros = pure::zeros(in_avals[0].shape, in_avals[0].dtype);
    return {lax::scatter_add(zeros, args[1], ct[0], params.get_int("axis")), Array()};
  };
  return p;
}());

// ---------------------------------------------------------------- scatter_add
// Key of update (line, j) hitting row k: ((line * n + k) * m + j). Keys are
// unique, so any sort gives the same order: by line, then k, then j.
template <class I>
struct ScatterKeys {
  ConstView<I> idx;
  Kokkos::View<std::int64_t*, MemorySpace> keys;
  IndexMap idx_map;
  std::int64_t n, m, post;
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t u) const {
    const std::int64_t q = u % post, j = (u / post) % m, p = u / (post * m);
    const std::int64_t k = clamp_index(static_cast<std::int64_t>(idx(idx_map(u))), n);
    keys(u) = ((p * post + q) * n + k) * m + j;
  }
};

// Position of the first sorted key >= `first` (binary search).
KOKKOS_INLINE_FUNCTION std::int64_t first_key_at_least(const Kokkos::View<const std::int64_t*, MemorySpace>& keys,
                                                       std::int64_t first) {
  std::int64_t lo = 0, hi = static_cast<std::int64_t>(keys.extent(0));
  while (lo < hi) {
    const std::int64_t mid = lo + (hi - lo) / 2;
    if (keys(mid) < first) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

// Output (line, k) = operand + its updates in increasing j; they are the
// sorted keys in [first, first + m), found by binary search.
template <class T>
struct ScatterSum {
  ConstView<T> operand, updates;
  Kokkos::View<const std::int64_t*, MemorySpace> keys;
  MutableView<T> out;
  std::int64_t n, m, post;
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t o) const {
    const std::int64_t q = o % post, k = (o / post) % n, p = o / (post * n);
    const std::int64_t first = ((p * post + q) * n + k) * m;
    const std::int64_t lo = first_key_at_least(keys, first);
    T acc = operand(o);
    const std::int64_t end = static_cast<std::int64_t>(keys.extent(0));
    for (std::int64_t r = lo; r < end && keys(r) < first + m; ++r) {
      const std::int64_t j = keys(r) - first;
      acc = pure::detail::wrapping_add(acc, updates((p * m + j) * post + q));  // integers wrap, as XLA
    }
    out(o) = acc;
  }
};

// Row indices: key of line (p, j) hitting row k: (p * n + k) * m + j, unique.
template <class I>
struct ScatterLineKeys {
  const I* idx;
  Kokkos::View<std::int64_t*, MemorySpace> keys;
  LineIndices li;
  std::int64_t n, m;
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t u) const {
    const std::int64_t j = u % m, p = u / m;
    const std::int64_t k = clamp_index(static_cast<std::int64_t>(idx[li.pre_map(p) + j * li.step]), n);
    keys(u) = (p * n + k) * m + j;
  }
};

// Output line (p, k) = operand line + the update lines of its keys, in
// increasing j: per element the additions of ScatterSum, in its order. Each
// pass over the line adds up to kRowsPerPass update lines, the first pass
// starting from the operand line: the line is written once per pass, not once
// for the copy and once per update line (f64 (1024, 1024) with 1024 update
// rows, -O3 on Zen 4: 1.07-1.37x the hand loop -> 0.74-0.78x).
template <class T>
struct ScatterLineSum {
  static constexpr int kRowsPerPass = 4;
  const T *operand, *updates;
  Kokkos::View<const std::int64_t*, MemorySpace> keys;
  T* out;
  std::int64_t n, m, post;
  KOKKOS_FORCEINLINE_FUNCTION void operator()(std::int64_t line) const {
    const std::int64_t k = line % n, p = line / n;
    const std::int64_t first = (p * n + k) * m;
    const std::int64_t end = static_cast<std::int64_t>(keys.extent(0));
    std::int64_t r = first_key_at_least(keys, first);
    T* dst = out + line * post;
    const T* from = operand + line * post;
    for (;;) {
      const T* u[kRowsPerPass] = {};
      int rows = 0;
      for (; rows < kRowsPerPass && r < end && keys(r) < first + m; ++rows, ++r) {
        u[rows] = updates + (p * m + keys(r) - first) * post;
      }
      if (rows == 0 && from == dst) return;  // the last pass added kRowsPerPass lines
      sum_lines(dst, from, u, rows);
      if (rows < kRowsPerPass) return;
      from = dst;
    }
  }
  // dst = from + u[0] + ... + u[rows - 1], left to right, element by element;
  // the count is a template argument so that the additions unroll and the loop
  // over the line vectorises.
  template <int Rows>
  KOKKOS_FORCEINLINE_FUNCTION void sum_lines(T* dst, const T* from, const T* const* u) const {
    const T* line[Rows > 0 ? Rows : 1] = {};  // local copies: stores to dst cannot change them
    for (int i = 0; i < Rows; ++i) line[i] = u[i];
    for (std::int64_t q = 0; q < post; ++q) {
      T acc = from[q];
      for (int i = 0; i < Rows; ++i) acc = pure::detail::wrapping_add(acc, line[i][q]);  // integers wrap, as XLA
      dst[q] = acc;
    }
  }
  KOKKOS_FORCEINLINE_FUNCTION void sum_lines(T* dst, const T* from, const T* const* u, int rows) const {
    static_assert(kRowsPerPass == 4, "one case per count of lines up to kRowsPerPass");
    switch (rows) {
      case 0: sum_lines<0>(dst, from, u); break;
      case 1: sum_lines<1>(dst, from, u); break;
      case 2: sum_lines<2>(dst, from, u); break;
      case 3: sum_lines<3>(dst, from, u); break;
      default: sum_lines<4>(dst, from, u);
    }
  }
};

const ir::Primitive& scatter_add_p = ir::register_primitive([] {
  ir::Primitive p;
  p.name = "scatter_add";
  p.abstract_eval = [](const std::vector<Aval>& in, const Params& params) {
    const std::int64_t axis = params.get_int("axis");
    const Aval& op = in.at(0);
    const Aval& idx = in.at(1);
    const Aval& upd = in.at(2);
    check_axis("scatter_add", axis, op);
    if (op.dtype == DType::boolean) throw DTypeError("pure::scatter_add: operand must be numeric, got " + op.str());
    if (upd.dtype != op.dtype) {
      throw DTypeError("pure::scatter_add: argument 'updates' " + upd.str() + " must have the dtype of operand " +
                       op.str());
    }
    bool ok = upd.shape.rank() == op.shape.rank();
    for (int d = 0; ok && d < op.shape.rank(); ++d) ok = d == axis || upd.shape[d] == op.shape[d];
    if (!ok) {
      throw ShapeError("pure::scatter_add: argument 'updates' " + upd.str() + " must match operand " + op.str() +
                       " in dtype and in every axis but " + std::to_string(axis));
    }
    check_indices("scatter_add", idx, upd.shape, axis);
    const Lines l = lines_of(op.shape, axis);
    const std::int64_t m = upd.shape[static_cast<int>(axis)];
    if (l.n == 0 && upd.shape.size() > 0) {
      throw ShapeError("pure::scatter_add: cannot add updates " + upd.str() + " into the empty axis " +
                       std::to_string(axis) + " of operand " + op.str());
    }
    const std::int64_t big = std::numeric_limits<std::int64_t>::max();
    if (l.n > 0 && m > 0 && l.pre * l.post > 0 && l.pre * l.post > big / l.n / m) {
      throw ValueError("pure::scatter_add: operand " + op.str() + " and updates " + upd.str() +
                       " are too large for 64-bit sort keys");
    }
    return std::vector<Aval>{op};
  };
  p.impl = [](const Arrays& in, const Params& params) -> Arrays {
    const char* label = "pure::scatter_add";
    const std::int64_t axis = params.get_int("axis");
    const Array& upd = in[2];
    const Lines l = lines_of(in[0].shape(), axis);
    const std::int64_t m = upd.shape()[static_cast<int>(axis)];
    if (upd.size() == 0) return {in[0]};     // nothing to add; arrays are immutable, so sharing is safe
    if (row_indices(in[1].shape(), axis)) {  // one key per line
      const std::int64_t lines = l.pre * m;
      Kokkos::View<std::int64_t*, MemorySpace> keys(
          Kokkos::view_alloc(std::string("pure::scatter_add::keys"), Kokkos::WithoutInitializing),
          static_cast<std::size_t>(lines));
      const LineIndices li = line_indices(in[1].shape(), upd.shape(), axis, "scatter_add");
      if (in[1].dtype() == DType::i32) {
        Kokkos::parallel_for(label, Policy(0, lines),
                             ScatterLineKeys<std::int32_t>{in[1].view<std::int32_t>(label).data(), keys, li, l.n, m});
      } else {
        Kokkos::parallel_for(label, Policy(0, lines),
                             ScatterLineKeys<std::int64_t>{in[1].view<std::int64_t>(label).data(), keys, li, l.n, m});
      }
      Kokkos::sort(keys);
      Array out = Array::allocate(in[0].shape(), in[0].dtype(), label);
      dispatch<Types::numeric>(in[0].dtype(), label, [&](auto tag) {
        using T = decltype(tag);
        pure::detail::host_simd_for(label, l.pre * l.n,
                                    ScatterLineSum<T>{in[0].view<T>(label).data(), upd.view<T>(label).data(), keys,
                                                      out.mutable_view<T>(label).data(), l.n, m, l.post});
        return 0;
      });
      return {out};
    }
    const IndexMap im = indices_map(in[1].shape(), upd.shape(), "scatter_add");
    Kokkos::View<std::int64_t*, MemorySpace> keys(
        Kokkos::view_alloc(std::string("pure::scatter_add::keys"), Kokkos::WithoutInitializing),
        static_cast<std::size_t>(upd.size()));
    if (in[1].dtype() == DType::i32) {
      Kokkos::parallel_for(label, Policy(0, upd.size()),
                           ScatterKeys<std::int32_t>{in[1].view<std::int32_t>(label), keys, im, l.n, m, l.post});
    } else {
      Kokkos::parallel_for(label, Policy(0, upd.size()),
                           ScatterKeys<std::int64_t>{in[1].view<std::int64_t>(label), keys, im, l.n, m, l.post});
    }
    Kokkos::sort(keys);
    Array out = Array::allocate(in[0].shape(), in[0].dtype(), label);
    dispatch<Types::numeric>(in[0].dtype(), label, [&](auto tag) {
      using T = decltype(tag);
      Kokkos::parallel_for(
          label, Policy(0, out.size()),
          ScatterSum<T>{in[0].view<T>(label), upd.view<T>(label), keys, out.mutable_view<T>(label), l.n, m, l.post});
      return 0;
    });
    return {out};
  };
  p.jvp = [](const Arrays& x, const Arrays& t, const Arrays&, const Params& params) -> Arrays {
    if (ir::is_zero(t[0]) && ir::is_zero(t[2])) return {Array()};
    if (ir::is_zero(t[2])) return {t[0]};
    const Array to = ir::is_zero(t[0]) ? pure::zeros(x[0].shape(), x[0].dtype()) : t[0];
    return {lax::scatter_add(to, x[1], t[2], params.get_int("axis"))};
  };
  p.transpose = [](const Arrays& ct, const Arrays& args, const std::vector<bool>& linear, const std::vector<Aval>&,
                   const Params& params) -> Arrays {
    if (linear[1]) throw Error("pure::scatter_add: transpose with respect to the indices (not linear)");
    if (ir::is_zero(ct[0])) return {Array(), Array(), Array()};
    return {linear[0] ? ct[0] : Array(), Array(),
            linear[2] ? lax::gather(ct[0], args[1], params.get_int("axis")) : Array()};
  };
  return p;
}());

// ---------------------------------------------------------------- argmax, argmin
// One thread per output scans its line in index order: ties go to the lowest
// index and a NaN wins (as jax), so the result is the same on every backend.
template <class T, class R>
struct ArgReduceKernel {
  ConstView<T> x;
  MutableView<R> out;
  std::int64_t n, post;
  bool is_max;
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t o) const {
    const std::int64_t base = (o / post) * n * post + o % post;
    T best = x(base);
    std::int64_t at = 0;
    bool nan = false;
    if constexpr (kIsFloat<T>) nan = best != best;
    for (std::int64_t k = 1; k < n && !nan; ++k) {
      const T v = x(base + k * post);
      if constexpr (kIsFloat<T>) {
        if (v != v) {
          at = k;
          break;
        }
      }
      if (is_max ? v > best : v < best) {
        best = v;
        at = k;
      }
    }
    out(o) = static_cast<R>(at);
  }

  // Host loops, contiguous lines (post == 1): kLanes interleaved scans, each
  // keeping its best value, the first index reaching it and its first NaN;
  // then the lanes are merged. The answer does not depend on the scan order
  // (the lowest index among the extrema, or the lowest NaN index), so it is
  // the scalar scan's, and the lanes vectorise.
  PURE_HOST_SIMD_ALWAYS_INLINE void range(std::int64_t begin, std::int64_t end) const {
    constexpr int kLanes = 8;
    for (std::int64_t o = begin; o < end; ++o) {
      if (post != 1 || n < 2 * kLanes) {
        (*this)(o);
        continue;
      }
      const T* p = x.data() + o * n;
      // Lane indices as wide as T, so that value and index masks have one
      // width (GCC 12 does not vectorise the mix); 32 bits need n < 2^31.
      using Index = std::conditional_t<sizeof(T) == 4, std::int32_t, std::int64_t>;
      if (sizeof(T) == 4 && n > std::numeric_limits<std::int32_t>::max()) {
        (*this)(o);
        continue;
      }
      const auto ni = static_cast<Index>(n);
      T best[kLanes];
      Index at[kLanes], first_nan[kLanes];
      for (Index l = 0; l < kLanes; ++l) {
        best[l] = p[l];
        at[l] = l;
        first_nan[l] = p[l] != p[l] ? l : ni;
      }
      const Index full = ni - ni % kLanes;
      for (Index k = kLanes; k < full; k += kLanes) {
        for (Index l = 0; l < kLanes; ++l) {
          const T v = p[k + l];
          const bool better = is_max ? v > best[l] : v < best[l];
          best[l] = better ? v : best[l];
          at[l] = better ? k + l : at[l];
          first_nan[l] = (v != v && first_nan[l] == ni) ? k + l : first_nan[l];
        }
      }
      std::int64_t nan_at = n, result = at[0];
      T value = best[0];
      for (std::int64_t l = 0; l < kLanes; ++l) {
        nan_at = first_nan[l] < nan_at ? first_nan[l] : nan_at;
        const bool better = is_max ? best[l] > value : best[l] < value;
        const bool tie = best[l] == value && at[l] < result;
        result = better || tie ? at[l] : result;
        value = better ? best[l] : value;
      }
      for (std::int64_t k = full; k < n; ++k) {  // the tail, in order (all indices above the lanes')
        const T v = p[k];
        if (v != v && nan_at == n) nan_at = k;
        if (is_max ? v > value : v < value) {
          value = v;
          result = k;
        }
      }
      out(o) = static_cast<R>(nan_at < n ? nan_at : result);
    }
  }
};

ir::Primitive make_arg_reduce(const std::string& name, bool is_max) {
  ir::Primitive p;
  p.name = name;
  p.abstract_eval = [name](const std::vector<Aval>& in, const Params& params) {
    const std::int64_t axis = params.get_int("axis");
    const DType index_dtype = params.get<DType>("index_dtype");
    const Aval& x = in.at(0);
    if (x.dtype == DType::boolean) throw DTypeError("pure::" + name + ": operand must be numeric, got " + x.str());
    if (index_dtype != DType::i32 && index_dtype != DType::i64) {
      throw DTypeError("pure::" + name + ": argument 'index_dtype' must be int32 or int64, got " +
                       dtype_name(index_dtype));
    }
    if (axis < 0 || axis >= x.shape.rank()) {
      throw ShapeError("pure::" + name + ": axis " + std::to_string(axis) + " is out of range for operand " + x.str());
    }
    if (x.shape[static_cast<int>(axis)] == 0) {
      throw ShapeError("pure::" + name + ": axis " + std::to_string(axis) + " of operand " + x.str() +
                       " is empty, so it has no " + (name == "argmax" ? "maximum" : "minimum"));
    }
    if (index_dtype == DType::i32 && x.shape[static_cast<int>(axis)] > std::numeric_limits<std::int32_t>::max()) {
      throw ValueError("pure::" + name + ": axis " + std::to_string(axis) + " of operand " + x.str() +
                       " is too long for index_dtype int32");
    }
    std::vector<std::int64_t> dims;
    for (int d = 0; d < x.shape.rank(); ++d) {
      if (d != axis) dims.push_back(x.shape[d]);
    }
    return std::vector<Aval>{Aval{Shape(dims), index_dtype}};
  };
  const std::string label = "pure::" + name;
  p.impl = [label, is_max](const Arrays& in, const Params& params) -> Arrays {
    const char* lab = label.c_str();
    const std::int64_t axis = params.get_int("axis");
    const DType index_dtype = params.get<DType>("index_dtype");
    const Lines l = lines_of(in[0].shape(), axis);
    std::vector<std::int64_t> dims = in[0].shape().dims();
    dims.erase(dims.begin() + axis);
    Array out = Array::allocate(Shape(dims), index_dtype, lab);
    dispatch<Types::numeric>(in[0].dtype(), lab, [&](auto tag) {
      using T = decltype(tag);
      if (index_dtype == DType::i32) {
        pure::detail::host_simd_for(lab, out.size(),
                                    ArgReduceKernel<T, std::int32_t>{
                                        in[0].view<T>(lab), out.mutable_view<std::int32_t>(lab), l.n, l.post, is_max});
      } else {
        pure::detail::host_simd_for(lab, out.size(),
                                    ArgReduceKernel<T, std::int64_t>{
                                        in[0].view<T>(lab), out.mutable_view<std::int64_t>(lab), l.n, l.post, is_max});
      }
      return 0;
    });
    return {out};
  };
  // An integer output: its tangent is zero (jax's float0).
  p.jvp = [](const Arrays&, const Arrays&, const Arrays&, const Params&) -> Arrays { return {Array()}; };
  return p;
}

const ir::Primitive& argmax_p = ir::register_primitive(make_arg_reduce("argmax", true));
const ir::Primitive& argmin_p = ir::register_primitive(make_arg_reduce("argmin", false));

}  // namespace
}  // namespace pure::ops

namespace pure::lax {

Array gather(const Array& x, const Array& indices, std::int64_t axis) {
  return ir::bind1(ops::gather_p, {x, indices}, ir::Params{{"axis", axis}});
}

Array scatter_add(const Array& operand, const Array& indices, const Array& updates, std::int64_t axis) {
  return ir::bind1(ops::scatter_add_p, {operand, indices, updates}, ir::Params{{"axis", axis}});
}

Array argmax(const Array& x, std::int64_t axis, DType index_dtype) {
  return ir::bind1(ops::argmax_p, {x}, ir::Params{{"axis", axis}, {"index_dtype", index_dtype}});
}

Array argmin(const Array& x, std::int64_t axis, DType index_dtype) {
  return ir::bind1(ops::argmin_p, {x}, ir::Params{{"axis", axis}, {"index_dtype", index_dtype}});
}

}  // namespace pure::lax
