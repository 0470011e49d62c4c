// The non-template part of pure::jit: signatures, the cache, the pass
// pipeline, the compile log and lower() text.
#include <pure/ir/interpreter.hpp>
#include <pure/ir/passes.hpp>
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
  exe->for_transforms = ir::eliminate_dead_code(traced);
  exe->result_structure = std::move(result_structure);
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
  ir::Program p = ir::eliminate_common_subexpressions(ir::simplify(ir::eliminate_dead_code(program)));
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
  s += "\n  passes: dead code, simplify, common subexpressions, dead code, elementwise fusion\n  program (" +
       std::to_string(program.eqns.size()) + " kernels, " + std::to_string(fused) +
       " of them fused groups, shown with their instructions):\n" + program.str() + "\n";
  return s;
}

std::vector<Array> run(const Executable& exe, const std::vector<Array>& leaves) {
  // The optimised program (fused kernels) only runs as it is: under a transform
  // (a traced leaf, a traced capture, or a call staged into an outer trace)
  // the transform sees the equations that it knows how to transform.
  bool concrete = !ir::current_interpreter()->parent();
  for (const Array& a : leaves) concrete = concrete && !a.is_tracer();
  for (const Array& c : exe.for_transforms.consts) concrete = concrete && !c.is_tracer();
  return ir::eval_program(concrete ? exe.program : exe.for_transforms, leaves);
}

}  // namespace pure::detail::jit
