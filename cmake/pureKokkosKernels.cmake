# Finds KokkosKernels and keeps it only if it was built against the Kokkos that
# pure found. Only the opt-in fast matmul path (PURE_MATMUL_PRECISION=fast)
# needs it, so a mismatch turns it off with a message instead of failing.
#
# Why a check: KokkosKernels' headers are compiled against whichever Kokkos is
# on the include path. Debian's KokkosKernels (Trilinos 13.2, for Kokkos 3.4)
# next to a Kokkos 4.6 configures fine and then fails deep inside
# KokkosBlas3_gemm_spec.hpp. Two rules, one per packaging:
#   - a standalone KokkosKernels (4.x) has the version of the Kokkos release it
#     belongs to: major.minor must equal Kokkos_VERSION's;
#   - a Trilinos KokkosKernels has no version of its own (it carries Trilinos')
#     and uses the Kokkos of the same Trilinos install: its config directory
#     must sit beside Kokkos_DIR.
#
# Sets PURE_HAVE_KOKKOSKERNELS and PURE_KOKKOSKERNELS_DETAIL (for the summary).

set(PURE_HAVE_KOKKOSKERNELS OFF)
set(PURE_KOKKOSKERNELS_DETAIL "not found")
# The KokkosKernels installed beside the Kokkos found is the likely match:
# look in Kokkos' prefix before the system paths.
get_filename_component(_pure_kokkos_prefix "${Kokkos_DIR}/../../.." ABSOLUTE)
find_package(KokkosKernels QUIET HINTS "${_pure_kokkos_prefix}")
if(NOT KokkosKernels_FOUND)
  return()
endif()

get_filename_component(_pure_kk_dir "${KokkosKernels_DIR}" REALPATH)
get_filename_component(_pure_kokkos_dir "${Kokkos_DIR}" REALPATH)
set(_pure_kk_why "")
if(TARGET trilinos_kokkoskernels)
  get_filename_component(_pure_kk_parent "${_pure_kk_dir}" DIRECTORY)
  get_filename_component(_pure_kokkos_parent "${_pure_kokkos_dir}" DIRECTORY)
  if(NOT _pure_kk_parent STREQUAL _pure_kokkos_parent)
    set(_pure_kk_why "it is Trilinos' KokkosKernels (${_pure_kk_dir}), built for the Kokkos "
                     "in ${_pure_kk_parent}/Kokkos, not for the Kokkos found in ${_pure_kokkos_dir}")
  endif()
  set(_pure_kk_version "Trilinos")
else()
  set(_pure_kk_version "${KokkosKernels_VERSION}")
  string(REGEX MATCH "^[0-9]+\\.[0-9]+" _pure_kk_mm "${KokkosKernels_VERSION}")
  string(REGEX MATCH "^[0-9]+\\.[0-9]+" _pure_kokkos_mm "${Kokkos_VERSION}")
  if(NOT _pure_kk_mm OR NOT _pure_kk_mm VERSION_EQUAL _pure_kokkos_mm)
    set(_pure_kk_why "KokkosKernels ${KokkosKernels_VERSION} (${_pure_kk_dir}) does not belong to "
                     "Kokkos ${Kokkos_VERSION} (${_pure_kokkos_dir}): major.minor must match")
  endif()
endif()

if(_pure_kk_why)
  string(CONCAT _pure_kk_why ${_pure_kk_why})
  message(STATUS "pure: KokkosKernels skipped: ${_pure_kk_why}. The fast matmul path "
                 "(PURE_MATMUL_PRECISION=fast) is off; point KokkosKernels_ROOT at a KokkosKernels "
                 "built for this Kokkos to turn it on.")
  set(PURE_KOKKOSKERNELS_DETAIL "skipped: does not match Kokkos")
  return()
endif()

include(pureKokkosFixup)  # Trilinos' target name -> Kokkos::kokkoskernels
if(TARGET Kokkos::kokkoskernels)
  set(PURE_HAVE_KOKKOSKERNELS ON)
  set(PURE_KOKKOSKERNELS_DETAIL "${_pure_kk_version}")
endif()
