# Runs a digest tool (pure_repro_digest) once per OpenMP thread count and fails,
# naming the items, if any item's line differs from the first run's.
#
#   cmake -DTOOL=<pure_repro_digest> ["-DTHREADS=1|2|4"] ["-DTOOL_ARGS=a|b"]
#         [-DREFERENCE=<file>] [-DFORMAT=digest|lines] [-DOUT_DIR=<dir>]
#         -P compare_digests.cmake
#
# Each run gets OMP_NUM_THREADS=<n> (and OMP_PROC_BIND=false unless set): Kokkos
# 3.4 and 4.x size the OpenMP pool by omp_get_max_threads() when no
# --kokkos-threads / --kokkos-num-threads option is given, which is
# OMP_NUM_THREADS. A run fails the check when it exits non-zero, prints no
# item, prints a malformed line, or reports (in its '#' header) an OpenMP pool
# of another size than asked for. The header line
#   # pure_repro_digest: Kokkos 3.4.1, execution space OpenMP, concurrency 4, ...
# is not compared, only reported: with a Serial Kokkos every run says
# "Serial, concurrency 1", and the check then only shows that runs repeat.
#
# Output format (FORMAT):
#   digest  (default) "<name> <16 hex digits> <shape> <dtype>" per item, '#' comments
#   lines   any program: every non-empty line is an item named by its first word
#           (e.g. brownian's "hash: 0x..." and "final: msd = ...")
# REFERENCE: a file with the same kind of output from another build (e.g. the
#   Serial build's digest); every run must also equal it, item for item.
# OUT_DIR: each run's output is kept there as digest-threads<n>.txt.
#
# Lists use "|" because ";" does not survive add_test's argument handling.

if(NOT DEFINED TOOL OR "${TOOL}" STREQUAL "")
  message(FATAL_ERROR "compare_digests: -DTOOL=... is required")
endif()
if(NOT DEFINED THREADS OR "${THREADS}" STREQUAL "")
  set(THREADS "1|2|4")
endif()
if(NOT DEFINED FORMAT OR "${FORMAT}" STREQUAL "")
  set(FORMAT digest)
endif()
if(NOT FORMAT MATCHES "^(digest|lines)$")
  message(FATAL_ERROR "compare_digests: FORMAT must be 'digest' or 'lines', got '${FORMAT}'")
endif()
string(REPLACE "|" ";" _threads "${THREADS}")
string(REPLACE "|" ";" _args "${TOOL_ARGS}")
if(NOT DEFINED ENV{OMP_PROC_BIND})
  # Threads must not be pinned: 4 threads share 2 cores in CI.
  set(ENV{OMP_PROC_BIND} false)
endif()

string(REPEAT "[0-9a-f]" 16 _hex16)

# parse_items(<label> <variable holding the output> <prefix>): sets <prefix>_names (in order),
# <prefix>_line_<name> for each item, and <prefix>_header (the '#' lines).
macro(parse_items label textvar prefix)
  set(${prefix}_names "")
  set(${prefix}_header "")
  # Split on newlines only: ';', '[' and ']' would otherwise group or split list items.
  string(REPLACE ";" "<semicolon>" _pi_text "${${textvar}}")
  string(REPLACE "[" "<lbracket>" _pi_text "${_pi_text}")
  string(REPLACE "]" "<rbracket>" _pi_text "${_pi_text}")
  string(REPLACE "\n" ";" _pi_lines "${_pi_text}")
  foreach(_pi_line IN LISTS _pi_lines)
    string(REPLACE "<semicolon>" ";" _pi_line "${_pi_line}")
    string(REPLACE "<lbracket>" "[" _pi_line "${_pi_line}")
    string(REPLACE "<rbracket>" "]" _pi_line "${_pi_line}")
    string(STRIP "${_pi_line}" _pi_line)
    if(_pi_line STREQUAL "")
      continue()
    endif()
    if(_pi_line MATCHES "^#")
      string(APPEND ${prefix}_header "${_pi_line}\n")
      continue()
    endif()
    if(FORMAT STREQUAL "digest" AND NOT _pi_line MATCHES "^[^ ]+ ${_hex16} [^ ]+ [^ ]+$")
      message(FATAL_ERROR "compare_digests: ${label}: malformed line (want '<name> <16 hex> <shape> <dtype>'):\n"
                          "  ${_pi_line}")
    endif()
    string(REGEX MATCH "^[^ ]+" _pi_name "${_pi_line}")
    # Item names may hold any character (brownian's "hash:"): variables are keyed by a hash.
    string(MD5 _pi_key "${_pi_name}")
    if(DEFINED ${prefix}_line_${_pi_key})
      message(FATAL_ERROR "compare_digests: ${label}: item '${_pi_name}' appears twice")
    endif()
    set(${prefix}_line_${_pi_key} "${_pi_line}")
    list(APPEND ${prefix}_names "${_pi_name}")
  endforeach()
  list(LENGTH ${prefix}_names ${prefix}_count)
  if(${prefix}_count EQUAL 0)
    message(FATAL_ERROR "compare_digests: ${label} printed no digest lines\nstdout:\n${${textvar}}")
  endif()
endmacro()

# compare_items(<label> <want prefix> <got prefix> <want label>): appends to _bad.
macro(compare_items label want got want_label)
  set(_ci_differ "")
  foreach(_ci_name IN LISTS ${want}_names)
    string(MD5 _ci_key "${_ci_name}")
    if(NOT DEFINED ${got}_line_${_ci_key})
      list(APPEND _ci_differ "${_ci_name}")
      string(APPEND _bad "  ${label}: item ${_ci_name} missing (present in ${want_label})\n")
    elseif(NOT "${${got}_line_${_ci_key}}" STREQUAL "${${want}_line_${_ci_key}}")
      list(APPEND _ci_differ "${_ci_name}")
      string(APPEND _bad "  ${label}: ${${got}_line_${_ci_key}}\n"
                         "  ${want_label}: ${${want}_line_${_ci_key}}\n")
    endif()
  endforeach()
  foreach(_ci_name IN LISTS ${got}_names)
    string(MD5 _ci_key "${_ci_name}")
    if(NOT DEFINED ${want}_line_${_ci_key})
      list(APPEND _ci_differ "${_ci_name}")
      string(APPEND _bad "  ${label}: extra item ${_ci_name} (not in ${want_label})\n")
    endif()
  endforeach()
  if(_ci_differ)
    list(LENGTH _ci_differ _ci_n)
    string(REPLACE ";" " " _ci_list "${_ci_differ}")
    string(APPEND _bad_summary "  ${label} vs ${want_label}: ${_ci_n} item(s) differ: ${_ci_list}\n")
  endif()
endmacro()

set(_bad "")
set(_bad_summary "")
if(DEFINED REFERENCE AND NOT "${REFERENCE}" STREQUAL "")
  if(NOT EXISTS "${REFERENCE}")
    message(FATAL_ERROR "compare_digests: reference file '${REFERENCE}' does not exist")
  endif()
  file(READ "${REFERENCE}" _ref_text)
  parse_items("reference ${REFERENCE}" _ref_text _ref)
  message(STATUS "reference ${REFERENCE}: ${_ref_count} items\n${_ref_header}")
endif()

set(_first "")
set(_report "")
foreach(_n IN LISTS _threads)
  set(ENV{OMP_NUM_THREADS} "${_n}")
  set(_label "OMP_NUM_THREADS=${_n}")
  execute_process(COMMAND "${TOOL}" ${_args} OUTPUT_VARIABLE _out ERROR_VARIABLE _err RESULT_VARIABLE _rc
                  TIMEOUT 600)
  if(NOT _rc STREQUAL "0")
    message(FATAL_ERROR "compare_digests: ${_label}: '${TOOL}' exited with '${_rc}'\n"
                        "stdout:\n${_out}\nstderr:\n${_err}")
  endif()
  if(DEFINED OUT_DIR AND NOT "${OUT_DIR}" STREQUAL "")
    file(WRITE "${OUT_DIR}/digest-threads${_n}.txt" "${_out}")
  endif()
  parse_items("${_label}" _out _run${_n})
  # What really ran: the tool's header (pure_repro_digest prints one).
  set(_ran "backend not reported")
  if(_run${_n}_header MATCHES "execution space ([A-Za-z0-9_:]+), concurrency ([0-9]+)")
    set(_space "${CMAKE_MATCH_1}")
    set(_conc "${CMAKE_MATCH_2}")
    set(_ran "${_space}, ${_conc} thread(s)")
    if(_space STREQUAL "OpenMP" AND NOT _conc STREQUAL _n)
      message(FATAL_ERROR "compare_digests: ${_label} but the OpenMP pool has ${_conc} threads: "
                          "the thread count did not reach Kokkos\n${_run${_n}_header}")
    endif()
  endif()
  message(STATUS "${_label}: ${_run${_n}_count} items; ran on ${_ran}")
  string(APPEND _report "  ${_label}: ${_ran}\n")
  if(_err)
    message(STATUS "${_label} stderr:\n${_err}")
  endif()
  if(_first STREQUAL "")
    set(_first "${_n}")
  else()
    compare_items("${_label}" _run${_first} _run${_n} "OMP_NUM_THREADS=${_first}")
  endif()
  if(DEFINED _ref_count)
    compare_items("${_label}" _ref _run${_n} "reference")
  endif()
endforeach()

if(_bad)
  message(FATAL_ERROR "compare_digests: results depend on the thread count or build:\n${_bad_summary}"
                      "details:\n${_bad}runs:\n${_report}")
endif()
set(_what "the first run")
if(DEFINED _ref_count)
  set(_what "the first run and ${REFERENCE}")
endif()
message(STATUS "compare_digests: all ${_run${_first}_count} items equal ${_what} for OMP_NUM_THREADS ${THREADS}\n"
               "runs:\n${_report}")
