// Reads tests/data/optax/*.txt (written by tests/data/make_optax_reference.py
// with real Optax) and measures distances in units in the last place.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <pure/pure.hpp>

#include "reference_file.hpp"

namespace optim_test {

/// Hex floats ("0x1.8p-3") back to doubles, exactly.
inline std::vector<double> hex_values(const std::vector<std::string>& words) {
  std::vector<double> out;
  for (const std::string& w : words) out.push_back(std::strtod(w.c_str(), nullptr));
  return out;
}

/// Distance in representable values of T between a and b (0 when equal,
/// +0 and -0 equal; a NaN on one side only counts as infinitely far).
template <class T>
std::int64_t ulp_distance(T a, T b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b) ? 0 : INT64_MAX;
  using Bits = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
  constexpr Bits sign = Bits(1) << (8 * sizeof(T) - 1);
  auto ordered = [&](T x) {
    Bits bits;
    std::memcpy(&bits, &x, sizeof(T));
    // Negative values count down from zero, so the integers are in value order.
    return (bits & sign) ? -static_cast<std::int64_t>(bits & ~sign) : static_cast<std::int64_t>(bits);
  };
  const std::int64_t d = ordered(a) - ordered(b);
  return d < 0 ? -d : d;
}

/// Largest ulp distance between an array's elements and reference values.
inline std::int64_t max_ulp(const pure::Array& a, const std::vector<double>& expected) {
  std::int64_t worst = 0;
  if (a.dtype() == pure::DType::f32) {
    const std::vector<float> v = a.to_host<float>();
    if (v.size() != expected.size()) return INT64_MAX;
    for (std::size_t i = 0; i < v.size(); ++i) {
      worst = std::max(worst, ulp_distance(v[i], static_cast<float>(expected[i])));
    }
  } else {
    const std::vector<double> v = a.to_host<double>();
    if (v.size() != expected.size()) return INT64_MAX;
    for (std::size_t i = 0; i < v.size(); ++i) worst = std::max(worst, ulp_distance(v[i], expected[i]));
  }
  return worst;
}

/// One optimizer's run from updates_<mode>.txt: the inputs (float64; float32
/// runs round them) and, per dtype, Optax's updates and final params.
struct Case {
  int steps = 0;
  std::map<std::string, std::vector<double>> params;
  std::vector<std::map<std::string, std::vector<double>>> grads;
  struct Run {
    std::vector<std::map<std::string, std::vector<double>>> updates;
    std::map<std::string, std::vector<double>> final_params;
  };
  std::map<std::string, Run> runs;  // by dtype: "float32", "float64"
};

/// case name -> its run, from updates_<mode>.txt (mode "literal" or "xla").
inline std::map<std::string, Case> read_update_cases(const std::string& mode) {
  std::map<std::string, Case> cases;
  for (const auto& rec : pure_test::read_reference_file("optax/updates_" + mode + ".txt")) {
    const std::string& kind = rec.head.at(0);
    Case& c = cases[rec.head.at(1)];
    if (kind == "case") {
      c.steps = std::stoi(rec.values.at(0));
      c.grads.resize(static_cast<std::size_t>(c.steps));
    } else if (kind == "params") {
      c.params[rec.head.at(2)] = hex_values(rec.values);
    } else if (kind == "grads") {
      c.grads.at(static_cast<std::size_t>(std::stoi(rec.head.at(2))))[rec.head.at(3)] = hex_values(rec.values);
    } else if (kind == "updates") {
      auto& updates = c.runs[rec.head.at(2)].updates;
      const auto step = static_cast<std::size_t>(std::stoi(rec.head.at(3)));
      if (updates.size() <= step) updates.resize(step + 1);
      updates[step][rec.head.at(4)] = hex_values(rec.values);
    } else if (kind == "final") {
      c.runs[rec.head.at(2)].final_params[rec.head.at(3)] = hex_values(rec.values);
    } else {
      throw std::runtime_error("updates_" + mode + ".txt line " + std::to_string(rec.line) + ": unknown record " +
                               kind);
    }
  }
  return cases;
}

/// Largest |a - expected| relative to the largest |expected| of the leaf.
inline double max_relative_error(const pure::Array& a, const std::vector<double>& expected) {
  const std::vector<double> v = a.dtype() == pure::DType::f32
                                    ? [&] {
                                        const std::vector<float> f = a.to_host<float>();
                                        return std::vector<double>(f.begin(), f.end());
                                      }()
                                    : a.to_host<double>();
  double scale = 0.0, worst = 0.0;
  for (double e : expected) scale = std::max(scale, std::abs(e));
  for (std::size_t i = 0; i < v.size() && i < expected.size(); ++i)
    worst = std::max(worst, std::abs(v[i] - expected[i]));
  return scale > 0.0 ? worst / scale : worst;
}

}  // namespace optim_test
