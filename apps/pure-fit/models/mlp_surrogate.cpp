// An MLP surrogate y = MLP(x) (pure::nn): x is (n,) or (n, d), y is (n,).
// Its parameters are the nn parameter tree (Dense_0/kernel, ...).
#include <cmath>

#include "../model.hpp"

namespace pure_fit {
namespace {

pure::nn::MLP mlp_of(const ModelSettings& s) {
  std::vector<std::int64_t> widths = s.hidden;
  widths.push_back(1);
  pure::nn::Activation act = pure::nn::tanh;
  if (s.activation == "relu") act = pure::nn::relu;
  if (s.activation == "gelu") act = pure::nn::gelu;
  if (s.activation == "silu") act = pure::nn::silu;
  return pure::nn::MLP(widths, act);
}

pure::Array features(const Dataset& d) {
  const pure::Array& x = d.at("x");
  return x.shape().rank() == 1 ? pure::expand_dims(x, 1) : x;
}

pure::Array predict(const pure::Tree& p, const Dataset& d, const ModelSettings& s) {
  return pure::reshape(mlp_of(s).apply(p, features(d)), pure::Shape{d.at("y").shape()[0]});
}

const Register reg(FitModel{
    "mlp",
    "y = MLP(x), a pure::nn surrogate (model.hidden widths, model.activation)",
    {"x", "y"},
    [](const Dataset& d, const ModelSettings& s, const pure::random::Key& key) {
      return mlp_of(s).init(key, features(d));
    },
    [](const pure::Tree& p, const Dataset& d, const ModelSettings& s) { return predict(p, d, s) - d.at("y"); },
    predict,
    [](const ModelSettings&, const pure::random::Key&) { return pure::Tree{}; },  // no true parameters
    [](const pure::Tree&, const ModelSettings&, const pure::random::Key& key, std::int64_t n, double noise) {
      // y = sin(2x) + 0.3 x^2 on [-2, 2]: a smooth curve an MLP should learn.
      Dataset d;
      const pure::Array x = pure::linspace(-2.0, 2.0, n, true, pure::DType::f64);
      d["x"] = x;
      d["y"] = pure::sin(2.0 * x) + 0.3 * x * x + noise * pure::random::normal(key, pure::Shape{n}, pure::DType::f64);
      return d;
    }});

}  // namespace
}  // namespace pure_fit
