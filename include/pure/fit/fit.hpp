// pure::fit: solvers for fitting (L-BFGS, Levenberg–Marquardt). See docs/fitting.md.
#pragma once

#include <pure/fit/common.hpp>
#include <pure/fit/lbfgs.hpp>
#include <pure/fit/levenberg_marquardt.hpp>
