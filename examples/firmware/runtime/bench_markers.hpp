#pragma once
// Markers for instruction counting. The counting plugin (bench/qemu_insn/) counts the
// instructions executed from each call of nascent_bench_begin() to the next call of
// nascent_bench_end(): call them around the work to measure, e.g. one inference.
//
//   nascent_bench_begin();
//   classify(image);
//   nascent_bench_end();
//
// They do nothing, are never inlined or merged (each keeps its own address, which the plugin
// is given from nm) and act as compiler barriers: no memory access moves across them.
extern "C" {
void nascent_bench_begin();
void nascent_bench_end();
}
