# Size of a firmware: text, data and bss, and the code among the text, which must stay under a
# limit. Code is text minus the constant arrays that are not code: the output section
# .nascent_weights and the symbols whose (demangled) names match WEIGHT_SYMBOLS (outside that
# section), e.g. the weights and test images of an exported model.
#   cmake -DSIZE_TOOL=<size> -DNM=<nm> -DELF=<file.elf> -DLIMIT=<bytes> [-DWEIGHT_SYMBOLS=<regex>]
#         -P check_size.cmake
cmake_minimum_required(VERSION 3.22)
execute_process(COMMAND ${SIZE_TOOL} ${ELF} OUTPUT_VARIABLE berkeley RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${SIZE_TOOL} ${ELF} failed")
endif()
string(REGEX MATCH "\n[ \t]*([0-9]+)[ \t]+([0-9]+)[ \t]+([0-9]+)" _ "${berkeley}")
set(text ${CMAKE_MATCH_1})
set(data ${CMAKE_MATCH_2})
set(bss ${CMAKE_MATCH_3})

execute_process(COMMAND ${SIZE_TOOL} -A ${ELF} OUTPUT_VARIABLE sysv)
set(section_size 0)
set(section_start 0)
if(sysv MATCHES "\n\\.nascent_weights[ \t]+([0-9]+)[ \t]+([0-9]+)")
  set(section_size ${CMAKE_MATCH_1})
  set(section_start ${CMAKE_MATCH_2})
endif()
math(EXPR section_end "${section_start} + ${section_size}")

set(symbol_bytes 0)
set(symbol_count 0)
if(WEIGHT_SYMBOLS)
  execute_process(COMMAND ${NM} -C -S ${ELF} OUTPUT_VARIABLE listing)
  string(REPLACE ";" "\\;" listing "${listing}")
  string(REPLACE "\n" ";" lines "${listing}")
  foreach(line IN LISTS lines)
    if(line MATCHES "^([0-9a-fA-F]+) ([0-9a-fA-F]+) [rRtTvVdD] (.+)$")
      set(name "${CMAKE_MATCH_3}")
      math(EXPR address "0x${CMAKE_MATCH_1}")
      math(EXPR bytes "0x${CMAKE_MATCH_2}")
      if(name MATCHES "${WEIGHT_SYMBOLS}" AND address LESS 0x20000000
         AND NOT (address GREATER_EQUAL section_start AND address LESS section_end))
        math(EXPR symbol_bytes "${symbol_bytes} + ${bytes}")
        math(EXPR symbol_count "${symbol_count} + 1")
      endif()
    endif()
  endforeach()
endif()

math(EXPR constants "${section_size} + ${symbol_bytes}")
math(EXPR code "${text} - ${constants}")
get_filename_component(name ${ELF} NAME_WE)
message("${name}: text ${text}, data ${data}, bss ${bss} bytes; "
        "code ${code} + constants ${constants} (.nascent_weights ${section_size}, ${symbol_count} symbols matching "
        "'${WEIGHT_SYMBOLS}' ${symbol_bytes}); code limit ${LIMIT}")
if(code GREATER LIMIT)
  message(FATAL_ERROR "${name}: ${code} bytes of code, over the limit of ${LIMIT} (NASCENT_FIRMWARE_CODE_LIMIT); "
                      "the largest symbols are at the end of the listing: ${NM} -C -S --size-sort ${ELF}")
endif()
