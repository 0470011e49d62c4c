// 07_flax_style_model: the seed's model, as Flax writes it.
//
//   class Model(nn.Module):                    struct Model : nn::Module<Model> {
//     @nn.compact                                Array call(Scope& s, const Array& x) const {
//     def __call__(self, x):                       return s.child(nn::Dense(4), x);
//       return nn.Dense(4)(x)                    }
//                                              };
//   params = Model().init(key, dummy)          Tree params = Model{}.init(key, dummy);
//   y = Model().apply(params, x)               Array y = Model{}.apply(params, x);
//
// The model holds no parameters: init returns them as a Tree named as Flax
// names them ({"Dense_0": {"kernel", "bias"}}, the same values for the same
// key), apply takes them back, and pure::grad differentiates apply with respect
// to them. A custom layer is one small struct with a `call`; this one has its
// own parameter (a learned per-feature scale) next to a child module.
#include <cmath>
#include <cstdio>
#include <iostream>

#include <pure/pure.hpp>

namespace nn = pure::nn;
namespace pr = pure::random;
using pure::Array;
using pure::Shape;
using pure::Tree;

struct Model : nn::Module<Model> {
  Array call(nn::Scope& s, const Array& x) const { return s.child(nn::Dense(4), x); }
};

// A custom layer: y = tanh(Dense(x)) * scale, with `scale` its own parameter.
struct ScaledTanh : nn::Module<ScaledTanh> {
  std::int64_t features = 4;
  Array call(nn::Scope& s, const Array& x) const {
    const Array h = nn::tanh(s.child(nn::Dense(features), x));
    return h * s.param("scale", nn::initializers::ones(), Shape{features}, pure::DType::f32);
  }
};

int main(int argc, char** argv) {
  pure::ScopeGuard guard(argc, argv);
  bool ok = true;
  {
    const auto keys = pr::split(pr::key(0), 3);
    const Array x = pr::normal(keys[0], Shape{128, 3});
    // The data: y = x W + b for a known W, b.
    const Array w_true = pure::reshape(pure::arange(12, pure::DType::f32) * 0.25 - 1.0, Shape{3, 4});
    const Array y = pure::matmul(x, w_true) + 0.5;

    const Model model;
    Tree params = model.init(keys[1], pure::zeros(Shape{1, 3}));  // a dummy input: only its shape matters
    std::cout << "parameters of Model:\n" << pure::tree_str(params) << "\n";
    std::cout << nn::tabulate(model, keys[2], x) << "\n";

    auto loss = [&](const Tree& p) { return pure::mean(pure::square(model.apply(p, x) - y)); };
    for (int step = 0; step <= 200; ++step) {
      const auto [value, g] = pure::value_and_grad(loss)(params);
      if (step % 50 == 0) std::printf("step %3d  loss %.3e\n", step, static_cast<double>(value.item<float>()));
      params = pure::tree_map([](const Array& p, const Array& d) { return p - 0.1 * d; }, params, g);
    }
    const double final_loss = loss(params).item<float>();
    ok = ok && final_loss < 1e-5;

    // The custom layer composes like any other.
    const nn::Sequential net({ScaledTanh{}, nn::Dense(1)});
    const Tree p2 = net.init(pr::key(7), x);
    std::cout << "\nparameters of Sequential(ScaledTanh, Dense):\n" << pure::tree_str(p2);
    const Array out = net.apply(p2, x);
    ok = ok && out.shape() == Shape{128, 1};
    std::printf("\n%s: final loss %.3e\n", ok ? "ok" : "FAILED", final_loss);
  }
  return ok ? 0 : 1;
}
