#include "brownian.hpp"

#include <cmath>
#include <cstring>
#include <limits>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include <Kokkos_Core.hpp>

#include <pure/pure.hpp>

namespace pure::apps::brownian {
namespace detail {

// Sums of non-negative doubles that are exact, hence independent of the order
// in which threads and ranks add them. Each term is scaled by a power of two
// fixed by the global configuration into [0, 2^128) and cut into four 32-bit
// digits (exact: only the part below 2^0 of the scaled term is dropped, the
// same for every decomposition). Digit sums of < 2^32 terms fit in 64 bits, and
// integer addition is associative, so Kokkos' and MPI's reduction trees cannot
// change the result. Terms that do not fit (or are NaN) are counted instead.
struct Fixed128Sum {
  std::uint64_t digit[4];
  std::uint64_t overflow;

  // Trivially copyable (no user copy operations): device reductions copy it bytewise.
  KOKKOS_INLINE_FUNCTION Fixed128Sum() : digit{0, 0, 0, 0}, overflow(0) {}
  KOKKOS_INLINE_FUNCTION Fixed128Sum& operator+=(const Fixed128Sum& o) {
    for (int k = 0; k < 4; ++k) digit[k] += o.digit[k];
    overflow += o.overflow;
    return *this;
  }
#if KOKKOS_VERSION < 40000
  // Kokkos 3 joins reduction values through volatile references. Plain
  // assignments: C++20 deprecates compound assignment to volatile (-Wvolatile).
  KOKKOS_INLINE_FUNCTION void operator+=(const volatile Fixed128Sum& o) volatile {
    for (int k = 0; k < 4; ++k) digit[k] = digit[k] + o.digit[k];
    overflow = overflow + o.overflow;
  }
#endif

  /// Adds `scaled` (a term already multiplied by 2^(128 - top)).
  KOKKOS_INLINE_FUNCTION void add(double scaled) {
    if (!(scaled >= 0.0 && scaled < 0x1p128)) {
      ++overflow;
      return;
    }
    // Peel digits from the top; each subtraction is exact because it only
    // clears leading bits of `scaled`.
    const double unit[4] = {0x1p0, 0x1p32, 0x1p64, 0x1p96};
    const double inv[4] = {0x1p0, 0x1p-32, 0x1p-64, 0x1p-96};
    for (int k = 3; k >= 0; --k) {
      const auto d = static_cast<std::uint64_t>(scaled * inv[k]);
      digit[k] += d;
      scaled -= static_cast<double>(d) * unit[k];
    }
  }
};
static_assert(std::is_trivially_copyable<Fixed128Sum>::value, "device reductions copy Fixed128Sum bytewise");

}  // namespace detail
}  // namespace pure::apps::brownian

namespace Kokkos {
template <>
struct reduction_identity<pure::apps::brownian::detail::Fixed128Sum> {
  KOKKOS_FORCEINLINE_FUNCTION static pure::apps::brownian::detail::Fixed128Sum sum() {
    return pure::apps::brownian::detail::Fixed128Sum();
  }
};
}  // namespace Kokkos

namespace pure::apps::brownian {
namespace {

using detail::Fixed128Sum;
using Policy = Kokkos::RangePolicy<ExecutionSpace, Kokkos::IndexType<std::int64_t>>;
using Positions = Kokkos::View<double*, MemorySpace>;
using ConstPositions = Kokkos::View<const double*, MemorySpace>;

[[noreturn]] void bad_option(const std::string& option, const std::string& need, double got) {
  std::ostringstream os;
  os.precision(17);
  os << "brownian: " << option << " must be " << need << ", got " << got;
  throw ValueError(os.str());
}

int comm_rank(Comm comm) {
#if PURE_HAVE_MPI
  int r = 0;
  MPI_Comm_rank(comm, &r);
  return r;
#else
  (void)comm;
  return 0;
#endif
}

int comm_size(Comm comm) {
#if PURE_HAVE_MPI
  int s = 1;
  MPI_Comm_size(comm, &s);
  return s;
#else
  (void)comm;
  return 1;
#endif
}

// One Euler–Maruyama step of every local component. `first` is the global
// flat index (particle * d + component) of the rank's first component.
struct EulerStep {
  Positions x;
  random::ThreefryKey key;  // generator fixed at compile time: the loop vectorises
  double a, s;
  std::uint64_t first;
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t e) const {
    x(e) = a * x(e) + s * random::normal_at<double>(key, first + static_cast<std::uint64_t>(e));
  }
};

// Exact sum over local particles of |x - origin|^2 (origin empty: |x|^2).
struct SquaredDistance {
  ConstPositions x, origin;
  int d;
  double to_fixed;
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t j, Fixed128Sum& acc) const {
    double q = 0.0;
    for (int c = 0; c < d; ++c) {
      const std::int64_t e = j * d + c;
      const double diff = origin.extent(0) == 0 ? x(e) : x(e) - origin(e);
      q += diff * diff;
    }
    acc.add(q * to_fixed);
  }
};

// The window of the fixed-point sum: terms up to 2^top, resolution 2^(top-128).
// `scale` is a typical term; 2^40 of headroom makes an overflow impossible for
// any sane trajectory, and 88 bits below it make truncation invisible.
int window_top(double scale) {
  if (!(scale > 0x1p-800 && scale < 0x1p800)) {
    std::ostringstream os;
    os << "brownian: the parameters give squared displacements of order " << scale
       << ", outside the range [2^-800, 2^800] the exact MSD accumulator supports";
    throw ValueError(os.str());
  }
  int e = 0;
  std::frexp(scale, &e);  // scale < 2^e
  return e + 40;
}

// Global exact sum of |x - origin|^2 over all particles.
double global_squared_distance(ConstPositions x, ConstPositions origin, std::int64_t n_local, int d, double scale,
                               Comm comm) {
  const int top = window_top(scale);
  Fixed128Sum local;
  Kokkos::parallel_reduce("pure::brownian::squared_distance", Policy(0, n_local),
                          SquaredDistance{x, origin, d, std::ldexp(1.0, 128 - top)}, Kokkos::Sum<Fixed128Sum>(local));
  std::uint64_t words[5] = {local.digit[0], local.digit[1], local.digit[2], local.digit[3], local.overflow};
#if PURE_HAVE_MPI
  // Integer sums: exact and associative, so MPI's reduction order is irrelevant.
  MPI_Allreduce(MPI_IN_PLACE, words, 5, MPI_UINT64_T, MPI_SUM, comm);
#else
  (void)comm;
#endif
  if (words[4] != 0) return std::numeric_limits<double>::quiet_NaN();
  // Carry the digit sums into 32-bit digits, then add them up from the bottom:
  // the same integers on every rank give the same double on every rank.
  std::uint64_t digits[5];
  std::uint64_t carry = 0;
  for (int k = 0; k < 4; ++k) {
    const std::uint64_t low = (words[k] & 0xffffffffull) + carry;
    digits[k] = low & 0xffffffffull;
    carry = (words[k] >> 32) + (low >> 32);
  }
  digits[4] = carry;
  double sum = 0.0;
  for (int k = 0; k < 5; ++k) sum += std::ldexp(static_cast<double>(digits[k]), 32 * k + top - 128);
  return sum;
}

// FNV-1a is sequential, so ranks hash their blocks in rank order, each
// continuing from its predecessor's state: the result is the hash of the
// whole array in global order without gathering it anywhere.
std::uint64_t chained_hash(ConstPositions x, Comm comm) {
  const auto host = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), x);
  std::uint64_t h = kFnvOffsetBasis;
#if PURE_HAVE_MPI
  const int rank = comm_rank(comm), size = comm_size(comm);
  const int tag = 4242;
  if (rank > 0) MPI_Recv(&h, 1, MPI_UINT64_T, rank - 1, tag, comm, MPI_STATUS_IGNORE);
  h = fnv1a64(h, host.data(), host.extent(0) * sizeof(double));
  if (rank + 1 < size) MPI_Send(&h, 1, MPI_UINT64_T, rank + 1, tag, comm);
  MPI_Bcast(&h, 1, MPI_UINT64_T, size - 1, comm);
#else
  (void)comm;
  h = fnv1a64(h, host.data(), host.extent(0) * sizeof(double));
#endif
  return h;
}

// Exact moments of the Euler–Maruyama recursion x_n = a x_{n-1} + s xi, per
// component: x_n - x_0 = (a^n - 1) x_0 + eta, eta ~ N(0, v_n) with
// v_n = s^2 (1 + a^2 + ... + a^(2n-2)). For a = 1 this is 2 D t; as dt -> 0 it
// tends to the Ornstein–Uhlenbeck values (D/k)(1 - e^(-2kt)), e^(-kt) - 1.
struct Moments {
  double v, c;
};
Moments moments(const Config& cfg, std::int64_t n) {
  const double s2 = 2.0 * cfg.diffusion * cfg.dt;
  if (cfg.trap == 0.0) return {s2 * static_cast<double>(n), 0.0};
  const double kdt = cfg.trap * cfg.dt;
  const double log_a = std::log1p(-kdt);
  const double nn = static_cast<double>(n);
  // (1 - a^(2n)) / (1 - a^2), with 1 - a^2 = kdt (2 - kdt), accurate for small kdt.
  const double geometric = kdt == 1.0 ? 1.0 : -std::expm1(2.0 * nn * log_a) / (kdt * (2.0 - kdt));
  const double c = kdt == 1.0 ? -1.0 : std::expm1(nn * log_a);
  return {s2 * geometric, c};
}

}  // namespace

void validate(const Config& cfg) {
  if (cfg.particles < 1 || cfg.particles >= (std::int64_t{1} << 32)) {
    bad_option("--particles", "in [1, 2^32)", static_cast<double>(cfg.particles));
  }
  if (cfg.dim < 1) bad_option("--dim", ">= 1", cfg.dim);
  if (static_cast<double>(cfg.particles) * cfg.dim > 0x1p40) {
    bad_option("--particles times --dim", "<= 2^40", static_cast<double>(cfg.particles) * cfg.dim);
  }
  // fold_in takes the step as a 32-bit word.
  if (cfg.steps < 1 || cfg.steps > 0xffffffffll) bad_option("--steps", "in [1, 2^32)", static_cast<double>(cfg.steps));
  if (!(std::isfinite(cfg.dt) && cfg.dt > 0.0)) bad_option("--dt", "finite and > 0", cfg.dt);
  if (!(std::isfinite(cfg.diffusion) && cfg.diffusion > 0.0))
    bad_option("--diffusion", "finite and > 0", cfg.diffusion);
  if (!(std::isfinite(cfg.trap) && cfg.trap >= 0.0)) bad_option("--trap", "finite and >= 0", cfg.trap);
  if (!(cfg.trap * cfg.dt <= 1.0)) bad_option("--trap times --dt", "<= 1 (stable Euler step)", cfg.trap * cfg.dt);
  if (!(std::isfinite(cfg.box) && cfg.box > 0.0)) bad_option("--box", "finite and > 0", cfg.box);
  if (cfg.report_every < 0) bad_option("--report-every", ">= 0", static_cast<double>(cfg.report_every));
  if (!(cfg.z_tolerance > 0.0)) bad_option("--tolerance", "> 0", cfg.z_tolerance);
}

Block block_of(std::int64_t n, int size, int rank) {
  const std::int64_t base = n / size, extra = n % size;
  const std::int64_t begin = rank * base + (rank < extra ? rank : extra);
  return {begin, begin + base + (rank < extra ? 1 : 0)};
}

std::uint64_t fnv1a64(std::uint64_t h, const void* bytes, std::size_t n) {
  const auto* p = static_cast<const unsigned char*>(bytes);
  for (std::size_t i = 0; i < n; ++i) {
    h ^= p[i];
    h *= 0x100000001b3ull;
  }
  return h;
}

Result simulate(const Config& cfg, Comm comm, const std::function<void(const Progress&)>& on_progress) {
  validate(cfg);
  const int rank = comm_rank(comm), size = comm_size(comm);
  const int d = cfg.dim;
  const Block block = block_of(cfg.particles, size, rank);
  const std::int64_t n_local = block.end - block.begin;
  const auto first = static_cast<std::uint64_t>(block.begin) * static_cast<std::uint64_t>(d);

  const auto keys = random::split(random::key(cfg.seed));
  const random::Key& init_key = keys[0];
  const random::ThreefryKey noise_key(keys[1]);  // keys from random::key(seed) are threefry

  // The host API with `offset` draws exactly this rank's slice of the global
  // array of initial positions.
  const Array x0_array =
      random::uniform(init_key, Shape{n_local * d}, DType::f64, -0.5 * cfg.box, 0.5 * cfg.box, first);
  const ConstPositions x0 = x0_array.view<double>();
  Positions x("pure::brownian::positions", static_cast<std::size_t>(n_local * d));
  Kokkos::deep_copy(x, x0);

  const double n_global = static_cast<double>(cfg.particles);
  const double half_box2 = 0.25 * cfg.box * cfg.box;
  // Only the trap's expectation needs sum |x0|^2.
  const double s0 =
      cfg.trap == 0.0 ? 0.0 : global_squared_distance(x0, ConstPositions(), n_local, d, d * half_box2, comm);

  const double a = 1.0 - cfg.trap * cfg.dt;
  const double s = std::sqrt(2.0 * cfg.diffusion * cfg.dt);

  auto measure = [&](std::int64_t step) {
    const Moments m = moments(cfg, step);
    Progress p;
    p.step = step;
    p.time = static_cast<double>(step) * cfg.dt;
    const double scale = m.c * m.c * d * half_box2 + d * m.v;
    p.msd = global_squared_distance(x, x0, n_local, d, scale, comm) / n_global;
    p.analytic = (m.c * m.c * s0 + n_global * d * m.v) / n_global;
    // Var of sum_i,c ((c x0 + eta)^2) = sum 4 c^2 x0^2 v + 2 v^2.
    p.sigma = std::sqrt(4.0 * m.v * m.c * m.c * s0 + 2.0 * n_global * d * m.v * m.v) / n_global;
    return p;
  };

  Progress last;
  for (std::int64_t t = 0; t < cfg.steps; ++t) {
    const random::ThreefryKey key_t = random::fold_in(noise_key, static_cast<std::uint32_t>(t));  // a ThreefryKey too
    Kokkos::parallel_for("pure::brownian::step", Policy(0, n_local * d), EulerStep{x, key_t, a, s, first});
    const std::int64_t done = t + 1;
    const bool report = (cfg.report_every > 0 && done % cfg.report_every == 0) || done == cfg.steps;
    if (report) {
      last = measure(done);
      if (on_progress) on_progress(last);
    }
  }

  Result r;
  r.final = last;
  r.pass = std::fabs(last.msd - last.analytic) <= cfg.z_tolerance * last.sigma;
  r.hash = chained_hash(x, comm);
  r.local_begin = block.begin;
  r.local_end = block.end;
  return r;
}

}  // namespace pure::apps::brownian
