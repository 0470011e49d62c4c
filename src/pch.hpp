// Precompiled for every library source file (PURE_PCH in CMakeLists.txt):
// Kokkos and the core layer, which every layer may use. Each file still
// includes what it uses; this only makes it cheaper.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <Kokkos_Core.hpp>

#include <pure/core/array.hpp>
#include <pure/core/dtype.hpp>
#include <pure/core/error.hpp>
#include <pure/core/shape.hpp>
