# FindRandom123
# -------------
# Random123 is header-only and installs no CMake config. Defines the imported
# target Random123::Random123 and Random123_INCLUDE_DIR, Random123_VERSION (when
# the headers say it).
find_path(Random123_INCLUDE_DIR
  NAMES Random123/threefry.h Random123/philox.h
  HINTS ${Random123_ROOT} ENV Random123_ROOT
  PATH_SUFFIXES include)
if(Random123_INCLUDE_DIR AND EXISTS "${Random123_INCLUDE_DIR}/Random123/features/compilerfeatures.h")
  file(STRINGS "${Random123_INCLUDE_DIR}/Random123/features/compilerfeatures.h" _r123_ver
       REGEX "^#define R123_VERSION_(MAJOR|MINOR|PATCH)")
  foreach(_part MAJOR MINOR PATCH)
    string(REGEX MATCH "R123_VERSION_${_part} ([0-9]+)" _m "${_r123_ver}")
    set(_r123_${_part} "${CMAKE_MATCH_1}")
  endforeach()
  if(_r123_MAJOR)
    set(Random123_VERSION "${_r123_MAJOR}.${_r123_MINOR}.${_r123_PATCH}")
  endif()
endif()
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Random123 REQUIRED_VARS Random123_INCLUDE_DIR
                                  VERSION_VAR Random123_VERSION)
if(Random123_FOUND AND NOT TARGET Random123::Random123)
  add_library(Random123::Random123 INTERFACE IMPORTED)
  set_property(TARGET Random123::Random123 PROPERTY INTERFACE_INCLUDE_DIRECTORIES "${Random123_INCLUDE_DIR}")
endif()
mark_as_advanced(Random123_INCLUDE_DIR)
