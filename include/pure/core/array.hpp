// pure::Array: an immutable n-dimensional value in the default memory space.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include <Kokkos_Core.hpp>

#include <pure/core/dtype.hpp>
#include <pure/core/error.hpp>
#include <pure/core/shape.hpp>

namespace pure {

using ExecutionSpace = Kokkos::DefaultExecutionSpace;
using MemorySpace = ExecutionSpace::memory_space;

/// A read-only 1-D view of an array's elements (row-major), for use in kernels.
template <class T>
using ConstView = Kokkos::View<const T*, MemorySpace, Kokkos::MemoryTraits<Kokkos::Unmanaged>>;
/// A writable 1-D view; only handed out for arrays that nobody else sees yet.
template <class T>
using MutableView = Kokkos::View<T*, MemorySpace, Kokkos::MemoryTraits<Kokkos::Unmanaged>>;

namespace detail {
struct Buffer;
struct BroadcastSource;
struct ArrayAccess;

/// What a traced Array carries instead of storage: the interpreter that owns
/// it (pure::ir) keeps its own data in a subclass. Core only needs to know that
/// an Array may stand for a value not computed yet (inside grad, jit, ...).
class Tracer {
 public:
  virtual ~Tracer();
  /// The interpreter that made this tracer; compared by address when dispatching.
  virtual const void* owner() const = 0;
};
}  // namespace detail

/// An n-dimensional array of one DType, held in Kokkos' default memory space.
///
/// An Array is a value: it never changes after it is made, and copies share the
/// same storage (copying is O(1) and a copy can never see a later write, because
/// there are no writes). Storage is freed when the last copy goes away.
///
///   pure::Array x = pure::arange(6, pure::DType::f32);
///   std::vector<float> h = x.to_host<float>();
class Array {
 public:
  /// A placeholder holding nothing; `valid()` is false.
  Array() = default;

  /// False for a default-constructed Array (also pure's symbolic zero tangent).
  bool valid() const { return buffer_ != nullptr || tracer_ != nullptr || broadcast_ != nullptr; }
  /// True when this Array stands for a traced value (inside grad, jvp, make_program):
  /// its shape and dtype are known, its elements are not.
  bool is_tracer() const { return tracer_ != nullptr; }
  const Shape& shape() const { return shape_; }
  DType dtype() const { return dtype_; }
  int rank() const { return shape_.rank(); }
  std::int64_t size() const { return shape_.size(); }
  std::size_t nbytes() const { return static_cast<std::size_t>(size()) * dtype_size(dtype_); }

  /// Element view for kernels; T must match dtype() exactly.
  template <class T>
  ConstView<T> view(const char* caller = "pure::Array::view") const {
    check_dtype(dtype_of<T>(), caller);
    return ConstView<T>(static_cast<const T*>(data()), static_cast<std::size_t>(size()));
  }

  /// Copies the elements to a host vector; T must match dtype() exactly.
  template <class T>
  std::vector<T> to_host() const;

  /// The value of a one-element array; T must match dtype() exactly.
  template <class T>
  T item() const;

  /// Address of the first element in MemorySpace (nullptr for an empty array).
  const void* data() const;

  /// numpy-like text: "[[0. 1.]\n [2. 3.]]".
  std::string str() const;

  // -- for pure's own kernels: a fresh array that only its maker can see --
  /// Allocates an uninitialised array (label "pure::<what>").
  static Array allocate(const Shape& shape, DType dtype, const char* what);
  /// The same elements under another shape of equal size, sharing storage
  /// (safe because arrays are immutable). For pure's reshape kernel.
  Array with_shape(const Shape& shape) const;
  /// A traced array: shape and dtype, elements held by `tracer`'s interpreter.
  static Array traced(const Shape& shape, DType dtype, std::shared_ptr<detail::Tracer> tracer);
  const std::shared_ptr<detail::Tracer>& tracer() const { return tracer_; }

  // -- broadcast views: what broadcast_in_dim (and full) return, without a copy --
  /// `source` broadcast to `shape` as lax::broadcast_in_dim(source, shape, dims)
  /// (dims validated by the caller), sharing the source's storage. Kernels that
  /// know about views (elementwise binary ops, select, copies) read the source in
  /// place; any other use of the elements (data(), view(), to_host()) writes them
  /// out once, on first use, and keeps that copy. `what` labels that copy; since
  /// it may be made later, the view's byte count is checked now (ResourceError
  /// naming `what` when no memory space could hold it).
  static Array broadcast_view(const Array& source, const Shape& shape, const std::vector<std::int64_t>& dims,
                              const char* what = "pure::broadcast_in_dim");
  /// True for an array made by broadcast_view (also after its elements were
  /// written out: kernels that know views still read the source).
  bool is_broadcast_view() const;
  /// For a broadcast view: the contiguous array it reads ...
  const Array& broadcast_source() const;
  /// ... and, per axis of shape(), the source's element stride (0 along broadcast axes).
  const std::vector<std::int64_t>& broadcast_strides() const;
  /// Writable view of an array made by allocate() and not yet handed out.
  template <class T>
  MutableView<T> mutable_view(const char* caller) {
    check_dtype(dtype_of<T>(), caller);
    if (broadcast_) throw RuntimeError(std::string(caller) + ": a broadcast view is not writable");
    return MutableView<T>(static_cast<T*>(const_cast<void*>(data())), static_cast<std::size_t>(size()));
  }

 private:
  friend struct detail::ArrayAccess;  // the jit memory planner (src/core/detail_buffer.hpp)
  void check_dtype(DType want, const char* caller) const;
  void copy_to_host(void* dst) const;

  const detail::Buffer& storage(const char* caller) const;

  std::shared_ptr<const detail::Buffer> buffer_;
  std::shared_ptr<detail::Tracer> tracer_;
  std::shared_ptr<const detail::BroadcastSource> broadcast_;  // set for broadcast views only
  Shape shape_;
  DType dtype_ = DType::f32;
};

std::ostream& operator<<(std::ostream& os, const Array& a);

template <class T>
std::vector<T> Array::to_host() const {
  static_assert(!std::is_same<T, bool>::value, "use pure::to_host_bool() for boolean arrays");
  check_dtype(dtype_of<T>(), "pure::Array::to_host");
  std::vector<T> out(static_cast<std::size_t>(size()));
  copy_to_host(out.data());
  return out;
}

template <class T>
T Array::item() const {
  if (size() != 1) {
    throw ShapeError("pure::Array::item: needs an array of exactly one element, got shape " + shape_.str());
  }
  if constexpr (std::is_same<T, bool>::value) {
    check_dtype(DType::boolean, "pure::Array::item");
    unsigned char v = 0;
    copy_to_host(&v);
    return v != 0;
  } else {
    check_dtype(dtype_of<T>(), "pure::Array::item");
    T v{};
    copy_to_host(&v);
    return v;
  }
}

/// Elements of a boolean array as 0/1 bytes (std::vector<bool> is not contiguous).
std::vector<std::uint8_t> to_host_bool(const Array& a);

}  // namespace pure
