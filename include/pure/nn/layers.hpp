// Layers, as flax.linen: each is a plain struct of settings whose parameters
// have Flax's names, shapes, default initializers and order of operations.
// Layouts are Flax's: features last (NWC / NHWC inputs), kernels (in, out) for
// Dense and (spatial..., in, out) for Conv.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <pure/nn/activations.hpp>
#include <pure/nn/initializers.hpp>
#include <pure/nn/scope.hpp>

namespace pure::nn {

/// y = x @ kernel + bias over the last axis of x (any leading axes).
struct Dense : Module<Dense> {
  static constexpr const char* kind_name = "Dense";
  std::int64_t features = 0;
  bool use_bias = true;
  DType param_dtype = DType::f32;
  Initializer kernel_init = initializers::lecun_normal();
  Initializer bias_init = initializers::zeros();

  Dense() = default;
  explicit Dense(std::int64_t features_, bool use_bias_ = true) : features(features_), use_bias(use_bias_) {}
  Array call(Scope& scope, const Array& x) const;
};

/// Dense layers of these widths (Dense_0, Dense_1, ...) with `activation`
/// between them (and after the last one when `activate_final`).
struct MLP : Module<MLP> {
  static constexpr const char* kind_name = "MLP";
  std::vector<std::int64_t> features;
  Activation activation = nn::tanh;
  bool activate_final = false;

  MLP() = default;
  explicit MLP(std::vector<std::int64_t> features_, Activation activation_ = nn::tanh, bool activate_final_ = false)
      : features(std::move(features_)), activation(std::move(activation_)), activate_final(activate_final_) {}
  Array call(Scope& scope, const Array& x) const;
};

/// Layer normalisation over the last axis: (x - mean) * rsqrt(var + epsilon)
/// * scale + bias, with Flax's fast variance mean(x^2) - mean(x)^2.
struct LayerNorm : Module<LayerNorm> {
  static constexpr const char* kind_name = "LayerNorm";
  double epsilon = 1e-6;
  bool use_bias = true;
  bool use_scale = true;
  DType param_dtype = DType::f32;
  Initializer scale_init = initializers::ones();
  Initializer bias_init = initializers::zeros();

  Array call(Scope& scope, const Array& x) const;
};

/// Zeroes each element with probability `rate` and scales the rest by
/// 1 / (1 - rate) unless `deterministic`; the mask comes from the "dropout"
/// stream (the key given to apply), bit for bit as Flax's.
struct Dropout : Module<Dropout> {
  static constexpr const char* kind_name = "Dropout";
  double rate = 0.5;

  Dropout() = default;
  explicit Dropout(double rate_) : rate(rate_) {}
  Array call(Scope& scope, const Array& x, bool deterministic) const;
};

/// A lookup table: integer indices of any shape to rows of `embedding`
/// (num_embeddings, features), initialised as Flax's default_embed_init.
struct Embed : Module<Embed> {
  static constexpr const char* kind_name = "Embed";
  std::int64_t num_embeddings = 0;
  std::int64_t features = 0;
  DType param_dtype = DType::f32;
  Initializer embedding_init =
      initializers::variance_scaling(1.0, initializers::FanMode::fan_in, initializers::Distribution::normal, -2, 0);

  Embed() = default;
  Embed(std::int64_t num_embeddings_, std::int64_t features_) : num_embeddings(num_embeddings_), features(features_) {}
  Array call(Scope& scope, const Array& indices) const;
};

enum class Padding { same, valid };

/// A 1-D or 2-D convolution (as many spatial axes as kernel_size has), inputs
/// (batch, spatial..., in_features), kernel (kernel_size..., in, features).
/// Computed as a sum over kernel offsets of strided slices times one kernel
/// tap (a dot_general each), so it differentiates through existing
/// primitives; results agree with Flax's to rounding, not bit for bit.
struct Conv : Module<Conv> {
  static constexpr const char* kind_name = "Conv";
  std::int64_t features = 0;
  std::vector<std::int64_t> kernel_size;
  std::vector<std::int64_t> strides;  ///< empty: 1 along every axis
  Padding padding = Padding::same;
  bool use_bias = true;
  DType param_dtype = DType::f32;
  Initializer kernel_init = initializers::lecun_normal();
  Initializer bias_init = initializers::zeros();

  Conv() = default;
  Conv(std::int64_t features_, std::vector<std::int64_t> kernel_size_, std::vector<std::int64_t> strides_ = {},
       Padding padding_ = Padding::same)
      : features(features_), kernel_size(std::move(kernel_size_)), strides(std::move(strides_)), padding(padding_) {}
  Array call(Scope& scope, const Array& x) const;
};

/// A layer of a Sequential: a module (taking one Array) or a plain function
/// (an activation). Type-erased so layers of different kinds form one list.
class Layer {
 public:
  template <class M, class = decltype(std::declval<const M&>().call(std::declval<Scope&>(), std::declval<Array>()))>
  Layer(M module)  // NOLINT: implicit, so `Sequential{{Dense{4}, relu}}` reads naturally
      : kind_(detail::kind_of<M>()),
        call_([m = std::move(module)](Scope& s, const Array& x) { return m.call(s, x); }) {}
  Layer(Array (*fn)(const Array&)) : fn_(fn) {}  // NOLINT: an activation such as nn::relu
  Layer(Activation fn) : fn_(std::move(fn)) {}   // NOLINT

  bool is_module() const { return static_cast<bool>(call_); }
  const std::string& kind() const { return kind_; }
  Array call(Scope& scope, const Array& x) const { return call_(scope, x); }
  Array operator()(const Array& x) const { return fn_(x); }

 private:
  std::string kind_;
  std::function<Array(Scope&, const Array&)> call_;
  Activation fn_;
};

/// Layers applied in order. Module layers are named `layers_<index in the
/// list>` as Flax's Sequential names them (functions take an index but no name).
struct Sequential : Module<Sequential> {
  static constexpr const char* kind_name = "Sequential";
  std::vector<Layer> layers;

  Sequential() = default;
  Sequential(std::vector<Layer> layers_) : layers(std::move(layers_)) {}  // NOLINT
  Array call(Scope& scope, const Array& x) const;
};

namespace detail {
std::string format_table(const std::vector<CallRecord>& calls, const Tree& params);
}

/// A table of the module calls that `apply` makes for these sample inputs:
/// path, kind, input and output shapes, and the parameters under each path
/// with their count, as Flax's `tabulate(module, key)(args...)`. `key` is used
/// as init uses it (parameters are drawn to learn their shapes).
template <class M, class... A>
std::string tabulate(const M& module, const random::Key& key, const A&... args) {
  Scope scope = Scope::for_init(key);
  scope.start_log();
  scope.run(detail::kind_of<M>(), module, args...);
  return detail::format_table(scope.log(), scope.params());
}

}  // namespace pure::nn
