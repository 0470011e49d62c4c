// Staging: an interpreter that records primitive applications into a Program.
#pragma once

#include <memory>
#include <vector>

#include <pure/ir/interpreter.hpp>
#include <pure/ir/program.hpp>

namespace pure::ir {

/// Records every primitive applied to its own tracers; applications whose
/// inputs are all constants (with respect to this builder) are evaluated right
/// away by the parent interpreter, so only what depends on the inputs is staged.
/// Values from outside that the staged equations use become constvars.
class Builder : public Interpreter {
 public:
  explicit Builder(std::shared_ptr<Interpreter> parent);
  ~Builder() override;

  /// A new program input of the given type, as a tracer of this builder.
  Array new_input(const Aval& aval);
  std::vector<Array> process(const Primitive& prim, const std::vector<Array>& args, const Params& params) override;
  /// Closes the program with these outputs. An output that is not a tracer of
  /// this builder becomes a constvar (or a literal for scalars).
  Program finish(const std::vector<Array>& outs);
  /// True if `a` is a tracer of this builder.
  bool owns(const Array& a) const;

 private:
  Atom atom_for(const Array& a);
  int new_var(const Aval& aval);
  Program program_;
  struct ConstId {
    const void* id;  // tracer or storage address of a captured outside value
    int var;
  };
  std::vector<ConstId> const_ids_;
  bool finished_ = false;
};

/// Traces `f` on abstract inputs of the given types and returns the program.
Program trace_program(const std::function<std::vector<Array>(const std::vector<Array>&)>& f,
                      const std::vector<Aval>& in_avals);

}  // namespace pure::ir
