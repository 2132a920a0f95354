// Trains the reference CNN on the full Fashion-MNIST training set and reports test accuracy.
//
//   conv3x3*16 - bn - relu - maxpool2 - conv3x3*32 - bn - relu - maxpool2 - flatten - dense10
//
// Inputs are standardised with the training set's mean and deviation; SGD with
// momentum 0.9, learning rate 0.03 with cosine decay, weight decay 5e-5, batch 128.
//
// usage: train_fashion_mnist [options]
//   --epochs N          epochs (10)
//   --train-limit N     train on the first N images only (for a quick run)
//   --threads N         OpenBLAS threads (1)
//   --seed N            seed of initialisation and shuffling (1)
//   --lr R              peak learning rate (0.03)
//   --weight-decay D    weight decay (5e-5)
//   --adam              Adam with decoupled weight decay instead of SGD
//   --save PATH         write the trained weights to PATH
//   --min-accuracy A    exit with status 1 when the final test accuracy is below A (in percent)
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include <nascent/nascent.hpp>

namespace {

using reference_cnn = nascent::sequential<
    nascent::conv2d<16, 3>, nascent::batch_norm, nascent::relu, nascent::max_pool2d<2>,
    nascent::conv2d<32, 3>, nascent::batch_norm, nascent::relu, nascent::max_pool2d<2>,
    nascent::flatten, nascent::dense<10>>;

struct options {
    int epochs = 10;
    std::size_t train_limit = 0;
    int threads = 1;
    std::uint64_t seed = 1;
    double min_accuracy = 0.0;
    double learning_rate = 0.03;
    double weight_decay = 5e-5;
    bool adam = false;
    std::string save_path;
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
        else if (arg == "--threads") o.threads = std::atoi(value());
        else if (arg == "--seed") o.seed = std::strtoull(value(), nullptr, 10);
        else if (arg == "--min-accuracy") o.min_accuracy = std::atof(value());
        else if (arg == "--lr") o.learning_rate = std::atof(value());
        else if (arg == "--weight-decay") o.weight_decay = std::atof(value());
        else if (arg == "--adam") o.adam = true;
        else if (arg == "--save") o.save_path = value();
        else {
            std::fprintf(stderr,
                         "usage: %s [--epochs N] [--train-limit N] [--threads N] [--seed N] [--lr R] [--weight-decay D]\n"
                         "          [--adam] [--save PATH] [--min-accuracy PERCENT]\n",
                         argv[0]);
            std::exit(arg == "--help" ? 0 : 2);
        }
    }
    return o;
}

} // namespace

int main(int argc, char** argv) try {
    const options opt = parse(argc, argv);
    nascent::blas::set_threads(opt.threads);
    if (const std::string_view hint = nascent::blas::kernel_warning(); !hint.empty())
        std::fprintf(stderr, "note: %s\n", hint.data());

    nascent::image_dataset train = nascent::load_fashion_mnist(nascent::split::train);
    const nascent::image_dataset test = nascent::load_fashion_mnist(nascent::split::test);
    if (opt.train_limit > 0 && opt.train_limit < train.size()) train = nascent::subset(train, 0, opt.train_limit);
    const nascent::normalization norm = nascent::standardization_of(train);

    nascent::nn::model<reference_cnn> model(train.sample, opt.seed);
    std::printf("reference CNN: %zu parameters, %zu MACs per image; %zu training and %zu test images\n",
                model.parameter_count(), reference_cnn::macs(train.sample), train.size(), test.size());

    nascent::train::fit_options fit_opt;
    fit_opt.epochs = opt.epochs;
    fit_opt.batch_size = 128;
    fit_opt.seed = opt.seed;
    const nascent::train::cosine_lr schedule{.rate = opt.learning_rate};
    nascent::train::fit_report report;
    if (opt.adam) {
        nascent::train::adam<float> optimizer(model.parameters(), {.weight_decay = opt.weight_decay, .decoupled = true});
        report = nascent::train::fit(model, optimizer, schedule, train, test, norm, fit_opt);
    } else {
        nascent::train::sgd<float> optimizer(model.parameters(), {.momentum = 0.9, .weight_decay = opt.weight_decay});
        report = nascent::train::fit(model, optimizer, schedule, train, test, norm, fit_opt);
    }

    if (!opt.save_path.empty()) {
        nascent::nn::save(model, opt.save_path);
        std::printf("weights saved to %s\n", opt.save_path.c_str());
    }
    const double accuracy = 100.0 * report.last().test_accuracy;
    std::printf("test accuracy: %.2f%% after %d epochs (%.1f s)\n", accuracy, opt.epochs, report.seconds);
    if (accuracy < opt.min_accuracy) {
        std::fprintf(stderr, "test accuracy %.2f%% is below the required %.2f%%\n", accuracy, opt.min_accuracy);
        return 1;
    }
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
}
