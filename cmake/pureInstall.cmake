# Installs a relocatable package: find_package(pure) + pure::pure.
include(CMakePackageConfigHelpers)
set(PURE_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/pure)

install(TARGETS pure EXPORT pureTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/pure DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES ${PROJECT_BINARY_DIR}/include/pure/config.hpp
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/pure)
install(EXPORT pureTargets NAMESPACE pure:: DESTINATION ${PURE_INSTALL_CMAKEDIR})

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/pureConfig.cmake.in
  ${PROJECT_BINARY_DIR}/pureConfig.cmake INSTALL_DESTINATION ${PURE_INSTALL_CMAKEDIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/pureConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/pureConfig.cmake ${PROJECT_BINARY_DIR}/pureConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/cmake/FindRandom123.cmake
              ${PROJECT_SOURCE_DIR}/cmake/pureKokkosFixup.cmake
              ${PROJECT_SOURCE_DIR}/cmake/pureDependencyCheck.cmake
        DESTINATION ${PURE_INSTALL_CMAKEDIR})
