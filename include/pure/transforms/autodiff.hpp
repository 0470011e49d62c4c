// grad, value_and_grad, vjp, jvp, linearize over trees of arrays, as in JAX:
//
//   auto loss = [](const Params& p, const pure::Array& x) { ... return scalar; };
//   Params g = pure::grad(loss)(params, x);               // d loss / d params
//   auto [v, g2] = pure::value_and_grad(loss)(params, x);
//   auto gx = pure::grad<1>(loss)(params, x);             // w.r.t. argument 1
//   auto [gp, gx2] = pure::grad<0, 1>(loss)(params, x);   // both, as a tuple
//
// Arguments and results may be any tree (core/tree.hpp). Transforms nest:
// pure::grad(pure::grad(f)), jvp of grad, grad of a function calling grad.
#pragma once

#include <tuple>
#include <type_traits>
#include <utility>

#include <pure/core/creation.hpp>
#include <pure/core/tree.hpp>
#include <pure/transforms/flat.hpp>

namespace pure {

/// Tag: the function returns std::pair<Array, Aux>; Aux is passed through.
struct HasAux {};
inline constexpr HasAux has_aux{};

namespace detail {

template <class T>
using Decay = std::decay_t<T>;

// Flattens the selected positional arguments; the others stay fixed.
template <std::size_t... I, class Tuple>
std::vector<Array> flatten_selected(const Tuple& args, std::vector<std::size_t>& counts) {
  std::vector<Array> flat;
  (
      [&] {
        const std::size_t before = flat.size();
        TreeTraits<Decay<std::tuple_element_t<I, Tuple>>>::flatten(std::get<I>(args), flat);
        counts.push_back(flat.size() - before);
      }(),
      ...);
  return flat;
}

template <std::size_t... I, class Tuple>
Tuple replace_selected(const Tuple& args, const std::vector<Array>& flat) {
  Tuple out = args;
  const Array* it = flat.data();
  ((std::get<I>(out) = TreeTraits<Decay<std::tuple_element_t<I, Tuple>>>::unflatten(std::get<I>(args), it)), ...);
  return out;
}

template <std::size_t... I, class Tuple>
auto unflatten_selected(const Tuple& args, const std::vector<Array>& flat) {
  const Array* it = flat.data();
  if constexpr (sizeof...(I) == 1) {
    constexpr std::size_t i = (I, ...);
    return TreeTraits<Decay<std::tuple_element_t<i, Tuple>>>::unflatten(std::get<i>(args), it);
  } else {
    // Braced init evaluates left to right, so leaves are consumed in order.
    return std::tuple<Decay<std::tuple_element_t<I, Tuple>>...>{
        TreeTraits<Decay<std::tuple_element_t<I, Tuple>>>::unflatten(std::get<I>(args), it)...};
  }
}

template <class T, class = void>
struct IsTree : std::false_type {};
template <class T>
struct IsTree<
    T, std::void_t<decltype(TreeTraits<T>::flatten(std::declval<const T&>(), std::declval<std::vector<Array>&>()))>>
    : std::true_type {};

/// ValueError naming the first argument (by position, and the path inside it)
/// that holds an empty (default-constructed) Array; non-tree arguments are skipped.
template <class... Args>
void require_valid_args(const char* who, const Args&... args) {
  std::size_t k = 0;
  (
      [&](const auto& arg) {
        if constexpr (IsTree<Decay<decltype(arg)>>::value) {
          require_no_empty_leaves(arg, who, "argument " + std::to_string(k));
        }
        ++k;
      }(args),
      ...);
}

/// The (path, leaf) pairs with each leaf replaced by a zeros view of its type
/// (one element of storage): enough to check another tree's types later.
inline PathLeaves paths_and_types(PathLeaves leaves) {
  for (auto& pl : leaves) pl.second = pure::zeros(pl.second.shape(), pl.second.dtype());
  return leaves;
}

inline void check_scalar_loss(const Array& out, const char* who) {
  if (out.rank() != 0 || !is_floating(out.dtype())) {
    throw ShapeError(std::string(who) + ": the function must return a scalar float array, got " +
                     std::string(dtype_name(out.dtype())) + out.shape().str());
  }
}

inline void check_float_leaves(const std::vector<Array>& leaves, const char* who) {
  for (std::size_t k = 0; k < leaves.size(); ++k) {
    if (!is_floating(leaves[k].dtype())) {
      throw DTypeError(std::string(who) + ": cannot differentiate with respect to leaf " + std::to_string(k) +
                       " of dtype " + dtype_name(leaves[k].dtype()) + " and shape " + leaves[k].shape().str() +
                       "; only float32/float64 inputs have gradients");
    }
  }
}

// value_and_grad core: returns (value, aux-or-nothing, grads-as-selected-types).
template <bool kAux, std::size_t... I, class F, class... Args>
auto value_and_grad_impl(const F& f, const char* who, const Args&... args) {
  using Tuple = std::tuple<Args...>;
  require_valid_args(who, args...);
  const Tuple tuple(args...);
  std::vector<std::size_t> counts;
  const std::vector<Array> flat = flatten_selected<I...>(tuple, counts);
  check_float_leaves(flat, who);
  using Result = Decay<std::invoke_result_t<const F&, const Args&...>>;
  std::vector<Array> aux_like;  // aux leaves are outputs 1.. of the flat function
  Result like{};
  const FlatFn flat_f = [&](const std::vector<Array>& leaves) {
    const Tuple local = replace_selected<I...>(tuple, leaves);
    Result r = std::apply(f, local);
    if constexpr (kAux) {
      like = r;
      std::vector<Array> outs{r.first};
      TreeTraits<Decay<decltype(r.second)>>::flatten(r.second, outs);
      return outs;
    } else {
      return std::vector<Array>{r};
    }
  };
  auto [outs, pullback] = vjp_flat(flat_f, flat);
  check_scalar_loss(outs[0], who);
  std::vector<Array> cts(outs.size());
  cts[0] = pure::ones({}, outs[0].dtype());
  const std::vector<Array> grads = pullback(cts);
  auto g = unflatten_selected<I...>(tuple, grads);
  if constexpr (kAux) {
    std::vector<Array> aux_leaves(outs.begin() + 1, outs.end());
    auto aux = tree_unflatten(like.second, aux_leaves);
    return std::make_tuple(outs[0], std::move(aux), std::move(g));
  } else {
    return std::make_tuple(outs[0], 0, std::move(g));
  }
}

}  // namespace detail

/// d f / d (arguments I...), I defaulting to 0. f returns a scalar float Array.
/// With one index the result has that argument's type; with several, a tuple.
template <std::size_t... I, class F>
auto grad(F f) {
  return [f](const auto&... args) {
    if constexpr (sizeof...(I) == 0) {
      return std::get<2>(detail::value_and_grad_impl<false, 0>(f, "pure::grad", args...));
    } else {
      return std::get<2>(detail::value_and_grad_impl<false, I...>(f, "pure::grad", args...));
    }
  };
}

/// grad of a function returning std::pair<Array, Aux>: returns (grads, aux).
template <std::size_t... I, class F>
auto grad(F f, HasAux) {
  return [f](const auto&... args) {
    auto r = [&] {
      if constexpr (sizeof...(I) == 0) {
        return detail::value_and_grad_impl<true, 0>(f, "pure::grad", args...);
      } else {
        return detail::value_and_grad_impl<true, I...>(f, "pure::grad", args...);
      }
    }();
    return std::make_pair(std::move(std::get<2>(r)), std::move(std::get<1>(r)));
  };
}

/// (f(args...), grad f(args...)).
template <std::size_t... I, class F>
auto value_and_grad(F f) {
  return [f](const auto&... args) {
    auto r = [&] {
      if constexpr (sizeof...(I) == 0) {
        return detail::value_and_grad_impl<false, 0>(f, "pure::value_and_grad", args...);
      } else {
        return detail::value_and_grad_impl<false, I...>(f, "pure::value_and_grad", args...);
      }
    }();
    return std::make_pair(std::move(std::get<0>(r)), std::move(std::get<2>(r)));
  };
}

/// ((value, aux), grads) for f returning std::pair<Array, Aux>.
template <std::size_t... I, class F>
auto value_and_grad(F f, HasAux) {
  return [f](const auto&... args) {
    auto r = [&] {
      if constexpr (sizeof...(I) == 0) {
        return detail::value_and_grad_impl<true, 0>(f, "pure::value_and_grad", args...);
      } else {
        return detail::value_and_grad_impl<true, I...>(f, "pure::value_and_grad", args...);
      }
    }();
    return std::make_pair(std::make_pair(std::move(std::get<0>(r)), std::move(std::get<1>(r))),
                          std::move(std::get<2>(r)));
  };
}

/// Forward mode on trees: (f(primals...), J . tangents). `primals` and
/// `tangents` are std::tuples of f's positional arguments, tree for tree.
template <class F, class... Args>
auto jvp(F f, const std::tuple<Args...>& primals, const std::tuple<Args...>& tangents) {
  using Result = detail::Decay<std::invoke_result_t<const F&, const Args&...>>;
  // Tangents pair with primals by path (a Tree's keys, a struct's fields), not
  // by position, and must have their primal's dtype and shape (as jax.jvp).
  const PathLeaves primal_leaves = tree_leaves_with_path(primals);
  const std::vector<Array> t = detail::aligned_leaves(primal_leaves, tree_leaves_with_path(tangents), "pure::jvp",
                                                      "the primals", "the tangents", true);
  std::vector<Array> p;
  p.reserve(primal_leaves.size());
  for (const auto& pl : primal_leaves) p.push_back(pl.second);
  Result like{};
  const FlatFn flat_f = [&](const std::vector<Array>& leaves) {
    like = std::apply(f, tree_unflatten(primals, leaves));
    return tree_leaves(like);
  };
  auto [outs, touts] = jvp_flat(flat_f, p, t);
  for (std::size_t k = 0; k < touts.size(); ++k) {
    if (ir::is_zero(touts[k])) touts[k] = pure::zeros(outs[k].shape(), outs[k].dtype());
  }
  return std::make_pair(tree_unflatten(like, outs), tree_unflatten(like, touts));
}

/// jvp of a one-argument function.
template <class F, class X>
auto jvp(F f, const X& primal, const X& tangent) {
  return jvp([&f](const X& x) { return f(x); }, std::make_tuple(primal), std::make_tuple(tangent));
}

/// Reverse mode on trees: (f(args...), pullback) where pullback(ct) returns a
/// std::tuple with one cotangent tree per argument (as jax.vjp).
template <class F, class... Args>
auto vjp(F f, const Args&... args) {
  using Result = detail::Decay<std::invoke_result_t<const F&, const Args&...>>;
  detail::require_valid_args("pure::vjp", args...);
  const std::tuple<Args...> primals(args...);
  auto like = std::make_shared<Result>();
  const FlatFn flat_f = [&](const std::vector<Array>& leaves) {
    *like = std::apply(f, tree_unflatten(primals, leaves));
    return tree_leaves(*like);
  };
  auto [outs, pullback] = vjp_flat(flat_f, tree_leaves(primals));
  Result out = tree_unflatten(*like, outs);
  // The cotangent must have the output's structure, dtypes and shapes; it is
  // matched by path. Only one-element zeros views of the outputs are kept.
  auto pb = [pullback = std::move(pullback), primals,
             out_paths = detail::paths_and_types(tree_leaves_with_path(out))](const Result& ct) {
    return tree_unflatten(primals,
                          pullback(detail::aligned_leaves(out_paths, tree_leaves_with_path(ct), "pure::vjp (pullback)",
                                                          "the outputs of f", "the cotangents", true)));
  };
  return std::make_pair(std::move(out), std::move(pb));
}

/// The program f computes (as jax.make_jaxpr), traced on abstract inputs shaped like `args`.
template <class F, class... Args>
ir::Program make_program(F f, const Args&... args) {
  const std::tuple<Args...> like(args...);
  std::vector<ir::Aval> avals;
  for (const Array& a : tree_leaves(like)) avals.push_back(ir::Aval::of(a));
  return make_program_flat(
      [&](const std::vector<Array>& leaves) { return tree_leaves(std::apply(f, tree_unflatten(like, leaves))); },
      avals);
}

}  // namespace pure
