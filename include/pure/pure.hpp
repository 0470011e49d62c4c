// Umbrella header: everything public in pure.
#pragma once

#include <pure/config.hpp>
#include <pure/core/array.hpp>
#include <pure/core/buffer_cache.hpp>
#include <pure/core/creation.hpp>
#include <pure/core/dtype.hpp>
#include <pure/core/error.hpp>
#include <pure/core/host_simd.hpp>
#include <pure/core/scope_guard.hpp>
#include <pure/core/shape.hpp>
#include <pure/core/tree.hpp>
#include <pure/ir/builder.hpp>
#include <pure/ir/interpreter.hpp>
#include <pure/ir/passes.hpp>
#include <pure/ir/primitive.hpp>
#include <pure/ir/program.hpp>
#if PURE_HAVE_HDF5
#include <pure/io/checkpoint.hpp>
#endif
#include <pure/fit/fit.hpp>
#include <pure/nn/nn.hpp>
#include <pure/ops/lax.hpp>
#include <pure/ops/numpy.hpp>
#include <pure/optim/optim.hpp>
#include <pure/random/debug.hpp>
#include <pure/random/device.hpp>
#include <pure/random/key.hpp>
#include <pure/random/samplers.hpp>
#include <pure/transforms/autodiff.hpp>
#include <pure/transforms/custom.hpp>
#include <pure/transforms/flat.hpp>
#include <pure/transforms/jacobian.hpp>
#include <pure/transforms/jit.hpp>
