// nascent/platform/bench_markers.cpp - the instruction-count markers (bench_markers.hpp), compiled
// into every firmware by nascent_add_firmware (cmake/NascentFirmware.cmake).
#include "nascent/platform/bench_markers.hpp"

// noipa: never inlined, never merged with its twin (identical code folding), and every call is
// opaque to the caller's optimiser. Each function is a single `bx lr`.
extern "C" [[gnu::noipa]] void nascent_bench_begin() { asm volatile("" ::: "memory"); }
extern "C" [[gnu::noipa]] void nascent_bench_end() { asm volatile("" ::: "memory"); }
