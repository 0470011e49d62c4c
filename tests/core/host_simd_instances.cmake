# Fails when a host_simd_for kernel's loops (pure::detail::host_simd_baseline,
# _avx2, _avx512) are defined in more than one object file of the pure library.
# Such a template instantiation is one weak symbol, and the linker keeps the
# first copy it meets: a copy from a file built with GCC's -O2 "very cheap"
# vectoriser cost model is scalar (src/core/host_simd_for.hpp).
#
# cmake -DNM=<nm> -DLIBRARY=<libpure.a> -P host_simd_instances.cmake
execute_process(COMMAND "${NM}" -C --defined-only "${LIBRARY}" OUTPUT_VARIABLE listing RESULT_VARIABLE status
                ERROR_VARIABLE errors)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "host_simd_instances: '${NM}' could not read ${LIBRARY}: ${errors}")
endif()
string(REPLACE ";" "\\;" listing "${listing}")
string(REPLACE "\n" ";" lines "${listing}")
set(object "")
set(symbols "")
set(loops 0)
foreach(line IN LISTS lines)
  if(line MATCHES "^(.+\\.o(bj)?):$")
    set(object "${CMAKE_MATCH_1}")
  elseif(line MATCHES "^[0-9a-fA-F]+ [WwVv] (.*pure::detail::host_simd_(baseline|avx2|avx512)<.*)$")
    string(MD5 id "${CMAKE_MATCH_1}")
    math(EXPR loops "${loops} + 1")
    if(DEFINED objects_${id})
      list(APPEND duplicates "${CMAKE_MATCH_1}\n    in ${objects_${id}} and ${object}")
    else()
      set(objects_${id} "${object}")
    endif()
  endif()
endforeach()
if(duplicates)
  list(JOIN duplicates "\n  " text)
  message(FATAL_ERROR "host_simd_instances: kernel loops instantiated in more than one translation unit (give the "
                      "kernel internal linkage or one home):\n  ${text}")
endif()
if(loops EQUAL 0)
  message(FATAL_ERROR "host_simd_instances: no weak host_simd loop found in ${LIBRARY}; is it the pure library?")
endif()
message(STATUS "host_simd_instances: ${loops} weak host_simd loops, each in one object file")
