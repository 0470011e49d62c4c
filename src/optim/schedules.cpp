// Optax's schedules (schedules/_schedule.py) in its order of operations and,
// since pure has no weakly typed arrays, with its dtypes spelled out: what
// JAX with 64-bit types computes in float32 (true division of the int32
// count) is float32 here, what it computes weakly typed (Python floats with
// the count) is float64.
#include <pure/optim/schedules.hpp>

#include <string>

#include <pure/core/creation.hpp>
#include <pure/ops/numpy.hpp>

namespace pure::optim {

namespace {

Array f64_scalar(double value) { return pure::full({}, value, DType::f64); }

}  // namespace

Schedule constant_schedule(double value) {
  return [value](const Array&) { return f64_scalar(value); };
}

Schedule linear_schedule(double init_value, double end_value, std::int64_t transition_steps,
                         std::int64_t transition_begin) {
  if (transition_steps <= 0) return constant_schedule(init_value);
  const std::int64_t begin = std::max<std::int64_t>(transition_begin, 0);
  return [=](const Array& count) {
    const Array steps_done = pure::clip(count - begin, 0, transition_steps);
    const Array remaining = 1 - steps_done / transition_steps;  // int32 / int: float32, as JAX
    return (init_value - end_value) * remaining + end_value;
  };
}

Schedule exponential_decay(double init_value, std::int64_t transition_steps, double decay_rate,
                           std::int64_t transition_begin, bool staircase, std::optional<double> end_value) {
  if (transition_steps <= 0 || decay_rate == 0.0) return constant_schedule(init_value);
  const std::int64_t begin = std::max<std::int64_t>(transition_begin, 0);
  return [=](const Array& count) {
    const Array decreased_count = count - begin;
    Array exponent = decreased_count / transition_steps;  // float32, as JAX
    if (staircase) exponent = pure::floor(exponent);
    const Array init = pure::weak_scalar(exponent, init_value);
    Array decayed = pure::where(decreased_count <= pure::weak_scalar(decreased_count, 0), init,
                                init_value * pure::power(pure::weak_scalar(exponent, decay_rate), exponent));
    if (end_value) {
      const Array end = pure::weak_scalar(decayed, *end_value);
      decayed = decay_rate < 1.0 ? pure::maximum(decayed, end) : pure::minimum(decayed, end);
    }
    return decayed;
  };
}

Schedule piecewise_constant_schedule(double init_value, const std::map<std::int64_t, double>& boundaries_and_scales) {
  for (const auto& [boundary, scale] : boundaries_and_scales) {
    if (scale < 0.0) {
      throw ValueError("pure::optim::piecewise_constant_schedule: scales must be >= 0, got " + std::to_string(scale) +
                       " at step " + std::to_string(boundary));
    }
  }
  return [=](const Array& count) {
    Array value = f64_scalar(init_value);
    // std::map iterates in increasing boundary order, as Optax's sorted(items).
    for (const auto& [boundary, scale] : boundaries_and_scales) {
      const Array before = pure::maximum(f64_scalar(0.0), pure::sign(boundary - count));
      value = value * before + (1 - before) * scale * value;
    }
    return value;
  };
}

Schedule cosine_decay_schedule(double init_value, std::int64_t decay_steps, double alpha, double exponent) {
  if (decay_steps <= 0) {
    throw ValueError("pure::optim::cosine_decay_schedule: decay_steps must be > 0, got " + std::to_string(decay_steps));
  }
  const double steps = static_cast<double>(decay_steps);
  return [=](const Array& count) {
    constexpr double kPi = 3.141592653589793;  // numpy.pi
    const Array clamped = pure::minimum(pure::astype(count, DType::f64), f64_scalar(steps));
    const Array cosine = 0.5 * (1 + pure::cos(kPi * clamped / steps));
    const Array decayed = (1 - alpha) * pure::power(cosine, exponent) + alpha;
    return init_value * decayed;
  };
}

Schedule warmup_cosine_decay_schedule(double init_value, double peak_value, std::int64_t warmup_steps,
                                      std::int64_t decay_steps, double end_value, double exponent) {
  const double alpha = peak_value == 0.0 ? 0.0 : end_value / peak_value;
  const Schedule warmup = linear_schedule(init_value, peak_value, warmup_steps);
  const Schedule decay = cosine_decay_schedule(peak_value, decay_steps - warmup_steps, alpha, exponent);
  return [=](const Array& count) {
    // Optax's join_schedules: where(count < boundary, warm-up, decay(count - boundary)),
    // in the warm-up's dtype (the decay part is weakly typed in JAX).
    const Array rising = warmup(count);
    const Array falling = pure::astype(decay(count - warmup_steps), rising.dtype());
    return pure::where(count < pure::weak_scalar(count, warmup_steps), rising, falling);
  };
}

}  // namespace pure::optim
