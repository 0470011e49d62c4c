// pure::HostSimd: names, parsing, the CPU check, switching levels, and the
// PURE_HOST_SIMD environment variable. (That every level computes the same
// bits is checked where the multi-versioned kernels are: tests/random.)
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include <pure/core/error.hpp>
#include <pure/core/host_simd.hpp>

namespace {

using pure::HostSimd;

constexpr HostSimd kAll[] = {HostSimd::baseline, HostSimd::avx2, HostSimd::avx512};

// Restores the level a test found.
struct LevelGuard {
  HostSimd saved = pure::host_simd();
  ~LevelGuard() { pure::set_host_simd(saved); }
};

TEST(HostSimd, NamesRoundTrip) {
  EXPECT_STREQ(pure::host_simd_name(HostSimd::baseline), "baseline");
  EXPECT_STREQ(pure::host_simd_name(HostSimd::avx2), "avx2");
  EXPECT_STREQ(pure::host_simd_name(HostSimd::avx512), "avx512");
  for (HostSimd l : kAll) EXPECT_EQ(pure::parse_host_simd(pure::host_simd_name(l)), l);
}

TEST(HostSimd, ParseRejectsUnknownNames) {
  for (const char* bad : {"", "AVX2", "sse2", "avx-512", "avx512 "}) {
    try {
      pure::parse_host_simd(bad);
      ADD_FAILURE() << "no error for '" << bad << "'";
    } catch (const pure::ValueError& e) {
      const std::string msg = e.what();
      EXPECT_NE(msg.find("argument 'name'"), std::string::npos) << msg;
      EXPECT_NE(msg.find("'" + std::string(bad) + "'"), std::string::npos) << msg;
    }
  }
}

// The detection, cross-checked against the compiler's own CPU query.
TEST(HostSimd, SupportedMatchesTheCpu) {
  HostSimd want = HostSimd::baseline;
// The library's condition for building the AVX versions (src/core/host_simd_for.hpp).
#if !defined(PURE_HOST_SIMD_BASELINE_ONLY) && (defined(__x86_64__) || defined(__amd64__)) && \
    (defined(__GNUC__) || defined(__clang__)) && !defined(__CUDACC__) && !defined(__HIPCC__) && !defined(__NVCOMPILER)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2")) want = HostSimd::avx2;
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("avx512bw")) {
    want = HostSimd::avx512;
  }
#endif
  EXPECT_EQ(pure::host_simd_supported(), want);
}

TEST(HostSimd, SetSwitchesAndRefusesWhatTheCpuLacks) {
  const LevelGuard guard;
  for (HostSimd l : kAll) {
    if (static_cast<int>(l) <= static_cast<int>(pure::host_simd_supported())) {
      pure::set_host_simd(l);
      EXPECT_EQ(pure::host_simd(), l);
    } else {
      const HostSimd before = pure::host_simd();
      try {
        pure::set_host_simd(l);
        ADD_FAILURE() << "no error for " << pure::host_simd_name(l);
      } catch (const pure::ValueError& e) {
        EXPECT_NE(std::string(e.what()).find("does not support"), std::string::npos) << e.what();
      }
      EXPECT_EQ(pure::host_simd(), before);
    }
  }
}

// PURE_HOST_SIMD's rule, on every (value, CPU) pair: unset means the best
// level; a level above the CPU's is capped with a warning; a typo is an error.
TEST(HostSimd, EnvironmentRule) {
  using pure::detail::host_simd_from_environment;
  for (HostSimd cpu : kAll) {
    std::string warning;
    EXPECT_EQ(host_simd_from_environment(nullptr, cpu, &warning), cpu);
    EXPECT_EQ(host_simd_from_environment("", cpu, &warning), cpu);
    EXPECT_TRUE(warning.empty());
    for (HostSimd want : kAll) {
      warning.clear();
      const HostSimd got = host_simd_from_environment(pure::host_simd_name(want), cpu, &warning);
      if (static_cast<int>(want) <= static_cast<int>(cpu)) {
        EXPECT_EQ(got, want);
        EXPECT_TRUE(warning.empty()) << warning;
      } else {
        EXPECT_EQ(got, cpu);
        EXPECT_NE(warning.find(std::string("using ") + pure::host_simd_name(cpu)), std::string::npos) << warning;
      }
    }
    try {
      host_simd_from_environment("AVX2", cpu, &warning);
      ADD_FAILURE() << "no error for PURE_HOST_SIMD=AVX2";
    } catch (const pure::ValueError& e) {
      EXPECT_NE(std::string(e.what()).find("PURE_HOST_SIMD='AVX2'"), std::string::npos) << e.what();
    }
  }
}

// ctest runs this binary also with PURE_HOST_SIMD=baseline and with an invalid
// value (tests/CMakeLists.txt); without the variable the best level is used.
// An invalid value makes host_simd() throw, and set_host_simd still works.
TEST(HostSimd, EnvironmentSetsTheStartingLevel) {
  const char* env = std::getenv("PURE_HOST_SIMD");
  const std::string value = env ? env : "";
  if (value.empty()) {
    EXPECT_EQ(pure::host_simd(), pure::host_simd_supported());
  } else if (value == "baseline" || value == "avx2" || value == "avx512") {
    const HostSimd want = pure::parse_host_simd(value);
    EXPECT_EQ(pure::host_simd(), static_cast<int>(want) <= static_cast<int>(pure::host_simd_supported())
                                     ? want
                                     : pure::host_simd_supported());
  } else {
    try {
      pure::host_simd();
      ADD_FAILURE() << "no error for PURE_HOST_SIMD='" << value << "'";
    } catch (const pure::ValueError& e) {
      EXPECT_NE(std::string(e.what()).find("PURE_HOST_SIMD='" + value + "'"), std::string::npos) << e.what();
    }
    pure::set_host_simd(HostSimd::baseline);
    EXPECT_EQ(pure::host_simd(), HostSimd::baseline);
  }
}

}  // namespace
