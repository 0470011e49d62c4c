// pure::optim: Optax-style gradient transformations, optimizers and schedules
// (docs/optim.md).
#pragma once

#include <pure/optim/optimizers.hpp>
#include <pure/optim/schedules.hpp>
#include <pure/optim/transformation.hpp>
#include <pure/optim/transforms.hpp>
