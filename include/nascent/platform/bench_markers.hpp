// nascent/platform/bench_markers.hpp - markers around the work an instruction count measures.
//
//     nascent_bench_begin();
//     classify(image);         // one region of the count (bench/qemu_insn/, docs/firmware.md)
//     nascent_bench_end();
//
// Empty functions (bench_markers.cpp, linked into every firmware) that are never inlined or
// merged, so each keeps the address the counting plugin is given from nm; compiler barriers: no
// memory access moves across them.
#pragma once
extern "C" {
void nascent_bench_begin();
void nascent_bench_end();
}
