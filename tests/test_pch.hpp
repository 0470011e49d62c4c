// The headers (nearly) every unit test includes, precompiled once for all test
// binaries (PURE_PCH in tests/CMakeLists.txt). Tests still include what
// they use: this file only makes it cheaper.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include <pure/pure.hpp>
