// nascent/nn/kernels/softmax_cross_entropy.hpp - the classification loss: mean over the batch of
// -log softmax(logits)[label], computed stably (max subtracted before exp).
#pragma once

#include <cmath>
#include <cstddef>

namespace nascent::kernels {

/// Returns the mean loss over `batch` rows of `classes` logits; writes the softmax
/// probabilities into `probs` (kept for backward).
template <class T>
double softmax_cross_entropy_forward(int batch, int classes, const T* logits, const int* labels, T* probs) noexcept {
    double total = 0.0;
    for (int n = 0; n < batch; ++n, logits += classes, probs += classes) {
        T top = logits[0];
        for (int k = 1; k < classes; ++k) top = logits[k] > top ? logits[k] : top;
        double sum = 0.0;
        for (int k = 0; k < classes; ++k) {
            probs[k] = static_cast<T>(std::exp(static_cast<double>(logits[k] - top)));
            sum += static_cast<double>(probs[k]);
        }
        const double inv = 1.0 / sum;
        for (int k = 0; k < classes; ++k) probs[k] = static_cast<T>(static_cast<double>(probs[k]) * inv);
        total += -(static_cast<double>(logits[labels[n]] - top) - std::log(sum));
    }
    return total / batch;
}

/// dlogits += upstream * (probs - onehot(label)) / batch.
template <class T>
void softmax_cross_entropy_backward(int batch, int classes, const T* probs, const int* labels, T upstream,
                                    T* dlogits) noexcept {
    const T scale = upstream / static_cast<T>(batch);
    for (int n = 0; n < batch; ++n, probs += classes, dlogits += classes) {
        for (int k = 0; k < classes; ++k) dlogits[k] += scale * probs[k];
        dlogits[labels[n]] -= scale;
    }
}

} // namespace nascent::kernels
