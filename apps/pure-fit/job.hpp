// One fitting job: data, initial parameters, the solver loop with progress,
// checkpoints and signals, and the results file.
#pragma once

#include "config.hpp"

namespace pure_fit {

/// Runs the job; returns the exit status (0 done, 1 --demo recovery failed,
/// 128 + signal after a checkpoint on SIGTERM or SIGINT).
int run_job(const Config& config);

}  // namespace pure_fit
