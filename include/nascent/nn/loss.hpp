// nascent/nn/loss.hpp - the differentiable softmax cross-entropy loss and accuracy counting.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "nascent/autograd/tape.hpp"
#include "nascent/core/error.hpp"
#include "nascent/nn/kernels/softmax_cross_entropy.hpp"

namespace nascent::nn {

/// Records the mean softmax cross-entropy of `logits` [batch, 1, 1, classes] against `labels`;
/// the result is a scalar node [1, 1, 1, 1]. The labels must outlive the backward pass.
template <class T>
var softmax_cross_entropy(tape<T>& t, var logits, std::span<const int> labels) {
    const int batch = batch_size(t.value(logits));
    const int classes = static_cast<int>(sample_shape(t.value(logits)).size());
    require(labels.size() == static_cast<std::size_t>(batch), "softmax_cross_entropy: one label per sample is needed");
    for (const int label : labels)
        require(label >= 0 && label < classes, "softmax_cross_entropy: a label is outside [0, classes)");
    const var loss = t.record({1, 1, 1, 1}, t.requires_grad(logits), [logits, labels, batch, classes](tape<T>& tp, var self) {
        kernels::softmax_cross_entropy_backward(batch, classes, tp.saved(self).data(), labels.data(),
                                                tp.grad(self)(0, 0, 0, 0), tp.grad(logits).data());
    });
    auto& probs = t.saved(loss);
    probs.resize(static_cast<std::size_t>(batch) * static_cast<std::size_t>(classes));
    t.value(loss)(0, 0, 0, 0) = static_cast<T>(
        kernels::softmax_cross_entropy_forward(batch, classes, t.value(logits).data(), labels.data(), probs.data()));
    return loss;
}

/// Records sum_i weights[i] * terms[i] over scalar nodes [1, 1, 1, 1] (the joint loss of an
/// early-exit network: one cross-entropy per exit).
template <class T>
var weighted_sum(tape<T>& t, std::span<const var> terms, std::span<const double> weights) {
    require(terms.size() == weights.size() && !terms.empty(), "weighted_sum: one weight per term, and at least one term");
    bool grad = false;
    double sum = 0.0;
    for (std::size_t i = 0; i < terms.size(); ++i) {
        grad = grad || t.requires_grad(terms[i]);
        sum += weights[i] * static_cast<double>(t.value(terms[i])(0, 0, 0, 0));
    }
    const std::vector<var> kept(terms.begin(), terms.end());
    const std::vector<double> w(weights.begin(), weights.end());
    const var total = t.record({1, 1, 1, 1}, grad, [kept, w](tape<T>& tp, var self) {
        const T g = tp.grad(self)(0, 0, 0, 0);
        for (std::size_t i = 0; i < kept.size(); ++i)
            if (tp.requires_grad(kept[i])) tp.grad(kept[i])(0, 0, 0, 0) += static_cast<T>(w[i]) * g;
    });
    t.value(total)(0, 0, 0, 0) = static_cast<T>(sum);
    return total;
}

/// Number of rows of `logits` [batch, 1, 1, classes] whose largest entry is at the label.
template <class T>
[[nodiscard]] std::size_t count_correct(const tensor<T>& logits, std::span<const int> labels) {
    const int batch = batch_size(logits);
    const auto classes = sample_shape(logits).size();
    std::size_t correct = 0;
    const T* row = logits.data();
    for (int n = 0; n < batch; ++n, row += classes) {
        std::size_t best = 0;
        for (std::size_t k = 1; k < classes; ++k)
            if (row[k] > row[best]) best = k;
        correct += static_cast<int>(best) == labels[static_cast<std::size_t>(n)] ? 1U : 0U;
    }
    return correct;
}

} // namespace nascent::nn
