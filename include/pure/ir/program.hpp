// The traced program (a jaxpr): typed variables, equations, outputs.
#pragma once

#include <string>
#include <vector>

#include <pure/core/array.hpp>
#include <pure/ir/aval.hpp>
#include <pure/ir/params.hpp>
#include <pure/ir/primitive.hpp>

namespace pure::ir {

/// An operand of an equation: a variable of the program or a literal scalar.
struct Atom {
  int var = -1;   // index into Program::avals, or -1 for a literal
  Array literal;  // concrete rank-0 value when var < 0
  bool is_literal() const { return var < 0; }
};

/// One primitive application: outputs = prim[params](inputs).
struct Eqn {
  const Primitive* prim = nullptr;
  std::vector<Atom> inputs;
  Params params;
  std::vector<int> outputs;
};

/// A program in A-normal form, as jax.make_jaxpr prints it:
///   { lambda a:f32[3]; b:f32[3]. let c:f32[3] = mul a b in (c,) }
/// `constvars` are values captured from outside the traced function (bound to
/// `consts`); `invars` are the function's inputs.
struct Program {
  std::vector<Aval> avals;  // type of each variable, by index
  std::vector<int> constvars;
  std::vector<Array> consts;
  std::vector<int> invars;
  std::vector<Eqn> eqns;
  std::vector<Atom> outs;

  std::string str() const;
  /// Checks every equation against its primitive's shape/dtype rule and that
  /// every variable is defined once before use; throws pure::Error naming the
  /// equation. Run after every transform in debug builds.
  void typecheck() const;
};

std::ostream& operator<<(std::ostream& os, const Program& p);

/// Runs `program` on `args` by binding each equation in order, so evaluating a
/// program under an active transform transforms it.
std::vector<Array> eval_program(const Program& program, const std::vector<Array>& args);

}  // namespace pure::ir
