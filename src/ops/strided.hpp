// One kernel for every op that reads its input at an affine index map:
// broadcast_in_dim, transpose and slice are all
//   out[c_0, ..., c_{r-1}] = in[base + sum_d c_d * stride_d]
// with stride 0 along broadcast axes.
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

template <class T>
struct StridedCopy {
  ConstView<T> in;
  MutableView<T> out;
  IndexMap map;
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t i) const { out(i) = in(map(i)); }
};

/// Row-major strides of a shape.
inline std::vector<std::int64_t> row_major_strides(const Shape& s) {
  std::vector<std::int64_t> st(static_cast<std::size_t>(s.rank()), 1);
  for (int d = s.rank() - 2; d >= 0; --d)
    st[static_cast<std::size_t>(d)] = st[static_cast<std::size_t>(d) + 1] * s[d + 1];
  return st;
}

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

/// out = in read through `map`, for any dtype.
inline Array strided_copy(const Array& in, const Shape& out_shape, const IndexMap& map, const char* label) {
  Array out = Array::allocate(out_shape, in.dtype(), label);
  dispatch<Types::all>(in.dtype(), label, [&](auto tag) {
    using T = decltype(tag);
    Kokkos::parallel_for(label, Policy(0, out.size()),
                         StridedCopy<T>{in.view<T>(label), out.mutable_view<T>(label), map});
    return 0;
  });
  return out;
}

}  // namespace pure::ops::detail
