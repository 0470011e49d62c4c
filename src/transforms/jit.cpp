// The non-template part of pure::jit: signatures, the cache, the pass
// pipeline, the compile log, lower() text, the `jit` primitive, and the
// executor with its memory plan and donation (docs/jit.md).
#include <pure/ir/builder.hpp>
#include <pure/ir/interpreter.hpp>
#include <pure/ir/passes.hpp>
#include <pure/transforms/flat.hpp>
#include <pure/transforms/jit.hpp>

#include <algorithm>
#include <atomic>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>

#include "core/memory_plan.hpp"
#include "ir/fused.hpp"

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

// The memory plan of one executable: made by its first concrete call (under
// `busy`), read by later ones. One call at a time uses the arena.
struct MemoryState {
  std::atomic<bool> busy{false};
  bool planned = false;
  std::shared_ptr<const pure::detail::ArenaPlan> plan;
  pure::detail::Block arena;
  std::mutex text_mutex;  // memory_plan() may read while a call runs
  std::shared_ptr<const pure::detail::ArenaPlan> published;
  std::vector<std::size_t> published_slots;  // per donor slot: the leaf
  std::vector<bool> usable_at_record;        // per donor slot
  bool rerecorded = false;                   // once, for donors usable only later
  // How fused groups ran when recording: the other mode allocates in another
  // order and allows other in-place outputs, so it records again.
  ir::FusedExecution recorded_mode = ir::FusedExecution::automatic;
};

namespace {

// Per variable, the last equation that reads it; program outputs are never
// dropped (INT_MAX), unread equation outputs are dropped at once (-1).
std::vector<int> last_uses(const ir::Program& p) {
  std::vector<int> last(p.avals.size(), -1);
  for (std::size_t k = 0; k < p.eqns.size(); ++k) {
    for (const ir::Atom& a : p.eqns[k].inputs) {
      if (!a.is_literal()) last[static_cast<std::size_t>(a.var)] = static_cast<int>(k);
    }
  }
  for (const ir::Atom& a : p.outs) {
    if (!a.is_literal()) last[static_cast<std::size_t>(a.var)] = INT_MAX;
  }
  return last;
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
  exe->last_use = last_uses(exe->program);
  for (std::size_t k = 0; k < exe->program.eqns.size(); ++k) {
    exe->regions.push_back("pure::jit::" + name_ + "::" + std::to_string(k) + ":" + exe->program.eqns[k].prim->name);
  }
  exe->memory = std::make_shared<MemoryState>();
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

namespace {

using pure::detail::AllocationRecord;
using pure::detail::ArenaPlan;
using pure::detail::ArrayAccess;
using pure::detail::Buffer;

// Primitives whose kernels write output element i from operand elements i
// only: an output may take the memory of an operand of its shape (in place).
// Fused groups qualify too (all their outputs have one shape): a fused kernel
// whose output shares an input's memory writes each block's outputs after the
// block's last read.
// (Not a fused equation whose group runs as eager kernels, one per equation:
// an output allocated early could take a donor a later equation still reads.)
bool is_elementwise(const ir::Eqn& e) {
  if (e.prim->name == "fused") return ir::detail::fused_runs_in_one_kernel(e.params);
  return static_cast<bool>(e.prim->block_kernel);
}

// Binds each equation in order and drops each value after its last use, so
// intermediates die as early as possible. `before(k, eqn, operands)` runs
// before equation k.
template <class Before>
std::vector<Array> execute(const Executable& exe, const std::vector<Array>& leaves, Before&& before) {
  const ir::Program& p = exe.program;
  if (leaves.size() != p.invars.size()) {
    throw Error("pure::jit: the program takes " + std::to_string(p.invars.size()) + " inputs, got " +
                std::to_string(leaves.size()));
  }
  std::vector<Array> env(p.avals.size());
  for (std::size_t i = 0; i < p.constvars.size(); ++i) env[static_cast<std::size_t>(p.constvars[i])] = p.consts[i];
  for (std::size_t i = 0; i < leaves.size(); ++i) env[static_cast<std::size_t>(p.invars[i])] = leaves[i];
  const auto read = [&](const ir::Atom& a) {
    return a.is_literal() ? a.literal : env[static_cast<std::size_t>(a.var)];
  };
  for (std::size_t k = 0; k < p.eqns.size(); ++k) {
    const ir::Eqn& e = p.eqns[k];
    std::vector<Array> in;
    in.reserve(e.inputs.size());
    for (const ir::Atom& a : e.inputs) in.push_back(read(a));
    before(static_cast<int>(k), e, static_cast<const std::vector<Array>&>(in));
    std::vector<Array> out;
    {
      // Kokkos Tools (profilers, the tests) see every kernel inside its equation's region.
      struct Region {
        explicit Region(const std::string& name) { Kokkos::Profiling::pushRegion(name); }
        ~Region() { Kokkos::Profiling::popRegion(); }
      } region(exe.regions[k]);
      out = ir::bind(*e.prim, in, e.params);
    }
    in.clear();
    for (std::size_t i = 0; i < out.size(); ++i) {
      const auto v = static_cast<std::size_t>(e.outputs[i]);
      if (exe.last_use[v] >= 0) env[v] = std::move(out[i]);
    }
    out.clear();
    for (const ir::Atom& a : e.inputs) {
      if (!a.is_literal() && exe.last_use[static_cast<std::size_t>(a.var)] == static_cast<int>(k)) {
        env[static_cast<std::size_t>(a.var)] = Array();
      }
    }
  }
  std::vector<Array> outs;
  outs.reserve(p.outs.size());
  for (const ir::Atom& a : p.outs) outs.push_back(read(a));
  return outs;
}

// The leaves of the donated arguments, one slot each, and whether each may
// give its memory away in this call: a plain array whose buffer no other
// argument leaf and no constant of the program holds.
struct Donors {
  std::vector<std::size_t> leaf;
  std::vector<const Buffer*> root;
  std::vector<bool> usable;
};

Donors donors_of(const Cache& cache, const ir::Program& p, const std::vector<Array>& leaves,
                 const std::vector<std::size_t>& leaf_ends) {
  Donors d;
  std::vector<int> args = cache.donated();
  std::sort(args.begin(), args.end());
  args.erase(std::unique(args.begin(), args.end()), args.end());
  for (int a : args) {
    const std::size_t begin = a == 0 ? 0 : leaf_ends[static_cast<std::size_t>(a) - 1];
    for (std::size_t l = begin; l < leaf_ends[static_cast<std::size_t>(a)]; ++l) d.leaf.push_back(l);
  }
  if (d.leaf.empty()) return d;
  std::map<const Buffer*, int> holders;
  for (const Array& x : leaves) ++holders[ArrayAccess::root_buffer(x)];
  for (const Array& c : p.consts) {
    const Buffer* root = ArrayAccess::root_buffer(c);
    ++holders[root];
    // The cached program reads its captured arrays on every later call: a
    // donated one would fail them all, far from the cause. Refuse now, by name.
    for (int a : args) {
      const std::size_t begin = a == 0 ? 0 : leaf_ends[static_cast<std::size_t>(a) - 1];
      for (std::size_t l = begin; l < leaf_ends[static_cast<std::size_t>(a)]; ++l) {
        if (root != nullptr && ArrayAccess::root_buffer(leaves[l]) == root) {
          throw ValueError("pure::jit '" + cache.name() + "': argument " + std::to_string(a) +
                           " is donated, but the function also captures the same array (a lambda capture or a "
                           "global), which the compiled function reads on every call; pass it only as an "
                           "argument, or do not donate it");
        }
      }
    }
  }
  for (std::size_t l : d.leaf) {
    const Array& x = leaves[l];
    const Buffer* root = ArrayAccess::root_buffer(x);
    d.root.push_back(root);
    d.usable.push_back(root != nullptr && ArrayAccess::own_buffer(x) != nullptr && holders[root] == 1 &&
                       root->bytes.extent(0) == x.nbytes());
  }
  return d;
}

// Outputs must not share a donated buffer, which is poisoned next: they get
// the memory under a new buffer (a broadcast view is written out).
void detach_outputs(std::vector<Array>& outs, const Donors& d) {
  std::map<const Buffer*, std::shared_ptr<const Buffer>> moved;
  for (Array& o : outs) {
    const Buffer* root = ArrayAccess::root_buffer(o);
    if (root == nullptr || std::find(d.root.begin(), d.root.end(), root) == d.root.end()) continue;
    if (o.is_broadcast_view()) {
      o = ArrayAccess::written_out(o);
      continue;
    }
    std::shared_ptr<const Buffer>& b = moved[root];
    if (!b) b = std::make_shared<const Buffer>(root->block, root->bytes.extent(0), true);
    o = ArrayAccess::make(b, o.shape(), o.dtype());
  }
  for (const auto& [root, b] : moved) {
    root->block = pure::detail::Block();
    root->bytes = pure::detail::Block();
  }
}

// After every call, donated or not: each donated leaf (every copy) throws when
// used; a buffer whose block went to an output lets go of it.
void poison_donated(const std::vector<Array>& leaves, const Donors& d, const std::vector<bool>& used,
                    const std::string& name) {
  if (d.leaf.empty()) return;
  const auto function = std::make_shared<const std::string>(name);
  for (std::size_t s = 0; s < d.leaf.size(); ++s) {
    ArrayAccess::poison(leaves[d.leaf[s]], function);
    if (s < used.size() && used[s]) {
      d.root[s]->block = pure::detail::Block();
      d.root[s]->bytes = pure::detail::Block();
    }
  }
}

std::string leaf_text(const Signature& sig, const std::vector<std::size_t>& leaf_ends, std::size_t leaf) {
  std::size_t arg = 0;
  while (arg < leaf_ends.size() && leaf >= leaf_ends[arg]) ++arg;
  if (arg >= sig.trees.size()) return "leaf " + std::to_string(leaf);
  const std::size_t index = leaf - (arg == 0 ? 0 : leaf_ends[arg - 1]);
  std::string lines = sig.trees[arg], path = "?";
  std::size_t start = 0;
  for (std::size_t line = 0; line <= index + 1 && start <= lines.size(); ++line) {
    const std::size_t end = std::min(lines.find('\n', start), lines.size());
    if (line == index + 1) path = lines.substr(start, lines.rfind(": ", end) - start);
    start = end + 1;
  }
  return "argument " + std::to_string(arg) + " leaf " + path;
}

// Marks `busy` for one call; a call that finds it taken runs without the arena.
struct Claim {
  std::atomic<bool>* flag = nullptr;
  explicit Claim(std::atomic<bool>& busy) {
    bool expected = false;
    if (busy.compare_exchange_strong(expected, true)) flag = &busy;
  }
  ~Claim() {
    if (flag) flag->store(false);
  }
  Claim(const Claim&) = delete;
  Claim& operator=(const Claim&) = delete;
};

// The first call: runs with every allocation recorded and, for each donated
// leaf, the last equation reading its buffer and whether that equation is
// elementwise on it; then plans the arena and which outputs take which donor.
std::vector<Array> record(const Executable& exe, const std::vector<Array>& leaves, const std::string& name,
                          const Donors& d, MemoryState& m) {
  const ir::Program& p = exe.program;
  const std::size_t slots = d.leaf.size();
  std::vector<int> last_read(slots, -1);
  std::vector<bool> in_place(slots, false);
  pure::detail::AllocationRecorder rec;
  std::vector<Array> outs;
  {
    const pure::detail::AllocationScopeGuard scope(&rec);
    outs = execute(exe, leaves, [&](int k, const ir::Eqn& e, const std::vector<Array>& in) {
      rec.set_equation(k);
      if (slots == 0) return;
      const bool elementwise = (e.outputs.size() == 1 || e.prim->name == "fused") && is_elementwise(e);
      for (const Array& a : in) {
        const Buffer* root = ArrayAccess::root_buffer(a);
        if (root == nullptr) continue;
        const bool direct =
            elementwise && !a.is_broadcast_view() && a.shape() == p.avals[static_cast<std::size_t>(e.outputs[0])].shape;
        for (std::size_t s = 0; s < slots; ++s) {
          if (root != d.root[s]) continue;
          in_place[s] = last_read[s] < k ? direct : in_place[s] && direct;
          last_read[s] = k;
        }
      }
    });
  }
  std::vector<AllocationRecord> records = rec.records();
  for (std::size_t i = 0; i < outs.size(); ++i) {
    const Buffer* root = ArrayAccess::root_buffer(outs[i]);
    const int seq = rec.sequence_of(root);
    if (seq >= 0 && records[static_cast<std::size_t>(seq)].output < 0) {
      records[static_cast<std::size_t>(seq)].output = static_cast<int>(i);
    }
    for (std::size_t s = 0; s < slots; ++s) {
      if (root != nullptr && root == d.root[s]) last_read[s] = INT_MAX;  // an output reads it after the call
    }
  }
  std::vector<bool> taken(slots, false);
  for (AllocationRecord& r : records) {
    if (r.intermediate() || r.output < 0) continue;
    for (std::size_t s = 0; s < slots; ++s) {
      const Array& x = leaves[d.leaf[s]];
      if (taken[s] || !d.usable[s] || x.nbytes() != r.bytes || x.dtype() != r.dtype) continue;
      // Nothing reads the donor after the output is made (or only the
      // elementwise equation making it, element by element: in place).
      if (last_read[s] < r.eqn || (last_read[s] == r.eqn && in_place[s])) {
        r.donor = static_cast<int>(s);
        taken[s] = true;
        break;
      }
    }
  }
  auto plan = std::make_shared<const ArenaPlan>(pure::detail::plan_arena(std::move(records)));
  m.arena = plan->arena_bytes == 0
                ? pure::detail::Block()
                : pure::detail::Block(Kokkos::view_alloc("pure::jit::" + name + "::arena", Kokkos::WithoutInitializing),
                                      plan->arena_bytes);
  m.plan = plan;
  m.planned = true;
  m.usable_at_record = d.usable;
  const std::lock_guard<std::mutex> lock(m.text_mutex);
  m.published = plan;
  m.published_slots = d.leaf;
  return outs;
}

}  // namespace

void check_call(const Cache& cache, const Signature& sig, const std::vector<Array>& leaves) {
  const std::string who = "pure::jit '" + cache.name() + "'";
  for (int i : cache.donated()) {
    if (i < 0 || static_cast<std::size_t>(i) >= sig.trees.size()) {
      throw ValueError(who + ": donate_args index " + std::to_string(i) +
                       " is out of range: the function was called with " + std::to_string(sig.trees.size()) +
                       " arguments");
    }
    if (sig.statics[static_cast<std::size_t>(i)]) {
      throw ValueError(who + ": donate_args index " + std::to_string(i) + " names a static argument (" +
                       sig.statics[static_cast<std::size_t>(i)]->str() + "): only trees of arrays can be donated");
    }
  }
  for (const Array& a : leaves) ArrayAccess::check_not_donated(a, who.c_str());
}

std::vector<Array> run(const Executable& exe, const std::vector<Array>& leaves, const Cache& cache,
                       const std::vector<std::size_t>& leaf_ends) {
  // The optimised program (fused kernels, memory plan, donation) runs only
  // outside transforms. Staged into an outer trace, a call is one `jit`
  // equation (printed nested); under jvp, grad and the like the transform sees
  // the program's own equations (the jit primitive's JVP rule, inline, without
  // running f twice). Nothing is donated under a transform.
  const std::shared_ptr<ir::Interpreter>& current = ir::current_interpreter();
  bool concrete = current->parent() == nullptr;
  bool traced_capture = false;
  for (const Array& a : leaves) concrete = concrete && !a.is_tracer();
  for (const Array& c : exe.for_transforms.consts) traced_capture = traced_capture || c.is_tracer();
  if (!concrete || traced_capture) {
    if (!traced_capture && dynamic_cast<ir::Builder*>(current.get()) != nullptr) {
      return ir::bind(jit_primitive(), leaves, exe.call_params);
    }
    return ir::eval_program(exe.for_transforms, leaves);
  }
  const auto no_hook = [](int, const ir::Eqn&, const std::vector<Array>&) {};
  MemoryState& m = *exe.memory;
  const Donors donors = donors_of(cache, exe.program, leaves, leaf_ends);
  std::vector<bool> used;
  std::vector<Array> outs;
  try {
    const Claim claim(m.busy);
    if (claim.flag != nullptr && m.planned && !m.rerecorded) {
      // A donor that could not give its memory when recording (a broadcast
      // view such as zeros(), or shared) has no planned output: record once more.
      for (std::size_t s = 0; s < donors.usable.size() && s < m.usable_at_record.size(); ++s) {
        if (donors.usable[s] && !m.usable_at_record[s]) m.planned = false;
      }
      m.rerecorded = !m.planned;
    }
    if (claim.flag != nullptr && m.planned && m.recorded_mode != ir::fused_execution()) {
      m.planned = false;
      m.arena = pure::detail::Block();
    }
    if (claim.flag == nullptr) {
      // Another call holds the arena: plain allocations (none recorded here either).
      const pure::detail::AllocationScopeGuard none(nullptr);
      outs = execute(exe, leaves, no_hook);
    } else if (!m.planned) {
      m.recorded_mode = ir::fused_execution();
      outs = record(exe, leaves, cache.name(), donors, m);
    } else {
      std::vector<std::shared_ptr<const Buffer>> give(donors.leaf.size());
      for (std::size_t s = 0; s < give.size(); ++s) {
        if (donors.usable[s]) give[s] = ArrayAccess::own_buffer(leaves[donors.leaf[s]]);
      }
      pure::detail::AllocationReplayer replay(*m.plan, m.arena, std::move(give));
      {
        const pure::detail::AllocationScopeGuard scope(&replay);
        outs = execute(exe, leaves, no_hook);
        used = replay.donors_used();
      }
      if (replay.live_arena_buffers() != 0) {
        throw RuntimeError("pure::jit internal error: '" + cache.name() + "' left " +
                           std::to_string(replay.live_arena_buffers()) +
                           " arena buffers alive after a call (its memory plan is wrong)");
      }
      if (replay.stale()) {  // the call departed from the record: record again next time
        m.planned = false;
        m.arena = pure::detail::Block();
      }
    }
    detach_outputs(outs, donors);
  } catch (...) {
    // Blocks already given to outputs (now gone) must not stay readable through the donors.
    poison_donated(leaves, donors, used, cache.name());
    throw;
  }
  poison_donated(leaves, donors, used, cache.name());
  return outs;
}

std::string memory_plan_text(const std::string& name, const Signature& sig, const Executable& exe,
                             const std::vector<std::size_t>& leaf_ends) {
  MemoryState& m = *exe.memory;
  std::shared_ptr<const ArenaPlan> plan;
  std::vector<std::size_t> slot_leaf;
  {
    const std::lock_guard<std::mutex> lock(m.text_mutex);
    plan = m.published;
    slot_leaf = m.published_slots;
  }
  std::string s = "pure::jit '" + name + "' memory plan\n";
  if (!plan) return s + "  (not made yet: the first call outside transforms makes it)\n";
  const std::vector<AllocationRecord>& r = plan->records;
  std::size_t intermediates = 0;
  for (const AllocationRecord& x : r) intermediates += x.intermediate() ? 1 : 0;
  s += "  arena: " + std::to_string(plan->arena_bytes) + " bytes (pure::jit::" + name + "::arena), " +
       std::to_string(intermediates) + " intermediates\n";
  const auto entry = [&](std::size_t k) {
    return "#" + std::to_string(k) + " " + dtype_name(r[k].dtype) + " " + std::to_string(r[k].bytes) +
           " bytes, equation " + std::to_string(r[k].eqn) + " (" + r[k].label + ")";
  };
  for (std::size_t k = 0; k < r.size(); ++k) {
    if (r[k].intermediate()) {
      s += "    " + entry(k) + " at offset " + std::to_string(r[k].offset) + ", live ticks " +
           std::to_string(r[k].alloc_tick) + "-" + std::to_string(r[k].free_tick) + "\n";
    }
  }
  for (std::size_t k = 0; k < r.size(); ++k) {
    if (r[k].intermediate()) continue;
    if (r[k].output < 0) {
      s += "  escaped (alive after the call, not planned): " + entry(k) + "\n";
    } else if (r[k].donor < 0) {
      s += "  output " + std::to_string(r[k].output) + ": " + entry(k) + ", fresh\n";
    } else {
      s += "  donated: output " + std::to_string(r[k].output) + " <- " +
           leaf_text(sig, leaf_ends, slot_leaf[static_cast<std::size_t>(r[k].donor)]) + "\n";
    }
  }
  return s;
}
}  // namespace pure::detail::jit
