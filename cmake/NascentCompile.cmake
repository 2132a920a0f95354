# Build-time measures for the project's own targets (docs/benchmarks.md, "Compile time").
#
#   nascent_compile_job_pool()
#       Ninja: the compiler calls share a pool as deep as the memory allows (about 2.8 GB per
#       call, the largest unit's peak), so a parallel build on a small machine does not swap.
#   nascent_test_precompiled_headers(<holder-target>)
#       Declares <holder-target>, an object library that precompiles the headers every unit test
#       parses (Catch2, xtensor, OpenBLAS, the standard library); the tests reuse its PCH with
#       nascent_use_test_precompiled_headers(<test-target> <holder-target>). The library's own
#       headers stay out of it: each test still includes what it uses, and the header checks
#       (tests/CMakeLists.txt) compile every public header alone, without a PCH.
#
# NASCENT_PRECOMPILE_HEADERS (ON) switches the precompiled headers off, e.g. to see a test's
# own compile time.
include_guard(GLOBAL)

option(NASCENT_PRECOMPILE_HEADERS "Precompile the headers shared by the unit tests" ON)

function(nascent_compile_job_pool)
  if(NOT CMAKE_GENERATOR MATCHES "Ninja")
    return()
  endif()
  cmake_host_system_information(RESULT memory_mib QUERY TOTAL_PHYSICAL_MEMORY)
  math(EXPR depth "${memory_mib} / 2800")
  if(depth LESS 1)
    set(depth 1)
  endif()
  set_property(GLOBAL APPEND PROPERTY JOB_POOLS nascent_compile=${depth})
  set(CMAKE_JOB_POOL_COMPILE nascent_compile PARENT_SCOPE)
endfunction()

# What every unit test parses before its own headers: Catch2 alone is about a third of a small
# test's compile time.
set(NASCENT_TEST_PRECOMPILED_HEADERS
  <catch2/catch.hpp>
  <xtensor/xtensor.hpp> <xtensor/xarray.hpp> <cblas.h>
  <algorithm> <array> <cmath> <cstddef> <cstdint> <filesystem> <functional> <limits> <map>
  <memory> <numeric> <optional> <random> <set> <sstream> <string> <tuple> <utility> <variant>
  <vector>)

function(nascent_test_precompiled_headers holder)
  set(source ${CMAKE_CURRENT_BINARY_DIR}/${holder}.cpp)
  file(CONFIGURE OUTPUT ${source} CONTENT "// Holds the unit tests' precompiled headers.\n")
  add_library(${holder} OBJECT ${source})
  if(NASCENT_PRECOMPILE_HEADERS)
    target_precompile_headers(${holder} PRIVATE ${NASCENT_TEST_PRECOMPILED_HEADERS})
  endif()
endfunction()

function(nascent_use_test_precompiled_headers target holder)
  if(NASCENT_PRECOMPILE_HEADERS)
    target_precompile_headers(${target} REUSE_FROM ${holder})
  endif()
endfunction()
