// A firmware outside nascent's tree, built by nascent_add_firmware from the installed package: the
// board's start-up code and linker script, semihosting output, the instruction-count markers,
// and a tiny fixed network (dense 3 -> 4 with relu, dense 4 -> 2; float) run by the library's
// allocation-free network type. The program is written out as an exported model header
// writes it (docs/deploy.md); CMakeLists.txt names the text it must print (firmware.expected).
#include <cstddef>
#include <cstdint>

#include "nascent/runtime/network.hpp"
#include "nascent/platform/bench_markers.hpp"
#include "nascent/platform/semihosting.hpp"

namespace {

namespace deploy = nascent::deploy;
namespace semihosting = nascent::firmware::semihosting;

// Arena: the input (3 floats) at 0, the hidden layer (4) at 12, the output (2) at 0 again.
constexpr deploy::operand input{0U, {1, 1, 3}, 3};
constexpr deploy::operand hidden{12U, {1, 1, 4}, 4};
constexpr deploy::operand output{0U, {1, 1, 2}, 2};
constexpr deploy::operand none{0U, {1, 1, 1}, 0};

inline constexpr auto program = deploy::program<2>{
    nascent::precision::float32,
    {{
        {nascent::op_type::dense, nascent::fused_activation::relu, false, {input, none}, hidden, 0U, 0U,
         nascent::op_window{}, 0U, 12U, 0U, 4U},
        {nascent::op_type::dense, nascent::fused_activation::none, false, {hidden, none}, output, 0U, 0U,
         nascent::op_window{}, 12U, 8U, 4U, 2U},
    }},
    28U,
    input,
    output,
    20U,
    6U};
using network = deploy::network<program>;

// Weights [units][features] of both layers, then their biases.
alignas(4) constexpr float weights[20] = {1, 0, 0, 0, 1, 0, 0, 0, 1, -1, -1, -1,  // 3 -> 4
                                          1, 1, 1, 1, 0, 0, 2, 4};                // 4 -> 2
alignas(4) constexpr float params[6] = {0, 0, 0, 1, 0, -1};

network::arena arena;  // .bss

void classify(const float (&x)[3], semihosting::console& out) {
    float* in = network::input(arena);
    for (std::size_t i = 0; i < network::input_size; ++i) in[i] = x[i];
    nascent_bench_begin();
    const int label = network::classify(arena, weights, params);
    nascent_bench_end();
    const float* y = network::output(arena);
    out.text("input ").dec(static_cast<int>(x[0])).character(' ').dec(static_cast<int>(x[1])).character(' ')
        .dec(static_cast<int>(x[2])).text(": output ").dec(static_cast<int>(y[0])).character(' ')
        .dec(static_cast<int>(y[1])).text(", class ").dec(label).line();
}

} // namespace

int main() {
    semihosting::console out;
    out.text("consumer firmware: ").dec(static_cast<std::uint32_t>(network::program.step_count)).text(" steps, arena ")
        .dec(static_cast<std::uint32_t>(network::arena_bytes)).text(" bytes, weights and parameters ")
        .dec(static_cast<std::uint32_t>(network::flash_bytes)).text(" bytes").line();
    classify({1, 2, 3}, out);
    classify({0, 0, 4}, out);
    return 0;
}
