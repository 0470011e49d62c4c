// Initializers, following jax.nn.initializers operation by operation: the
// scalar factors are rounded to the parameter dtype first and combined in it
// (as jnp does with a 0-d array of that dtype), so the values equal JAX's up
// to the samplers' own stated ulp (docs/random.md).
#include <pure/nn/initializers.hpp>

#include <cmath>
#include <string>

#include <pure/core/creation.hpp>
#include <pure/core/error.hpp>
#include <pure/ops/numpy.hpp>
#include <pure/random/samplers.hpp>

namespace pure::nn::initializers {
namespace {

void require_float(DType dtype, const char* who) {
  if (dtype != DType::f32 && dtype != DType::f64) {
    throw DTypeError(std::string("pure::nn::initializers::") + who + ": parameters must be f32 or f64, got " +
                     dtype_name(dtype));
  }
}

// sqrt(v) and sqrt(v) / c evaluated in the parameter dtype.
double sqrt_in(DType dtype, double v) {
  return dtype == DType::f32 ? static_cast<double>(std::sqrt(static_cast<float>(v))) : std::sqrt(v);
}
double div_in(DType dtype, double a, double b) {
  return dtype == DType::f32 ? static_cast<double>(static_cast<float>(a) / static_cast<float>(b)) : a / b;
}
double mul_in(DType dtype, double a, double b) {
  return dtype == DType::f32 ? static_cast<double>(static_cast<float>(a) * static_cast<float>(b)) : a * b;
}
double round_to(DType dtype, double v) { return dtype == DType::f32 ? static_cast<double>(static_cast<float>(v)) : v; }

std::int64_t axis_of(std::int64_t axis, const Shape& shape, const char* what) {
  const std::int64_t rank = shape.rank();
  const std::int64_t a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) {
    throw ValueError(std::string("pure::nn::initializers::variance_scaling: ") + what + " " + std::to_string(axis) +
                     " is out of range for a parameter of shape " + shape.str());
  }
  return a;
}

}  // namespace

Initializer variance_scaling(double scale, FanMode mode, Distribution distribution, std::int64_t in_axis,
                             std::int64_t out_axis) {
  if (!(scale > 0)) {
    throw ValueError("pure::nn::initializers::variance_scaling: scale must be positive, got " + std::to_string(scale));
  }
  return [=](const random::Key& key, const Shape& shape, DType dtype) {
    require_float(dtype, "variance_scaling");
    if (shape.rank() < 2 && in_axis == -2) {
      throw ValueError(
          "pure::nn::initializers::variance_scaling: cannot compute fan-in and fan-out of a parameter of "
          "shape " +
          shape.str() + " (rank " + std::to_string(shape.rank()) + "): it needs rank >= 2 or an explicit in_axis");
    }
    // JAX's _compute_fans, in Python floats (double).
    const double in_size = static_cast<double>(shape[static_cast<int>(axis_of(in_axis, shape, "in_axis"))]);
    const double out_size = static_cast<double>(shape[static_cast<int>(axis_of(out_axis, shape, "out_axis"))]);
    const double receptive = static_cast<double>(shape.size()) / in_size / out_size;
    const double fan_in = in_size * receptive, fan_out = out_size * receptive;
    const double denominator = mode == FanMode::fan_in    ? fan_in
                               : mode == FanMode::fan_out ? fan_out
                                                          : (fan_in + fan_out) / 2;
    const double variance = round_to(dtype, scale / denominator);
    switch (distribution) {
      case Distribution::truncated_normal: {
        // .87962566103423978 is the stddev of a standard normal truncated to (-2, 2).
        const double stddev = div_in(dtype, sqrt_in(dtype, variance), 0.87962566103423978);
        return random::truncated_normal(key, -2.0, 2.0, shape, dtype) * stddev;
      }
      case Distribution::normal: return random::normal(key, shape, dtype) * sqrt_in(dtype, variance);
      case Distribution::uniform:
        return random::uniform(key, shape, dtype, -1.0, 1.0) * sqrt_in(dtype, mul_in(dtype, 3.0, variance));
    }
    throw ValueError("pure::nn::initializers::variance_scaling: unknown distribution");
  };
}

Initializer lecun_normal() { return variance_scaling(1.0, FanMode::fan_in, Distribution::truncated_normal); }
Initializer lecun_uniform() { return variance_scaling(1.0, FanMode::fan_in, Distribution::uniform); }
Initializer glorot_normal() { return variance_scaling(1.0, FanMode::fan_avg, Distribution::truncated_normal); }
Initializer glorot_uniform() { return variance_scaling(1.0, FanMode::fan_avg, Distribution::uniform); }
Initializer he_normal() { return variance_scaling(2.0, FanMode::fan_in, Distribution::truncated_normal); }
Initializer he_uniform() { return variance_scaling(2.0, FanMode::fan_in, Distribution::uniform); }

Initializer normal(double stddev) {
  return [stddev](const random::Key& key, const Shape& shape, DType dtype) {
    require_float(dtype, "normal");
    return random::normal(key, shape, dtype) * stddev;
  };
}

Initializer uniform(double scale) {
  return [scale](const random::Key& key, const Shape& shape, DType dtype) {
    require_float(dtype, "uniform");
    return random::uniform(key, shape, dtype) * scale;
  };
}

Initializer constant(double value) {
  return [value](const random::Key&, const Shape& shape, DType dtype) { return full(shape, value, dtype); };
}
Initializer zeros() { return constant(0.0); }
Initializer ones() { return constant(1.0); }

}  // namespace pure::nn::initializers
