# Bare-metal Cortex-M4F firmware built with nascent's board support (docs/firmware.md).
#
#   include(NascentFirmware)            in nascent's tree; find_package(nascent) includes it
#   nascent_add_firmware(<name>
#     SOURCES <file>...                 application sources (relative to the calling directory)
#     [INCLUDE_DIRS <dir>...]           more include folders, e.g. where generated headers go
#     [DEPENDS <file-or-target>...]     generated headers (outputs of add_custom_command in the
#                                       calling directory) and/or the targets that write them
#     [DEFINITIONS <NAME[=value]>...]   preprocessor definitions
#     [COMPILE_OPTIONS <flag>...]       extra compiler flags
#     [LINK_OPTIONS <flag>...]          extra link flags
#     [BOARD <board>]                   default mps2_an386: nascent/platform/<board>/ gives the
#                                       start-up code (startup.cpp) and the linker script (linker.ld)
#     [LINKER_SCRIPT <file>]            instead of the board's linker.ld
#     [EXPECTED_OUTPUT <file>]          what the firmware must print (read by the tests)
#     [NO_PLATFORM]                     leave out the start-up code and the benchmark markers
#     [EXCLUDE_FROM_ALL])
#
# makes the custom target <name>, which cross-compiles each source with arm-none-eabi-g++ to an
# object (custom commands with a depfile: an edited or regenerated header rebuilds what includes
# it) and links <name>.elf in the calling directory's binary folder, then writes next to it
#   <name>.map        the linker's map
#   <name>.size.txt   arm-none-eabi-size (text, data, bss), also printed during the build
#   <name>.nm.txt     arm-none-eabi-nm -C -S -n: every symbol with its address and size
# The target's properties NASCENT_FIRMWARE_ELF, NASCENT_FIRMWARE_MAP, NASCENT_FIRMWARE_SIZE_REPORT,
# NASCENT_FIRMWARE_SYMBOLS and NASCENT_FIRMWARE_EXPECTED_OUTPUT hold those paths, for tests
# ($<TARGET_PROPERTY:<name>,NASCENT_FIRMWARE_ELF>).
#
# Every source gets nascent's headers on its include path, board support included
# ("nascent/platform/semihosting.hpp", "nascent/platform/bench_markers.hpp"), never the host's
# /usr/include: in nascent's source tree <source>/include; from the installed package
# (NASCENT_INCLUDE_DIR, which nascentConfig.cmake sets before it includes this file) a folder
# of the build tree that links to the installed nascent/ alone.
#
# The cross tools are found with find_program (NASCENT_ARM_GXX; size and nm next to it). When
# they are missing, or NASCENT_ARM_GXX is set to NOTFOUND/OFF, nascent_add_firmware does nothing
# and NASCENT_FIRMWARE_ENABLED is false: the caller skips its firmware tests. The same holds for
# qemu-system-arm (NASCENT_QEMU_ARM) and the tests that run a firmware.
#
#   nascent_add_qemu_insn_plugin()
# makes the target nascent_qemu_insn: the instruction-counting QEMU plugin of bench/qemu_insn/,
# a shared library built with the host compiler, at <build>/bench/qemu_insn/nascent_qemu_insn.so
# (nascent's source tree only).
#
# Run with `cmake -P` (as the custom commands do), this file writes the size report and the
# symbol listing of one firmware; see the end of the file.

if(NOT CMAKE_SCRIPT_MODE_FILE)

get_filename_component(_nascent_root "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
set_property(GLOBAL PROPERTY NASCENT_SOURCE_ROOT "${_nascent_root}")
# The headers and board support: the installed package's (whose include folder may be
# /usr/include: the firmware reaches its nascent/ through a link) or this source tree's.
if(NASCENT_INCLUDE_DIR)
  get_filename_component(_nascent_include "${NASCENT_INCLUDE_DIR}" ABSOLUTE)
  set(_nascent_firmware_include "${CMAKE_BINARY_DIR}/nascent_firmware_include")
  file(MAKE_DIRECTORY "${_nascent_firmware_include}")
  file(CREATE_LINK "${_nascent_include}/nascent" "${_nascent_firmware_include}/nascent" SYMBOLIC)
else()
  set(_nascent_include "${_nascent_root}/include")
  set(_nascent_firmware_include "${_nascent_include}")
endif()
if(NOT EXISTS "${_nascent_include}/nascent/platform")
  message(FATAL_ERROR "NascentFirmware: no board support in ${_nascent_include}/nascent/platform")
endif()
set_property(GLOBAL PROPERTY NASCENT_INCLUDE_DIR "${_nascent_include}")
set_property(GLOBAL PROPERTY NASCENT_FIRMWARE_INCLUDE_PATH "${_nascent_firmware_include}")
set_property(GLOBAL PROPERTY NASCENT_FIRMWARE_MODULE "${CMAKE_CURRENT_LIST_FILE}")

# Flags of every firmware object (compile) and of the link. Cortex-M4 with its single-precision
# FPU, hardware floating-point calling convention; no exceptions, RTTI or thread-safe statics;
# one section per function and object so that the linker drops what is never referenced.
set(NASCENT_FIRMWARE_CPU_FLAGS -mcpu=cortex-m4 -mthumb -mfpu=fpv4-sp-d16 -mfloat-abi=hard)
set(NASCENT_FIRMWARE_CXX_FLAGS -Os -g -std=c++20 -fno-exceptions -fno-rtti -fno-threadsafe-statics
    -ffunction-sections -fdata-sections -Wall -Wextra)
set(NASCENT_FIRMWARE_LINK_FLAGS -Wl,--gc-sections -nostartfiles)

# --- tools -----------------------------------------------------------------------------------------
# A value set by hand (NOTFOUND, OFF, a path) is kept; only a failed automatic search is retried.
if(NOT DEFINED CACHE{NASCENT_ARM_GXX} OR NASCENT_ARM_GXX MATCHES "-NOTFOUND$")
  find_program(NASCENT_ARM_GXX arm-none-eabi-g++
    DOC "Cross compiler for the firmware (NOTFOUND or OFF: no firmware)")
endif()
if(NOT DEFINED CACHE{NASCENT_QEMU_ARM} OR NASCENT_QEMU_ARM MATCHES "-NOTFOUND$")
  find_program(NASCENT_QEMU_ARM qemu-system-arm
    DOC "Emulator that runs the firmware in the tests (NOTFOUND or OFF: those tests are skipped)")
endif()

set(_nascent_firmware_why "")
if(NOT NASCENT_ARM_GXX OR NOT EXISTS "${NASCENT_ARM_GXX}")
  set(_nascent_firmware_why "arm-none-eabi-g++ not found (NASCENT_ARM_GXX='${NASCENT_ARM_GXX}')")
else()
  get_filename_component(_nascent_arm_bin "${NASCENT_ARM_GXX}" DIRECTORY)
  get_filename_component(_nascent_arm_name "${NASCENT_ARM_GXX}" NAME)
  string(REGEX REPLACE "g\\+\\+(-[0-9.]+)?$" "" _nascent_arm_prefix "${_nascent_arm_name}")
  find_program(NASCENT_ARM_SIZE ${_nascent_arm_prefix}size HINTS "${_nascent_arm_bin}" NO_DEFAULT_PATH)
  find_program(NASCENT_ARM_NM ${_nascent_arm_prefix}nm HINTS "${_nascent_arm_bin}" NO_DEFAULT_PATH)
  if(NOT NASCENT_ARM_SIZE OR NOT NASCENT_ARM_NM)
    set(_nascent_firmware_why "${_nascent_arm_prefix}size or ${_nascent_arm_prefix}nm missing next to ${NASCENT_ARM_GXX}")
  else()
    # The C++ library is a separate Debian package (libstdc++-arm-none-eabi-newlib): check that
    # the multilib of the firmware flags has one, once per compiler.
    if(NOT NASCENT_ARM_LIBSTDCXX_CHECKED STREQUAL NASCENT_ARM_GXX)
      execute_process(COMMAND ${NASCENT_ARM_GXX} ${NASCENT_FIRMWARE_CPU_FLAGS} -print-file-name=libstdc++.a
                      OUTPUT_VARIABLE _nascent_libstdcxx OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
      if(IS_ABSOLUTE "${_nascent_libstdcxx}" AND EXISTS "${_nascent_libstdcxx}")
        set(NASCENT_ARM_LIBSTDCXX_CHECKED "${NASCENT_ARM_GXX}" CACHE INTERNAL "")
      else()
        set(_nascent_firmware_why "${NASCENT_ARM_GXX} has no libstdc++ for Cortex-M4F (install libstdc++-arm-none-eabi-newlib)")
      endif()
    endif()
  endif()
endif()

if(_nascent_firmware_why STREQUAL "")
  set(NASCENT_FIRMWARE_ENABLED TRUE)
else()
  set(NASCENT_FIRMWARE_ENABLED FALSE)
endif()
if(NASCENT_QEMU_ARM AND EXISTS "${NASCENT_QEMU_ARM}")
  set(NASCENT_QEMU_ENABLED TRUE)
else()
  set(NASCENT_QEMU_ENABLED FALSE)
endif()
set_property(GLOBAL PROPERTY NASCENT_FIRMWARE_ENABLED ${NASCENT_FIRMWARE_ENABLED})

get_property(_nascent_firmware_reported GLOBAL PROPERTY NASCENT_FIRMWARE_REPORTED)
if(NOT _nascent_firmware_reported)
  set_property(GLOBAL PROPERTY NASCENT_FIRMWARE_REPORTED TRUE)
  if(NASCENT_FIRMWARE_ENABLED)
    message(STATUS "Firmware: cross compiler ${NASCENT_ARM_GXX}")
    if(NOT NASCENT_QEMU_ENABLED)
      message(STATUS "Firmware: qemu-system-arm not found: the firmware is built but not run in the tests "
                     "(apt-get install qemu-system-arm)")
    endif()
  else()
    message(STATUS "Firmware: skipped, ${_nascent_firmware_why} "
                   "(apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib)")
  endif()
endif()

# --- nascent_add_firmware ----------------------------------------------------------------------------
function(nascent_add_firmware name)
  cmake_parse_arguments(PARSE_ARGV 1 fw "NO_PLATFORM;EXCLUDE_FROM_ALL" "BOARD;LINKER_SCRIPT;EXPECTED_OUTPUT"
                        "SOURCES;INCLUDE_DIRS;DEPENDS;DEFINITIONS;COMPILE_OPTIONS;LINK_OPTIONS")
  if(fw_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "nascent_add_firmware(${name}): unknown arguments ${fw_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT fw_SOURCES)
    message(FATAL_ERROR "nascent_add_firmware(${name}) needs SOURCES")
  endif()
  get_property(enabled GLOBAL PROPERTY NASCENT_FIRMWARE_ENABLED)
  if(NOT enabled)
    return()
  endif()
  get_property(include GLOBAL PROPERTY NASCENT_INCLUDE_DIR)
  get_property(include_path GLOBAL PROPERTY NASCENT_FIRMWARE_INCLUDE_PATH)
  get_property(module GLOBAL PROPERTY NASCENT_FIRMWARE_MODULE)

  if(NOT fw_BOARD)
    set(fw_BOARD mps2_an386)
  endif()
  set(platform ${include}/nascent/platform)
  set(board ${platform}/${fw_BOARD})
  # The board's files (a linker script of the caller's may be generated at build time).
  set(needed "")
  if(NOT fw_LINKER_SCRIPT)
    set(fw_LINKER_SCRIPT ${board}/linker.ld)
    list(APPEND needed ${board}/linker.ld)
  endif()
  if(NOT fw_NO_PLATFORM)
    list(APPEND needed ${board}/startup.cpp)
  endif()
  foreach(file IN LISTS needed)
    if(NOT EXISTS ${file})
      message(FATAL_ERROR "nascent_add_firmware(${name}): no ${file} (BOARD ${fw_BOARD})")
    endif()
  endforeach()
  get_filename_component(linker_script "${fw_LINKER_SCRIPT}" ABSOLUTE BASE_DIR ${CMAKE_CURRENT_SOURCE_DIR})

  set(sources "")
  foreach(source IN LISTS fw_SOURCES)
    get_filename_component(source "${source}" ABSOLUTE BASE_DIR ${CMAKE_CURRENT_SOURCE_DIR})
    list(APPEND sources ${source})
  endforeach()
  set(platform_sources "")
  if(NOT fw_NO_PLATFORM)
    set(platform_sources ${board}/startup.cpp ${platform}/bench_markers.cpp)
  endif()

  set(flags ${NASCENT_FIRMWARE_CPU_FLAGS} ${NASCENT_FIRMWARE_CXX_FLAGS} ${fw_COMPILE_OPTIONS})
  foreach(dir IN LISTS fw_INCLUDE_DIRS)
    get_filename_component(dir "${dir}" ABSOLUTE BASE_DIR ${CMAKE_CURRENT_SOURCE_DIR})
    list(APPEND flags -I${dir})
  endforeach()
  list(APPEND flags -I${include_path})
  foreach(definition IN LISTS fw_DEFINITIONS)
    list(APPEND flags -D${definition})
  endforeach()

  set(out ${CMAKE_CURRENT_BINARY_DIR})
  file(MAKE_DIRECTORY ${out}/${name}.dir)  # Makefile generators do not create it
  set(objects "")
  set(index 0)
  foreach(source IN LISTS sources platform_sources)
    get_filename_component(stem "${source}" NAME_WE)
    set(object ${out}/${name}.dir/${index}_${stem}.o)
    math(EXPR index "${index} + 1")
    file(RELATIVE_PATH shown ${CMAKE_SOURCE_DIR} ${source})
    if(shown MATCHES "^\\.\\./")
      set(shown ${source})
    endif()
    # The application's sources wait for the generated headers (DEPENDS) the first time; after
    # that the depfile lists every header a source includes, generated or not.
    set(depends ${source})
    if(source IN_LIST sources)
      list(APPEND depends ${fw_DEPENDS})
    endif()
    add_custom_command(OUTPUT ${object}
      COMMAND ${NASCENT_ARM_GXX} ${flags} -MD -MF ${object}.d -MT ${object} -c ${source} -o ${object}
      DEPENDS ${depends}
      DEPFILE ${object}.d
      COMMENT "Cross-compiling ${shown} for ${name}"
      VERBATIM COMMAND_EXPAND_LISTS)
    list(APPEND objects ${object})
  endforeach()

  set(elf ${out}/${name}.elf)
  add_custom_command(OUTPUT ${elf} ${out}/${name}.map ${out}/${name}.size.txt ${out}/${name}.nm.txt
    COMMAND ${NASCENT_ARM_GXX} ${NASCENT_FIRMWARE_CPU_FLAGS} ${NASCENT_FIRMWARE_CXX_FLAGS}
            ${NASCENT_FIRMWARE_LINK_FLAGS} ${fw_LINK_OPTIONS} -T ${linker_script}
            -Wl,-Map=${out}/${name}.map ${objects} -o ${elf}
    COMMAND ${CMAKE_COMMAND} -DNAME=${name} -DELF=${elf} -DSIZE_TOOL=${NASCENT_ARM_SIZE} -DNM_TOOL=${NASCENT_ARM_NM}
            -P ${module}
    DEPENDS ${objects} ${linker_script} ${module}
    COMMENT "Linking firmware ${name}.elf"
    VERBATIM COMMAND_EXPAND_LISTS)

  if(fw_EXCLUDE_FROM_ALL)
    add_custom_target(${name} DEPENDS ${elf})
  else()
    add_custom_target(${name} ALL DEPENDS ${elf})
  endif()
  set(expected "")
  if(fw_EXPECTED_OUTPUT)
    get_filename_component(expected "${fw_EXPECTED_OUTPUT}" ABSOLUTE BASE_DIR ${CMAKE_CURRENT_SOURCE_DIR})
  endif()
  set_target_properties(${name} PROPERTIES
    NASCENT_FIRMWARE_ELF ${elf}
    NASCENT_FIRMWARE_MAP ${out}/${name}.map
    NASCENT_FIRMWARE_SIZE_REPORT ${out}/${name}.size.txt
    NASCENT_FIRMWARE_SYMBOLS ${out}/${name}.nm.txt
    NASCENT_FIRMWARE_EXPECTED_OUTPUT "${expected}")
endfunction()

# --- nascent_add_qemu_insn_plugin --------------------------------------------------------------------
function(nascent_add_qemu_insn_plugin)
  if(TARGET nascent_qemu_insn)
    return()
  endif()
  get_property(root GLOBAL PROPERTY NASCENT_SOURCE_ROOT)
  if(NOT EXISTS ${root}/bench/qemu_insn/insn_count.cpp)
    message(FATAL_ERROR "nascent_add_qemu_insn_plugin() needs nascent's source tree (bench/qemu_insn/)")
  endif()
  add_library(nascent_qemu_insn MODULE ${root}/bench/qemu_insn/insn_count.cpp)
  target_include_directories(nascent_qemu_insn PRIVATE ${root}/bench/qemu_insn)
  target_compile_features(nascent_qemu_insn PRIVATE cxx_std_20)
  target_compile_options(nascent_qemu_insn PRIVATE -Wall -Wextra -Wpedantic)
  # The plugin's undefined qemu_plugin_* symbols are resolved by QEMU when it loads the plugin.
  set_target_properties(nascent_qemu_insn PROPERTIES
    PREFIX ""
    CXX_VISIBILITY_PRESET hidden
    LIBRARY_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/bench/qemu_insn)
endfunction()

else()
# --- script mode: the size report and symbol listing of one firmware ---------------------------------
#   cmake -DNAME=<name> -DELF=<file.elf> -DSIZE_TOOL=<size> -DNM_TOOL=<nm> -P NascentFirmware.cmake
cmake_minimum_required(VERSION 3.22)
get_filename_component(_base "${ELF}" NAME_WLE)
get_filename_component(_dir "${ELF}" DIRECTORY)
execute_process(COMMAND ${SIZE_TOOL} ${ELF} OUTPUT_FILE ${_dir}/${_base}.size.txt RESULT_VARIABLE _rc)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "${SIZE_TOOL} ${ELF} failed")
endif()
execute_process(COMMAND ${NM_TOOL} -C -S -n ${ELF} OUTPUT_FILE ${_dir}/${_base}.nm.txt RESULT_VARIABLE _rc)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "${NM_TOOL} ${ELF} failed")
endif()
file(STRINGS ${_dir}/${_base}.size.txt _lines)
list(GET _lines 1 _figures)
string(REGEX MATCH "^[ \t]*([0-9]+)[ \t]+([0-9]+)[ \t]+([0-9]+)" _ "${_figures}")
message("${NAME}: text ${CMAKE_MATCH_1}, data ${CMAKE_MATCH_2}, bss ${CMAKE_MATCH_3} bytes")
endif()
