# Reads the symbol table of a linked firmware and fails when it holds anything of the heap,
# exceptions, iostream/locale or printf-style stdio.
#   cmake -DNM=<arm-none-eabi-nm> -DELF=<file.elf> -P check_symbols.cmake
#   cmake ... -DEXPECT_REJECTED=malloc,_Znwj -P check_symbols.cmake
# With EXPECT_REJECTED the check runs inverted, for a firmware built to break the rule: it passes
# only when the firmware is rejected and the offending symbols include every name listed
# (separated by commas).
cmake_minimum_required(VERSION 3.22)

# What is forbidden, and regular expressions on whole mangled names (one symbol each).
set(rules
  "heap|(malloc|free|calloc|realloc|reallocf|memalign|aligned_alloc|posix_memalign|valloc|pvalloc)"
  "heap|_(malloc|free|calloc|realloc|memalign)_r"
  "heap|_?sbrk(_r)?"
  "operator new|_Zn[wa][^\n]*"
  "operator delete|_Zd[la][^\n]*"
  "exceptions|__cxa_(allocate_exception|free_exception|throw|rethrow|begin_catch|end_catch)"
  "exceptions|__gxx_personality_[^\n]*"
  "exceptions|_Unwind_[^\n]*"
  "iostream/locale|_ZNSt(8ios_base|6locale|9basic_ios|13basic_[io]stream|15basic_streambuf)[^\n]*"
  "iostream/locale|_ZNS[oi][^\n]*"
  "iostream/locale|_ZSt[0-9]+w?(cout|cerr|clog|cin)"
  "stdio|_?(printf|sprintf|snprintf|vprintf|vsnprintf|fprintf|puts|putchar)"
  "stdio|_(v?fprintf|svfprintf|printf|puts)_r")

execute_process(COMMAND ${NM} ${ELF} OUTPUT_VARIABLE listing RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cannot read the symbols of ${ELF} with ${NM}")
endif()
# Each line between its own newlines, so that one regular expression over the whole listing finds
# every matching line ("address type name"); brackets and semicolons would upset CMake lists.
string(REPLACE "[" "<lb>" listing "${listing}")
string(REPLACE "]" "<rb>" listing "${listing}")
string(REPLACE ";" "<sc>" listing "${listing}")
string(REPLACE "\n" "\n\n" listing "\n${listing}")

set(found_names "")
set(found_labels "")
foreach(rule IN LISTS rules)
  string(FIND "${rule}" "|" bar)
  string(SUBSTRING "${rule}" 0 ${bar} label)
  math(EXPR bar "${bar} + 1")
  string(SUBSTRING "${rule}" ${bar} -1 pattern)
  string(REGEX MATCHALL "\n[0-9a-fA-F]* *[A-Za-z?] ${pattern}\n" hits "${listing}")
  foreach(hit IN LISTS hits)
    string(REGEX REPLACE "^\n[0-9a-fA-F]* *[A-Za-z?] " "" name "${hit}")
    string(STRIP "${name}" name)
    if(NOT name IN_LIST found_names)
      list(APPEND found_names "${name}")
      list(APPEND found_labels "${label}")
    endif()
  endforeach()
endforeach()

# Readable names next to the mangled ones, from c++filt next to nm.
string(REGEX REPLACE "nm$" "c++filt" cxxfilt "${NM}")
set(readable_names "")
list(LENGTH found_names found)
if(found GREATER 0 AND EXISTS "${cxxfilt}")
  execute_process(COMMAND ${cxxfilt} ${found_names} OUTPUT_VARIABLE readable)
  string(REPLACE "[" "<lb>" readable "${readable}")
  string(REPLACE "]" "<rb>" readable "${readable}")
  string(REPLACE ";" "<sc>" readable "${readable}")
  string(STRIP "${readable}" readable)
  string(REPLACE "\n" ";" readable_names "${readable}")
endif()
list(LENGTH readable_names readable_count)

set(lines "")
set(index 0)
while(index LESS found)
  list(GET found_names ${index} name)
  list(GET found_labels ${index} label)
  set(line "  ${name}")
  if(readable_count EQUAL found)
    list(GET readable_names ${index} readable)
    if(NOT readable STREQUAL name)
      string(APPEND line " = ${readable}")
    endif()
  endif()
  list(APPEND lines "${line}  (${label})")
  math(EXPR index "${index} + 1")
endwhile()
set(shown_at_most 60)
if(found GREATER shown_at_most)
  list(SUBLIST lines 0 ${shown_at_most} lines)
  math(EXPR more "${found} - ${shown_at_most}")
  list(APPEND lines "  ... and ${more} more")
endif()
list(JOIN lines "\n" listing)
string(REPLACE "<lb>" "[" listing "${listing}")
string(REPLACE "<rb>" "]" listing "${listing}")
string(REPLACE "<sc>" ";" listing "${listing}")

if(DEFINED EXPECT_REJECTED)
  if(found EQUAL 0)
    message(FATAL_ERROR "${ELF} was built to break the rule but no forbidden symbol was found: the check is blind")
  endif()
  string(REPLACE "," ";" expected_names "${EXPECT_REJECTED}")
  foreach(name IN LISTS expected_names)
    if(NOT name IN_LIST found_names)
      message(FATAL_ERROR "${ELF}: the check missed '${name}'; it found:\n${listing}")
    endif()
  endforeach()
  message("rejected as it should be, ${found} forbidden symbols:\n${listing}")
  return()
endif()
if(found GREATER 0)
  message(FATAL_ERROR "${ELF} links ${found} forbidden symbols (a deploy image has no heap, exceptions, "
                      "iostream or printf):\n${listing}\n"
                      "The linker map (.map next to the ELF) tells which object pulled each in.")
endif()
message("no heap, exception, iostream/locale or stdio symbol in ${ELF}")
