#include <pure/random/debug.hpp>
#include <pure/random/device.hpp>
#include <pure/random/samplers.hpp>

#include <cmath>
#include <string>

namespace pure::random {
namespace {

using Policy = Kokkos::RangePolicy<ExecutionSpace, Kokkos::IndexType<std::int64_t>>;

// out(i) = draw(key, offset + i): the one kernel behind every elementwise sampler.
template <class T, class Draw>
struct DrawKernel {
  MutableView<T> out;
  Key key;
  std::uint64_t offset;
  Draw draw;
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t i) const {
    out(i) = draw(key, offset + static_cast<std::uint64_t>(i));
  }
};

template <class T, class Draw>
Array draw_elementwise(const Key& key, const Shape& shape, std::uint64_t offset, const Draw& draw, const char* what,
                       Where where) {
  const auto n = static_cast<std::uint64_t>(shape.size());
  if (offset > ~std::uint64_t{0} - n) {
    throw ValueError(std::string(what) + ": argument 'offset' " + std::to_string(offset) + " plus " +
                     std::to_string(n) + " elements overflows the 64-bit stream index");
  }
  detail::consume(key, offset, offset + n, what, where);
  Array a = Array::allocate(shape, dtype_of<T>(), what);
  Kokkos::parallel_for(what, Policy(0, shape.size()), DrawKernel<T, Draw>{a.mutable_view<T>(what), key, offset, draw});
  return a;
}

void require_float(DType dtype, const char* what) {
  if (!is_floating(dtype)) {
    throw DTypeError(std::string(what) + ": argument 'dtype' must be float32 or float64, got " + dtype_name(dtype));
  }
}

struct Bits32 {
  KOKKOS_INLINE_FUNCTION std::uint32_t operator()(const Key& k, std::uint64_t i) const { return bits_at(k, i); }
};
struct Bits64 {
  KOKKOS_INLINE_FUNCTION std::uint64_t operator()(const Key& k, std::uint64_t i) const { return bits64_at(k, i); }
};
template <class T>
struct Uniform {
  T lo, hi;
  KOKKOS_INLINE_FUNCTION T operator()(const Key& k, std::uint64_t i) const { return uniform_at<T>(k, i, lo, hi); }
};
template <class T>
struct Normal {
  KOKKOS_INLINE_FUNCTION T operator()(const Key& k, std::uint64_t i) const { return normal_at<T>(k, i); }
};

}  // namespace

Array bits(const Key& key, const Shape& shape, DType dtype, std::uint64_t offset, Where where) {
  constexpr const char* what = "pure::random::bits";
  if (dtype == DType::u32) return draw_elementwise<std::uint32_t>(key, shape, offset, Bits32{}, what, where);
  if (dtype == DType::u64) return draw_elementwise<std::uint64_t>(key, shape, offset, Bits64{}, what, where);
  throw DTypeError(std::string(what) + ": argument 'dtype' must be uint32 or uint64, got " + dtype_name(dtype));
}

Array uniform(const Key& key, const Shape& shape, DType dtype, double lo, double hi, std::uint64_t offset,
              Where where) {
  constexpr const char* what = "pure::random::uniform";
  require_float(dtype, what);
  if (!(std::isfinite(lo) && std::isfinite(hi) && lo < hi)) {
    throw ValueError(std::string(what) + ": needs finite lo < hi, got lo=" + std::to_string(lo) +
                     " hi=" + std::to_string(hi));
  }
  if (dtype == DType::f32) {
    return draw_elementwise<float>(key, shape, offset, Uniform<float>{static_cast<float>(lo), static_cast<float>(hi)},
                                   what, where);
  }
  return draw_elementwise<double>(key, shape, offset, Uniform<double>{lo, hi}, what, where);
}

Array normal(const Key& key, const Shape& shape, DType dtype, std::uint64_t offset, Where where) {
  constexpr const char* what = "pure::random::normal";
  require_float(dtype, what);
  if (dtype == DType::f32) return draw_elementwise<float>(key, shape, offset, Normal<float>{}, what, where);
  return draw_elementwise<double>(key, shape, offset, Normal<double>{}, what, where);
}

}  // namespace pure::random
