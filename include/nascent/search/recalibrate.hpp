// nascent/search/recalibrate.hpp - batch-norm statistics for one path of a supernet.
//
// Weights inherited from a supernet come with running statistics averaged
// over many paths; evaluated on one path they are wrong. recalibrate() replaces
// them by the exact average of their per-batch values over a few training batches
// run in training mode along the path (no gradients, weights untouched).
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

#include "nascent/autograd/tape.hpp"
#include "nascent/core/random.hpp"
#include "nascent/data/batcher.hpp"
#include "nascent/data/dataset.hpp"
#include "nascent/data/normalization.hpp"
#include "nascent/nn/context.hpp"
#include "nascent/ops/batch_norm.hpp"
#include "nascent/space/architecture.hpp"

namespace nascent::search {

/// Re-estimates every batch-norm running mean and variance of `model` for path `arch` from
/// `batches` batches of `data` (in order, from the start). Returns the batches used.
template <class Model>
std::size_t recalibrate(Model& model, const architecture& arch, const image_dataset& data, const normalization& norm,
                        std::size_t batches = 8, std::size_t batch_size = 128) {
    using T = typename Model::scalar;
    const auto stats = model.buffers();
    // The kernel updates running = (1 - m) running + m batch: recover each batch's own statistic.
    constexpr double m = nascent::batch_norm::momentum;
    std::vector<std::vector<double>> sum(stats.size());
    for (std::size_t b = 0; b < stats.size(); ++b) sum[b].assign(stats[b]->value.size(), 0.0);
    tape<T> graph;
    graph.enable_grad(false);
    rng unused;
    batcher<T> source(data, batch_size, norm, false, false, unused);
    nn::context<T> ctx{graph, true, &unused};
    tensor<T> images;
    std::vector<int> labels;
    std::vector<std::vector<T>> before(stats.size());
    std::size_t used = 0;
    source.start_epoch();
    while (used < batches && source.next(images, labels)) {
        for (std::size_t b = 0; b < stats.size(); ++b) before[b].assign(stats[b]->value.begin(), stats[b]->value.end());
        graph.reset();
        ctx.decisions = decision_cursor(arch.choices.data(), arch.size());
        (void)model.forward(ctx, graph.leaf(images));
        for (std::size_t b = 0; b < stats.size(); ++b)
            for (std::size_t i = 0; i < sum[b].size(); ++i)
                sum[b][i] += (static_cast<double>(stats[b]->value.data()[i]) - (1.0 - m) * static_cast<double>(before[b][i])) / m;
        ++used;
    }
    // A layer off the path saw no batch: its recovered "batch statistic" is its own value, unchanged.
    for (std::size_t b = 0; b < stats.size() && used > 0; ++b)
        for (std::size_t i = 0; i < sum[b].size(); ++i)
            stats[b]->value.data()[i] = static_cast<T>(sum[b][i] / static_cast<double>(used));
    return used;
}

/// Calls `use()` with the batch-norm statistics of `model` re-estimated for path `arch` (as
/// recalibrate() does; none when `batches` is 0), then restores the model's own statistics, so
/// that the model is left as it was. Returns what `use()` returns.
template <class Model, class Use>
decltype(auto) with_recalibrated(Model& model, const architecture& arch, const image_dataset& data, const normalization& norm,
                                 std::size_t batches, std::size_t batch_size, Use&& use) {
    const auto buffers = model.buffers();
    std::vector<std::vector<typename Model::scalar>> saved(buffers.size());
    for (std::size_t b = 0; b < buffers.size(); ++b) saved[b].assign(buffers[b]->value.begin(), buffers[b]->value.end());
    struct restore {
        const decltype(buffers)& to;
        std::vector<std::vector<typename Model::scalar>>& from;
        ~restore() {
            for (std::size_t b = 0; b < to.size(); ++b) std::copy(from[b].begin(), from[b].end(), to[b]->value.begin());
        }
    } restore_on_exit{buffers, saved};
    if (batches > 0) (void)recalibrate(model, arch, data, norm, batches, batch_size);
    return use();
}

} // namespace nascent::search
