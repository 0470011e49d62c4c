# The package test, run by ctest as `cmake -P consumer_test.cmake` with:
#   PURE_BINARY_DIR   pure's build tree (already built)
#   PURE_SOURCE_DIR   pure's source tree (optional: only to check nothing names it)
#   CONSUMER_DIR      examples/cmake-consumer
#   WORK_DIR          scratch directory (wiped first)
#   GENERATOR         CMake generator for the consumer build
#   CXX_COMPILER      C++ compiler pure was built with
#   BUILD_TYPE        build type (single-config) / configuration (multi-config)
#   LAUNCHER          optional compiler launcher (ccache)
#   PREFIX_PATH       optional "|"-separated CMAKE_PREFIX_PATH pure was configured with
#   CXX_STANDARD      optional C++ standard pure was built with
#
# Steps, each of which fails the test: install pure into prefix A, move the
# whole tree to prefix B (A no longer exists, so anything that remembered A
# breaks), check that no installed CMake file names A, then configure, build and
# run the consumer against B with find_package(pure).

foreach(_var PURE_BINARY_DIR CONSUMER_DIR WORK_DIR GENERATOR CXX_COMPILER)
  if(NOT DEFINED ${_var} OR "${${_var}}" STREQUAL "")
    message(FATAL_ERROR "consumer_test.cmake: -D${_var}=... is required")
  endif()
endforeach()

# run_step(<name> <command>...): runs a command, echoes it, fails the test on a
# non-zero exit. The command's output goes to ctest's log.
function(run_step name)
  message(STATUS "package test: ${name}")
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE _rc)
  if(NOT _rc EQUAL 0)
    string(REPLACE ";" " " _cmd "${ARGN}")
    message(FATAL_ERROR "package test: step '${name}' failed (exit ${_rc}): ${_cmd}")
  endif()
endfunction()

set(_prefix_a "${WORK_DIR}/prefix-a")
set(_prefix_b "${WORK_DIR}/moved/prefix-b")
set(_build "${WORK_DIR}/consumer-build")
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}/moved")

set(_config_args "")
if(BUILD_TYPE)
  set(_config_args --config "${BUILD_TYPE}")
endif()

# ---------------------------------------------------------------- 1. install to A
run_step("install to ${_prefix_a}" "${CMAKE_COMMAND}" --install "${PURE_BINARY_DIR}" --prefix "${_prefix_a}"
         ${_config_args})

# ---------------------------------------------------------------- 2. move A to B
file(RENAME "${_prefix_a}" "${_prefix_b}")
if(EXISTS "${_prefix_a}")
  message(FATAL_ERROR "package test: ${_prefix_a} still exists after the move")
endif()

file(GLOB_RECURSE _configs "${_prefix_b}/*/pureConfig.cmake")
if(NOT _configs)
  message(FATAL_ERROR "package test: no pureConfig.cmake installed under ${_prefix_b}")
endif()
foreach(_hdr pure/pure.hpp pure/config.hpp)
  if(NOT EXISTS "${_prefix_b}/include/${_hdr}")
    message(FATAL_ERROR "package test: ${_hdr} is not installed (looked in ${_prefix_b}/include)")
  endif()
endforeach()

# A relocatable package computes its prefix from its own location; an absolute
# path to where it was installed, or to pure's source or build tree, is a bug.
file(GLOB_RECURSE _cmake_files "${_prefix_b}/*.cmake")
foreach(_f IN LISTS _cmake_files)
  file(READ "${_f}" _text)
  foreach(_bad "${_prefix_a}" "${PURE_BINARY_DIR}" ${PURE_SOURCE_DIR})
    string(FIND "${_text}" "${_bad}" _pos)
    if(NOT _pos EQUAL -1)
      message(FATAL_ERROR "package test: ${_f} names '${_bad}': the installed package is not relocatable")
    endif()
  endforeach()
endforeach()
message(STATUS "package test: moved to ${_prefix_b}; no installed CMake file names the old prefix or pure's trees")

# ---------------------------------------------------------------- 3. consumer
# A decoy Kokkos (version 0.0.1, device FAKE) that a consumer's search path
# finds before the real one: the situation where a consumer used to pick up
# whichever Kokkos came first. pureConfig.cmake must look where pure's own
# Kokkos is first (3a), and refuse a different Kokkos the consumer names (3b).
set(_decoy "${WORK_DIR}/decoy-kokkos")
file(WRITE "${_decoy}/lib/cmake/Kokkos/KokkosConfig.cmake"
     "set(Kokkos_DEVICES FAKE)\nif(NOT TARGET Kokkos::kokkos)\n"
     "  add_library(Kokkos::kokkos INTERFACE IMPORTED)\nendif()\n")
file(WRITE "${_decoy}/lib/cmake/Kokkos/KokkosConfigVersion.cmake"
     "set(PACKAGE_VERSION 0.0.1)\nset(PACKAGE_VERSION_COMPATIBLE TRUE)\n")

string(REPLACE "|" ";" _prefix_path "${PREFIX_PATH}")
set(_prefix_path "${_prefix_b}" "${_decoy}" ${_prefix_path})
string(REPLACE ";" "\\;" _prefix_path "${_prefix_path}")  # one argument, not several
set(_configure_args
    -S "${CONSUMER_DIR}" -G "${GENERATOR}"
    "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}"
    "-DCMAKE_PREFIX_PATH=${_prefix_path}"
    # Only B may provide pure: not the user package registry, not the build tree.
    -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF)
if(BUILD_TYPE)
  list(APPEND _configure_args "-DCMAKE_BUILD_TYPE=${BUILD_TYPE}")
endif()
if(CXX_STANDARD)
  list(APPEND _configure_args "-DCMAKE_CXX_STANDARD=${CXX_STANDARD}")
endif()
if(LAUNCHER)
  list(APPEND _configure_args "-DCMAKE_CXX_COMPILER_LAUNCHER=${LAUNCHER}")
endif()

# 3b first (configure only): naming the decoy must fail, with a message that
# names both Kokkos installs.
execute_process(COMMAND "${CMAKE_COMMAND}" ${_configure_args} -B "${WORK_DIR}/mismatch-build"
                        "-DKokkos_DIR=${_decoy}/lib/cmake/Kokkos"
                RESULT_VARIABLE _rc OUTPUT_VARIABLE _out ERROR_VARIABLE _err)
if(_rc EQUAL 0)
  message(FATAL_ERROR "package test: find_package(pure) accepted a different Kokkos (0.0.1 in ${_decoy})\n${_out}")
endif()
string(REGEX REPLACE "[ \n]+" " " _flat "${_err}")  # CMake wraps long messages
if(NOT _flat MATCHES "pure was built with Kokkos [0-9.]+ from [^ ]+, but this project found Kokkos 0\\.0\\.1 in [^ ]*decoy-kokkos")
  message(FATAL_ERROR "package test: a mismatched Kokkos failed, but not with pure's message:\n${_err}")
endif()
message(STATUS "package test: a mismatched Kokkos is refused:\n${_err}")

# Not through run_step: passing the arguments through a function would split
# the prefix path at its (escaped) semicolons.
message(STATUS "package test: configure the consumer")
execute_process(COMMAND "${CMAKE_COMMAND}" ${_configure_args} -B "${_build}" RESULT_VARIABLE _rc)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "package test: configuring the consumer failed (exit ${_rc})")
endif()
file(STRINGS "${_build}/CMakeCache.txt" _used_prefix_path REGEX "^CMAKE_PREFIX_PATH:")
if(NOT _used_prefix_path MATCHES "decoy-kokkos")
  message(FATAL_ERROR "package test: the decoy Kokkos is not on the consumer's search path: ${_used_prefix_path}")
endif()

file(STRINGS "${_build}/CMakeCache.txt" _kokkos_dir REGEX "^Kokkos_DIR:")
if(_kokkos_dir MATCHES "decoy-kokkos")
  message(FATAL_ERROR "package test: the consumer found the decoy Kokkos: ${_kokkos_dir}")
endif()

file(STRINGS "${_build}/CMakeCache.txt" _pure_dir REGEX "^pure_DIR:")
string(REGEX REPLACE "^pure_DIR:[A-Z]+=" "" _pure_dir "${_pure_dir}")
string(FIND "${_pure_dir}" "${_prefix_b}/" _pos)
if(NOT _pos EQUAL 0)
  message(FATAL_ERROR "package test: the consumer found pure in '${_pure_dir}', not under ${_prefix_b}")
endif()

run_step("build the consumer" "${CMAKE_COMMAND}" --build "${_build}" ${_config_args})

# ---------------------------------------------------------------- 4. run it
set(_exe "${_build}/consumer")
if(NOT EXISTS "${_exe}" AND BUILD_TYPE)
  set(_exe "${_build}/${BUILD_TYPE}/consumer")
endif()
message(STATUS "package test: run ${_exe}")
execute_process(COMMAND "${_exe}" RESULT_VARIABLE _rc OUTPUT_VARIABLE _out ERROR_VARIABLE _out)
message("${_out}")
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "package test: the consumer exited with '${_rc}'")
endif()
string(FIND "${_out}" "consumer: all checks passed" _pos)
if(_pos EQUAL -1)
  message(FATAL_ERROR "package test: the consumer exited 0 but did not report its checks as passed")
endif()
message(STATUS "package test: passed")
