# Runs the brownian app once as a plain process and once under mpiexec for each
# rank count, and checks that every run prints the same "hash: 0x<16 hex>" and
# the same final MSD as the plain run. Fails if a run exits non-zero or prints
# no hash. The expectation is the plain run's own output: no hash is stored.
#
#   cmake -DAPP=<brownian> -DMPIEXEC=<mpiexec> -DNP_FLAG=-n "-DPREFLAGS=a|b"
#         "-DRANKS=1|2|3" "-DARGS=--particles|1001|--quiet" -P check_brownian_hash.cmake
#
# Lists use "|" because ";" does not survive add_test's argument handling.

foreach(_var APP MPIEXEC NP_FLAG RANKS)
  if(NOT DEFINED ${_var} OR "${${_var}}" STREQUAL "")
    message(FATAL_ERROR "check_brownian_hash: -D${_var}=... is required")
  endif()
endforeach()
string(REPLACE "|" ";" _preflags "${PREFLAGS}")
string(REPLACE "|" ";" _ranks "${RANKS}")
string(REPLACE "|" ";" _args "${ARGS}")

string(REPEAT "[0-9a-f]" 16 _hex16)

# run_and_parse(<label> <command...>): sets _hash and _msd from the output.
function(run_and_parse label)
  execute_process(COMMAND ${ARGN} OUTPUT_VARIABLE _out ERROR_VARIABLE _err RESULT_VARIABLE _rc TIMEOUT 600)
  message(STATUS "${label}: ${ARGN}\n${_out}")
  if(NOT _rc STREQUAL "0")
    message(FATAL_ERROR "check_brownian_hash: ${label} exited with '${_rc}'\nstdout:\n${_out}\nstderr:\n${_err}")
  endif()
  if(NOT _out MATCHES "hash: 0x(${_hex16})\n")
    message(FATAL_ERROR "check_brownian_hash: no hash line (${label})\n"
                        "Expected 'hash: 0x' and 16 hex digits in\nstdout:\n${_out}\nstderr:\n${_err}")
  endif()
  set(_hash "${CMAKE_MATCH_1}" PARENT_SCOPE)
  if(NOT _out MATCHES "final: msd = ([^ \n]+)")
    message(FATAL_ERROR "check_brownian_hash: ${label} printed no 'final: msd = ...' line\nstdout:\n${_out}")
  endif()
  set(_msd "${CMAKE_MATCH_1}" PARENT_SCOPE)
endfunction()

run_and_parse("single process" "${APP}" ${_args})
set(_want_hash "${_hash}")
set(_want_msd "${_msd}")

set(_bad "")
foreach(_np IN LISTS _ranks)
  run_and_parse("mpiexec ${NP_FLAG} ${_np}" "${MPIEXEC}" ${NP_FLAG} ${_np} ${_preflags} "${APP}" ${_args})
  message(STATUS "np ${_np}: hash 0x${_hash}, msd ${_msd}")
  if(NOT _hash STREQUAL _want_hash)
    string(APPEND _bad "  np ${_np}: hash 0x${_hash}, single process 0x${_want_hash}\n")
  endif()
  # %.17g round-trips a double, so equal text means equal bits.
  if(NOT _msd STREQUAL _want_msd)
    string(APPEND _bad "  np ${_np}: msd ${_msd}, single process ${_want_msd}\n")
  endif()
endforeach()

if(_bad)
  message(FATAL_ERROR "check_brownian_hash: results depend on the number of ranks:\n${_bad}")
endif()
message(STATUS "check_brownian_hash: hash 0x${_want_hash} and msd ${_want_msd} for a single process and np ${RANKS}")
