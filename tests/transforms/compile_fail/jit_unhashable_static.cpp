// Must NOT compile: a jitted function's non-array argument is static (part of
// the cache key), so its type needs operator== and std::hash. The test
// jit_unhashable_static_is_a_compile_error builds this file and expects the
// static_assert's message in the compiler's output.
#include <pure/pure.hpp>

struct Unhashable {
  int layers = 2;
};

int main() {
  pure::ScopeGuard guard;
  const auto f = pure::jit([](const pure::Array& x, Unhashable) { return x; });
  return static_cast<int>(f(pure::zeros({1}), Unhashable{}).size());
}
