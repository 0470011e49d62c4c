#include <pure/ir/params.hpp>

#include <cstdio>

#include <pure/ir/program.hpp>

namespace pure::ir {
namespace {

std::string format(const ParamValue& v) {
  struct Visitor {
    std::string operator()(std::int64_t x) const { return std::to_string(x); }
    std::string operator()(double x) const {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.17g", x);
      return buf;
    }
    std::string operator()(bool x) const { return x ? "True" : "False"; }
    std::string operator()(DType x) const { return dtype_name(x); }
    std::string operator()(const std::vector<std::int64_t>& xs) const {
      std::string s = "(";
      for (std::size_t i = 0; i < xs.size(); ++i) s += (i ? ", " : "") + std::to_string(xs[i]);
      return s + (xs.size() == 1 ? ",)" : ")");
    }
    std::string operator()(const std::string& x) const { return x; }
    // Indented under the equation that holds it.
    std::string operator()(const SubProgram& x) const {
      std::string s;
      for (char c : x.program->str()) s += c == '\n' ? std::string("\n    ") : std::string(1, c);
      return s;
    }
  };
  return std::visit(Visitor{}, v);
}

}  // namespace

Params& Params::set(const std::string& name, ParamValue value) {
  for (auto& [k, v] : items_) {
    if (k == name) {
      v = std::move(value);
      return *this;
    }
  }
  items_.emplace_back(name, std::move(value));
  return *this;
}

bool Params::has(const std::string& name) const {
  for (const auto& kv : items_) {
    if (kv.first == name) return true;
  }
  return false;
}

std::string Params::str() const {
  if (items_.empty()) return "";
  std::string s = "[";
  for (std::size_t i = 0; i < items_.size(); ++i) {
    if (i) s += " ";
    s += items_[i].first + "=" + format(items_[i].second);
  }
  return s + "]";
}

}  // namespace pure::ir
