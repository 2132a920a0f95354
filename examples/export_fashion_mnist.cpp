// Trains the Fashion-MNIST model of fashion_model_choice.hpp, quantises it to int8 and exports
// what the firmware and the host classifier embed:
//
//   <out>/fashion_model.hpp     the model header (deploy::write_model_header): the fixed network's
//                               program, int8 weights and parameters, the pixel table, metadata
//   <out>/fashion_images.hpp    the first --images test images and their labels
//   <out>/classify_expected.txt what examples/firmware/classify.cpp must print for those images:
//                               the host runs the same int8 network on the same inputs, so the
//                               firmware's predictions must equal these, image for image
//
// The float program (batch norm folded) and the int8 program are evaluated on the whole test
// split; the export fails when int8 loses more than --max-drop points against float, or when the
// arena's high-water mark measured on the host (fill pattern) is not the compile-time figure.
//
// usage: export_fashion_mnist --out DIR [options]
//   --epochs N          training epochs (1)
//   --train-limit N     train on the first N training images (20000; 0: all 60000)
//   --weights PATH      load trained weights (nn::save of this model) instead of training
//   --qat-epochs N      then quantisation-aware fine-tuning for N epochs (0), nn/fake_quantization.hpp
//   --images N          test images embedded in the firmware (16)
//   --calibration N     training images the int8 ranges are calibrated on (1000, taken from the
//                       end of the training split)
//   --max-drop P        largest accepted accuracy loss of int8 against float, in points (1.0)
//   --seed N            initialisation and shuffling (1)
//   --threads N         OpenBLAS threads (1)
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include <nascent/deploy/build.hpp>
#include <nascent/deploy/export.hpp>
#include <nascent/deploy/fixed.hpp>
#include <nascent/deploy/quantize.hpp>
#include <nascent/io/atomic_file.hpp>
#include <nascent/nascent.hpp>
#include <nascent/nn/extract.hpp>

#include "exported_images.hpp"
#include "fashion_model_choice.hpp"

namespace {

using namespace nascent;

using float_net = deploy::fixed_of<fashion_choice::space, fashion_choice::input, precision::float32, fashion_choice::architecture>;
using int8_net = deploy::fixed_of<fashion_choice::space, fashion_choice::input, precision::int8, fashion_choice::architecture>;
constexpr std::byte fill_pattern{0xA5};

struct options {
    std::filesystem::path out;
    int epochs = 1;
    std::size_t train_limit = 20000;
    std::string weights;
    int qat_epochs = 0;
    std::size_t images = 16;
    std::size_t calibration = 1000;
    double max_drop = 1.0;
    std::uint64_t seed = 1;
    int threads = 1;
};

[[noreturn]] void usage(const char* program, int status) {
    std::fprintf(status == 0 ? stdout : stderr,
                 "usage: %s --out DIR [--epochs N] [--train-limit N] [--weights PATH] [--qat-epochs N]\n"
                 "          [--images N] [--calibration N] [--max-drop POINTS] [--seed N] [--threads N]\n",
                 program);
    std::exit(status);
}

options parse(int argc, char** argv) {
    options o;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--help") usage(argv[0], 0);
        if (i + 1 >= argc) usage(argv[0], 2);
        const char* v = argv[++i];
        if (arg == "--out") o.out = v;
        else if (arg == "--epochs") o.epochs = std::atoi(v);
        else if (arg == "--train-limit") o.train_limit = std::strtoull(v, nullptr, 10);
        else if (arg == "--weights") o.weights = v;
        else if (arg == "--qat-epochs") o.qat_epochs = std::atoi(v);
        else if (arg == "--images") o.images = std::strtoull(v, nullptr, 10);
        else if (arg == "--calibration") o.calibration = std::strtoull(v, nullptr, 10);
        else if (arg == "--max-drop") o.max_drop = std::atof(v);
        else if (arg == "--seed") o.seed = std::strtoull(v, nullptr, 10);
        else if (arg == "--threads") o.threads = std::atoi(v);
        else usage(argv[0], 2);
    }
    if (o.out.empty()) usage(argv[0], 2);
    return o;
}

/// Normalised images [first, first + count) of `data`, one after another.
std::vector<float> normalised(const image_dataset& data, std::size_t first, std::size_t count, const normalization& norm) {
    std::vector<float> out;
    out.reserve(count * data.sample.size());
    for (std::size_t i = first; i < first + count; ++i) {
        const std::uint8_t* p = data.image(i);
        for (std::size_t k = 0; k < data.sample.size(); ++k)
            out.push_back((static_cast<float>(p[k]) / 255.0F - norm.mean[0]) / norm.stddev[0]);
    }
    return out;
}

/// Silent training of `epochs` epochs on architecture `arch`.
train::fit_options fit_settings(int epochs, std::uint64_t seed, const std::vector<int>& arch) {
    train::fit_options settings;
    settings.epochs = epochs;
    settings.batch_size = 64;
    settings.seed = seed;
    settings.architecture = arch;
    settings.progress = false;
    settings.log = nullptr;
    return settings;
}

/// Runs `Net` on test image i through a pixel table, as the firmware does.
template <class Net>
int classify(typename Net::arena& arena, const std::vector<typename Net::element>& table, const std::uint8_t* pixels,
             const typename Net::element* weights, const typename Net::parameter* params) {
    typename Net::element* input = Net::input(arena);
    for (std::size_t k = 0; k < Net::input_size; ++k) input[k] = table[pixels[k]];
    return Net::classify(arena, weights, params);
}

} // namespace

int main(int argc, char** argv) try {
    const options opt = parse(argc, argv);
    blas::set_threads(opt.threads);
    const image_dataset train_all = load_fashion_mnist(split::train);
    const image_dataset test = load_fashion_mnist(split::test);
    require(opt.images >= 1 && opt.images <= test.size(), string_of("--images must be between 1 and ", test.size()));
    require(opt.calibration >= 1 && opt.calibration <= 10000, "--calibration must be between 1 and 10000");
    const std::size_t train_count = opt.train_limit == 0 ? train_all.size() : std::min(opt.train_limit, train_all.size());
    const image_dataset train = subset(train_all, 0, train_count);
    const normalization norm = standardization_of(train);
    const std::vector<int> arch(fashion_choice::architecture.begin(), fashion_choice::architecture.end());

    nn::model<fashion_choice::space> model(fashion_choice::input, opt.seed);
    if (!opt.weights.empty()) {
        nn::load(model, opt.weights);
        std::printf("weights loaded from %s\n", opt.weights.c_str());
    } else {
        train::sgd<float> optimiser(model.parameters(), {.momentum = 0.9, .weight_decay = 5e-5});
        (void)train::fit(model, optimiser, train::cosine_lr{.rate = 0.05}, train, subset(test, 0, 256), norm,
                         fit_settings(opt.epochs, opt.seed, arch));
    }
    nn::fake_quantization rounding;
    if (opt.qat_epochs > 0) {
        train::sgd<float> tuner(model.parameters(), {.momentum = 0.9, .weight_decay = 5e-5});
        train::fit_options settings = fit_settings(opt.qat_epochs, opt.seed + 1, arch);
        settings.quantization = &rounding;
        (void)train::fit(model, tuner, train::cosine_lr{.rate = 0.01}, train, subset(test, 0, 256), norm, settings);
        std::printf("quantisation-aware fine-tuning: %d epochs\n", opt.qat_epochs);
    }

    // Extraction, then calibration on training images the model may not have seen (the end of the split).
    const std::vector<float> calibration = normalised(train_all, train_all.size() - opt.calibration, opt.calibration, norm);
    const deploy::build_result built = deploy::build(model, arch, calibration);
    const deploy::float_parameters& f = built.float_params;
    const deploy::quantized_parameters& q = built.int8_params;

    deploy::model_metadata m;
    m.space = fashion_choice::space_name;
    m.architecture = to_text(architecture{arch});
    m.decisions = arch;
    const cost::graph& g = built.int8_graph;
    m.costs = cost::measure(g);
    m.latency_ms = cost::estimate(g).milliseconds();
    m.mean = {norm.mean[0]};
    m.stddev = {norm.stddev[0]};
    m.input_scale = q.input.scale;
    m.input_zero_point = q.input.zero_point;
    m.output_scale = q.output.scale;
    m.output_zero_point = q.output.zero_point;
    m.class_names = test.class_names;

    // Both programs on the whole test split, fed through the pixel tables the header carries.
    const std::vector<float> float_table = deploy::input_of_pixel<float>(m);
    const std::vector<std::int8_t> int8_table = deploy::input_of_pixel<std::int8_t>(m);
    static float_net::arena float_arena;
    static int8_net::arena int8_arena;
    std::size_t float_right = 0, int8_right = 0;
    std::vector<int> predictions(test.size());
    for (std::size_t i = 0; i < test.size(); ++i) {
        const int a = classify<float_net>(float_arena, float_table, test.image(i), f.weights.data(), f.params.data());
        predictions[i] = classify<int8_net>(int8_arena, int8_table, test.image(i), q.weights.data(), q.params.data());
        require(a >= 0 && predictions[i] >= 0, "the fixed network refused to run");
        float_right += a == test.labels[i] ? 1 : 0;
        int8_right += predictions[i] == test.labels[i] ? 1 : 0;
    }
    m.float_accuracy = 100.0 * static_cast<double>(float_right) / static_cast<double>(test.size());
    m.int8_accuracy = 100.0 * static_cast<double>(int8_right) / static_cast<double>(test.size());
    std::printf("%s: %zu test images, float %.2f%%, int8 %.2f%%; arena %zu B, flash %zu B, %zu MACs, ~%.2f ms on a Cortex-M4\n",
                m.architecture.c_str(), test.size(), m.float_accuracy, m.int8_accuracy, int8_net::arena_bytes, int8_net::flash_bytes,
                m.costs.macs, m.latency_ms);
    require(m.float_accuracy - m.int8_accuracy <= opt.max_drop,
            string_of("int8 loses ", m.float_accuracy - m.int8_accuracy, " points against float, more than --max-drop ", opt.max_drop));

    // The firmware's run, on the host: fill pattern, the embedded images, the high-water mark.
    std::string expected = string_of("nascent firmware: ", m.architecture, ", ", opt.images, " images\n");
    std::fill(std::begin(int8_arena.bytes), std::end(int8_arena.bytes), fill_pattern);
    std::size_t correct = 0;
    for (std::size_t i = 0; i < opt.images; ++i) {
        const int p = classify<int8_net>(int8_arena, int8_table, test.image(i), q.weights.data(), q.params.data());
        require(p == predictions[i], "the int8 network gave two answers for one image");
        correct += p == test.labels[i] ? 1 : 0;
        expected += string_of("image ", i, ": label ", int{test.labels[i]}, ", predicted ", p, '\n');
    }
    std::size_t high_water = int8_net::arena_bytes;
    while (high_water > 0 && int8_arena.bytes[high_water - 1] == fill_pattern) --high_water;
    require(high_water == int8_net::arena_bytes,
            string_of("the arena's measured high-water mark is ", high_water, " bytes, the compile-time figure ", int8_net::arena_bytes));
    expected += string_of("correct: ", correct, " of ", opt.images, '\n');
    expected += string_of("arena: high-water mark ", high_water, " of ", int8_net::arena_bytes, " bytes\n");

    std::filesystem::create_directories(opt.out);
    deploy::write_model_header(opt.out / "fashion_model.hpp", "fashion_model", int8_net::program, std::span<const std::int8_t>(q.weights),
                               std::span<const std::int32_t>(q.params), m);
    io::write_file_atomically(opt.out / "fashion_images.hpp", exported_images::header(test, opt.images, "fashion_images"));
    io::write_file_atomically(opt.out / "classify_expected.txt", expected);
    std::printf("wrote %s, fashion_images.hpp and classify_expected.txt\n", (opt.out / "fashion_model.hpp").c_str());
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "export_fashion_mnist: %s\n", e.what());
    return 1;
}
