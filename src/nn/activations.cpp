// Activations as jax.nn defines them, operation by operation.
#include <pure/nn/activations.hpp>

#include <cmath>

#include <pure/ops/lax.hpp>
#include <pure/ops/numpy.hpp>

namespace pure::nn {

// where(x <= 0, 0, x): 0 for x <= 0 and NaN kept, and the derivative at 0 is
// 0 (select passes no tangent there), as JAX's relu with its custom JVP.
Array relu(const Array& x) {
  return pure::where(pure::less_equal(x, pure::scalar_like(x, 0.0)), pure::scalar_like(x, 0.0), x);
}

Array gelu(const Array& x) {
  // 0.5 * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3))) * x, in jax.nn.gelu's order.
  const double sqrt_2_over_pi = std::sqrt(2.0 / M_PI);
  const Array cdf = 0.5 * (1.0 + pure::tanh(sqrt_2_over_pi * (x + 0.044715 * pure::power(x, 3))));
  return x * cdf;
}

Array gelu_exact(const Array& x) {  // JAX writes 0.5 x erfc(-x / sqrt 2); pure has no erfc, and 1 + erf(z) equals
  // erfc(-z) to rounding (docs/nn.md).
  const double sqrt_half = std::sqrt(0.5);
  return 0.5 * x * (1.0 + pure::erf(x * sqrt_half));
}

Array silu(const Array& x) { return x * pure::sigmoid(x); }
Array tanh(const Array& x) { return pure::tanh(x); }
Array softplus(const Array& x) { return pure::logaddexp(x, pure::scalar_like(x, 0.0)); }
Array sigmoid(const Array& x) { return pure::sigmoid(x); }

Array log_softmax(const Array& x, std::int64_t axis) {
  const Array shifted = x - lax::stop_gradient(pure::max(x, {axis}, true));
  return shifted - pure::log(pure::sum(pure::exp(shifted), {axis}, true));
}

}  // namespace pure::nn
