#include <pure/core/error.hpp>
#include <pure/core/shape.hpp>

#include <limits>
#include <ostream>

namespace pure {
namespace {

std::string format(const std::vector<std::int64_t>& dims) {
  std::string s = "(";
  for (std::size_t i = 0; i < dims.size(); ++i) {
    if (i) s += ",";
    s += std::to_string(dims[i]);
  }
  if (dims.size() == 1) s += ",";
  return s + ")";
}

void validate(const std::vector<std::int64_t>& dims) {
  std::int64_t n = 1;
  for (std::size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] < 0) {
      throw ShapeError("pure::Shape: extent " + std::to_string(dims[i]) + " of axis " + std::to_string(i) +
                       " is negative in " + format(dims));
    }
    if (dims[i] != 0 && n > std::numeric_limits<std::int64_t>::max() / dims[i]) {
      throw ShapeError("pure::Shape: number of elements of " + format(dims) + " overflows int64");
    }
    n *= dims[i];
  }
}

}  // namespace

Shape::Shape(std::initializer_list<std::int64_t> dims) : dims_(dims) { validate(dims_); }
Shape::Shape(std::vector<std::int64_t> dims) : dims_(std::move(dims)) { validate(dims_); }

std::int64_t Shape::size() const {
  std::int64_t n = 1;
  for (auto d : dims_) n *= d;
  return n;
}

std::string Shape::str() const { return format(dims_); }

std::ostream& operator<<(std::ostream& os, const Shape& shape) { return os << shape.str(); }

}  // namespace pure
