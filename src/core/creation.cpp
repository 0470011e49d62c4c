#include <pure/core/creation.hpp>
#include <pure/core/detail/convert.hpp>

#include <cmath>
#include <string>

namespace pure {
namespace {

// Fills element i with start + i * step (step 0 gives a constant).
template <class T>
struct FillAffine {
  MutableView<T> out;
  double start, step;
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t i) const {
    // i == 0 apart: -0.0 + 0 * step would be +0.0, and full(-0.0) must keep its sign.
    // Integers saturate (NaN -> 0): docs/conversions.md.
    out(i) = detail::convert<T>(i == 0 ? start : start + static_cast<double>(i) * step);
  }
};

Array affine(const Shape& shape, DType dtype, double start, double step, const char* what) {
  Array a = Array::allocate(shape, dtype, what);
  visit_dtype(dtype, [&](auto tag) {
    using T = decltype(tag);
    Kokkos::parallel_for(what, Kokkos::RangePolicy<ExecutionSpace, Kokkos::IndexType<std::int64_t>>(0, a.size()),
                         FillAffine<T>{a.mutable_view<T>(what), start, step});
  });
  return a;
}

// A constant: one element, broadcast without writing it out (kernels that
// understand broadcast views read it in place; others write it out on first use).
Array constant(const Shape& shape, DType dtype, double value, const char* what) {
  if (shape.size() <= 1) return affine(shape, dtype, value, 0.0, what);
  return Array::broadcast_view(affine(Shape{}, dtype, value, 0.0, what), shape, {}, what);
}

}  // namespace

Array zeros(const Shape& shape, DType dtype) { return constant(shape, dtype, 0.0, "pure::zeros"); }
Array ones(const Shape& shape, DType dtype) { return constant(shape, dtype, 1.0, "pure::ones"); }
Array full(const Shape& shape, double value, DType dtype) { return constant(shape, dtype, value, "pure::full"); }

Array arange(std::int64_t n, DType dtype) {
  if (n < 0) throw ValueError("pure::arange: argument 'n' must be >= 0, got " + std::to_string(n));
  return affine(Shape{n}, dtype, 0.0, 1.0, "pure::arange");
}

Array arange(double start, double stop, double step, DType dtype) {
  if (step == 0.0 || !std::isfinite(step) || !std::isfinite(start) || !std::isfinite(stop)) {
    throw ValueError("pure::arange: arguments must be finite with step != 0, got start=" + std::to_string(start) +
                     " stop=" + std::to_string(stop) + " step=" + std::to_string(step));
  }
  const double count = std::ceil((stop - start) / step);
  // 2^63 is the first double past int64: such a count is no Shape (and the cast would be undefined).
  if (!(count < 0x1p63)) {
    throw ShapeError("pure::arange: " + std::to_string(count) + " elements (start=" + std::to_string(start) +
                     " stop=" + std::to_string(stop) + " step=" + std::to_string(step) + ") overflow int64");
  }
  const auto n = static_cast<std::int64_t>(count > 0 ? count : 0);
  return affine(Shape{n}, dtype, start, step, "pure::arange");
}

template <class T>
Array from_host(const T* data, const Shape& shape) {
  if (data == nullptr && shape.size() > 0) {
    throw ValueError(std::string("pure::from_host: argument 'data' is null for shape ") + shape.str());
  }
  Array a = Array::allocate(shape, dtype_of<T>(), "pure::from_host");
  if (shape.size() > 0) {
    Kokkos::View<const T*, Kokkos::HostSpace, Kokkos::MemoryTraits<Kokkos::Unmanaged>> src(
        data, static_cast<std::size_t>(shape.size()));
    Kokkos::deep_copy(a.mutable_view<T>("pure::from_host"), src);
  }
  return a;
}

template <class T>
Array from_host(const std::vector<T>& data, const Shape& shape) {
  if (static_cast<std::int64_t>(data.size()) != shape.size()) {
    throw ShapeError("pure::from_host: argument 'shape' " + shape.str() + " needs " + std::to_string(shape.size()) +
                     " elements, got a vector of " + std::to_string(data.size()));
  }
  return from_host(data.data(), shape);
}

Array from_host_bool(const std::vector<std::uint8_t>& data, const Shape& shape) {
  if (static_cast<std::int64_t>(data.size()) != shape.size()) {
    throw ShapeError("pure::from_host_bool: argument 'shape' " + shape.str() + " needs " +
                     std::to_string(shape.size()) + " elements, got a vector of " + std::to_string(data.size()));
  }
  std::vector<unsigned char> bytes(data.size());
  for (std::size_t i = 0; i < data.size(); ++i) bytes[i] = data[i] != 0;
  Array a = Array::allocate(shape, DType::boolean, "pure::from_host_bool");
  if (!bytes.empty()) {
    auto dst = a.mutable_view<bool>("pure::from_host_bool");
    Kokkos::View<const bool*, Kokkos::HostSpace, Kokkos::MemoryTraits<Kokkos::Unmanaged>> src(
        reinterpret_cast<const bool*>(bytes.data()), bytes.size());
    Kokkos::deep_copy(dst, src);
  }
  return a;
}

#define PURE_INSTANTIATE_FROM_HOST(T)                  \
  template Array from_host<T>(const T*, const Shape&); \
  template Array from_host<T>(const std::vector<T>&, const Shape&);
PURE_INSTANTIATE_FROM_HOST(float)
PURE_INSTANTIATE_FROM_HOST(double)
PURE_INSTANTIATE_FROM_HOST(std::int32_t)
PURE_INSTANTIATE_FROM_HOST(std::uint32_t)
PURE_INSTANTIATE_FROM_HOST(std::int64_t)
PURE_INSTANTIATE_FROM_HOST(std::uint64_t)
#undef PURE_INSTANTIATE_FROM_HOST

}  // namespace pure
