# Repairs Kokkos and KokkosKernels targets that some packagings ship broken.
# Included by pure's own build and by the installed pureConfig.cmake, so that a
# consumer of pure::pure gets the same fix without doing anything.
#
# Debian/Ubuntu ship Kokkos inside Trilinos 13.2. Its KokkosConfig.cmake makes
# Kokkos::kokkos point at <prefix>/lib/include, which does not exist; the real
# headers sit where Kokkos_INCLUDE_DIRS says (.../include/trilinos). The same
# packaging names the KokkosKernels target trilinos_kokkoskernels instead of
# Kokkos::kokkoskernels. Upstream Kokkos 4.x installs are left untouched.

if(TARGET Kokkos::kokkos AND Kokkos_INCLUDE_DIRS)
  get_target_property(_pure_kokkos_inc Kokkos::kokkos INTERFACE_INCLUDE_DIRECTORIES)
  set(_pure_kokkos_good "")
  foreach(_dir IN LISTS _pure_kokkos_inc)
    if(EXISTS "${_dir}/Kokkos_Core.hpp")
      set(_pure_kokkos_good "${_dir}")
    endif()
  endforeach()
  if(NOT _pure_kokkos_good)
    foreach(_dir IN LISTS Kokkos_INCLUDE_DIRS)
      get_filename_component(_dir "${_dir}" REALPATH)
      if(EXISTS "${_dir}/Kokkos_Core.hpp")
        set_property(TARGET Kokkos::kokkos PROPERTY INTERFACE_INCLUDE_DIRECTORIES "${_dir}")
        set(_pure_kokkos_good "${_dir}")
        if(NOT pure_FIND_QUIETLY)
          message(STATUS "pure: repaired Kokkos::kokkos include directory -> ${_dir}")
        endif()
        break()
      endif()
    endforeach()
  endif()
  if(NOT _pure_kokkos_good)
    message(FATAL_ERROR "pure: Kokkos::kokkos has no include directory with Kokkos_Core.hpp "
                        "(target says '${_pure_kokkos_inc}', Kokkos_INCLUDE_DIRS says '${Kokkos_INCLUDE_DIRS}')")
  endif()
  # Trilinos' Kokkos::kokkos puts a bare -DKOKKOS_DEPENDENCE among its link
  # libraries; harmless to the linker but noise, so drop it.
  get_target_property(_pure_kokkos_libs Kokkos::kokkos INTERFACE_LINK_LIBRARIES)
  if(_pure_kokkos_libs)
    list(REMOVE_ITEM _pure_kokkos_libs "-DKOKKOS_DEPENDENCE")
    set_property(TARGET Kokkos::kokkos PROPERTY INTERFACE_LINK_LIBRARIES "${_pure_kokkos_libs}")
  endif()
endif()

if(NOT TARGET Kokkos::kokkoskernels AND TARGET trilinos_kokkoskernels)
  add_library(Kokkos::kokkoskernels INTERFACE IMPORTED)
  set_property(TARGET Kokkos::kokkoskernels PROPERTY INTERFACE_LINK_LIBRARIES trilinos_kokkoskernels Kokkos::kokkos)
  if(KokkosKernels_INCLUDE_DIRS)
    foreach(_dir IN LISTS KokkosKernels_INCLUDE_DIRS)
      get_filename_component(_dir "${_dir}" REALPATH)
      set_property(TARGET Kokkos::kokkoskernels APPEND PROPERTY INTERFACE_INCLUDE_DIRECTORIES "${_dir}")
    endforeach()
  endif()
endif()
