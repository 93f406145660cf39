# libFuzzer targets (tests/fuzz/fuzz_*.c), built with -DANVIL_FUZZ=ON and a
# clang that links -fsanitize=fuzzer; scripts/fuzz.sh (`make fuzz`) makes such
# a build in its own directory and runs each target. Included from
# CMakeLists.txt before the core library, so the whole core is instrumented
# (coverage, ASan, UBSan with no recovery: undefined behaviour is a crash).
include(CheckCSourceCompiles)
set(CMAKE_REQUIRED_FLAGS "-fsanitize=fuzzer")
check_c_source_compiles("#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { return d && n ? 0 : 0; }"
  ANVIL_HAVE_LIBFUZZER)
unset(CMAKE_REQUIRED_FLAGS)
if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang" OR NOT ANVIL_HAVE_LIBFUZZER)
  message(WARNING "ANVIL_FUZZ: ${CMAKE_C_COMPILER} cannot link -fsanitize=fuzzer "
    "(configure with CC=clang; Debian: apt-get install clang libclang-rt-dev); no fuzz targets")
  set(ANVIL_FUZZ_OK OFF)
else()
  set(ANVIL_FUZZ_OK ON)
  add_compile_options("$<$<COMPILE_LANGUAGE:C>:-fsanitize=fuzzer-no-link,address,undefined;-fno-sanitize-recover=all;-fno-omit-frame-pointer;-Wno-unknown-warning-option>")
  add_link_options(-fsanitize=address,undefined)
endif()

# Called at the end of CMakeLists.txt, once anvil_core exists. A target whose
# parser is not in this tree yet (fio JSON, hostlists: other branches) is
# left out until its source lands.
function(anvil_add_fuzz_targets)
  if(NOT ANVIL_FUZZ_OK)
    return()
  endif()
  set(needs_fio_json runners/fio_json.c)
  set(needs_hostlist common/hostlist.c)
  file(GLOB srcs CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_*.c)
  add_custom_target(fuzz_targets)
  foreach(src ${srcs})
    get_filename_component(name ${src} NAME_WE)
    string(REGEX REPLACE "^fuzz_" "" short ${name})
    if(DEFINED needs_${short} AND NOT EXISTS ${CMAKE_SOURCE_DIR}/${needs_${short}})
      message(STATUS "fuzz target ${name}: waits for ${needs_${short}}")
      continue()
    endif()
    add_executable(${name} EXCLUDE_FROM_ALL ${src})
    target_link_libraries(${name} PRIVATE anvil_core)
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
    add_dependencies(fuzz_targets ${name})
  endforeach()
endfunction()
