// nascent/runtime/program.hpp - a fixed network as data: the steps its kernels run, in order.
//
// A program is what a deploy network executes. It is built at compile time from a
// space type and an architecture (deploy/compile.hpp), or written into an exported
// model header, and then only read: every shape, arena offset and parameter offset
// is a constant. The kernels take their geometry from the step rather than from
// template arguments, so the code size of a firmware does not grow with the depth
// of the network (one kernel per op type and precision).
//
// Memory: one arena of `arena_bytes`, laid out by the cost model's memory plan
// (cost/plan.hpp); an operand is a byte offset into it. The network input is written
// at `input.offset` before running; the output is read at `output.offset` after.
// A step with `in_place` writes its output over its first input (or, for add, over
// whichever input shares its offset), as the plan decided.
//
// Parameters live in two read-only arrays (flash on a device):
//   weights: float32 or int8 elements; a step's start at `weights`, `weight_count` long;
//   params:  float32 (float programs) or int32 (int8 programs); start at `params`.
// What a step's params hold is fixed by its type and precision (its kernel's param_layout).
//
// Freestanding: no heap, no exceptions, no iostream.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "nascent/core/op_type.hpp"
#include "nascent/core/shape.hpp"

namespace nascent::deploy {

/// Where one operand of a step lives in the arena.
struct operand {
    std::uint32_t offset = 0;  ///< bytes from the arena's start to the operand's first element
    shape extent{};            ///< the elements the step reads or writes
    int pixel_stride = 0;      ///< elements from one pixel to the next (more than extent.c: a channel slice)

    friend constexpr bool operator==(const operand&, const operand&) = default;
};

struct step {
    op_type type = op_type::conv;
    fused_activation activation = fused_activation::none;
    bool in_place = false;         ///< the output overwrites an input (same offset)
    operand in[2]{};               ///< in[1] only for add and concat
    operand out{};
    std::uint32_t scratch_offset = 0;  ///< bytes; the kernel's working memory in the arena
    std::uint32_t scratch_bytes = 0;
    op_window window{};            ///< conv and pools; groups is also channel_shuffle's group count
    std::uint32_t weights = 0;     ///< index of the first weight
    std::uint32_t weight_count = 0;
    std::uint32_t params = 0;      ///< index of the first parameter
    std::uint32_t param_count = 0;

    friend constexpr bool operator==(const step&, const step&) = default;
};

/// The step count of a program sized at run time: program<dynamic_steps> (deploy/runtime_program.hpp, host side).
inline constexpr std::size_t dynamic_steps = ~std::size_t{0};

/// A fixed network of `Steps` steps.
template <std::size_t Steps>
struct program {
    precision element = precision::float32;
    std::array<step, Steps> steps{};
    std::uint32_t arena_bytes = 0;
    operand input{};
    operand output{};
    std::uint32_t weight_count = 0;  ///< elements of the weight array
    std::uint32_t param_count = 0;   ///< elements of the parameter array

    static constexpr std::size_t step_count = Steps;
    friend constexpr bool operator==(const program&, const program&) = default;
};

// The meaning of each entry of a step's parameters is stated by the step's kernel, with its
// count (runtime/float/<op>.hpp, runtime/int8/<op>.hpp; docs/deploy.md lists them all);
// runtime/kernel_rules.hpp reads every kernel's parameter count and scratch size.

} // namespace nascent::deploy
