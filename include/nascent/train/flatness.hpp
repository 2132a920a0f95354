// nascent/train/flatness.hpp - how flat a trained model's loss is around its weights (FlatNAS).
//
//     train::flatness_options o;
//     o.sigma = 0.05;
//     o.draws = 8;
//     const train::flatness_report f = train::flatness_of(model, validation, norm, o);
//     // f.sharpness: the mean loss increase under the perturbations; 0 for a perfectly flat minimum
//
// Each draw multiplies every weight w by (1 + sigma * e), e standard normal and independent per
// weight, evaluates the model on `data` (inference mode, as train::evaluate), and puts the
// weights back bit for bit. The weights are the parameters that take weight decay (the
// convolutions' and dense layers' kernels); biases and batch-norm scales and shifts stay, unless
// `all_parameters` is set. Multiplicative noise is scale-aware: a weight moves in proportion to
// its size, so a layer's scale does not change the figure. The draws come from `seed` alone.
// top1_robust (FlatNAS's objective) mixes the accuracy with the robustness to the perturbation.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "nascent/core/error.hpp"
#include "nascent/core/random.hpp"
#include "nascent/core/text.hpp"
#include "nascent/data/dataset.hpp"
#include "nascent/data/normalization.hpp"
#include "nascent/train/evaluate.hpp"

namespace nascent::train {

struct flatness_options {
    double sigma = 0.05;            ///< relative size of the perturbation
    int draws = 5;                  ///< perturbations averaged
    std::uint64_t seed = 1;
    bool all_parameters = false;    ///< perturb biases and batch-norm parameters too
    std::vector<int> architecture;  ///< for a supernet: the path to evaluate
};

struct flatness_report {
    double loss = 0.0;                ///< at the weights themselves
    double accuracy = 0.0;
    double perturbed_loss = 0.0;      ///< mean over the draws
    double perturbed_accuracy = 0.0;  ///< mean over the draws: the robustness of top1_robust
    double sharpness = 0.0;           ///< perturbed_loss - loss
};

template <class Model>
flatness_report flatness_of(Model& model, const image_dataset& data, const normalization& norm, const flatness_options& options = {}) {
    using T = typename Model::scalar;
    require(options.sigma >= 0.0, string_of("flatness: sigma must be at least 0, got ", options.sigma));
    require(options.draws > 0, string_of("flatness: the number of draws must be positive, got ", options.draws));
    require(data.size() > 0, "flatness: the dataset is empty");
    const std::span<const int> path(options.architecture);
    std::vector<parameter<T>*> perturbed;
    for (parameter<T>* p : model.parameters())
        if (options.all_parameters || p->decay) perturbed.push_back(p);

    flatness_report f;
    const evaluation at_weights = evaluate(model, data, norm, 256, path);
    f.loss = at_weights.loss;
    f.accuracy = at_weights.accuracy;
    std::vector<std::vector<T>> kept(perturbed.size());
    for (std::size_t i = 0; i < perturbed.size(); ++i) kept[i].assign(perturbed[i]->value.begin(), perturbed[i]->value.end());
    rng random(options.seed);
    for (int d = 0; d < options.draws; ++d) {
        for (parameter<T>* p : perturbed)
            for (T& w : p->value) w *= static_cast<T>(1.0 + options.sigma * random.normal());
        const evaluation e = evaluate(model, data, norm, 256, path);
        f.perturbed_loss += e.loss;
        f.perturbed_accuracy += e.accuracy;
        for (std::size_t i = 0; i < perturbed.size(); ++i) std::copy(kept[i].begin(), kept[i].end(), perturbed[i]->value.begin());
    }
    f.perturbed_loss /= options.draws;
    f.perturbed_accuracy /= options.draws;
    f.sharpness = f.perturbed_loss - f.loss;
    return f;
}

/// The evaluation of `model` on `data` with its robustness (the perturbed accuracy of flatness_of)
/// filled: what a judge returns for the top1_robust objective.
template <class Model>
evaluation evaluate_with_robustness(Model& model, const image_dataset& data, const normalization& norm, const flatness_options& options) {
    const flatness_report f = flatness_of(model, data, norm, options);
    evaluation e;
    e.loss = f.loss;
    e.accuracy = f.accuracy;
    e.samples = data.size();
    e.robustness = f.perturbed_accuracy;
    return e;
}

/// FlatNAS's top1_robust: alpha * top1 + (1 - alpha) * robustness, both fractions in [0, 1];
/// alpha in [0, 1].
[[nodiscard]] inline double top1_robust(double top1, double robustness, double alpha) {
    require(alpha >= 0.0 && alpha <= 1.0, string_of("top1_robust: alpha must be between 0 and 1, got ", alpha));
    return alpha * top1 + (1.0 - alpha) * robustness;
}

} // namespace nascent::train
