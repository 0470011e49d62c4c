// The LibTorch peer of bench_peers: the same MLP, written as a LibTorch user
// would (addmm, as torch::nn::Linear runs it; mse_loss), from the same host
// data. Eager CPU tensors: every op has finished when it returns.

#include <ATen/Parallel.h>
#include <torch/types.h>
#include <torch/utils.h>
#include <torch/version.h>

#include <cstring>
#include <vector>

#include "bench_peers.hpp"

namespace bench_peers {
namespace {

torch::Tensor copy_in(const std::vector<float>& v, std::vector<std::int64_t> shape, bool requires_grad) {
  // from_blob wraps the host memory without copying; clone() makes the copy
  // LibTorch owns (and from_blob only reads).
  float* data = const_cast<float*>(v.data());
  return torch::from_blob(data, shape, torch::kFloat32).clone().set_requires_grad(requires_grad);
}

struct TorchMlp {
  torch::Tensor w1, b1, w2, b2, w3, b3, x, y;

  TorchMlp() {
    const MlpHost& h = mlp_host();
    w1 = copy_in(h.w1, {kIn, kHidden}, true);
    b1 = copy_in(h.b1, {kHidden}, true);
    w2 = copy_in(h.w2, {kHidden, kHidden}, true);
    b2 = copy_in(h.b2, {kHidden}, true);
    w3 = copy_in(h.w3, {kHidden, kOut}, true);
    b3 = copy_in(h.b3, {kOut}, true);
    x = copy_in(h.x, {kBatch, kIn}, false);
    y = copy_in(h.y, {kBatch, kOut}, false);
  }

  torch::Tensor loss() const {
    const torch::Tensor h1 = torch::tanh(torch::addmm(b1, x, w1));
    const torch::Tensor h2 = torch::tanh(torch::addmm(b2, h1, w2));
    return torch::mse_loss(torch::addmm(b3, h2, w3), y);
  }

  // Gradients reset to none, as optimizer.zero_grad() does by default, so
  // that backward() writes fresh ones rather than accumulating.
  void reset_grads() {
    for (torch::Tensor* p : {&w1, &b1, &w2, &b2, &w3, &b3}) p->mutable_grad() = torch::Tensor();
  }
};

TorchMlp& torch_mlp() {
  static TorchMlp m;
  return m;
}

std::vector<float> to_vector(const torch::Tensor& t) {
  const torch::Tensor c = t.contiguous();
  std::vector<float> v(static_cast<std::size_t>(c.numel()));
  std::memcpy(v.data(), c.data_ptr<float>(), v.size() * sizeof(float));
  return v;
}

}  // namespace

void libtorch_init() { at::set_num_interop_threads(1); }

void libtorch_set_threads(int threads) { torch::set_num_threads(threads); }

const char* libtorch_version() { return TORCH_VERSION; }

MlpResult libtorch_forward_and_backward(bool backward) {
  TorchMlp& m = torch_mlp();
  MlpResult r;
  if (!backward) {
    const torch::NoGradGuard no_grad;
    r.loss = m.loss().item<double>();
    return r;
  }
  m.reset_grads();
  const torch::Tensor loss = m.loss();
  loss.backward();
  r.loss = loss.item<double>();
  for (const torch::Tensor* p : {&m.w1, &m.b1, &m.w2, &m.b2, &m.w3, &m.b3}) r.grads.push_back(to_vector(p->grad()));
  return r;
}

void bm_libtorch_forward(benchmark::State& state) {
  const TorchMlp& m = torch_mlp();
  const torch::NoGradGuard no_grad;
  for (auto _ : state) {
    torch::Tensor loss = m.loss();
    benchmark::DoNotOptimize(loss.data_ptr<float>());
  }
}

void bm_libtorch_value_and_grad(benchmark::State& state) {
  TorchMlp& m = torch_mlp();
  for (auto _ : state) {
    m.reset_grads();
    torch::Tensor loss = m.loss();
    loss.backward();
    benchmark::DoNotOptimize(loss.data_ptr<float>());
    benchmark::DoNotOptimize(m.w1.grad().data_ptr<float>());
  }
}

}  // namespace bench_peers
