// The non-template part of pure::jit: signatures, the cache, the pass
// pipeline, the compile log and lower() text.
#include <pure/ir/builder.hpp>
#include <pure/ir/interpreter.hpp>
#include <pure/ir/passes.hpp>
#include <pure/transforms/flat.hpp>
#include <pure/transforms/jit.hpp>

#include <cstdlib>
#include <cstring>
#include <iostream>

namespace pure::detail::jit {
namespace {

bool log_compiles() {
  const char* v = std::getenv("PURE_LOG_COMPILES");
  return v != nullptr && *v != '\0' && std::strcmp(v, "0") != 0;
}

// The tree text without its first line (the C++ type name, mangled).
std::string tree_part(const std::string& text) {
  const auto nl = text.find('\n');
  std::string s = nl == std::string::npos ? text : text.substr(nl + 1);
  while (!s.empty() && s.back() == '\n') s.pop_back();
  for (char& c : s) {
    if (c == '\n') c = ';';
  }
  return s;
}

std::string argument_text(const Signature& sig, std::size_t i) {
  return sig.statics[i] ? "static " + sig.statics[i]->str() : tree_part(sig.trees[i]);
}

}  // namespace

bool Signature::operator==(const Signature& o) const {
  if (hash != o.hash || trees != o.trees || statics.size() != o.statics.size()) return false;
  for (std::size_t i = 0; i < statics.size(); ++i) {
    const bool a = statics[i] != nullptr, b = o.statics[i] != nullptr;
    if (a != b || (a && !statics[i]->equals(*o.statics[i]))) return false;
  }
  return true;
}

std::string Signature::difference_from(const Signature& before) const {
  if (trees.size() != before.trees.size()) {
    return std::to_string(before.trees.size()) + " arguments -> " + std::to_string(trees.size());
  }
  for (std::size_t i = 0; i < trees.size(); ++i) {
    const bool same_kind = (statics[i] != nullptr) == (before.statics[i] != nullptr);
    const bool same = same_kind && (statics[i] ? statics[i]->equals(*before.statics[i]) : trees[i] == before.trees[i]);
    if (!same) {
      const bool same_type = !statics[i] && same_kind && tree_part(trees[i]) == tree_part(before.trees[i]);
      return "argument " + std::to_string(i) + ": " + argument_text(before, i) + " -> " + argument_text(*this, i) +
             (same_type ? " (another C++ type)" : "");
    }
  }
  return "(no difference)";
}

std::shared_ptr<const Executable> Cache::find(const Signature& sig) const {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& [s, exe] : entries_) {
    if (s == sig) return exe;
  }
  return nullptr;
}

std::shared_ptr<const Executable> Cache::insert(const Signature& sig, ir::Program traced,
                                                std::shared_ptr<const void> result_structure) {
  auto exe = std::make_shared<Executable>();
  exe->program = optimize(traced, name_);
  exe->for_transforms = ir::eliminate_dead_code(ir::inline_jit_calls(traced));
  exe->result_structure = std::move(result_structure);
  exe->call_params = ir::Params{{"name", name_},
                                {"jaxpr", ir::SubProgram{std::make_shared<const ir::Program>(exe->for_transforms),
                                                         std::make_shared<const ir::Program>(exe->program)}}};
  // f captured a value traced by an enclosing transform (e.g. a weight inside
  // grad): that program is only valid during this call, so it is not cached.
  bool cacheable = true;
  for (const Array& c : traced.consts) cacheable = cacheable && !c.is_tracer();
  std::lock_guard<std::mutex> lock(mutex_);
  if (!cacheable) {
    ++traces_;
    return exe;
  }
  // Another thread may have traced the same signature meanwhile: keep the first.
  for (const auto& [s, e] : entries_) {
    if (s == sig) return e;
  }
  ++traces_;
  if (log_compiles()) {
    std::string why = "first call";
    if (!entries_.empty()) why = sig.difference_from(entries_.back().first);
    std::cerr << "pure::jit: tracing '" << name_ << "' (trace " << traces_ << "): " << why << "; "
              << exe->program.eqns.size() << " equations after passes (" << traced.eqns.size() << " traced)\n";
  }
  entries_.emplace_back(sig, exe);
  return exe;
}

std::size_t Cache::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return entries_.size();
}

std::size_t Cache::traces() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return traces_;
}

ir::Program optimize(const ir::Program& program, const std::string& name) {
  // CSE can leave equations unused (a duplicate's consumers now read the
  // first copy), so dead code runs before and after it; fusion comes last,
  // on the final set of equations.
  ir::Program p =
      ir::eliminate_common_subexpressions(ir::simplify(ir::eliminate_dead_code(ir::inline_jit_calls(program))));
  p = ir::fuse_elementwise(ir::eliminate_dead_code(p), "pure::jit::" + name);
#ifndef NDEBUG
  p.typecheck();
#endif
  return p;
}

std::string lower_text(const std::string& name, const Signature& sig, const ir::Program& program) {
  std::string s = "pure::jit '" + name + "'\n  arguments:";
  for (std::size_t i = 0; i < sig.trees.size(); ++i) s += "\n    " + std::to_string(i) + ": " + argument_text(sig, i);
  std::size_t fused = 0;
  for (const ir::Eqn& e : program.eqns) fused += e.prim->name == "fused" ? 1 : 0;
  s += "\n  passes: inline jit calls, dead code, simplify, common subexpressions, dead code, elementwise fusion\n  "
       "program (" +
       std::to_string(program.eqns.size()) + " kernels, " + std::to_string(fused) +
       " of them fused groups, shown with their instructions):\n" + program.str() + "\n";
  return s;
}

std::vector<Array> run(const Executable& exe, const std::vector<Array>& leaves) {
  // The optimised program (fused kernels) only runs as it is: under a transform
  // (a traced leaf, a traced capture, or a call staged into an outer trace)
  // the transform sees the equations that it knows how to transform.
  const std::shared_ptr<ir::Interpreter>& current = ir::current_interpreter();
  bool concrete = !current->parent();
  bool traced_capture = false;
  for (const Array& a : leaves) concrete = concrete && !a.is_tracer();
  for (const Array& c : exe.for_transforms.consts) traced_capture = traced_capture || c.is_tracer();
  if (concrete && !traced_capture) return ir::eval_program(exe.program, leaves);
  // Staged into an outer trace: one `jit` equation, printed nested.
  if (!traced_capture && dynamic_cast<ir::Builder*>(current.get()) != nullptr) {
    return ir::bind(jit_primitive(), leaves, exe.call_params);
  }
  // Under jvp, grad and the like the equations are differentiated one by one
  // (what the jit primitive's JVP rule would do, without running f twice).
  return ir::eval_program(exe.for_transforms, leaves);
}

namespace {

const ir::SubProgram& jaxpr_of(const ir::Params& params) { return params.get<ir::SubProgram>("jaxpr"); }

const ir::Primitive& jit_p = ir::register_primitive([] {
  ir::Primitive p;
  p.name = "jit";
  p.abstract_eval = [](const std::vector<ir::Aval>& in, const ir::Params& params) {
    const ir::Program& program = *jaxpr_of(params).program;
    for (std::size_t k = 0; k < in.size() && k < program.invars.size(); ++k) {
      ir::check_type(in[k], program.avals[static_cast<std::size_t>(program.invars[k])],
                     "pure::jit '" + params.get<std::string>("name") + "': argument " + std::to_string(k));
    }
    if (in.size() != program.invars.size()) {
      throw ValueError("pure::jit '" + params.get<std::string>("name") + "': " + std::to_string(in.size()) +
                       " arguments for a program of " + std::to_string(program.invars.size()));
    }
    std::vector<ir::Aval> out;
    for (const ir::Atom& a : program.outs)
      out.push_back(a.is_literal() ? ir::Aval::of(a.literal) : program.avals[static_cast<std::size_t>(a.var)]);
    return out;
  };
  p.impl = [](const std::vector<Array>& in, const ir::Params& params) {
    return ir::eval_program(*static_cast<const ir::Program*>(jaxpr_of(params).compiled.get()), in);
  };
  // JAX's rule jits the JVP of the program; here the JVP is traced inline.
  p.jvp = [](const std::vector<Array>& primals, const std::vector<Array>& tangents, const std::vector<Array>&,
             const ir::Params& params) {
    const std::shared_ptr<const ir::Program> program = jaxpr_of(params).program;
    const FlatFn f = [program](const std::vector<Array>& in) { return ir::eval_program(*program, in); };
    return jvp_flat(f, primals, tangents).second;
  };
  return p;
}());

}  // namespace

const ir::Primitive& jit_primitive() { return jit_p; }

}  // namespace pure::detail::jit
