// The flat f64 view of parameter trees, and stop reasons.
#include <cmath>
#include <string>
#include <vector>

#include <pure/core/creation.hpp>
#include <pure/core/error.hpp>
#include <pure/fit/common.hpp>
#include <pure/ops/lax.hpp>

namespace pure::fit {

std::string to_string(StopReason reason) {
  switch (reason) {
    case StopReason::gradient_tolerance: return "gradient_tolerance: the gradient norm fell to the gradient tolerance";
    case StopReason::step_tolerance: return "step_tolerance: the step fell to the step tolerance";
    case StopReason::value_tolerance:
      return "value_tolerance: the relative decrease of the objective fell to the value tolerance";
    case StopReason::no_further_progress:
      return "no_further_progress: no step reduces the objective at f64 precision (tolerances too small)";
    case StopReason::max_iterations: return "max_iterations: the iteration limit was reached";
    case StopReason::max_evaluations: return "max_evaluations: the function-evaluation limit was reached";
    case StopReason::line_search_failed:
      return "line_search_failed: no step satisfies the strong Wolfe conditions (at the rounding floor?)";
    case StopReason::non_finite: return "non_finite: the objective or its derivatives became NaN or infinite";
  }
  return "unknown";
}

bool converged(StopReason reason) {
  return reason == StopReason::gradient_tolerance || reason == StopReason::step_tolerance ||
         reason == StopReason::value_tolerance || reason == StopReason::no_further_progress;
}

namespace detail {

Layout layout_of(const PathLeaves& leaves, const char* who, const char* argument) {
  Layout layout;
  for (const auto& [path, leaf] : leaves) {
    const std::string where = std::string(argument) + (path.empty() ? "" : " at " + path);
    if (!leaf.valid()) throw ValueError(std::string(who) + ": " + where + " is an empty (default-constructed) Array");
    if (!is_floating(leaf.dtype())) {
      throw DTypeError(std::string(who) + ": " + where + " must be float32 or float64, got " +
                       dtype_name(leaf.dtype()) + leaf.shape().str());
    }
    const std::vector<double> values = ravel_to_host({leaf});
    for (std::size_t k = 0; k < values.size(); ++k) {
      if (!std::isfinite(values[k])) {
        throw ValueError(std::string(who) + ": " + where + " has a non-finite starting value (" +
                         std::to_string(values[k]) + " at flat index " + std::to_string(k) + ")");
      }
    }
    layout.shapes.push_back(leaf.shape());
    layout.dtypes.push_back(leaf.dtype());
    layout.size += leaf.size();
  }
  if (layout.size == 0) throw ValueError(std::string(who) + ": " + argument + " has no parameters");
  return layout;
}

std::vector<double> ravel_to_host(const std::vector<Array>& leaves) {
  std::vector<double> out;
  for (const Array& leaf : leaves) {
    if (leaf.dtype() == DType::f64) {
      const std::vector<double> v = leaf.to_host<double>();
      out.insert(out.end(), v.begin(), v.end());
    } else {
      const std::vector<float> v = leaf.to_host<float>();
      out.insert(out.end(), v.begin(), v.end());
    }
  }
  return out;
}

std::vector<Array> unravel(const Array& x, const Layout& layout) {
  std::vector<Array> leaves;
  std::int64_t offset = 0;
  for (std::size_t k = 0; k < layout.shapes.size(); ++k) {
    const std::int64_t n = layout.shapes[k].size();
    Array leaf = lax::reshape(lax::slice(x, {offset}, {offset + n}), layout.shapes[k]);
    if (layout.dtypes[k] != DType::f64) leaf = lax::convert_element_type(leaf, layout.dtypes[k]);
    leaves.push_back(leaf);
    offset += n;
  }
  return leaves;
}

std::vector<Array> unravel_host(const std::vector<double>& x, const Layout& layout) {
  std::vector<Array> leaves;
  std::size_t offset = 0;
  for (std::size_t k = 0; k < layout.shapes.size(); ++k) {
    const auto n = static_cast<std::size_t>(layout.shapes[k].size());
    const std::vector<double> part(x.begin() + static_cast<std::ptrdiff_t>(offset),
                                   x.begin() + static_cast<std::ptrdiff_t>(offset + n));
    if (layout.dtypes[k] == DType::f64) {
      leaves.push_back(from_host(part, layout.shapes[k]));
    } else {
      leaves.push_back(from_host(std::vector<float>(part.begin(), part.end()), layout.shapes[k]));
    }
    offset += n;
  }
  return leaves;
}

}  // namespace detail
}  // namespace pure::fit
