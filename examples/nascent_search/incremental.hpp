// incremental.hpp - the search program's incremental modes (--incremental adapted | attach).
//
//   adapted  the space is deploy::incremental_space<Extractor>: the extractor's architecture, the
//            cut, the classifier's hidden width and the buffer's capacity, under budgets that bound
//            the whole incremental model. A candidate's extractor path takes its weights from a
//            supernet trained on the known classes (--evaluation supernet) or is trained from
//            scratch on them (train); it is built to int8, cut, given its classifier (fitted on
//            known-class images) and buffer, and learns the job's stream as the device would
//            (deploy::run_class_incremental). Its score is the held-out accuracy after learning.
//   attach   the baseline: the static space is searched on the known classes as in a static job;
//            the final models are the best static candidates that still fit the budgets with a
//            classifier attached (cut before the head, one dense layer), and each gets the largest
//            buffer of the choices that keeps the whole model within them.
//
// The final models of both are trained on the known classes, L1-pruned to --prune-flash when it
// is set (adapted: then the cut, hidden width and buffer are re-chosen on the validation images
// with the trained extractor, whose features are stronger than the search's), cut, judged on the
// test split before and after learning the stream, and exported as an incremental model header
// (deploy::write_incremental_header). The templates are instantiated in
// space_<name>_incremental.cpp.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

#include <nascent/data/class_subsets.hpp>
#include <nascent/deploy/build.hpp>
#include <nascent/deploy/export.hpp>
#include <nascent/deploy/incremental.hpp>
#include <nascent/deploy/incremental_space.hpp>
#include <nascent/deploy/incremental_task.hpp>
#include <nascent/prune/to_target.hpp>
#include <nascent/search/constraints.hpp>
#include <nascent/search/pareto_report.hpp>
#include <nascent/search/recalibrate.hpp>

#include "evaluation.hpp"
#include "final_models.hpp"
#include "job.hpp"

namespace nascent_search {

/// The first `count` images of `data`, normalised by `norm`, one after another.
inline std::vector<float> normalised_images(const nascent::image_dataset& data, std::size_t count, const nascent::normalization& norm) {
    std::vector<float> out;
    count = std::min(count, data.size());
    out.reserve(count * data.sample.size());
    for (std::size_t i = 0; i < count; ++i)
        for (std::size_t k = 0; k < data.sample.size(); ++k)
            out.push_back((static_cast<float>(data.image(i)[k]) / 255.0F - norm.mean[0]) / norm.stddev[0]);
    return out;
}

/// What the header of an incremental model built by `b` from images normalised by `norm` says about its input.
inline nascent::deploy::model_metadata input_metadata(const job& j, const nascent::deploy::build_result& b, const nascent::normalization& norm) {
    nascent::deploy::model_metadata m;
    m.space = nascent::string_of("nascent::deploy::incremental_space<nascent::zoo::", j.space->name, ">");
    m.mean = {norm.mean[0]};
    m.stddev = {norm.stddev[0]};
    m.input_scale = b.int8_params.input.scale;
    m.input_zero_point = b.int8_params.input.zero_point;
    m.class_names = j.test.class_names;
    return m;
}

/// An incremental model cut from a build, and how it did on a class-incremental run.
struct incremental_candidate {
    nascent::deploy::extractor extractor;
    nascent::deploy::learning::incremental_config config;
    nascent::deploy::incremental_outcome outcome;
    std::size_t cut_steps = 0;
};

/// Build `b` cut `cut_back` layer boundaries before its head, and the features of the job's
/// class-incremental task through it (the initial classifier fitted on `known`, judged on `held_out`).
struct cut_task {
    std::size_t steps = 0;
    nascent::deploy::extractor extractor;
    nascent::deploy::class_incremental_task task;
    nascent::deploy::task_features features;
};
inline cut_task cut_for_task(const job& j, const nascent::deploy::build_result& b, int cut_back, const nascent::normalization& norm,
                             const nascent::image_dataset& known, const nascent::image_dataset& held_out) {
    using namespace nascent;
    cut_task c;
    c.steps = deploy::cut_before_head(b.int8_program, cut_back);
    c.extractor = deploy::cut_extractor(b, c.steps);
    c.task = {.known = &known, .stream = &j.stream, .held_out = &held_out, .seed = j.options.seed};
    c.features = deploy::features_of(c.extractor, deploy::input_of_pixel<std::int8_t>(input_metadata(j, b, norm)), c.task);
    return c;
}

/// The incremental model of hidden width `hidden` and buffer `buffer` over cut `c`, run on its task.
inline incremental_candidate run_on_cut(const cut_task& c, std::uint32_t hidden, std::uint32_t buffer) {
    using namespace nascent;
    incremental_candidate r;
    r.cut_steps = c.steps;
    r.extractor = c.extractor;
    r.config = deploy::incremental_config_of(c.extractor.feature_count(), hidden, buffer, c.extractor.features);
    r.outcome = deploy::run_class_incremental(r.extractor, r.config, c.features, c.task);
    return r;
}

/// The incremental model `d` over build `b`, run on the job's stream: its initial classifier fitted
/// on `known`, judged on `held_out` before and after.
inline incremental_candidate run_candidate(const job& j, const nascent::deploy::build_result& b, const nascent::deploy::incremental_decision& d,
                                           const nascent::normalization& norm, const nascent::image_dataset& known,
                                           const nascent::image_dataset& held_out) {
    return run_on_cut(cut_for_task(j, b, d.cut_back, norm, known, held_out), d.hidden, d.buffer);
}

/// Judges incremental candidates by their held-out accuracy after learning the stream.
template <class Extractor>
class incremental_judge final : public candidate_judge {
public:
    using space = nascent::deploy::incremental_space<Extractor>;

    explicit incremental_judge(job& j) : j_(&j), calibration_(normalised_images(j.search_train, 200, j.norm)) {
        if (j.options.evaluation == evaluation_kind::supernet) {
            supernet_ = std::make_unique<nascent::nn::model<Extractor>>(job_input, j.options.seed);
            prepare_supernet(j, *supernet_);
        }
    }

    nascent::train::evaluation operator()(const nascent::architecture& a) override {
        using namespace nascent;
        const architecture key = nascent::space::canonical<space>(a);
        if (const auto hit = cache_.find(key); hit != cache_.end()) return hit->second;
        const deploy::incremental_decision d = space::decode(key.view());
        const architecture path{d.extractor};
        const auto build = [&](nn::model<Extractor>& model) { return deploy::build(model, path.view(), calibration_); };
        deploy::build_result b;
        if (supernet_) {
            b = search::with_recalibrated(*supernet_, path, j_->search_train, j_->norm, 4, 128, [&] { return build(*supernet_); });
        } else {
            nn::model<Extractor> model(job_input, j_->options.seed ^ hash_value(path));
            train_candidate(*j_, path, model);
            b = build(model);
        }
        const incremental_candidate c = run_candidate(*j_, b, d, j_->norm, j_->known, j_->validation);
        // the loss column of an incremental candidate is its error before learning
        const train::evaluation e{.loss = 1.0 - c.outcome.before / 100.0, .accuracy = c.outcome.after / 100.0, .samples = j_->validation.size()};
        cache_.emplace(key, e);
        return e;
    }

private:
    job* j_;
    std::vector<float> calibration_;
    std::unique_ptr<nascent::nn::model<Extractor>> supernet_;
    std::unordered_map<nascent::architecture, nascent::train::evaluation> cache_;
};

template <class Extractor>
std::unique_ptr<candidate_judge> make_incremental_judge(job& j) {
    return std::make_unique<incremental_judge<Extractor>>(j);
}

inline void no_differentiable_search(job&) { throw job_error("--incremental needs a strategy that evaluates candidates one by one", 2); }

/// The evaluation part of the incremental program over Extractor.
template <class Extractor>
constexpr space_evaluation_part incremental_evaluation_part_of() {
    return {&make_incremental_judge<Extractor>, &no_differentiable_search};
}

/// The classifier attach mode gives static network `extractor`: cut before the head, one dense
/// layer, and the largest buffer that keeps the whole model within the budgets (none when even
/// the smallest does not fit: that model is over budget, and the log says so).
template <class Extractor>
nascent::deploy::incremental_decision attached(job& j, std::span<const int> extractor) {
    using space = nascent::deploy::incremental_space<Extractor>;
    constexpr auto& buffers = space::choices::buffers;
    for (std::size_t k = buffers.size(); k-- > 0;) {
        const nascent::architecture a = space::encode(extractor, 0, 0, static_cast<int>(k));
        if (nascent::search::satisfies(space::figures(job_input, nascent::precision::int8, a.view()), j.options.budget)) return space::decode(a.view());
    }
    j.log.line("attach: no buffer keeps this network with a classifier attached within the budgets; it gets none and is over budget");
    return space::decode(space::encode(extractor, 0, 0, 0).view());
}

/// Adapted mode, after the final training: the cut, hidden width and buffer within the budgets that
/// do best on the validation images with the trained extractor `b` (the search chose them with
/// inherited or briefly trained weights, whose features are weaker). Judged as in the search.
template <class Extractor>
nascent::deploy::incremental_decision refined_decision(job& j, const nascent::deploy::build_result& b, const nascent::deploy::incremental_decision& searched,
                                                       const nascent::normalization& norm) {
    using namespace nascent;
    using space = deploy::incremental_space<Extractor>;
    deploy::incremental_decision best = searched;
    double best_score = -1.0;
    std::string tried;
    // the features depend on the cut alone: extracted once per cut (the cuts' indices, not values:
    // two of them may name the same boundary, which is then judged once)
    std::vector<std::size_t> judged_cuts;
    for (int cut = 0; cut < space::added[0]; ++cut) {
        const deploy::incremental_decision at_cut = space::decode(space::encode(searched.extractor, cut, 0, 0).view());
        const std::size_t steps = deploy::cut_before_head(b.int8_program, at_cut.cut_back);
        if (std::find(judged_cuts.begin(), judged_cuts.end(), steps) != judged_cuts.end()) continue;
        judged_cuts.push_back(steps);
        std::optional<cut_task> c;
        for (int hidden = 0; hidden < space::added[1]; ++hidden)
            for (int buffer = 0; buffer < space::added[2]; ++buffer) {
                const architecture a = space::encode(searched.extractor, cut, hidden, buffer);
                if (!search::satisfies(space::figures(job_input, precision::int8, a.view()), j.options.budget)) continue;
                const deploy::incremental_decision d = space::decode(a.view());
                if (!c) c = cut_for_task(j, b, d.cut_back, norm, j.known, j.validation);
                const double score = run_on_cut(*c, d.hidden, d.buffer).outcome.after;
                tried += string_of(tried.empty() ? "" : ", ", d.cut_back, "/", d.hidden, "/", d.buffer, " ", search::fixed_text(score, 1), "%");
                if (score > best_score) {
                    best_score = score;
                    best = d;
                }
            }
    }
    j.log.line("final: cut/hidden/buffer re-chosen on the validation images with the trained extractor: %s; best %d/%u/%u "
               "(searched %d/%u/%u)",
               tried.c_str(), best.cut_back, best.hidden, best.buffer, searched.cut_back, searched.hidden, searched.buffer);
    return best;
}

/// Trains pick `p`'s extractor on the known classes, prunes it (--prune-flash), cuts it, judges
/// it on the test split before and after learning the stream, and exports its header.
template <class Extractor, bool Attach>
final_model train_and_export_incremental(job& j, const final_pick& p, const nascent::image_dataset& train_set, const std::vector<final_pick>& picks) {
    using namespace nascent;
    using space = deploy::incremental_space<Extractor>;
    const job_options& o = j.options;
    const search::evaluated& e = j.state.history[p.index];
    const auto t = clock_type::now();
    deploy::incremental_decision d = Attach ? attached<Extractor>(j, e.arch.view()) : space::decode(e.arch.view());
    const image_dataset known = classes_of(subset(train_set, 0, std::min(train_set.size(), j.stream_first)), 0, o.known_classes);
    const normalization norm = standardization_of(known);
    nn::model<Extractor> model(job_input, o.seed);
    const int epochs = train_final(j, p, d.extractor, model, known, norm, picks);
    if (o.prune_flash > 0) {
        prune::prune_target target;
        target.budget.flash_bytes = o.prune_flash;
        target.budget.precision = precision::int8;
        const prune::prune_result r = prune::prune_to_target(model, architecture{d.extractor}, target, [&](const prune::prune_step& s) {
            train::sgd<float> tune(model.parameters(), {.momentum = 0.9, .weight_decay = 5e-5});
            train::fit_options settings;
            settings.epochs = 1;
            settings.seed = o.seed;
            settings.architecture = s.after.choices;
            settings.progress = false;
            settings.log = nullptr;
            (void)train::fit(model, tune, train::cosine_lr{.rate = o.learning_rate / 5.0}, subset(known, 0, std::min<std::size_t>(known.size(), 6000)),
                             subset(j.test, 0, 1), norm, settings);
            j.log.line("prune: slot %zu from %d to %d filters: network flash %zu B, peak RAM %zu B", s.slot, s.from_width, s.to_width, s.costs.flash_bytes,
                       s.costs.peak_ram_bytes);
        });
        if (!r.reached) j.log.line("prune: stopped short of %zu B of flash: %s", o.prune_flash, r.stopped.c_str());
        d.extractor = r.arch.choices;
    }
    const deploy::build_result b = deploy::build(model, d.extractor, calibration_images(j, norm));
    if (!Attach) d = refined_decision<Extractor>(j, b, d, norm);
    // the initial classifier is fitted on as many known-class images as in the search
    const incremental_candidate c = run_candidate(j, b, d, norm, subset(known, 0, std::min(known.size(), j.known.size())), j.test);

    const architecture whole = space::encode(d);
    const cost::costs figures = space::figures(job_input, precision::int8, whole.view());
    final_model m;
    m.name = p.name;
    m.why = p.why;
    m.architecture = to_text(whole);
    m.peak_ram = c.outcome.ram.total;
    m.flash = c.outcome.flash_bytes;
    m.macs = figures.macs;
    m.params = figures.params;
    m.search_accuracy = 100.0 * e.accuracy;
    m.float_accuracy = -1.0;
    m.int8_accuracy = c.outcome.before;
    m.adapted_accuracy = c.outcome.after;
    m.epochs = epochs;
    if (m.peak_ram != figures.peak_ram_bytes || m.flash != figures.flash_bytes)
        throw job_error(string_of("final: ", p.name, ": the incremental model takes ", m.peak_ram, " B of RAM and ", m.flash, " B of flash; its figures said ",
                                  figures.peak_ram_bytes, " and ", figures.flash_bytes));
    if (!search::satisfies(figures, o.budget)) j.log.line("final: %s is over the budgets (%s)", p.name.c_str(), search::describe(o.budget).c_str());

    deploy::incremental_metadata meta;
    meta.model = input_metadata(j, b, norm);
    meta.model.architecture = m.architecture;
    meta.model.decisions = whole.choices;
    meta.cut_steps = c.cut_steps;
    meta.accuracy = c.outcome.before;
    const std::filesystem::path header = j.out / "models" / (p.name + ".hpp");
    deploy::write_incremental_header(header, p.name, c.extractor, c.config, c.outcome.initial, meta);
    m.seconds = job::seconds_since(t);
    j.log.line("final: %s: test accuracy before learning %.2f%%, after %.2f%% (%zu samples learned); RAM %zu B, flash %zu B; wrote %s (%s)", p.name.c_str(),
               m.int8_accuracy, m.adapted_accuracy, static_cast<std::size_t>(c.outcome.counters.learned), m.peak_ram, m.flash, header.c_str(),
               minutes(m.seconds).c_str());
    return m;
}

/// Attach mode: whether static network `a` with a classifier attached (no buffer) is within the budgets.
template <class Extractor>
bool attach_fits(const job& j, const nascent::architecture& a) {
    using space = nascent::deploy::incremental_space<Extractor>;
    return nascent::search::satisfies(space::figures(job_input, nascent::precision::int8, space::encode(a.view(), 0, 0, 0).view()), j.options.budget);
}

template <class Extractor>
constexpr space_final_part incremental_final_part_of() {
    return {&train_and_export_incremental<Extractor, false>};
}
/// The attach mode picks, among the static candidates, those that still fit with a classifier attached.
template <class Extractor>
constexpr space_final_part attach_final_part_of() {
    return {&train_and_export_incremental<Extractor, true>, &attach_fits<Extractor>};
}

} // namespace nascent_search
