// Trees shared by the io tests, the writer tool and (by formula) check_h5py.py.
#pragma once

#include <cstdint>
#include <vector>

#include <pure/io/checkpoint.hpp>
#include <pure/pure.hpp>

namespace pure_test {

/// One leaf of every dtype, a scalar, an empty array, nesting and an empty dict.
/// Values follow simple formulas that check_h5py.py recomputes.
inline pure::Tree sample_tree() {
  using pure::DType;
  using pure::Shape;
  pure::Tree t;
  t["params"]["Dense_0"].set("kernel", pure::reshape(pure::arange(6, DType::f32) * 0.5 - 1.0, Shape{2, 3}));
  t["params"]["Dense_0"].set("bias", pure::astype(pure::arange(3, DType::f64), DType::f64) / 3.0);
  t["ints"].set("i32", pure::from_host(std::vector<std::int32_t>{-2147483647 - 1, -1, 0, 7}, Shape{4}));
  t["ints"].set("u32", pure::from_host(std::vector<std::uint32_t>{0u, 1u, 4294967295u}, Shape{3}));
  t["ints"].set("i64", pure::from_host(std::vector<std::int64_t>{-9007199254740993LL, 42}, Shape{2}));
  t["ints"].set("u64", pure::from_host(std::vector<std::uint64_t>{18446744073709551615ULL}, Shape{1}));
  t.set("mask", pure::from_host_bool({1, 0, 0, 1, 1, 0}, Shape{2, 3}));
  t.set("step", pure::from_host(std::vector<std::int64_t>{1200}, Shape{}));
  t.set("empty", pure::zeros(Shape{0, 4}, DType::f32));
  t["no_params"];  // an empty dict (a Dropout's params)
  return t;
}

inline pure::io::Metadata sample_metadata() {
  pure::io::Metadata m;
  m.attributes["step"] = std::int64_t{1200};
  m.attributes["loss"] = 0.125;
  m.attributes["config"] = std::string("lr = 1e-3\nmodel = \"mlp\"");
  m.keys["train"] = pure::random::key(42);
  m.keys["data"] = pure::random::wrap_key_data({0xDEADBEEFu, 7u}, pure::random::Impl::philox);
  return m;
}

/// About 2 MB, so that a save takes long enough to be killed in the middle.
inline pure::Tree big_tree(int which) {
  pure::Tree t;
  for (int i = 0; i < 4; ++i) {
    t["layer_" + std::to_string(i)].set(
        "w", pure::full(pure::Shape{256, 512}, which == 0 ? 1.0 + i : -1.0 - i, pure::DType::f32));
  }
  return t;
}

}  // namespace pure_test
