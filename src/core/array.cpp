#include "detail_buffer.hpp"

#include <atomic>
#include <string>
#include <utility>

namespace pure {
namespace {
std::atomic<long> g_live_buffers{0};
}

long live_buffers() { return g_live_buffers.load(); }

namespace detail {

Buffer::Buffer(const char* label, std::size_t nbytes)
    : block(acquire_block(label, nbytes)), bytes(Kokkos::subview(block, std::make_pair(std::size_t{0}, nbytes))) {
  ++g_live_buffers;
}
Buffer::~Buffer() {
  recycle_block(block);
  --g_live_buffers;
}

Tracer::~Tracer() = default;

}  // namespace detail

Array Array::allocate(const Shape& shape, DType dtype, const char* what) {
  if (!Kokkos::is_initialized()) {
    throw RuntimeError(std::string(what) +
                       ": Kokkos is not initialised; create a pure::ScopeGuard at the start of main()");
  }
  Array a;
  a.shape_ = shape;
  a.dtype_ = dtype;
  a.buffer_ = std::make_shared<const detail::Buffer>(what, static_cast<std::size_t>(shape.size()) * dtype_size(dtype));
  return a;
}

Array Array::traced(const Shape& shape, DType dtype, std::shared_ptr<detail::Tracer> tracer) {
  Array a;
  a.shape_ = shape;
  a.dtype_ = dtype;
  a.tracer_ = std::move(tracer);
  return a;
}

Array Array::with_shape(const Shape& shape) const {
  if (shape.size() != size()) {
    throw ShapeError("pure::Array::with_shape: cannot view " + shape_.str() + " (" + std::to_string(size()) +
                     " elements) as " + shape.str());
  }
  Array a = *this;
  a.shape_ = shape;
  return a;
}

namespace {
[[noreturn]] void concretization_error(const char* caller, const Shape& shape, DType dtype) {
  throw ConcretizationError(std::string(caller) + ": the elements of a traced array " + dtype_name(dtype) +
                            shape.str() +
                            " are not known while tracing (inside grad, jvp, vjp or make_program); "
                            "compute concrete values outside the transformed function");
}
}  // namespace

const void* Array::data() const {
  if (tracer_) concretization_error("pure::Array::data", shape_, dtype_);
  if (!buffer_) throw RuntimeError("pure::Array: use of an empty (default-constructed) Array");
  return buffer_->bytes.data();
}

void Array::check_dtype(DType want, const char* caller) const {
  if (tracer_) concretization_error(caller, shape_, dtype_);
  if (!buffer_) throw RuntimeError(std::string(caller) + ": use of an empty (default-constructed) Array");
  if (want != dtype_) {
    throw DTypeError(std::string(caller) + ": array has dtype " + dtype_name(dtype_) + " and shape " + shape_.str() +
                     ", requested " + dtype_name(want));
  }
}

void Array::copy_to_host(void* dst) const {
  const std::size_t n = nbytes();
  if (n == 0) return;
  Kokkos::View<unsigned char*, Kokkos::HostSpace, Kokkos::MemoryTraits<Kokkos::Unmanaged>> host(
      static_cast<unsigned char*>(dst), n);
  Kokkos::deep_copy(host, buffer_->bytes);
}

std::vector<std::uint8_t> to_host_bool(const Array& a) {
  a.view<bool>("pure::to_host_bool");  // checks the dtype
  std::vector<std::uint8_t> out(static_cast<std::size_t>(a.size()));
  if (!out.empty()) {
    Kokkos::View<const unsigned char*, MemorySpace, Kokkos::MemoryTraits<Kokkos::Unmanaged>> src(
        static_cast<const unsigned char*>(a.data()), out.size());
    Kokkos::View<unsigned char*, Kokkos::HostSpace, Kokkos::MemoryTraits<Kokkos::Unmanaged>> dst(out.data(),
                                                                                                 out.size());
    Kokkos::deep_copy(dst, src);
  }
  return out;
}

}  // namespace pure
