// GradientTransformation, chain, apply_updates and the Tree view of any tree.
#include <pure/optim/transformation.hpp>

#include <unordered_map>

#include <pure/core/error.hpp>
#include <pure/ops/numpy.hpp>

namespace pure::optim {

GradientTransformation::GradientTransformation(std::string name, InitFn init, UpdateFn update)
    : name_(std::move(name)), init_(std::move(init)), update_(std::move(update)) {}

GradientTransformation GradientTransformation::with_name(std::string name) const {
  GradientTransformation copy = *this;
  copy.name_ = std::move(name);
  return copy;
}

Tree GradientTransformation::init_tree(const Tree& params) const {
  const ErrorContext context(name_.c_str());
  require_no_empty_leaves(params, name_.c_str(), "init: the params");
  return init_(params);
}

std::pair<Tree, Tree> GradientTransformation::update_tree(const Tree& updates, const Tree& state,
                                                          const Tree* params) const {
  const ErrorContext context(name_.c_str());
  require_no_empty_leaves(updates, name_.c_str(), "update: the gradients");
  return update_(updates, state, params);
}

GradientTransformation chain(std::vector<GradientTransformation> transformations) {
  auto parts = std::make_shared<const std::vector<GradientTransformation>>(std::move(transformations));
  auto init = [parts](const Tree& params) {
    Tree state;
    for (std::size_t i = 0; i < parts->size(); ++i) state.set(std::to_string(i), (*parts)[i].init_tree(params));
    return state;
  };
  auto update = [parts](const Tree& updates, const Tree& state, const Tree* params) {
    if (!state.is_dict() || state.size() != parts->size()) {
      throw ValueError("pure::optim::chain: the state has " + std::to_string(state.is_dict() ? state.size() : 1) +
                       " entries for a chain of " + std::to_string(parts->size()) +
                       " transformations; make the state with this optimizer's init");
    }
    Tree out = updates;
    Tree new_state;
    for (std::size_t i = 0; i < parts->size(); ++i) {
      const std::string key = std::to_string(i);
      auto [next, part_state] = (*parts)[i].update_tree(out, state.at(key), params);
      out = std::move(next);
      new_state.set(key, std::move(part_state));
    }
    return std::make_pair(out, new_state);
  };
  return GradientTransformation("pure::optim::chain", init, update);
}

namespace detail {

namespace {

// The keys along a path written as jax.tree_util.keystr writes it: ['key'],
// [index] and .field. (A Tree key holding "']" cannot be told apart; such
// trees inside structs or containers are not supported.)
std::vector<std::string> path_keys(const std::string& path, const char* who) {
  std::vector<std::string> keys;
  std::size_t i = 0;
  while (i < path.size()) {
    std::size_t end = std::string::npos;
    if (path.compare(i, 2, "['") == 0) {
      end = path.find("']", i + 2);
      if (end != std::string::npos) keys.push_back(path.substr(i + 2, end - i - 2));
      end = end == std::string::npos ? end : end + 2;
    } else if (path[i] == '[') {
      end = path.find(']', i + 1);
      if (end != std::string::npos) keys.push_back(path.substr(i + 1, end - i - 1));
      end = end == std::string::npos ? end : end + 1;
    } else if (path[i] == '.') {
      end = std::min(path.find_first_of(".[", i + 1), path.size());
      keys.push_back(path.substr(i + 1, end - i - 1));
    }
    if (end == std::string::npos) throw ValueError(std::string(who) + ": cannot read the leaf path " + path);
    i = end;
  }
  return keys;
}

}  // namespace

Tree tree_view(const PathLeaves& leaves, const char* who) {
  if (leaves.size() == 1 && leaves[0].first.empty()) return Tree(leaves[0].second);
  Tree root;
  for (const auto& [path, leaf] : leaves) {
    const std::vector<std::string> keys = path_keys(path, who);
    Tree* node = &root;
    bool clash = keys.empty();
    for (std::size_t k = 0; !clash && k + 1 < keys.size(); ++k) {
      node = &(*node)[keys[k]];
      clash = node->is_leaf();
    }
    clash = clash || node->contains(keys.back());
    if (clash) throw ValueError(std::string(who) + ": two leaves map to the same key path in the Tree view: " + path);
    node->set(keys.back(), Tree(leaf));
  }
  return root;
}

std::vector<Array> leaves_in_order_of(const PathLeaves& like_paths, const Tree& view, const char* who) {
  return pure::detail::aligned_leaves(like_paths, tree_leaves_with_path(view), who, "the argument", "the result",
                                      false);
}

Tree apply_updates_tree(const Tree& params, const Tree& updates) {
  constexpr const char* who = "pure::optim::apply_updates";
  const PathLeaves p = tree_leaves_with_path(params);
  const std::vector<Array> u =
      pure::detail::aligned_leaves(p, tree_leaves_with_path(updates), who, "the params", "the updates", false);
  std::vector<Array> out;
  out.reserve(p.size());
  for (std::size_t i = 0; i < p.size(); ++i) {
    const Array& param = p[i].second;
    const std::string where = p[i].first.empty() ? "(root)" : p[i].first;
    if (!param.valid() || !u[i].valid()) throw ValueError(std::string(who) + ": an empty Array at " + where);
    if (param.shape() != u[i].shape()) {
      throw ShapeError(std::string(who) + ": the update at " + where + " has shape " + u[i].shape().str() +
                       ", the param " + param.shape().str());
    }
    // As Optax: added in the promoted dtype, then back to the param's.
    out.push_back(astype(param + u[i], param.dtype()));
  }
  return tree_unflatten(params, out);
}

}  // namespace detail

}  // namespace pure::optim
