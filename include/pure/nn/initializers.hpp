// Parameter initializers, as jax.nn.initializers (which Flax re-exports): an
// initializer is a function (key, shape, dtype) -> Array. Those built on
// variance scaling compute fan-in and fan-out as JAX does (the axes that are
// neither the input nor the output axis are a convolution's receptive field).
#pragma once

#include <functional>

#include <pure/core/array.hpp>
#include <pure/random/key.hpp>

namespace pure::nn {

using Initializer = std::function<Array(const random::Key& key, const Shape& shape, DType dtype)>;

namespace initializers {

enum class FanMode { fan_in, fan_out, fan_avg };
enum class Distribution { truncated_normal, normal, uniform };

/// jax.nn.initializers.variance_scaling: variance scale / fan, drawn from a
/// normal truncated to two standard deviations (rescaled so the variance is
/// kept), a normal, or a uniform distribution.
Initializer variance_scaling(double scale, FanMode mode, Distribution distribution, std::int64_t in_axis = -2,
                             std::int64_t out_axis = -1);

Initializer lecun_normal();    ///< variance_scaling(1, fan_in, truncated_normal): Flax's Dense default
Initializer lecun_uniform();   ///< variance_scaling(1, fan_in, uniform)
Initializer glorot_normal();   ///< variance_scaling(1, fan_avg, truncated_normal)
Initializer glorot_uniform();  ///< variance_scaling(1, fan_avg, uniform)
Initializer he_normal();       ///< variance_scaling(2, fan_in, truncated_normal)
Initializer he_uniform();      ///< variance_scaling(2, fan_in, uniform)
Initializer normal(double stddev = 1e-2);
Initializer uniform(double scale = 1e-2);  ///< uniform on [0, scale), as JAX
Initializer zeros();
Initializer ones();
Initializer constant(double value);

}  // namespace initializers
}  // namespace pure::nn
