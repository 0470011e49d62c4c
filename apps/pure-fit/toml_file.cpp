#include "toml_file.hpp"

#include <sstream>

#include <toml++/toml.h>

namespace pure_fit {
namespace {

TomlValue value_of(const toml::node& n) {
  TomlValue v;
  if (n.is_string()) {
    v.type = TomlValue::Type::string;
    v.text = *n.value<std::string>();
  } else if (n.is_integer()) {
    v.type = TomlValue::Type::integer;
    v.integer = *n.value<std::int64_t>();
    v.real = static_cast<double>(v.integer);
  } else if (n.is_floating_point()) {
    v.type = TomlValue::Type::real;
    v.real = *n.value<double>();
  } else if (n.is_boolean()) {
    v.type = TomlValue::Type::boolean;
  } else if (const toml::array* a = n.as_array()) {
    v.type = TomlValue::Type::array;
    for (const toml::node& e : *a) v.items.push_back(value_of(e));
  }
  return v;
}

void flatten(const toml::table& t, const std::string& prefix, std::vector<std::pair<std::string, TomlValue>>& out) {
  for (const auto& [name, node] : t) {
    const std::string full = prefix.empty() ? std::string(name.str()) : prefix + "." + std::string(name.str());
    if (const toml::table* sub = node.as_table()) {
      flatten(*sub, full, out);
    } else {
      out.emplace_back(full, value_of(node));
    }
  }
}

}  // namespace

std::vector<std::pair<std::string, TomlValue>> read_toml_file(const std::string& path) {
  toml::table file;
  try {
    file = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    std::ostringstream os;
    os << path << ":" << e.source().begin.line << ": " << e.description();
    throw TomlError(os.str());
  }
  std::vector<std::pair<std::string, TomlValue>> out;
  flatten(file, "", out);
  return out;
}

}  // namespace pure_fit
