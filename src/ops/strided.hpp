// Affine index maps: transpose and slice are
//   out[c_0, ..., c_{r-1}] = in[base + sum_d c_d * stride_d]
// (strided_copy, walked in runs by pure::detail::StridedWalk); IndexMap is the
// same map for kernels that compute one position at a time (reductions, gather,
// scatter, concatenate, batched gemm).
#pragma once

#include <vector>

#include "kernels.hpp"

namespace pure::ops::detail {

constexpr int kMaxRank = 8;

struct IndexMap {
  int rank = 0;
  std::int64_t base = 0;
  std::int64_t dims[kMaxRank] = {};     // output extents
  std::int64_t strides[kMaxRank] = {};  // input stride per output axis

  KOKKOS_INLINE_FUNCTION std::int64_t operator()(std::int64_t i) const {
    std::int64_t at = base;
    for (int d = rank - 1; d >= 0; --d) {
      const std::int64_t c = i % dims[d];
      i /= dims[d];
      at += c * strides[d];
    }
    return at;
  }
};

using pure::detail::row_major_strides;

inline IndexMap make_index_map(const Shape& out, const std::vector<std::int64_t>& strides, std::int64_t base,
                               const char* op) {
  if (out.rank() > kMaxRank) {
    throw ShapeError(std::string("pure::") + op + ": rank " + std::to_string(out.rank()) + " of " + out.str() +
                     " exceeds the supported maximum of " + std::to_string(kMaxRank));
  }
  IndexMap m;
  m.rank = out.rank();
  m.base = base;
  for (int d = 0; d < out.rank(); ++d) {
    m.dims[d] = out[d];
    m.strides[d] = strides[static_cast<std::size_t>(d)];
  }
  return m;
}

/// out[c] = in[base + sum_d c_d * strides[d]] for c over out_shape, any dtype
/// (transpose, slice, the gemm fallback's packing). A broadcast view `in` is
/// written out first.
inline Array strided_copy(const Array& in, const Shape& out_shape, const std::vector<std::int64_t>& strides,
                          std::int64_t base, const char* label) {
  Array out = Array::allocate(out_shape, in.dtype(), label);
  if (out.size() == 0) return out;
  const std::vector<std::int64_t> st[1] = {strides};
  const std::int64_t b[1] = {base};
  pure::detail::strided_copy_words(dtype_size(in.dtype()), in.data(), const_cast<void*>(out.data()),
                                   pure::detail::make_strided_walk<1>(out_shape, st, b, label), out.size(), label);
  return out;
}

}  // namespace pure::ops::detail
