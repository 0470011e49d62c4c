// L-BFGS (Nocedal 1980; Liu & Nocedal 1989) with the Moré–Thuente line
// search (strong Wolfe conditions), for a scalar function of a tree of
// parameters; values and gradients come from pure::value_and_grad.
//
//   auto rosen = [](const pure::Array& x) { ... return scalar; };
//   pure::fit::LbfgsOptions options;
//   options.gradient_tolerance = 1e-12;
//   auto res = pure::fit::lbfgs(rosen, x0, options);
//   res.params, res.value, res.gradient_norm, res.iterations, res.evaluations, res.reason
//
// The solver works in f64 on the raveled parameters whatever the leaves' dtype.
// Optional box bounds (options.lower / upper) use an active-set projected
// variant with a backtracking search along the projected path.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <pure/core/array.hpp>
#include <pure/core/tree.hpp>
#include <pure/fit/common.hpp>

namespace pure::fit {

struct LbfgsOptions {
  int history = 10;  ///< correction pairs kept (m in Liu & Nocedal)
  /// Stop when max_i |g_i| <= gradient_tolerance * max(1, |f|).
  double gradient_tolerance = 1e-8;
  /// Stop when max_i |x_new_i - x_i| <= step_tolerance * max(1, max_i |x_i|).
  double step_tolerance = 0.0;
  /// Stop when (f_old - f_new) <= value_tolerance * max(|f_old|, |f_new|, 1).
  double value_tolerance = 0.0;
  int max_iterations = 1000;
  int max_evaluations = 20000;  ///< value-and-gradient evaluations
  double wolfe_c1 = 1e-4;       ///< sufficient decrease (Armijo) constant
  double wolfe_c2 = 0.9;        ///< curvature constant (strong Wolfe: |g(a).d| <= c2 |g(0).d|)
  int max_line_search_evaluations = 20;
  /// Trace value_and_grad(f) once with pure::jit (f must then be traceable).
  bool jit = false;
  /// Optional box bounds lower <= x <= upper on the raveled parameters (tree
  /// leaf order; pure::fit::ravel(tree) makes them from trees shaped like the
  /// parameters). Empty = unbounded; +-infinity = no bound on that entry.
  /// With bounds, the active-set projected variant runs (see docs/fitting.md).
  std::vector<double> lower, upper;
};

/// Result of a flat (f64 vector) minimisation; see LbfgsResult.
struct LbfgsFlatResult : RunInfo {
  std::vector<double> x;
  double value = 0.0;
  double gradient_norm = 0.0;
};

template <class P>
struct LbfgsResult : RunInfo {
  P params;                    ///< the solution
  double value = 0.0;          ///< f(params)
  double gradient_norm = 0.0;  ///< max_i |grad_i| at params (with bounds: of the projected gradient)
};

namespace detail {
/// Fills `gradient` at x and returns the value.
using ValueGradFn = std::function<double(const std::vector<double>& x, std::vector<double>& gradient)>;

/// Moré–Thuente line search on phi(a) -> (value, derivative), from phi(0) =
/// (f0, g0 < 0) and a first trial step; `ok` when the returned step satisfies
/// the strong Wolfe conditions phi(a) <= f0 + c1 a g0, |phi'(a)| <= c2 |g0|.
struct LineSearchResult {
  double step = 0.0, value = 0.0, derivative = 0.0;
  int evaluations = 0;
  bool ok = false;
};
LineSearchResult strong_wolfe_line_search(const std::function<std::pair<double, double>(double)>& phi, double f0,
                                          double g0, double step, double c1, double c2, int max_evaluations);

/// The L-BFGS core on a host function.
LbfgsFlatResult lbfgs_host(const ValueGradFn& f, const std::vector<double>& x0, const LbfgsOptions& options);

/// L-BFGS on a scalar function of the flat f64 parameter vector.
LbfgsFlatResult lbfgs_flat(const FlatArrayFn& f, const std::vector<double>& x0, const LbfgsOptions& options);
}  // namespace detail

/// The leaves of a tree raveled into host doubles, in leaf order (the order of
/// LbfgsOptions::lower / upper and of LmResult::covariance).
template <class T>
std::vector<double> ravel(const T& tree) {
  return detail::ravel_to_host(tree_leaves(tree));
}

/// Minimises the scalar function f from params0 (a tree of float arrays).
template <class F, class P>
LbfgsResult<P> lbfgs(F f, const P& params0, const LbfgsOptions& options = {}) {
  const detail::Layout layout = detail::layout_of(tree_leaves_with_path(params0), "pure::fit::lbfgs", "params0");
  const detail::FlatArrayFn flat = [f, params0, layout](const Array& x) {
    return Array(f(tree_unflatten(params0, detail::unravel(x, layout))));
  };
  LbfgsFlatResult r = detail::lbfgs_flat(flat, detail::ravel_to_host(tree_leaves(params0)), options);
  LbfgsResult<P> out;
  out.params = tree_unflatten(params0, detail::unravel_host(r.x, layout));
  out.value = r.value;
  out.gradient_norm = r.gradient_norm;
  static_cast<RunInfo&>(out) = std::move(static_cast<RunInfo&>(r));
  return out;
}

}  // namespace pure::fit
