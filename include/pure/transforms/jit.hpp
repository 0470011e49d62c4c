// jit: trace a function once per signature, optimise the program, cache it.
//
//   auto step = pure::jit([](const Params& p, const pure::Array& x, int layers) { ... });
//   Params out = step(params, x, 3);   // traces (first call with these types and layers = 3)
//   out = step(params, x, 3);          // runs the cached program: no tracing
//   out = step(params, x, 4);          // a new static value: one more trace
//
// Arguments that are trees of arrays (Array, pure::Tree, PURE_TREE structs,
// containers of them) are traced; every other argument is *static*: its value
// is part of the cache key (compared with ==, hashed with std::hash), as
// `static_argnums` in JAX, so C++ needs no annotation. The signature of a call
// is each tree argument's structure, dtypes and shapes plus the static values.
// Arrays captured by `f` (not passed as arguments) are constants of the traced
// program: their values at trace time are baked in, as in JAX.
//
// The passes (pure/ir/passes.hpp) inline nested jit calls, remove dead and
// repeated work and fuse elementwise chains (ending, maybe, in a reduction over
// trailing axes) into one kernel each, which runs the eager kernels' own loops
// over L1-sized blocks: results are bitwise those of eager. The program runs
// equation by equation, dropping each value after its last use.
// Memory: the first call of a signature records its allocations; every
// intermediate then gets an offset in one arena ("pure::jit::<name>::arena"),
// allocated once and reused by later calls, which allocate only their outputs.
// `JitOptions{}.donate_args({0})` lets outputs take argument 0's buffers (an
// optimizer step writes new parameters over the old); a donated array throws
// when used afterwards. `memory_plan(args...)` prints the plan, `lower(args...)`
// the optimised program. Called while another function is traced, a jitted
// function is one `jit` equation (a primitive with an impl and a JVP rule).
// Everything is in docs/jit.md.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <tuple>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <vector>

#include <pure/core/tree.hpp>
#include <pure/ir/program.hpp>
#include <pure/transforms/autodiff.hpp>

namespace pure {

/// Options of pure::jit.
struct JitOptions {
  /// Name used in logs (PURE_LOG_COMPILES=1), errors and lower() text.
  std::string name = "f";
  JitOptions& named(std::string n) {
    name = std::move(n);
    return *this;
  }
  /// Indices of (tree) arguments whose buffers outputs may take over, as
  /// `donate_argnums` in JAX. After each call those arrays (and every copy of
  /// them) throw pure::ValueError when used.
  std::vector<int> donate;
  JitOptions& donate_args(std::vector<int> indices) {
    donate = std::move(indices);
    return *this;
  }
};

namespace detail::jit {

template <class T, class = void>
struct IsHashable : std::false_type {};
template <class T>
struct IsHashable<T, std::void_t<decltype(std::hash<T>{}(std::declval<const T&>())),
                                 decltype(std::declval<const T&>() == std::declval<const T&>())>> : std::true_type {};

template <class T, class = void>
struct IsPrintable : std::false_type {};
template <class T>
struct IsPrintable<T, std::void_t<decltype(std::declval<std::ostream&>() << std::declval<const T&>())>>
    : std::true_type {};

/// A static argument's value, type-erased: equality, hash and text for logs.
struct StaticValue {
  virtual ~StaticValue() = default;
  virtual bool equals(const StaticValue& other) const = 0;
  virtual std::size_t hash() const = 0;
  virtual std::string str() const = 0;
};

template <class T>
struct StaticOf final : StaticValue {
  T value;
  explicit StaticOf(const T& v) : value(v) {}
  bool equals(const StaticValue& other) const override {
    const auto* o = dynamic_cast<const StaticOf<T>*>(&other);
    return o != nullptr && static_cast<bool>(o->value == value);
  }
  std::size_t hash() const override { return std::hash<T>{}(value); }
  std::string str() const override {
    if constexpr (IsPrintable<T>::value) {
      std::ostringstream os;
      os << value;
      return os.str();
    } else {
      return "<static, hash " + std::to_string(hash()) + ">";
    }
  }
};

/// What a call looks like to the cache: per argument, either the text of its
/// tree (type, paths, dtypes, shapes) or its static value.
struct Signature {
  std::vector<std::string> trees;                           // "" for static arguments
  std::vector<std::shared_ptr<const StaticValue>> statics;  // nullptr for tree arguments
  std::size_t hash = 0;
  bool operator==(const Signature& o) const;
  /// "argument 1: f32[3] -> f32[4]" for the first argument that differs from `before`.
  std::string difference_from(const Signature& before) const;
};

/// A traced program in two forms plus the (type-erased) structure of f's result.
/// `program` has every pass and runs when the inputs are concrete values.
/// `for_transforms` has only the passes that keep derivatives bitwise equal
/// (dead code): a transform of a program with shared subexpressions would sum
/// cotangents in another order than eager grad does.
struct MemoryState;  // the memory plan and arena (src/transforms/jit.cpp)
struct Executable {
  ir::Program program;
  ir::Program for_transforms;
  std::shared_ptr<const void> result_structure;
  std::vector<int> last_use;  // per variable of `program`: the last equation reading it
  /// Per equation of `program`: the Kokkos Tools region its kernels run in,
  /// "pure::jit::<name>::<k>:<primitive>" (fused groups' own kernels are also
  /// labelled "pure::jit::<name>::fused<n>(...)").
  std::vector<std::string> regions;
  std::shared_ptr<MemoryState> memory;  // mutable behind the pointer: filled by the first call
  /// Params of the `jit` equation that stands for a call in an outer trace:
  /// name, and jaxpr = for_transforms (its compiled form: `program`).
  ir::Params call_params;
};

/// The `jit` primitive (as JAX's pjit): one equation holding a jitted
/// function's program. Staging a call (an outer jit or make_program) records
/// it; its impl runs the optimised program; its JVP rule differentiates the
/// program; the inlining pass (pure/ir/passes.hpp) opens it in outer jits.
const ir::Primitive& jit_primitive();

/// The non-template core of a jitted function: its cache and counters.
class Cache {
 public:
  explicit Cache(JitOptions options) : name_(std::move(options.name)), donate_(std::move(options.donate)) {}
  /// The executable for `sig`, or nullptr.
  std::shared_ptr<const Executable> find(const Signature& sig) const;
  /// Optimises `traced` (the passes), caches it under `sig`, logs the trace
  /// when PURE_LOG_COMPILES is set, and returns it.
  std::shared_ptr<const Executable> insert(const Signature& sig, ir::Program traced,
                                           std::shared_ptr<const void> result_structure);
  std::size_t size() const;
  std::size_t traces() const;
  const std::string& name() const { return name_; }
  const std::vector<int>& donated() const { return donate_; }

 private:
  std::string name_;
  std::vector<int> donate_;
  mutable std::mutex mutex_;
  std::vector<std::pair<Signature, std::shared_ptr<const Executable>>> entries_;
  std::size_t traces_ = 0;
};

/// The passes jit runs on programs that run directly, in order (dead code,
/// simplify, common subexpressions, dead code, elementwise fusion); `name`
/// labels the fused kernels "pure::jit::<name>::fused<k>(ops)".
ir::Program optimize(const ir::Program& program, const std::string& name);
/// Text of an executable for lower(): header, then the optimised program.
std::string lower_text(const std::string& name, const Signature& sig, const ir::Program& program);
/// Checks a call before it runs: donate_args indices against the signature,
/// and that no argument was donated before (pure::ValueError naming them).
void check_call(const Cache& cache, const Signature& sig, const std::vector<Array>& leaves);
/// Runs the executable on the leaves, equation by equation under the current
/// interpreter: `for_transforms` when a leaf is traced by a transform; else
/// with the memory plan, donating the leaves of the donated arguments
/// (`leaf_ends[i]`: one past argument i's last leaf).
std::vector<Array> run(const Executable& exe, const std::vector<Array>& leaves, const Cache& cache,
                       const std::vector<std::size_t>& leaf_ends);
/// Text of an executable's memory plan for memory_plan().
std::string memory_plan_text(const std::string& name, const Signature& sig, const Executable& exe,
                             const std::vector<std::size_t>& leaf_ends);

template <class T>
constexpr bool kIsTree = pure::detail::IsTree<std::decay_t<T>>::value;

// Appends one argument to the signature and, for trees, its leaves.
template <class T>
void describe(const T& arg, Signature& sig, std::vector<Array>& leaves) {
  if constexpr (kIsTree<T>) {
    const std::size_t before = leaves.size();
    TreeTraits<T>::flatten(arg, leaves);
    std::string text = typeid(T).name();
    text += '\n';
    for (std::size_t i = before; i < leaves.size(); ++i) {
      if (!leaves[i].valid()) {
        throw ValueError("pure::jit: argument " + std::to_string(sig.trees.size()) + " holds an empty Array");
      }
    }
    text += tree_str(arg);
    sig.hash = sig.hash * 1000003u ^ std::hash<std::string>{}(text);
    sig.trees.push_back(std::move(text));
    sig.statics.push_back(nullptr);
  } else {
    static_assert(IsHashable<T>::value,
                  "pure::jit: a non-array argument is static (part of the cache key): its type needs "
                  "operator== and a std::hash specialisation");
    auto v = std::make_shared<const StaticOf<T>>(arg);
    sig.hash = sig.hash * 1000003u ^ v->hash();
    sig.trees.emplace_back();
    sig.statics.push_back(std::move(v));
  }
}

// Rebuilds argument `arg` of a traced call: trees from the next leaves, statics as given.
template <class T>
T rebuild(const T& arg, const Array*& it) {
  if constexpr (kIsTree<T>) {
    return TreeTraits<T>::unflatten(arg, it);
  } else {
    return arg;
  }
}

}  // namespace detail::jit

/// A jitted function (made by pure::jit): call it like f.
template <class F>
class Jitted {
 public:
  Jitted(F f, JitOptions options)
      : f_(std::move(f)), cache_(std::make_shared<detail::jit::Cache>(std::move(options))) {}

  template <class... Args>
  auto operator()(const Args&... args) const {
    using Result = std::decay_t<std::invoke_result_t<const F&, const Args&...>>;
    static_assert(detail::jit::kIsTree<Result>, "pure::jit: f must return a tree of arrays");
    detail::jit::Signature sig;
    std::vector<Array> leaves;
    std::vector<std::size_t> leaf_ends;
    ((detail::jit::describe(args, sig, leaves), leaf_ends.push_back(leaves.size())), ...);
    detail::jit::check_call(*cache_, sig, leaves);
    std::shared_ptr<const detail::jit::Executable> exe = cache_->find(sig);
    if (!exe) exe = trace<Result>(sig, leaves, args...);
    const std::vector<Array> outs = detail::jit::run(*exe, leaves, *cache_, leaf_ends);
    return static_cast<const TreeDef<Result>*>(exe->result_structure.get())->unflatten(outs);
  }

  /// The memory plan for these arguments as text: arena size, each
  /// intermediate's offset and lifetime, the outputs and what they were donated.
  /// The first call of a signature makes the plan; before it, says so.
  template <class... Args>
  std::string memory_plan(const Args&... args) const {
    detail::jit::Signature sig;
    std::vector<Array> leaves;
    std::vector<std::size_t> leaf_ends;
    ((detail::jit::describe(args, sig, leaves), leaf_ends.push_back(leaves.size())), ...);
    std::shared_ptr<const detail::jit::Executable> exe = cache_->find(sig);
    if (!exe) return "pure::jit '" + cache_->name() + "': no call with these arguments yet, so no memory plan\n";
    return detail::jit::memory_plan_text(cache_->name(), sig, *exe, leaf_ends);
  }

  /// The optimised program for these arguments as text (traces if needed),
  /// like jax.jit(f).lower(x).as_text().
  template <class... Args>
  std::string lower(const Args&... args) const {
    using Result = std::decay_t<std::invoke_result_t<const F&, const Args&...>>;
    detail::jit::Signature sig;
    std::vector<Array> leaves;
    (detail::jit::describe(args, sig, leaves), ...);
    std::shared_ptr<const detail::jit::Executable> exe = cache_->find(sig);
    if (!exe) exe = trace<Result>(sig, leaves, args...);
    return detail::jit::lower_text(cache_->name(), sig, exe->program);
  }

  /// Number of cached executables (one per signature seen).
  std::size_t cache_size() const { return cache_->size(); }
  /// Number of traces so far (the first call of each signature).
  std::size_t trace_count() const { return cache_->traces(); }

 private:
  template <class Result, class... Args>
  std::shared_ptr<const detail::jit::Executable> trace(const detail::jit::Signature& sig,
                                                       const std::vector<Array>& leaves, const Args&... args) const {
    std::vector<ir::Aval> avals;
    avals.reserve(leaves.size());
    for (const Array& a : leaves) avals.push_back(ir::Aval::of(a));
    std::shared_ptr<TreeDef<Result>> structure;
    const FlatFn flat = [&](const std::vector<Array>& in) {
      const Array* it = in.data();
      // Braced init evaluates left to right, so leaves are consumed in order.
      std::tuple<Args...> rebuilt{detail::jit::rebuild(args, it)...};
      Result r = std::apply(f_, rebuilt);
      structure = std::make_shared<TreeDef<Result>>(r);
      return tree_leaves(r);
    };
    ir::Program program = make_program_flat(flat, avals);
    return cache_->insert(sig, std::move(program), std::move(structure));
  }

  F f_;
  std::shared_ptr<detail::jit::Cache> cache_;  // shared by copies of the jitted function
};

/// jit(f): f traced once per signature (see the top of this header).
template <class F>
Jitted<F> jit(F f, JitOptions options = {}) {
  return Jitted<F>(std::move(f), std::move(options));
}

}  // namespace pure
