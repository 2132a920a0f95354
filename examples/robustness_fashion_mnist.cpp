// Robustness of the reference CNN to corrupted Fashion-MNIST test images, trained with plain SGD
// and with sharpness-aware minimisation (docs/robustness.md).
//
// Both models start from the same weights and see the same batches. For each: the clean test
// accuracy; the accuracy on the test set under each of the twelve corruptions of
// data/corruption.hpp at severities 1 to 5, and their mean (the out-of-distribution figure); the
// flatness of the loss under multiplicative weight noise (train/flatness.hpp); and FlatNAS's
// top1_robust with the perturbed accuracy as robustness.
//
// usage: robustness_fashion_mnist [options]
//   --epochs N         epochs of each training (5)
//   --train-limit N    train on the first N images only (all)
//   --test-limit N     measure on the first N test images only (all)
//   --sam RHO          SAM's radius for the second model (0.05)
//   --sigma S          relative size of the weight noise of the flatness (0.05)
//   --alpha A          top1_robust's weight of the clean accuracy (0.5)
//   --threads N        OpenBLAS threads (1)
//   --seed N           seed of initialisation, shuffling and corruptions (1)
// Exits with status 1 when a model's mean corrupted accuracy is not below its clean accuracy.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <nascent/nascent.hpp>

namespace {

using reference_cnn = nascent::sequential<
    nascent::conv2d<16, 3>, nascent::batch_norm, nascent::relu, nascent::max_pool2d<2>,
    nascent::conv2d<32, 3>, nascent::batch_norm, nascent::relu, nascent::max_pool2d<2>,
    nascent::flatten, nascent::dense<10>>;

struct options {
    int epochs = 5;
    std::size_t train_limit = 0, test_limit = 0;
    double sam = 0.05, sigma = 0.05, alpha = 0.5;
    int threads = 1;
    std::uint64_t seed = 1;
};

options parse(int argc, char** argv) {
    options o;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        auto value = [&]() -> const char* {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "%s needs a value\n", arg.c_str());
                std::exit(2);
            }
            return argv[++i];
        };
        if (arg == "--epochs") o.epochs = std::atoi(value());
        else if (arg == "--train-limit") o.train_limit = std::strtoull(value(), nullptr, 10);
        else if (arg == "--test-limit") o.test_limit = std::strtoull(value(), nullptr, 10);
        else if (arg == "--sam") o.sam = std::atof(value());
        else if (arg == "--sigma") o.sigma = std::atof(value());
        else if (arg == "--alpha") o.alpha = std::atof(value());
        else if (arg == "--threads") o.threads = std::atoi(value());
        else if (arg == "--seed") o.seed = std::strtoull(value(), nullptr, 10);
        else {
            std::fprintf(stderr,
                         "usage: %s [--epochs N] [--train-limit N] [--test-limit N] [--sam RHO] [--sigma S] [--alpha A]\n"
                         "          [--threads N] [--seed N]\n",
                         argv[0]);
            std::exit(arg == "--help" ? 0 : 2);
        }
    }
    return o;
}

struct measured {
    std::string name;
    nascent::train::robustness_report robustness;
    nascent::train::flatness_report flatness;
    double top1_robust = 0.0;
    double seconds = 0.0;
};

measured train_and_measure(const std::string& name, double radius, const options& o, const nascent::image_dataset& train,
                           const nascent::image_dataset& test, const nascent::normalization& norm) {
    nascent::nn::model<reference_cnn> model(train.sample, o.seed);
    nascent::train::sgd<float> optimizer(model.parameters(), {.momentum = 0.9, .weight_decay = 5e-5});
    nascent::train::fit_options settings;
    settings.epochs = o.epochs;
    settings.seed = o.seed;
    settings.sharpness_radius = radius;
    std::printf("%s:\n", name.c_str());
    measured m;
    m.name = name;
    m.seconds = nascent::train::fit(model, optimizer, nascent::train::cosine_lr{.rate = 0.03}, train, nascent::image_dataset{}, norm, settings).seconds;
    nascent::train::robustness_options r;
    r.seed = o.seed;
    m.robustness = nascent::train::robustness_of(model, test, norm, r);
    nascent::train::flatness_options f;
    f.sigma = o.sigma;
    f.seed = o.seed;
    m.flatness = nascent::train::flatness_of(model, test, norm, f);
    m.top1_robust = nascent::train::top1_robust(m.robustness.clean_accuracy, m.flatness.perturbed_accuracy, o.alpha);
    return m;
}

std::string sam_name(double rho) {
    char text[64];
    std::snprintf(text, sizeof text, "SGD + SAM (rho %g)", rho);
    return text;
}

} // namespace

int main(int argc, char** argv) try {
    const options o = parse(argc, argv);
    nascent::blas::set_threads(o.threads);
    nascent::image_dataset train = nascent::load_fashion_mnist(nascent::split::train);
    nascent::image_dataset test = nascent::load_fashion_mnist(nascent::split::test);
    if (o.train_limit > 0 && o.train_limit < train.size()) train = nascent::subset(train, 0, o.train_limit);
    if (o.test_limit > 0 && o.test_limit < test.size()) test = nascent::subset(test, 0, o.test_limit);
    const nascent::normalization norm = nascent::standardization_of(train);
    std::printf("reference CNN, %d epochs on %zu images; measured on %zu test images, 12 corruptions x 5 severities\n", o.epochs,
                train.size(), test.size());

    const measured models[2] = {train_and_measure("SGD", 0.0, o, train, test, norm),
                                train_and_measure(sam_name(o.sam), o.sam, o, train, test, norm)};

    std::printf("\n| model | clean (%%) | mean corrupted (%%) | loss | loss, weights x (1 + %.2f N) | sharpness | perturbed accuracy (%%) | top1_robust (alpha %.2f) | training (s) |\n"
                "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n",
                o.sigma, o.alpha);
    for (const measured& m : models)
        std::printf("| %s | %.2f | %.2f | %.4f | %.4f | %.4f | %.2f | %.4f | %.0f |\n", m.name.c_str(), 100 * m.robustness.clean_accuracy,
                    100 * m.robustness.mean_corrupted_accuracy, m.flatness.loss, m.flatness.perturbed_loss, m.flatness.sharpness,
                    100 * m.flatness.perturbed_accuracy, m.top1_robust, m.seconds);
    std::printf("\nAccuracy (%%) per corruption, mean over severities 1-5:\n\n| corruption | %s | %s |\n|---|---:|---:|\n",
                models[0].name.c_str(), models[1].name.c_str());
    for (const nascent::corruption c : nascent::all_corruptions)
        std::printf("| %s | %.2f | %.2f |\n", std::string(nascent::name_of(c)).c_str(), 100 * models[0].robustness.mean_of(c),
                    100 * models[1].robustness.mean_of(c));
    std::printf("\nAccuracy (%%) per severity, mean over corruptions:\n\n| severity | %s | %s |\n|---|---:|---:|\n",
                models[0].name.c_str(), models[1].name.c_str());
    for (int s = 1; s <= nascent::max_severity; ++s) {
        double a[2] = {0.0, 0.0};
        for (int k = 0; k < 2; ++k) {
            for (const auto& cell : models[k].robustness.cells)
                if (cell.severity == s) a[k] += cell.accuracy;
            a[k] /= static_cast<double>(nascent::all_corruptions.size());
        }
        std::printf("| %d | %.2f | %.2f |\n", s, 100 * a[0], 100 * a[1]);
    }
    for (const measured& m : models)
        if (!(m.robustness.mean_corrupted_accuracy < m.robustness.clean_accuracy)) {
            std::fprintf(stderr, "%s: the corruptions did not lower the accuracy (%.4f against %.4f clean)\n", m.name.c_str(),
                         m.robustness.mean_corrupted_accuracy, m.robustness.clean_accuracy);
            return 1;
        }
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
}
