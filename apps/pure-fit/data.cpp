#include "data.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

namespace pure_fit {
namespace {

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream ss(line);
  std::string cell;
  while (std::getline(ss, cell, ',')) {
    const auto a = cell.find_first_not_of(" \t\r\""), b = cell.find_last_not_of(" \t\r\"");
    out.push_back(a == std::string::npos ? "" : cell.substr(a, b - a + 1));
  }
  return out;
}

Dataset read_csv(const Config& c, const FitModel& m) {
  std::ifstream in(c.data_file);
  if (!in) throw ConfigError("data.file: cannot open '" + c.data_file + "'");
  std::string line;
  int line_no = 0;
  std::vector<std::string> header;
  while (header.empty() && std::getline(in, line)) {
    ++line_no;
    // A UTF-8 byte-order mark (spreadsheets write one) is not part of the first name.
    if (line_no == 1 && line.compare(0, 3, "\xEF\xBB\xBF") == 0) line.erase(0, 3);
    if (line.empty() || line[0] == '#' || line.find_first_not_of(" \t\r") == std::string::npos) continue;
    header = split_csv(line);
  }
  std::vector<std::vector<double>> cols(header.size());
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty() || line[0] == '#' || line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::vector<std::string> cells = split_csv(line);
    if (cells.size() != header.size()) {
      throw ConfigError(c.data_file + ":" + std::to_string(line_no) + ": " + std::to_string(cells.size()) +
                        " values, the header has " + std::to_string(header.size()) + " columns");
    }
    for (std::size_t i = 0; i < cells.size(); ++i) {
      // strtod, not stod: a subnormal value is a number (stod throws out_of_range).
      const char* text = cells[i].c_str();
      char* end = nullptr;
      errno = 0;
      const double v = std::strtod(text, &end);
      const std::string where = c.data_file + ":" + std::to_string(line_no) + ": column '" + header[i] + "': '";
      if (cells[i].empty() || end != text + cells[i].size() || (errno == ERANGE && std::isinf(v))) {
        throw ConfigError(where + cells[i] + "' is not a number" + (errno == ERANGE ? " (out of range)" : ""));
      }
      // A NaN or infinity would only surface later, blamed on the parameters.
      if (!std::isfinite(v)) throw ConfigError(where + cells[i] + "' is not finite");
      cols[i].push_back(v);
    }
  }
  Dataset d;
  for (const std::string& role : m.roles) {
    const std::string name = c.columns.count(role) ? c.columns.at(role) : role;
    std::size_t idx = header.size();
    for (std::size_t i = 0; i < header.size(); ++i)
      if (header[i] == name) idx = i;
    if (idx == header.size()) {
      std::string have;
      for (const auto& h : header) have += (have.empty() ? "" : ", ") + h;
      throw ConfigError("data." + role + ": no column '" + name + "' in " + c.data_file + " (columns: " + have + ")");
    }
    if (cols[idx].empty()) throw ConfigError(c.data_file + ": no data rows");
    d[role] = pure::from_host(cols[idx]);
  }
  return d;
}

Dataset read_h5(const Config& c, const FitModel& m) {
  Dataset d;
  for (const std::string& role : m.roles) {
    const std::string name = c.columns.count(role) ? c.columns.at(role) : role;
    try {
      d[role] = pure::io::read_hdf5_dataset(c.data_file, name);
    } catch (const pure::Error& e) {
      throw ConfigError("data." + role + ": " + e.what());
    }
  }
  return d;
}

}  // namespace

Dataset read_data(const Config& c, const FitModel& m) {
  const Dataset d = ends_with(c.data_file, ".h5") || ends_with(c.data_file, ".hdf5") ? read_h5(c, m) : read_csv(c, m);
  for (const auto& [role, a] : d) {  // HDF5 data too: a NaN would be blamed on the parameters later
    const std::vector<double> v = pure::astype(a, pure::DType::f64).to_host<double>();
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (!std::isfinite(v[i])) {
        throw ConfigError(c.data_file + ": data." + role + " holds a non-finite value (" + std::to_string(v[i]) +
                          ") at flat element " + std::to_string(i));
      }
    }
  }
  // Shapes the models rely on: y one value per observation; x one per
  // observation (or a row of features, for mlp); rank checked before lengths.
  if (d.count("y") && d.at("y").shape().rank() != 1) {
    throw ConfigError(c.data_file + ": y must be 1-D (one value per observation), got shape " +
                      d.at("y").shape().str());
  }
  if (d.count("x") && (d.at("x").shape().rank() < 1 || d.at("x").shape().rank() > (m.name == "mlp" ? 2 : 1))) {
    throw ConfigError(c.data_file + ": x must be 1-D" + std::string(m.name == "mlp" ? " or 2-D" : "") + ", got shape " +
                      d.at("x").shape().str());
  }
  if (d.count("x") && d.count("y") && d.at("x").shape()[0] != d.at("y").shape()[0]) {
    throw ConfigError(c.data_file + ": x has " + std::to_string(d.at("x").shape()[0]) + " rows, y has " +
                      std::to_string(d.at("y").shape()[0]));
  }
  if (d.count("positions")) {
    const pure::Shape& p = d.at("positions").shape();
    if (p.rank() != 3 || p[2] != 3) throw ConfigError(c.data_file + ": positions must be (configurations, atoms, 3)");
    if (d.at("energies").shape() != pure::Shape{p[0]} || d.at("forces").shape() != p) {
      throw ConfigError(c.data_file + ": energies must be (configurations,) and forces shaped like positions");
    }
  }
  return d;
}

}  // namespace pure_fit
