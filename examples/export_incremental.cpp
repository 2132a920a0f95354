// Trains a small CNN on Fashion-MNIST classes 0-4, cuts it before its head into an int8 extractor,
// and exports an incremental model that learns classes 5-9 on the device:
//
//   <out>/incremental_model.hpp   deploy::write_incremental_header: extractor, pixel table,
//                                 configuration, the classifier pre-trained on classes 0-4
//   <out>/learning_stream.hpp     the labelled stream the device learns (--stream images of classes
//                                 5-9, --per-class of each) and the held-out test images (--held-out)
//   <out>/learn_expected.txt      what examples/firmware/learn.cpp must print: the host runs the same
//                                 learner on the same stream (deploy::incremental_host), so the
//                                 predictions before and after learning must be the device's
//
// usage: export_incremental --out DIR [--per-class N] [--held-out N] [--buffer N] [--hidden N] [--epochs N] [--seed N]
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <nascent/io/atomic_file.hpp>

#include "incremental_fashion.hpp"

namespace {

using namespace nascent;
namespace learning = deploy::learning;

/// Two strided convolutions and a global pool: 16 features for the classifier.
using cnn = sequential<conv2d<8, 3, 2>, batch_norm, relu, conv2d<16, 3, 2>, batch_norm, relu, global_avg_pool, dense<10>>;

struct options {
    std::filesystem::path out;
    std::size_t per_class = 6;    ///< stream images per new class
    std::size_t held_out = 40;    ///< test images, classes 0-9
    std::uint32_t buffer = 16;
    std::uint32_t hidden = 16;    ///< the classifier's hidden width (0: one dense layer)
    std::uint32_t epochs = 1;     ///< learning passes over the buffer per sample
    std::size_t train_limit = 8000;
    std::uint64_t seed = 1;
};

[[noreturn]] void usage(const char* program, int status) {
    std::fprintf(status == 0 ? stdout : stderr,
                 "usage: %s --out DIR [--per-class N] [--held-out N] [--buffer N] [--hidden N] [--epochs N] [--train-limit N] [--seed N]\n", program);
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
        else if (arg == "--per-class") o.per_class = std::strtoull(v, nullptr, 10);
        else if (arg == "--held-out") o.held_out = std::strtoull(v, nullptr, 10);
        else if (arg == "--buffer") o.buffer = static_cast<std::uint32_t>(std::strtoul(v, nullptr, 10));
        else if (arg == "--hidden") o.hidden = static_cast<std::uint32_t>(std::strtoul(v, nullptr, 10));
        else if (arg == "--epochs") o.epochs = static_cast<std::uint32_t>(std::strtoul(v, nullptr, 10));
        else if (arg == "--train-limit") o.train_limit = std::strtoull(v, nullptr, 10);
        else if (arg == "--seed") o.seed = std::strtoull(v, nullptr, 10);
        else usage(argv[0], 2);
    }
    if (o.out.empty()) usage(argv[0], 2);
    return o;
}

std::string images_text(const std::string& name, const std::vector<std::size_t>& which, const image_dataset& data) {
    std::string out = string_of("inline constexpr int ", name, "_count = ", which.size(), ";\n", "inline constexpr std::uint8_t ", name,
                                "_pixels[", which.size(), "][", data.sample.size(), "] = {\n");
    for (const std::size_t i : which) {
        out += "    {";
        for (std::size_t k = 0; k < data.sample.size(); ++k) out += string_of(k % 28 == 0 ? "\n     " : "", int{data.image(i)[k]}, ',');
        out += "},\n";
    }
    out += string_of("};\ninline constexpr std::uint8_t ", name, "_labels[", which.size(), "] = {");
    for (std::size_t j = 0; j < which.size(); ++j) out += string_of(j == 0 ? "" : ", ", int{data.labels[which[j]]});
    return out + "};\n\n";
}

} // namespace

int main(int argc, char** argv) try {
    const options opt = parse(argc, argv);
    const image_dataset train_all = load_fashion_mnist(split::train);
    const image_dataset test = load_fashion_mnist(split::test);
    const image_dataset old_classes = classes_of(train_all, 0, 5, opt.train_limit);

    // 1. The static model, trained on classes 0-4 only.
    const incremental_fashion::trained t = incremental_fashion::train_network<cnn>(old_classes, 2, opt.seed);
    const deploy::build_result& built = t.build;

    // 2. The extractor and its classifier, pre-trained on the int8 features of classes 0-4.
    const std::size_t cut = deploy::head_cut(built.int8_program);
    const deploy::extractor e = deploy::cut_extractor(built, cut);
    const learning::incremental_config config{.classifier = {e.feature_count(), opt.hidden, 10}, .buffer_capacity = opt.buffer,
                                              .policy = learning::replacement::class_balanced,
                                              .learning = {.learning_rate = 0.05F, .momentum = 0.5F, .epochs = opt.epochs, .batch = 4},
                                              .feature_scale = e.features.scale, .feature_zero_point = e.features.zero_point, .seed = 7};
    const deploy::model_metadata m =
        incremental_fashion::metadata_of(t, test, "export_incremental's cnn (two strided convolutions, a global pool, a dense head)");
    const std::vector<std::int8_t> table = deploy::input_of_pixel<std::int8_t>(m);
    // features of the old classes through the extractor
    const deploy::labelled_features known = deploy::features_of(e, table, old_classes);
    const std::vector<float> classifier = deploy::fit_classifier(deploy::initial_classifier(config.classifier, opt.seed), config.classifier,
                                                                 e.features, known.features, known.labels, 5, 0.05F, 16, opt.seed);

    // 3. The stream (classes 5-9 from the training split) and the held-out images (test split).
    std::vector<std::size_t> stream, held_out;
    std::vector<std::size_t> taken(10, 0);
    for (std::size_t i = train_all.size(); i-- > 0 && stream.size() < 5 * opt.per_class;)
        if (train_all.labels[i] >= 5 && taken[train_all.labels[i]] < opt.per_class) {
            ++taken[train_all.labels[i]];
            stream.push_back(i);
        }
    for (std::size_t i = 0; i < opt.held_out; ++i) held_out.push_back(i);

    // 4. The device's run, on the host.
    deploy::incremental_host host(e, config, classifier);
    auto accuracy = [&](std::string& text, const char* when) {
        int right = 0;
        for (const std::size_t i : held_out) {
            for (std::size_t k = 0; k < 784; ++k) host.input()[k] = table[test.image(i)[k]];
            right += host.predict() == test.labels[i] ? 1 : 0;
        }
        text += string_of(when, ": ", right, " of ", held_out.size(), " held-out images right\n");
    };
    std::string expected = string_of("nascent learning firmware: ", stream.size(), " samples to learn, ", held_out.size(), " held-out images\n");
    accuracy(expected, "before");
    for (std::size_t j = 0; j < stream.size(); ++j) {
        const std::size_t i = stream[j];
        for (std::size_t k = 0; k < 784; ++k) host.input()[k] = table[train_all.image(i)[k]];
        require(host.learn(train_all.labels[i]) == learning::learn_status::learned, "the host refused a sample");
    }
    for (std::size_t k = 0; k < 784; ++k) host.input()[k] = table[train_all.image(stream[0])[k]];
    expected += string_of("refused: ", host.learn(10) == learning::learn_status::refused_label ? 1 : 0, "\n");
    accuracy(expected, "after");
    const learning::ram_figures ram = host.ram();
    // the firmware measures each part's high-water mark; the buffer's is that of its samples and labels
    for (int p = 0; p + 1 < learning::ram_part_count; ++p)
        expected += string_of(learning::ram_part_name(static_cast<learning::ram_part>(p)), ": ", ram.parts[p], " bytes\n");
    expected += string_of("buffer samples: ", std::size_t{config.buffer_capacity} * (e.feature_count() + 1), " bytes\n");
    expected += string_of("ram: ", ram.total, " bytes\n");
    std::printf("incremental model: %u features, hidden width %u, buffer %u, RAM %zu B, flash %zu B\n%s", e.feature_count(), opt.hidden, opt.buffer,
                ram.total, host.flash_bytes(), expected.c_str());

    std::filesystem::create_directories(opt.out);
    deploy::incremental_metadata meta;
    meta.model = m;
    meta.cut_steps = cut;
    deploy::write_incremental_header(opt.out / "incremental_model.hpp", "incremental_model", e, config, classifier, meta);
    std::string images = "// learning_stream.hpp - the labelled stream and the held-out images, exported by nascent.\n#pragma once\n\n"
                         "#include <cstdint>\n\nnamespace learning_stream {\n\n";
    images += images_text("stream", stream, train_all) + images_text("held_out", held_out, test) + "} // namespace learning_stream\n";
    io::write_file_atomically(opt.out / "learning_stream.hpp", images);
    io::write_file_atomically(opt.out / "learn_expected.txt", expected);
    return 0;
} catch (const std::exception& ex) {
    std::fprintf(stderr, "export_incremental: %s\n", ex.what());
    return 1;
}
