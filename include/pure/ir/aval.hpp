// Abstract values: what the IR knows of an array while tracing (shape + dtype).
#pragma once

#include <string>

#include <pure/core/array.hpp>

namespace pure::ir {

/// Shape and dtype of a value; printed as jaxprs print them: "f32[3,4]".
struct Aval {
  Shape shape;
  DType dtype = DType::f32;

  static Aval of(const Array& a) { return Aval{a.shape(), a.dtype()}; }
  std::string str() const;
  friend bool operator==(const Aval& a, const Aval& b) { return a.shape == b.shape && a.dtype == b.dtype; }
  friend bool operator!=(const Aval& a, const Aval& b) { return !(a == b); }
};

/// Throws DTypeError when `got` and `want` differ in dtype, ShapeError when only
/// their shapes differ (the message says which); nothing when they are equal.
void check_type(const Aval& got, const Aval& want, const std::string& message);

/// Short dtype name used in program text: f32, f64, i32, u32, i64, u64, bool.
const char* short_dtype_name(DType dtype);

}  // namespace pure::ir
