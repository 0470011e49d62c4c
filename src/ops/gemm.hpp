// The reproducible batched matrix product behind dot_general:
//   out[b, i, j] = sum over t of x[b, i, t] * y[b, j, t]
// summed in ONE order on every path (SIMD level, thread count, block sizes,
// backend): acc = +0; for t = 0, 1, ..., k-1: acc = fma(x[b,i,t], y[b,j,t], acc).
// Sequential in t, one rounding per term (IEEE fused multiply-add). Integer
// dtypes use exact wrapping integer arithmetic (the order does not matter).
//
// Host execution spaces run BLIS/GotoBLAS-style blocked code (gemm.cpp): the
// operands are read through their strides straight into packed micro-panels,
// a micro-kernel keeps an MR x NR tile of out in registers and vectorises
// across j (never across t), and a later KC block reloads the tile and
// continues the same sum. Device execution spaces run a tiled team kernel
// with the same per-element loop.
#pragma once

#include <cstdint>

#include "strided.hpp"

namespace pure::ops::detail {

/// One operand, read in place: element (b, r, t) (batch b, row r, contracted
/// index t) is data[batch(b) + r * row_stride + t * k_stride].
template <class T>
struct GemmOperand {
  const T* data = nullptr;
  IndexMap batch;
  std::int64_t row_stride = 0, k_stride = 0;
};

/// out (contiguous, batches x m x n) = x (batches x m x k) times y (batches x n x k)
/// transposed, in the order above. k == 0 gives zeros.
template <class T>
void gemm(const GemmOperand<T>& x, const GemmOperand<T>& y, T* out, std::int64_t batches, std::int64_t m,
          std::int64_t n, std::int64_t k);

/// Test hooks (tests/ops/test_dot.cpp): results must not depend on any of
/// these. Zero or false means automatic.
struct GemmTuning {
  std::int64_t mc = 0, kc = 0, nc = 0;  // block sizes of the host path (rows, depth, columns)
  int row_parts = 0, col_parts = 0;     // host work items per batch along m and n (as threads would split)
  bool portable = false;                // the device kernel (a Kokkos team kernel) on host spaces too
};
void set_gemm_tuning(const GemmTuning& tuning);
GemmTuning gemm_tuning();

/// How many dot_general operands were copied (one strided copy each) because
/// their axes could not be read as a strided (rows, k) matrix; see dot.cpp.
std::int64_t dot_operand_copies();

}  // namespace pure::ops::detail
