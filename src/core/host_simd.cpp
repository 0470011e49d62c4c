#include <pure/core/error.hpp>
#include <pure/core/host_simd.hpp>

#include <atomic>
#include <cstdio>
#include <cstdlib>

#include "core/host_simd_for.hpp"

namespace pure {
namespace {

HostSimd detect() {
#if PURE_HOST_SIMD_X86
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("avx512bw")) {
    return HostSimd::avx512;
  }
  if (__builtin_cpu_supports("avx2")) return HostSimd::avx2;
#endif
  return HostSimd::baseline;
}

std::string supported_list() {
  std::string s;
  for (int l = 0; l <= static_cast<int>(host_simd_supported()); ++l) {
    if (!s.empty()) s += ", ";
    s += host_simd_name(static_cast<HostSimd>(l));
  }
  return s;
}

// -1 until the first host_simd() call reads the environment (or set_host_simd
// sets a level, which then wins).
std::atomic<int> g_level{-1};

}  // namespace

const char* host_simd_name(HostSimd level) {
  switch (level) {
    case HostSimd::baseline: return "baseline";
    case HostSimd::avx2: return "avx2";
    case HostSimd::avx512: return "avx512";
  }
  return "unknown";
}

HostSimd parse_host_simd(const std::string& name) {
  for (HostSimd l : {HostSimd::baseline, HostSimd::avx2, HostSimd::avx512}) {
    if (name == host_simd_name(l)) return l;
  }
  throw ValueError("pure::parse_host_simd: argument 'name' is '" + name + "', not one of baseline, avx2, avx512");
}

HostSimd host_simd_supported() {
  static const HostSimd best = detect();
  return best;
}

namespace detail {
HostSimd host_simd_from_environment(const char* value, HostSimd supported, std::string* warning) {
  if (value == nullptr || *value == '\0') return supported;
  HostSimd level;
  try {
    level = parse_host_simd(value);
  } catch (const ValueError&) {
    throw ValueError(std::string("PURE_HOST_SIMD='") + value + "' is not one of baseline, avx2, avx512");
  }
  if (static_cast<int>(level) <= static_cast<int>(supported)) return level;
  if (warning != nullptr) {
    *warning = std::string("pure: PURE_HOST_SIMD=") + value + " but this CPU (or build) supports at most " +
               host_simd_name(supported) + "; using " + host_simd_name(supported);
  }
  return supported;
}
}  // namespace detail

HostSimd host_simd() {
  int level = g_level.load(std::memory_order_relaxed);
  if (level < 0) {
    std::string warning;
    const HostSimd from_env =
        detail::host_simd_from_environment(std::getenv("PURE_HOST_SIMD"), host_simd_supported(), &warning);
    int expected = -1;
    // Only the first caller prints; a concurrent set_host_simd wins over the environment.
    if (g_level.compare_exchange_strong(expected, static_cast<int>(from_env)) && !warning.empty()) {
      std::fprintf(stderr, "%s\n", warning.c_str());
    }
    level = g_level.load(std::memory_order_relaxed);
  }
  return static_cast<HostSimd>(level);
}

void set_host_simd(HostSimd level) {
  if (static_cast<int>(level) > static_cast<int>(host_simd_supported())) {
    throw ValueError(std::string("pure::set_host_simd: this CPU (or build) does not support ") + host_simd_name(level) +
                     "; supported: " + supported_list());
  }
  g_level.store(static_cast<int>(level), std::memory_order_relaxed);
}

}  // namespace pure
