// The simulation core of the `brownian` demo, kept apart from the command line
// so the MPI tests can run it directly.
//
// Overdamped Langevin dynamics of N independent particles in d dimensions,
// integrated with Euler–Maruyama:
//
//   x_{t+1} = (1 - k dt) x_t + sqrt(2 D dt) xi_t,   xi ~ N(0, 1)
//
// (k = 0: free diffusion). The noise of particle i, component c at step t is
// normal_at<double>(fold_in(noise_key, t), i*d + c) with the global particle
// index i, so the trajectory is the same whatever the split over MPI ranks.
// See docs/brownian.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include <pure/config.hpp>
#if PURE_HAVE_MPI
#include <mpi.h>
#endif

namespace pure::apps::brownian {

#if PURE_HAVE_MPI
using Comm = MPI_Comm;
inline Comm world() { return MPI_COMM_WORLD; }
#else
/// Without MPI there is one process: a communicator carries nothing.
struct Comm {};
inline Comm world() { return Comm{}; }
#endif

/// What to simulate. Every rank must hold the same Config.
struct Config {
  std::int64_t particles = 20000;
  int dim = 3;
  std::int64_t steps = 1000;
  double dt = 1e-3;
  double diffusion = 1.0;
  /// Stiffness k of a harmonic trap at the origin (mobility 1); 0 = free diffusion.
  double trap = 0.0;
  /// Initial positions are uniform in [-box/2, box/2)^d.
  double box = 10.0;
  std::uint64_t seed = 0;
  /// Progress every this many steps; 0 = only the final state.
  std::int64_t report_every = 100;
  /// Width of the pass band of the final check, in standard deviations.
  double z_tolerance = 5.0;
};

/// Throws pure::ValueError naming the option and its value if `cfg` is unusable.
void validate(const Config& cfg);

/// The mean-squared displacement at one step, next to its expectation.
struct Progress {
  std::int64_t step = 0;
  double time = 0.0;
  /// (1/N) sum_i |x_i(t) - x_i(0)|^2, summed exactly (see docs/brownian.md).
  double msd = 0.0;
  /// Expectation of `msd` given the initial positions: 2 d D t for free
  /// diffusion, the discrete Ornstein–Uhlenbeck value with a trap.
  double analytic = 0.0;
  /// Standard deviation of `msd` around `analytic` (from the same model).
  double sigma = 0.0;
  double rel_error() const { return (msd - analytic) / analytic; }
};

struct Result {
  Progress final;
  /// |msd - analytic| <= z_tolerance * sigma at the last step.
  bool pass = false;
  /// FNV-1a (64 bit) over the bytes of the final positions in global particle
  /// order (x_0[0..d), x_1[0..d), ...): the same for any number of ranks.
  std::uint64_t hash = 0;
  /// Particles this rank advanced (its block of the global index range).
  std::int64_t local_begin = 0, local_end = 0;
};

/// Runs the simulation on every rank of `comm` (collective) and returns the
/// same Result on every rank. `on_progress` is called on every rank at every
/// `report_every`-th step and after the last step.
Result simulate(const Config& cfg, Comm comm, const std::function<void(const Progress&)>& on_progress = {});

/// The contiguous block [begin, end) of `n` items that `rank` of `size` owns:
/// the first n % size ranks get one item more.
struct Block {
  std::int64_t begin, end;
};
Block block_of(std::int64_t n, int size, int rank);

/// FNV-1a 64-bit hash (Fowler, Noll, Vo; offset basis 0xcbf29ce484222325,
/// prime 0x100000001b3) continued from state `h` over `n` bytes.
constexpr std::uint64_t kFnvOffsetBasis = 0xcbf29ce484222325ull;
std::uint64_t fnv1a64(std::uint64_t h, const void* bytes, std::size_t n);

}  // namespace pure::apps::brownian
