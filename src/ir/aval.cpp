#include <pure/ir/aval.hpp>

namespace pure::ir {

const char* short_dtype_name(DType dtype) { return dtype_short_name(dtype); }

std::string Aval::str() const {
  std::string s = short_dtype_name(dtype);
  s += "[";
  for (int i = 0; i < shape.rank(); ++i) {
    if (i) s += ",";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

}  // namespace pure::ir
