# Runs a firmware in QEMU and compares what it prints with the text the host expects.
#   cmake -DQEMU=<qemu-system-arm> -DELF=<file.elf> [-DEXPECTED=<file>] [-DTIMEOUT=60] -P run_firmware.cmake
# Passes when the firmware exits with code 0 within the time limit and its semihosting output
# (QEMU's stderr) equals the content of EXPECTED (when given), byte for byte.
cmake_minimum_required(VERSION 3.22)
if(NOT DEFINED TIMEOUT)
  set(TIMEOUT 60)
endif()
set(command timeout ${TIMEOUT} ${QEMU} -M mps2-an386 -nographic -semihosting -kernel ${ELF})
list(JOIN command " " shown)
execute_process(COMMAND ${command}
  INPUT_FILE /dev/null
  OUTPUT_VARIABLE stdout ERROR_VARIABLE output RESULT_VARIABLE rc)
message("$ ${shown}\n${output}${stdout}")

if(rc EQUAL 124)
  message(FATAL_ERROR "the firmware did not finish within ${TIMEOUT} s")
elseif(NOT rc EQUAL 0)
  message(FATAL_ERROR "the firmware ended with exit code ${rc}, not 0 (128 + n: exception n, see startup.cpp)")
endif()
if(EXPECTED)
  file(READ ${EXPECTED} expected)
  if(NOT output STREQUAL expected)
    message(FATAL_ERROR "the firmware's output differs from what the host computed (${EXPECTED}):\n"
                        "--- expected\n${expected}--- printed\n${output}---")
  endif()
  message("output identical to ${EXPECTED}")
endif()
