// An early-exit network on Fashion-MNIST against its single-exit backbone (docs/early_exits.md).
//
// The two networks of early_exit_model.hpp: a three-stage CNN, and the same with a classifier head
// after each of its first two stages. Both are trained from the same seed for the same epochs on the training
// images minus 5,000 held out; the early-exit network jointly, every exit's cross-entropy with
// the same weight. On the held-out images each early exit gets the lowest threshold tau that
// keeps the accuracy within --max-drop of the final exit's; the test images then leave at the
// first exit sure enough of them. Reported: accuracy, the share leaving at each exit, EDANAS's
// avg_macs and the MACs a device runs on average (the passed heads included), next to the
// backbone's, with the int8 RAM and flash of both from the cost model, checked at compile time.
//
// usage: early_exit_fashion_mnist [options]
//   --epochs N          epochs of each training (5)
//   --train-limit N     train on the first N images only (all but the held-out ones)
//   --test-limit N      test on the first N test images only (all)
//   --max-drop D        the accuracy the thresholds may cost on the held-out images (0.005)
//   --threads N         OpenBLAS threads (1)
//   --seed N            seed of initialisation and shuffling (1)
// Exits with status 1 when the figures disagree (shares not summing to 1, avg_macs outside the
// exits' range); says so when the exits save nothing on average.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <nascent/nascent.hpp>

#include "early_exit_model.hpp"

namespace {

using namespace nascent;

using early_exit_model::backbone;
using early_exit_model::image;
using early_exit_net = early_exit_model::network;
constexpr cost::costs backbone_int8 = early_exit_model::backbone_int8;
constexpr cost::costs early_exit_int8 = early_exit_model::network_int8;

struct options {
    int epochs = 5;
    std::size_t train_limit = 0, test_limit = 0;
    double max_drop = 0.005;
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
        else if (arg == "--max-drop") o.max_drop = std::atof(value());
        else if (arg == "--threads") o.threads = std::atoi(value());
        else if (arg == "--seed") o.seed = std::strtoull(value(), nullptr, 10);
        else {
            std::fprintf(stderr, "usage: %s [--epochs N] [--train-limit N] [--test-limit N] [--max-drop D] [--threads N] [--seed N]\n",
                         argv[0]);
            std::exit(arg == "--help" ? 0 : 2);
        }
    }
    return o;
}

template <class Net>
void train_model(nn::model<Net>& model, const options& o, const image_dataset& data, const normalization& norm, std::vector<double> exit_weights) {
    train::sgd<float> optimizer(model.parameters(), {.momentum = 0.9, .weight_decay = 5e-5});
    train::fit_options settings;
    settings.epochs = o.epochs;
    settings.seed = o.seed;
    settings.exit_loss_weights = std::move(exit_weights);
    (void)train::fit(model, optimizer, train::cosine_lr{.rate = 0.05}, data, image_dataset{}, norm, settings);
}

} // namespace

int main(int argc, char** argv) try {
    const options o = parse(argc, argv);
    blas::set_threads(o.threads);
    const image_dataset all = load_fashion_mnist(split::train);
    image_dataset test = load_fashion_mnist(split::test);
    constexpr std::size_t held_out = 5000;
    const image_dataset validation = subset(all, all.size() - held_out, held_out);
    image_dataset train_set = subset(all, 0, all.size() - held_out);
    if (o.train_limit > 0 && o.train_limit < train_set.size()) train_set = subset(train_set, 0, o.train_limit);
    if (o.test_limit > 0 && o.test_limit < test.size()) test = subset(test, 0, o.test_limit);
    const normalization norm = standardization_of(train_set);
    std::printf("%d epochs on %zu images; thresholds on %zu held-out images; %zu test images\n", o.epochs, train_set.size(),
                validation.size(), test.size());

    std::printf("single-exit backbone:\n");
    nn::model<backbone> plain(image, o.seed);
    train_model(plain, o, train_set, norm, {});
    const double plain_accuracy = train::evaluate(plain, test, norm).accuracy;

    std::printf("early-exit network (joint training):\n");
    nn::model<early_exit_net> ee(image, o.seed);
    train_model(ee, o, train_set, norm, {1.0, 1.0, 1.0});
    train::threshold_options t;
    t.max_accuracy_drop = o.max_drop;
    const train::exit_policy policy = train::choose_thresholds(train::predict_exits(ee, validation, norm), t);
    const train::exit_predictions p = train::predict_exits(ee, test, norm);
    const train::exit_outcome outcome = train::apply_policy(p, policy);
    const std::vector<cost::exit_figures> exits = cost::exit_figures_of<early_exit_net>(image, cost::precision::int8);
    const double avg_macs = train::average_macs(outcome, exits);
    const double device_macs = train::average_device_macs(outcome, exits);

    std::printf("\nthresholds tau: %.3f, %.3f (within %.2f %% of the final exit's accuracy on the held-out images)\n\n",
                policy.thresholds[0], policy.thresholds[1], 100 * o.max_drop);
    std::printf("| exit | MACs to it (EDANAS) | MACs run by then | alone: accuracy (%%) | leaving there (%%) | their accuracy (%%) |\n"
                "|---|---:|---:|---:|---:|---:|\n");
    for (std::size_t e = 0; e < exits.size(); ++e) {
        std::size_t right = 0;
        for (std::size_t i = 0; i < p.images(); ++i) right += p.predicted_at(i, e) == p.labels[i] ? 1U : 0U;
        std::printf("| %s | %zu | %zu | %.2f | %.2f | %.2f |\n", e + 1 < exits.size() ? std::to_string(e + 1).c_str() : "final",
                    exits[e].macs_to_exit(), exits[e].device_macs, 100.0 * static_cast<double>(right) / static_cast<double>(p.images()),
                    100 * outcome.shares[e], 100 * outcome.accuracy_at[e]);
    }
    std::printf("\n| model | test accuracy (%%) | avg_macs | MACs run on average | MACs, worst case | int8 peak RAM (B) | int8 flash (B) |\n"
                "|---|---:|---:|---:|---:|---:|---:|\n");
    std::printf("| single-exit backbone | %.2f | %zu | %zu | %zu | %zu | %zu |\n", 100 * plain_accuracy, backbone_int8.macs, backbone_int8.macs,
                backbone_int8.macs, backbone_int8.peak_ram_bytes, backbone_int8.flash_bytes);
    std::printf("| early exits, tau as above | %.2f | %.0f | %.0f | %zu | %zu | %zu |\n", 100 * outcome.accuracy, avg_macs, device_macs,
                early_exit_int8.macs, early_exit_int8.peak_ram_bytes, early_exit_int8.flash_bytes);
    std::printf("\navg_macs is %.1f %% of the backbone's MACs; the device runs %.1f %% of them on average\n",
                100.0 * avg_macs / static_cast<double>(backbone_int8.macs), 100.0 * device_macs / static_cast<double>(backbone_int8.macs));
    double shares = 0.0;
    for (const double share : outcome.shares) shares += share;
    if (std::abs(shares - 1.0) > 1e-9 || avg_macs < static_cast<double>(exits.front().macs_to_exit()) ||
        avg_macs > static_cast<double>(exits.back().macs_to_exit())) {
        std::fprintf(stderr, "inconsistent figures: shares summing to %.6f, avg_macs %.0f outside [%zu, %zu]\n", shares, avg_macs,
                     exits.front().macs_to_exit(), exits.back().macs_to_exit());
        return 1;
    }
    if (!(device_macs < static_cast<double>(backbone_int8.macs)))
        std::printf("note: no MACs saved on average (%.0f against %zu): the exits are not sure enough of the test images\n", device_macs,
                    backbone_int8.macs);
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
}
