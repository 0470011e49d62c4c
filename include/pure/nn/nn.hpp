// pure::nn: modules as descriptions, parameters as values (as flax.linen).
// docs/nn.md is the guide.
#pragma once

#include <pure/nn/activations.hpp>
#include <pure/nn/initializers.hpp>
#include <pure/nn/layers.hpp>
#include <pure/nn/scope.hpp>
