// The three scenarios of incremental on-device learning on Fashion-MNIST, each a table of the
// static model, TinyOL (no buffer: the latest sample only), the buffered model at several buffer
// sizes, and two upper bounds on the host: the classifier, or the whole network, retrained on the
// whole labelled training set of the task, with
// accuracy on the test split and the RAM and flash of each on a device:
//
//   class-incremental  the network and classifier learn classes 0-4; the device then receives
//                      --per-class labelled samples of each of the 10 classes, in random order
//   concept drift      the network learns all 10 classes; mid-stream the labels change
//                      (class k is now called (k + 5) mod 10) and the test split is relabelled
//   transfer           the extractor learns classes 0-4; a new 5-class classifier, starting from
//                      random weights, learns classes 5-9 from --per-class samples each
//
// The learners run the device's code (deploy::incremental_host over precomputed int8 features).
// Exit code 1 when in some scenario the largest buffer does not beat the static model.
//
// usage: incremental_scenarios [--per-class N] [--train-limit N] [--epochs N] [--buffers a,b,c] [--seed N]
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include <nascent/deploy/incremental_task.hpp>

#include "incremental_fashion.hpp"

namespace {

using namespace nascent;
namespace learning = deploy::learning;
using cnn = incremental_fashion::cnn<32>;

struct options {
    std::size_t per_class = 20;
    std::size_t train_limit = 12000;
    int epochs = 2;
    std::vector<std::uint32_t> buffers{10, 50, 200};
    std::uint64_t seed = 1;
};

[[noreturn]] void usage(const char* program, int status) {
    std::fprintf(status == 0 ? stdout : stderr,
                 "usage: %s [--per-class N] [--train-limit N] [--epochs N] [--buffers a,b,c] [--seed N]\n", program);
    std::exit(status);
}

options parse(int argc, char** argv) {
    options o;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--help") usage(argv[0], 0);
        if (i + 1 >= argc) usage(argv[0], 2);
        const std::string v = argv[++i];
        if (arg == "--per-class") o.per_class = std::stoull(v);
        else if (arg == "--train-limit") o.train_limit = std::stoull(v);
        else if (arg == "--epochs") o.epochs = std::stoi(v);
        else if (arg == "--seed") o.seed = std::stoull(v);
        else if (arg == "--buffers") {
            o.buffers.clear();
            std::stringstream list(v);
            for (std::string item; std::getline(list, item, ',');) o.buffers.push_back(static_cast<std::uint32_t>(std::stoul(item)));
        } else usage(argv[0], 2);
    }
    require(o.per_class >= 1 && o.epochs >= 1, "--per-class and --epochs are at least 1");
    return o;
}

using labelled = deploy::labelled_features;

/// One scenario: the extractor, the classifier it starts from, the stream and the test set.
struct scenario {
    std::string name;
    deploy::extractor extractor;
    learning::classifier_shape shape;
    std::vector<float> initial;
    labelled stream;  ///< what the device receives, in order
    labelled test;
    labelled full;    ///< the whole labelled training set of the task (the upper bound's)
    incremental_fashion::trained retrained;  ///< the whole network trained on that set (the other upper bound)
    image_dataset retrained_test;            ///< the test split with the task's labels
};

/// Test accuracy of trained network `t` as a whole (its int8 program; the class is the largest
/// logit) on `test`, with the arena and flash it takes on a device.
struct whole_network {
    double accuracy = 0.0;
    std::size_t ram = 0, flash = 0;
};
whole_network run_whole(const incremental_fashion::trained& t, const image_dataset& test) {
    const deploy::extractor all = deploy::cut_extractor(t.build, t.build.int8_program.steps.size());
    const std::vector<std::int8_t> table = deploy::input_of_pixel<std::int8_t>(incremental_fashion::metadata_of(t, test, ""));
    const labelled logits = deploy::features_of(all, table, test);
    const std::uint32_t n = all.feature_count();
    std::size_t right = 0;
    for (std::size_t i = 0; i < logits.labels.size(); ++i) {
        const std::int8_t* row = logits.features.data() + i * n;
        right += static_cast<std::size_t>(std::max_element(row, row + n) - row) == logits.labels[i] ? 1 : 0;
    }
    return {100.0 * static_cast<double>(right) / static_cast<double>(test.size()), all.program.arena_bytes,
            all.weights.size() + 4 * all.params.size()};
}


learning::incremental_config config_of(const scenario& s, std::uint32_t capacity) {
    return {.classifier = s.shape, .buffer_capacity = capacity, .policy = learning::replacement::class_balanced,
            .learning = {.learning_rate = 0.05F, .momentum = 0.5F, .epochs = 1, .batch = 4},
            .feature_scale = s.extractor.features.scale, .feature_zero_point = s.extractor.features.zero_point, .seed = 7};
}

void row(const char* method, double acc, const learning::ram_figures& ram, std::size_t flash) {
    std::printf("| %s | %.2f | %zu | %zu |\n", method, acc, ram.total, flash);
}

/// Prints the scenario's table; returns the accuracies: static, TinyOL, each buffer, the two upper bounds.
std::vector<double> run(const scenario& s, const options& opt) {
    std::vector<double> figures;
    std::printf("\n### %s\n\n| model | test accuracy %% | RAM B | flash B |\n|---|---|---|---|\n", s.name.c_str());
    const std::uint32_t n = s.shape.features;
    {
        deploy::incremental_host m(s.extractor, config_of(s, 0), s.initial);
        figures.push_back(deploy::accuracy_of(m, s.test));
        row("static (no learning)", figures.back(), m.ram(), m.flash_bytes());
    }
    std::vector<std::uint32_t> sizes{0};
    sizes.insert(sizes.end(), opt.buffers.begin(), opt.buffers.end());
    for (const std::uint32_t capacity : sizes) {
        deploy::incremental_host m(s.extractor, config_of(s, capacity), s.initial);
        for (std::size_t i = 0; i < s.stream.labels.size(); ++i) (void)m.learn_features(s.stream.features.data() + i * n, s.stream.labels[i]);
        const std::string method = capacity == 0 ? std::string("TinyOL (latest sample only)") : string_of("buffer of ", capacity);
        figures.push_back(deploy::accuracy_of(m, s.test));
        row(method.c_str(), figures.back(), m.ram(), m.flash_bytes());
    }
    // the upper bound: the classifier retrained on the host on the task's whole labelled training set
    const std::vector<float> w = deploy::fit_classifier(deploy::initial_classifier(s.shape, opt.seed), s.shape, s.extractor.features,
                                                        s.full.features, s.full.labels, 10, 0.05F, 16, opt.seed);
    deploy::incremental_host m(s.extractor, config_of(s, 0), w);
    figures.push_back(deploy::accuracy_of(m, s.test));
    row("host: classifier retrained on the whole labelled training set (upper bound)", figures.back(), m.ram(), m.flash_bytes());
    const whole_network whole = run_whole(s.retrained, s.retrained_test);
    std::printf("| host: whole network retrained on that set (upper bound; a static network, RAM without learning) | %.2f | %zu | %zu |\n",
                whole.accuracy, whole.ram, whole.flash);
    figures.push_back(whole.accuracy);
    return figures;
}

/// Features and labels of `data` through trained network `t` cut before its head.
struct cut_network {
    deploy::extractor extractor;
    std::vector<std::int8_t> table;
};
cut_network cut(const incremental_fashion::trained& t, const image_dataset& test) {
    cut_network c{deploy::cut_extractor(t.build, deploy::head_cut(t.build.int8_program)), {}};
    c.table = deploy::input_of_pixel<std::int8_t>(incremental_fashion::metadata_of(t, test, ""));
    return c;
}

labelled features(const cut_network& c, const image_dataset& data, int (*relabel)(int)) {
    labelled l = deploy::features_of(c.extractor, c.table, data);
    for (std::uint8_t& y : l.labels) y = static_cast<std::uint8_t>(relabel(y));
    return l;
}

int same(int y) { return y; }
int shifted(int y) { return (y + 5) % 10; }
int minus_five(int y) { return y - 5; }

} // namespace

int main(int argc, char** argv) try {
    const options opt = parse(argc, argv);
    const image_dataset train_all = load_fashion_mnist(split::train);
    const image_dataset test = load_fashion_mnist(split::test);
    // the networks train on the first --train-limit images; streams come from the end of the split
    const image_dataset head = subset(train_all, 0, std::min(opt.train_limit, train_all.size() / 2));
    const image_dataset old_classes = classes_of(head, 0, 5, head.size());
    std::printf("training four networks: classes 0-4 (%zu images), all classes (%zu images), all classes relabelled, classes 5-9; %d epochs each\n",
                old_classes.size(), head.size(), opt.epochs);
    const incremental_fashion::trained five_classes = incremental_fashion::train_network<cnn>(old_classes, opt.epochs, opt.seed);
    const incremental_fashion::trained ten_classes = incremental_fashion::train_network<cnn>(head, opt.epochs, opt.seed);
    const cut_network on_five = cut(five_classes, test);
    const cut_network on_ten = cut(ten_classes, test);
    const auto relabelled = [](image_dataset d, int (*f)(int)) {
        for (std::uint8_t& y : d.labels) y = static_cast<std::uint8_t>(f(y));
        return d;
    };
    const std::uint32_t n = on_five.extractor.feature_count();
    const learning::classifier_shape ten{n, 0, 10}, five{n, 0, 5};

    scenario incremental{"class-incremental: pre-trained on classes 0-4, learns all 10 on the device", on_five.extractor, ten, {},
                         features(on_five, stream_of(train_all, 0, 10, opt.per_class, opt.seed), same), features(on_five, test, same),
                         features(on_five, head, same), ten_classes, test};
    const labelled known = features(on_five, old_classes, same);
    incremental.initial = deploy::fit_classifier(deploy::initial_classifier(ten, opt.seed), ten, on_five.extractor.features, known.features,
                                                 known.labels, 5, 0.05F, 16, opt.seed);

    scenario drift{"concept drift: trained on 10 classes, then every label k becomes (k + 5) mod 10", on_ten.extractor, ten, {},
                   features(on_ten, stream_of(train_all, 0, 10, opt.per_class, opt.seed + 1), shifted), features(on_ten, test, shifted),
                   features(on_ten, head, shifted), incremental_fashion::train_network<cnn>(relabelled(head, shifted), opt.epochs, opt.seed),
                   relabelled(test, shifted)};
    const labelled before_drift = features(on_ten, head, same);
    drift.initial = deploy::fit_classifier(deploy::initial_classifier(ten, opt.seed), ten, on_ten.extractor.features, before_drift.features,
                                           before_drift.labels, 5, 0.05F, 16, opt.seed);

    const image_dataset new_test = classes_of(test, 5, 10, test.size());
    scenario transfer{"transfer: extractor trained on classes 0-4, a new classifier learns classes 5-9", on_five.extractor, five,
                      deploy::initial_classifier(five, opt.seed),
                      features(on_five, stream_of(train_all, 5, 10, opt.per_class, opt.seed + 2), minus_five),
                      features(on_five, new_test, minus_five), features(on_five, classes_of(head, 5, 10, head.size()), minus_five),
                      incremental_fashion::train_network<cnn>(classes_of(head, 5, 10), opt.epochs, opt.seed), new_test};

    std::printf("\n%zu labelled samples per class on the device; class-balanced buffer, SGD rate 0.05, momentum 0.5, batch 4, one pass per sample\n",
                opt.per_class);
    int status = 0;
    for (const scenario* s : {&incremental, &drift, &transfer}) {
        const std::vector<double> a = run(*s, opt);
        // learning on the device must pay: the largest buffer beats the static model
        const double largest_buffer = a[a.size() - 3];
        if (largest_buffer <= a[0]) {
            std::fprintf(stderr, "incremental_scenarios: %s: the largest buffer (%.2f %%) does not beat the static model (%.2f %%)\n",
                         s->name.c_str(), largest_buffer, a[0]);
            status = 1;
        }
    }
    return status;
} catch (const std::exception& e) {
    std::fprintf(stderr, "incremental_scenarios: %s\n", e.what());
    return 1;
}
