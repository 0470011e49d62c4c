// Scope: the parameter tree being built (init) or read (apply), random streams
// derived as Flax derives them, and the call log of tabulate.
#include <pure/nn/scope.hpp>

#include <array>
#include <cstring>
#include <set>
#include <sstream>

#if defined(__GNUG__)
#include <cxxabi.h>

#include <cstdlib>
#endif

#include <pure/core/error.hpp>
#include <pure/random/device.hpp>

namespace pure::nn {
namespace detail {

struct ScopeState {
  bool initializing = false;
  Tree params;
  random::Key root;                                   // "params" stream at init; the apply key otherwise
  bool has_root = false;                              // apply without a key: no stream
  std::map<std::string, std::uint64_t> rng_counters;  // per scope path and stream
  std::set<std::string> used;                         // apply: parameter paths read
  bool logging = false;
  std::vector<CallRecord> calls;
};

namespace {

// SHA-1 (FIPS 180-4), only to reproduce Flax's key derivation; not for security.
class Sha1 {
 public:
  void update(const unsigned char* data, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
      block_[fill_++] = data[i];
      ++length_;
      if (fill_ == 64) compress();
    }
  }
  std::array<unsigned char, 20> digest() {
    const std::uint64_t bits = length_ * 8;
    const unsigned char one = 0x80, zero = 0;
    update(&one, 1);
    while (fill_ != 56) update(&zero, 1);
    for (int i = 7; i >= 0; --i) {
      const unsigned char b = static_cast<unsigned char>(bits >> (8 * i));
      update(&b, 1);
    }
    std::array<unsigned char, 20> out{};
    for (int i = 0; i < 5; ++i)
      for (int j = 0; j < 4; ++j) out[4 * i + j] = static_cast<unsigned char>(h_[i] >> (24 - 8 * j));
    return out;
  }

 private:
  static std::uint32_t rotl(std::uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }
  void compress() {
    std::uint32_t w[80];
    for (int t = 0; t < 16; ++t) {
      w[t] = (std::uint32_t(block_[4 * t]) << 24) | (std::uint32_t(block_[4 * t + 1]) << 16) |
             (std::uint32_t(block_[4 * t + 2]) << 8) | std::uint32_t(block_[4 * t + 3]);
    }
    for (int t = 16; t < 80; ++t) w[t] = rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
    std::uint32_t a = h_[0], b = h_[1], c = h_[2], d = h_[3], e = h_[4];
    for (int t = 0; t < 80; ++t) {
      std::uint32_t f, k;
      if (t < 20) {
        f = (b & c) | (~b & d), k = 0x5A827999u;
      } else if (t < 40) {
        f = b ^ c ^ d, k = 0x6ED9EBA1u;
      } else if (t < 60) {
        f = (b & c) | (b & d) | (c & d), k = 0x8F1BBCDCu;
      } else {
        f = b ^ c ^ d, k = 0xCA62C1D6u;
      }
      const std::uint32_t next = rotl(a, 5) + f + e + k + w[t];
      e = d, d = c, c = rotl(b, 30), b = a, a = next;
    }
    h_[0] += a, h_[1] += b, h_[2] += c, h_[3] += d, h_[4] += e;
    fill_ = 0;
  }

  std::uint32_t h_[5] = {0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u, 0xC3D2E1F0u};
  unsigned char block_[64] = {};
  std::size_t fill_ = 0;
  std::uint64_t length_ = 0;
};

std::string join(const std::vector<std::string>& path) {
  std::string out;
  for (const auto& p : path) out += (out.empty() ? "" : "/") + p;
  return out;
}

void collect_leaf_paths(const Tree& t, const std::string& prefix, std::vector<std::string>& out) {
  if (t.is_leaf()) {
    out.push_back(prefix);
    return;
  }
  for (std::size_t i = 0; i < t.size(); ++i)
    collect_leaf_paths(t.child(i), prefix.empty() ? t.keys()[i] : prefix + "/" + t.keys()[i], out);
}

}  // namespace

std::uint32_t flax_fold_hash(const std::vector<std::string>& names, std::uint64_t counter) {
  Sha1 sha;
  for (const auto& n : names) sha.update(reinterpret_cast<const unsigned char*>(n.data()), n.size());
  // Python's int.to_bytes((bit_length + 7) // 8, "big"): no bytes for 0.
  unsigned char bytes[8];
  int n = 0;
  for (std::uint64_t c = counter; c != 0; c >>= 8) bytes[n++] = static_cast<unsigned char>(c & 0xFF);
  for (int i = n - 1; i >= 0; --i) sha.update(&bytes[i], 1);
  const auto d = sha.digest();
  return (std::uint32_t(d[0]) << 24) | (std::uint32_t(d[1]) << 16) | (std::uint32_t(d[2]) << 8) | std::uint32_t(d[3]);
}

std::string short_type_name(const std::type_info& type) {
  std::string name = type.name();
#if defined(__GNUG__)
  int status = 0;
  char* demangled = abi::__cxa_demangle(type.name(), nullptr, nullptr, &status);
  if (status == 0 && demangled != nullptr) name = demangled;
  std::free(demangled);
#endif
  // "ns::Outer::Model<float>" -> "Model"
  const std::size_t angle = name.find('<');
  if (angle != std::string::npos) name.resize(angle);
  const std::size_t colon = name.rfind("::");
  if (colon != std::string::npos) name = name.substr(colon + 2);
  return name;
}

std::string describe(const Array& x) {
  std::ostringstream os;
  os << dtype_short_name(x.dtype()) << "[";
  for (int i = 0; i < x.shape().rank(); ++i) os << (i ? "," : "") << x.shape()[i];
  os << "]";
  return os.str();
}

}  // namespace detail

Scope::Scope(std::shared_ptr<detail::ScopeState> state, std::vector<std::string> path)
    : state_(std::move(state)), path_(std::move(path)) {}

Scope Scope::for_init(const random::Key& params_key) {
  auto state = std::make_shared<detail::ScopeState>();
  state->initializing = true;
  state->root = params_key;
  state->has_root = true;
  return Scope(std::move(state), {});
}

Scope Scope::for_apply(const Tree& params, std::optional<random::Key> rng) {
  if (params.is_leaf()) {
    throw ValueError("pure::nn apply: params must be a dict of parameters (as init returns), got a single array " +
                     detail::describe(params.array()));
  }
  auto state = std::make_shared<detail::ScopeState>();
  state->params = params;
  if (rng) {
    state->root = *rng;
    state->has_root = true;
  }
  return Scope(std::move(state), {});
}

bool Scope::is_initializing() const { return state_->initializing; }
std::string Scope::path() const { return detail::join(path_); }
const Tree& Scope::params() const { return state_->params; }

Scope Scope::push(const std::string& name) {
  std::vector<std::string> p = path_;
  p.push_back(name);
  return Scope(state_, std::move(p));
}

std::string Scope::next_name(const std::string& kind) { return kind + "_" + std::to_string(kind_counts_[kind]++); }

random::Key Scope::make_rng(const std::string& stream) {
  // Flax: at init only "params" exists and every stream falls back to it.
  const std::string name = state_->initializing ? "params" : stream;
  const std::string who = "pure::nn: module '" + (path_.empty() ? std::string("<top>") : path()) + "'";
  if (!state_->initializing && stream == "params") {
    throw ValueError(who + " asks for the \"params\" stream at apply time; parameters are drawn only by init");
  }
  if (!state_->initializing && !state_->has_root) {
    throw ValueError(who + " draws random numbers (stream \"" + stream +
                     "\") at apply time: pass a key, apply(params, key, inputs...)");
  }
  const std::uint64_t counter = ++state_->rng_counters[path() + '\n' + name];
  // The apply key is Flax's "dropout" key; any other stream gets its own root
  // (the key with the stream's name folded in), so two streams never share draws.
  const random::Key root = state_->initializing || stream == "dropout"
                               ? state_->root
                               : random::fold_in(state_->root, detail::flax_fold_hash({stream}, 0));
  return random::fold_in(root, detail::flax_fold_hash(path_, counter));
}

Array Scope::param(const std::string& name, const Initializer& init, const Shape& shape, DType dtype) {
  const std::string full = path_.empty() ? name : path() + "/" + name;
  auto expect = [&] {
    std::ostringstream os;
    os << dtype_short_name(dtype) << "[";
    for (int i = 0; i < shape.rank(); ++i) os << (i ? "," : "") << shape[i];
    os << "]";
    return os.str();
  };
  if (state_->initializing) {
    Tree* node = &state_->params;
    for (const auto& p : path_) node = &(*node)[p];
    if (node->is_leaf() || node->contains(name)) {
      throw ValueError("pure::nn init: parameter '" + full +
                       "' is created twice (two params of one name in a module?)");
    }
    Array value = init(make_rng("params"), shape, dtype);
    if (value.shape() != shape || value.dtype() != dtype) {
      throw ShapeError("pure::nn init: the initializer of '" + full + "' returned " + detail::describe(value) +
                       ", the module asked for " + expect());
    }
    node->set(name, value);
    return value;
  }
  const Tree* node = &state_->params;
  std::string walked;
  for (const auto& p : path_) {
    if (node->is_leaf() || !node->contains(p)) {
      throw ValueError("pure::nn apply: the params tree has no '" + (walked.empty() ? p : walked + "/" + p) +
                       "' (needed for parameter '" + full + "')");
    }
    node = &(*node)[p];
    walked = walked.empty() ? p : walked + "/" + p;
  }
  if (node->is_leaf() || !node->contains(name) || !(*node)[name].is_leaf()) {
    throw ValueError("pure::nn apply: the params tree has no parameter '" + full + "'");
  }
  const Array& value = (*node)[name].array();
  if (value.shape() != shape || value.dtype() != dtype) {
    throw ShapeError("pure::nn apply: parameter '" + full + "' is " + detail::describe(value) +
                     ", the module expects " + expect() + " for these inputs");
  }
  state_->used.insert(full);
  return value;
}

void Scope::check_all_used() const {
  if (state_->initializing) return;
  std::vector<std::string> paths;
  detail::collect_leaf_paths(state_->params, "", paths);
  for (const auto& p : paths) {
    if (state_->used.count(p) == 0) {
      throw ValueError("pure::nn apply: the params tree has an extra entry '" + p + "' that no module uses");
    }
  }
}

void Scope::start_log() { state_->logging = true; }
const std::vector<CallRecord>& Scope::log() const { return state_->calls; }
bool Scope::logging() const { return state_->logging; }
std::size_t Scope::record(CallRecord rec) {
  state_->calls.push_back(std::move(rec));
  return state_->calls.size() - 1;
}
void Scope::set_output(std::size_t slot, std::string output) { state_->calls.at(slot).output = std::move(output); }

}  // namespace pure::nn
