// The optimizers of Optax's alias.py: chains of the building blocks.
#include <pure/optim/optimizers.hpp>

namespace pure::optim {

GradientTransformation sgd(ScalarOrSchedule learning_rate, std::optional<double> momentum, bool nesterov) {
  return chain({momentum ? trace(*momentum, nesterov) : identity(), scale_by_learning_rate(std::move(learning_rate))})
      .with_name("pure::optim::sgd");
}

GradientTransformation adam(ScalarOrSchedule learning_rate, double b1, double b2, double eps, double eps_root,
                            bool nesterov) {
  return chain({scale_by_adam(b1, b2, eps, eps_root, nesterov), scale_by_learning_rate(std::move(learning_rate))})
      .with_name("pure::optim::adam");
}

GradientTransformation adamw(ScalarOrSchedule learning_rate, double b1, double b2, double eps, double eps_root,
                             ScalarOrSchedule weight_decay, Mask mask, bool nesterov) {
  return chain({scale_by_adam(b1, b2, eps, eps_root, nesterov),
                add_decayed_weights(std::move(weight_decay), std::move(mask)),
                scale_by_learning_rate(std::move(learning_rate))})
      .with_name("pure::optim::adamw");
}

GradientTransformation rmsprop(ScalarOrSchedule learning_rate, double decay, double eps, double initial_scale,
                               bool eps_in_sqrt, bool centered, std::optional<double> momentum, bool nesterov,
                               bool bias_correction) {
  GradientTransformation scaling = centered ? scale_by_stddev(decay, eps, initial_scale, eps_in_sqrt, bias_correction)
                                            : scale_by_rms(decay, eps, initial_scale, eps_in_sqrt, bias_correction);
  // Optax keeps the third entry (identity) without momentum, so the state's layout does not depend on it.
  return chain({std::move(scaling), scale_by_learning_rate(std::move(learning_rate)),
                momentum ? trace(*momentum, nesterov) : identity()})
      .with_name("pure::optim::rmsprop");
}

GradientTransformation adagrad(ScalarOrSchedule learning_rate, double initial_accumulator_value, double eps) {
  return chain({scale_by_rss(initial_accumulator_value, eps), scale_by_learning_rate(std::move(learning_rate))})
      .with_name("pure::optim::adagrad");
}

GradientTransformation lion(ScalarOrSchedule learning_rate, double b1, double b2, ScalarOrSchedule weight_decay,
                            Mask mask) {
  return chain({scale_by_lion(b1, b2), add_decayed_weights(std::move(weight_decay), std::move(mask)),
                scale_by_learning_rate(std::move(learning_rate))})
      .with_name("pure::optim::lion");
}

}  // namespace pure::optim
