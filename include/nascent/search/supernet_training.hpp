// nascent/search/supernet_training.hpp - training a weight-sharing supernet.
//
// Modes:
// - fixed_path: one given architecture (single path), e.g. to train a found
//   architecture from scratch inside the supernet's weights;
// - uniform: a uniformly drawn valid path per step (SPOS);
// - fair: FairNAS strict fairness, m paths per update with accumulated gradients;
// - darts, gumbel_soft, gumbel_hard: every decision mixed by its alphas, with
//   first-order bilevel alternation: a weight step on a training batch, then an
//   alpha step (Adam) on a batch of the held-out split, plus the hardware loss
//   (search/hardware_loss.hpp). Gumbel temperatures anneal geometrically.
// The training images are split: the last `validation_fraction` of them serve
// the alpha steps (bilevel modes only); all of them train the weights otherwise.
#pragma once

#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <span>
#include <vector>

#include "nascent/autograd/tape.hpp"
#include "nascent/core/error.hpp"
#include "nascent/core/random.hpp"
#include "nascent/data/batcher.hpp"
#include "nascent/data/dataset.hpp"
#include "nascent/data/normalization.hpp"
#include "nascent/nn/context.hpp"
#include "nascent/nn/loss.hpp"
#include "nascent/search/hardware_loss.hpp"
#include "nascent/search/sampler.hpp"
#include "nascent/space/architecture.hpp"
#include "nascent/train/adam.hpp"
#include "nascent/train/schedule.hpp"
#include "nascent/train/sgd.hpp"

namespace nascent::search {

enum class supernet_mode { fixed_path, uniform, fair, darts, gumbel_soft, gumbel_hard };

[[nodiscard]] constexpr const char* name(supernet_mode m) noexcept {
    switch (m) {
    case supernet_mode::fixed_path: return "fixed path";
    case supernet_mode::uniform: return "uniform (SPOS)";
    case supernet_mode::fair: return "strict fairness (FairNAS)";
    case supernet_mode::darts: return "softmax mixing (DARTS)";
    case supernet_mode::gumbel_soft: return "Gumbel-softmax, soft (FBNet)";
    case supernet_mode::gumbel_hard: return "Gumbel-softmax, hard (GDAS)";
    }
    return "?";
}

[[nodiscard]] constexpr bool bilevel(supernet_mode m) noexcept {
    return m == supernet_mode::darts || m == supernet_mode::gumbel_soft || m == supernet_mode::gumbel_hard;
}

struct supernet_options {
    supernet_mode mode = supernet_mode::uniform;
    int epochs = 1;
    std::size_t batch_size = 128;
    std::uint64_t seed = 1;
    double learning_rate = 0.05;  ///< weights: SGD with momentum, cosine decay
    double momentum = 0.9;
    double weight_decay = 5e-5;
    double alpha_learning_rate = 3e-3;  ///< alphas: Adam
    double temperature_start = 5.0;     ///< Gumbel modes
    double temperature_end = 0.5;
    double validation_fraction = 0.5;   ///< bilevel modes: share of the training images for the alpha steps
    hardware_loss hardware{};           ///< bilevel modes
    architecture path{};                ///< fixed_path
    std::size_t max_steps = 0;          ///< stop after this many weight updates (0: all epochs)
    /// Early-exit spaces (single-path modes): each exit of a path adds this weight times its
    /// cross-entropy to the loss (the final exit's weight is 1). 0: the heads are not trained.
    double exit_loss_weight = 0.0;
    std::FILE* log = nullptr;           ///< one line per epoch
};

struct supernet_epoch {
    int epoch = 0;
    double loss = 0.0;
    double accuracy = 0.0;
    double seconds = 0.0;
    double expected_cost = 0.0;  ///< bilevel modes: E[cost] of the hardware metric after the epoch
    architecture derived{};      ///< bilevel modes: the derived architecture after the epoch
};

struct supernet_report {
    std::vector<supernet_epoch> epochs;
    std::size_t steps = 0;          ///< weight updates
    std::size_t paths_trained = 0;  ///< forward/backward passes on weights
    double seconds = 0.0;
};

/// Trains the supernet `model` (an nn::model of `Space`) on `data` as `options` say.
template <class Space, class Model>
supernet_report train_supernet(Model& model, const image_dataset& data, const normalization& norm,
                               const supernet_options& options) {
    using T = typename Model::scalar;
    using clock = std::chrono::steady_clock;
    require(options.epochs > 0 && options.batch_size > 0, "train_supernet: epochs and batch size must be positive");
    const bool two_level = bilevel(options.mode);
    if (options.mode == supernet_mode::fixed_path)
        (void)checked<Space>(options.path, model.input_shape());  // throws naming the problem
    const std::size_t held_out =
        two_level ? static_cast<std::size_t>(static_cast<double>(data.size()) * options.validation_fraction) : 0;
    require(held_out < data.size() && (!two_level || held_out > 0),
            "train_supernet: the split leaves no images for the weights or none for the alphas");
    const image_dataset weight_data = two_level ? subset(data, 0, data.size() - held_out) : image_dataset{};
    const image_dataset alpha_data = two_level ? subset(data, data.size() - held_out, held_out) : image_dataset{};
    const image_dataset& train_set = two_level ? weight_data : data;

    rng random(options.seed);
    rng alpha_order(options.seed ^ 0xa1fa);
    batcher<T> batches(train_set, options.batch_size, norm, true, true, random);
    std::optional<batcher<T>> alpha_batches;
    if (two_level) alpha_batches.emplace(alpha_data, options.batch_size, norm, true, true, alpha_order);
    train::sgd<T> weights(model.parameters(), {.momentum = options.momentum, .weight_decay = options.weight_decay});
    train::adam<T> alphas(model.architecture_parameters(), {.beta1 = 0.5, .beta2 = 0.999});
    const train::cosine_lr schedule{options.learning_rate, 0.0, 0};
    uniform_sampler<Space> uniform(model.input_shape(), random);
    fair_sampler<Space> fair(model.input_shape(), random);

    const nn::sampling mixing = options.mode == supernet_mode::darts         ? nn::sampling::mixed
                                : options.mode == supernet_mode::gumbel_soft ? nn::sampling::gumbel_soft
                                : options.mode == supernet_mode::gumbel_hard ? nn::sampling::gumbel_hard
                                                                             : nn::sampling::single_path;
    const std::size_t per_epoch = batches.batches_per_epoch();
    std::size_t total = per_epoch * static_cast<std::size_t>(options.epochs);
    if (options.max_steps > 0 && options.max_steps < total) total = options.max_steps;
    tape<T> graph;
    nn::context<T> ctx{graph, true, &random, mixing};
    std::vector<var> exits;
    if (options.exit_loss_weight > 0.0 && mixing == nn::sampling::single_path) ctx.exits = &exits;
    tensor<T> images, alpha_images;
    std::vector<int> labels, alpha_labels;
    supernet_report report;
    const auto start = clock::now();

    for (int epoch = 1; epoch <= options.epochs && report.steps < total; ++epoch) {
        const auto epoch_start = clock::now();
        double loss_sum = 0.0;
        std::size_t correct = 0, seen = 0;
        batches.start_epoch();
        if (alpha_batches) alpha_batches->start_epoch();
        while (report.steps < total && batches.next(images, labels)) {
            const double progress = static_cast<double>(report.steps) / static_cast<double>(total);
            ctx.temperature = options.temperature_start * std::pow(options.temperature_end / options.temperature_start, progress);
            // Paths of this update (one, or FairNAS's group); bilevel modes mix instead.
            std::vector<architecture> paths;
            if (options.mode == supernet_mode::fixed_path) paths = {options.path};
            else if (options.mode == supernet_mode::uniform) paths = uniform.next_group();
            else if (options.mode == supernet_mode::fair) paths = fair.next_group();
            else paths = {architecture{}};
            weights.zero_grad();
            for (const auto& path : paths) {
                graph.reset();
                ctx.decisions = decision_cursor(path.choices.data(), path.size());
                exits.clear();
                const var logits = model.forward(ctx, graph.leaf(images));
                var loss = nn::softmax_cross_entropy(graph, logits, std::span<const int>(labels));
                if (!exits.empty()) {
                    std::vector<var> terms{loss};
                    std::vector<double> w{1.0};
                    for (const var e : exits) {
                        terms.push_back(nn::softmax_cross_entropy(graph, e, std::span<const int>(labels)));
                        w.push_back(options.exit_loss_weight);
                    }
                    loss = nn::weighted_sum(graph, std::span<const var>(terms), std::span<const double>(w));
                }
                graph.backward(loss);
                loss_sum += static_cast<double>(graph.value(loss)(0, 0, 0, 0)) * static_cast<double>(labels.size());
                correct += nn::count_correct(graph.value(logits), std::span<const int>(labels));
                seen += labels.size();
                ++report.paths_trained;
            }
            weights.step(schedule(report.steps, total));
            ++report.steps;
            if (two_level) {
                if (!alpha_batches->next(alpha_images, alpha_labels)) {
                    alpha_batches->start_epoch();
                    alpha_batches->next(alpha_images, alpha_labels);
                }
                alphas.zero_grad();
                graph.reset();
                ctx.decisions = decision_cursor{};
                const var logits = model.forward(ctx, graph.leaf(alpha_images));
                graph.backward(nn::softmax_cross_entropy(graph, logits, std::span<const int>(alpha_labels)));
                if (options.hardware.enabled()) (void)apply_hardware_loss<Space>(model, model.input_shape(), options.hardware);
                alphas.step(options.alpha_learning_rate);
                weights.zero_grad();  // the alpha step's weight gradients are not used
            }
        }
        supernet_epoch stats;
        stats.epoch = epoch;
        stats.loss = seen > 0 ? loss_sum / static_cast<double>(seen) : 0.0;
        stats.accuracy = seen > 0 ? static_cast<double>(correct) / static_cast<double>(seen) : 0.0;
        stats.seconds = std::chrono::duration<double>(clock::now() - epoch_start).count();
        if (two_level) {
            stats.derived = model.derive();
            stats.expected_cost = apply_hardware_loss<Space>(model, model.input_shape(), options.hardware, false).expected;
        }
        if (options.log != nullptr) {
            std::fprintf(options.log, "supernet %s: epoch %d  loss %.4f  train acc %.2f%%  %.1f s", name(options.mode), epoch,
                         stats.loss, 100.0 * stats.accuracy, stats.seconds);
            if (two_level) std::fprintf(options.log, "  E[cost] %.0f  derived %s", stats.expected_cost, to_text(stats.derived).c_str());
            std::fprintf(options.log, "\n");
            std::fflush(options.log);
        }
        report.epochs.push_back(std::move(stats));
    }
    report.seconds = std::chrono::duration<double>(clock::now() - start).count();
    return report;
}

} // namespace nascent::search
