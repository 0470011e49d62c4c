// Optax's gradient transformations: a transformation is a value holding two pure
// functions, `init(params) -> state` and `update(grads, state, params) ->
// (updates, state)`; an optimizer is a chain of them (docs/optim.md).
//
//   auto opt = pure::optim::adam(1e-3);
//   pure::Tree state = opt.init(params);
//   auto [updates, new_state] = opt.update(grads, state, params);
//   params = pure::optim::apply_updates(params, updates);
//
// Params, grads and updates may be any tree (pure::Tree, pure::Array, PURE_TREE
// structs, vectors of arrays, ...); the transformations compute on a pure::Tree
// view of them (a struct's `.w` is the key "w", a vector's `[0]` the key "0"),
// and the state is always a pure::Tree, so it can be saved, passed through
// pure::jit and sharded like any other tree. Everything is computed with pure's
// ops, so an update works eagerly, under jit and on every backend.
#pragma once

#include <functional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <pure/core/tree.hpp>

namespace pure::optim {

/// A hyperparameter as a function of the step count (a rank-0 int32 Array, the
/// `count` kept in the optimizer state): returns a rank-0 float Array. Built
/// from pure's ops, so it can be traced (schedules.hpp).
using Schedule = std::function<Array(const Array& count)>;

/// A number or a schedule, as Optax's ScalarOrSchedule: `adam(1e-3)` and
/// `adam(warmup_cosine_decay_schedule(...))` both work.
class ScalarOrSchedule {
 public:
  ScalarOrSchedule(double value) : value_(value) {}                        // NOLINT(google-explicit-constructor)
  ScalarOrSchedule(Schedule schedule) : schedule_(std::move(schedule)) {}  // NOLINT(google-explicit-constructor)
  bool is_schedule() const { return static_cast<bool>(schedule_); }
  double value() const { return value_; }
  const Schedule& schedule() const { return schedule_; }

 private:
  double value_ = 0.0;
  Schedule schedule_;
};

/// Selects leaves by their path in the Tree view (e.g. "['dense0']['kernel']",
/// or "['w']" for a struct field `w`): true means "this leaf is transformed".
using Mask = std::function<bool(const std::string& path, const Array& leaf)>;

/// init and update, as Optax's GradientTransformation. The functions work on
/// the Tree view; the templates below convert the caller's tree types.
class GradientTransformation {
 public:
  using InitFn = std::function<Tree(const Tree& params)>;
  /// `params` is nullptr when the caller gave none (transformations that need
  /// them, such as add_decayed_weights, throw a pure::ValueError).
  using UpdateFn = std::function<std::pair<Tree, Tree>(const Tree& updates, const Tree& state, const Tree* params)>;

  /// `name` ("pure::optim::adam") starts the errors the functions raise.
  GradientTransformation(std::string name, InitFn init, UpdateFn update);

  const std::string& name() const { return name_; }
  /// A copy whose errors start with `name` (optimizers name their chains).
  GradientTransformation with_name(std::string name) const;

  /// The initial state for these params (zeros moments, count 0, ...).
  template <class P>
  Tree init(const P& params) const;
  /// (updates, new state). `grads` must have the structure, dtypes and shapes
  /// of the params the state was made for; errors name the first leaf that differs.
  template <class G>
  std::pair<G, Tree> update(const G& grads, const Tree& state, const G& params) const;
  /// update without params (for transformations that do not read them).
  template <class G>
  std::pair<G, Tree> update(const G& grads, const Tree& state) const;

  /// The same on the Tree view.
  Tree init_tree(const Tree& params) const;
  std::pair<Tree, Tree> update_tree(const Tree& updates, const Tree& state, const Tree* params) const;

 private:
  std::string name_;
  InitFn init_;
  UpdateFn update_;
};

/// Applies the transformations one after the other; the state is a Tree with
/// one entry per transformation, keyed "0", "1", ... (as Optax's tuple).
GradientTransformation chain(std::vector<GradientTransformation> transformations);

/// params + updates leaf by leaf, each result in its param's dtype (as
/// optax.apply_updates); leaves are matched by path.
template <class P>
P apply_updates(const P& params, const P& updates);

// ---------------------------------------------------------------- the Tree view

namespace detail {
/// A Tree whose nested keys are the components of the paths (['a'] and .a are
/// key "a", [0] is key "0"); a lone leaf at path "" is a leaf Tree.
Tree tree_view(const PathLeaves& leaves, const char* who);
/// The leaves of `view` in the order of `like_paths` (paths of a tree view),
/// matched by path; ValueError naming the first path that differs.
std::vector<Array> leaves_in_order_of(const PathLeaves& like_paths, const Tree& view, const char* who);
Tree apply_updates_tree(const Tree& params, const Tree& updates);

template <class T>
Tree as_tree(const T& x, const char* who) {
  if constexpr (std::is_same_v<T, Tree>) {
    return x;
  } else {
    return tree_view(tree_leaves_with_path(x), who);
  }
}

/// The caller's type back from a Tree view shaped like as_tree(like).
template <class T>
T from_tree(const T& like, const Tree& view, const char* who) {
  if constexpr (std::is_same_v<T, Tree>) {
    // Same keys in the same order (the transformations keep the grads' order).
    return tree_unflatten(like, leaves_in_order_of(tree_leaves_with_path(like), view, who));
  } else {
    return tree_unflatten(like, leaves_in_order_of(tree_leaves_with_path(as_tree(like, who)), view, who));
  }
}
}  // namespace detail

template <class P>
Tree GradientTransformation::init(const P& params) const {
  return init_tree(detail::as_tree(params, name_.c_str()));
}

template <class G>
std::pair<G, Tree> GradientTransformation::update(const G& grads, const Tree& state, const G& params) const {
  const Tree params_view = detail::as_tree(params, name_.c_str());
  auto [updates, new_state] = update_tree(detail::as_tree(grads, name_.c_str()), state, &params_view);
  return {detail::from_tree(grads, updates, name_.c_str()), std::move(new_state)};
}

template <class G>
std::pair<G, Tree> GradientTransformation::update(const G& grads, const Tree& state) const {
  auto [updates, new_state] = update_tree(detail::as_tree(grads, name_.c_str()), state, nullptr);
  return {detail::from_tree(grads, updates, name_.c_str()), std::move(new_state)};
}

template <class P>
P apply_updates(const P& params, const P& updates) {
  constexpr const char* who = "pure::optim::apply_updates";
  return detail::from_tree(
      params, detail::apply_updates_tree(detail::as_tree(params, who), detail::as_tree(updates, who)), who);
}

}  // namespace pure::optim
