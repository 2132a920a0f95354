// nascent/search/predict/gaussian_process.hpp - Gaussian process regression that fits its own hyperparameters.
//
//   search::predict::gaussian_process gp;                     // Matern 5/2, hyperparameters by marginal likelihood
//   gp.fit(features, accuracy);                               // one row per sample
//   const search::predict::prediction p = gp.predict(row);    // p.mean, p.variance
//
// fit() estimates the constant mean and the signal variance in closed form and, with `optimise`
// (the default), the length scale and noise ratio by log marginal likelihood (a grid, then a
// pattern search); otherwise the options' values are used. predict() gives the posterior mean and
// the variance of the function (observation noise excluded), in the units of the values.
// nascent::error: invalid options; an empty, ragged or non-finite training set; a kernel matrix
// that no jitter up to 1e-2 makes positive definite.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numbers>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "nascent/core/error.hpp"
#include "nascent/core/text.hpp"
#include "nascent/search/predict/predictor.hpp"

namespace nascent::search::predict {

enum class gp_kernel { squared_exponential, matern52 };

struct gp_options {
    gp_kernel kernel = gp_kernel::matern52;
    bool optimise = true;           ///< choose the length scale and noise ratio by marginal likelihood
    double length_scale = 0.0;      ///< without optimise: the length scale (0: the median distance between rows)
    double noise_ratio = 1e-6;      ///< without optimise: noise variance over signal variance
    double min_noise_ratio = 1e-6;  ///< optimise: the range of the noise ratio searched
    double max_noise_ratio = 1.0;
    std::size_t refinements = 8;    ///< optimise: pattern-search rounds after the grid
};

/// The hyperparameters of a fitted process, in the units of the values.
struct gp_hyperparameters {
    double length_scale = 0.0;
    double signal_variance = 0.0;
    double noise_variance = 0.0;
    double mean = 0.0;  ///< the constant prior mean
};

namespace detail {

/// In-place Cholesky factorisation of the symmetric n x n row-major `a` (lower triangle used and
/// written: a = L L^T). False when `a` is not numerically positive definite.
inline bool cholesky(std::vector<double>& a, std::size_t n) noexcept {
    for (std::size_t j = 0; j < n; ++j) {
        double d = a[j * n + j];
        for (std::size_t k = 0; k < j; ++k) d -= a[j * n + k] * a[j * n + k];
        if (!(d > 0.0) || !std::isfinite(d)) return false;
        const double l = std::sqrt(d);
        a[j * n + j] = l;
        for (std::size_t i = j + 1; i < n; ++i) {
            double s = a[i * n + j];
            for (std::size_t k = 0; k < j; ++k) s -= a[i * n + k] * a[j * n + k];
            a[i * n + j] = s / l;
        }
    }
    return true;
}

/// Solves L v = b (L lower triangular, row-major n x n), in place.
inline void forward_solve(const std::vector<double>& l, std::vector<double>& b, std::size_t n) noexcept {
    for (std::size_t i = 0; i < n; ++i) {
        double s = b[i];
        for (std::size_t k = 0; k < i; ++k) s -= l[i * n + k] * b[k];
        b[i] = s / l[i * n + i];
    }
}

/// Solves L^T x = b, in place.
inline void backward_solve(const std::vector<double>& l, std::vector<double>& b, std::size_t n) noexcept {
    for (std::size_t i = n; i-- > 0;) {
        double s = b[i];
        for (std::size_t k = i + 1; k < n; ++k) s -= l[k * n + i] * b[k];
        b[i] = s / l[i * n + i];
    }
}

inline double correlation(gp_kernel kernel, double r, double length) noexcept {
    const double t = r / length;
    if (kernel == gp_kernel::squared_exponential) return std::exp(-0.5 * t * t);
    const double s = std::sqrt(5.0) * t;
    return (1.0 + s + s * s / 3.0) * std::exp(-s);
}

} // namespace detail

/// Gaussian process regression: fit(rows, values), predict(row) -> {mean, variance}.
class gaussian_process {
public:
    explicit gaussian_process(const gp_options& options = {}) : options_(options) {
        require(options_.length_scale >= 0.0 && std::isfinite(options_.length_scale),
                "gaussian_process: the length scale must be a finite number >= 0");
        require(options_.noise_ratio >= 0.0 && std::isfinite(options_.noise_ratio),
                "gaussian_process: the noise ratio must be a finite number >= 0");
        require(options_.min_noise_ratio > 0.0 && options_.max_noise_ratio >= options_.min_noise_ratio &&
                    std::isfinite(options_.max_noise_ratio),
                "gaussian_process: the noise ratio range must satisfy 0 < min_noise_ratio <= max_noise_ratio");
    }

    /// Fits the process to `x` (one row per sample) and values `y`. Throws nascent::error on an empty,
    /// ragged or non-finite training set, or when no factorisation succeeds even with jitter.
    void fit(const rows& x, const std::vector<double>& y) {
        dimension_ = detail::check_training_set(x, y, 1, "gaussian_process");
        rows_ = x;
        const auto [mean, scale] = detail::standardization(y);
        y_mean_ = mean, y_scale_ = scale;
        z_.resize(y.size());
        for (std::size_t i = 0; i < y.size(); ++i) z_[i] = (y[i] - y_mean_) / y_scale_;
        const std::size_t n = x.size();
        distances_.assign(n * n, 0.0);
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t k = 0; k < i; ++k) distances_[i * n + k] = distances_[k * n + i] = detail::distance(x[i], x[k]);
        const double median = detail::median_distance(x);

        std::optional<state> best;
        auto consider = [&](double length, double ratio) {
            std::optional<state> s = factor(length, ratio);
            if (s && (!best || s->log_likelihood > best->log_likelihood)) best = std::move(s);
        };
        if (!options_.optimise) {
            consider(options_.length_scale > 0.0 ? options_.length_scale : median, options_.noise_ratio);
        } else {
            const double low_ratio = std::log(options_.min_noise_ratio), high_ratio = std::log(options_.max_noise_ratio);
            constexpr int ratio_points = 5;
            for (const double multiple : {0.25, 0.5, 1.0, 2.0, 4.0, 8.0})
                for (int k = 0; k < ratio_points; ++k)
                    consider(median * multiple, std::exp(low_ratio + (high_ratio - low_ratio) * k / (ratio_points - 1)));
            if (best) {
                // pattern search in (log l, log g) within [median / 16, 32 median] x [min, max]
                double step_length = 0.5 * std::numbers::ln2, step_ratio = 0.25 * (high_ratio - low_ratio) / 2.0;
                for (std::size_t round = 0; round < options_.refinements; ++round) {
                    const double l = std::log(best->length), g = std::log(best->ratio);
                    const double previous = best->log_likelihood;
                    const std::pair<double, double> moves[] = {
                        {l + step_length, g}, {l - step_length, g}, {l, g + step_ratio}, {l, g - step_ratio}};
                    for (const auto& [ml, mg] : moves) {
                        if (ml < std::log(median / 16.0) || ml > std::log(median * 32.0)) continue;
                        if (mg < low_ratio - 1e-12 || mg > high_ratio + 1e-12) continue;
                        consider(std::exp(ml), std::exp(std::clamp(mg, low_ratio, high_ratio)));
                    }
                    if (!(best->log_likelihood > previous)) step_length *= 0.5, step_ratio *= 0.5;
                }
            }
        }
        if (!best) throw error("gaussian_process: the kernel matrix is not positive definite even with jitter");
        fitted_ = std::move(*best);
    }

    /// Mean and variance (of the function, noise excluded) of the prediction at `row`.
    [[nodiscard]] prediction predict(std::span<const double> row) const {
        detail::check_row(row, dimension_, !rows_.empty(), "gaussian_process");
        const std::size_t n = rows_.size();
        std::vector<double> k(n);
        double mean = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
            k[i] = detail::correlation(options_.kernel, detail::distance(row, rows_[i]), fitted_.length);
            mean += k[i] * fitted_.alpha[i];
        }
        detail::forward_solve(fitted_.factor, k, n);  // v = L^-1 k
        double kk = 0.0, uk = 0.0;
        for (std::size_t i = 0; i < n; ++i) kk += k[i] * k[i], uk += fitted_.u[i] * k[i];
        const double variance = fitted_.signal * (1.0 - kk + (1.0 - uk) * (1.0 - uk) / fitted_.uu);
        return {y_mean_ + y_scale_ * (fitted_.mean + mean), std::max(0.0, variance) * y_scale_ * y_scale_};
    }

    /// The hyperparameters of the last fit.
    [[nodiscard]] gp_hyperparameters hyperparameters() const noexcept {
        const double s2 = fitted_.signal * y_scale_ * y_scale_;
        return {fitted_.length, s2, s2 * (fitted_.ratio + fitted_.jitter), y_mean_ + y_scale_ * fitted_.mean};
    }
    /// The log marginal likelihood of the training values under the last fit's hyperparameters.
    [[nodiscard]] double log_marginal_likelihood() const noexcept {
        return fitted_.log_likelihood - static_cast<double>(rows_.size()) * std::log(y_scale_);
    }
    [[nodiscard]] const gp_options& options() const noexcept { return options_; }

private:
    struct state {
        double length = 1.0, ratio = 0.0, jitter = 0.0;
        double mean = 0.0, signal = 1.0, uu = 1.0;
        double log_likelihood = -HUGE_VAL;
        std::vector<double> factor, alpha, u;
    };

    /// The fit with length scale `length` and noise ratio `ratio` (nothing when even jitter fails).
    std::optional<state> factor(double length, double ratio) const {
        const std::size_t n = rows_.size();
        std::vector<double> base(n * n);
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t k = 0; k <= i; ++k) base[i * n + k] = detail::correlation(options_.kernel, distances_[i * n + k], length);
        state s;
        s.length = length;
        s.ratio = ratio;
        bool ok = false;
        for (double jitter = 0.0; jitter <= 1e-2; jitter = jitter == 0.0 ? 1e-10 : jitter * 10.0) {
            s.factor = base;
            for (std::size_t i = 0; i < n; ++i) s.factor[i * n + i] += ratio + jitter;
            if (detail::cholesky(s.factor, n)) {
                s.jitter = jitter;
                ok = true;
                break;
            }
        }
        if (!ok) return std::nullopt;
        // u = L^-1 1, w = L^-1 z: then 1'K^-1 1 = u'u, 1'K^-1 z = u'w
        s.u.assign(n, 1.0);
        detail::forward_solve(s.factor, s.u, n);
        std::vector<double> w = z_;
        detail::forward_solve(s.factor, w, n);
        double uu = 0.0, uw = 0.0;
        for (std::size_t i = 0; i < n; ++i) uu += s.u[i] * s.u[i], uw += s.u[i] * w[i];
        s.uu = uu;
        s.mean = uw / uu;
        // L^-1 (z - m) = w - m u; its squared norm is (z - m)'K^-1 (z - m)
        double quadratic = 0.0, log_det = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
            w[i] -= s.mean * s.u[i];
            quadratic += w[i] * w[i];
            log_det += std::log(s.factor[i * n + i]);
        }
        const auto count = static_cast<double>(n);
        s.signal = std::max(quadratic / count, 1e-12);
        s.log_likelihood = -0.5 * count * std::log(s.signal) - log_det - 0.5 * count * (1.0 + std::log(2.0 * std::numbers::pi));
        // alpha = K^-1 (z - m): the weights of the predicted mean (s2 cancels)
        detail::backward_solve(s.factor, w, n);
        s.alpha = std::move(w);
        if (!std::isfinite(s.log_likelihood)) return std::nullopt;
        return s;
    }

    gp_options options_;
    std::size_t dimension_ = 0;
    rows rows_;
    std::vector<double> z_, distances_;
    double y_mean_ = 0.0, y_scale_ = 1.0;
    state fitted_;
};

} // namespace nascent::search::predict
