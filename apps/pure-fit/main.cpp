// pure-fit: fits a physics model to data as a cluster job. See docs/pure-fit.md.
//   pure-fit --demo                                  synthetic data, fit, recovered vs true
//   pure-fit --config fit.toml --solver.steps 5000   a real fit; keys override the file
//   pure-fit --config fit.toml --resume              continue after a kill or a time limit
#include <cstring>
#include <iostream>

#include <pure/pure.hpp>

#include "config.hpp"
#include "job.hpp"

int main(int argc, char** argv) {
  // Kokkos 3 answers a bare --help with its own option list before ours; -h
  // means the same to CLI11 and Kokkos leaves it alone (as apps/brownian).
  static char short_help[] = "-h";
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--help") == 0) argv[i] = short_help;
  }
  pure::ScopeGuard guard(argc, argv);
  try {
    const pure_fit::Config config = pure_fit::parse_command_line(argc, argv);
    return pure_fit::run_job(config);
  } catch (const pure_fit::ConfigError& e) {
    std::cerr << "pure-fit: error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "pure-fit: error: " << e.what() << "\n";
    return 3;
  }
}
