include(CMakePackageConfigHelpers)
install(TARGETS sigurg_static sigurg_shared EXPORT sigurgTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${CMAKE_SOURCE_DIR}/include/sigurg DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT sigurgTargets NAMESPACE sigurg:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/sigurg)
configure_package_config_file(${CMAKE_SOURCE_DIR}/cmake/sigurgConfig.cmake.in
  ${CMAKE_BINARY_DIR}/sigurgConfig.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/sigurg)
write_basic_package_version_file(${CMAKE_BINARY_DIR}/sigurgConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/sigurgConfig.cmake ${CMAKE_BINARY_DIR}/sigurgConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/sigurg)
configure_file(${CMAKE_SOURCE_DIR}/cmake/sigurg.pc.in ${CMAKE_BINARY_DIR}/sigurg.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/sigurg.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
