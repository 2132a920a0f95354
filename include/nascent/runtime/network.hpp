// nascent/runtime/network.hpp - the allocation-free network type of a program.
//
// network<Program> is an ordinary type whose memory is known to the compiler:
//     using net = nascent::deploy::network<my_model::program>;
//     static_assert(net::arena_bytes <= 64 * 1024);
//     net::arena arena;                              // the only RAM it uses (static or on the stack)
//     std::copy(image, image + net::input_size, net::input(arena));
//     const int label = net::classify(arena, my_model::weights, my_model::params);
// Program is a constexpr program<N> (runtime/program.hpp) with static storage: a member of a
// fixed<Space, ...> (deploy/fixed.hpp) or the `program` of an exported model header. The
// weights and parameters are passed in, so the same type runs any trained weights of the
// architecture (flash arrays on a device, vectors on a host).
//
// Freestanding: no heap, no exceptions, no iostream.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "nascent/runtime/program.hpp"
#include "nascent/runtime/run.hpp"

namespace nascent::deploy {

template <const auto& Program>
class network {
public:
    static constexpr const auto& program = Program;
    static constexpr precision element_precision = Program.element;
    /// Activation and weight element: float or int8.
    using element = std::conditional_t<element_precision == precision::int8, std::int8_t, float>;
    /// Parameter element: float (float programs) or int32 (int8 programs).
    using parameter = std::conditional_t<element_precision == precision::int8, std::int32_t, float>;

    static constexpr std::size_t arena_bytes = Program.arena_bytes;
    static constexpr std::size_t weight_count = Program.weight_count;
    static constexpr std::size_t param_count = Program.param_count;
    /// Bytes of weights and parameters (flash on a device).
    static constexpr std::size_t flash_bytes = weight_count * sizeof(element) + param_count * sizeof(parameter);
    static constexpr shape input_shape = Program.input.extent;
    static constexpr shape output_shape = Program.output.extent;
    static constexpr std::size_t input_size = input_shape.size();
    static constexpr std::size_t output_size = output_shape.size();

    /// The activation arena: the network's only working memory.
    struct arena {
        alignas(4) std::byte bytes[arena_bytes];
    };

    /// Where the input goes before run().
    [[nodiscard]] static element* input(arena& a) noexcept {
        return reinterpret_cast<element*>(a.bytes + Program.input.offset);
    }
    /// Where the output is after run().
    [[nodiscard]] static const element* output(const arena& a) noexcept {
        return reinterpret_cast<const element*>(a.bytes + Program.output.offset);
    }

    /// Runs the network on the input already in the arena; returns the output (null only when
    /// the program holds a step no kernel runs, which compile() never makes).
    static const element* run(arena& a, const element* weights, const parameter* params) noexcept {
        return deploy::run<types_of(Program)>(Program, weights, params, a.bytes) == run_status::ok ? output(a) : nullptr;
    }

    /// What classify_to_exit returns: the class (-1 as run()) and the exit it came from.
    struct exit_decision {
        int label = -1;
        int exit = 0;  ///< 0 for the first early exit; the early exits' count for the network's own output
    };
    /// Runs an early-exit network up to the first exit sure enough of the input (run_to_exit);
    /// a network without exits runs whole and answers from exit 0.
    static exit_decision classify_to_exit(arena& a, const element* weights, const parameter* params) noexcept {
        const exit_run r = deploy::run_to_exit<types_of(Program)>(Program, weights, params, a.bytes);
        if (r.status != run_status::ok) return {};
        return {static_cast<int>(argmax_at<element>(r.logits, a.bytes)), static_cast<int>(r.exit)};
    }

    /// Runs the network and returns the index of the largest output (the class), or -1 as run().
    static int classify(arena& a, const element* weights, const parameter* params) noexcept {
        const element* out = run(a, weights, params);
        if (out == nullptr) return -1;
        int best = 0;
        for (std::size_t i = 1; i < output_size; ++i)
            if (out[i] > out[best]) best = static_cast<int>(i);
        return best;
    }
};

} // namespace nascent::deploy
