// Making arrays: constants, ranges, and copies from host memory.
#pragma once

#include <cstdint>
#include <vector>

#include <pure/core/array.hpp>

namespace pure {

// zeros, ones and full of more than one element are broadcast views of a single
// element (Array::broadcast_view): elementwise ops read them in place, other
// uses write them out once.
Array zeros(const Shape& shape, DType dtype = DType::f32);
Array ones(const Shape& shape, DType dtype = DType::f32);
/// Every element equal to `value` converted to `dtype`.
Array full(const Shape& shape, double value, DType dtype = DType::f32);
/// 0, 1, ..., n-1 as a 1-D array.
Array arange(std::int64_t n, DType dtype = DType::i32);
/// start, start+step, ... up to (not including) stop, like numpy.arange.
Array arange(double start, double stop, double step, DType dtype = DType::f32);

/// Copies `shape.size()` elements from host memory at `data` (row-major).
template <class T>
Array from_host(const T* data, const Shape& shape);
/// Copies a host vector; `shape` defaults to 1-D of the vector's length.
template <class T>
Array from_host(const std::vector<T>& data, const Shape& shape);
template <class T>
Array from_host(const std::vector<T>& data) {
  return from_host(data, Shape{static_cast<std::int64_t>(data.size())});
}
/// A boolean array from 0/1 bytes.
Array from_host_bool(const std::vector<std::uint8_t>& data, const Shape& shape);

}  // namespace pure
