// Errors thrown by pure. Every message names the function, the argument and the
// shapes or dtypes involved, e.g.
//   pure::from_host: argument 'shape' (3,4) needs 12 elements, got 10
#pragma once

#include <stdexcept>
#include <string>

namespace pure {

/// Base of every error pure throws; catch this to catch them all.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
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
