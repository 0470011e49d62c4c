// The building blocks of the optimizers, as Optax's transform.py: each is a
// GradientTransformation, and `chain` composes them. Formulas and state
// layouts follow Optax operation by operation (docs/optim.md has the table).
// Hyperparameters are C++ doubles, converted to each leaf's dtype where they
// meet it (as Python floats are in JAX); `count` is an int32 rank-0 Array.
#pragma once

#include <optional>

#include <pure/optim/transformation.hpp>

namespace pure::optim {

/// Passes updates through; state {}.
GradientTransformation identity();

/// updates * step_size; state {}.
GradientTransformation scale(double step_size);

/// updates * schedule(count), the schedule's value cast to each leaf's dtype
/// first; state {"count"}.
GradientTransformation scale_by_schedule(Schedule step_size_fn);

/// scale(-lr), or scale_by_schedule(-lr(count)) for a schedule (`flip_sign`
/// false keeps the sign).
GradientTransformation scale_by_learning_rate(ScalarOrSchedule learning_rate, bool flip_sign = true);

/// Adam's scaling, state {"count", "mu", "nu"}:
///   mu = (1 - b1) g + b1 mu;  nu = (1 - b2) g^2 + b2 nu;  t = count + 1
///   mu_hat = mu / (1 - b1^t);  nu_hat = nu / (1 - b2^t)
///   update = mu_hat / (sqrt(nu_hat + eps_root) + eps)
/// With `nesterov` (NAdam): mu_hat = b1 bc(mu, t + 1) + (1 - b1) bc(g, t).
GradientTransformation scale_by_adam(double b1 = 0.9, double b2 = 0.999, double eps = 1e-8, double eps_root = 0.0,
                                     bool nesterov = false);

/// Momentum: trace = g + decay trace; update = trace, or g + decay trace with
/// `nesterov`; state {"trace"}.
GradientTransformation trace(double decay, bool nesterov = false);

/// RMSProp's scaling: nu = (1 - decay) g^2 + decay nu; update = g rsqrt(nu_hat + eps)
/// (`eps_in_sqrt`) or g / (sqrt(nu_hat) + eps); nu_hat = nu, or nu / (1 - decay^t)
/// with `bias_correction`. State {"nu"}, or {"count", "nu"} with bias correction.
GradientTransformation scale_by_rms(double decay = 0.9, double eps = 1e-8, double initial_scale = 0.0,
                                    bool eps_in_sqrt = true, bool bias_correction = false);

/// Centered RMSProp: also mu = (1 - decay) g + decay mu, and the variance
/// nu_hat - mu_hat^2 replaces nu_hat. State {"mu", "nu"} (plus "count" first).
GradientTransformation scale_by_stddev(double decay = 0.9, double eps = 1e-8, double initial_scale = 0.0,
                                       bool eps_in_sqrt = true, bool bias_correction = false);

/// AdaGrad's scaling: sum_of_squares += g^2; update = g rsqrt(sum_of_squares + eps)
/// where sum_of_squares > 0, else 0. State {"sum_of_squares"}.
GradientTransformation scale_by_rss(double initial_accumulator_value = 0.1, double eps = 1e-7);

/// Lion's scaling: update = sign((1 - b1) g + b1 mu); mu = (1 - b2) g + b2 mu.
/// State {"count", "mu"}.
GradientTransformation scale_by_lion(double b1 = 0.9, double b2 = 0.99);

/// update + weight_decay * param (needs params); with a mask only the selected
/// leaves. State {}, or {"count"} for a schedule (inside masked's {"inner_state"}
/// with a mask).
GradientTransformation add_decayed_weights(ScalarOrSchedule weight_decay = 0.0, Mask mask = {});

/// Scales all updates by max_norm / ||updates|| when the global norm
/// ||updates|| = sqrt(sum over leaves of sum(g^2)) is not below max_norm. State {}.
GradientTransformation clip_by_global_norm(double max_norm);

/// Applies `inner` to the leaves `mask` selects and passes the others through
/// unchanged; the inner state is made for the selected leaves only.
/// State {"inner_state"}.
GradientTransformation masked(GradientTransformation inner, Mask mask);

}  // namespace pure::optim
