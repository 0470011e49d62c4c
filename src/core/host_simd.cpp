#include <pure/core/error.hpp>
#include <pure/core/host_simd.hpp>

#include <atomic>
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

void check_supported(HostSimd level, const char* who) {
  if (static_cast<int>(level) > static_cast<int>(host_simd_supported())) {
    throw ValueError(std::string(who) + ": this CPU (or build) does not support " + host_simd_name(level) +
                     "; supported: " + supported_list());
  }
}

// The environment is read once, at the first kernel launch or query.
HostSimd initial_level() {
  const char* env = std::getenv("PURE_HOST_SIMD");
  if (env == nullptr || *env == '\0') return host_simd_supported();
  HostSimd level;
  try {
    level = parse_host_simd(env);
  } catch (const ValueError&) {
    throw ValueError(std::string("PURE_HOST_SIMD='") + env + "' is not one of baseline, avx2, avx512");
  }
  check_supported(level, "PURE_HOST_SIMD");
  return level;
}

std::atomic<int>& current() {
  static std::atomic<int> level{static_cast<int>(initial_level())};
  return level;
}

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

HostSimd host_simd() { return static_cast<HostSimd>(current().load(std::memory_order_relaxed)); }

void set_host_simd(HostSimd level) {
  check_supported(level, "pure::set_host_simd");
  current().store(static_cast<int>(level), std::memory_order_relaxed);
}

}  // namespace pure
