// Trees of arrays: any value made of Arrays (an Array, pure::Tree, std::vector,
// std::array, std::pair, std::tuple of trees, and user structs registered with
// PURE_TREE) can be flattened to its leaves and rebuilt, so transforms accept
// and return parameters in the user's own types.
//
//   pure::Tree params;                          // a nested, ordered dict (as Flax params)
//   params["dense0"]["w"] = w;
//   params["dense0"]["b"] = b;
//   pure::Tree g = pure::grad(loss)(params, x); // same keys, gradients as leaves
//   params = pure::tree_axpy(-0.1, g, params);  // params - 0.1 * g
//   std::cout << params;                        // ['dense0']['w']: f32[2,3] ...
//
//   struct Linear { pure::Array w, b; int features = 0; };
//   PURE_TREE(Linear, w, b)                     // at namespace scope; `features` stays static
//
// Leaf order: Tree keys in insertion order, struct fields in PURE_TREE order,
// containers in element order. Paths name leaves as jax.tree_util.keystr does:
// ['dense0']['w'] for dict keys, [0] for sequence items, .w for struct fields.
#pragma once

#include <array>
#include <cstddef>
#include <initializer_list>
#include <iosfwd>
#include <memory>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <pure/core/array.hpp>

namespace pure {

/// Specialise for a type to make it a tree: `flatten` appends the leaves in a
/// fixed order, `unflatten` rebuilds a value shaped like `like` from leaves
/// starting at `*it` and advances `*it`. Optionally `flatten_with_path(v,
/// prefix, out)` appends (path, leaf) pairs; without it leaves are named by index.
template <class T, class Enable = void>
struct TreeTraits;

/// (path, leaf) pairs in leaf order.
using PathLeaves = std::vector<std::pair<std::string, Array>>;

namespace detail {

template <class T, class = void>
struct HasTreePaths : std::false_type {};
template <class T>
struct HasTreePaths<T, std::void_t<decltype(TreeTraits<T>::flatten_with_path(
                           std::declval<const T&>(), std::declval<const std::string&>(), std::declval<PathLeaves&>()))>>
    : std::true_type {};

template <class T>
void flatten_with_path(const T& tree, const std::string& prefix, PathLeaves& out) {
  if constexpr (HasTreePaths<T>::value) {
    TreeTraits<T>::flatten_with_path(tree, prefix, out);
  } else {
    std::vector<Array> leaves;
    TreeTraits<T>::flatten(tree, leaves);
    for (std::size_t i = 0; i < leaves.size(); ++i) out.emplace_back(prefix + "[" + std::to_string(i) + "]", leaves[i]);
  }
}

template <class Seq>
void flatten_sequence_with_path(const Seq& v, const std::string& prefix, PathLeaves& out) {
  std::size_t i = 0;
  for (const auto& x : v) flatten_with_path(x, prefix + "[" + std::to_string(i++) + "]", out);
}

/// "w, b" (PURE_TREE's stringified field list) to {"w", "b"}.
std::vector<std::string> split_field_names(const char* names);

}  // namespace detail

// ---------------------------------------------------------------- pure::Tree

/// An ordered, nested, string-keyed dict whose leaves are Arrays, like Flax's
/// params: `tree["dense0"]["w"]`. A Tree is either a leaf (one Array) or a dict
/// of Trees (possibly empty). It is a value: copies are independent dicts that
/// share the (immutable) arrays. Keys keep insertion order, which is the leaf
/// order; operations on several trees match leaves by path, not by position.
class Tree {
 public:
  /// An empty dict.
  Tree() = default;
  /// A leaf; implicit so that dict entries can be written `tree["w"] = array`.
  Tree(Array leaf) : is_leaf_(true), leaf_(std::move(leaf)) {}
  /// A dict with these entries in this order: `Tree{{"w", w}, {"b", b}}`.
  Tree(std::initializer_list<std::pair<std::string, Tree>> items);

  bool is_leaf() const { return is_leaf_; }
  bool is_dict() const { return !is_leaf_; }
  /// The leaf's Array; throws pure::Error for a dict.
  const Array& array() const;
  /// A leaf converts to its Array, so `pure::exp(params["w"])` works.
  operator const Array&() const { return array(); }

  /// Number of keys (0 for a leaf).
  std::size_t size() const { return keys_.size(); }
  bool empty() const { return keys_.empty(); }
  bool contains(const std::string& key) const;
  /// The keys in order.
  const std::vector<std::string>& keys() const { return keys_; }
  /// The value of the i-th key.
  const Tree& child(std::size_t i) const { return children_.at(i); }

  /// The value at `key`; throws pure::Error naming the key and the keys present.
  const Tree& at(const std::string& key) const;
  Tree& at(const std::string& key);
  const Tree& operator[](const std::string& key) const { return at(key); }
  /// The value at `key`, appending an empty dict there when absent (as std::map).
  Tree& operator[](const std::string& key);
  /// Inserts or replaces `key`; returns *this.
  Tree& set(const std::string& key, Tree value);
  /// Removes `key`; returns whether it was present.
  bool erase(const std::string& key);

 private:
  friend struct TreeTraits<Tree>;
  std::ptrdiff_t find(const std::string& key) const;
  const Tree& missing(const std::string& key) const;

  bool is_leaf_ = false;
  Array leaf_;
  std::vector<std::string> keys_;
  std::vector<Tree> children_;
};

/// Prints tree_str(tree).
std::ostream& operator<<(std::ostream& os, const Tree& tree);

// ---------------------------------------------------------------- traits

template <>
struct TreeTraits<Array> {
  static void flatten(const Array& a, std::vector<Array>& out) { out.push_back(a); }
  static Array unflatten(const Array&, const Array*& it) { return *it++; }
  static void flatten_with_path(const Array& a, const std::string& prefix, PathLeaves& out) {
    out.emplace_back(prefix, a);
  }
};

template <>
struct TreeTraits<Tree> {
  static void flatten(const Tree& t, std::vector<Array>& out) {
    if (t.is_leaf_) {
      out.push_back(t.leaf_);
      return;
    }
    for (const Tree& c : t.children_) flatten(c, out);
  }
  static Tree unflatten(const Tree& like, const Array*& it) {
    if (like.is_leaf_) return Tree(*it++);
    Tree t;
    t.keys_ = like.keys_;
    t.children_.reserve(like.children_.size());
    for (const Tree& c : like.children_) t.children_.push_back(unflatten(c, it));
    return t;
  }
  static void flatten_with_path(const Tree& t, const std::string& prefix, PathLeaves& out) {
    if (t.is_leaf_) {
      out.emplace_back(prefix, t.leaf_);
      return;
    }
    for (std::size_t i = 0; i < t.keys_.size(); ++i) {
      flatten_with_path(t.children_[i], prefix + "['" + t.keys_[i] + "']", out);
    }
  }
};

template <class T>
struct TreeTraits<std::vector<T>> {
  static void flatten(const std::vector<T>& v, std::vector<Array>& out) {
    for (const T& x : v) TreeTraits<T>::flatten(x, out);
  }
  static std::vector<T> unflatten(const std::vector<T>& like, const Array*& it) {
    std::vector<T> v;
    v.reserve(like.size());
    for (const T& x : like) v.push_back(TreeTraits<T>::unflatten(x, it));
    return v;
  }
  static void flatten_with_path(const std::vector<T>& v, const std::string& prefix, PathLeaves& out) {
    detail::flatten_sequence_with_path(v, prefix, out);
  }
};

template <class T, std::size_t N>
struct TreeTraits<std::array<T, N>> {
  static void flatten(const std::array<T, N>& v, std::vector<Array>& out) {
    for (const T& x : v) TreeTraits<T>::flatten(x, out);
  }
  static std::array<T, N> unflatten(const std::array<T, N>& like, const Array*& it) {
    std::array<T, N> v;
    for (std::size_t i = 0; i < N; ++i) v[i] = TreeTraits<T>::unflatten(like[i], it);
    return v;
  }
  static void flatten_with_path(const std::array<T, N>& v, const std::string& prefix, PathLeaves& out) {
    detail::flatten_sequence_with_path(v, prefix, out);
  }
};

template <class... T>
struct TreeTraits<std::tuple<T...>> {
  static void flatten(const std::tuple<T...>& v, std::vector<Array>& out) {
    std::apply([&](const auto&... x) { (TreeTraits<std::decay_t<decltype(x)>>::flatten(x, out), ...); }, v);
  }
  static std::tuple<T...> unflatten(const std::tuple<T...>& like, const Array*& it) {
    return unflatten_impl(like, it, std::index_sequence_for<T...>{});
  }
  static void flatten_with_path(const std::tuple<T...>& v, const std::string& prefix, PathLeaves& out) {
    std::size_t i = 0;
    std::apply(
        [&](const auto&... x) { (detail::flatten_with_path(x, prefix + "[" + std::to_string(i++) + "]", out), ...); },
        v);
  }

 private:
  template <std::size_t... I>
  static std::tuple<T...> unflatten_impl(const std::tuple<T...>& like, const Array*& it, std::index_sequence<I...>) {
    // Braced init evaluates left to right, so leaves are consumed in order.
    return std::tuple<T...>{TreeTraits<T>::unflatten(std::get<I>(like), it)...};
  }
};

template <class A, class B>
struct TreeTraits<std::pair<A, B>> {
  static void flatten(const std::pair<A, B>& v, std::vector<Array>& out) {
    TreeTraits<A>::flatten(v.first, out);
    TreeTraits<B>::flatten(v.second, out);
  }
  static std::pair<A, B> unflatten(const std::pair<A, B>& like, const Array*& it) {
    A a = TreeTraits<A>::unflatten(like.first, it);
    B b = TreeTraits<B>::unflatten(like.second, it);
    return {std::move(a), std::move(b)};
  }
  static void flatten_with_path(const std::pair<A, B>& v, const std::string& prefix, PathLeaves& out) {
    detail::flatten_with_path(v.first, prefix + "[0]", out);
    detail::flatten_with_path(v.second, prefix + "[1]", out);
  }
};

// ---------------------------------------------------------------- PURE_TREE

namespace detail {
// Found by argument-dependent lookup in the registered type's namespace; this
// deleted overload makes the name known here and loses to the registered
// (non-template) one, so unregistered types fail substitution quietly.
template <class T>
void pure_tree_fields(const T*) = delete;
template <class T>
using TreeFieldsOf = decltype(pure_tree_fields(static_cast<const T*>(nullptr)));
}  // namespace detail

/// Structs registered with PURE_TREE: the listed fields are the children, in
/// that order; other fields are copied unchanged (static data, like jax's aux data).
template <class T>
struct TreeTraits<T, std::void_t<detail::TreeFieldsOf<T>>> {
  static void flatten(const T& v, std::vector<Array>& out) {
    std::apply([&](const char*, auto... p) { (TreeTraits<std::decay_t<decltype(v.*p)>>::flatten(v.*p, out), ...); },
               fields());
  }
  static T unflatten(const T& like, const Array*& it) {
    T r = like;
    // A fold over the comma operator runs left to right: leaves in field order.
    std::apply([&](const char*,
                   auto... p) { ((r.*p = TreeTraits<std::decay_t<decltype(like.*p)>>::unflatten(like.*p, it)), ...); },
               fields());
    return r;
  }
  static void flatten_with_path(const T& v, const std::string& prefix, PathLeaves& out) {
    const auto f = fields();
    const std::vector<std::string> names = detail::split_field_names(std::get<0>(f));
    std::size_t k = 0;
    std::apply(
        [&](const char*, auto... p) { (detail::flatten_with_path(v.*p, prefix + "." + names.at(k++), out), ...); }, f);
  }

 private:
  static auto fields() { return pure_tree_fields(static_cast<const T*>(nullptr)); }
};

}  // namespace pure

#define PURE_DETAIL_EXPAND(x) x
#define PURE_DETAIL_CAT(a, b) PURE_DETAIL_CAT_(a, b)
#define PURE_DETAIL_CAT_(a, b) a##b
#define PURE_DETAIL_NARG(...) \
  PURE_DETAIL_EXPAND(PURE_DETAIL_NARG_(__VA_ARGS__, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0))
#define PURE_DETAIL_NARG_(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, N, ...) N
#define PURE_DETAIL_PTRS(T, ...) \
  PURE_DETAIL_EXPAND(PURE_DETAIL_CAT(PURE_DETAIL_PTRS_, PURE_DETAIL_NARG(__VA_ARGS__))(T, __VA_ARGS__))
#define PURE_DETAIL_PTRS_1(T, a) &T::a
#define PURE_DETAIL_PTRS_2(T, a, ...) &T::a, PURE_DETAIL_EXPAND(PURE_DETAIL_PTRS_1(T, __VA_ARGS__))
#define PURE_DETAIL_PTRS_3(T, a, ...) &T::a, PURE_DETAIL_EXPAND(PURE_DETAIL_PTRS_2(T, __VA_ARGS__))
#define PURE_DETAIL_PTRS_4(T, a, ...) &T::a, PURE_DETAIL_EXPAND(PURE_DETAIL_PTRS_3(T, __VA_ARGS__))
#define PURE_DETAIL_PTRS_5(T, a, ...) &T::a, PURE_DETAIL_EXPAND(PURE_DETAIL_PTRS_4(T, __VA_ARGS__))
#define PURE_DETAIL_PTRS_6(T, a, ...) &T::a, PURE_DETAIL_EXPAND(PURE_DETAIL_PTRS_5(T, __VA_ARGS__))
#define PURE_DETAIL_PTRS_7(T, a, ...) &T::a, PURE_DETAIL_EXPAND(PURE_DETAIL_PTRS_6(T, __VA_ARGS__))
#define PURE_DETAIL_PTRS_8(T, a, ...) &T::a, PURE_DETAIL_EXPAND(PURE_DETAIL_PTRS_7(T, __VA_ARGS__))
#define PURE_DETAIL_PTRS_9(T, a, ...) &T::a, PURE_DETAIL_EXPAND(PURE_DETAIL_PTRS_8(T, __VA_ARGS__))
#define PURE_DETAIL_PTRS_10(T, a, ...) &T::a, PURE_DETAIL_EXPAND(PURE_DETAIL_PTRS_9(T, __VA_ARGS__))
#define PURE_DETAIL_PTRS_11(T, a, ...) &T::a, PURE_DETAIL_EXPAND(PURE_DETAIL_PTRS_10(T, __VA_ARGS__))
#define PURE_DETAIL_PTRS_12(T, a, ...) &T::a, PURE_DETAIL_EXPAND(PURE_DETAIL_PTRS_11(T, __VA_ARGS__))
#define PURE_DETAIL_PTRS_13(T, a, ...) &T::a, PURE_DETAIL_EXPAND(PURE_DETAIL_PTRS_12(T, __VA_ARGS__))
#define PURE_DETAIL_PTRS_14(T, a, ...) &T::a, PURE_DETAIL_EXPAND(PURE_DETAIL_PTRS_13(T, __VA_ARGS__))
#define PURE_DETAIL_PTRS_15(T, a, ...) &T::a, PURE_DETAIL_EXPAND(PURE_DETAIL_PTRS_14(T, __VA_ARGS__))
#define PURE_DETAIL_PTRS_16(T, a, ...) &T::a, PURE_DETAIL_EXPAND(PURE_DETAIL_PTRS_15(T, __VA_ARGS__))

/// Registers struct `Type` as a tree whose children are the listed public
/// fields (1 to 16; each itself a tree: Array, Tree, vector, another
/// registered struct, ...). Use it at namespace scope in Type's namespace,
/// after the struct. Fields not listed are carried over unchanged by
/// unflatten (so grad w.r.t. a struct returns the same struct type with the
/// gradients in the listed fields). Type must be copyable; it must not
/// contain a top-level comma (use an alias for template instances).
#define PURE_TREE(Type, ...)                                                   \
  [[maybe_unused]] inline auto pure_tree_fields(const Type*) {                 \
    return std::make_tuple(#__VA_ARGS__, PURE_DETAIL_PTRS(Type, __VA_ARGS__)); \
  }

namespace pure {

// ---------------------------------------------------------------- flatten / unflatten

/// The leaves of a tree, in its fixed order.
template <class T>
std::vector<Array> tree_leaves(const T& tree) {
  std::vector<Array> out;
  TreeTraits<T>::flatten(tree, out);
  return out;
}

/// The leaves with their paths, e.g. ("['dense0']['w']", w).
template <class T>
PathLeaves tree_leaves_with_path(const T& tree) {
  PathLeaves out;
  detail::flatten_with_path(tree, "", out);
  return out;
}

/// A tree shaped like `like` with the given leaves (as many as `like` has).
template <class T>
T tree_unflatten(const T& like, const std::vector<Array>& leaves) {
  const std::size_t want = tree_leaves(like).size();
  if (want != leaves.size()) {
    throw Error("pure::tree_unflatten: got " + std::to_string(leaves.size()) + " leaves, the tree has " +
                std::to_string(want));
  }
  const Array* it = leaves.data();
  return TreeTraits<T>::unflatten(like, it);
}

/// Total number of elements over all leaves (a parameter count).
template <class T>
std::int64_t tree_size(const T& tree) {
  std::int64_t n = 0;
  for (const Array& a : tree_leaves(tree)) n += a.valid() ? a.size() : 0;
  return n;
}

namespace detail {
/// "path: f32[3,4]" lines (paths of "" print as "(root)").
std::string tree_text(const PathLeaves& leaves);
/// Leaves of `other` in the order of `first`'s paths; pure::ValueError naming
/// the first path that one of them lacks. `index` numbers `other` in the message.
std::vector<Array> aligned_leaves(const PathLeaves& first, const PathLeaves& other, const char* who, std::size_t index);
/// aligned_leaves with the trees named in the message ("primals", "tangents").
/// With `same_types`, each leaf of `other` must also have the dtype and shape
/// of `first`'s leaf at its path; and no leaf of either may be an empty Array.
std::vector<Array> aligned_leaves(const PathLeaves& first, const PathLeaves& other, const char* who,
                                  const std::string& first_name, const std::string& other_name, bool same_types);
/// ValueError "who: <what> is an empty (default-constructed) Array" naming the
/// path of leaf `index` (which is empty).
[[noreturn]] void throw_empty_leaf(const PathLeaves& leaves, std::size_t index, const char* who,
                                   const std::string& what);
}  // namespace detail

/// Throws pure::ValueError naming `who`, `what` (e.g. "argument 0") and the
/// path of the first empty (default-constructed) Array among the leaves of `tree`.
template <class T>
void require_no_empty_leaves(const T& tree, const char* who, const std::string& what) {
  const std::vector<Array> leaves = tree_leaves(tree);
  for (std::size_t i = 0; i < leaves.size(); ++i) {
    if (!leaves[i].valid()) detail::throw_empty_leaf(tree_leaves_with_path(tree), i, who, what);
  }
}

/// The structure of a tree without its data: it can rebuild a tree of the same
/// type and shape from new leaves, and lists the leaves' paths and types.
template <class T>
class TreeDef {
 public:
  explicit TreeDef(const T& tree) {
    const PathLeaves leaves = tree_leaves_with_path(tree);
    for (const auto& pl : leaves) paths_.push_back(pl.first);
    text_ = detail::tree_text(leaves);
    // The skeleton holds empty Arrays, so a TreeDef keeps no storage alive.
    const std::vector<Array> empty(leaves.size());
    const Array* it = empty.data();
    skeleton_ = std::make_shared<const T>(TreeTraits<T>::unflatten(tree, it));
  }
  std::size_t num_leaves() const { return paths_.size(); }
  /// The leaves' paths in order.
  const std::vector<std::string>& paths() const { return paths_; }
  /// A tree of this structure holding `leaves` (as many as num_leaves()).
  T unflatten(const std::vector<Array>& leaves) const {
    if (leaves.size() != paths_.size()) {
      throw Error("pure::TreeDef::unflatten: got " + std::to_string(leaves.size()) + " leaves, the tree has " +
                  std::to_string(paths_.size()));
    }
    const Array* it = leaves.data();
    return TreeTraits<T>::unflatten(*skeleton_, it);
  }
  /// One "path: f32[3,4]" line per leaf of the tree it was made from.
  const std::string& str() const { return text_; }

 private:
  std::shared_ptr<const T> skeleton_;  // the tree with empty Arrays as leaves
  std::vector<std::string> paths_;
  std::string text_;
};

/// The structure of `tree` (as jax.tree_util.tree_structure).
template <class T>
TreeDef<T> tree_structure(const T& tree) {
  return TreeDef<T>(tree);
}

/// (leaves, structure); `structure.unflatten(leaves)` gives the tree back.
template <class T>
std::pair<std::vector<Array>, TreeDef<T>> tree_flatten(const T& tree) {
  return {tree_leaves(tree), TreeDef<T>(tree)};
}

/// One line per leaf: its path, dtype and shape, e.g. "['dense0']['w']: f32[2,3]".
template <class T>
std::string tree_str(const T& tree) {
  return detail::tree_text(tree_leaves_with_path(tree));
}

// ---------------------------------------------------------------- tree_map

namespace detail {
template <bool kPath, class F, class T, std::size_t... K, class... Rest>
T tree_map_impl(const char* who, F& f, const T& tree, std::index_sequence<K...>, const Rest&... rest) {
  const PathLeaves first = tree_leaves_with_path(tree);
  const std::array<std::vector<Array>, sizeof...(Rest)> others{
      aligned_leaves(first, tree_leaves_with_path(rest), who, K + 1)...};
  (void)others;
  (void)who;
  std::vector<Array> out;
  out.reserve(first.size());
  for (std::size_t i = 0; i < first.size(); ++i) {
    if constexpr (kPath) {
      out.push_back(f(first[i].first, first[i].second, others[K][i]...));
    } else {
      out.push_back(f(first[i].second, others[K][i]...));
    }
  }
  return tree_unflatten(tree, out);
}
}  // namespace detail

/// A tree shaped like `tree` whose leaves are f(leaf, leaves of `rest`...).
/// The other trees must have the same type and the same leaf paths (matched
/// by path, so Trees with keys in another order pair correctly); otherwise
/// pure::Error names the first path that differs.
///
///   pure::Tree doubled = pure::tree_map([](const pure::Array& a) { return a * 2.0; }, params);
template <class F, class T, class... Rest>
T tree_map(F f, const T& tree, const Rest&... rest) {
  static_assert((std::is_same_v<T, Rest> && ...), "pure::tree_map: all trees must have the same type");
  if constexpr (sizeof...(Rest) == 0) {
    std::vector<Array> leaves = tree_leaves(tree);
    for (Array& a : leaves) a = f(static_cast<const Array&>(a));
    return tree_unflatten(tree, leaves);
  } else {
    return detail::tree_map_impl<false>("pure::tree_map", f, tree, std::index_sequence_for<Rest...>{}, rest...);
  }
}

/// tree_map whose f also receives the leaf's path first: f(path, leaf, others...).
template <class F, class T, class... Rest>
T tree_map_with_path(F f, const T& tree, const Rest&... rest) {
  static_assert((std::is_same_v<T, Rest> && ...), "pure::tree_map_with_path: all trees must have the same type");
  return detail::tree_map_impl<true>("pure::tree_map_with_path", f, tree, std::index_sequence_for<Rest...>{}, rest...);
}

// ---------------------------------------------------------------- arithmetic
// Leafwise arithmetic for optimizers and tests. Leaves of the trees combined
// must have equal shapes (errors name the path); the operations are pure's
// own ops, so they work under every transform.

namespace detail {
Array tree_add_leaf(const std::string& path, const Array& x, const Array& y);
Array tree_sub_leaf(const std::string& path, const Array& x, const Array& y);
Array tree_scale_leaf(const std::string& path, double s, const Array& x);
Array tree_scale_leaf(const std::string& path, const Array& s, const Array& x);
Array tree_axpy_leaf(const std::string& path, double a, const Array& x, const Array& y);
Array tree_axpy_leaf(const std::string& path, const Array& a, const Array& x, const Array& y);
Array tree_vdot_leaves(const PathLeaves& x, const std::vector<Array>& y);
Array tree_zeros_leaf(const std::string& path, const Array& x);
}  // namespace detail

/// x + y leaf by leaf.
template <class T>
T tree_add(const T& x, const T& y) {
  auto f = [](const std::string& p, const Array& a, const Array& b) { return detail::tree_add_leaf(p, a, b); };
  return detail::tree_map_impl<true>("pure::tree_add", f, x, std::index_sequence<0>{}, y);
}

/// x - y leaf by leaf.
template <class T>
T tree_sub(const T& x, const T& y) {
  auto f = [](const std::string& p, const Array& a, const Array& b) { return detail::tree_sub_leaf(p, a, b); };
  return detail::tree_map_impl<true>("pure::tree_sub", f, x, std::index_sequence<0>{}, y);
}

/// s * x leaf by leaf; `s` is converted to each leaf's dtype.
template <class T>
T tree_scale(double s, const T& x) {
  return tree_map_with_path([s](const std::string& p, const Array& a) { return detail::tree_scale_leaf(p, s, a); }, x);
}
/// s * x with a rank-0 Array `s` (e.g. a traced learning rate).
template <class T>
T tree_scale(const Array& s, const T& x) {
  return tree_map_with_path([&s](const std::string& p, const Array& a) { return detail::tree_scale_leaf(p, s, a); }, x);
}

/// a * x + y leaf by leaf (BLAS axpy): `tree_axpy(-lr, grads, params)` is an SGD step.
template <class T>
T tree_axpy(double a, const T& x, const T& y) {
  auto f = [a](const std::string& p, const Array& u, const Array& v) { return detail::tree_axpy_leaf(p, a, u, v); };
  return detail::tree_map_impl<true>("pure::tree_axpy", f, x, std::index_sequence<0>{}, y);
}
/// a * x + y with a rank-0 Array `a`.
template <class T>
T tree_axpy(const Array& a, const T& x, const T& y) {
  auto f = [&a](const std::string& p, const Array& u, const Array& v) { return detail::tree_axpy_leaf(p, a, u, v); };
  return detail::tree_map_impl<true>("pure::tree_axpy", f, x, std::index_sequence<0>{}, y);
}

/// sum over leaves of sum(x * y): the inner product of two trees as flat
/// vectors, a rank-0 Array (float32 zero for trees without leaves). Leaves are
/// summed in leaf order, each in pure's canonical reduction order.
template <class T>
Array tree_vdot(const T& x, const T& y) {
  const PathLeaves xs = tree_leaves_with_path(x);
  return detail::tree_vdot_leaves(xs, detail::aligned_leaves(xs, tree_leaves_with_path(y), "pure::tree_vdot", 1));
}
/// Same as tree_vdot (the trees hold real arrays, so no conjugation differs).
template <class T>
Array tree_dot(const T& x, const T& y) {
  return tree_vdot(x, y);
}

/// Zeros shaped like each leaf.
template <class T>
T tree_zeros_like(const T& x) {
  return tree_map_with_path([](const std::string& p, const Array& a) { return detail::tree_zeros_leaf(p, a); }, x);
}

}  // namespace pure
