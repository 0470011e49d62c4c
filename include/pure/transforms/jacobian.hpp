// Jacobians and Hessians (as jax.jacfwd / jax.jacrev / jax.hessian) and
// linearize over trees (as jax.linearize).
//
//   auto J = pure::jacfwd(f)(x);     // f: Array -> Array; J.shape = f(x).shape + x.shape
//   auto K = pure::jacrev(f)(x);     // the same matrix by reverse mode
//   auto H = pure::hessian(g)(x);    // g: Array -> scalar; H.shape = x.shape + x.shape
//   auto [y, f_jvp] = pure::linearize(loss, params, x);
//   auto dy = f_jvp(dparams, dx);    // J . (dparams, dx) without re-running loss
//
// pure has no vmap yet, so a Jacobian is built column by column: jacfwd
// linearizes f once and applies the linear map to each of the x.size() basis
// vectors; jacrev linearizes once and pulls back each of the y.size() basis
// cotangents. Prefer jacfwd for wide outputs (few inputs), jacrev for few
// outputs. Both work under other transforms (grad of a Jacobian, hessian).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <pure/core/creation.hpp>
#include <pure/core/tree.hpp>
#include <pure/ops/lax.hpp>
#include <pure/transforms/autodiff.hpp>
#include <pure/transforms/flat.hpp>

namespace pure {
namespace detail::jac {

inline Shape concat_shapes(const Shape& a, const Shape& b) {
  std::vector<std::int64_t> dims = a.dims();
  dims.insert(dims.end(), b.dims().begin(), b.dims().end());
  return Shape(std::move(dims));
}

inline std::string type_of(const Array& a) { return std::string(dtype_name(a.dtype())) + a.shape().str(); }

inline void check_jacobian_float(const Array& a, const char* who, const char* what) {
  if (!a.valid()) throw ValueError(std::string(who) + ": " + what + " is an empty (default-constructed) Array");
  if (!is_floating(a.dtype())) {
    throw DTypeError(std::string(who) + ": " + what + " must be float32 or float64, got " + type_of(a));
  }
}

/// The basis vector e_j of the given shape (row-major index j).
inline Array basis_vector(const Shape& shape, DType dtype, std::int64_t j) {
  const auto n = static_cast<std::size_t>(shape.size());
  if (dtype == DType::f64) {
    std::vector<double> h(n, 0.0);
    h[static_cast<std::size_t>(j)] = 1.0;
    return from_host(h, shape);
  }
  std::vector<float> h(n, 0.0f);
  h[static_cast<std::size_t>(j)] = 1.0f;
  return from_host(h, shape);
}

/// A linear program holding custom_lin (custom_vjp) cannot run forward.
inline void check_forward_applicable(const ir::Program& program, const char* who) {
  for (const ir::Eqn& e : program.eqns) {
    if (e.prim->name == "custom_lin") {
      throw Error(std::string(who) + ": the function calls a custom_vjp function (" +
                  e.params.get<std::string>("name") +
                  "), which has no forward-mode derivative (as in JAX); use jacrev/vjp/grad, or custom_jvp");
    }
  }
}

/// Stacks `parts` (each of shape `part`) into one array of shape lead + part
/// (parts_along_lead) or part + trail (parts along the trailing axes).
inline Array stack_jacobian(const std::vector<Array>& parts, const Shape& outer, const Shape& inner, bool along_lead,
                            DType dtype) {
  const Shape full = concat_shapes(outer, inner);
  if (full.size() == 0) return pure::zeros(full, dtype);
  const std::int64_t m = outer.size(), n = inner.size();
  std::vector<Array> pieces;
  pieces.reserve(parts.size());
  for (const Array& p : parts) pieces.push_back(lax::reshape(p, along_lead ? Shape{1, n} : Shape{m, 1}));
  return lax::reshape(lax::concatenate(pieces, along_lead ? 0 : 1), full);
}

inline Array jacfwd_from(const Linearized& lin, const Array& x, const char* who) {
  const ir::Aval& out = lin.out_avals.at(0);
  if (!is_floating(out.dtype)) {
    throw DTypeError(std::string(who) + ": the function must return a float32 or float64 array, got " + out.str());
  }
  if (lin.out_is_zero[0] || x.size() == 0 || out.shape.size() == 0) {
    return pure::zeros(concat_shapes(out.shape, x.shape()), out.dtype);
  }
  check_forward_applicable(lin.program, who);
  std::vector<Array> cols;
  for (std::int64_t j = 0; j < x.size(); ++j) cols.push_back(lin.apply({basis_vector(x.shape(), x.dtype(), j)})[0]);
  return stack_jacobian(cols, out.shape, x.shape(), false, out.dtype);
}

template <class Pullback>
Array jacrev_from(const Array& y, const Pullback& pullback, const Array& x, const char* who) {
  if (!is_floating(y.dtype())) {
    throw DTypeError(std::string(who) + ": the function must return a float32 or float64 array, got " + type_of(y));
  }
  if (y.size() == 0 || x.size() == 0) return pure::zeros(concat_shapes(y.shape(), x.shape()), x.dtype());
  std::vector<Array> rows;
  for (std::int64_t i = 0; i < y.size(); ++i) rows.push_back(pullback({basis_vector(y.shape(), y.dtype(), i)})[0]);
  return stack_jacobian(rows, y.shape(), x.shape(), true, x.dtype());
}

// f with argument I replaced by the single flat input.
template <std::size_t I, class F, class Tuple>
FlatFn jacobian_flat_fn(const F& f, const Tuple& args) {
  return [&f, &args](const std::vector<Array>& in) {
    Tuple local = args;
    std::get<I>(local) = in[0];
    return std::vector<Array>{Array(std::apply(f, local))};
  };
}

}  // namespace detail::jac

/// The Jacobian of f with respect to argument I (default 0), by forward mode.
/// f takes a pure::Array as argument I (other arguments stay fixed) and
/// returns a pure::Array; the result has shape f(x).shape + x.shape and f's
/// output dtype. Cost: one linearization plus x.size() applications of the
/// linear map (no vmap yet). Not available for functions calling a
/// custom_vjp function (no forward-mode rule).
template <std::size_t I = 0, class F>
auto jacfwd(F f) {
  return [f](const auto&... args) -> Array {
    const auto tuple = std::make_tuple(args...);
    using Tuple = std::decay_t<decltype(tuple)>;
    static_assert(std::is_same_v<std::tuple_element_t<I, Tuple>, Array>,
                  "pure::jacfwd: the differentiated argument must be a pure::Array");
    const Array& x = std::get<I>(tuple);
    detail::jac::check_jacobian_float(x, "pure::jacfwd", "the differentiated argument");
    const Linearized lin = linearize_flat(detail::jac::jacobian_flat_fn<I>(f, tuple), {x});
    return detail::jac::jacfwd_from(lin, x, "pure::jacfwd");
  };
}

/// The Jacobian of f with respect to argument I (default 0), by reverse mode:
/// same result as jacfwd (shape f(x).shape + x.shape, x's dtype). Cost: one
/// linearization plus f(x).size() pullbacks (no vmap yet).
template <std::size_t I = 0, class F>
auto jacrev(F f) {
  return [f](const auto&... args) -> Array {
    const auto tuple = std::make_tuple(args...);
    using Tuple = std::decay_t<decltype(tuple)>;
    static_assert(std::is_same_v<std::tuple_element_t<I, Tuple>, Array>,
                  "pure::jacrev: the differentiated argument must be a pure::Array");
    const Array& x = std::get<I>(tuple);
    detail::jac::check_jacobian_float(x, "pure::jacrev", "the differentiated argument");
    auto [outs, pullback] = vjp_flat(detail::jac::jacobian_flat_fn<I>(f, tuple), {x});
    return detail::jac::jacrev_from(outs[0], pullback, x, "pure::jacrev");
  };
}

/// The Hessian of a scalar function with respect to argument I: jacfwd of
/// jacrev (forward over reverse, as jax.hessian). Shape x.shape + x.shape.
template <std::size_t I = 0, class F>
auto hessian(F f) {
  return jacfwd<I>(jacrev<I>(std::move(f)));
}

/// (f(args...), f_jvp) where f_jvp(tangents...) = J_f(args) . tangents, one
/// tangent tree per argument, as jax.linearize. f runs once; each f_jvp call
/// only evaluates the staged linear program. Tangent trees are matched to the
/// arguments by path; f_jvp returns a tree shaped like f's result.
template <class F, class... Args>
auto linearize(F f, const Args&... args) {
  using Result = std::decay_t<std::invoke_result_t<const F&, const Args&...>>;
  const std::tuple<Args...> primals(args...);
  std::optional<Result> like;
  const FlatFn flat_f = [&](const std::vector<Array>& leaves) {
    like.emplace(std::apply(f, tree_unflatten(primals, leaves)));
    return tree_leaves(*like);
  };
  detail::require_valid_args("pure::linearize", args...);
  auto lin = std::make_shared<const Linearized>(linearize_flat(flat_f, tree_leaves(primals)));
  Result out = tree_unflatten(*like, lin->outs);
  // The primals' paths and types, to match tangents by path and check their
  // types; each leaf is a one-element zeros view, so no primal is kept alive.
  const PathLeaves in_paths = detail::paths_and_types(tree_leaves_with_path(primals));
  auto f_jvp = [lin, in_paths, out_def = TreeDef<Result>(out)](const Args&... tangents) {
    detail::jac::check_forward_applicable(lin->program, "pure::linearize");
    const std::vector<Array> t =
        detail::aligned_leaves(in_paths, tree_leaves_with_path(std::tuple<Args...>(tangents...)),
                               "pure::linearize (f_jvp)", "the primals", "the tangents", true);
    return out_def.unflatten(lin->apply(t));
  };
  return std::make_pair(std::move(out), std::move(f_jvp));
}

}  // namespace pure
