// What bench_peers.cpp (pure, the OpenBLAS floor, main) and
// bench_peers_libtorch.cpp (the LibTorch peer, compiled apart so that Kokkos'
// and LibTorch's headers never meet) share: the MLP's sizes and its host data.
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

namespace bench_peers {

// in 256 -> 256 tanh -> 256 tanh -> 1, batch 1024, f32, mean squared error.
constexpr std::int64_t kBatch = 1024, kIn = 256, kHidden = 256, kOut = 1;

/// Parameters and data, row-major f32, drawn once; every side copies them.
/// Weights are (fan_in, fan_out): layer l computes h W_l + b_l.
struct MlpHost {
  std::vector<float> w1, b1, w2, b2, w3, b3, x, y;
};
const MlpHost& mlp_host();

/// The loss and its gradients, leaves in the order w1, b1, w2, b2, w3, b3.
struct MlpResult {
  double loss = 0;
  std::vector<std::vector<float>> grads;
};

// LibTorch side (bench_peers_libtorch.cpp).
void libtorch_init();  // once, before any other LibTorch call
void libtorch_set_threads(int threads);
const char* libtorch_version();
MlpResult libtorch_forward_and_backward(bool backward);
void bm_libtorch_forward(benchmark::State& state);
void bm_libtorch_value_and_grad(benchmark::State& state);

}  // namespace bench_peers
