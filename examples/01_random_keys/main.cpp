// 01_random_keys: explicit random keys, as in jax.random.
//
// There is no global generator in pure. Randomness comes from a Key you pass
// in; every call that draws *consumes* its key, and you make fresh keys with
// split (n new keys) or fold_in (a key per step, particle, rank, ...). The same
// key always gives the same numbers, on any backend and any number of threads.
#include <cstdint>
#include <cstring>
#include <iostream>
#include <vector>

#include <pure/pure.hpp>

namespace pr = pure::random;

// Your own Kokkos kernel can draw element i of a stream directly: normal_at(key, i)
// is exactly element i of pr::normal(key, ...), with no Array in between.
// ThreefryKey fixes the generator at compile time (same bits), so the
// compiler can vectorise the loop; a philox key would need PhiloxKey.
std::vector<double> noise_in_my_kernel(pr::Key key, std::int64_t n) {
  Kokkos::View<double*> out("example::noise", static_cast<std::size_t>(n));
  const pr::ThreefryKey k(key);
  Kokkos::parallel_for(
      "example::normal_at", Kokkos::RangePolicy<>(0, n),
      KOKKOS_LAMBDA(std::int64_t i) { out(i) = pr::normal_at<double>(k, static_cast<std::uint64_t>(i)); });
  auto host = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out);
  return std::vector<double>(host.data(), host.data() + n);
}

int main(int argc, char** argv) {
  pure::ScopeGuard guard(argc, argv);  // starts Kokkos (and MPI); stops them at the end
  bool ok = true;
  {
    // A key from a seed; same words as jax.random.key(0).
    const pr::Key root = pr::key(0);
    std::cout << "root key        " << root << "\n";

    // split consumes root and gives two independent children.
    const auto [k_uniform, k_more] = pr::split(root);
    std::cout << "uniform (2,3)   " << pr::uniform(k_uniform, {2, 3}) << "\n";

    // split(key, n): n children at once.
    const std::vector<pr::Key> keys = pr::split(k_more, 3);
    std::cout << "normal f64 (4,) " << pr::normal(keys[0], {4}, pure::DType::f64) << "\n";

    // fold_in(key, t) does not consume: one fresh key per time step.
    for (std::uint32_t t = 0; t < 3; ++t) {
      std::cout << "step " << t << " uniform   " << pr::uniform(pr::fold_in(keys[1], t), {3}) << "\n";
    }

    // The device API agrees with the host API bit for bit.
    const std::vector<double> mine = noise_in_my_kernel(keys[2], 5);
    const std::vector<double> host = pr::normal(keys[2], {5}, pure::DType::f64).to_host<double>();
    const bool same = std::memcmp(mine.data(), host.data(), host.size() * sizeof(double)) == 0;
    std::cout << "normal_at in my kernel == pr::normal: " << (same ? "yes" : "NO") << "\n";
    ok = ok && same;

    // Reusing a key is a bug. With the debug check on (or PURE_DEBUG_KEY_REUSE=1
    // in the environment) the second use throws and names the first.
    pr::set_debug_key_reuse(true);
    const pr::Key k = pr::key(7);
    pure::Array first = pr::uniform(k, {2});
    try {
      pure::Array again = pr::uniform(k, {2});
      std::cout << "key reuse went unnoticed\n";
      ok = false;
    } catch (const pure::KeyReuseError& e) {
      std::cout << "key reuse caught: " << e.what() << "\n";
    }
  }
  return ok ? 0 : 1;
}
