// StridedWalk: reads N operands through affine index maps over one row-major
// output, i.e. operand k's element for output coordinate c is
//   data_k[base_k + sum_d c_d * stride_k[d]]
// (stride 0 along broadcast axes). Used for broadcast views (Array), the copy
// kernels of transpose/slice/broadcast_in_dim and elementwise ops whose operand
// is a broadcast view.
//
// Axes that every operand reads contiguously with the next one are merged
// first, so a bias broadcast over rows becomes two axes and a scalar one axis.
// On the host a kernel walks its range as runs along the innermost axis (no
// division per element, inner loops that vectorise); on devices offsets(i)
// computes one element's offsets directly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <pure/core/error.hpp>
#include <pure/core/shape.hpp>

#include "host_simd_for.hpp"

namespace pure::detail {

constexpr int kMaxWalkRank = 8;

template <int N>
struct StridedWalk {
  int rank = 1;                                // after merging; at least 1
  std::int64_t dims[kMaxWalkRank] = {1};       // output extents
  std::int64_t strides[N][kMaxWalkRank] = {};  // operand k's element stride per axis
  std::int64_t base[N] = {};

  /// Stride of operand k along the innermost axis (0: the same element all run long).
  KOKKOS_INLINE_FUNCTION std::int64_t inner_stride(int k) const { return strides[k][rank - 1]; }

  /// Offsets of output element i into each operand.
  KOKKOS_INLINE_FUNCTION void offsets(std::int64_t i, std::int64_t (&off)[N]) const {
    for (int k = 0; k < N; ++k) off[k] = base[k];
    for (int d = rank - 1; d >= 0; --d) {
      const std::int64_t c = i % dims[d];
      i /= dims[d];
      for (int k = 0; k < N; ++k) off[k] += c * strides[k][d];
    }
  }

  /// Host iteration state: the coordinates of the current element and its offsets.
  struct Cursor {
    std::int64_t coord[kMaxWalkRank];
    std::int64_t off[N];
  };

  PURE_HOST_SIMD_ALWAYS_INLINE Cursor start(std::int64_t i) const {
    Cursor cur;
    for (int k = 0; k < N; ++k) cur.off[k] = base[k];
    for (int d = rank - 1; d >= 0; --d) {
      cur.coord[d] = i % dims[d];
      i /= dims[d];
      for (int k = 0; k < N; ++k) cur.off[k] += cur.coord[d] * strides[k][d];
    }
    return cur;
  }

  /// Length of the run along the innermost axis from the cursor, at most `left`.
  PURE_HOST_SIMD_ALWAYS_INLINE std::int64_t run_length(const Cursor& cur, std::int64_t left) const {
    const std::int64_t to_end = dims[rank - 1] - cur.coord[rank - 1];
    return to_end < left ? to_end : left;
  }

  /// Moves the cursor `len` elements on (len = the last run_length).
  PURE_HOST_SIMD_ALWAYS_INLINE void advance(Cursor& cur, std::int64_t len) const {
    int d = rank - 1;
    cur.coord[d] += len;
    for (int k = 0; k < N; ++k) cur.off[k] += len * strides[k][d];
    // An odometer: carry into the outer axes instead of dividing per element.
    while (d > 0 && cur.coord[d] == dims[d]) {
      for (int k = 0; k < N; ++k) cur.off[k] -= dims[d] * strides[k][d];
      cur.coord[d] = 0;
      --d;
      ++cur.coord[d];
      for (int k = 0; k < N; ++k) cur.off[k] += strides[k][d];
    }
  }
};

/// The walk for an output of `shape` and N operands with the given strides
/// (one per axis of `shape`) and base offsets. `what` names the op in errors.
template <int N>
StridedWalk<N> make_strided_walk(const Shape& shape, const std::vector<std::int64_t> (&strides)[N],
                                 const std::int64_t (&base)[N], const char* what) {
  // Drop extent-1 axes, then merge axis d into d+1 where every operand reads
  // them as one contiguous axis.
  std::vector<std::int64_t> dims;
  std::vector<std::int64_t> st[N];
  for (int d = 0; d < shape.rank(); ++d) {
    if (shape[d] == 1) continue;
    const auto u = static_cast<std::size_t>(d);
    bool merge = !dims.empty();
    for (int k = 0; k < N && merge; ++k) merge = st[k].back() == strides[k][u] * shape[d];
    if (merge) {
      dims.back() *= shape[d];
      for (int k = 0; k < N; ++k) st[k].back() = strides[k][u];
    } else {
      dims.push_back(shape[d]);
      for (int k = 0; k < N; ++k) st[k].push_back(strides[k][u]);
    }
  }
  if (static_cast<int>(dims.size()) > kMaxWalkRank) {
    throw ShapeError(std::string(what) + ": shape " + shape.str() + " needs " + std::to_string(dims.size()) +
                     " strided axes; at most " + std::to_string(kMaxWalkRank) + " are supported");
  }
  StridedWalk<N> w;
  for (int k = 0; k < N; ++k) w.base[k] = base[k];
  if (dims.empty()) return w;  // one element (or a shape of extent-1 axes)
  w.rank = static_cast<int>(dims.size());
  for (int d = 0; d < w.rank; ++d) {
    w.dims[d] = dims[static_cast<std::size_t>(d)];
    for (int k = 0; k < N; ++k) w.strides[k][d] = st[k][static_cast<std::size_t>(d)];
  }
  return w;
}

/// out[i] = in[offset of i] for i in [0, n): the copy behind transpose, slice,
/// dynamic_slice and written-out broadcasts, for elements of `width` bytes
/// (1, 4 or 8). Defined in strided_copy.cpp, the one translation unit that
/// instantiates its host loops (see there why).
void strided_copy_words(std::size_t width, const void* in, void* out, const StridedWalk<1>& walk, std::int64_t n,
                        const char* label);

/// Row-major strides of a shape.
inline std::vector<std::int64_t> row_major_strides(const Shape& s) {
  std::vector<std::int64_t> st(static_cast<std::size_t>(s.rank()), 1);
  for (int d = s.rank() - 2; d >= 0; --d)
    st[static_cast<std::size_t>(d)] = st[static_cast<std::size_t>(d) + 1] * s[d + 1];
  return st;
}

}  // namespace pure::detail
