// final_models.hpp - after the search: pick the models, train each from scratch, build its float
// and int8 programs, test them on the test split, export the int8 one as a model header.
//
//   final_models(j);  // final_models.cpp: the picks, then j.space->finals->train_and_export for each
//
// train_and_export<Space> is the space's part (instantiated in space_<name>.cpp): the
// training, then deploy::build, which turns the trained model into its float and int8 programs.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <unistd.h>
#include <utility>
#include <vector>

#include <nascent/cost/latency.hpp>
#include <nascent/data/augmentation.hpp>
#include <nascent/deploy/build.hpp>
#include <nascent/nn/extract.hpp>
#include <nascent/nn/model.hpp>
#include <nascent/train/fit.hpp>
#include <nascent/train/early_exit.hpp>
#include <nascent/train/flatness.hpp>
#include <nascent/train/robustness.hpp>
#include <nascent/train/schedule.hpp>
#include <nascent/train/sgd.hpp>

#include "exits.hpp"
#include "job.hpp"

namespace nascent_search {

/// Picks the models (--select, --also-ram), trains and exports those not done yet, writes summary.md.
void final_models(job& j);

/// Epochs that fit in what is left of --time-limit for pick `p`, whose epoch takes `epoch_seconds`.
int epochs_within_limit(const job& j, const final_pick& p, double epoch_seconds, const std::vector<final_pick>& picks);

/// The final training's augmentation (--augment-shift).
nascent::augmentation final_augmentation(const job_options& o);

/// `count` calibration images: the last training images, normalised by `norm`.
std::vector<float> calibration_images(const job& j, const nascent::normalization& norm);

/// Tests both programs on the test split, writes the model header, and returns the model's row.
final_model test_and_export(job& j, const final_pick& p, const nascent::deploy::build_result& d, const nascent::normalization& norm,
                            int epochs, clock_type::time_point started);

/// Trains `model` from scratch on path `arch` of pick `p` over `train_set` (normalised by `norm`),
/// for fewer epochs than planned when --time-limit requires; returns the epochs trained.
template <class Space>
int train_final(job& j, const final_pick& p, const std::vector<int>& arch, nascent::nn::model<Space>& model,
                const nascent::image_dataset& train_set, const nascent::normalization& norm, const std::vector<final_pick>& picks) {
    using namespace nascent;
    const job_options& o = j.options;
    const search::evaluated& e = j.state.history[p.index];
    const augmentation augment = final_augmentation(o);
    // an estimate of one epoch from a short timed run, to keep within the time limit: the
    // second of two passes over 1,024 images (the first pays for allocation and warm-up)
    double epoch_seconds = 0.0;
    {
        nn::model<Space> probe(job_input, o.seed);
        train::sgd<float> opt(probe.parameters(), {.momentum = 0.9});
        train::fit_options settings;
        settings.epochs = 2;
        settings.architecture = arch;
        settings.progress = false;
        settings.log = nullptr;
        settings.augment = augment;
        const std::size_t n = std::min<std::size_t>(1024, train_set.size());
        const train::fit_report r =
            train::fit(probe, opt, train::constant_lr{.rate = 0.01}, subset(train_set, 0, n), subset(j.validation, 0, 1), norm, settings);
        epoch_seconds = r.last().seconds * static_cast<double>(train_set.size()) / static_cast<double>(n);
        if (o.sam_radius > 0.0) epoch_seconds *= 2.0;  // a sharpness-aware step runs two passes
    }
    const int epochs = epochs_within_limit(j, p, epoch_seconds, picks);
    j.log.line("final: %s = %s (%s): RAM %zu B, flash %zu B, %zu MACs; %d epochs on %zu images (about %s each)%s", p.name.c_str(),
               to_text(e.arch).c_str(), p.why.c_str(), e.costs.peak_ram_bytes, e.costs.flash_bytes, e.costs.macs, epochs, train_set.size(),
               minutes(epoch_seconds).c_str(), epochs < p.epochs ? " (fewer, to keep within --time-limit)" : "");

    train::sgd<float> optimiser(model.parameters(), {.momentum = 0.9, .weight_decay = 5e-5});
    train::fit_options settings;
    settings.epochs = epochs;
    settings.seed = o.seed;
    settings.architecture = arch;
    settings.progress = ::isatty(STDERR_FILENO) != 0;
    settings.log = j.log.file();
    settings.augment = augment;
    settings.exit_loss_weights = exit_loss_weights<Space>(e.arch);
    settings.sharpness_radius = o.sam_radius;
    (void)train::fit(model, optimiser, train::cosine_lr{.rate = o.learning_rate}, train_set, subset(j.test, 0, std::min<std::size_t>(1000, j.test.size())), norm, settings);
    return epochs;
}

/// --ood-images: the trained float model's mean accuracy over the corrupted copies of the first
/// test images, and its accuracy and loss increase under weight perturbations on them.
template <class Model>
void measure_out_of_distribution(job& j, Model& model, const std::vector<int>& arch, const nascent::normalization& norm, final_model& m) {
    using namespace nascent;
    const auto t = clock_type::now();
    const image_dataset test = subset(j.test, 0, std::min(j.options.ood_images, j.test.size()));
    train::robustness_options r;
    r.seed = j.options.seed;
    r.architecture = arch;
    const train::robustness_report report = train::robustness_of(model, test, norm, r);
    train::flatness_options f;
    f.sigma = j.options.flatness_sigma;
    f.draws = std::max(j.options.flatness_draws, 1);
    f.seed = j.options.seed;
    f.architecture = arch;
    const train::flatness_report flat = train::flatness_of(model, test, norm, f);
    m.corrupted_accuracy = 100.0 * report.mean_corrupted_accuracy;
    m.perturbed_accuracy = 100.0 * flat.perturbed_accuracy;
    m.sharpness = flat.sharpness;
    j.log.line("final: %s on %zu test images: clean %.2f%%, mean corrupted %.2f%%, perturbed weights %.2f%%, sharpness %.4f (%s)", m.name.c_str(),
               test.size(), 100.0 * report.clean_accuracy, m.corrupted_accuracy, m.perturbed_accuracy, m.sharpness,
               minutes(job::seconds_since(t)).c_str());
}

/// Trains pick `p` from scratch on `train_set` (fewer epochs when the time limit requires), builds
/// its programs and exports them.
template <class Space>
final_model train_and_export(job& j, const final_pick& p, const nascent::image_dataset& train_set, const std::vector<final_pick>& picks) {
    using namespace nascent;
    const search::evaluated& e = j.state.history[p.index];
    const std::vector<int> arch(e.arch.choices.begin(), e.arch.choices.end());
    const auto t = clock_type::now();
    const normalization norm = standardization_of(train_set);
    nn::model<Space> model(job_input, j.options.seed);
    const int epochs = train_final(j, p, arch, model, train_set, norm, picks);
    train::exit_policy policy;  // early exits: the thresholds, chosen on the validation images
    if constexpr (space::holds_early_exits<Space>) {
        const auto exits = cost::exit_figures_of<Space>(job_input, cost::precision::int8, e.arch.view());
        (void)train::evaluate_exits(model, j.validation, norm, e.arch.view(), exits, j.options.exit_accuracy_drop, &policy);
    }
    final_model m = test_and_export(j, p, deploy::build(model, e.arch.view(), calibration_images(j, norm), policy.thresholds), norm, epochs, t);
    if (j.options.ood_images > 0) measure_out_of_distribution(j, model, arch, norm, m);
    return m;
}

/// The final part of Space's program.
template <class Space>
constexpr space_final_part final_part_of() {
    return {&train_and_export<Space>};
}

} // namespace nascent_search
