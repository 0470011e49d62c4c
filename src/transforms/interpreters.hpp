// Interpreters private to the transforms layer.
#pragma once

#include <utility>

#include <pure/ir/interpreter.hpp>

namespace pure::transforms {

/// Forward-mode interpreter: its tracers carry (primal, tangent). A value
/// that is not its own tracer has a zero tangent (this tagging is what keeps
/// nested derivatives apart).
class JvpInterpreter : public ir::Interpreter {
 public:
  using ir::Interpreter::Interpreter;
  std::vector<Array> process(const ir::Primitive& prim, const std::vector<Array>& args,
                             const ir::Params& params) override;
  /// A dual value; returns `primal` itself when the tangent is zero.
  Array pack(const Array& primal, const Array& tangent) const;
  /// (primal, tangent) of x; tangent empty (zero) if x is not this interpreter's.
  std::pair<Array, Array> unpack(const Array& x) const;
};

}  // namespace pure::transforms
