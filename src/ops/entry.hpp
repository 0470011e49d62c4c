// What the numpy-surface files share. The entry of a numpy-surface function
// names it in every error raised while it runs (ErrorContext, so an inner
// primitive's error reads "pure::softmax: pure::reduce_max: ...") and rejects
// empty Arrays by argument name; the axis helpers normalise and check axes.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include <pure/core/array.hpp>
#include <pure/core/error.hpp>

namespace pure::detail {

class Entry {
 public:
  using Arg = std::pair<const char*, std::reference_wrapper<const Array>>;
  Entry(const char* function, std::initializer_list<Arg> args) : context_(function) {
    for (const Arg& a : args) {
      if (!a.second.get().valid()) {
        throw ValueError(std::string(function) + ": argument '" + a.first +
                         "' is an empty (default-constructed) Array");
      }
    }
  }
  /// Also checks every Array of a list argument, naming the first empty one ("xs[2]").
  Entry(const char* function, const char* list_name, const std::vector<Array>& list) : Entry(function, {}) {
    for (std::size_t k = 0; k < list.size(); ++k) {
      if (!list[k].valid()) {
        throw ValueError(std::string(function) + ": argument '" + list_name + "[" + std::to_string(k) +
                         "]' is an empty (default-constructed) Array");
      }
    }
  }

 private:
  ErrorContext context_;
};

// Axes of the numpy surface: negative ones count from the end; errors name the
// axes asked for and the shape, as numpy's AxisError.
inline std::string axes_text(const std::vector<std::int64_t>& axes) {
  std::string t = "(";
  for (std::size_t i = 0; i < axes.size(); ++i) t += (i ? ", " : "") + std::to_string(axes[i]);
  return t + (axes.size() == 1 ? ",)" : ")");
}

// One axis in [-rank, rank); `rank` is the shape's unless the op adds an axis (stack).
inline std::int64_t normalize_axis(std::int64_t axis, const Shape& shape, const char* op, int extra_axes = 0) {
  const std::int64_t rank = shape.rank() + extra_axes;
  const std::int64_t a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) {
    throw ShapeError(
        std::string(op) + ": axis " + std::to_string(axis) + " is out of range for " +
        (extra_axes ? "the rank-" + std::to_string(rank) + " result from arrays of shape " : std::string("shape ")) +
        shape.str());
  }
  return a;
}

// Normalises axes (negative from the end), sorts them, checks range; empty = all.
// Errors name the axes asked for and the shape, as numpy's AxisError.
inline std::vector<std::int64_t> normalize_axes(std::vector<std::int64_t> axes, const Shape& shape, const char* op) {
  const int rank = shape.rank();
  if (axes.empty()) {
    for (int d = 0; d < rank; ++d) axes.push_back(d);
    return axes;
  }
  const std::vector<std::int64_t> asked = axes;
  for (auto& a : axes) {
    const std::int64_t orig = a;
    if (a < 0) a += rank;
    if (a < 0 || a >= rank) {
      throw ShapeError(std::string(op) + ": axis " + std::to_string(orig) + " of axes " + axes_text(asked) +
                       " is out of range for shape " + shape.str() + " (rank " + std::to_string(rank) + ")");
    }
  }
  std::sort(axes.begin(), axes.end());
  const auto twice = std::adjacent_find(axes.begin(), axes.end());
  if (twice != axes.end()) {
    throw ShapeError(std::string(op) + ": axes " + axes_text(asked) + " name axis " + std::to_string(*twice) +
                     " of shape " + shape.str() + " more than once");
  }
  return axes;
}

}  // namespace pure::detail
