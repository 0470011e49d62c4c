// Schedules: a hyperparameter as a function of the step count, as Optax's
// schedules. Each computes in the dtype Optax's does under JAX with 64-bit
// types on (pure's promotion rules), so the values agree with Optax's:
//   constant, piecewise_constant, cosine_decay: float64;
//   linear, exponential_decay: float32 (Optax divides the int32 count, which
//   JAX does in float32); warmup_cosine_decay: float32 (the warm-up's float32
//   wins over the weakly typed cosine part), float64 without warm-up.
// The optimizer casts the value to each leaf's dtype.
#pragma once

#include <cstdint>
#include <map>
#include <optional>

#include <pure/optim/transformation.hpp>

namespace pure::optim {

/// `value` at every step.
Schedule constant_schedule(double value);

/// From init_value to end_value linearly over transition_steps steps, starting
/// at transition_begin: (init - end) (1 - c / steps) + end with
/// c = clip(count - begin, 0, steps). transition_steps <= 0 gives init_value.
Schedule linear_schedule(double init_value, double end_value, std::int64_t transition_steps,
                         std::int64_t transition_begin = 0);

/// init_value decay_rate^((count - begin) / transition_steps) (the exponent
/// floored when `staircase`), init_value before `transition_begin`, and
/// clipped at `end_value` when given (a floor when decaying, a ceiling when growing).
Schedule exponential_decay(double init_value, std::int64_t transition_steps, double decay_rate,
                           std::int64_t transition_begin = 0, bool staircase = false,
                           std::optional<double> end_value = std::nullopt);

/// init_value, multiplied by boundaries_and_scales[b] from step b on (scales
/// must be >= 0; ValueError otherwise).
Schedule piecewise_constant_schedule(double init_value,
                                     const std::map<std::int64_t, double>& boundaries_and_scales = {});

/// init_value ((1 - alpha) (0.5 (1 + cos(pi min(count, decay_steps) / decay_steps)))^exponent + alpha);
/// decay_steps must be > 0 (ValueError).
Schedule cosine_decay_schedule(double init_value, std::int64_t decay_steps, double alpha = 0.0, double exponent = 1.0);

/// Linear warm-up from init_value to peak_value over warmup_steps, then cosine
/// decay to end_value at decay_steps (counted from step 0, warm-up included).
Schedule warmup_cosine_decay_schedule(double init_value, double peak_value, std::int64_t warmup_steps,
                                      std::int64_t decay_steps, double end_value = 0.0, double exponent = 1.0);

}  // namespace pure::optim
