// Shared pieces of the fitting solvers (pure::fit): why a solver stopped, and
// the flat f64 view of a tree of parameters that the solver cores work on.
//
// The solvers are compiled code (src/fit/) over one f64 vector x holding every
// parameter leaf, raveled in tree order. The header templates only convert a
// user's tree to and from that vector, so each new parameter type costs one
// small instantiation.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <pure/core/array.hpp>
#include <pure/core/tree.hpp>

namespace pure::fit {

/// Why a solver stopped. `converged()` tells the successful reasons apart.
enum class StopReason {
  gradient_tolerance,   ///< the gradient norm fell to the gradient tolerance
  step_tolerance,       ///< the step (or trust region) fell to the step tolerance
  value_tolerance,      ///< the relative decrease of the objective fell to its tolerance
  no_further_progress,  ///< tolerances below what f64 can resolve: no step reduces the objective
  max_iterations,       ///< the iteration limit was reached
  max_evaluations,      ///< the function-evaluation limit was reached
  line_search_failed,   ///< L-BFGS: no step satisfies the Wolfe conditions (often: at the rounding floor)
  non_finite,           ///< the objective, residuals or derivatives became NaN or infinite
};

/// A one-line explanation, e.g. "gradient norm <= gradient_tolerance".
std::string to_string(StopReason reason);

/// True for the tolerance-based reasons (including no_further_progress, which
/// means the solution is as good as f64 allows).
bool converged(StopReason reason);

/// What every solver reports about its run (a base of each result struct).
struct RunInfo {
  int iterations = 0;   ///< L-BFGS: iterations (one line search each); LM: Jacobian evaluations
  int evaluations = 0;  ///< L-BFGS: value-and-gradient evaluations; LM: residual evaluations
  StopReason reason = StopReason::max_iterations;
  std::string message;  ///< to_string(reason)
};

namespace detail {

/// A function of the flat f64 parameter vector (shape (p,)) returning an Array.
using FlatArrayFn = std::function<Array(const Array&)>;

/// The shapes and dtypes of a tree's leaves, to map it to a flat f64 vector and back.
struct Layout {
  std::vector<Shape> shapes;
  std::vector<DType> dtypes;
  std::int64_t size = 0;
};

/// Checks that every leaf is a non-empty float array with finite values and
/// returns the layout; errors name `who` and the leaf's path in `argument`.
Layout layout_of(const PathLeaves& leaves, const char* who, const char* argument);

/// The leaves' values, raveled in order, as host doubles.
std::vector<double> ravel_to_host(const std::vector<Array>& leaves);

/// Leaves of the given layout sliced from the flat f64 vector x, with pure
/// ops (so they are differentiable and traceable), cast to each leaf's dtype.
std::vector<Array> unravel(const Array& x, const Layout& layout);

/// Leaves of the given layout from host doubles.
std::vector<Array> unravel_host(const std::vector<double>& x, const Layout& layout);

}  // namespace detail
}  // namespace pure::fit
