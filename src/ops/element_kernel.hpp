// The one-element-per-thread kernel of fused groups (the `fused` primitive's
// path on GPUs; src/ir/fused.hpp): it lives in ops because it calls every
// elementwise primitive's scalar code (scalar_ops.hpp).
#pragma once

#include <memory>

#include <pure/ir/program.hpp>

#include "../ir/fused.hpp"

namespace pure::ops::detail {

/// The element kernel of a group of elementwise equations (src/ir/fused.cpp
/// hands it a group ending in a reduction without the reduction), or nullptr
/// where it cannot run it: a primitive it does not know, or more values than
/// its fixed limits hold (the group then runs as eager kernels).
std::shared_ptr<const ir::detail::ElementKernel> compile_element_kernel(const ir::Program& group);

}  // namespace pure::ops::detail
