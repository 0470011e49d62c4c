#include <pure/ir/interpreter.hpp>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>

namespace pure::ir {

Interpreter::~Interpreter() = default;

namespace {

// Evaluation: runs the primitive's kernel on concrete arrays. It is the root of
// every interpreter chain; meeting a tracer here means one escaped its transform.
class EvalInterpreter : public Interpreter {
 public:
  EvalInterpreter() : Interpreter(nullptr) {}
  std::vector<Array> process(const Primitive& prim, const std::vector<Array>& args, const Params& params) override {
    for (std::size_t k = 0; k < args.size(); ++k) {
      if (args[k].is_tracer()) {
        throw Error("pure::" + prim.name + ": argument " + std::to_string(k) +
                    " is a traced value that escaped the transform that made it (a tracer leaked out of "
                    "grad/jvp/vjp/make_program, e.g. stored in a variable captured by reference)");
      }
    }
    if (!prim.impl) throw Error("pure::" + prim.name + ": primitive has no kernel");
    abstract_eval(prim, args, params);  // validates shapes and dtypes with a clear error
    std::vector<Array> outs = prim.impl(args, params);
    if (debug_nans()) check_finite(prim, outs);
    return outs;
  }

 private:
  static void check_finite(const Primitive& prim, const std::vector<Array>& outs) {
    for (std::size_t k = 0; k < outs.size(); ++k) {
      const Array& o = outs[k];
      bool bad = false;
      if (o.dtype() == DType::f32) {
        for (float v : o.to_host<float>()) bad = bad || !std::isfinite(v);
      } else if (o.dtype() == DType::f64) {
        for (double v : o.to_host<double>()) bad = bad || !std::isfinite(v);
      }
      if (bad) {
        // Inside a numpy-surface function its error context comes first:
        // "pure::softmax: primitive 'exp' produced NaN or Inf ...".
        const std::string who =
            ErrorContext::current() != nullptr ? "primitive '" + prim.name + "'" : "pure::" + prim.name + ":";
        throw FloatingPointError(who + " produced NaN or Inf in output " + std::to_string(k) + " of shape " +
                                 o.shape().str() + " (PURE_DEBUG_NANS is on)");
      }
    }
  }
};

std::shared_ptr<Interpreter>& current_slot() {
  thread_local std::shared_ptr<Interpreter> current = std::make_shared<EvalInterpreter>();
  return current;
}

bool env_flag(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' && std::strcmp(v, "0") != 0;
}

// Atomic: every eager primitive on every thread reads it while set_debug_nans may write it.
std::atomic<bool>& nans_flag() {
  static std::atomic<bool> on{env_flag("PURE_DEBUG_NANS")};
  return on;
}

}  // namespace

const std::shared_ptr<Interpreter>& current_interpreter() { return current_slot(); }

InterpreterGuard::InterpreterGuard(std::shared_ptr<Interpreter> interp) : previous_(std::move(current_slot())) {
  current_slot() = std::move(interp);
}
InterpreterGuard::~InterpreterGuard() { current_slot() = std::move(previous_); }

std::vector<Array> bind(const Primitive& prim, const std::vector<Array>& args, const Params& params) {
  // Checked here, under every interpreter: inside a transform an empty Array
  // would otherwise pass for a symbolic zero tangent and give zeros back.
  for (std::size_t k = 0; k < args.size(); ++k) {
    if (!args[k].valid()) {
      throw ValueError("pure::" + prim.name + ": argument " + std::to_string(k) +
                       " is an empty (default-constructed) Array");
    }
  }
  // Hold a reference: the interpreter may swap the current slot while it runs.
  std::shared_ptr<Interpreter> interp = current_slot();
  return interp->process(prim, args, params);
}

Array bind1(const Primitive& prim, const std::vector<Array>& args, const Params& params) {
  std::vector<Array> outs = bind(prim, args, params);
  return std::move(outs.at(0));
}

std::vector<Aval> abstract_eval(const Primitive& prim, const std::vector<Array>& args, const Params& params) {
  std::vector<Aval> in;
  in.reserve(args.size());
  for (const Array& a : args) in.push_back(Aval::of(a));
  return prim.abstract_eval(in, params);
}

void set_debug_nans(bool on) { nans_flag().store(on); }
bool debug_nans() { return nans_flag().load(); }

}  // namespace pure::ir
