# Runs one compile-fail test: builds the object target TARGET in BUILD_DIR (compiling SOURCE alone)
# and compares the outcome with the directive in SOURCE, a comment line of its own:
#   // expect-error: <regular expression>   the build fails and its output matches the expression
#   // expect-success                       the build succeeds
# Usage: cmake -DBUILD_DIR=... -DTARGET=... -DSOURCE=... [-DCONFIG=...] -P check_compile.cmake
foreach(variable BUILD_DIR TARGET SOURCE)
  if(NOT DEFINED ${variable})
    message(FATAL_ERROR "check_compile.cmake: ${variable} is not set")
  endif()
endforeach()

file(STRINGS ${SOURCE} directives REGEX "^// expect-")
list(LENGTH directives count)
if(NOT count EQUAL 1)
  message(FATAL_ERROR "${SOURCE}: needs exactly one '// expect-error: <regex>' or '// expect-success' line, found ${count}")
endif()
if(directives MATCHES "^// expect-success[ \t]*$")
  set(expect_success ON)
elseif(directives MATCHES "^// expect-error: (.+)$")
  set(expect_success OFF)
  set(pattern "${CMAKE_MATCH_1}")
else()
  message(FATAL_ERROR "${SOURCE}: cannot read the directive '${directives}'")
endif()

set(config_arguments "")
if(DEFINED CONFIG AND NOT CONFIG STREQUAL "")
  set(config_arguments --config ${CONFIG})
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${BUILD_DIR} --target ${TARGET} ${config_arguments}
                OUTPUT_VARIABLE output ERROR_VARIABLE output RESULT_VARIABLE result)
# Compilers may colour their diagnostics; match the plain text.
string(ASCII 27 escape)
string(REGEX REPLACE "${escape}\\[[0-9;]*[mK]" "" output "${output}")

if(expect_success)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "${SOURCE} must compile but its build failed (${result}):\n${output}")
  endif()
  message(STATUS "${SOURCE} compiles, as expected")
else()
  if(result EQUAL 0)
    message(FATAL_ERROR "${SOURCE} must not compile but its build succeeded:\n${output}")
  endif()
  if(NOT output MATCHES "${pattern}")
    message(FATAL_ERROR "${SOURCE} failed to compile, but the output does not match '${pattern}':\n${output}")
  endif()
  message(STATUS "${SOURCE} fails to compile with the expected message")
endif()
