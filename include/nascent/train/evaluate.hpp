// nascent/train/evaluate.hpp - loss and accuracy of a model on a dataset, in inference mode.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <vector>

#include "nascent/autograd/tape.hpp"
#include "nascent/core/random.hpp"
#include "nascent/data/batcher.hpp"
#include "nascent/data/dataset.hpp"
#include "nascent/data/normalization.hpp"
#include "nascent/nn/context.hpp"
#include "nascent/nn/fake_quantization.hpp"
#include "nascent/nn/loss.hpp"

namespace nascent::train {

struct evaluation {
    double loss = 0.0;      ///< mean cross-entropy
    double accuracy = 0.0;  ///< fraction of correct top-1 predictions
    std::size_t samples = 0;
    double robustness = -1.0;    ///< a judge's extra: accuracy under weight perturbations (negative: not measured)
    double average_macs = -1.0;  ///< a judge's extra: avg_macs of an early-exit network (negative: not measured)
};

/// Runs `model` (batch norm on running statistics, no dropout, no gradients) over all of `data`.
/// For a supernet, `architecture` picks the path (empty: the first option of every decision).
/// With `quantization` (quantisation-aware training, nn/fake_quantization.hpp) the network runs
/// with its weights and activations rounded to int8 as in that training (the ranges stay frozen).
template <class Model>
evaluation evaluate(Model& model, const image_dataset& data, const normalization& norm, std::size_t batch_size = 256,
                    std::span<const int> architecture = {}, nn::fake_quantization* quantization = nullptr) {
    using T = typename Model::scalar;
    std::optional<nn::rounded_weights<T>> rounded;
    if (quantization != nullptr && quantization->weights) rounded.emplace(model.parameters());
    tape<T> graph;
    graph.enable_grad(false);
    rng order_unused;  // the batcher wants one; without shuffling it is never drawn from
    batcher<T> batches(data, batch_size, norm, false, false, order_unused);
    nn::context<T> ctx{graph, false, nullptr};
    tensor<T> images;
    std::vector<int> labels;
    evaluation result;
    double loss_sum = 0.0;
    std::size_t correct = 0;
    batches.start_epoch();
    while (batches.next(images, labels)) {
        graph.reset();
        ctx.decisions = decision_cursor(architecture.data(), architecture.size());
        if (quantization != nullptr) {
            quantization->begin_pass();
            ctx.quantization = quantization;
        }
        const var logits = model.forward(ctx, graph.leaf(images));
        const var loss = nn::softmax_cross_entropy(graph, logits, std::span<const int>(labels));
        loss_sum += static_cast<double>(graph.value(loss)(0, 0, 0, 0)) * static_cast<double>(labels.size());
        correct += nn::count_correct(graph.value(logits), std::span<const int>(labels));
        result.samples += labels.size();
    }
    if (result.samples > 0) {
        result.loss = loss_sum / static_cast<double>(result.samples);
        result.accuracy = static_cast<double>(correct) / static_cast<double>(result.samples);
    }
    return result;
}

} // namespace nascent::train
