# Every tests/unit/test_*.c is a cmocka program linked with the core.
pkg_check_modules(CMOCKA REQUIRED IMPORTED_TARGET cmocka)
file(GLOB ANVIL_UNIT_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/unit/test_*.c)
foreach(src ${ANVIL_UNIT_TESTS})
  get_filename_component(name ${src} NAME_WE)
  add_executable(${name} ${src})
  target_link_libraries(${name} PRIVATE anvil_core PkgConfig::CMOCKA)
  add_test(NAME unit/${name} COMMAND ${name})
  set_tests_properties(unit/${name} PROPERTIES LABELS "unit"
    ENVIRONMENT "ANVIL_SOURCE_DIR=${CMAKE_SOURCE_DIR};OMP_NUM_THREADS=2")
endforeach()

# Every tests/mpi/*.sh is run with the anvil binary's path; it launches mpirun itself.
# tests/browser/test_*.sh render report.html in headless Chromium (label "browser").
file(GLOB ANVIL_SHELL_TESTS CONFIGURE_DEPENDS
  ${CMAKE_SOURCE_DIR}/tests/mpi/*.sh ${CMAKE_SOURCE_DIR}/tests/cli/*.sh
  ${CMAKE_SOURCE_DIR}/tests/cluster/test_*.sh ${CMAKE_SOURCE_DIR}/tests/gpu/test_*.sh
  ${CMAKE_SOURCE_DIR}/tests/browser/test_*.sh ${CMAKE_SOURCE_DIR}/tests/valgrind/run-*.sh
  ${CMAKE_SOURCE_DIR}/tests/kit/test_*.sh)
foreach(src ${ANVIL_SHELL_TESTS})
  get_filename_component(dir ${src} DIRECTORY)
  get_filename_component(group ${dir} NAME)
  get_filename_component(name ${src} NAME_WE)
  add_test(NAME ${group}/${name} COMMAND bash ${src} $<TARGET_FILE:anvil>)
  set_tests_properties(${group}/${name} PROPERTIES LABELS "${group}"
    SKIP_RETURN_CODE 77 TIMEOUT 900
    ENVIRONMENT "ANVIL_SOURCE_DIR=${CMAKE_SOURCE_DIR};ANVIL_BUILD_DIR=${CMAKE_BINARY_DIR}")
  # the test bed measures links and CPU shares: nothing else may run beside it
  if(group STREQUAL "cluster")
    set_tests_properties(${group}/${name} PROPERTIES RUN_SERIAL TRUE)
  endif()
endforeach()
