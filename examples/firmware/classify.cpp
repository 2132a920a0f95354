// Fashion-MNIST on a Cortex-M4: an exported model classifies test images embedded in flash.
//
// fashion_model.hpp (the model header deploy::write_model_header writes: program, weights,
// parameters, pixel table) and fashion_images.hpp (test images and labels) are generated at
// build time by examples/export_fashion_mnist.cpp, which also writes the text this firmware
// must print: the host runs the same fixed network on the same images, so the predictions
// must agree image for image (int8: bit-exact).
//
// Before the first image the arena is filled with a pattern; after the last one the highest
// byte that differs from it is the arena's high-water mark, printed beside the compile-time
// figure. Each inference runs between the instruction-counting markers.
// Exit code: 0, or 1 when the network refuses to run.
#include <cstddef>
#include <cstdint>

#include "fashion_images.hpp"
#include "fashion_model.hpp"
#include "nascent/platform/bench_markers.hpp"
#include "nascent/platform/semihosting.hpp"

namespace {

using network = fashion_model::network;
namespace semihosting = nascent::firmware::semihosting;

network::arena arena;  // .bss: the only working memory of the network

constexpr std::byte fill_pattern{0xA5};

/// The network input of an image: one table lookup per pixel.
void load(const std::uint8_t* pixels) {
    network::element* input = network::input(arena);
    for (std::size_t i = 0; i < network::input_size; ++i) input[i] = fashion_model::input_of_pixel[pixels[i]];
}

std::size_t high_water_mark() {
    for (std::size_t i = network::arena_bytes; i-- > 0;)
        if (arena.bytes[i] != fill_pattern) return i + 1;
    return 0;
}

} // namespace

int main() {
    semihosting::console out;
    out.text("nascent firmware: ").text(fashion_model::metadata::architecture).text(", ").dec(fashion_images::count).text(" images").line();
    for (std::byte& b : arena.bytes) b = fill_pattern;
    int correct = 0;
    for (int i = 0; i < fashion_images::count; ++i) {
        load(fashion_images::pixels[i]);
        nascent_bench_begin();
        const int predicted = network::classify(arena, fashion_model::weights, fashion_model::params);
        nascent_bench_end();
        if (predicted < 0) {
            out.text("the network refused to run").line();
            semihosting::exit(1);
        }
        correct += predicted == fashion_images::labels[i] ? 1 : 0;
        out.text("image ").dec(i).text(": label ").dec(static_cast<int>(fashion_images::labels[i])).text(", predicted ").dec(predicted).line();
    }
    out.text("correct: ").dec(correct).text(" of ").dec(fashion_images::count).line();
    out.text("arena: high-water mark ").dec(static_cast<std::uint32_t>(high_water_mark())).text(" of ")
        .dec(static_cast<std::uint32_t>(network::arena_bytes)).text(" bytes").line();
    semihosting::exit(0);
}
