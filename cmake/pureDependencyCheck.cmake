# Used by the installed pureConfig.cmake: finds the dependencies pure was built
# with and refuses different ones with a message that names both.
#
# pure_find_recorded(<Kokkos|KokkosKernels>)
#   Unless the consumer chose one (<Pkg>_DIR or <Pkg>_ROOT), looks in the
#   directory recorded at pure's build first, so the same install is found even
#   when another one comes first on the consumer's search path. Then compares:
#   - the version (exactly) and, for Kokkos, the enabled devices;
#   - the directory, when the recorded one still exists (two installs side by
#     side is exactly the ambiguous case). A recorded directory that is gone
#     (the installs were moved together) is not held against the consumer.
#   On a mismatch sets pure_FOUND FALSE and pure_NOT_FOUND_MESSAGE, which
#   find_package(pure) reports.

macro(pure_find_recorded pkg)
  if(NOT DEFINED ${pkg}_DIR AND NOT DEFINED ${pkg}_ROOT AND NOT DEFINED ENV{${pkg}_ROOT}
     AND EXISTS "${pure_${pkg}_DIR}")
    set(${pkg}_DIR "${pure_${pkg}_DIR}" CACHE PATH "The ${pkg} that pure was built with")
  endif()
  find_dependency(${pkg})
  _pure_compare_recorded(${pkg})
endmacro()

function(_pure_compare_recorded pkg)
  get_filename_component(_found_dir "${${pkg}_DIR}" REALPATH)
  set(_found_version "${${pkg}_VERSION}")
  set(_what "")
  if(NOT "${_found_version}" VERSION_EQUAL "${pure_${pkg}_VERSION}"
     AND NOT "${_found_version}" STREQUAL "${pure_${pkg}_VERSION}")
    set(_what "version ${_found_version}, pure was built with ${pure_${pkg}_VERSION}")
  elseif(pkg STREQUAL "Kokkos")
    set(_devices ${Kokkos_DEVICES})
    list(SORT _devices)
    string(REPLACE ";" "," _devices "${_devices}")
    if(NOT _devices STREQUAL pure_Kokkos_DEVICES)
      set(_what "devices ${_devices}, pure was built with ${pure_Kokkos_DEVICES}")
    endif()
  endif()
  if(NOT _what AND EXISTS "${pure_${pkg}_DIR}" AND NOT _found_dir STREQUAL pure_${pkg}_DIR)
    set(_what "another install of the same version")
  endif()
  if(_what)
    string(CONCAT _message
      "pure was built with ${pkg} ${pure_${pkg}_VERSION} from ${pure_${pkg}_DIR}, but this project found "
      "${pkg} ${_found_version} in ${_found_dir} (${_what}). Code compiled against one ${pkg} and linked "
      "with a pure built against another fails to link or misbehaves. Use the same one: set "
      "${pkg}_DIR=${pure_${pkg}_DIR} (or remove the other from CMAKE_PREFIX_PATH), or rebuild pure "
      "against ${_found_dir}.")
    set(pure_FOUND FALSE PARENT_SCOPE)
    set(pure_NOT_FOUND_MESSAGE "${_message}" PARENT_SCOPE)
  endif()
endfunction()

function(pure_check_mpi)
  if(pure_MPI_LIBRARY_VERSION AND MPI_CXX_LIBRARY_VERSION_STRING
     AND NOT MPI_CXX_LIBRARY_VERSION_STRING STREQUAL pure_MPI_LIBRARY_VERSION)
    string(CONCAT _message
      "pure was built with the MPI library '${pure_MPI_LIBRARY_VERSION}', but this project found "
      "'${MPI_CXX_LIBRARY_VERSION_STRING}' (${MPI_CXX_COMPILER}). Use the same MPI (MPI_HOME or "
      "MPI_CXX_COMPILER), or rebuild pure against this one.")
    set(pure_FOUND FALSE PARENT_SCOPE)
    set(pure_NOT_FOUND_MESSAGE "${_message}" PARENT_SCOPE)
  endif()
endfunction()
