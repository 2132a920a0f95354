// final_models.hpp - after the search: pick the models, train each from scratch, build its float
// and int8 programs, test them on the test split, export the int8 one as a model header.
//
//   final_models(j);  // final_models.cpp: the picks, then j.space->finals->train_and_export for each
//
// train_and_export<Space> is the space's part (instantiated in space_<name>_final.cpp): the
// training and deploy_programs, the one place that turns a trained model into programs.
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
#include <nascent/cost/lower.hpp>
#include <nascent/cost/plan.hpp>
#include <nascent/data/augmentation.hpp>
#include <nascent/deploy/compile.hpp>
#include <nascent/deploy/runtime_program.hpp>
#include <nascent/deploy/extract.hpp>
#include <nascent/deploy/quantize.hpp>
#include <nascent/nn/model.hpp>
#include <nascent/train/fit.hpp>
#include <nascent/train/schedule.hpp>
#include <nascent/train/sgd.hpp>

#include "job.hpp"

namespace nascent_search {

/// Picks the models (--select, --also-ram), trains and exports those not done yet, writes summary.md.
void final_models(job& j);

/// The float and int8 programs of a trained model, with their parameters.
struct deploy_programs_result {
    nascent::cost::graph int8_graph;
    nascent::deploy::runtime_program float_program, int8_program;
    nascent::deploy::float_parameters float_parameters;
    nascent::deploy::quantized_parameters int8_parameters;
};

/// Epochs that fit in what is left of --time-limit for pick `p`, whose epoch takes `epoch_seconds`.
int epochs_within_limit(const job& j, const final_pick& p, double epoch_seconds, const std::vector<final_pick>& picks);

/// The final training's augmentation (--augment-shift).
nascent::augmentation final_augmentation(const job_options& o);

/// `count` calibration images: the last training images, normalised by `norm`.
std::vector<float> calibration_images(const job& j, const nascent::normalization& norm);

/// Tests both programs on the test split, writes the model header, and returns the model's row.
final_model test_and_export(job& j, const final_pick& p, const deploy_programs_result& d, const nascent::normalization& norm,
                            int epochs, clock_type::time_point started);

/// The lowering, memory plan, compilation, weight extraction, calibration and quantisation of a
/// trained model: its float and int8 programs.
template <class Space>
deploy_programs_result deploy_programs(nascent::nn::model<Space>& model, const nascent::architecture& a,
                                       const std::vector<float>& calibration) {
    using namespace nascent;
    const cost::graph g = cost::lower<Space>(model.input_shape(), precision::float32, a.view());
    deploy_programs_result d;
    d.int8_graph = cost::lower<Space>(model.input_shape(), precision::int8, a.view());
    const cost::memory_plan plan = cost::plan(g);
    const cost::memory_plan plan8 = cost::plan(d.int8_graph);
    d.float_program = deploy::compile<deploy::dynamic_steps>(g, plan, precision::float32);
    d.int8_program = deploy::compile<deploy::dynamic_steps>(d.int8_graph, plan8, precision::int8);
    d.float_parameters = deploy::extract(model, g, a.view());
    d.int8_parameters = deploy::quantize(g, plan, d.float_program, d.float_parameters, calibration);
    return d;
}

/// Trains pick `p` from scratch on `train_set` (fewer epochs when the time limit requires), builds
/// its programs and exports them.
template <class Space>
final_model train_and_export(job& j, const final_pick& p, const nascent::image_dataset& train_set, const std::vector<final_pick>& picks) {
    using namespace nascent;
    const job_options& o = j.options;
    const search::evaluated& e = j.state.history[p.index];
    const std::vector<int> arch(e.arch.choices.begin(), e.arch.choices.end());
    const auto t = clock_type::now();
    const normalization norm = standardization_of(train_set);
    const augmentation augment = final_augmentation(o);
    // an estimate of one epoch from a short timed run, to keep within the time limit: the
    // second of two passes over 1,024 images (the first pays for allocation and warm-up)
    double epoch_seconds = 0.0;
    {
        nn::model<Space> probe(job_input, o.seed);
        train::sgd<float> opt(probe.parameters(), {.momentum = 0.9});
        train::fit_options fo;
        fo.epochs = 2;
        fo.architecture = arch;
        fo.progress = false;
        fo.log = nullptr;
        fo.augment = augment;
        const std::size_t n = std::min<std::size_t>(1024, train_set.size());
        const train::fit_report r =
            train::fit(probe, opt, train::constant_lr{.rate = 0.01}, subset(train_set, 0, n), subset(j.validation, 0, 1), norm, fo);
        epoch_seconds = r.last().seconds * static_cast<double>(train_set.size()) / static_cast<double>(n);
    }
    const int epochs = epochs_within_limit(j, p, epoch_seconds, picks);
    j.log.line("final: %s = %s (%s): RAM %zu B, flash %zu B, %zu MACs; %d epochs on %zu images (about %s each)%s", p.name.c_str(),
               to_text(e.arch).c_str(), p.why.c_str(), e.costs.peak_ram_bytes, e.costs.flash_bytes, e.costs.macs, epochs, train_set.size(),
               minutes(epoch_seconds).c_str(), epochs < p.epochs ? " (fewer, to keep within --time-limit)" : "");

    nn::model<Space> model(job_input, o.seed);
    train::sgd<float> optimiser(model.parameters(), {.momentum = 0.9, .weight_decay = 5e-5});
    train::fit_options fo;
    fo.epochs = epochs;
    fo.seed = o.seed;
    fo.architecture = arch;
    fo.progress = ::isatty(STDERR_FILENO) != 0;
    fo.log = j.log.file();
    fo.augment = augment;
    (void)train::fit(model, optimiser, train::cosine_lr{.rate = o.learning_rate}, train_set, subset(j.test, 0, 1000), norm, fo);
    return test_and_export(j, p, deploy_programs<Space>(model, e.arch, calibration_images(j, norm)), norm, epochs, t);
}

/// The final part of Space's program.
template <class Space>
constexpr space_final_part final_part_of() {
    return {&train_and_export<Space>};
}

} // namespace nascent_search
