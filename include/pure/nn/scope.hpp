// Modules as descriptions (as flax.linen): a module is a plain struct of
// settings with one method, `call(Scope&, inputs...)`, used both to create
// parameters (init) and to compute with them (apply). The Scope is what
// differs between the two: at init `scope.param(...)` draws a new parameter, at
// apply it reads the one passed in. Parameters never live in the module.
//
//   struct Model : pure::nn::Module<Model> {          // the seed's model
//     pure::Array call(pure::nn::Scope& s, const pure::Array& x) const {
//       return s.child(pure::nn::Dense{4}, x);         // parameters under "Dense_0"
//     }
//   };
//   pure::Tree params = Model{}.init(key, dummy);     // {Dense_0: {kernel, bias}}
//   pure::Array y = Model{}.apply(params, x);
//
// Names and random streams follow Flax, so a parameter tree maps one-to-one to
// Flax's and, for the same key, holds the same values: a child is named
// `<Kind>_<n>` (n counts that kind within the parent call), and each random
// draw folds SHA-1(path names, draw counter) into the root key, as Flax's
// LazyRng does (docs/nn.md).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <vector>

#include <pure/core/array.hpp>
#include <pure/core/tree.hpp>
#include <pure/nn/initializers.hpp>
#include <pure/random/key.hpp>

namespace pure::nn {

/// One module call seen by tabulate(): where, what, and its shapes.
struct CallRecord {
  std::string path;                 ///< "Dense_0", "MLP_0/Dense_1"; "" for the top module
  std::string kind;                 ///< "Dense"
  std::vector<std::string> inputs;  ///< "f32[2,3]" per array argument
  std::string output;               ///< "f32[2,4]", or "" when the result is not an Array
};

namespace detail {
struct ScopeState;
/// A type's name without namespaces or template arguments ("Model").
std::string short_type_name(const std::type_info& type);
/// The first 4 bytes (big-endian) of SHA-1 over the concatenated parts, as Flax's
/// _fold_in_static: strings as UTF-8, integers as minimal big-endian bytes.
std::uint32_t flax_fold_hash(const std::vector<std::string>& names, std::uint64_t counter);

template <class M, class = void>
struct HasKindName : std::false_type {};
template <class M>
struct HasKindName<M, std::void_t<decltype(M::kind_name)>> : std::true_type {};

/// The name Flax would give the module's class: `M::kind_name` when the struct
/// declares one, else its C++ type name.
template <class M>
std::string kind_of() {
  if constexpr (HasKindName<M>::value) {
    return M::kind_name;
  } else {
    return short_type_name(typeid(M));
  }
}

std::string describe(const Array& x);
template <class T>
void describe_input(const T& value, std::vector<std::string>& out) {
  if constexpr (std::is_convertible_v<const T&, const Array&>) out.push_back(describe(value));
}
}  // namespace detail

class Scope {
 public:
  /// The scope of `init`: parameters are drawn, from streams derived from `params_key`.
  static Scope for_init(const random::Key& params_key);
  /// The scope of `apply`: parameters are read from `params`; `rng` (if any)
  /// is the root of the "dropout" stream (and of any stream but "params").
  static Scope for_apply(const Tree& params, std::optional<random::Key> rng);

  bool is_initializing() const;
  /// This scope's path, e.g. "MLP_0/Dense_1"; "" at the top.
  std::string path() const;

  /// The parameter `name` of this scope. At init it is init(key, shape, dtype)
  /// with a fresh key of the "params" stream; at apply it is read from the
  /// tree and must have this shape and dtype (else pure::Error naming the path).
  Array param(const std::string& name, const Initializer& init, const Shape& shape, DType dtype);

  /// A fresh key of stream `stream` ("params" at init, "dropout" at apply):
  /// the root key with SHA-1(path, counter) folded in, as Flax's make_rng.
  random::Key make_rng(const std::string& stream);

  /// Calls `module.call(child_scope, args...)` with the child named
  /// `<Kind>_<n>`, as Flax names submodules of a compact module.
  template <class M, class... A>
  decltype(auto) child(const M& module, const A&... args) {
    return child_named(next_name(detail::kind_of<M>()), module, args...);
  }
  /// As child(), with an explicit name (as `nn.Dense(4, name="out")`).
  template <class M, class... A>
  decltype(auto) child_named(const std::string& name, const M& module, const A&... args) {
    return child_of_kind(name, detail::kind_of<M>(), module, args...);
  }
  /// As child_named, with the kind tabulate shows given (type-erased layers).
  template <class M, class... A>
  decltype(auto) child_of_kind(const std::string& name, const std::string& kind, const M& module, const A&... args) {
    Scope sub = push(name);
    return sub.run(kind, module, args...);
  }

  /// Runs `module.call(*this, args...)` as this scope's module (records it for tabulate).
  template <class M, class... A>
  decltype(auto) run(const std::string& kind, const M& module, const A&... args) {
    const bool log = logging();
    std::size_t slot = 0;
    if (log) {  // recorded before the children run, so the log is in call order
      std::vector<std::string> inputs;
      (detail::describe_input(args, inputs), ...);
      slot = record({path(), kind, inputs, ""});
    }
    using R = decltype(module.call(*this, args...));
    if constexpr (std::is_void_v<R>) {
      module.call(*this, args...);
    } else {
      R out = module.call(*this, args...);
      if (log) {
        std::vector<std::string> outs;
        detail::describe_input(out, outs);
        if (!outs.empty()) set_output(slot, outs[0]);
      }
      return out;
    }
  }

  /// The parameter tree: the one built so far (init) or the one given (apply).
  const Tree& params() const;
  /// After apply: pure::Error naming the first parameter path that no module read.
  void check_all_used() const;
  /// Turns on recording of module calls (tabulate) and returns them.
  void start_log();
  const std::vector<CallRecord>& log() const;

 private:
  Scope(std::shared_ptr<detail::ScopeState> state, std::vector<std::string> path);
  Scope push(const std::string& name);
  std::string next_name(const std::string& kind);
  bool logging() const;
  std::size_t record(CallRecord rec);
  void set_output(std::size_t slot, std::string output);

  std::shared_ptr<detail::ScopeState> state_;
  std::vector<std::string> path_;
  std::map<std::string, int> kind_counts_;  // for <Kind>_<n> names within this call
};

/// The base of a module: gives `init(key, args...)` and `apply(params, args...)`
/// to a struct with `call(Scope&, args...) const`.
template <class Derived>
struct Module {
  /// The parameters `call` creates for these sample arguments (only their
  /// shapes and dtypes matter), drawn from `key` as Flax's `init` does.
  template <class... A>
  Tree init(const random::Key& key, const A&... args) const {
    Scope scope = Scope::for_init(key);
    scope.run(detail::kind_of<Derived>(), self(), args...);
    return scope.params();
  }
  /// `call` computed with `params`; every parameter must be used.
  template <class... A>
  decltype(auto) apply(const Tree& params, const A&... args) const {
    return apply_impl(Scope::for_apply(params, std::nullopt), args...);
  }
  /// As apply, with `rng` as the root of the random streams used at apply time
  /// (Dropout's "dropout"), as Flax's `apply(..., rngs={"dropout": rng})`.
  template <class... A>
  decltype(auto) apply(const Tree& params, const random::Key& rng, const A&... args) const {
    return apply_impl(Scope::for_apply(params, rng), args...);
  }

 private:
  const Derived& self() const { return static_cast<const Derived&>(*this); }
  template <class... A>
  decltype(auto) apply_impl(Scope scope, const A&... args) const {
    auto out = scope.run(detail::kind_of<Derived>(), self(), args...);
    scope.check_all_used();
    return out;
  }
};

}  // namespace pure::nn
