// Trains the early-exit network of early_exit_model.hpp and its single-exit backbone, quantises
// both to int8 and exports what the firmware firmware/early_exit.cpp embeds:
//
//   <out>/early_exit_model.hpp   the early-exit network's model header (its exit gates hold the
//                                thresholds chosen on held-out images)
//   <out>/backbone_model.hpp     the backbone's
//   <out>/early_exit_images.hpp  the first --images test images and their labels
//   <out>/early_exit_expected.txt what the firmware must print: for each image the exit the int8
//                                early-exit program stops at and its class, and the backbone's
//                                class, as the host's int8 programs give them (bit-exact)
//   <out>/early_exit_summary.txt  the figures below, one per line (name value ...), for
//                                bench/early_exit_firmware.sh
//
// It also measures both int8 programs on the whole test split and prints the accuracy, the share
// of images leaving at each exit, EDANAS's avg_macs and the MACs a device runs on average.
//
// usage: export_early_exit --out DIR [options]
//   --epochs N          epochs of each training (1)
//   --train-limit N     train on the first N training images (20000; 0: all but the 5,000 held out)
//   --images N          test images embedded in the firmware (16)
//   --calibration N     held-out images the int8 ranges are calibrated on (500)
//   --max-drop D        the accuracy the thresholds may cost on the held-out images (0.005)
//   --seed N            initialisation and shuffling (1)
//   --threads N         OpenBLAS threads (1)
#include <algorithm>
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
#include <nascent/io/atomic_file.hpp>
#include <nascent/nascent.hpp>
#include <nascent/nn/extract.hpp>

#include "early_exit_model.hpp"
#include "exported_images.hpp"

namespace {

using namespace nascent;
using early_exit_model::image;

using exits_int8 = deploy::fixed<early_exit_model::network, image, precision::int8>;
using backbone_int8 = deploy::fixed<early_exit_model::backbone, image, precision::int8>;
constexpr std::size_t held_out = 5000;

struct options {
    std::filesystem::path out;
    int epochs = 1;
    std::size_t train_limit = 20000;
    std::size_t images = 16;
    std::size_t calibration = 500;
    double max_drop = 0.005;
    std::uint64_t seed = 1;
    int threads = 1;
};

[[noreturn]] void usage(const char* program, int status) {
    std::fprintf(status == 0 ? stdout : stderr,
                 "usage: %s --out DIR [--epochs N] [--train-limit N] [--images N] [--calibration N] [--max-drop D] [--seed N] [--threads N]\n",
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

template <class Net>
void train_model(nn::model<Net>& model, const options& o, const image_dataset& data, const normalization& norm, std::vector<double> weights) {
    train::sgd<float> optimiser(model.parameters(), {.momentum = 0.9, .weight_decay = 5e-5});
    train::fit_options f;
    f.epochs = o.epochs;
    f.batch_size = 64;
    f.seed = o.seed;
    f.progress = false;
    f.log = nullptr;
    f.exit_loss_weights = std::move(weights);
    (void)train::fit(model, optimiser, train::cosine_lr{.rate = 0.05}, data, image_dataset{}, norm, f);
}

/// The header's metadata of a built int8 model.
deploy::model_metadata metadata_of(const char* space, const deploy::build_result& b, const normalization& norm, const image_dataset& test) {
    deploy::model_metadata m;
    m.space = space;
    m.architecture = "fixed";
    m.costs = cost::measure(b.int8_graph);
    m.latency_ms = cost::estimate(b.int8_graph).milliseconds();
    m.mean = {norm.mean[0]};
    m.stddev = {norm.stddev[0]};
    m.input_scale = b.int8_params.input.scale;
    m.input_zero_point = b.int8_params.input.zero_point;
    m.output_scale = b.int8_params.output.scale;
    m.output_zero_point = b.int8_params.output.zero_point;
    m.class_names = test.class_names;
    return m;
}

/// Writes test image `pixels` into `Net`'s input through the header's pixel table, as the firmware does.
template <class Net>
void load(typename Net::arena& arena, const std::vector<std::int8_t>& table, const std::uint8_t* pixels) {
    std::int8_t* input = Net::input(arena);
    for (std::size_t k = 0; k < Net::input_size; ++k) input[k] = table[pixels[k]];
}

} // namespace

int main(int argc, char** argv) try {
    const options opt = parse(argc, argv);
    blas::set_threads(opt.threads);
    const image_dataset all = load_fashion_mnist(split::train);
    const image_dataset test = load_fashion_mnist(split::test);
    require(opt.images >= 1 && opt.images <= test.size(), string_of("--images must be between 1 and ", test.size()));
    require(opt.calibration >= 1 && opt.calibration <= held_out, string_of("--calibration must be between 1 and ", held_out));
    const image_dataset validation = subset(all, all.size() - held_out, held_out);
    const std::size_t train_count = opt.train_limit == 0 ? all.size() - held_out : std::min(opt.train_limit, all.size() - held_out);
    const image_dataset train_set = subset(all, 0, train_count);
    const normalization norm = standardization_of(train_set);

    nn::model<early_exit_model::backbone> plain(image, opt.seed);
    train_model(plain, opt, train_set, norm, {});
    nn::model<early_exit_model::network> exits(image, opt.seed);
    train_model(exits, opt, train_set, norm, {1.0, 1.0, 1.0});
    train::threshold_options t;
    t.max_accuracy_drop = opt.max_drop;
    const train::exit_policy policy = train::choose_thresholds(train::predict_exits(exits, validation, norm), t);

    std::vector<float> calibration;
    for (std::size_t i = 0; i < opt.calibration; ++i)
        for (std::size_t k = 0; k < image.size(); ++k)
            calibration.push_back((static_cast<float>(validation.image(i)[k]) / 255.0F - norm.mean[0]) / norm.stddev[0]);
    const deploy::build_result b_exits = deploy::build(exits, std::span<const int>{}, calibration, policy.thresholds);
    const deploy::build_result b_plain = deploy::build(plain, std::span<const int>{}, calibration);
    require(b_exits.int8_program.steps.size() == exits_int8::program.steps.size() &&
                std::equal(exits_int8::program.steps.begin(), exits_int8::program.steps.end(), b_exits.int8_program.steps.begin()),
            "the built early-exit program is not the fixed network's");
    const deploy::quantized_parameters& qe = b_exits.int8_params;
    const deploy::quantized_parameters& qb = b_plain.int8_params;
    const deploy::model_metadata me = metadata_of("early_exit_model::network", b_exits, norm, test);
    const deploy::model_metadata mb = metadata_of("early_exit_model::backbone", b_plain, norm, test);
    const std::vector<std::int8_t> table_e = deploy::input_of_pixel<std::int8_t>(me);
    const std::vector<std::int8_t> table_b = deploy::input_of_pixel<std::int8_t>(mb);

    // Both int8 programs on the whole test split, as the firmware runs them.
    static exits_int8::arena arena_e;
    static backbone_int8::arena arena_b;
    std::vector<std::size_t> counts(3, 0);
    std::size_t right_e = 0, right_b = 0;
    std::string expected = string_of("nascent firmware: early exits, ", opt.images, " images\n");
    std::size_t shown_e = 0, shown_b = 0;
    for (std::size_t i = 0; i < test.size(); ++i) {
        load<exits_int8>(arena_e, table_e, test.image(i));
        const auto d = exits_int8::classify_to_exit(arena_e, qe.weights.data(), qe.params.data());
        load<backbone_int8>(arena_b, table_b, test.image(i));
        const int label_b = backbone_int8::classify(arena_b, qb.weights.data(), qb.params.data());
        require(d.label >= 0 && label_b >= 0, "an int8 program refused to run");
        ++counts[static_cast<std::size_t>(d.exit)];
        right_e += d.label == test.labels[i] ? 1U : 0U;
        right_b += label_b == test.labels[i] ? 1U : 0U;
        if (i < opt.images) {
            shown_e += d.label == test.labels[i] ? 1U : 0U;
            shown_b += label_b == test.labels[i] ? 1U : 0U;
            expected += string_of("image ", i, ": label ", int{test.labels[i]}, ", exit ", d.exit, " predicted ", d.label, ", backbone predicted ",
                                  label_b, '\n');
        }
    }
    expected += string_of("early exits: correct ", shown_e, " of ", opt.images, "; backbone: correct ", shown_b, " of ", opt.images, '\n');

    const std::vector<cost::exit_figures> figures = cost::exit_figures_of(b_exits.int8_graph);
    const double n = static_cast<double>(test.size());
    std::vector<double> shares;
    for (const std::size_t c : counts) shares.push_back(static_cast<double>(c) / n);
    const double avg_macs = train::average_macs(shares, figures);
    const double device_macs = train::average_device_macs(shares, figures);
    std::printf("thresholds %.3f %.3f; int8 on %zu test images:\n", policy.thresholds[0], policy.thresholds[1], test.size());
    std::printf("| model | accuracy (%%) | leaving at exit 1 / 2 / final (%%) | avg_macs | MACs run on average | arena (B) | flash (B) |\n"
                "|---|---:|---:|---:|---:|---:|---:|\n");
    std::printf("| backbone | %.2f | - | %zu | %zu | %zu | %zu |\n", 100.0 * static_cast<double>(right_b) / n, early_exit_model::backbone_int8.macs,
                early_exit_model::backbone_int8.macs, backbone_int8::arena_bytes, backbone_int8::flash_bytes);
    std::printf("| early exits | %.2f | %.1f / %.1f / %.1f | %.0f | %.0f | %zu | %zu |\n", 100.0 * static_cast<double>(right_e) / n,
                100.0 * static_cast<double>(counts[0]) / n, 100.0 * static_cast<double>(counts[1]) / n, 100.0 * static_cast<double>(counts[2]) / n,
                avg_macs, device_macs, exits_int8::arena_bytes, exits_int8::flash_bytes);

    std::filesystem::create_directories(opt.out);
    deploy::write_model_header(opt.out / "early_exit_model.hpp", "early_exit_net", exits_int8::program, std::span<const std::int8_t>(qe.weights),
                               std::span<const std::int32_t>(qe.params), me);
    deploy::write_model_header(opt.out / "backbone_model.hpp", "backbone_net", backbone_int8::program, std::span<const std::int8_t>(qb.weights),
                               std::span<const std::int32_t>(qb.params), mb);
    io::write_file_atomically(opt.out / "early_exit_images.hpp", exported_images::header(test, opt.images, "early_exit_images"));
    io::write_file_atomically(opt.out / "early_exit_expected.txt", expected);
    io::write_file_atomically(opt.out / "early_exit_summary.txt",
                              string_of("test_images ", test.size(), "\nthresholds ", policy.thresholds[0], " ", policy.thresholds[1],
                                        "\naccuracy_exits ", 100.0 * static_cast<double>(right_e) / n, "\naccuracy_backbone ",
                                        100.0 * static_cast<double>(right_b) / n, "\nshares ", static_cast<double>(counts[0]) / n, " ",
                                        static_cast<double>(counts[1]) / n, " ", static_cast<double>(counts[2]) / n, "\navg_macs ", avg_macs,
                                        "\ndevice_macs ", device_macs, "\nbackbone_macs ", early_exit_model::backbone_int8.macs, "\n"));
    std::printf("wrote %s, backbone_model.hpp, early_exit_images.hpp and early_exit_expected.txt\n", (opt.out / "early_exit_model.hpp").c_str());
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "export_early_exit: %s\n", e.what());
    return 1;
}
