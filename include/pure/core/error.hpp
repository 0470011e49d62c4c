// Errors thrown by pure. Every message names the function, the argument and the
// shapes or dtypes involved, e.g.
//   pure::from_host: argument 'shape' (3,4) needs 12 elements, got 10
#pragma once

#include <stdexcept>
#include <string>

namespace pure {

namespace detail {
/// `message` prefixed with the user-level function being evaluated on this
/// thread ("pure::softmax: ..."), unless there is none or it already starts so.
std::string in_error_context(const std::string& message);
}  // namespace detail

/// Base of every error pure throws; catch this to catch them all. A message
/// made while an ErrorContext is alive starts with that context's function.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(detail::in_error_context(message)) {}
  explicit Error(const char* message) : Error(std::string(message)) {}
};

/// Names the user-level function being evaluated, for errors raised by the
/// primitives and helpers it calls: inside `pure::softmax`, an axis error of the
/// `reduce_max` it runs reads "pure::softmax: pure::reduce_max: axis 2 is out of
/// range ...". Thread-local and nesting; the outermost context (the function
/// the user called) is the one named. NaN-debug mode names it too.
class ErrorContext {
 public:
  explicit ErrorContext(const char* function) noexcept;
  ~ErrorContext();
  ErrorContext(const ErrorContext&) = delete;
  ErrorContext& operator=(const ErrorContext&) = delete;
  /// The outermost live context's function on this thread, or nullptr.
  static const char* current() noexcept;
};

/// An argument has a shape that the function cannot take.
class ShapeError : public Error {
 public:
  using Error::Error;
};

/// An argument has a dtype that the function cannot take.
class DTypeError : public Error {
 public:
  using Error::Error;
};

/// An argument has a value outside the function's domain (lo >= hi, p > 1, ...).
class ValueError : public Error {
 public:
  using Error::Error;
};

/// The same random key was consumed twice (see pure::random::set_debug_key_reuse).
class KeyReuseError : public Error {
 public:
  using Error::Error;
};

/// A traced value was asked for its elements (to_host, item, data) while tracing.
class ConcretizationError : public Error {
 public:
  using Error::Error;
};

/// A primitive produced NaN or Inf while the NaN check is on (PURE_DEBUG_NANS).
class FloatingPointError : public Error {
 public:
  using Error::Error;
};

/// Memory for a result could not be had: the byte count overflows 64 bits, is
/// more than the memory space holds, or the allocation failed. The message names
/// the operation (the allocation's label), the dtype and shape, and the bytes:
///   pure::zeros: cannot allocate float32 (1000000000000,) = 4000000000000 bytes: ...
/// (An element count that overflows int64 is a ShapeError, raised by Shape.)
class ResourceError : public Error {
 public:
  using Error::Error;
};

/// Kokkos was not initialised, or was finalised while arrays were alive.
class RuntimeError : public Error {
 public:
  using Error::Error;
};

}  // namespace pure
