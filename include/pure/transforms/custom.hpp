// custom_jvp / custom_vjp: give a function your own derivative rule (as
// jax.custom_jvp / jax.custom_vjp). Under jvp/grad/vjp the rule is used
// instead of differentiating the function's body.
//
//   // log(1 + e^x) whose derivative stays finite for large x:
//   auto log1pexp = pure::custom_jvp(
//       [](const pure::Array& x) { return pure::log1p(pure::exp(x)); },
//       [](const pure::Array& x, const pure::Array& t) {
//         return std::make_pair(pure::log1p(pure::exp(x)), t * pure::sigmoid(x));
//       },
//       "log1pexp");
//
//   // identity whose cotangent is clipped to [-1, 1]:
//   auto clip_gradient = pure::custom_vjp(
//       [](const pure::Array& x) { return x; },
//       [](const pure::Array& x) { return std::make_pair(x, std::vector<pure::Array>{}); },
//       [](const std::vector<pure::Array>&, const pure::Array& g) { return pure::clip(g, -1.0, 1.0); },
//       "clip_gradient");
//
// How it works (docs/autodiff.md has the long form). custom_jvp: the call asks
// the current interpreter chain, as JAX's process_custom_jvp_call does: a JVP
// interpreter whose tracers reach the call runs the rule under its parent
// (so enclosing transforms differentiate the rule itself: grad(grad(f)) works
// when the rule is differentiable); evaluation runs f. custom_vjp: under
// reverse mode (grad, vjp, jacrev, which linearize) the JVP runs `fwd` and
// stages one linear equation, `custom_lin`, into the linearized program; its
// transpose rule calls `bwd(residuals, cotangents)`. The equation holds the
// residuals and `bwd` as operands, so a pullback stays valid after the
// custom_vjp object is gone.
//
// Limits (honest): forward mode (jvp, jacfwd, the linear map of linearize) of a
// custom_vjp function is an error, as in JAX. make_program (staging) records
// f's own operations, so a program made by make_program no longer carries the
// rule. Interpreters other than JVP, staging and evaluation (a future vmap or
// jit) run f, so e.g. grad(vmap(f)) would differentiate f's body.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <pure/core/tree.hpp>
#include <pure/transforms/flat.hpp>

namespace pure {

/// A custom JVP rule on flat lists of leaves: (primals, tangents) to
/// (outputs, output tangents). Zero input tangents arrive as arrays of zeros;
/// an output tangent may be an empty Array (zero). The output tangents must be
/// linear in the tangents for reverse mode to transpose them.
using JvpRuleFlat = std::function<std::pair<std::vector<Array>, std::vector<Array>>(
    const std::vector<Array>& primals, const std::vector<Array>& tangents)>;
/// The forward pass of a custom VJP: primals to (outputs, residuals).
using VjpFwdFlat = std::function<std::pair<std::vector<Array>, std::vector<Array>>(const std::vector<Array>& primals)>;
/// The backward pass of a custom VJP: (residuals, output cotangents) to one
/// cotangent per primal leaf (an empty Array means zero).
using VjpBwdFlat =
    std::function<std::vector<Array>(const std::vector<Array>& residuals, const std::vector<Array>& cotangents)>;

/// f(args) with `rule` as its derivative, on flat lists of leaves. `name`
/// appears in error messages.
std::vector<Array> custom_jvp_call_flat(const std::string& name, const FlatFn& f, const JvpRuleFlat& rule,
                                        const std::vector<Array>& args);
/// f(args) whose reverse-mode derivative is `bwd` after `fwd`, on flat lists
/// of leaves. `bwd` is kept (with the residuals) by the linearized program.
std::vector<Array> custom_vjp_call_flat(const std::string& name, const FlatFn& f, const VjpFwdFlat& fwd, VjpBwdFlat bwd,
                                        const std::vector<Array>& args);

/// A function with a custom JVP rule; made by pure::custom_jvp.
template <class F, class Rule>
class CustomJvp {
 public:
  CustomJvp(F f, Rule rule, std::string name) : f_(std::move(f)), rule_(std::move(rule)), name_(std::move(name)) {}

  /// Calls f; under forward or reverse differentiation, the rule supplies the derivative.
  template <class... Args>
  auto operator()(const Args&... args) const {
    using Out = std::decay_t<std::invoke_result_t<const F&, const Args&...>>;
    const std::tuple<Args...> primals(args...);
    std::optional<Out> like;  // set by whichever of f and the rule ran
    const FlatFn flat_f = [&](const std::vector<Array>& leaves) {
      like.emplace(std::apply(f_, tree_unflatten(primals, leaves)));
      return tree_leaves(*like);
    };
    const JvpRuleFlat flat_rule = [&](const std::vector<Array>& p, const std::vector<Array>& t) {
      auto r = call_rule(tree_unflatten(primals, p), tree_unflatten(primals, t));
      like.emplace(Out(std::get<0>(r)));
      return std::make_pair(tree_leaves(*like), tree_leaves(std::get<1>(r)));
    };
    const std::vector<Array> outs = custom_jvp_call_flat(name_, flat_f, flat_rule, tree_leaves(primals));
    return tree_unflatten(*like, outs);
  }
  const std::string& name() const { return name_; }

 private:
  template <class P>
  auto call_rule(const P& p, const P& t) const {
    if constexpr (std::is_invocable_v<const Rule&, const P&, const P&>) {
      return rule_(p, t);
    } else {
      return std::apply(
          [&](const auto&... x) { return std::apply([&](const auto&... dx) { return rule_(x..., dx...); }, t); }, p);
    }
  }

  F f_;
  Rule rule_;
  std::string name_;
};

/// f with a custom derivative (as jax.custom_jvp + defjvp). f takes any trees
/// and returns a tree. `rule` is called either as rule(primals, tangents) with
/// two std::tuples of the arguments (as in JAX), or with the arguments
/// unpacked, rule(x..., t...) (then its parameters need concrete types, e.g.
/// `const pure::Array&`). It returns (output, output tangent) as a std::pair;
/// the tangent must be linear in the tangents (reverse mode transposes it).
template <class F, class Rule>
CustomJvp<F, Rule> custom_jvp(F f, Rule rule, std::string name = "f") {
  return CustomJvp<F, Rule>(std::move(f), std::move(rule), std::move(name));
}

/// A function with a custom VJP; made by pure::custom_vjp.
template <class F, class Fwd, class Bwd>
class CustomVjp {
 public:
  CustomVjp(F f, Fwd fwd, Bwd bwd, std::string name)
      : f_(std::move(f)), fwd_(std::move(fwd)), bwd_(std::move(bwd)), name_(std::move(name)) {}

  /// Calls f; under reverse differentiation fwd runs instead and bwd gives the cotangents.
  template <class... Args>
  auto operator()(const Args&... args) const {
    using Out = std::decay_t<std::invoke_result_t<const F&, const Args&...>>;
    using FwdOut = std::decay_t<std::invoke_result_t<const Fwd&, const Args&...>>;
    using Res = std::decay_t<std::tuple_element_t<1, FwdOut>>;
    const std::tuple<Args...> primals(args...);
    std::optional<Out> like;
    // Filled by fwd, read by bwd when the pullback runs (possibly much later).
    struct Defs {
      std::optional<TreeDef<Out>> out;
      std::optional<TreeDef<Res>> res;
    };
    auto defs = std::make_shared<Defs>();
    const FlatFn flat_f = [&](const std::vector<Array>& leaves) {
      like.emplace(std::apply(f_, tree_unflatten(primals, leaves)));
      return tree_leaves(*like);
    };
    const VjpFwdFlat flat_fwd = [&](const std::vector<Array>& leaves) {
      FwdOut r = std::apply(fwd_, tree_unflatten(primals, leaves));
      like.emplace(Out(std::get<0>(r)));
      defs->out.emplace(*like);
      defs->res.emplace(std::get<1>(r));
      return std::make_pair(tree_leaves(*like), tree_leaves(std::get<1>(r)));
    };
    VjpBwdFlat flat_bwd = [bwd = bwd_, defs](const std::vector<Array>& res, const std::vector<Array>& cts) {
      return tree_leaves(bwd(defs->res->unflatten(res), defs->out->unflatten(cts)));
    };
    const std::vector<Array> outs =
        custom_vjp_call_flat(name_, flat_f, flat_fwd, std::move(flat_bwd), tree_leaves(primals));
    return tree_unflatten(*like, outs);
  }
  const std::string& name() const { return name_; }

 private:
  F f_;
  Fwd fwd_;
  Bwd bwd_;
  std::string name_;
};

/// f with a custom reverse-mode derivative (as jax.custom_vjp + defvjp).
///  - f(args...) -> out (any trees);
///  - fwd(args...) -> std::pair(out, residuals), residuals any tree (e.g. a
///    std::vector<Array>, possibly empty);
///  - bwd(residuals, ct_out) -> the cotangents of the arguments: a std::tuple
///    with one tree per argument (as in JAX), or for one argument just its
///    cotangent. Leaves may be empty Arrays (zero). bwd need not be linear
///    (e.g. it may clip), and it may be differentiated again (grad of grad
///    differentiates fwd and bwd), so write it with pure's ops.
/// The call runs f; grad/vjp/jacrev run fwd and, on the way back, bwd.
template <class F, class Fwd, class Bwd>
CustomVjp<F, Fwd, Bwd> custom_vjp(F f, Fwd fwd, Bwd bwd, std::string name = "f") {
  return CustomVjp<F, Fwd, Bwd>(std::move(f), std::move(fwd), std::move(bwd), std::move(name));
}

}  // namespace pure
