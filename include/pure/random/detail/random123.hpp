// The one place that includes Random123. Random123 marks its functions as
// device code only under nvcc; for HIP and SYCL the macros must be set before
// the first include, and its x86 intrinsics paths must stay off in device code.
#pragma once

#include <Kokkos_Macros.hpp>

#if defined(__HIPCC__) || defined(KOKKOS_ENABLE_HIP)
#ifndef R123_CUDA_DEVICE
#define R123_CUDA_DEVICE __host__ __device__
#endif
#endif
#if defined(__HIPCC__) || defined(KOKKOS_ENABLE_HIP) || defined(KOKKOS_ENABLE_SYCL)
#ifndef R123_ASSERT
#define R123_ASSERT(x)
#endif
#ifndef R123_THROW
#define R123_THROW(x)
#endif
#ifndef R123_USE_SSE
#define R123_USE_SSE 0
#endif
#ifndef R123_USE_AES_NI
#define R123_USE_AES_NI 0
#endif
#ifndef R123_USE_SSE4_2
#define R123_USE_SSE4_2 0
#endif
#ifndef R123_USE_SSE4_1
#define R123_USE_SSE4_1 0
#endif
#ifndef R123_USE_GNU_UINT128
#define R123_USE_GNU_UINT128 0
#endif
#endif

#include <Random123/philox.h>
#include <Random123/threefry.h>
