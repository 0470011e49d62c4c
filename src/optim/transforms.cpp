// The building blocks (Optax's transform.py and transforms/), written with
// pure's numpy-like ops in Optax's order of operations. C++ doubles meet
// arrays as weak scalars (converted to the leaf's dtype), as Python floats do
// in JAX, so `(1.0 - b1) * g` rounds exactly as Optax's `(1 - b1) * g`.
#include <pure/optim/transforms.hpp>

#include <unordered_map>

#include <pure/core/creation.hpp>
#include <pure/ops/lax.hpp>
#include <pure/ops/numpy.hpp>

namespace pure::optim {

namespace {

const Tree& state_entry(const Tree& state, const char* key, const std::string& who) {
  if (!state.is_dict() || !state.contains(key)) {
    throw ValueError(who + ": the optimizer state has no entry '" + key +
                     "'; make the state with this transformation's init");
  }
  return state.at(key);
}

const Array& state_count(const Tree& state, const std::string& who) {
  const Tree& count = state_entry(state, "count", who);
  if (!count.is_leaf() || count.array().dtype() != DType::i32 || count.array().rank() != 0) {
    throw DTypeError(who + ": the optimizer state's count must be an int32 scalar");
  }
  return count.array();
}

/// The gradients' leaves with, per params-shaped entry of the state, that
/// entry's leaves in the gradients' order. Errors name the first leaf whose
/// path, dtype or shape differs.
struct Aligned {
  PathLeaves grads;
  std::vector<std::vector<Array>> state;
};

Aligned align(const std::string& who, const Tree& grads, const Tree& state, std::initializer_list<const char*> keys) {
  Aligned a{tree_leaves_with_path(grads), {}};
  for (const char* key : keys) {
    a.state.push_back(pure::detail::aligned_leaves(a.grads, tree_leaves_with_path(state_entry(state, key, who)),
                                                   who.c_str(), "the gradients",
                                                   std::string("the state's ") + key + " leaves", true));
  }
  return a;
}

Tree full_like_tree(const Tree& params, double value) {
  return tree_map([value](const Array& p) { return pure::full(p.shape(), value, p.dtype()); }, params);
}

Array int32_scalar(double value) { return pure::full({}, value, DType::i32); }

/// Optax's numerics.safe_increment: count + 1, saturating at the int32 maximum.
Array safe_increment(const Array& count) {
  const Array largest = int32_scalar(2147483647.0);
  return pure::where(count < largest, count + 1, largest);
}

/// 1 - decay^count. JAX with 64-bit types computes the weakly typed
/// `decay ** count` (int32 count) in float64; the moment's dtype comes after.
Array bias_correction_denominator(double decay, const Array& count) {
  return 1.0 - pure::power(pure::full({}, decay, DType::f64), pure::astype(count, DType::f64));
}

/// x / d for a rank-0 d, in x's dtype, a true division as Optax writes it
/// (XLA's simplifier may turn it into x * (1 / d); docs/optim.md).
Array divided_by_scalar(const Array& x, const Array& d) { return x / pure::astype(d, x.dtype()); }

Array bias_corrected(const Array& moment, const Array& denominator) { return divided_by_scalar(moment, denominator); }

/// (1 - decay) g^order + decay moment (Optax's update_moment and, for real
/// leaves, update_moment_per_elem_norm).
Array ema(const Array& g, const Array& moment, double decay, int order) {
  return (1.0 - decay) * pure::integer_pow(g, order) + decay * moment;
}

Tree count_state() { return Tree{{"count", int32_scalar(0.0)}}; }

std::string named(const char* transformation) { return std::string("pure::optim::") + transformation; }

}  // namespace

GradientTransformation identity() {
  return GradientTransformation(
      named("identity"), [](const Tree&) { return Tree(); },
      [](const Tree& updates, const Tree& state, const Tree*) { return std::make_pair(updates, state); });
}

GradientTransformation scale(double step_size) {
  return GradientTransformation(
      named("scale"), [](const Tree&) { return Tree(); },
      [step_size](const Tree& updates, const Tree& state, const Tree*) {
        return std::make_pair(tree_map([step_size](const Array& g) { return step_size * g; }, updates), state);
      });
}

GradientTransformation scale_by_schedule(Schedule step_size_fn) {
  const std::string who = named("scale_by_schedule");
  return GradientTransformation(
      who, [](const Tree&) { return count_state(); },
      [who, step_size_fn](const Tree& updates, const Tree& state, const Tree*) {
        const Array& count = state_count(state, who);
        const Array step_size = step_size_fn(count);
        Tree out = tree_map([&](const Array& g) { return pure::astype(step_size, g.dtype()) * g; }, updates);
        return std::make_pair(out, Tree{{"count", safe_increment(count)}});
      });
}

GradientTransformation scale_by_learning_rate(ScalarOrSchedule learning_rate, bool flip_sign) {
  const int sign = flip_sign ? -1 : 1;
  if (learning_rate.is_schedule()) {
    Schedule lr = learning_rate.schedule();
    return scale_by_schedule([sign, lr](const Array& count) { return sign * lr(count); });
  }
  return scale(sign * learning_rate.value());
}

GradientTransformation scale_by_adam(double b1, double b2, double eps, double eps_root, bool nesterov) {
  const std::string who = named("scale_by_adam");
  auto init = [](const Tree& params) {
    return Tree{{"count", int32_scalar(0.0)}, {"mu", tree_zeros_like(params)}, {"nu", tree_zeros_like(params)}};
  };
  auto update = [=](const Tree& updates, const Tree& state, const Tree*) {
    const Array& count = state_count(state, who);
    const Aligned a = align(who, updates, state, {"mu", "nu"});
    const Array count_inc = safe_increment(count);
    const Array mu_denominator = bias_correction_denominator(b1, count_inc);
    const Array nu_denominator = bias_correction_denominator(b2, count_inc);
    // NAdam looks one step ahead: the moment corrected for t + 1.
    const Array mu_ahead_denominator = nesterov ? bias_correction_denominator(b1, safe_increment(count_inc)) : Array();
    std::vector<Array> out, mu, nu;
    for (std::size_t i = 0; i < a.grads.size(); ++i) {
      const Array& g = a.grads[i].second;
      mu.push_back(ema(g, a.state[0][i], b1, 1));
      nu.push_back(ema(g, a.state[1][i], b2, 2));
      const Array mu_hat =
          nesterov ? b1 * bias_corrected(mu[i], mu_ahead_denominator) + (1.0 - b1) * bias_corrected(g, mu_denominator)
                   : bias_corrected(mu[i], mu_denominator);
      const Array nu_hat = bias_corrected(nu[i], nu_denominator);
      out.push_back(mu_hat / (pure::sqrt(nu_hat + eps_root) + eps));
    }
    Tree new_state{{"count", count_inc}, {"mu", tree_unflatten(updates, mu)}, {"nu", tree_unflatten(updates, nu)}};
    return std::make_pair(tree_unflatten(updates, out), new_state);
  };
  return GradientTransformation(who, init, update);
}

GradientTransformation trace(double decay, bool nesterov) {
  const std::string who = named("trace");
  auto init = [](const Tree& params) { return Tree{{"trace", tree_zeros_like(params)}}; };
  auto update = [=](const Tree& updates, const Tree& state, const Tree*) {
    const Aligned a = align(who, updates, state, {"trace"});
    std::vector<Array> out, new_trace;
    for (std::size_t i = 0; i < a.grads.size(); ++i) {
      const Array& g = a.grads[i].second;
      new_trace.push_back(g + decay * a.state[0][i]);
      out.push_back(nesterov ? g + decay * new_trace[i] : new_trace[i]);
    }
    return std::make_pair(tree_unflatten(updates, out), Tree{{"trace", tree_unflatten(updates, new_trace)}});
  };
  return GradientTransformation(who, init, update);
}

namespace {

/// scale_by_rms and scale_by_stddev: the same recurrence, the centered one also
/// tracks the mean and subtracts its square.
GradientTransformation scale_by_second_moment(const std::string& who, bool centered, double decay, double eps,
                                              double initial_scale, bool eps_in_sqrt, bool bias_correction) {
  auto init = [=](const Tree& params) {
    Tree state;
    if (bias_correction) state.set("count", int32_scalar(0.0));
    if (centered) state.set("mu", tree_zeros_like(params));
    state.set("nu", full_like_tree(params, initial_scale));
    return state;
  };
  auto update = [=](const Tree& updates, const Tree& state, const Tree*) {
    const Aligned a = centered ? align(who, updates, state, {"mu", "nu"}) : align(who, updates, state, {"nu"});
    const std::vector<Array>& old_nu = a.state[centered ? 1 : 0];
    Array count_inc, denominator;
    if (bias_correction) {
      count_inc = safe_increment(state_count(state, who));
      denominator = bias_correction_denominator(decay, count_inc);
    }
    std::vector<Array> out, mu, nu;
    for (std::size_t i = 0; i < a.grads.size(); ++i) {
      const Array& g = a.grads[i].second;
      if (centered) mu.push_back(ema(g, a.state[0][i], decay, 1));
      nu.push_back(ema(g, old_nu[i], decay, 2));
      Array variance = bias_correction ? bias_corrected(nu[i], denominator) : nu[i];
      if (centered) {
        const Array mu_hat = bias_correction ? bias_corrected(mu[i], denominator) : mu[i];
        variance = variance - mu_hat * mu_hat;
      }
      const Array scaling = eps_in_sqrt ? lax::rsqrt(variance + eps) : 1.0 / (pure::sqrt(variance) + eps);
      out.push_back(scaling * g);
    }
    Tree new_state;
    if (bias_correction) new_state.set("count", count_inc);
    if (centered) new_state.set("mu", tree_unflatten(updates, mu));
    new_state.set("nu", tree_unflatten(updates, nu));
    return std::make_pair(tree_unflatten(updates, out), new_state);
  };
  return GradientTransformation(who, init, update);
}

}  // namespace

GradientTransformation scale_by_rms(double decay, double eps, double initial_scale, bool eps_in_sqrt,
                                    bool bias_correction) {
  return scale_by_second_moment(named("scale_by_rms"), false, decay, eps, initial_scale, eps_in_sqrt, bias_correction);
}

GradientTransformation scale_by_stddev(double decay, double eps, double initial_scale, bool eps_in_sqrt,
                                       bool bias_correction) {
  return scale_by_second_moment(named("scale_by_stddev"), true, decay, eps, initial_scale, eps_in_sqrt,
                                bias_correction);
}

GradientTransformation scale_by_rss(double initial_accumulator_value, double eps) {
  const std::string who = named("scale_by_rss");
  auto init = [=](const Tree& params) {
    return Tree{{"sum_of_squares", full_like_tree(params, initial_accumulator_value)}};
  };
  auto update = [=](const Tree& updates, const Tree& state, const Tree*) {
    const Aligned a = align(who, updates, state, {"sum_of_squares"});
    std::vector<Array> out, sums;
    for (std::size_t i = 0; i < a.grads.size(); ++i) {
      const Array& g = a.grads[i].second;
      sums.push_back(g * g + a.state[0][i]);
      const Array zero = pure::scalar_like(g, 0.0);
      // Zero where nothing was accumulated yet, as Optax (no 0 * inf).
      const Array inverse_root = pure::where(sums[i] > zero, lax::rsqrt(sums[i] + eps), zero);
      out.push_back(inverse_root * g);
    }
    return std::make_pair(tree_unflatten(updates, out), Tree{{"sum_of_squares", tree_unflatten(updates, sums)}});
  };
  return GradientTransformation(who, init, update);
}

GradientTransformation scale_by_lion(double b1, double b2) {
  const std::string who = named("scale_by_lion");
  auto init = [](const Tree& params) { return Tree{{"count", int32_scalar(0.0)}, {"mu", tree_zeros_like(params)}}; };
  auto update = [=](const Tree& updates, const Tree& state, const Tree*) {
    const Array& count = state_count(state, who);
    const Aligned a = align(who, updates, state, {"mu"});
    std::vector<Array> out, mu;
    for (std::size_t i = 0; i < a.grads.size(); ++i) {
      const Array& g = a.grads[i].second;
      out.push_back(pure::sign((1.0 - b1) * g + b1 * a.state[0][i]));
      mu.push_back(ema(g, a.state[0][i], b2, 1));
    }
    Tree new_state{{"count", safe_increment(count)}, {"mu", tree_unflatten(updates, mu)}};
    return std::make_pair(tree_unflatten(updates, out), new_state);
  };
  return GradientTransformation(who, init, update);
}

GradientTransformation add_decayed_weights(ScalarOrSchedule weight_decay, Mask mask) {
  const std::string who = named("add_decayed_weights");
  const bool scheduled = weight_decay.is_schedule();
  auto init = [scheduled](const Tree&) { return scheduled ? count_state() : Tree(); };
  auto update = [=](const Tree& updates, const Tree& state, const Tree* params) {
    if (params == nullptr) {
      throw ValueError(who + ": needs the params: call update(grads, state, params)");
    }
    const Array count = scheduled ? state_count(state, who) : Array();
    const Tree new_state = scheduled ? Tree{{"count", safe_increment(count)}} : state;
    // A constant zero decay changes nothing, and Optax skips it.
    if (!scheduled && weight_decay.value() == 0.0) return std::make_pair(updates, new_state);
    const PathLeaves g = tree_leaves_with_path(updates);
    const std::vector<Array> p = pure::detail::aligned_leaves(g, tree_leaves_with_path(*params), who.c_str(),
                                                              "the gradients", "the params", true);
    const Array decay = scheduled ? weight_decay.schedule()(count) : Array();
    std::vector<Array> out;
    for (std::size_t i = 0; i < g.size(); ++i) {
      // A schedule's value meets the param as JAX promotes it: in the param's
      // dtype for Optax's weakly typed and float32 schedules alike.
      out.push_back(g[i].second + (scheduled ? pure::astype(decay, p[i].dtype()) * p[i] : weight_decay.value() * p[i]));
    }
    return std::make_pair(tree_unflatten(updates, out), new_state);
  };
  GradientTransformation t(who, init, update);
  return mask ? masked(t, mask) : t;
}

GradientTransformation clip_by_global_norm(double max_norm) {
  const std::string who = named("clip_by_global_norm");
  auto update = [=](const Tree& updates, const Tree& state, const Tree*) {
    const std::vector<Array> leaves = tree_leaves(updates);
    if (leaves.empty()) return std::make_pair(updates, state);
    // Optax's tree_sum: the leaves' sums added in leaf order.
    Array sum_of_squares = pure::sum(pure::square(leaves[0]));
    for (std::size_t i = 1; i < leaves.size(); ++i) {
      sum_of_squares = sum_of_squares + pure::sum(pure::square(leaves[i]));
    }
    const Array norm = pure::sqrt(sum_of_squares);
    const Array below = norm < pure::weak_scalar(norm, max_norm);
    Tree out =
        tree_map([&](const Array& g) { return pure::where(below, g, divided_by_scalar(g, norm) * max_norm); }, updates);
    return std::make_pair(out, state);
  };
  return GradientTransformation(
      who, [](const Tree&) { return Tree(); }, update);
}

namespace {

Tree selected(const Tree& tree, const Mask& mask, const char* who) {
  PathLeaves kept;
  for (auto& [path, leaf] : tree_leaves_with_path(tree)) {
    if (mask(path, leaf)) kept.emplace_back(path, leaf);
  }
  return detail::tree_view(kept, who);
}

}  // namespace

GradientTransformation masked(GradientTransformation inner, Mask mask) {
  const std::string who = named("masked");
  auto init = [=](const Tree& params) {
    return Tree{{"inner_state", inner.init_tree(selected(params, mask, who.c_str()))}};
  };
  auto update = [=](const Tree& updates, const Tree& state, const Tree* params) {
    const Tree selected_params = params != nullptr ? selected(*params, mask, who.c_str()) : Tree();
    auto [inner_updates, inner_state] =
        inner.update_tree(selected(updates, mask, who.c_str()), state_entry(state, "inner_state", who),
                          params != nullptr ? &selected_params : nullptr);
    std::unordered_map<std::string, Array> transformed;
    for (auto& [path, leaf] : tree_leaves_with_path(inner_updates)) transformed.emplace(path, leaf);
    PathLeaves all = tree_leaves_with_path(updates);
    std::vector<Array> out;
    for (auto& [path, leaf] : all) {
      const auto it = mask(path, leaf) ? transformed.find(path) : transformed.end();
      out.push_back(it != transformed.end() ? it->second : leaf);
    }
    return std::make_pair(tree_unflatten(updates, out), Tree{{"inner_state", inner_state}});
  };
  return GradientTransformation(who, init, update);
}

}  // namespace pure::optim
