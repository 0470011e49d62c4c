// The small two-layer MLP parameters the jit tests share (8 -> 16 tanh -> 1).
#pragma once

#include <cstdint>

#include <pure/pure.hpp>

namespace pure_test {

/// Parameters {dense0: {w (8,16), b (16)}, dense1: {w (16,1), b (1)}} drawn
/// from key(seed); resets the key-reuse record, since tests reuse seeds.
inline pure::Tree small_mlp_params(std::uint32_t seed) {
  namespace r = pure::random;
  r::reset_key_reuse_record();
  const r::Key k = r::key(seed);
  pure::Tree p;
  p["dense0"]["w"] = r::normal(r::fold_in(k, 0), pure::Shape{8, 16}) * 0.3;
  p["dense0"]["b"] = r::normal(r::fold_in(k, 1), pure::Shape{16}) * 0.1;
  p["dense1"]["w"] = r::normal(r::fold_in(k, 2), pure::Shape{16, 1}) * 0.3;
  p["dense1"]["b"] = pure::zeros({1});
  return p;
}

}  // namespace pure_test
