#include "detail_buffer.hpp"

#include "allocation.hpp"
#include "memory_plan.hpp"
#include "strided_walk.hpp"

#include <atomic>
#include <exception>
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
Buffer::Buffer(Block memory, std::size_t nbytes, bool recycle_memory)
    : block(std::move(memory)),
      bytes(Kokkos::subview(block, std::make_pair(std::size_t{0}, nbytes))),
      recycle(recycle_memory) {
  ++g_live_buffers;
}
Buffer::~Buffer() {
  if (observer) observer->freed(seq);
  if (recycle) recycle_block(block, bytes);
  --g_live_buffers;
}

BufferObserver::~BufferObserver() = default;

void donated_error(const char* caller, const std::string& function) {
  throw ValueError(std::string(caller) + ": the array was donated to jitted function '" + function +
                   "' (pure::JitOptions::donate_args): its memory may hold that call's outputs now; use the "
                   "outputs instead");
}

const Buffer* ArrayAccess::root_buffer(const Array& a) {
  if (a.buffer_) return a.buffer_.get();
  if (a.broadcast_) return a.broadcast_->source.buffer_.get();
  return nullptr;
}

const std::shared_ptr<const Buffer>& ArrayAccess::own_buffer(const Array& a) { return a.buffer_; }

Array ArrayAccess::make(std::shared_ptr<const Buffer> buffer, const Shape& shape, DType dtype) {
  Array a;
  a.shape_ = shape;
  a.dtype_ = dtype;
  a.buffer_ = std::move(buffer);
  return a;
}

Array ArrayAccess::written_out(const Array& view) {
  const Buffer& b = view.storage("pure::jit");
  return make(std::shared_ptr<const Buffer>(view.broadcast_, &b), view.shape_, view.dtype_);
}

void ArrayAccess::poison(const Array& a, const std::shared_ptr<const std::string>& function) {
  if (a.buffer_) a.buffer_->donated_to = function;
  if (a.broadcast_) a.broadcast_->donated_to = function;
}

void ArrayAccess::check_not_donated(const Array& a, const char* caller) {
  if (a.buffer_ && a.buffer_->donated_to) donated_error(caller, *a.buffer_->donated_to);
  if (a.broadcast_) {
    if (a.broadcast_->donated_to) donated_error(caller, *a.broadcast_->donated_to);
    check_not_donated(a.broadcast_->source, caller);
  }
}

Tracer::~Tracer() = default;

}  // namespace detail

namespace {
[[noreturn]] void concretization_error(const char* caller, const Shape& shape, DType dtype) {
  throw ConcretizationError(std::string(caller) + ": the elements of a traced array " + dtype_name(dtype) +
                            shape.str() +
                            " are not known while tracing (inside grad, jvp, vjp or make_program); "
                            "compute concrete values outside the transformed function");
}
// Storage for an array of `shape` and `dtype`, labelled `what`: the byte count
// is checked first, and a failed allocation (Kokkos' exceptions, std::bad_alloc)
// becomes a ResourceError naming the label, the array and the bytes.
std::shared_ptr<const detail::Buffer> make_buffer(const char* what, const Shape& shape, DType dtype) {
  const std::size_t bytes = detail::array_bytes(what, shape, dtype);
  try {
    // Under a jitted call, the call's memory plan may serve it (memory_plan.hpp).
    if (detail::AllocationScope* scope = detail::current_allocation_scope()) {
      if (auto planned = scope->allocate(what, bytes, dtype)) return planned;
    }
    return std::make_shared<const detail::Buffer>(what, bytes);
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    // Kokkos' messages run over several lines: the first says what failed.
    const std::string reason = e.what();
    detail::resource_error(what, std::string(dtype_name(dtype)) + " " + shape.str(), bytes,
                           "the allocation failed (" + reason.substr(0, reason.find('\n')) + ")");
  }
}

}  // namespace

Array Array::allocate(const Shape& shape, DType dtype, const char* what) {
  if (!Kokkos::is_initialized()) {
    throw RuntimeError(std::string(what) +
                       ": Kokkos is not initialised; create a pure::ScopeGuard at the start of main()");
  }
  Array a;
  a.shape_ = shape;
  a.dtype_ = dtype;
  a.buffer_ = make_buffer(what, shape, dtype);
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
  if (broadcast_) {  // the strides belong to the old shape: use the written-out elements
    a.buffer_ = std::shared_ptr<const detail::Buffer>(broadcast_, &storage("pure::Array::with_shape"));
    a.broadcast_ = nullptr;
  }
  a.shape_ = shape;
  return a;
}

Array Array::broadcast_view(const Array& source, const Shape& shape, const std::vector<std::int64_t>& dims,
                            const char* what) {
  if (source.tracer_) concretization_error("pure::Array::broadcast_view", source.shape_, source.dtype_);
  if (!source.valid()) throw RuntimeError("pure::Array::broadcast_view: use of an empty (default-constructed) Array");
  // Same element count: the same elements in the same row-major order.
  if (shape.size() == source.size()) return source.with_shape(shape);
  // Any use but the view-aware kernels writes the view out: it must fit.
  detail::array_bytes(what, shape, source.dtype_);
  // A view of a view reads the first view's source directly.
  const Array& base = source.broadcast_ ? source.broadcast_->source : source;
  const std::vector<std::int64_t> source_strides =
      source.broadcast_ ? source.broadcast_->strides : detail::row_major_strides(source.shape_);
  auto b = std::make_shared<detail::BroadcastSource>();
  b->source = base;
  b->label = what;
  b->strides.assign(static_cast<std::size_t>(shape.rank()), 0);
  for (std::size_t i = 0; i < dims.size(); ++i) {
    if (source.shape_[static_cast<int>(i)] != 1) b->strides[static_cast<std::size_t>(dims[i])] = source_strides[i];
  }
  Array a;
  a.shape_ = shape;
  a.dtype_ = source.dtype_;
  a.broadcast_ = std::move(b);
  return a;
}

bool Array::is_broadcast_view() const { return broadcast_ != nullptr; }

const Array& Array::broadcast_source() const {
  if (!broadcast_) throw RuntimeError("pure::Array::broadcast_source: the array " + shape_.str() + " is not a view");
  detail::ArrayAccess::check_not_donated(*this, "pure::Array::broadcast_source");
  return broadcast_->source;
}

const std::vector<std::int64_t>& Array::broadcast_strides() const {
  if (!broadcast_) throw RuntimeError("pure::Array::broadcast_strides: the array " + shape_.str() + " is not a view");
  return broadcast_->strides;
}

const detail::Buffer& Array::storage(const char* caller) const {
  if (tracer_) concretization_error(caller, shape_, dtype_);
  detail::ArrayAccess::check_not_donated(*this, caller);
  if (buffer_) return *buffer_;
  if (!broadcast_) throw RuntimeError(std::string(caller) + ": use of an empty (default-constructed) Array");
  const detail::BroadcastSource& b = *broadcast_;
  std::call_once(b.once, [&] {
    auto buf = make_buffer(b.label, shape_, dtype_);
    const std::vector<std::int64_t> strides[1] = {b.strides};
    const std::int64_t base[1] = {0};
    const auto walk = detail::make_strided_walk<1>(shape_, strides, base, b.label);
    const void* in = b.source.data();
    void* out = buf->bytes.data();
    detail::strided_copy_words(dtype_size(dtype_), in, out, walk, size(), b.label);
    b.written = std::move(buf);
  });
  return *b.written;
}

const void* Array::data() const { return storage("pure::Array::data").bytes.data(); }

void Array::check_dtype(DType want, const char* caller) const {
  if (tracer_) concretization_error(caller, shape_, dtype_);
  if (!buffer_ && !broadcast_)
    throw RuntimeError(std::string(caller) + ": use of an empty (default-constructed) Array");
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
  Kokkos::deep_copy(host, storage("pure::Array::to_host").bytes);
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
