// nascent/train/early_exit.hpp - early-exit networks: every exit's predictions, the exit policy
// by confidence, its thresholds chosen on validation data, and EDANAS's avg_macs.
//
//   fit_options f;  f.exit_loss_weights = {0.5, 1.0};                 // the joint loss of one early exit and the final one
//   const train::exit_predictions v = train::predict_exits(model, validation, norm);
//   const train::exit_policy policy = train::choose_thresholds(v);  // within 1 % of the final exit's accuracy
//   const train::exit_outcome o = train::apply_policy(train::predict_exits(model, test, norm), policy);
//   const double avg = train::average_macs(o, cost::exit_figures_of<net>(in, cost::precision::int8));
//
// The policy stops an input at the first early exit whose softmax maximum reaches that exit's
// threshold tau (in (0, 1]); an input no early exit is sure of leaves at the final exit.
// choose_thresholds walks the exits front to back and gives each the lowest tau of the grid that
// keeps the policy's validation accuracy within max_accuracy_drop of the final exit's alone
// (later exits closed meanwhile), or 1 (almost never leaving) when none does: the cheapest
// policy, exit by exit, that costs at most that much accuracy. avg_macs is EDANAS's: the share of
// inputs leaving at each exit times the MACs up to it and of its head (cost/exits.hpp).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <span>
#include <vector>

#include "nascent/autograd/tape.hpp"
#include "nascent/core/error.hpp"
#include "nascent/core/random.hpp"
#include "nascent/core/text.hpp"
#include "nascent/cost/exits.hpp"
#include "nascent/data/batcher.hpp"
#include "nascent/data/dataset.hpp"
#include "nascent/data/normalization.hpp"
#include "nascent/nn/context.hpp"
#include "nascent/train/evaluate.hpp"

namespace nascent::train {

/// What every exit said of every image: exits() per image, the final exit last.
struct exit_predictions {
    std::size_t exit_count = 0;            ///< early exits + the final one
    std::vector<int> predicted;            ///< [image][exit]: the class of largest logit
    std::vector<double> confidence;        ///< [image][exit]: the softmax maximum
    std::vector<int> labels;               ///< [image]

    [[nodiscard]] std::size_t images() const noexcept { return labels.size(); }
    [[nodiscard]] int predicted_at(std::size_t image, std::size_t exit) const { return predicted[image * exit_count + exit]; }
    [[nodiscard]] double confidence_at(std::size_t image, std::size_t exit) const { return confidence[image * exit_count + exit]; }
};

/// One threshold per early exit (not the final one).
struct exit_policy {
    std::vector<double> thresholds;
};

/// The policy's effect on a set of images.
struct exit_outcome {
    double accuracy = 0.0;
    std::vector<std::size_t> counts;  ///< images leaving at each exit, the final one last
    std::vector<double> shares;       ///< the same as fractions of the images

    /// The accuracy of the images that left at exit k (0 when none did).
    std::vector<double> accuracy_at;
};

/// A threshold must lie in (0, 1]; throws nascent::error naming it otherwise.
inline void check_threshold(double tau) {
    require(tau > 0.0 && tau <= 1.0, string_of("early exit: the threshold tau must be in (0, 1], got ", tau));
}

/// Runs `model` over `data` in inference mode with every exit open (architecture `arch` of a supernet).
template <class Model>
exit_predictions predict_exits(Model& model, const image_dataset& data, const normalization& norm, std::span<const int> arch = {},
                               std::size_t batch_size = 256) {
    using T = typename Model::scalar;
    require(data.size() > 0, "predict_exits: the dataset is empty");
    tape<T> graph;
    graph.enable_grad(false);
    rng unused;
    batcher<T> batches(data, batch_size, norm, false, false, unused);
    nn::context<T> ctx{graph, false, nullptr};
    std::vector<var> exits;
    ctx.exits = &exits;
    tensor<T> images;
    std::vector<int> labels;
    exit_predictions out;
    batches.start_epoch();
    while (batches.next(images, labels)) {
        graph.reset();
        exits.clear();
        ctx.decisions = decision_cursor(arch.data(), arch.size());
        const var final_logits = model.forward(ctx, graph.leaf(images));
        exits.push_back(final_logits);
        if (out.exit_count == 0) out.exit_count = exits.size();
        require(out.exit_count == exits.size(), "predict_exits: the number of exits changed between batches");
        const std::size_t n = labels.size();
        const std::size_t first = out.labels.size();
        out.labels.insert(out.labels.end(), labels.begin(), labels.end());
        out.predicted.resize((first + n) * out.exit_count);
        out.confidence.resize((first + n) * out.exit_count);
        for (std::size_t e = 0; e < exits.size(); ++e) {
            const tensor<T>& logits = graph.value(exits[e]);
            const std::size_t classes = sample_shape(logits).size();
            const T* row = logits.data();
            for (std::size_t i = 0; i < n; ++i, row += classes) {
                std::size_t best = 0;
                for (std::size_t k = 1; k < classes; ++k)
                    if (row[k] > row[best]) best = k;
                double sum = 0.0;
                for (std::size_t k = 0; k < classes; ++k) sum += std::exp(static_cast<double>(row[k]) - static_cast<double>(row[best]));
                out.predicted[(first + i) * out.exit_count + e] = static_cast<int>(best);
                out.confidence[(first + i) * out.exit_count + e] = 1.0 / sum;
            }
        }
    }
    return out;
}

/// The exit image i of `p` leaves at under `thresholds` (one per early exit; the final exit takes the rest).
[[nodiscard]] inline std::size_t exit_taken(const exit_predictions& p, std::size_t i, std::span<const double> thresholds) noexcept {
    std::size_t e = 0;
    while (e + 1 < p.exit_count && p.confidence_at(i, e) < thresholds[e]) ++e;
    return e;
}

/// Where each image leaves under `policy`, and the accuracy that gives.
inline exit_outcome apply_policy(const exit_predictions& p, const exit_policy& policy) {
    require(p.exit_count > 0, "apply_policy: no predictions");
    require(policy.thresholds.size() + 1 == p.exit_count,
            string_of("apply_policy: ", policy.thresholds.size(), " thresholds for ", p.exit_count - 1, " early exits"));
    for (const double tau : policy.thresholds) check_threshold(tau);
    exit_outcome o;
    o.counts.assign(p.exit_count, 0);
    std::vector<std::size_t> right(p.exit_count, 0);
    std::size_t correct = 0;
    for (std::size_t i = 0; i < p.images(); ++i) {
        const std::size_t e = exit_taken(p, i, policy.thresholds);
        ++o.counts[e];
        const bool hit = p.predicted_at(i, e) == p.labels[i];
        right[e] += hit ? 1U : 0U;
        correct += hit ? 1U : 0U;
    }
    const double n = static_cast<double>(std::max<std::size_t>(p.images(), 1));
    o.accuracy = static_cast<double>(correct) / n;
    for (std::size_t e = 0; e < p.exit_count; ++e) {
        o.shares.push_back(static_cast<double>(o.counts[e]) / n);
        o.accuracy_at.push_back(o.counts[e] > 0 ? static_cast<double>(right[e]) / static_cast<double>(o.counts[e]) : 0.0);
    }
    return o;
}

namespace detail {

/// Sum over exits of shares[e] times figure(exits[e]).
template <class Figure>
double share_weighted(const char* who, std::span<const double> shares, std::span<const cost::exit_figures> exits, Figure figure) {
    require(shares.size() == exits.size(), string_of(who, ": ", shares.size(), " exits measured, ", exits.size(), " in the cost model"));
    double sum = 0.0;
    for (std::size_t e = 0; e < exits.size(); ++e) sum += shares[e] * static_cast<double>(figure(exits[e]));
    return sum;
}

} // namespace detail

/// EDANAS's avg_macs: sum over exits of the share of inputs leaving there times its macs_to_exit().
inline double average_macs(std::span<const double> shares, std::span<const cost::exit_figures> exits) {
    return detail::share_weighted("average_macs", shares, exits, [](const cost::exit_figures& x) { return x.macs_to_exit(); });
}
inline double average_macs(const exit_outcome& o, std::span<const cost::exit_figures> exits) { return average_macs(o.shares, exits); }

/// What the device runs on average: the share at each exit times its device_macs.
inline double average_device_macs(std::span<const double> shares, std::span<const cost::exit_figures> exits) {
    return detail::share_weighted("average_device_macs", shares, exits, [](const cost::exit_figures& x) { return x.device_macs; });
}
inline double average_device_macs(const exit_outcome& o, std::span<const cost::exit_figures> exits) {
    return average_device_macs(o.shares, exits);
}

struct threshold_options {
    double max_accuracy_drop = 0.01;  ///< below the final exit's accuracy alone, on the validation images
    std::vector<double> grid{0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98, 0.99, 0.995, 1.0};  ///< thresholds tried, each in (0, 1]
};

/// The thresholds (see the top of this header) from predictions on validation images.
inline exit_policy choose_thresholds(const exit_predictions& validation, const threshold_options& options = {}) {
    require(validation.exit_count > 0 && validation.images() > 0, "choose_thresholds: no validation predictions");
    require(options.max_accuracy_drop >= 0.0, "choose_thresholds: the accuracy drop must not be negative");
    require(!options.grid.empty(), "choose_thresholds: the grid of thresholds is empty");
    for (const double tau : options.grid) check_threshold(tau);
    std::vector<double> grid = options.grid;
    std::sort(grid.begin(), grid.end());
    std::size_t final_correct = 0;
    for (std::size_t i = 0; i < validation.images(); ++i)
        final_correct += validation.predicted_at(i, validation.exit_count - 1) == validation.labels[i] ? 1U : 0U;
    const double target = static_cast<double>(final_correct) / static_cast<double>(validation.images()) - options.max_accuracy_drop;
    auto accuracy_with = [&](const std::vector<double>& thresholds) {
        std::size_t correct = 0;
        for (std::size_t i = 0; i < validation.images(); ++i)
            correct += validation.predicted_at(i, exit_taken(validation, i, thresholds)) == validation.labels[i] ? 1U : 0U;
        return static_cast<double>(correct) / static_cast<double>(validation.images());
    };
    exit_policy policy;
    std::vector<double>& trial = policy.thresholds;
    trial.assign(validation.exit_count - 1, 2.0);  // above every confidence: the exits not yet chosen stay closed
    for (std::size_t e = 0; e + 1 < validation.exit_count; ++e) {
        trial[e] = 1.0;
        for (const double tau : grid) {
            std::vector<double> t = trial;
            t[e] = tau;
            if (accuracy_with(t) >= target - 1e-12) {
                trial[e] = tau;
                break;
            }
        }
    }
    return policy;
}

/// An early-exit network judged as EDANAS judges a candidate: its thresholds chosen on `data`
/// within `max_accuracy_drop`, the evaluation the policy's accuracy there with its avg_macs over
/// `exits` (the network's exit figures; the loss is not measured). The policy goes to `chosen`
/// when given.
template <class Model>
evaluation evaluate_exits(Model& model, const image_dataset& data, const normalization& norm, std::span<const int> arch,
                          std::span<const cost::exit_figures> exits, double max_accuracy_drop, exit_policy* chosen = nullptr,
                          std::size_t batch_size = 256) {
    const exit_predictions p = predict_exits(model, data, norm, arch, batch_size);
    threshold_options t;
    t.max_accuracy_drop = max_accuracy_drop;
    const exit_policy policy = choose_thresholds(p, t);
    const exit_outcome o = apply_policy(p, policy);
    if (chosen != nullptr) *chosen = policy;
    evaluation e;
    e.accuracy = o.accuracy;
    e.samples = p.images();
    e.average_macs = average_macs(o, exits);
    return e;
}

} // namespace nascent::train
