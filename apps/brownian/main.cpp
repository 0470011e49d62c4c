// brownian: reproducible Brownian dynamics, the first demo of pure.
//
// N particles diffuse (optionally in a harmonic trap); the noise of particle i
// at step t is normal_at(fold_in(key, t), i*d + c), so the final positions, the
// MSD and the printed hash are the same bits for any number of MPI ranks:
//
//   mpirun -np 3 brownian --particles 100000 --steps 1000
//
// See docs/brownian.md.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <ostream>
#include <string>

#include <CLI/CLI.hpp>

#include <pure/pure.hpp>

#include "brownian.hpp"

namespace {

namespace bd = pure::apps::brownian;

int world_rank() {
#if PURE_HAVE_MPI
  int r = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
#else
  return 0;
#endif
}

int world_size() {
#if PURE_HAVE_MPI
  int s = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &s);
  return s;
#else
  return 1;
#endif
}

// True on every rank iff `ok` is true on rank 0.
bool agree(bool ok) {
#if PURE_HAVE_MPI
  int flag = ok ? 1 : 0;
  MPI_Bcast(&flag, 1, MPI_INT, 0, MPI_COMM_WORLD);
  return flag != 0;
#else
  return ok;
#endif
}

[[noreturn]] void abort_all(int code) {
#if PURE_HAVE_MPI
  MPI_Abort(MPI_COMM_WORLD, code);
#endif
  std::exit(code);
}

// A command-line error: one line on stderr (rank 0 only), then exit code 2.
int usage_error(bool root, std::string message) {
  for (char& c : message) {
    if (c == '\n') c = ' ';
  }
  if (root) std::fprintf(stderr, "%s (see brownian --help)\n", message.c_str());
  return 2;
}

// --seed takes decimal digits up to 2^64 - 1 only: CLI11 would read "-1" as
// 2^64 - 1, saturate 2^64 and beyond to it, and "010" as octal (so the leading
// zeros go before CLI11 converts the text).
std::string normalise_seed(std::string& text) {
  static const std::string max = "18446744073709551615";
  const bool digits = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
  const std::size_t first = text.find_first_not_of('0');
  const std::string value = first == std::string::npos ? "0" : text.substr(first);
  const bool fits = value.size() < max.size() || (value.size() == max.size() && value <= max);
  if (!digits || !fits) return "must be a whole number in [0, 2^64), got '" + text + "'";
  text = value;
  return std::string();
}

struct FileCloser {
  void operator()(std::FILE* f) const {
    if (f != nullptr) std::fclose(f);
  }
};

int run(int argc, char** argv) {
  const int rank = world_rank(), size = world_size();
  const bool root = rank == 0;

  bd::Config cfg;
  bool quiet = false;
  std::string output;
  CLI::App app{
      "Reproducible Brownian dynamics with pure: overdamped Langevin particles whose noise is drawn as\n"
      "normal_at(fold_in(key, step), particle*dim + component), so the result is bitwise the same for\n"
      "any number of MPI ranks. Prints the mean-squared displacement against its analytic value and a\n"
      "hash of the final positions.",
      "brownian"};
  app.option_defaults()->always_capture_default();
  app.add_option("-n,--particles", cfg.particles, "number of particles N");
  app.add_option("-d,--dim", cfg.dim, "dimensions d");
  app.add_option("-s,--steps", cfg.steps, "time steps");
  app.add_option("--dt", cfg.dt, "time step");
  app.add_option("-D,--diffusion", cfg.diffusion, "diffusion coefficient D");
  app.add_option("--trap", cfg.trap, "stiffness k of a harmonic trap at the origin (0 = free diffusion)");
  app.add_option("--box", cfg.box, "initial positions are uniform in [-box/2, box/2)^d");
  app.add_option("--seed", cfg.seed, "64-bit seed of the random key, in [0, 2^64)")
      ->transform(CLI::Validator(normalise_seed, "UINT64"));
  app.add_option("--report-every", cfg.report_every, "print the MSD every this many steps (0 = only at the end)");
  app.add_option("--tolerance", cfg.z_tolerance, "pass band of the final MSD check, in standard deviations");
  app.add_option("-o,--output", output, "write step,time,msd,analytic,sigma,rel_error as CSV to this file");
  app.add_flag("-q,--quiet", quiet, "print only the final check and the hash");

  std::ostream null_stream(nullptr);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Every rank parses the same arguments; only rank 0 speaks. --help is a
    // "ParseError" with exit code 0; every real error exits 2, as bad values do.
    if (e.get_exit_code() == 0) return root ? app.exit(e) : app.exit(e, null_stream, null_stream);
    return usage_error(root, std::string("brownian: ") + e.what());
  }
  try {
    bd::validate(cfg);
  } catch (const pure::Error& e) {
    return usage_error(root, e.what());
  }

  std::unique_ptr<std::FILE, FileCloser> csv;
  if (root && !output.empty()) {
    csv.reset(std::fopen(output.c_str(), "w"));
    if (!csv) std::fprintf(stderr, "brownian: --output: cannot open '%s' for writing\n", output.c_str());
  }
  if (!agree(output.empty() || csv != nullptr)) return 2;
  if (csv) std::fprintf(csv.get(), "step,time,msd,analytic,sigma,rel_error\n");

  if (root && !quiet) {
    std::printf(
        "brownian: %lld particles in %d-D, %lld steps of dt = %g, D = %g, trap k = %g, box %g, seed %llu, "
        "%d rank(s)\n",
        static_cast<long long>(cfg.particles), cfg.dim, static_cast<long long>(cfg.steps), cfg.dt, cfg.diffusion,
        cfg.trap, cfg.box, static_cast<unsigned long long>(cfg.seed), size);
    std::printf("%10s %12s %16s %16s %11s\n", "step", "time", "msd", cfg.trap == 0.0 ? "2dDt" : "analytic",
                "rel.error");
    std::fflush(stdout);
  }
  auto report = [&](const bd::Progress& p) {
    if (!root) return;
    if (!quiet) {
      std::printf("%10lld %12.6g %16.10g %16.10g %+11.3e\n", static_cast<long long>(p.step), p.time, p.msd, p.analytic,
                  p.rel_error());
      std::fflush(stdout);
    }
    if (csv) {
      std::fprintf(csv.get(), "%lld,%.17g,%.17g,%.17g,%.17g,%.17g\n", static_cast<long long>(p.step), p.time, p.msd,
                   p.analytic, p.sigma, p.rel_error());
    }
  };

  const auto start = std::chrono::steady_clock::now();
  bd::Result result;
  try {
    result = bd::simulate(cfg, bd::world(), report);
  } catch (const pure::ValueError& e) {
    // Raised by every rank alike (it depends on the configuration only).
    if (root) std::fprintf(stderr, "%s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    // Other ranks may be waiting in a collective: stop them all.
    std::fprintf(stderr, "brownian (rank %d): %s\n", rank, e.what());
    abort_all(3);
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  if (root) {
    const bd::Progress& f = result.final;
    std::printf("final: msd = %.17g analytic = %.17g rel.error = %+.3e tolerance = %.3e (%g sigma) %s\n", f.msd,
                f.analytic, f.rel_error(), cfg.z_tolerance * f.sigma / f.analytic, cfg.z_tolerance,
                result.pass ? "PASS" : "FAIL");
    std::printf("hash: 0x%016llx\n", static_cast<unsigned long long>(result.hash));
    if (!quiet) {
      std::printf("wall: %.3f s, %.3g particle-steps/s\n", wall,
                  static_cast<double>(cfg.particles) * static_cast<double>(cfg.steps) / wall);
    }
    std::fflush(stdout);
  }
  return result.pass ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  // Kokkos 3 answers a bare --help with its own option list (and its own help
  // then hides ours); -h means the same to CLI11 and Kokkos leaves it alone.
  static char short_help[] = "-h";
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--help") == 0) argv[i] = short_help;
  }
  // The guard brings up MPI, then Kokkos; run() keeps every View inside its scope.
  pure::ScopeGuard guard(argc, argv);
  return run(argc, argv);
}
