// The entry of a numpy-surface function: names it in every error raised while it
// runs (ErrorContext, so an inner primitive's error reads "pure::softmax:
// pure::reduce_max: ...") and rejects empty Arrays by argument name.
#pragma once

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

}  // namespace pure::detail
