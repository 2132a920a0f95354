# Installs the build tree into WORK_DIR/prefix, then builds and runs the consumer project
# against it (find_package), and once more against the source tree (add_subdirectory).
# When nascent's build has the cross compiler, the consumer's firmware must be built too, hold
# no forbidden symbol and, with QEMU, print exactly firmware.expected. Any failing step fails
# the test.
file(REMOVE_RECURSE ${WORK_DIR})
function(run)
  execute_process(COMMAND ${ARGV} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "step failed (${rc}): ${ARGV}")
  endif()
endfunction()

# The firmware tools of nascent's build (cmake/NascentFirmware.cmake), given to the consumer.
load_cache(${BUILD_DIR} READ_WITH_PREFIX nascent_
  NASCENT_ARM_GXX NASCENT_ARM_NM NASCENT_ARM_LIBSTDCXX_CHECKED NASCENT_QEMU_ARM)
set(tools "")
foreach(tool IN ITEMS NASCENT_ARM_GXX NASCENT_QEMU_ARM)
  if(DEFINED nascent_${tool})
    list(APPEND tools "-D${tool}=${nascent_${tool}}")
  endif()
endforeach()
# The firmware is enabled when the libstdc++ check passed for that very compiler.
set(firmware OFF)
if(nascent_NASCENT_ARM_GXX AND nascent_NASCENT_ARM_LIBSTDCXX_CHECKED STREQUAL nascent_NASCENT_ARM_GXX)
  set(firmware ON)
endif()

function(check_firmware build)
  set(elf ${build}/consumer_firmware.elf)
  if(NOT firmware)
    message("consumer firmware: skipped, nascent's build has no cross compiler")
    return()
  endif()
  if(NOT EXISTS ${elf})
    message(FATAL_ERROR "the consumer's firmware was not built: ${elf}")
  endif()
  run(${CMAKE_COMMAND} -DNM=${nascent_NASCENT_ARM_NM} -DELF=${elf} -P ${SOURCE_DIR}/tests/firmware/check_symbols.cmake)
  if(nascent_NASCENT_QEMU_ARM AND EXISTS "${nascent_NASCENT_QEMU_ARM}")
    run(${CMAKE_COMMAND} -DQEMU=${nascent_NASCENT_QEMU_ARM} -DELF=${elf} -DEXPECTED=${CONSUMER_DIR}/firmware.expected
        -P ${SOURCE_DIR}/tests/firmware/run_firmware.cmake)
  else()
    message("consumer firmware: built, not run (no qemu-system-arm)")
  endif()
endfunction()

run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${WORK_DIR}/prefix)
run(${CMAKE_COMMAND} -S ${CONSUMER_DIR} -B ${WORK_DIR}/installed -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix ${tools})
run(${CMAKE_COMMAND} --build ${WORK_DIR}/installed)
run(${WORK_DIR}/installed/consumer)
check_firmware(${WORK_DIR}/installed)
run(${CMAKE_COMMAND} -S ${CONSUMER_DIR} -B ${WORK_DIR}/subdirectory -DNASCENT_SOURCE_DIR=${SOURCE_DIR} ${tools})
run(${CMAKE_COMMAND} --build ${WORK_DIR}/subdirectory)
run(${WORK_DIR}/subdirectory/consumer)
check_firmware(${WORK_DIR}/subdirectory)
