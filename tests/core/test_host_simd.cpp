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
#if (defined(__x86_64__) || defined(__amd64__)) && (defined(__GNUC__) || defined(__clang__))
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

// ctest runs this binary also with PURE_HOST_SIMD=baseline and with an invalid
// value (tests/CMakeLists.txt); without the variable the best level is used.
TEST(HostSimd, EnvironmentSetsTheStartingLevel) {
  const char* env = std::getenv("PURE_HOST_SIMD");
  const std::string value = env ? env : "";
  if (value.empty()) {
    EXPECT_EQ(pure::host_simd(), pure::host_simd_supported());
  } else if (value == "baseline" || value == "avx2" || value == "avx512") {
    EXPECT_EQ(pure::host_simd(), pure::parse_host_simd(value));
  } else {
    try {
      pure::host_simd();
      ADD_FAILURE() << "no error for PURE_HOST_SIMD='" << value << "'";
    } catch (const pure::ValueError& e) {
      EXPECT_NE(std::string(e.what()).find("PURE_HOST_SIMD='" + value + "'"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
