# Runs a command-line tool with bad arguments and requires exit code 2 and a
# one-line message on stderr that holds every expected fragment.
#
#   cmake -DTOOL=<exe> "-DARGS=--seed|-1" "-DFRAGMENTS=--seed|-1" -P expect_usage_error.cmake
#
# ARGS and FRAGMENTS are lists separated by '|' (an empty ARGS element is kept).
foreach(_var TOOL FRAGMENTS)
  if(NOT DEFINED ${_var})
    message(FATAL_ERROR "expect_usage_error: -D${_var}=... is required")
  endif()
endforeach()
string(REPLACE "|" ";" _args "${ARGS}")
string(REPLACE "|" ";" _fragments "${FRAGMENTS}")
execute_process(COMMAND "${TOOL}" ${_args} RESULT_VARIABLE _rc OUTPUT_VARIABLE _out ERROR_VARIABLE _err)
set(_what "'${TOOL}' with arguments [${ARGS}]")
if(NOT _rc STREQUAL "2")
  message(FATAL_ERROR "expect_usage_error: ${_what} exited with '${_rc}', expected 2\nstdout:\n${_out}\nstderr:\n${_err}")
endif()
# Kokkos' own start-up warnings (e.g. OpenMP with more threads than cores, as
# scripts/test-openmp runs at 4 threads on 2 cores) are not the tool's output:
# drop a "Kokkos::... WARNING" line and the indented or blank lines after it.
string(REPLACE ";" "\\;" _err_escaped "${_err}")
string(REPLACE "\n" ";" _err_lines "${_err_escaped}")
set(_kept "")
set(_in_warning FALSE)
foreach(_l IN LISTS _err_lines)
  if(_l MATCHES "^Kokkos::.*WARNING")
    set(_in_warning TRUE)
  elseif(_in_warning AND (_l MATCHES "^[ \t]" OR _l STREQUAL ""))
    # still the warning
  else()
    set(_in_warning FALSE)
    string(APPEND _kept "${_l}\n")
  endif()
endforeach()
string(STRIP "${_kept}" _line)
if(_line STREQUAL "" OR _line MATCHES "\n")
  message(FATAL_ERROR "expect_usage_error: ${_what} must print one line on stderr, printed:\n${_err}")
endif()
foreach(_f IN LISTS _fragments)
  string(FIND "${_line}" "${_f}" _at)
  if(_at EQUAL -1)
    message(FATAL_ERROR "expect_usage_error: '${_f}' not in the message of ${_what}: ${_line}")
  endif()
endforeach()
message(STATUS "expect_usage_error: ${_what} -> 2: ${_line}")
