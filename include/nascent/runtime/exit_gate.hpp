// nascent/runtime/exit_gate.hpp - what both precisions' exit gates share: passing the tensor on,
// and the decision they leave for the runner.
//
// A gate step reads in[0] (the backbone's tensor) and in[1] (the exit's logits). It writes in[0]
// to out (nothing to do in place, as the plan nearly always has it) and stores its decision as a
// 32-bit word at its scratch: 1 when the exit is sure enough to stop the network there, else 0.
// run_to_exit (run.hpp) reads the word after the step; run() ignores it and runs every step.
//
// Freestanding: no heap, no exceptions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "nascent/runtime/program.hpp"

namespace nascent::deploy {

/// Scratch bytes of a gate step: its decision word.
inline constexpr std::uint32_t exit_gate_scratch_bytes = 4;

namespace detail {

/// Writes the gate's input tensor to its output unless they share memory, and its decision.
inline void finish_gate(const step& s, std::byte* arena, std::size_t element_bytes, bool leave) noexcept {
    if (!s.in_place && s.out.offset != s.in[0].offset)
        std::memmove(arena + s.out.offset, arena + s.in[0].offset, s.out.extent.size() * element_bytes);
    const std::uint32_t word = leave ? 1U : 0U;
    std::memcpy(arena + s.scratch_offset, &word, sizeof word);
}

} // namespace detail

/// The decision gate step `s` left in `arena`: true when the network stops at its exit.
[[nodiscard]] inline bool gate_leaves(const step& s, const std::byte* arena) noexcept {
    std::uint32_t word = 0;
    std::memcpy(&word, arena + s.scratch_offset, sizeof word);
    return word != 0;
}

} // namespace nascent::deploy
