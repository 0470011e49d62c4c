// The floor of an MLP training step (bench_peers, bench_jit): the eight matrix
// products of one forward and backward pass of in -> hidden tanh -> hidden
// tanh -> out, as row-major cblas_sgemm calls, in the order they run. Weights
// are (fan_in, fan_out), activations and their gradients (batch, width).
#pragma once

#include <array>

#include <cblas.h>

// OpenBLAS's own controls, declared here too: the cblas.h found may be another
// vendor's.
extern "C" void openblas_set_num_threads(int num_threads);
extern "C" char* openblas_get_corename(void);
extern "C" char* openblas_get_config(void);

namespace pure_bench {

/// C = op(A) op(B), row-major; C is m x n, the contraction has length k.
struct Sgemm {
  bool trans_a, trans_b;
  int m, n, k;
  const float* a;
  const float* b;
  float* c;
  void operator()() const {
    // Row-major leading dimensions: the stored row length of each operand.
    const int lda = trans_a ? m : k, ldb = trans_b ? k : n;
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans, m, n, k, 1.0f,
                a, lda, b, ldb, 0.0f, c, n);
  }
};

/// The operands of the eight products: inputs read, outputs written.
struct MlpOperands {
  const float *x, *w1, *w2, *w3, *h1, *h2, *dz3, *dz2, *dz1;
  float *z1, *z2, *z3, *dw3, *dh2, *dw2, *dh1, *dw1;
};

/// The forward's three products, then dW3, dh2, dW2, dh1, dW1.
inline std::array<Sgemm, 8> mlp_sgemms(int batch, int in, int hidden, int out, const MlpOperands& o) {
  return {{
      {false, false, batch, hidden, in, o.x, o.w1, o.z1},        // z1 = x W1
      {false, false, batch, hidden, hidden, o.h1, o.w2, o.z2},   // z2 = h1 W2
      {false, false, batch, out, hidden, o.h2, o.w3, o.z3},      // z3 = h2 W3
      {true, false, hidden, out, batch, o.h2, o.dz3, o.dw3},     // dW3 = h2^T dz3
      {false, true, batch, hidden, out, o.dz3, o.w3, o.dh2},     // dh2 = dz3 W3^T
      {true, false, hidden, hidden, batch, o.h1, o.dz2, o.dw2},  // dW2 = h1^T dz2
      {false, true, batch, hidden, hidden, o.dz2, o.w2, o.dh1},  // dh1 = dz2 W2^T
      {true, false, in, hidden, batch, o.x, o.dz1, o.dw1},       // dW1 = x^T dz1
  }};
}

}  // namespace pure_bench
