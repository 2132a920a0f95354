// nascent/train/fit.hpp - the training loop: epochs of shuffled mini-batches, evaluation
// after each epoch, a progress bar and a summary.
//
// fit(model, optimizer, schedule, train, test, norm, options) trains in place
// and returns the history. Determinism: the shuffling and every random draw
// come from options.seed, so the same seed, data and thread count give the
// same weights bit for bit.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include <unistd.h>

#include "nascent/autograd/tape.hpp"
#include "nascent/core/error.hpp"
#include "nascent/core/random.hpp"
#include "nascent/core/text.hpp"
#include "nascent/data/augmentation.hpp"
#include "nascent/data/batcher.hpp"
#include "nascent/data/dataset.hpp"
#include "nascent/data/normalization.hpp"
#include "nascent/nn/context.hpp"
#include "nascent/nn/loss.hpp"
#include "nascent/train/evaluate.hpp"
#include "nascent/train/progress.hpp"
#include "nascent/train/sam.hpp"

namespace nascent::train {

struct epoch_stats {
    int epoch = 0;
    double learning_rate = 0.0;  ///< at the last step of the epoch
    double train_loss = 0.0;
    double train_accuracy = 0.0;
    double test_loss = 0.0;
    double test_accuracy = 0.0;
    double seconds = 0.0;        ///< training time of the epoch (evaluation excluded)
    double images_per_second = 0.0;
};

struct fit_report {
    std::vector<epoch_stats> epochs;
    double seconds = 0.0;  ///< wall time of the whole fit, evaluation included
    [[nodiscard]] const epoch_stats& last() const { return epochs.back(); }
};

struct fit_options {
    int epochs = 10;
    std::size_t batch_size = 128;
    std::uint64_t seed = 1;
    bool drop_last = false;
    bool progress = ::isatty(STDERR_FILENO) != 0;  ///< progress bar on stderr
    std::FILE* log = stdout;                        ///< one line per epoch and a summary; null for silence
    std::function<void(const epoch_stats&)> on_epoch;  ///< called after each epoch's evaluation
    augmentation augment{};         ///< random shifts and flips of the training images (data/augmentation.hpp)
    std::vector<int> architecture;  ///< for a supernet: the path to train (empty: first options)
    /// Quantisation-aware training when set: weights and activations are rounded as the int8
    /// program rounds them (nn/fake_quantization.hpp); the state belongs to this model and architecture.
    nn::fake_quantization* quantization = nullptr;
    /// Sharpness-aware minimisation when positive: each step applies the gradient at
    /// w + radius * g / |g| (train/sam.hpp). Not with quantisation-aware training.
    double sharpness_radius = 0.0;
    /// Early exits (space/early_exit.hpp): when set, one weight per exit, the final exit's last, and
    /// the loss is the weighted sum of every exit's cross-entropy (joint training). Empty: the
    /// heads are skipped and only the final exit learns.
    std::vector<double> exit_loss_weights;
};

namespace detail {

/// The joint loss of an early-exit network: weights[k] times exit k's cross-entropy, the final exit last.
template <class T>
var exit_loss(tape<T>& graph, std::vector<var>& exits, var final_logits, const std::vector<int>& labels, const std::vector<double>& weights) {
    exits.push_back(final_logits);
    require(exits.size() == weights.size(),
            string_of("fit: ", weights.size(), " exit loss weights for a network of ", exits.size(), " exits (the final one included)"));
    std::vector<var> losses;
    for (const var e : exits) losses.push_back(nn::softmax_cross_entropy(graph, e, std::span<const int>(labels)));
    return nn::weighted_sum(graph, std::span<const var>(losses), std::span<const double>(weights));
}

} // namespace detail

template <class Model, class Optimizer, class Schedule>
fit_report fit(Model& model, Optimizer& optimizer, const Schedule& schedule, const image_dataset& train_data,
               const image_dataset& test_data, const normalization& norm, const fit_options& options = {}) {
    using T = typename Model::scalar;
    using clock = std::chrono::steady_clock;
    require(options.epochs > 0, "fit: the number of epochs must be positive");
    require(options.batch_size > 0, "fit: the batch size must be positive");
    require(train_data.size() > 0, "fit: the training set is empty");
    require(options.sharpness_radius >= 0.0, "fit: the sharpness radius must be at least 0");
    require(options.sharpness_radius == 0.0 || options.quantization == nullptr,
            "fit: sharpness-aware minimisation and quantisation-aware training do not go together");
    require(options.exit_loss_weights.empty() || options.sharpness_radius == 0.0,
            "fit: sharpness-aware minimisation of an early-exit network's joint loss is not supported");

    rng random(options.seed);
    batcher<T> batches(train_data, options.batch_size, norm, true, options.drop_last, random);
    batches.set_augmentation(options.augment);
    const std::size_t per_epoch = batches.batches_per_epoch();
    const std::size_t total_steps = per_epoch * static_cast<std::size_t>(options.epochs);
    progress_bar bar(options.epochs, per_epoch, options.progress);
    tape<T> graph;
    nn::context<T> ctx{graph, true, &random};
    tensor<T> images;
    std::vector<int> labels;
    fit_report report;
    const auto fit_start = clock::now();
    std::size_t step = 0;
    sharpness_aware_step<T> sharpness(model.parameters(), model.buffers());
    const bool joint = !options.exit_loss_weights.empty();
    std::vector<var> exits;
    if (joint) ctx.exits = &exits;

    for (int epoch = 1; epoch <= options.epochs; ++epoch) {
        const auto epoch_start = clock::now();
        double loss_sum = 0.0, lr = 0.0;
        std::size_t correct = 0, seen = 0, batch = 0;
        batches.start_epoch();
        while (batches.next(images, labels)) {
            lr = schedule(step, total_steps);
            graph.reset();
            optimizer.zero_grad();
            ctx.decisions = decision_cursor(options.architecture.data(), options.architecture.size());
            std::optional<nn::rounded_weights<T>> rounded;  // quantisation-aware: the pass sees int8 weights
            if (options.quantization != nullptr) {
                options.quantization->begin_pass();
                ctx.quantization = options.quantization;
                if (options.quantization->weights) rounded.emplace(model.parameters());
            }
            exits.clear();
            const var logits = model.forward(ctx, graph.leaf(images));
            const var loss = joint ? detail::exit_loss(graph, exits, logits, labels, options.exit_loss_weights)
                                   : nn::softmax_cross_entropy(graph, logits, std::span<const int>(labels));
            graph.backward(loss);
            if (rounded) rounded->restore();  // the step moves the float masters
            loss_sum += static_cast<double>(graph.value(loss)(0, 0, 0, 0)) * static_cast<double>(labels.size());
            correct += nn::count_correct(graph.value(logits), std::span<const int>(labels));
            seen += labels.size();
            if (options.sharpness_radius > 0.0 && sharpness.ascend(options.sharpness_radius)) {
                graph.reset();
                optimizer.zero_grad();
                ctx.decisions = decision_cursor(options.architecture.data(), options.architecture.size());
                const var uphill = model.forward(ctx, graph.leaf(images));
                graph.backward(nn::softmax_cross_entropy(graph, uphill, std::span<const int>(labels)));
                sharpness.restore();
            }
            optimizer.step(lr);
            ++step;
            ++batch;
            const double elapsed = std::chrono::duration<double>(clock::now() - epoch_start).count();
            bar.update(epoch, batch, loss_sum / static_cast<double>(seen), static_cast<double>(correct) / static_cast<double>(seen),
                       static_cast<double>(seen) / (elapsed > 0 ? elapsed : 1e-9));
        }
        bar.finish_line();
        epoch_stats stats;
        stats.epoch = epoch;
        stats.learning_rate = lr;
        stats.seconds = std::chrono::duration<double>(clock::now() - epoch_start).count();
        stats.train_loss = loss_sum / static_cast<double>(seen);
        stats.train_accuracy = static_cast<double>(correct) / static_cast<double>(seen);
        stats.images_per_second = static_cast<double>(seen) / stats.seconds;
        if (test_data.size() > 0) {
            const evaluation test = evaluate(model, test_data, norm, 256, options.architecture, options.quantization);
            stats.test_loss = test.loss;
            stats.test_accuracy = test.accuracy;
        }
        report.epochs.push_back(stats);
        if (options.log != nullptr) {
            std::fprintf(options.log,
                         "epoch %2d/%d  lr %.4f  train loss %.4f acc %.2f%%  test loss %.4f acc %.2f%%  %.1f s  %.0f img/s\n",
                         epoch, options.epochs, lr, stats.train_loss, 100.0 * stats.train_accuracy, stats.test_loss,
                         100.0 * stats.test_accuracy, stats.seconds, stats.images_per_second);
            std::fflush(options.log);
        }
        if (options.on_epoch) options.on_epoch(stats);
    }
    report.seconds = std::chrono::duration<double>(clock::now() - fit_start).count();
    if (options.log != nullptr) {
        const epoch_stats& last = report.last();
        std::fprintf(options.log,
                     "summary: %d epochs, %zu steps, %s wall time; final train acc %.2f%%, test acc %.2f%% (loss %.4f)\n",
                     options.epochs, step, progress_bar::format_duration(report.seconds).c_str(),
                     100.0 * last.train_accuracy, 100.0 * last.test_accuracy, last.test_loss);
        std::fflush(options.log);
    }
    return report;
}

} // namespace nascent::train
