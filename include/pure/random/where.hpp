// Where: the call site of a random API call, recorded for key-reuse reports.
#pragma once

namespace pure::random {

/// A source location captured as a default argument, so an error can say
/// "first consumed at brownian.cpp:42". C++17 has no std::source_location;
/// GCC, Clang and nvcc all provide the builtins.
struct Where {
  const char* file = "?";
  int line = 0;
#if defined(__has_builtin)
#if __has_builtin(__builtin_FILE) && __has_builtin(__builtin_LINE)
#define PURE_HAVE_BUILTIN_WHERE 1
#endif
#elif defined(__GNUC__)
#define PURE_HAVE_BUILTIN_WHERE 1
#endif
#ifdef PURE_HAVE_BUILTIN_WHERE
  static constexpr Where here(const char* f = __builtin_FILE(), int l = __builtin_LINE()) { return Where{f, l}; }
#else
  static constexpr Where here() { return Where{}; }
#endif
};

}  // namespace pure::random
