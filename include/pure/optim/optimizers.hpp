// The optimizers of Optax's alias.py, each a chain of the building blocks in
// transforms.hpp ending in scale_by_learning_rate, with Optax's defaults and
// argument order. Their states are those chains' states, e.g. adam's:
//   {"0": {"count": i32[], "mu": <params>, "nu": <params>}, "1": {}}
// ("1" holds {"count"} when the learning rate is a schedule).
#pragma once

#include <optional>

#include <pure/optim/transformation.hpp>
#include <pure/optim/transforms.hpp>

namespace pure::optim {

/// Stochastic gradient descent: chain(trace(momentum, nesterov) or identity,
/// scale_by_learning_rate(lr)).
GradientTransformation sgd(ScalarOrSchedule learning_rate, std::optional<double> momentum = std::nullopt,
                           bool nesterov = false);

/// chain(scale_by_adam(b1, b2, eps, eps_root, nesterov), scale_by_learning_rate(lr)).
GradientTransformation adam(ScalarOrSchedule learning_rate, double b1 = 0.9, double b2 = 0.999, double eps = 1e-8,
                            double eps_root = 0.0, bool nesterov = false);

/// Adam with decoupled weight decay: chain(scale_by_adam, add_decayed_weights(weight_decay, mask),
/// scale_by_learning_rate(lr)).
GradientTransformation adamw(ScalarOrSchedule learning_rate, double b1 = 0.9, double b2 = 0.999, double eps = 1e-8,
                             double eps_root = 0.0, ScalarOrSchedule weight_decay = 1e-4, Mask mask = {},
                             bool nesterov = false);

/// chain(scale_by_rms or, when `centered`, scale_by_stddev; scale_by_learning_rate(lr);
/// trace(momentum, nesterov) or identity).
GradientTransformation rmsprop(ScalarOrSchedule learning_rate, double decay = 0.9, double eps = 1e-8,
                               double initial_scale = 0.0, bool eps_in_sqrt = true, bool centered = false,
                               std::optional<double> momentum = std::nullopt, bool nesterov = false,
                               bool bias_correction = false);

/// chain(scale_by_rss(initial_accumulator_value, eps), scale_by_learning_rate(lr)).
GradientTransformation adagrad(ScalarOrSchedule learning_rate, double initial_accumulator_value = 0.1,
                               double eps = 1e-7);

/// chain(scale_by_lion(b1, b2), add_decayed_weights(weight_decay, mask), scale_by_learning_rate(lr)).
GradientTransformation lion(ScalarOrSchedule learning_rate, double b1 = 0.9, double b2 = 0.99,
                            ScalarOrSchedule weight_decay = 1e-3, Mask mask = {});

}  // namespace pure::optim
