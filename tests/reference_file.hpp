// Reads the reference tables in tests/data/ that the make_*.py scripts write
// with real JAX: one record per line, '#' starts a comment line, the words
// before ':' say what the record is, the words after it are its values.
#pragma once

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace pure_test {

struct ReferenceRecord {
  std::vector<std::string> head;    // the words before ':'
  std::vector<std::string> values;  // the words after it
  int line = 0;                     // 1-based, for messages
};

/// The records of tests/data/<name>; std::runtime_error if it cannot be opened.
inline std::vector<ReferenceRecord> read_reference_file(const std::string& name) {
  const std::string path = std::string(PURE_TEST_DATA_DIR) + "/" + name;
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::vector<ReferenceRecord> out;
  std::string text;
  int line_no = 0;
  while (std::getline(in, text)) {
    ++line_no;
    if (text.empty() || text[0] == '#') continue;
    std::istringstream words(text);
    ReferenceRecord rec;
    rec.line = line_no;
    std::string w;
    bool in_values = false;
    while (words >> w) {
      if (!in_values && w == ":") {
        in_values = true;
      } else {
        (in_values ? rec.values : rec.head).push_back(w);
      }
    }
    out.push_back(std::move(rec));
  }
  return out;
}

}  // namespace pure_test
