// Element types of pure::Array and their C++ counterparts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace pure {

/// The element type of an Array. `boolean` is stored one byte per element.
enum class DType : std::uint8_t { f32, f64, i32, u32, i64, u64, boolean };

/// Name as numpy spells it: "float32", "int64", "bool", ...
const char* dtype_name(DType dtype);
/// Short name as programs print it: "f32", "i64", "bool", ...
const char* dtype_short_name(DType dtype);
/// Bytes per element.
std::size_t dtype_size(DType dtype);
bool is_floating(DType dtype);
bool is_integer(DType dtype);  // signed or unsigned, not boolean
bool is_unsigned(DType dtype);

/// dtype_of<T>() maps a C++ element type to its DType (compile-time error for others).
template <class T>
struct DTypeOf;
template <>
struct DTypeOf<float> {
  static constexpr DType value = DType::f32;
};
template <>
struct DTypeOf<double> {
  static constexpr DType value = DType::f64;
};
template <>
struct DTypeOf<std::int32_t> {
  static constexpr DType value = DType::i32;
};
template <>
struct DTypeOf<std::uint32_t> {
  static constexpr DType value = DType::u32;
};
template <>
struct DTypeOf<std::int64_t> {
  static constexpr DType value = DType::i64;
};
template <>
struct DTypeOf<std::uint64_t> {
  static constexpr DType value = DType::u64;
};
template <>
struct DTypeOf<bool> {
  static constexpr DType value = DType::boolean;
};

template <class T>
constexpr DType dtype_of() {
  return DTypeOf<T>::value;
}

/// Calls `f.template operator()<T>()`-style dispatch: `visit_dtype(dtype, f)` calls
/// `f(T{})` with a value of the element type, so one generic function body serves
/// every dtype. Library kernels use functor templates instead of generic lambdas
/// because nvcc rejects device lambdas inside generic lambdas.
template <class F>
decltype(auto) visit_dtype(DType dtype, F&& f) {
  switch (dtype) {
    case DType::f32: return f(float{});
    case DType::f64: return f(double{});
    case DType::i32: return f(std::int32_t{});
    case DType::u32: return f(std::uint32_t{});
    case DType::i64: return f(std::int64_t{});
    case DType::u64: return f(std::uint64_t{});
    case DType::boolean: break;
  }
  return f(bool{});
}

}  // namespace pure
