// nascent/search/predict/mlp.hpp - a small multilayer perceptron regressor.
//
//   search::predict::mlp_regressor model({.hidden = {64, 32}, .seed = 1});   // default: one layer of 64
//   model.fit(features, accuracy);
//   const double guess = model.predict(row);
//
// Fully connected layers of the given widths with ReLU, then one linear output,
// trained on the mean squared error with Adam (beta1 0.9, beta2 0.999) in
// mini-batches, with L2 weight decay on the weights (not the biases). The
// columns of the inputs and the values are standardised on the training rows.
// A held-out `validation_fraction` of the rows (drawn with `seed`, when there
// are at least 5 rows) decides when to stop: training ends after `patience`
// epochs without a better validation error, or after `epochs`, and the weights
// of the best validation error are kept; without a held-out split every epoch
// runs and the last weights are kept. Weights start He-normal, drawn with
// `seed`, and the batches are shuffled with it too, so the same data and
// options give the same model. Plain loops on doubles: the networks are tiny
// and the training sets hold tens to hundreds of architectures.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <span>
#include <vector>

#include "nascent/core/error.hpp"
#include "nascent/core/random.hpp"
#include "nascent/core/text.hpp"
#include "nascent/search/predict/predictor.hpp"

namespace nascent::search::predict {

struct mlp_options {
    std::vector<std::size_t> hidden{64};       ///< widths of the hidden layers (one or two is typical)
    double learning_rate = 3e-3;               ///< Adam's step
    double weight_decay = 1e-2;                ///< L2 on the weights (strong: the training sets are small)
    std::size_t epochs = 300;                  ///< at most
    std::size_t batch_size = 16;
    std::size_t patience = 30;                 ///< epochs without a better validation error before stopping
    double validation_fraction = 0.2;          ///< held out for early stopping (0: none)
    std::uint64_t seed = 1;
};

/// A multilayer perceptron regressor: fit(rows, values), predict(row).
class mlp_regressor {
public:
    explicit mlp_regressor(const mlp_options& options = {}) : options_(options) {
        require(!options_.hidden.empty(), "mlp_regressor: needs at least one hidden layer");
        for (const std::size_t w : options_.hidden) require(w > 0, "mlp_regressor: a hidden layer has no units");
        require(options_.learning_rate > 0.0 && std::isfinite(options_.learning_rate), "mlp_regressor: the learning rate must be positive");
        require(options_.weight_decay >= 0.0, "mlp_regressor: the weight decay must be >= 0");
        require(options_.epochs > 0 && options_.batch_size > 0, "mlp_regressor: epochs and batch size must be positive");
        require(options_.validation_fraction >= 0.0 && options_.validation_fraction < 1.0,
                "mlp_regressor: the validation fraction must be in [0, 1)");
    }

    /// Trains on `x` (one row per sample) and values `y`. Throws nascent::error on an empty, ragged
    /// or non-finite training set.
    void fit(const rows& x, const std::vector<double>& y) {
        dimension_ = detail::check_training_set(x, y, 1, "mlp_regressor");
        const std::size_t n = x.size();
        rng random(options_.seed);

        // held-out split
        std::vector<std::size_t> order(n);
        std::iota(order.begin(), order.end(), std::size_t{0});
        random.shuffle(order.begin(), order.end());
        std::size_t held = 0;
        if (n >= 5 && options_.validation_fraction > 0.0)
            held = std::clamp<std::size_t>(static_cast<std::size_t>(std::lround(options_.validation_fraction * static_cast<double>(n))), 1,
                                           n - 2);
        const std::vector<std::size_t> validation(order.end() - static_cast<std::ptrdiff_t>(held), order.end());
        std::vector<std::size_t> train(order.begin(), order.end() - static_cast<std::ptrdiff_t>(held));

        // standardisation on the training part
        input_mean_.assign(dimension_, 0.0);
        input_scale_.assign(dimension_, 0.0);
        std::vector<double> train_y;
        for (const std::size_t i : train) train_y.push_back(y[i]);
        for (std::size_t j = 0; j < dimension_; ++j) {
            std::vector<double> column;
            for (const std::size_t i : train) column.push_back(x[i][j]);
            const auto [m, s] = detail::standardization(column);
            input_mean_[j] = m, input_scale_[j] = s;
        }
        const auto [ym, ys] = detail::standardization(train_y);
        y_mean_ = ym, y_scale_ = ys;
        rows inputs(n);
        std::vector<double> targets(n);
        for (std::size_t i = 0; i < n; ++i) {
            inputs[i] = standardized(x[i]);
            targets[i] = (y[i] - y_mean_) / y_scale_;
        }

        initialise(random);
        std::vector<double> grad(params_.size()), m1(params_.size(), 0.0), m2(params_.size(), 0.0);
        std::vector<double> best = params_;
        double best_error = std::numeric_limits<double>::infinity();
        std::size_t since_best = 0, step = 0;
        std::vector<std::vector<double>> pre, post;
        epochs_ = 0;
        for (std::size_t epoch = 0; epoch < options_.epochs; ++epoch) {
            random.shuffle(train.begin(), train.end());
            for (std::size_t first = 0; first < train.size(); first += options_.batch_size) {
                const std::size_t last = std::min(train.size(), first + options_.batch_size);
                std::fill(grad.begin(), grad.end(), 0.0);
                for (std::size_t b = first; b < last; ++b) {
                    const std::size_t i = train[b];
                    const double out = forward(inputs[i], &pre, &post);
                    backward(inputs[i], pre, post, 2.0 * (out - targets[i]) / static_cast<double>(last - first), grad);
                }
                adam_step(grad, m1, m2, ++step);
            }
            ++epochs_;
            if (held == 0) continue;
            double error = 0.0;
            for (const std::size_t i : validation) {
                const double d = forward(inputs[i], nullptr, nullptr) - targets[i];
                error += d * d;
            }
            error /= static_cast<double>(held);
            if (error < best_error) {
                best_error = error, best = params_, since_best = 0;
            } else if (++since_best >= options_.patience) {
                break;
            }
        }
        if (held > 0) params_ = best;
        validation_error_ = held > 0 ? best_error * y_scale_ * y_scale_ : std::numeric_limits<double>::quiet_NaN();
        fitted_ = true;
    }

    /// The predicted value at `row`.
    [[nodiscard]] double predict(std::span<const double> row) const {
        detail::check_row(row, dimension_, fitted_, "mlp_regressor");
        return y_mean_ + y_scale_ * forward(standardized(row), nullptr, nullptr);
    }

    /// Epochs the last fit ran (early stopping may end it before options().epochs).
    [[nodiscard]] std::size_t epochs_trained() const noexcept { return epochs_; }
    /// The best mean squared validation error of the last fit, in the values' units (NaN without a held-out split).
    [[nodiscard]] double validation_error() const noexcept { return validation_error_; }
    [[nodiscard]] const mlp_options& options() const noexcept { return options_; }

private:
    struct layer {
        std::size_t in = 0, out = 0, weights = 0, biases = 0;  // offsets into params_
    };

    std::vector<double> standardized(std::span<const double> row) const {
        std::vector<double> s(row.size());
        for (std::size_t j = 0; j < row.size(); ++j) s[j] = (row[j] - input_mean_[j]) / input_scale_[j];
        return s;
    }

    void initialise(rng& random) {
        layers_.clear();
        std::size_t in = dimension_, at = 0;
        std::vector<std::size_t> widths = options_.hidden;
        widths.push_back(1);
        for (const std::size_t out : widths) {
            layers_.push_back({in, out, at, at + in * out});
            at += in * out + out;
            in = out;
        }
        params_.assign(at, 0.0);
        for (std::size_t l = 0; l < layers_.size(); ++l) {
            const layer& L = layers_[l];
            const bool output = l + 1 == layers_.size();
            const double sd = std::sqrt((output ? 1.0 : 2.0) / static_cast<double>(L.in));  // He for ReLU, LeCun for the output
            for (std::size_t k = 0; k < L.in * L.out; ++k) params_[L.weights + k] = sd * random.normal();
        }
    }

    /// The network's output for a standardised input; with `pre`/`post`, each layer's pre-activation and output.
    double forward(const std::vector<double>& input, std::vector<std::vector<double>>* pre,
                   std::vector<std::vector<double>>* post) const {
        std::vector<double> a = input;
        if (pre != nullptr) pre->resize(layers_.size()), post->resize(layers_.size());
        for (std::size_t l = 0; l < layers_.size(); ++l) {
            const layer& L = layers_[l];
            std::vector<double> z(L.out);
            for (std::size_t o = 0; o < L.out; ++o) {
                double s = params_[L.biases + o];
                const double* w = &params_[L.weights + o * L.in];
                for (std::size_t i = 0; i < L.in; ++i) s += w[i] * a[i];
                z[o] = s;
            }
            const bool output = l + 1 == layers_.size();
            if (pre != nullptr) (*pre)[l] = z;
            if (!output)
                for (double& v : z) v = std::max(v, 0.0);
            if (post != nullptr) (*post)[l] = z;
            a = std::move(z);
        }
        return a[0];
    }

    /// Adds to `grad` the gradient of the loss whose derivative at the output is `delta_out`.
    void backward(const std::vector<double>& input, const std::vector<std::vector<double>>& pre,
                  const std::vector<std::vector<double>>& post, double delta_out, std::vector<double>& grad) const {
        std::vector<double> delta{delta_out};
        for (std::size_t l = layers_.size(); l-- > 0;) {
            const layer& L = layers_[l];
            const std::vector<double>& below = l == 0 ? input : post[l - 1];
            std::vector<double> next(L.in, 0.0);
            for (std::size_t o = 0; o < L.out; ++o) {
                const double d = delta[o];
                if (d == 0.0) continue;
                grad[L.biases + o] += d;
                const double* w = &params_[L.weights + o * L.in];
                double* g = &grad[L.weights + o * L.in];
                for (std::size_t i = 0; i < L.in; ++i) g[i] += d * below[i];
                if (l > 0)
                    for (std::size_t i = 0; i < L.in; ++i) next[i] += d * w[i];
            }
            if (l > 0)
                for (std::size_t i = 0; i < L.in; ++i)
                    if (pre[l - 1][i] <= 0.0) next[i] = 0.0;
            delta = std::move(next);
        }
    }

    void adam_step(std::vector<double>& grad, std::vector<double>& m1, std::vector<double>& m2, std::size_t step) {
        constexpr double beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8;
        for (const layer& L : layers_)
            for (std::size_t k = 0; k < L.in * L.out; ++k) grad[L.weights + k] += options_.weight_decay * params_[L.weights + k];
        const double c1 = 1.0 - std::pow(beta1, static_cast<double>(step));
        const double c2 = 1.0 - std::pow(beta2, static_cast<double>(step));
        for (std::size_t k = 0; k < params_.size(); ++k) {
            m1[k] = beta1 * m1[k] + (1.0 - beta1) * grad[k];
            m2[k] = beta2 * m2[k] + (1.0 - beta2) * grad[k] * grad[k];
            params_[k] -= options_.learning_rate * (m1[k] / c1) / (std::sqrt(m2[k] / c2) + epsilon);
        }
    }

    mlp_options options_;
    std::size_t dimension_ = 0, epochs_ = 0;
    std::vector<layer> layers_;
    std::vector<double> params_, input_mean_, input_scale_;
    double y_mean_ = 0.0, y_scale_ = 1.0, validation_error_ = 0.0;
    bool fitted_ = false;
};

} // namespace nascent::search::predict
