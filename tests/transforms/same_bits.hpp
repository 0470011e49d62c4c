// Bitwise comparison of arrays and trees of arrays, for the tests that hold
// jit (and other transforms) to eager's exact bits.
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include <pure/pure.hpp>

namespace pure_test {

template <class T>
std::vector<unsigned char> bytes_of(const pure::Array& a) {
  const std::vector<T> h = a.to_host<T>();
  std::vector<unsigned char> b(h.size() * sizeof(T));
  if (!b.empty()) std::memcpy(b.data(), h.data(), b.size());
  return b;
}

/// Same dtype, shape and bytes (so -0.0 vs 0.0 and NaN payloads count); float arrays.
inline void expect_same_bits(const pure::Array& a, const pure::Array& b) {
  ASSERT_EQ(a.dtype(), b.dtype());
  ASSERT_EQ(a.shape(), b.shape());
  if (a.dtype() == pure::DType::f64) {
    EXPECT_EQ(bytes_of<double>(a), bytes_of<double>(b));
  } else {
    EXPECT_EQ(bytes_of<float>(a), bytes_of<float>(b));
  }
}

/// The same leaf paths, each leaf bitwise equal.
inline void expect_same_bits(const pure::Tree& a, const pure::Tree& b) {
  const auto x = pure::tree_leaves_with_path(a), y = pure::tree_leaves_with_path(b);
  ASSERT_EQ(x.size(), y.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    EXPECT_EQ(x[i].first, y[i].first);
    expect_same_bits(x[i].second, y[i].second);
  }
}

}  // namespace pure_test
