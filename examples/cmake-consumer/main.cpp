// A minimal user of an installed pure: makes an array, draws from a key on the
// host and inside its own Kokkos kernel, and checks the results. Exits non-zero
// on any mismatch, so the package test fails when the installed package is
// broken (missing headers, wrong flags, unlinkable library).
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

#include <pure/pure.hpp>

namespace {

int failures = 0;

void check(bool ok, const char* what) {
  std::printf("%s: %s\n", ok ? "ok  " : "FAIL", what);
  if (!ok) ++failures;
}

std::uint32_t float_bits(float x) {
  std::uint32_t u;
  std::memcpy(&u, &x, sizeof u);
  return u;
}

// The user's own kernel: normal_at gives element i of the stream directly, with
// no Array in between, as a simulation would draw per-particle noise.
std::vector<float> normals_in_user_kernel(pure::random::Key key, std::int64_t n) {
  Kokkos::View<float*> out("consumer::normals", static_cast<std::size_t>(n));
  Kokkos::parallel_for(
      "consumer::normal_at", Kokkos::RangePolicy<>(0, n),
      KOKKOS_LAMBDA(std::int64_t i) { out(i) = pure::random::normal_at<float>(key, static_cast<std::uint64_t>(i)); });
  auto host = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out);
  return std::vector<float>(host.data(), host.data() + n);
}

}  // namespace

int main(int argc, char** argv) {
  pure::ScopeGuard guard(argc, argv);
  {
    std::printf("pure %s\n", PURE_VERSION_STRING);

    const pure::Array x = pure::arange(5, pure::DType::f32);
    std::printf("arange(5) = %s\n", x.str().c_str());
    const std::vector<float> hx = x.to_host<float>();
    check(hx.size() == 5 && hx[0] == 0.0f && hx[4] == 4.0f, "arange(5) holds 0 .. 4");

    // Expected words and bits come from jax 0.10.2 (jax_threefry_partitionable=True):
    //   k = jax.random.key(42); a, b = jax.random.split(k)
    //   jax.random.key_data(a), jax.random.key_data(b), jax.random.bits(a, (4,))
    //   jax.random.normal(b, (4,)).view(uint32)
    const auto keys = pure::random::split(pure::random::key(42));
    const auto a = pure::random::key_data(keys[0]);
    const auto b = pure::random::key_data(keys[1]);
    check(a[0] == 1832780943u && a[1] == 270669613u, "split(key(42))[0] matches jax");
    check(b[0] == 64467757u && b[1] == 2916123636u, "split(key(42))[1] matches jax");

    const std::vector<std::uint32_t> bits = pure::random::bits(keys[0], {4}).to_host<std::uint32_t>();
    const std::uint32_t jax_bits[4] = {2277453133u, 1345880512u, 3872043189u, 2999317162u};
    check(bits == std::vector<std::uint32_t>(jax_bits, jax_bits + 4), "bits(a, (4,)) matches jax");

    const std::vector<float> host = pure::random::normal(keys[1], {4}).to_host<float>();
    const std::vector<float> device = normals_in_user_kernel(keys[1], 4);
    bool same = true;
    for (std::size_t i = 0; i < 4; ++i) same = same && float_bits(host[i]) == float_bits(device[i]);
    std::printf("normal(b, (4,)) = %s\n", pure::from_host(host).str().c_str());
    check(same, "normal_at in a user kernel equals the host normal bit for bit");
    // jax's normal(b, (4,)) is about (0.6058, 0.7990, -0.9089, -0.6353); the samplers
    // agree with JAX to a few ulp, so only the rough values are checked here.
    const float jax_normal[4] = {0.60576403f, 0.7990441f, -0.908927f, -0.63525754f};
    bool close = true;
    for (std::size_t i = 0; i < 4; ++i)
      close = close && host[i] - jax_normal[i] < 1e-5f && jax_normal[i] - host[i] < 1e-5f;
    check(close, "normal(b, (4,)) is within 1e-5 of jax");
  }
  std::printf("%s\n", failures == 0 ? "consumer: all checks passed" : "consumer: FAILED");
  return failures == 0 ? 0 : 1;
}
