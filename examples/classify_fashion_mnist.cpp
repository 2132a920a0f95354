// Classifies the Fashion-MNIST test split with an exported model header, as a firmware would:
// the header (fashion_model.hpp, written by export_fashion_mnist) is all the model there is;
// nascent's deploy headers run it, with a static arena and no heap.
//
// The header's program is checked at compile time against the one deploy::fixed_of compiles from
// the space type and architecture (fashion_model_choice.hpp): the exported header is that type.
// The accuracy over the test split must equal the one the exporter measured.
//
// usage: classify_fashion_mnist [--limit N] [--show N]
//   --limit N   classify the first N test images only (default: all 10000)
//   --show N    print the first N predictions with their class names (default 5)
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <nascent/data/fashion_mnist.hpp>
#include <nascent/deploy/fixed.hpp>

#include "fashion_model.hpp"
#include "fashion_model_choice.hpp"

using network = fashion_model::network;

static_assert(fashion_model::program ==
                  nascent::deploy::fixed_of<fashion_choice::space, fashion_choice::input, nascent::precision::int8,
                                            fashion_model::metadata::decisions>::program,
              "the exported program is the fixed network of the space and architecture it names");
static_assert(fashion_model::metadata::decisions == fashion_choice::architecture);
static_assert(network::arena_bytes == fashion_model::metadata::peak_ram_bytes);
static_assert(network::flash_bytes == fashion_model::metadata::flash_bytes);
static_assert(network::arena_bytes <= 64 * 1024, "the model fits μNAS's RAM budget");

namespace {

network::arena arena;  // the only working memory

int classify(const std::uint8_t* pixels) {
    network::element* input = network::input(arena);
    for (std::size_t i = 0; i < network::input_size; ++i) input[i] = fashion_model::input_of_pixel[pixels[i]];
    return network::classify(arena, fashion_model::weights, fashion_model::params);
}

} // namespace

int main(int argc, char** argv) try {
    std::size_t limit = 0;
    std::size_t show = 5;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--limit" && i + 1 < argc) limit = std::strtoull(argv[++i], nullptr, 10);
        else if (arg == "--show" && i + 1 < argc) show = std::strtoull(argv[++i], nullptr, 10);
        else {
            std::fprintf(arg == "--help" ? stdout : stderr, "usage: %s [--limit N] [--show N]\n", argv[0]);
            return arg == "--help" ? 0 : 2;
        }
    }
    const nascent::image_dataset test = nascent::load_fashion_mnist(nascent::split::test);
    const std::size_t count = limit == 0 ? test.size() : std::min(limit, test.size());
    std::printf("model %s: %s, arena %zu B, weights and parameters %zu B\n", fashion_model::metadata::architecture,
                fashion_model::metadata::space, network::arena_bytes, network::flash_bytes);

    std::size_t right = 0;
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < count; ++i) {
        const int predicted = classify(test.image(i));
        if (predicted < 0) throw nascent::error("the network refused to run");
        right += predicted == test.labels[i] ? 1 : 0;
        if (i < show)
            std::printf("image %zu: %s, predicted %s\n", i, fashion_model::class_names[test.labels[i]], fashion_model::class_names[predicted]);
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double accuracy = 100.0 * static_cast<double>(right) / static_cast<double>(count);
    std::printf("int8 accuracy: %.2f%% of %zu test images (the exporter measured %.2f%% on all, float %.2f%%); %.1f us per image\n",
                accuracy, count, fashion_model::metadata::int8_accuracy, fashion_model::metadata::float_accuracy,
                1e6 * seconds / static_cast<double>(count));
    if (count == test.size() && std::abs(accuracy - fashion_model::metadata::int8_accuracy) > 1e-9) {
        std::fprintf(stderr, "the accuracy differs from the exporter's: the header and this run disagree\n");
        return 1;
    }
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "classify_fashion_mnist: %s\n", e.what());
    return 1;
}
