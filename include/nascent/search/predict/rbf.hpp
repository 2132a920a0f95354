// nascent/search/predict/rbf.hpp - radial basis function surrogate with a linear tail.
//
//   search::predict::rbf_surrogate model({.kernel = search::predict::rbf_kernel::cubic});
//   model.fit(features, accuracy);            // one row per evaluated architecture
//   const double guess = model.predict(row);
//
// The model is
//     s(x) = sum_i w_i phi(|x - x_i|) + c_0 + sum_j c_j x_j
// with phi(r) = r^3 (cubic) or exp(-r^2 / (2 l^2)) (Gaussian of width l: the
// option `width`, or the median distance between the training rows when it is
// 0). The weights solve the usual interpolation system with the side condition
// that the weights be orthogonal to the tail,
//     [ Phi + lambda I   P        ] [w]   [y]
//     [ P^T              -mu I    ] [c] = [0],
// where Phi_ik = phi(|x_i - x_k|) and P's rows are (1, x_i). lambda = ridge times
// the largest |Phi_ik| (or times 1 when all are 0) turns interpolation into
// regression, so that noisy accuracies are smoothed rather than matched, and
// mu = ridge keeps the system regular when the tail's columns are dependent, as
// they are for one-hot encodings (each slot's columns sum to the constant). The
// values are standardised before the fit and the predictions mapped back. The
// cubic kernel is the common choice of RBF surrogates for expensive black-box
// optimisation (Gutmann 2001, Regis & Shoemaker 2007); it has no width to tune.
// The system is solved by Gaussian elimination with partial pivoting; a pivot
// that vanishes makes the fit retry with a ten times larger ridge.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <span>
#include <utility>
#include <vector>

#include "nascent/core/error.hpp"
#include "nascent/core/text.hpp"
#include "nascent/search/predict/predictor.hpp"

namespace nascent::search::predict {

enum class rbf_kernel { cubic, gaussian };

struct rbf_options {
    rbf_kernel kernel = rbf_kernel::cubic;
    double ridge = 1e-6;      ///< regularisation, relative to the largest kernel entry (0: interpolate exactly)
    double width = 0.0;       ///< Gaussian kernel's length scale (0: the median distance between training rows)
    bool linear_tail = true;  ///< add c_0 + c . x
};

namespace detail {

/// Solves a x = b for the n x n row-major `a` by Gaussian elimination with partial pivoting, in place
/// (the solution is left in `b`). False when a pivot is below `tolerance` times the largest |a_ij|.
inline bool solve_in_place(std::vector<double>& a, std::vector<double>& b, std::size_t n, double tolerance = 1e-13) {
    double scale = 0.0;
    for (const double v : a) scale = std::max(scale, std::abs(v));
    if (scale == 0.0) return n == 0;
    for (std::size_t k = 0; k < n; ++k) {
        std::size_t pivot = k;
        for (std::size_t i = k + 1; i < n; ++i)
            if (std::abs(a[i * n + k]) > std::abs(a[pivot * n + k])) pivot = i;
        if (std::abs(a[pivot * n + k]) <= tolerance * scale) return false;
        if (pivot != k) {
            for (std::size_t j = 0; j < n; ++j) std::swap(a[k * n + j], a[pivot * n + j]);
            std::swap(b[k], b[pivot]);
        }
        const double inverse = 1.0 / a[k * n + k];
        for (std::size_t i = k + 1; i < n; ++i) {
            const double f = a[i * n + k] * inverse;
            if (f == 0.0) continue;
            for (std::size_t j = k + 1; j < n; ++j) a[i * n + j] -= f * a[k * n + j];
            b[i] -= f * b[k];
        }
    }
    for (std::size_t k = n; k-- > 0;) {
        double s = b[k];
        for (std::size_t j = k + 1; j < n; ++j) s -= a[k * n + j] * b[j];
        b[k] = s / a[k * n + k];
    }
    return true;
}

} // namespace detail

/// A radial basis function surrogate: fit(rows, values), predict(row).
class rbf_surrogate {
public:
    explicit rbf_surrogate(const rbf_options& options = {}) : options_(options) {
        require(options_.ridge >= 0.0 && std::isfinite(options_.ridge), "rbf_surrogate: the ridge must be a finite number >= 0");
        require(options_.width >= 0.0 && std::isfinite(options_.width), "rbf_surrogate: the width must be a finite number >= 0");
    }

    /// Fits the model to `x` (one row per sample) and values `y`. Throws nascent::error on an empty,
    /// ragged or non-finite training set, or when the system stays singular.
    void fit(const rows& x, const std::vector<double>& y) {
        dimension_ = detail::check_training_set(x, y, 1, "rbf_surrogate");
        centres_ = x;
        const auto [mean, scale] = detail::standardization(y);
        mean_ = mean, scale_ = scale;
        width_ = options_.kernel == rbf_kernel::gaussian ? (options_.width > 0.0 ? options_.width : detail::median_distance(x)) : 0.0;

        const std::size_t n = x.size();
        const std::size_t tail = options_.linear_tail ? dimension_ + 1 : 0;
        const std::size_t m = n + tail;
        std::vector<double> phi(n * n);
        double largest = 0.0;
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t k = 0; k < n; ++k) {
                phi[i * n + k] = kernel(detail::distance(x[i], x[k]));
                largest = std::max(largest, std::abs(phi[i * n + k]));
            }
        if (largest == 0.0) largest = 1.0;

        double ridge = options_.ridge;
        for (int attempt = 0; attempt < 12; ++attempt) {
            std::vector<double> a(m * m, 0.0), b(m, 0.0);
            for (std::size_t i = 0; i < n; ++i) {
                for (std::size_t k = 0; k < n; ++k) a[i * m + k] = phi[i * n + k];
                a[i * m + i] += ridge * largest;
                b[i] = (y[i] - mean_) / scale_;
                if (tail == 0) continue;
                // P (rows (1, x_i)) to the right, P^T below
                a[i * m + n] = a[n * m + i] = 1.0;
                for (std::size_t j = 0; j < dimension_; ++j) a[i * m + n + 1 + j] = a[(n + 1 + j) * m + i] = x[i][j];
            }
            for (std::size_t j = n; j < m; ++j) a[j * m + j] = -ridge;
            if (detail::solve_in_place(a, b, m)) {
                weights_.assign(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(n));
                tail_.assign(b.begin() + static_cast<std::ptrdiff_t>(n), b.end());
                ridge_used_ = ridge;
                return;
            }
            ridge = ridge > 0.0 ? 10.0 * ridge : 1e-10;
        }
        throw error("rbf_surrogate: the interpolation system is singular even with a large ridge (repeated rows?)");
    }

    /// The predicted value at `row`.
    [[nodiscard]] double predict(std::span<const double> row) const {
        detail::check_row(row, dimension_, !weights_.empty(), "rbf_surrogate");
        double s = 0.0;
        for (std::size_t i = 0; i < centres_.size(); ++i) s += weights_[i] * kernel(detail::distance(row, centres_[i]));
        if (!tail_.empty()) {
            s += tail_[0];
            for (std::size_t j = 0; j < dimension_; ++j) s += tail_[1 + j] * row[j];
        }
        return mean_ + scale_ * s;
    }

    [[nodiscard]] const rbf_options& options() const noexcept { return options_; }
    /// The Gaussian kernel's width of the last fit (0 for the cubic kernel).
    [[nodiscard]] double width() const noexcept { return width_; }
    /// The ridge the last fit needed (the option's, or larger after a singular system).
    [[nodiscard]] double ridge() const noexcept { return ridge_used_; }

private:
    double kernel(double r) const noexcept {
        if (options_.kernel == rbf_kernel::cubic) return r * r * r;
        return std::exp(-r * r / (2.0 * width_ * width_));
    }

    rbf_options options_;
    std::size_t dimension_ = 0;
    rows centres_;
    std::vector<double> weights_, tail_;
    double mean_ = 0.0, scale_ = 1.0, width_ = 0.0, ridge_used_ = 0.0;
};

} // namespace nascent::search::predict
