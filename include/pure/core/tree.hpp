// Trees of arrays: any value made of Arrays (an Array, std::vector, std::array,
// std::pair, std::tuple of trees, and user structs registered with PURE_TREE)
// can be flattened to its leaves and rebuilt, so transforms accept and return
// parameters in the user's own types.
#pragma once

#include <array>
#include <cstddef>
#include <tuple>
#include <utility>
#include <vector>

#include <pure/core/array.hpp>

namespace pure {

/// Specialise for a type to make it a tree: `flatten` appends the leaves in a
/// fixed order, `unflatten` rebuilds a value shaped like `like` from leaves
/// starting at `*it` and advances `*it`.
template <class T, class Enable = void>
struct TreeTraits;

template <>
struct TreeTraits<Array> {
  static void flatten(const Array& a, std::vector<Array>& out) { out.push_back(a); }
  static Array unflatten(const Array&, const Array*& it) { return *it++; }
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
};

template <class... T>
struct TreeTraits<std::tuple<T...>> {
  static void flatten(const std::tuple<T...>& v, std::vector<Array>& out) {
    std::apply([&](const auto&... x) { (TreeTraits<std::decay_t<decltype(x)>>::flatten(x, out), ...); }, v);
  }
  static std::tuple<T...> unflatten(const std::tuple<T...>& like, const Array*& it) {
    return unflatten_impl(like, it, std::index_sequence_for<T...>{});
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
};

/// The leaves of a tree, in its fixed order.
template <class T>
std::vector<Array> tree_leaves(const T& tree) {
  std::vector<Array> out;
  TreeTraits<T>::flatten(tree, out);
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

}  // namespace pure
