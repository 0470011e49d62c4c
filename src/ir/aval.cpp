#include <pure/ir/aval.hpp>

#include <pure/core/error.hpp>

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

void check_type(const Aval& got, const Aval& want, const std::string& message) {
  if (got.dtype != want.dtype) throw DTypeError(message + " (dtypes differ)");
  if (got.shape != want.shape) throw ShapeError(message + " (shapes differ)");
}

}  // namespace pure::ir
