// evaluation.hpp - how a search job judges candidates, on the held-out validation images.
//
//   std::unique_ptr<candidate_judge> judge = j.space->evaluation->make_judge(j);
//   const train::evaluation e = (*judge)(architecture);
//
// Evaluation "supernet" trains a weight-sharing supernet (uniform or fair single-path sampling) on the
// training images minus the validation ones, saved to supernet.weights and loaded on resume, and
// judges a candidate by its inherited weights after batch-norm recalibration; "train" trains
// each candidate from scratch for --candidate-epochs. Neither ever sees the test set. The
// differentiable strategy trains its own supernet (DARTS mode, with a RAM loss). With top1_robust
// among the objectives, either judge also measures the candidate's accuracy under --flatness-draws
// weight perturbations (its robustness). A candidate of an early-exit space is judged by its exit
// policy: thresholds chosen on the validation images within --exit-accuracy-drop, the accuracy
// and avg_macs under them; the supernet learns its exits with each path. The templates are
// the space's part, instantiated in space_<name>.cpp.
#pragma once

#include <algorithm>
#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

#include <nascent/cost/exits.hpp>
#include <nascent/nn/model.hpp>
#include <nascent/nn/serialize.hpp>
#include <nascent/search/differentiable.hpp>
#include <nascent/search/evaluator.hpp>
#include <nascent/search/supernet_training.hpp>
#include <nascent/train/evaluate.hpp>
#include <nascent/train/fit.hpp>
#include <nascent/train/early_exit.hpp>
#include <nascent/train/flatness.hpp>
#include <nascent/train/schedule.hpp>
#include <nascent/train/sgd.hpp>

#include "exits.hpp"
#include "job.hpp"

namespace nascent_search {

/// Trains `model` (made with seed o.seed ^ hash_value(a)) from scratch on path `a` for --candidate-epochs.
template <class Space>
void train_candidate(const job& j, const nascent::architecture& a, nascent::nn::model<Space>& model) {
    using namespace nascent;
    const job_options& o = j.options;
    train::sgd<float> optimiser(model.parameters(), {.momentum = 0.9, .weight_decay = 5e-5});
    train::fit_options fo;
    fo.epochs = std::max(o.candidate_epochs, 1);
    fo.seed = o.seed;
    fo.architecture = std::vector<int>(a.choices.begin(), a.choices.end());
    fo.progress = false;
    fo.log = nullptr;
    fo.exit_loss_weights = exit_loss_weights<Space>(a);
    (void)train::fit(model, optimiser, train::cosine_lr{.rate = o.learning_rate}, j.search_train, subset(j.validation, 0, 1), j.norm, fo);
}

/// The weight perturbations a judge measures the robustness under (draws 0: top1_robust is not an objective).
inline nascent::train::flatness_options flatness_settings(const job_options& o) {
    nascent::train::flatness_options f;
    f.sigma = o.flatness_sigma;
    f.draws = nascent::search::needs_robustness(o.objectives) ? o.flatness_draws : 0;
    f.seed = o.seed;
    return f;
}

/// Judges by a short training from scratch, seeded by the run's seed and the architecture.
template <class Space>
class training_judge final : public candidate_judge {
public:
    explicit training_judge(const job& j) : j_(&j) {}
    nascent::train::evaluation operator()(const nascent::architecture& a) override {
        nascent::nn::model<Space> model(job_input, j_->options.seed ^ hash_value(a));
        train_candidate(*j_, a, model);
        if constexpr (nascent::space::holds_early_exits<Space>) {
            const auto exits = nascent::cost::exit_figures_of<Space>(job_input, nascent::cost::precision::int8, a.view());
            return nascent::train::evaluate_exits(model, j_->validation, j_->norm, a.view(), exits, j_->options.exit_accuracy_drop);
        }
        nascent::train::flatness_options f = flatness_settings(j_->options);
        if (f.draws == 0) return nascent::train::evaluate(model, j_->validation, j_->norm, 256, a.view());
        f.architecture = a.choices;
        return nascent::train::evaluate_with_robustness(model, j_->validation, j_->norm, f);
    }

private:
    const job* j_;
};

/// Trains `supernet` on the search's training images (uniform single-path sampling) and saves it to
/// supernet.weights, or loads it from there when a resumed job trained it already.
template <class Space>
void prepare_supernet(job& j, nascent::nn::model<Space>& supernet) {
    using namespace nascent;
    const std::filesystem::path weights = j.out / "supernet.weights";
    if (j.state.supernet_trained) {
        try {
            nn::load(supernet, weights);
        } catch (const std::exception& e) {
            throw job_error(string_of("cannot resume: ", e.what()));
        }
        j.log.line("supernet: weights loaded from %s", weights.c_str());
        return;
    }
    search::supernet_options so;
    so.mode = j.options.supernet_sampling == sampling_kind::fair ? search::supernet_mode::fair : search::supernet_mode::uniform;
    so.epochs = std::max(j.options.supernet_epochs, 1);
    so.seed = j.options.seed;
    so.learning_rate = j.options.learning_rate;
    so.exit_loss_weight = nascent::space::holds_early_exits<Space> ? 1.0 : 0.0;  // early exits learn with the path
    so.log = j.log.file();
    const auto t = clock_type::now();
    const search::supernet_report r = search::train_supernet<Space>(supernet, j.search_train, j.norm, so);
    nn::save(supernet, weights);
    j.state.supernet_trained = true;
    write_state(j.out, j.state);
    j.log.line("supernet: %d epochs of %s sampling, %zu paths trained, last loss %.3f, train accuracy %.2f%%, %s", so.epochs,
               name_of(j.options.supernet_sampling), r.paths_trained,
               r.epochs.back().loss, 100.0 * r.epochs.back().accuracy, minutes(job::seconds_since(t)).c_str());
}

/// Judges by the weights a trained supernet lends each candidate.
template <class Space>
class supernet_judge final : public candidate_judge {
public:
    explicit supernet_judge(job& j) : supernet_(job_input, j.options.seed) {
        prepare_supernet(j, supernet_);
        const nascent::train::flatness_options f = flatness_settings(j.options);
        nascent::search::evaluator_options e;
        e.recalibration_batches = 4;
        e.flatness_draws = f.draws;
        e.flatness_sigma = f.sigma;
        e.flatness_seed = f.seed;
        if constexpr (nascent::space::holds_early_exits<Space>) e.exit_accuracy_drop = j.options.exit_accuracy_drop;
        judge_.emplace(supernet_, j.search_train, j.validation, j.norm, e);
    }
    nascent::train::evaluation operator()(const nascent::architecture& a) override { return (*judge_)(a); }

private:
    nascent::nn::model<Space> supernet_;
    std::optional<nascent::search::supernet_evaluator<nascent::nn::model<Space>>> judge_;
};

template <class Space>
std::unique_ptr<candidate_judge> make_judge(job& j) {
    if (j.options.evaluation == evaluation_kind::supernet) return std::make_unique<supernet_judge<Space>>(j);
    return std::make_unique<training_judge<Space>>(j);
}

/// The differentiable strategy: its one step fills the history.
template <class Space>
void differentiable_search(job& j) {
    using namespace nascent;
    nn::model<Space> model(job_input, j.options.seed);
    search::differentiable_options d;
    d.training.mode = search::supernet_mode::darts;
    d.training.epochs = std::max(j.options.supernet_epochs, 1);
    d.training.seed = j.options.seed;
    d.training.hardware = {cost::metric::peak_ram_bytes, static_cast<double>(*j.options.budget.ram_bytes) / 2.0, 2.0};
    d.log = j.log.file();
    search::supernet_evaluator judge(model, j.search_train, j.validation, j.norm, {.recalibration_batches = 4});
    j.state.history = search::differentiable_finish(search::differentiable_start(model, j.search_train, j.norm, judge, j.options.budget, d)).history;
}

/// The evaluation part of Space's program.
template <class Space>
constexpr space_evaluation_part evaluation_part_of() {
    return {&make_judge<Space>, &differentiable_search<Space>};
}

} // namespace nascent_search
