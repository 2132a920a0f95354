// nascent/ops/batch_norm.hpp - batch normalisation: descriptor and host training kernels.
//
// Per channel: y = gamma * (x - mean) / sqrt(var + eps) + beta. In training
// the mean and (biased) variance come from the batch and update running
// averages with `momentum` (running = (1 - m) * running + m * batch, the
// running variance unbiased), as PyTorch does. In inference the running
// averages are used; the deploy path folds them into the previous convolution.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

#include "nascent/core/shape.hpp"

namespace nascent {

struct batch_norm final {
    static constexpr double epsilon = 1e-5;
    static constexpr double momentum = 0.1;

    [[nodiscard]] static constexpr bool accepts(shape in) noexcept { return in.valid(); }
    [[nodiscard]] static constexpr shape output(shape in) noexcept { return in; }
    /// Trainable scale and shift; the running statistics are state, not parameters.
    [[nodiscard]] static constexpr std::size_t params(shape in) noexcept { return 2U * static_cast<std::size_t>(in.c); }
    [[nodiscard]] static constexpr std::size_t macs(shape in) noexcept { return in.size(); }
};

namespace kernels {

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

/// Training forward over `rows` = batch * h * w positions of `channels` each.
/// Writes y and, for the backward pass, the batch mean and 1/sqrt(var + eps) per channel;
/// updates the running statistics.
template <class T>
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
    for (std::size_t r = 0; r < rows; ++r, x += channels, y += channels)
        for (std::size_t c = 0; c < channels; ++c) y[c] = x[c] * scale[c] + shift[c];
}

/// Training backward, with xhat = (x - mean) * inv_std recomputed from the input:
/// dgamma += sum(dy * xhat), dbeta += sum(dy),
/// dx += gamma * inv_std / rows * (rows * dy - sum(dy) - xhat * sum(dy * xhat))
/// (assigned instead of added when not `accumulate`).
template <class T>
void batch_norm_train_backward(std::size_t rows, std::size_t channels, const T* x, const T* batch_mean,
                               const T* inv_std, const T* gamma, const T* dy, T* dx, T* dgamma, T* dbeta,
                               bool accumulate = true) {
    std::vector<double> sum_dy(channels, 0.0), sum_dy_xc(channels, 0.0);
    blocked_column_sums<T>(rows, channels, sum_dy, [&](std::size_t r, T* acc) {
        const T* g = dy + r * channels;
        for (std::size_t c = 0; c < channels; ++c) acc[c] += g[c];
    });
    blocked_column_sums<T>(rows, channels, sum_dy_xc, [&](std::size_t r, T* acc) {
        const T* g = dy + r * channels;
        const T* row = x + r * channels;
        for (std::size_t c = 0; c < channels; ++c) acc[c] += g[c] * (row[c] - batch_mean[c]);
    });
    // sum(dy * xhat) = inv_std * sum(dy * (x - mean))
    std::vector<T> k(channels), mean_dy(channels), xhat_scale(channels);
    for (std::size_t c = 0; c < channels; ++c) {
        const double sum_dy_xhat = sum_dy_xc[c] * static_cast<double>(inv_std[c]);
        dgamma[c] += static_cast<T>(sum_dy_xhat);
        dbeta[c] += static_cast<T>(sum_dy[c]);
        k[c] = gamma[c] * inv_std[c];
        mean_dy[c] = static_cast<T>(sum_dy[c] / static_cast<double>(rows));
        // xhat * mean(dy * xhat) = (x - mean) * inv_std * mean(dy * xhat)
        xhat_scale[c] = static_cast<T>(static_cast<double>(inv_std[c]) * sum_dy_xhat / static_cast<double>(rows));
    }
    if (dx == nullptr) return;
    for (std::size_t r = 0; r < rows; ++r, dy += channels, x += channels, dx += channels) {
        if (accumulate) {
            for (std::size_t c = 0; c < channels; ++c)
                dx[c] += k[c] * (dy[c] - mean_dy[c] - (x[c] - batch_mean[c]) * xhat_scale[c]);
        } else {
            for (std::size_t c = 0; c < channels; ++c)
                dx[c] = k[c] * (dy[c] - mean_dy[c] - (x[c] - batch_mean[c]) * xhat_scale[c]);
        }
    }
}

/// Inference forward with fixed statistics: an affine map per channel.
template <class T>
void batch_norm_eval_forward(std::size_t rows, std::size_t channels, const T* x, const T* gamma, const T* beta,
                             const T* running_mean, const T* running_var, double epsilon, T* y) {
    std::vector<T> scale(channels), shift(channels);
    for (std::size_t c = 0; c < channels; ++c) {
        scale[c] = static_cast<T>(static_cast<double>(gamma[c]) / std::sqrt(static_cast<double>(running_var[c]) + epsilon));
        shift[c] = beta[c] - scale[c] * running_mean[c];
    }
    for (std::size_t r = 0; r < rows; ++r, x += channels, y += channels)
        for (std::size_t c = 0; c < channels; ++c) y[c] = x[c] * scale[c] + shift[c];
}

/// Inference backward (the map is affine): dx += scale * dy; dgamma, dbeta as for an affine layer.
template <class T>
void batch_norm_eval_backward(std::size_t rows, std::size_t channels, const T* x, const T* gamma,
                              const T* running_mean, const T* running_var, double epsilon, const T* dy, T* dx,
                              T* dgamma, T* dbeta) {
    std::vector<T> inv(channels);
    for (std::size_t c = 0; c < channels; ++c)
        inv[c] = static_cast<T>(1.0 / std::sqrt(static_cast<double>(running_var[c]) + epsilon));
    for (std::size_t r = 0; r < rows; ++r, x += channels, dy += channels) {
        for (std::size_t c = 0; c < channels; ++c) {
            dgamma[c] += dy[c] * (x[c] - running_mean[c]) * inv[c];
            dbeta[c] += dy[c];
        }
        if (dx != nullptr) {
            for (std::size_t c = 0; c < channels; ++c) dx[c] += dy[c] * gamma[c] * inv[c];
            dx += channels;
        }
    }
}

} // namespace kernels
} // namespace nascent
