// An early-exit network on a Cortex-M4 against its single-exit backbone, on test images embedded
// in flash.
//
// early_exit_model.hpp and backbone_model.hpp (model headers: program, weights, parameters, pixel
// table), early_exit_images.hpp (test images and labels) and the text this firmware must print
// are written at build time by examples/export_early_exit.cpp, whose host runs of the same int8
// programs give that text: the exits taken and the classes must agree image for image. For each
// image the early-exit network runs up to its first exit sure enough of the image
// (classify_to_exit), then the backbone runs whole; each inference runs between the
// instruction-counting markers, so the counts of the two are the regions 2i and 2i + 1.
// Exit code: 0, or 1 when a network refuses to run.
#include <cstddef>
#include <cstdint>

#include "backbone_model.hpp"
#include "early_exit_images.hpp"
#include "early_exit_model.hpp"
#include "nascent/platform/bench_markers.hpp"
#include "nascent/platform/semihosting.hpp"

namespace {

using exits = early_exit_net::network;
using backbone = backbone_net::network;
namespace semihosting = nascent::firmware::semihosting;

exits::arena exits_arena;  // .bss: the networks' only working memory
backbone::arena backbone_arena;

template <class Net>
void load(typename Net::arena& arena, const std::int8_t* table, const std::uint8_t* pixels) {
    typename Net::element* input = Net::input(arena);
    for (std::size_t i = 0; i < Net::input_size; ++i) input[i] = table[pixels[i]];
}

} // namespace

int main() {
    semihosting::console out;
    out.text("nascent firmware: early exits, ").dec(early_exit_images::count).text(" images").line();
    int correct_exits = 0, correct_backbone = 0;
    for (int i = 0; i < early_exit_images::count; ++i) {
        load<exits>(exits_arena, early_exit_net::input_of_pixel, early_exit_images::pixels[i]);
        nascent_bench_begin();
        const exits::exit_decision d = exits::classify_to_exit(exits_arena, early_exit_net::weights, early_exit_net::params);
        nascent_bench_end();
        load<backbone>(backbone_arena, backbone_net::input_of_pixel, early_exit_images::pixels[i]);
        nascent_bench_begin();
        const int b = backbone::classify(backbone_arena, backbone_net::weights, backbone_net::params);
        nascent_bench_end();
        if (d.label < 0 || b < 0) {
            out.text("a network refused to run").line();
            semihosting::exit(1);
        }
        const int label = early_exit_images::labels[i];
        correct_exits += d.label == label ? 1 : 0;
        correct_backbone += b == label ? 1 : 0;
        out.text("image ").dec(i).text(": label ").dec(label).text(", exit ").dec(d.exit).text(" predicted ").dec(d.label)
            .text(", backbone predicted ").dec(b).line();
    }
    out.text("early exits: correct ").dec(correct_exits).text(" of ").dec(early_exit_images::count).text("; backbone: correct ")
        .dec(correct_backbone).text(" of ").dec(early_exit_images::count).line();
    semihosting::exit(0);
}
