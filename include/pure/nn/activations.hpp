// Activation functions, as flax.linen / jax.nn, written with pure ops (so they
// differentiate, jit and run on every backend). Where JAX defines a derivative
// at a kink (relu at 0 is 0), pure's primitives give the same value.
#pragma once

#include <functional>

#include <pure/core/array.hpp>

namespace pure::nn {

/// An activation as a module field: any function Array -> Array.
using Activation = std::function<Array(const Array&)>;

Array relu(const Array& x);
/// jax.nn.gelu with its default approximate=True (the tanh form), as Flax uses it.
Array gelu(const Array& x);
/// jax.nn.gelu(x, approximate=False): x/2 (1 + erf(x / sqrt 2)). A separate name,
/// not a flag, so that both pass as an Activation.
Array gelu_exact(const Array& x);
Array silu(const Array& x);  ///< x * sigmoid(x), also called swish
Array tanh(const Array& x);
Array softplus(const Array& x);  ///< log(1 + exp(x)) as logaddexp(x, 0)
Array sigmoid(const Array& x);
/// jax.nn.log_softmax: x - max - log(sum(exp(x - max))) along `axis`, the max
/// taken under stop_gradient as JAX does.
Array log_softmax(const Array& x, std::int64_t axis = -1);

}  // namespace pure::nn
