// The layers of pure::nn, each following its flax.linen counterpart.
#include <pure/nn/layers.hpp>

#include <iomanip>
#include <sstream>

#include <pure/core/creation.hpp>
#include <pure/core/error.hpp>
#include <pure/ops/lax.hpp>
#include <pure/ops/numpy.hpp>
#include <pure/random/samplers.hpp>

namespace pure::nn {
namespace {

std::string where_(const Scope& scope, const char* kind) {
  return std::string("pure::nn::") + kind + " '" + (scope.path().empty() ? std::string("<top>") : scope.path()) + "'";
}

// jnp's promote_dtype: every operand in the common (at least floating) dtype.
DType common_float(std::initializer_list<DType> dtypes) {
  DType out = *dtypes.begin();
  for (DType d : dtypes) out = promote_types(out, d);
  return to_inexact_dtype(out);
}
Array as(const Array& x, DType dtype) { return x.dtype() == dtype ? x : astype(x, dtype); }

// A parameter whose shape depends on the input: a mismatch at apply names the
// layer and the input it was given.
Array shaped_param(Scope& scope, const char* kind, const std::string& name, const Initializer& init, const Shape& shape,
                   DType dtype, const Array& x) {
  try {
    return scope.param(name, init, shape, dtype);
  } catch (const ShapeError& e) {
    throw ShapeError(where_(scope, kind) + " applied to input " + detail::describe(x) + ": " + e.what());
  }
}

}  // namespace

Array Dense::call(Scope& scope, const Array& x) const {
  if (features <= 0)
    throw ValueError(where_(scope, "Dense") + ": features must be positive, got " + std::to_string(features));
  if (x.shape().rank() < 1)
    throw ShapeError(where_(scope, "Dense") + ": input must have rank >= 1, got " + detail::describe(x));
  const std::int64_t in = x.shape()[x.shape().rank() - 1];
  Array kernel = shaped_param(scope, "Dense", "kernel", kernel_init, Shape{in, features}, param_dtype, x);
  Array bias = use_bias ? scope.param("bias", bias_init, Shape{features}, param_dtype) : Array();
  const DType dtype =
      use_bias ? common_float({x.dtype(), kernel.dtype(), bias.dtype()}) : common_float({x.dtype(), kernel.dtype()});
  Array y = lax::dot_general(as(x, dtype), as(kernel, dtype), {{x.shape().rank() - 1}, {0}});
  if (use_bias) y = y + as(bias, dtype);  // broadcasts over the leading axes, as Flax's reshape to (1, ..., F)
  return y;
}

Array MLP::call(Scope& scope, const Array& x) const {
  if (features.empty()) throw ValueError(where_(scope, "MLP") + ": features must list at least one layer width");
  Array h = x;
  for (std::size_t i = 0; i < features.size(); ++i) {
    h = scope.child(Dense(features[i]), h);
    if (i + 1 < features.size() || activate_final) h = activation(h);
  }
  return h;
}

Array LayerNorm::call(Scope& scope, const Array& x) const {
  if (x.shape().rank() < 1)
    throw ShapeError(where_(scope, "LayerNorm") + ": input must have rank >= 1, got " + detail::describe(x));
  const std::int64_t f = x.shape()[x.shape().rank() - 1];
  // Flax's _compute_stats with use_fast_variance, then _normalize.
  const Array mu = pure::mean(x, {-1}, true);
  const Array mu2 = pure::mean(pure::square(x), {-1}, true);
  const Array var = pure::maximum(pure::scalar_like(mu2, 0.0), mu2 - pure::square(mu));
  Array y = x - mu;
  Array mul = lax::rsqrt(var + epsilon);
  if (use_scale) mul = mul * shaped_param(scope, "LayerNorm", "scale", scale_init, Shape{f}, param_dtype, x);
  y = y * mul;
  if (use_bias) y = y + shaped_param(scope, "LayerNorm", "bias", bias_init, Shape{f}, param_dtype, x);
  return y;
}

Array Dropout::call(Scope& scope, const Array& x, bool deterministic) const {
  if (!(rate >= 0.0 && rate <= 1.0)) {
    throw ValueError(where_(scope, "Dropout") + ": rate must be in [0, 1], got " + std::to_string(rate));
  }
  if (rate == 0.0 || deterministic) return x;
  if (rate == 1.0) return pure::zeros(x.shape(), x.dtype());
  const double keep_prob = 1.0 - rate;
  const Array mask = random::bernoulli(scope.make_rng("dropout"), keep_prob, x.shape());
  return lax::select(mask, x / keep_prob, pure::zeros(x.shape(), x.dtype()));
}

Array Embed::call(Scope& scope, const Array& indices) const {
  if (num_embeddings <= 0 || features <= 0) {
    throw ValueError(where_(scope, "Embed") + ": num_embeddings and features must be positive, got " +
                     std::to_string(num_embeddings) + " and " + std::to_string(features));
  }
  const DType t = indices.dtype();
  if (t == DType::f32 || t == DType::f64 || t == DType::boolean) {
    throw DTypeError(where_(scope, "Embed") + ": indices must be integers, got " + detail::describe(indices));
  }
  const Array table = scope.param("embedding", embedding_init, Shape{num_embeddings, features}, param_dtype);
  return pure::take(table, indices, 0);
}

Array Conv::call(Scope& scope, const Array& x) const {
  const int d = static_cast<int>(kernel_size.size());
  if (d < 1 || d > 2) throw ValueError(where_(scope, "Conv") + ": kernel_size must have 1 or 2 entries (1-D or 2-D)");
  if (features <= 0) throw ValueError(where_(scope, "Conv") + ": features must be positive");
  if (!strides.empty() && static_cast<int>(strides.size()) != d) {
    throw ValueError(where_(scope, "Conv") + ": strides needs " + std::to_string(d) + " entries, one per kernel axis");
  }
  if (x.shape().rank() != d + 2) {
    throw ShapeError(where_(scope, "Conv") + ": a " + std::to_string(d) + "-D convolution takes (batch, spatial x " +
                     std::to_string(d) + ", features) inputs, got " + detail::describe(x));
  }
  const std::int64_t batch = x.shape()[0], cin = x.shape()[d + 1];
  std::vector<std::int64_t> kdims(kernel_size);
  kdims.push_back(cin);
  kdims.push_back(features);
  Array kernel = shaped_param(scope, "Conv", "kernel", kernel_init, Shape(kdims), param_dtype, x);
  Array bias = use_bias ? scope.param("bias", bias_init, Shape{features}, param_dtype) : Array();
  const DType dtype = common_float({x.dtype(), kernel.dtype()});
  Array xp = as(x, dtype);
  kernel = as(kernel, dtype);

  // Output sizes and padding as lax.padtype_to_pads: SAME keeps ceil(n / s).
  std::vector<std::int64_t> out(static_cast<std::size_t>(d)), stride(static_cast<std::size_t>(d), 1);
  std::vector<std::pair<std::int64_t, std::int64_t>> pads(static_cast<std::size_t>(d + 2), {0, 0});
  for (int i = 0; i < d; ++i) {
    const std::int64_t n = x.shape()[i + 1], k = kernel_size[static_cast<std::size_t>(i)];
    if (k <= 0) throw ValueError(where_(scope, "Conv") + ": kernel_size entries must be positive");
    if (!strides.empty()) stride[static_cast<std::size_t>(i)] = strides[static_cast<std::size_t>(i)];
    const std::int64_t s = stride[static_cast<std::size_t>(i)];
    if (s <= 0) throw ValueError(where_(scope, "Conv") + ": strides must be positive");
    if (padding == Padding::same) {
      out[static_cast<std::size_t>(i)] = (n + s - 1) / s;
      const std::int64_t total = std::max<std::int64_t>((out[static_cast<std::size_t>(i)] - 1) * s + k - n, 0);
      pads[static_cast<std::size_t>(i + 1)] = {total / 2, total - total / 2};
    } else {
      if (n < k) {
        throw ShapeError(where_(scope, "Conv") + ": VALID padding needs inputs at least as large as the kernel, got " +
                         detail::describe(x));
      }
      out[static_cast<std::size_t>(i)] = (n - k) / s + 1;
    }
  }
  if (padding == Padding::same) xp = pure::pad(xp, pads);

  // y = sum over kernel taps o of (strided window of xp at o) . kernel[o].
  Array y;
  const std::int64_t taps = Shape(kernel_size).size();
  for (std::int64_t t = 0; t < taps; ++t) {
    std::vector<std::int64_t> start(static_cast<std::size_t>(d + 2), 0), limit = xp.shape().dims(),
                                                                         step(static_cast<std::size_t>(d + 2), 1);
    std::vector<std::int64_t> kstart(static_cast<std::size_t>(d + 2), 0), klimit = kernel.shape().dims();
    std::int64_t rest = t;
    for (int i = d - 1; i >= 0; --i) {
      const auto u = static_cast<std::size_t>(i);
      const std::int64_t o = rest % kernel_size[u];
      rest /= kernel_size[u];
      start[u + 1] = o;
      limit[u + 1] = o + (out[u] - 1) * stride[u] + 1;
      step[u + 1] = stride[u];
      kstart[u] = o;
      klimit[u] = o + 1;
    }
    limit[0] = batch;
    const Array window = lax::slice(xp, start, limit, step);
    const Array tap = pure::reshape(lax::slice(kernel, kstart, klimit), Shape{cin, features});
    const Array term = lax::dot_general(window, tap, {{d + 1}, {0}});
    y = t == 0 ? term : y + term;
  }
  if (use_bias) y = y + as(bias, dtype);
  return y;
}

Array Sequential::call(Scope& scope, const Array& x) const {
  Array h = x;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const Layer& layer = layers[i];
    h = layer.is_module() ? scope.child_of_kind("layers_" + std::to_string(i), layer.kind(), layer, h) : layer(h);
  }
  return h;
}

namespace detail {

std::string format_table(const std::vector<CallRecord>& calls, const Tree& params) {
  struct Row {
    std::string path, kind, inputs, output, params;
  };
  std::vector<Row> rows;
  std::int64_t total = 0, total_bytes = 0;
  for (const auto& c : calls) {
    Row r{c.path.empty() ? "(top)" : c.path, c.kind, "", c.output, ""};
    for (std::size_t i = 0; i < c.inputs.size(); ++i) r.inputs += (i ? ", " : "") + c.inputs[i];
    // The module's own parameters: the leaves directly under its path.
    const Tree* node = &params;
    std::string rest = c.path;
    while (!rest.empty() && node->is_dict()) {
      const std::size_t slash = rest.find('/');
      const std::string head = rest.substr(0, slash);
      if (!node->contains(head)) {
        node = nullptr;
        break;
      }
      node = &(*node)[head];
      rest = slash == std::string::npos ? "" : rest.substr(slash + 1);
    }
    std::int64_t count = 0;
    if (node != nullptr && node->is_dict()) {
      for (std::size_t i = 0; i < node->size(); ++i) {
        if (!node->child(i).is_leaf()) continue;
        const Array& a = node->child(i).array();
        r.params += (r.params.empty() ? "" : ", ") + node->keys()[i] + " " + describe(a);
        count += a.shape().size();
        total_bytes += a.shape().size() * static_cast<std::int64_t>(dtype_size(a.dtype()));
      }
    }
    if (count > 0) r.params += " (" + std::to_string(count) + ")";
    total += count;
    rows.push_back(r);
  }
  Row head{"path", "module", "inputs", "outputs", "params"};
  std::size_t w[4] = {head.path.size(), head.kind.size(), head.inputs.size(), head.output.size()};
  for (const auto& r : rows) {
    w[0] = std::max(w[0], r.path.size());
    w[1] = std::max(w[1], r.kind.size());
    w[2] = std::max(w[2], r.inputs.size());
    w[3] = std::max(w[3], r.output.size());
  }
  std::ostringstream os;
  auto line = [&](const Row& r) {
    os << std::left << std::setw(static_cast<int>(w[0])) << r.path << " | " << std::setw(static_cast<int>(w[1]))
       << r.kind << " | " << std::setw(static_cast<int>(w[2])) << r.inputs << " | " << std::setw(static_cast<int>(w[3]))
       << r.output << " | " << r.params << "\n";
  };
  line(head);
  os << std::string(w[0] + w[1] + w[2] + w[3] + 18, '-') << "\n";
  for (const auto& r : rows) line(r);
  os << "Total parameters: " << total << " (" << total_bytes << " bytes)\n";
  return os.str();
}

}  // namespace detail
}  // namespace pure::nn
