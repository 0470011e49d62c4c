// Helpers shared by the op-specific tests in tests/ops (not the spec tables,
// which have spec_table.hpp).
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include <pure/pure.hpp>

namespace pure_test {

/// Elements of a float or integer array as doubles, for host-loop comparisons.
inline std::vector<double> host(const pure::Array& a) {
  switch (a.dtype()) {
    case pure::DType::f64: return a.to_host<double>();
    case pure::DType::f32: {
      const auto v = a.to_host<float>();
      return {v.begin(), v.end()};
    }
    case pure::DType::i32: {
      const auto v = a.to_host<std::int32_t>();
      return {v.begin(), v.end()};
    }
    case pure::DType::i64: {
      const auto v = a.to_host<std::int64_t>();
      return {v.begin(), v.end()};
    }
    default: throw pure::Error("test host(): unsupported dtype");
  }
}

/// Normal(0,1) test data from a fixed host generator, converted to `dtype`.
inline pure::Array random_array(const pure::Shape& s, pure::DType dtype, std::uint32_t seed) {
  std::mt19937 gen(seed);
  std::normal_distribution<double> dist;
  std::vector<double> v(static_cast<std::size_t>(s.size()));
  for (auto& x : v) x = dist(gen);
  return pure::astype(pure::from_host(v, s), dtype);
}

}  // namespace pure_test
