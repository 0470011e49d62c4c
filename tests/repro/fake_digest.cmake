# A stand-in for pure_repro_digest that misbehaves on purpose, so the tests can
# show that compare_digests.cmake fails when it should:
#   cmake -DMODE=varies|empty|fails|stuck -P fake_digest.cmake
# varies: one item's hash is the thread count (OMP_NUM_THREADS), one is fixed
# empty:  only a '#' header, no items
# fails:  prints items, then exits non-zero
# stuck:  claims an OpenMP pool of 1 thread whatever OMP_NUM_THREADS says
set(_n "$ENV{OMP_NUM_THREADS}")
if(_n STREQUAL "")
  set(_n 1)
endif()
set(_conc "${_n}")
if(MODE STREQUAL "stuck")
  set(_conc 1)
endif()
set(_lines "# pure_repro_digest: Kokkos 0.0.0, execution space OpenMP, concurrency ${_conc}, host SIMD none")
if(NOT MODE STREQUAL "empty")
  string(SUBSTRING "000000000000000${_n}" 0 16 _hex)
  list(APPEND _lines "stable_item 0123456789abcdef [3] float32")
  if(MODE STREQUAL "varies")
    list(APPEND _lines "threads_item ${_hex} [1] int32")
  else()
    list(APPEND _lines "other_item fedcba9876543210 [1] int32")
  endif()
endif()
foreach(_line IN LISTS _lines)
  execute_process(COMMAND ${CMAKE_COMMAND} -E echo "${_line}")
endforeach()
if(MODE STREQUAL "fails")
  message(FATAL_ERROR "fake_digest: failing on purpose")
endif()
