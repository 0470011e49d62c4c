// Rule factories for families of primitives (as jax's standard_unop,
// defvectorized, defbroadcasting): one call defines a whole elementwise
// primitive from its Op kernel and its JVP written with lax ops.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <pure/core/creation.hpp>
#include <pure/ir/interpreter.hpp>
#include <pure/ir/primitive.hpp>
#include <pure/ops/lax.hpp>

#include "kernels.hpp"

namespace pure::ops::detail {

using Arrays = std::vector<Array>;
using ir::Aval;
using ir::Params;

/// "(0,1)" / "(2,)" as jax prints integer tuples, for error messages.
inline std::string ints_text(const std::vector<std::int64_t>& v) {
  std::string s = "(";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
  return s + (v.size() == 1 ? ",)" : ")");
}

/// Index conversion for std::vector subscripts.
inline std::size_t uz(std::int64_t i) { return static_cast<std::size_t>(i); }

inline const char* types_text(Types t) {
  return t == Types::floating ? "float32 or float64" : t == Types::numeric ? "a numeric dtype" : "any dtype";
}

inline bool dtype_ok(Types t, DType d) {
  if (t == Types::floating) return is_floating(d);
  if (t == Types::numeric) return d != DType::boolean;
  return true;
}

inline void check_dtype(const std::string& name, Types t, const Aval& a, const char* arg) {
  if (!dtype_ok(t, a.dtype)) {
    throw DTypeError("pure::" + name + ": argument '" + arg + "' must have " + types_text(t) + ", got " + a.str());
  }
}

inline void check_same(const std::string& name, const Aval& x, const Aval& y) {
  if (x.dtype != y.dtype) {
    throw DTypeError("pure::" + name + ": operands must have equal dtypes, got " + x.str() + " and " + y.str() +
                     " (pure::lax ops do not promote; the numpy-like functions do)");
  }
  if (x != y) {
    throw ShapeError("pure::" + name + ": operands must have equal shapes and dtypes, got " + x.str() + " and " +
                     y.str() + " (pure::lax ops do not broadcast; the numpy-like pure::" + name + " does)");
  }
}

/// Tangent rule of a unary op given (x, t, y): only called with a nonzero t.
using UnaryJvp = Array (*)(const Array& x, const Array& t, const Array& y, const Params& params);

/// An elementwise unary primitive (to be registered): output has the input's aval.
template <Types types, class Op>
ir::Primitive make_unary(const std::string& name, Op op, UnaryJvp jvp) {
  ir::Primitive p;
  p.name = name;
  p.abstract_eval = [name](const std::vector<Aval>& in, const Params&) {
    check_dtype(name, types, in.at(0), "x");
    return std::vector<Aval>{in[0]};
  };
  const std::string label = "pure::" + name;
  p.impl = [label, op](const Arrays& in, const Params& params) -> Arrays {
    Op o = op;
    o.configure(params);
    return {map_unary<types>(in[0], o, label.c_str())};
  };
  p.block_kernel = [op](const std::vector<Aval>& in, const Params& params) -> ir::Primitive::BlockKernel {
    if (in.size() != 1 || !dtype_ok(types, in[0].dtype)) return {};
    Op o = op;
    o.configure(params);
    return dispatch<types>(in[0].dtype, "block_kernel", [&](auto tag) -> ir::Primitive::BlockKernel {
      using T = decltype(tag);
      return [o](const void* const* x, void* out, std::int64_t n, HostSimd level) {
        unary_block<T, T, Op>(o, x, out, n, level);
      };
    });
  };
  if (jvp != nullptr) {
    p.jvp = [jvp](const Arrays& x, const Arrays& t, const Arrays& y, const Params& params) -> Arrays {
      if (ir::is_zero(t[0])) return {Array()};
      return {jvp(x[0], t[0], y[0], params)};
    };
  }
  return p;
}

/// Tangent rule of a binary op: given (x, y, tx, ty, out), tx or ty may be zero (not both).
using BinaryJvp = Array (*)(const Array& x, const Array& y, const Array& tx, const Array& ty, const Array& out);

/// An elementwise binary primitive on equal avals; output has the same aval
/// (or boolean for comparisons).
template <Types types, bool to_bool = false, class Op>
ir::Primitive make_binary(const std::string& name, Op op, BinaryJvp jvp) {
  ir::Primitive p;
  p.name = name;
  p.abstract_eval = [name](const std::vector<Aval>& in, const Params&) {
    check_dtype(name, types, in.at(0), "x");
    check_dtype(name, types, in.at(1), "y");
    check_same(name, in[0], in[1]);
    return std::vector<Aval>{to_bool ? Aval{in[0].shape, DType::boolean} : in[0]};
  };
  const std::string label = "pure::" + name;
  p.impl = [label, op](const Arrays& in, const Params&) -> Arrays {
    return {map_binary<types, to_bool>(in[0], in[1], op, label.c_str())};
  };
  p.block_kernel = [op](const std::vector<Aval>& in, const Params&) -> ir::Primitive::BlockKernel {
    if (in.size() != 2 || in[0].dtype != in[1].dtype || !dtype_ok(types, in[0].dtype)) return {};
    return dispatch<types>(in[0].dtype, "block_kernel", [&](auto tag) -> ir::Primitive::BlockKernel {
      using T = decltype(tag);
      using R = std::conditional_t<to_bool, bool, T>;
      return [op](const void* const* xy, void* out, std::int64_t n, HostSimd level) {
        binary_block<T, R, Op>(op, xy, out, n, level);
      };
    });
  };
  if (to_bool) {
    p.jvp = [](const Arrays&, const Arrays&, const Arrays&, const Params&) -> Arrays { return {Array()}; };
  } else if (jvp != nullptr) {
    p.jvp = [jvp](const Arrays& x, const Arrays& t, const Arrays& y, const Params&) -> Arrays {
      if (ir::is_zero(t[0]) && ir::is_zero(t[1])) return {Array()};
      return {jvp(x[0], x[1], t[0], t[1], y[0])};
    };
  }
  return p;
}

/// A constant of x's shape and dtype.
inline Array full_like(const Array& x, double value) { return pure::full(x.shape(), value, x.dtype()); }

/// Adds two tangents where either may be a symbolic zero.
inline Array add_tangents(const Array& a, const Array& b) {
  if (ir::is_zero(a)) return b;
  if (ir::is_zero(b)) return a;
  return lax::add(a, b);
}

/// Ops without parameters use this as their Op base.
struct NoParams {
  void configure(const Params&) {}
};

}  // namespace pure::ops::detail
