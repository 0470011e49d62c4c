// Dispatch: every primitive application goes through bind(), which hands it
// to the current interpreter (evaluation, JVP, staging, ...). The current
// interpreter is thread-local and set by RAII guards; each interpreter runs
// its rules under its parent, so transforms nest (Autodidax2's design).
#pragma once

#include <memory>
#include <vector>

#include <pure/core/array.hpp>
#include <pure/ir/primitive.hpp>

namespace pure::ir {

class Interpreter {
 public:
  explicit Interpreter(std::shared_ptr<Interpreter> parent) : parent_(std::move(parent)) {}
  virtual ~Interpreter();
  Interpreter(const Interpreter&) = delete;
  Interpreter& operator=(const Interpreter&) = delete;

  /// Applies `prim` to `args` (which may hold tracers of any interpreter).
  virtual std::vector<Array> process(const Primitive& prim, const std::vector<Array>& args, const Params& params) = 0;
  const std::shared_ptr<Interpreter>& parent() const { return parent_; }

 private:
  std::shared_ptr<Interpreter> parent_;
};

/// The interpreter ops dispatch to on this thread (evaluation when no transform is active).
const std::shared_ptr<Interpreter>& current_interpreter();

/// Makes `interp` current for its lifetime, then restores the previous one.
class InterpreterGuard {
 public:
  explicit InterpreterGuard(std::shared_ptr<Interpreter> interp);
  ~InterpreterGuard();
  InterpreterGuard(const InterpreterGuard&) = delete;
  InterpreterGuard& operator=(const InterpreterGuard&) = delete;

 private:
  std::shared_ptr<Interpreter> previous_;
};

/// Applies a primitive through the current interpreter: the one path for eager
/// calls and every transform.
std::vector<Array> bind(const Primitive& prim, const std::vector<Array>& args, const Params& params = {});
/// bind() for single-output primitives.
Array bind1(const Primitive& prim, const std::vector<Array>& args, const Params& params = {});

/// Output avals of prim on args (runs the shape/dtype rule).
std::vector<Aval> abstract_eval(const Primitive& prim, const std::vector<Array>& args, const Params& params);

/// Debug mode (like jax_debug_nans): after every eager primitive, check float
/// outputs for NaN/Inf and throw FloatingPointError naming the primitive. Initially
/// on iff the environment variable PURE_DEBUG_NANS is set to a non-"0" value.
void set_debug_nans(bool on);
bool debug_nans();

}  // namespace pure::ir
