// pure::HostSimd: which instruction-set version of pure's host (CPU) kernels
// runs. The hot elementwise kernels (the random samplers) are compiled several
// times, for baseline x86-64 and for AVX2 and AVX-512, and the best version the
// CPU supports is picked at run time, so one binary package is fast on every
// machine. The versions give bitwise identical results: the generators are
// integer arithmetic, every float operation is IEEE-rounded the same on each
// level, and nothing is contracted to FMA (tests/random checks each level
// against the others). Device backends (CUDA, HIP) are not affected.
//
// The environment variable PURE_HOST_SIMD (baseline, avx2 or avx512) caps the
// level, e.g. to compare speeds: it is read at the first host kernel launch; a
// level above what the CPU supports falls back to the best one with a warning
// on stderr (one job script fits every node), an unknown name is an error.
// set_host_simd does the same in code (and overrides the variable). Builds for
// GPUs do not run host sampler loops and never read it.
#pragma once

#include <string>

namespace pure {

enum class HostSimd { baseline = 0, avx2 = 1, avx512 = 2 };

/// "baseline", "avx2" or "avx512".
const char* host_simd_name(HostSimd level);
/// The level named `name` (as host_simd_name writes it); ValueError otherwise.
HostSimd parse_host_simd(const std::string& name);
/// The best level this CPU and this build support (baseline off x86-64 or
/// without GCC/Clang).
HostSimd host_simd_supported();
/// The level in use: host_simd_supported(), or PURE_HOST_SIMD when set (see
/// above; ValueError for an unknown name), or the last set_host_simd.
HostSimd host_simd();
/// Use `level` from now on (ValueError if the CPU lacks it). Not thread-safe
/// against kernels running at the same time; meant for start-up, tests and benchmarks.
void set_host_simd(HostSimd level);

namespace detail {
/// PURE_HOST_SIMD's rule: `value` (null or empty: unset) capped at `supported`;
/// a cap fills `warning`. ValueError naming the variable for an unknown name.
HostSimd host_simd_from_environment(const char* value, HostSimd supported, std::string* warning);
}  // namespace detail

}  // namespace pure
