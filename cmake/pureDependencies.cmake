# Dependency discovery for pure. Required: Kokkos, Random123. Optional ones
# go through pure_add_dependency so the configure summary can say what was
# found and what an option turned off.

set(PURE_FEATURES "")
# One summary entry "name|state|detail". A detail that is itself a CMake list
# (Kokkos_DEVICES is "OPENMP;SERIAL") is joined with ", " first: a raw ';'
# would split the entry when PURE_FEATURES is iterated.
function(pure_feature name state detail)
  string(REPLACE ";" ", " _detail "${detail}")
  string(REPLACE "|" "/" _detail "${_detail}")
  set(PURE_FEATURES ${PURE_FEATURES} "${name}|${state}|${_detail}" PARENT_SCOPE)
endfunction()

# pure_add_dependency(<Package> OPTION <PURE_ENABLE_X> [REQUIRED_BY_OPTION] [ARGS ...])
#   Looks for <Package> when the option is ON. With REQUIRED_BY_OPTION a missing
#   package is an error (the user asked for it); otherwise the option is turned
#   off with a message. Sets PURE_HAVE_<Package> (upper case).
macro(pure_add_dependency pkg)
  cmake_parse_arguments(_pad "REQUIRED_BY_OPTION" "OPTION" "ARGS" ${ARGN})
  string(TOUPPER "${pkg}" _pad_up)
  set(PURE_HAVE_${_pad_up} OFF)
  if(${_pad_OPTION})
    if(_pad_REQUIRED_BY_OPTION)
      find_package(${pkg} ${_pad_ARGS} REQUIRED)
    else()
      find_package(${pkg} ${_pad_ARGS} QUIET)
    endif()
    if(${pkg}_FOUND)
      set(PURE_HAVE_${_pad_up} ON)
    else()
      message(STATUS "pure: ${pkg} not found; ${_pad_OPTION} turned OFF")
      set(${_pad_OPTION} OFF)
    endif()
  endif()
endmacro()

# ---------------------------------------------------------------- Kokkos
find_package(Kokkos REQUIRED)
include(pureKokkosFixup)
include(pureKokkosKernels)
if(DEFINED Kokkos_VERSION)
  set(_pure_kokkos_version "${Kokkos_VERSION}")
else()
  set(_pure_kokkos_version "?")
endif()
pure_feature("Kokkos" ON "${_pure_kokkos_version}, devices: ${Kokkos_DEVICES}")
# Recorded in the installed pureConfig.cmake (see pureDependencyCheck.cmake).
get_filename_component(PURE_KOKKOS_DIR "${Kokkos_DIR}" REALPATH)
set(PURE_KOKKOS_DEVICES ${Kokkos_DEVICES})
list(SORT PURE_KOKKOS_DEVICES)
string(REPLACE ";" "," PURE_KOKKOS_DEVICES "${PURE_KOKKOS_DEVICES}")
set(PURE_KOKKOSKERNELS_DIR "")
set(PURE_KOKKOSKERNELS_VERSION "")
if(PURE_HAVE_KOKKOSKERNELS)
  get_filename_component(PURE_KOKKOSKERNELS_DIR "${KokkosKernels_DIR}" REALPATH)
  set(PURE_KOKKOSKERNELS_VERSION "${KokkosKernels_VERSION}")
endif()
pure_feature("KokkosKernels" ${PURE_HAVE_KOKKOSKERNELS} "${PURE_KOKKOSKERNELS_DETAIL}")

# ---------------------------------------------------------------- Random123
find_package(Random123 REQUIRED)
pure_feature("Random123" ON "${Random123_INCLUDE_DIR}")

# ---------------------------------------------------------------- MPI
# The library version string (Open MPI 4.1.4, MPICH 4.0, ...) is recorded in
# the installed package and compared by consumers.
set(MPI_DETERMINE_LIBRARY_VERSION TRUE)
pure_add_dependency(MPI OPTION PURE_ENABLE_MPI ARGS COMPONENTS C CXX)
pure_feature("MPI" ${PURE_HAVE_MPI} "${MPI_CXX_LIBRARY_VERSION_STRING}")
set(PURE_MPI_LIBRARY_VERSION "")
if(PURE_HAVE_MPI)
  set(PURE_MPI_LIBRARY_VERSION "${MPI_CXX_LIBRARY_VERSION_STRING}")
endif()

# ---------------------------------------------------------------- HDF5
set(PURE_HAVE_HDF5 OFF)
if(PURE_ENABLE_HDF5)
  if(PURE_HAVE_MPI)
    set(HDF5_PREFER_PARALLEL TRUE)
  endif()
  find_package(HDF5 COMPONENTS C QUIET)
  if(HDF5_FOUND)
    set(PURE_HAVE_HDF5 ON)
    # A parallel HDF5 is checked, not assumed: the sharded checkpoints need it.
    set(PURE_HDF5_PARALLEL OFF)
    foreach(_dir IN LISTS HDF5_INCLUDE_DIRS HDF5_C_INCLUDE_DIRS)
      if(EXISTS "${_dir}/H5pubconf.h")
        file(STRINGS "${_dir}/H5pubconf.h" _h5par REGEX "^#define H5_HAVE_PARALLEL 1")
        if(_h5par)
          set(PURE_HDF5_PARALLEL ON)
        endif()
      endif()
    endforeach()
    if(PURE_HAVE_MPI AND NOT PURE_HDF5_PARALLEL)
      message(WARNING "pure: HDF5 found but it is not a parallel build (no H5_HAVE_PARALLEL); "
                      "sharded checkpoints will be unavailable")
    endif()
  else()
    message(STATUS "pure: HDF5 not found; PURE_ENABLE_HDF5 turned OFF")
    set(PURE_ENABLE_HDF5 OFF)
  endif()
endif()
pure_feature("HDF5" ${PURE_HAVE_HDF5} "${HDF5_VERSION}, parallel: ${PURE_HDF5_PARALLEL}")
set(PURE_HDF5_VERSION "")
if(PURE_HAVE_HDF5)
  set(PURE_HDF5_VERSION "${HDF5_VERSION}")
endif()

# ---------------------------------------------------------------- test/bench/app tools
pure_add_dependency(GTest OPTION PURE_ENABLE_TESTS)
pure_feature("GoogleTest (tests)" ${PURE_HAVE_GTEST} "")
pure_add_dependency(benchmark OPTION PURE_ENABLE_BENCHMARKS)
pure_feature("Google Benchmark" ${PURE_HAVE_BENCHMARK} "")
pure_add_dependency(CLI11 OPTION PURE_ENABLE_APPS)
pure_feature("CLI11 (apps)" ${PURE_HAVE_CLI11} "")

find_program(PURE_CCACHE ccache)
if(PURE_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(CMAKE_CXX_COMPILER_LAUNCHER ${PURE_CCACHE})
  set(CMAKE_C_COMPILER_LAUNCHER ${PURE_CCACHE})
endif()
