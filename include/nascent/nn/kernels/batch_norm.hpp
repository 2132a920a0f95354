// nascent/nn/kernels/batch_norm.hpp - host training kernels of batch_norm (ops/batch_norm.hpp):
// batch normalisation forward and backward, in training (batch statistics) and inference (running statistics), optionally fused with a relu.
//
// Raw NHWC pointers, any floating type T; the training interpreter (nn/) calls them. Example:
//   kernels::batch_norm_eval_forward(rows, channels, x, gamma, beta, mean, var, batch_norm::epsilon, y);
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

#include "nascent/ops/batch_norm.hpp"

namespace nascent::kernels {

/// Adds f(row)[c] over all rows into `sums` (double), accumulating blocks of rows in T first,
/// so the inner loop vectorises and the long sum keeps double precision.
template <class T, class F>
void blocked_column_sums(std::size_t rows, std::size_t channels, std::vector<double>& sums, F&& row_terms) {
    constexpr std::size_t block = 32;
    std::vector<T> partial(channels);
    for (std::size_t r0 = 0; r0 < rows; r0 += block) {
        std::fill(partial.begin(), partial.end(), T{0});
        const std::size_t r1 = r0 + block < rows ? r0 + block : rows;
        for (std::size_t r = r0; r < r1; ++r) row_terms(r, partial.data());
        for (std::size_t c = 0; c < channels; ++c) sums[c] += static_cast<double>(partial[c]);
    }
}

/// y = x * scale + shift per channel, rectified when `Relu`.
template <bool Relu, class T>
void affine_rows(std::size_t rows, std::size_t channels, const T* x, const T* scale, const T* shift, T* y) noexcept {
    for (std::size_t r = 0; r < rows; ++r, x += channels, y += channels)
        for (std::size_t c = 0; c < channels; ++c) {
            const T v = x[c] * scale[c] + shift[c];
            if constexpr (Relu) {
                y[c] = v > T{0} ? v : T{0};
            } else {
                y[c] = v;
            }
        }
}

/// The gradient reaching the batch norm itself: dy, or, behind a fused relu, dy where y > 0.
template <bool Relu, class T>
[[nodiscard]] inline T upstream(const T* y, const T* dy, std::size_t i) noexcept {
    if constexpr (Relu) {
        return y[i] > T{0} ? dy[i] : T{0};
    } else {
        (void)y;
        return dy[i];
    }
}

/// Training forward over `rows` = batch * h * w positions of `channels` each.
/// Writes y and, for the backward pass, the batch mean and 1/sqrt(var + eps) per channel;
/// updates the running statistics. With `Relu` the output is rectified in the same pass
/// (batch norm followed by relu, fused).
template <bool Relu = false, class T>
void batch_norm_train_forward(std::size_t rows, std::size_t channels, const T* x, const T* gamma, const T* beta,
                              T* y, T* batch_mean, T* inv_std, T* running_mean, T* running_var, double momentum,
                              double epsilon) {
    std::vector<double> mean(channels, 0.0), var(channels, 0.0);
    blocked_column_sums<T>(rows, channels, mean, [&](std::size_t r, T* acc) {
        const T* row = x + r * channels;
        for (std::size_t c = 0; c < channels; ++c) acc[c] += row[c];
    });
    for (auto& m : mean) m /= static_cast<double>(rows);
    for (std::size_t c = 0; c < channels; ++c) batch_mean[c] = static_cast<T>(mean[c]);
    blocked_column_sums<T>(rows, channels, var, [&](std::size_t r, T* acc) {
        const T* row = x + r * channels;
        for (std::size_t c = 0; c < channels; ++c) {
            const T d = row[c] - batch_mean[c];
            acc[c] += d * d;
        }
    });
    std::vector<T> scale(channels), shift(channels);
    for (std::size_t c = 0; c < channels; ++c) {
        const double biased = var[c] / static_cast<double>(rows);
        const double unbiased = rows > 1 ? var[c] / static_cast<double>(rows - 1) : biased;
        inv_std[c] = static_cast<T>(1.0 / std::sqrt(biased + epsilon));
        scale[c] = gamma[c] * inv_std[c];
        shift[c] = beta[c] - scale[c] * batch_mean[c];
        running_mean[c] = static_cast<T>((1.0 - momentum) * static_cast<double>(running_mean[c]) + momentum * mean[c]);
        running_var[c] = static_cast<T>((1.0 - momentum) * static_cast<double>(running_var[c]) + momentum * unbiased);
    }
    affine_rows<Relu>(rows, channels, x, scale.data(), shift.data(), y);
}

/// Training backward, with xhat = (x - mean) * inv_std recomputed from the input:
/// dgamma += sum(g * xhat), dbeta += sum(g),
/// dx += gamma * inv_std / rows * (rows * g - sum(g) - xhat * sum(g * xhat))
/// (assigned instead of added when not `accumulate`), where g = dy, or with `Relu`
/// g = dy where the fused output y is positive and 0 elsewhere.
template <bool Relu = false, class T>
void batch_norm_train_backward(std::size_t rows, std::size_t channels, const T* x, const T* batch_mean,
                               const T* inv_std, const T* gamma, const T* y, const T* dy, T* dx, T* dgamma, T* dbeta,
                               bool accumulate = true) {
    auto grad = [&](std::size_t i) { return upstream<Relu>(y, dy, i); };
    std::vector<double> sum_g(channels, 0.0), sum_g_xc(channels, 0.0);
    blocked_column_sums<T>(rows, channels, sum_g, [&](std::size_t r, T* acc) {
        for (std::size_t c = 0; c < channels; ++c) acc[c] += grad(r * channels + c);
    });
    blocked_column_sums<T>(rows, channels, sum_g_xc, [&](std::size_t r, T* acc) {
        const T* row = x + r * channels;
        for (std::size_t c = 0; c < channels; ++c) acc[c] += grad(r * channels + c) * (row[c] - batch_mean[c]);
    });
    // sum(g * xhat) = inv_std * sum(g * (x - mean))
    std::vector<T> k(channels), mean_g(channels), xhat_scale(channels);
    for (std::size_t c = 0; c < channels; ++c) {
        const double sum_g_xhat = sum_g_xc[c] * static_cast<double>(inv_std[c]);
        dgamma[c] += static_cast<T>(sum_g_xhat);
        dbeta[c] += static_cast<T>(sum_g[c]);
        k[c] = gamma[c] * inv_std[c];
        mean_g[c] = static_cast<T>(sum_g[c] / static_cast<double>(rows));
        // xhat * mean(g * xhat) = (x - mean) * inv_std * mean(g * xhat)
        xhat_scale[c] = static_cast<T>(static_cast<double>(inv_std[c]) * sum_g_xhat / static_cast<double>(rows));
    }
    if (dx == nullptr) return;
    for (std::size_t r = 0; r < rows; ++r) {
        const std::size_t at = r * channels;
        if (accumulate) {
            for (std::size_t c = 0; c < channels; ++c)
                dx[at + c] += k[c] * (grad(at + c) - mean_g[c] - (x[at + c] - batch_mean[c]) * xhat_scale[c]);
        } else {
            for (std::size_t c = 0; c < channels; ++c)
                dx[at + c] = k[c] * (grad(at + c) - mean_g[c] - (x[at + c] - batch_mean[c]) * xhat_scale[c]);
        }
    }
}

/// Inference forward with fixed statistics: an affine map per channel (rectified with `Relu`).
template <bool Relu = false, class T>
void batch_norm_eval_forward(std::size_t rows, std::size_t channels, const T* x, const T* gamma, const T* beta,
                             const T* running_mean, const T* running_var, double epsilon, T* y) {
    std::vector<T> scale(channels), shift(channels);
    for (std::size_t c = 0; c < channels; ++c) {
        scale[c] = static_cast<T>(static_cast<double>(gamma[c]) / std::sqrt(static_cast<double>(running_var[c]) + epsilon));
        shift[c] = beta[c] - scale[c] * running_mean[c];
    }
    affine_rows<Relu>(rows, channels, x, scale.data(), shift.data(), y);
}

/// Inference backward (the map is affine): dx += scale * g; dgamma, dbeta as for an affine
/// layer; g as in batch_norm_train_backward.
template <bool Relu = false, class T>
void batch_norm_eval_backward(std::size_t rows, std::size_t channels, const T* x, const T* gamma,
                              const T* running_mean, const T* running_var, double epsilon, const T* y, const T* dy,
                              T* dx, T* dgamma, T* dbeta) {
    std::vector<T> inv(channels);
    for (std::size_t c = 0; c < channels; ++c)
        inv[c] = static_cast<T>(1.0 / std::sqrt(static_cast<double>(running_var[c]) + epsilon));
    for (std::size_t r = 0; r < rows; ++r) {
        const std::size_t at = r * channels;
        for (std::size_t c = 0; c < channels; ++c) {
            const T g = upstream<Relu>(y, dy, at + c);
            dgamma[c] += g * (x[at + c] - running_mean[c]) * inv[c];
            dbeta[c] += g;
            if (dx != nullptr) dx[at + c] += g * gamma[c] * inv[c];
        }
    }
}

} // namespace nascent::kernels
