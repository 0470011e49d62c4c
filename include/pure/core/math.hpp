// Reproducible math: transcendental functions built only from +, -, *, / and
// sqrt (all correctly rounded by IEEE 754 on every backend), so the same input
// gives the same bits on Serial, OpenMP, CUDA and HIP. Used on the library's
// reproducible paths (random samplers) instead of the backend's libm.
//
// TEMPORARY: placeholder delegating to Kokkos math until the portable versions land.
#pragma once

#include <Kokkos_Core.hpp>

namespace pure::math {

KOKKOS_INLINE_FUNCTION double log1p(double x) { return Kokkos::Experimental::log1p(x); }
KOKKOS_INLINE_FUNCTION float log1p(float x) { return static_cast<float>(log1p(static_cast<double>(x))); }
KOKKOS_INLINE_FUNCTION double log(double x) { return Kokkos::Experimental::log(x); }
KOKKOS_INLINE_FUNCTION float log(float x) { return static_cast<float>(log(static_cast<double>(x))); }
KOKKOS_INLINE_FUNCTION double exp(double x) { return Kokkos::Experimental::exp(x); }
KOKKOS_INLINE_FUNCTION float exp(float x) { return static_cast<float>(exp(static_cast<double>(x))); }
KOKKOS_INLINE_FUNCTION double erf(double x) { return Kokkos::Experimental::erf(x); }
KOKKOS_INLINE_FUNCTION float erf(float x) { return static_cast<float>(erf(static_cast<double>(x))); }

/// Inverse error function, single precision (Giles 2010 single-precision fit,
/// the same algorithm as XLA's ErfInv for f32).
KOKKOS_INLINE_FUNCTION float erfinv(float x) {
  float w = -log1p(-x * x);
  float p;
  if (w < 5.0f) {
    w = w - 2.5f;
    p = 2.81022636e-08f;
    p = 3.43273939e-07f + p * w;
    p = -3.5233877e-06f + p * w;
    p = -4.39150654e-06f + p * w;
    p = 0.00021858087f + p * w;
    p = -0.00125372503f + p * w;
    p = -0.00417768164f + p * w;
    p = 0.246640727f + p * w;
    p = 1.50140941f + p * w;
  } else {
    w = Kokkos::Experimental::sqrt(w) - 3.0f;
    p = -0.000200214257f;
    p = 0.000100950558f + p * w;
    p = 0.00134934322f + p * w;
    p = -0.00367342844f + p * w;
    p = 0.00573950773f + p * w;
    p = -0.0076224613f + p * w;
    p = 0.00943887047f + p * w;
    p = 1.00167406f + p * w;
    p = 2.83297682f + p * w;
  }
  return p * x;
}
KOKKOS_INLINE_FUNCTION double erfinv(double x) {
  // Placeholder: single-precision start plus two Newton steps on erf.
  double y = static_cast<double>(erfinv(static_cast<float>(x)));
  for (int i = 0; i < 2; ++i) {
    y -= (erf(y) - x) / (1.1283791670955126 * exp(-y * y));
  }
  return y;
}

}  // namespace pure::math
