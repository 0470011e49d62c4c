// Reading pure-fit's TOML configuration file into plain values.
//
// The only translation unit that includes toml++ (toml_file.cpp), and it
// includes no pure or Kokkos header: in CUDA builds it is compiled by the
// host compiler alone (nvcc_wrapper --host-only), because nvcc 13's front end
// rejects toml++'s headers (docs/building.md, CUDA).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace pure_fit {

/// One TOML value that is not a table.
struct TomlValue {
  enum class Type { string, integer, real, boolean, array, other };
  Type type = Type::other;
  std::string text;              // string
  std::int64_t integer = 0;      // integer
  double real = 0;               // real, and integer converted
  std::vector<TomlValue> items;  // array

  bool is_number() const { return type == Type::integer || type == Type::real; }
};

/// A file that cannot be read or parsed: "file:line: what".
struct TomlError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Every value of the file with its dotted name ("solver.steps" for steps in
/// [solver]), tables flattened, in the file's order.
std::vector<std::pair<std::string, TomlValue>> read_toml_file(const std::string& path);

}  // namespace pure_fit
