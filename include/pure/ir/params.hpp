// Static parameters of an equation (axes, permutation, dtype, ...): part of a
// primitive application, not traced values.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <pure/core/dtype.hpp>
#include <pure/core/error.hpp>

namespace pure::ir {

struct Program;

/// A program held by an equation (a fused group, later jit calls and control
/// flow), printed inline as make_jaxpr prints pjit's `jaxpr={ lambda ... }`.
/// `compiled` is what the owning primitive prepared from it once (fused
/// kernels: their instruction lists); equality is identity of the program.
struct SubProgram {
  std::shared_ptr<const Program> program;
  std::shared_ptr<const void> compiled;
  friend bool operator==(const SubProgram& a, const SubProgram& b) { return a.program == b.program; }
};

using ParamValue = std::variant<std::int64_t, double, bool, DType, std::vector<std::int64_t>, std::string, SubProgram>;

/// An ordered list of named parameters, printed in order: "[axes=(0,) keepdims=False]".
class Params {
 public:
  Params() = default;
  Params(std::initializer_list<std::pair<std::string, ParamValue>> items) : items_(items) {}

  Params& set(const std::string& name, ParamValue value);
  bool has(const std::string& name) const;
  /// The value of `name` as T; throws pure::Error naming the parameter if absent or of another type.
  template <class T>
  const T& get(const std::string& name) const {
    for (const auto& [k, v] : items_) {
      if (k == name) {
        if (const T* p = std::get_if<T>(&v)) return *p;
        throw Error("pure::ir::Params: parameter '" + name + "' has another type");
      }
    }
    throw Error("pure::ir::Params: no parameter '" + name + "'");
  }
  std::int64_t get_int(const std::string& name) const { return get<std::int64_t>(name); }
  const std::vector<std::int64_t>& get_ints(const std::string& name) const {
    return get<std::vector<std::int64_t>>(name);
  }

  bool empty() const { return items_.empty(); }
  const std::vector<std::pair<std::string, ParamValue>>& items() const { return items_; }
  /// "" when empty, else "[a=1 b=(0,1)]".
  std::string str() const;
  friend bool operator==(const Params& a, const Params& b) { return a.items_ == b.items_; }

 private:
  std::vector<std::pair<std::string, ParamValue>> items_;
};

}  // namespace pure::ir
