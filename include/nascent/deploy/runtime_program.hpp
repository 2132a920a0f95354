// nascent/deploy/runtime_program.hpp - a program whose step count is known only at run time.
//
//     const cost::graph g = cost::lower<Space>(input, precision::int8, arch.view());   // arch chosen by a search
//     const deploy::runtime_program p = deploy::compile<deploy::dynamic_steps>(g, cost::plan(g), precision::int8);
//     deploy::run(p, weights, params, arena);                  // as any program
//     deploy::write_model_header("model.hpp", "model", p, ...); // writes program<N> with N = p.steps.size()
//
// A fixed network's program is a compile-time constant of a type sized by its step count
// (program<N>). A search picks its architecture at run time, so its program is this one:
// the same fields with the steps in a std::vector. Every function of the deploy layer that
// takes a program<N> (run, calibrate, quantize, program_source, model_header) reads the steps
// through steps.size(), so it takes this one too, and the header it writes holds the
// program<N> a fixed<Space, ...> of the same architecture compiles (tests compare them).
//
// Host-side only (it allocates); a firmware includes the exported header instead.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "nascent/runtime/program.hpp"

namespace nascent::deploy {

template <>
struct program<dynamic_steps> {
    precision element = precision::float32;
    std::vector<step> steps{};
    std::uint32_t arena_bytes = 0;
    operand input{};
    operand output{};
    std::uint32_t weight_count = 0;  ///< elements of the weight array
    std::uint32_t param_count = 0;   ///< elements of the parameter array

    friend bool operator==(const program&, const program&) = default;
};

using runtime_program = program<dynamic_steps>;

/// The steps of a program of either kind, as a span.
template <std::size_t N>
[[nodiscard]] std::span<const step> steps_of(const program<N>& p) noexcept {
    return {p.steps.data(), p.steps.size()};
}

} // namespace nascent::deploy
