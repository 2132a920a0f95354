// nascent/search/predict/predictor.hpp - what an accuracy predictor is, and how a strategy uses one.
//
//   search::predict::encoder<space> encode(in);
//   const search::predict::training_data seen = search::predict::training_set(result.history, encode);
//   search::predict::gaussian_process gp;
//   gp.fit(seen.features, seen.accuracy);
//   // pre-screen children before the expensive evaluation: the 4 of largest predicted accuracy
//   const std::vector<architecture> keep = search::predict::screen(gp, children, 4, encode);
//
// A predictor (a surrogate of the evaluator) learns accuracy from feature vectors
// (encoding.hpp turns an architecture into one): `fit(rows, values)` trains it
// on one row per evaluated architecture, `predict(row)` returns the predicted
// value, either as a double or, for a model that knows its uncertainty
// (gaussian_process.hpp), as a `prediction` of mean and variance. The predictors:
// rbf.hpp (radial basis functions), gaussian_process.hpp, mlp.hpp, and
// adaptive.hpp, which picks one of them by cross-validated rank correlation.
//
// A strategy uses one to spend its evaluations on promising candidates:
// `rank_by_prediction` orders a pool of candidate architectures by predicted
// accuracy (best first) and `screen` keeps the best few of them, so that, for
// example, evolution breeds many children and evaluates only those the
// predictor ranks highest. Only the order of the predictions matters there,
// which is why the predictors are compared by rank correlation
// (rank_correlation.hpp).
#pragma once

#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "nascent/core/error.hpp"
#include "nascent/core/text.hpp"
#include "nascent/cost/costs.hpp"
#include "nascent/search/result.hpp"
#include "nascent/space/architecture.hpp"

namespace nascent::search::predict {

/// Feature vectors, one per row (all of the same length).
using rows = std::vector<std::vector<double>>;

/// A prediction with its uncertainty.
struct prediction {
    double mean = 0.0;
    double variance = 0.0;  ///< of the predicted function (observation noise not included)
};

/// A model that learns values from feature rows and predicts them.
template <class P>
concept predictor = requires(P& p, const P& c, const rows& x, const std::vector<double>& y, std::span<const double> row) {
    p.fit(x, y);
    requires std::convertible_to<decltype(c.predict(row)), double> ||
                 std::same_as<std::remove_cvref_t<decltype(c.predict(row))>, prediction>;
};

/// The value `p` predicts for `row` (the mean when it predicts a distribution).
template <predictor P>
[[nodiscard]] double predicted_mean(const P& p, std::span<const double> row) {
    if constexpr (std::same_as<std::remove_cvref_t<decltype(p.predict(row))>, prediction>)
        return p.predict(row).mean;
    else
        return static_cast<double>(p.predict(row));
}

/// Rows and values to train a predictor on.
struct training_data {
    rows features;
    std::vector<double> accuracy;
};

/// The training set of a search's history: one encoded row per evaluated candidate and its accuracy.
/// `encode` is called with (architecture, costs) when it accepts them (search::predict::encoder does,
/// and then reuses the recorded figures), else with the architecture alone.
template <class Encode>
[[nodiscard]] training_data training_set(std::span<const evaluated> history, Encode&& encode) {
    training_data t;
    t.features.reserve(history.size());
    t.accuracy.reserve(history.size());
    for (const evaluated& e : history) {
        if constexpr (std::invocable<Encode&, const architecture&, const cost::costs&>)
            t.features.push_back(encode(e.arch, e.costs));
        else
            t.features.push_back(encode(e.arch));
        t.accuracy.push_back(e.accuracy);
    }
    return t;
}

/// One candidate of a pool with its predicted accuracy.
struct ranked_candidate {
    std::size_t index = 0;   ///< its position in the pool
    double predicted = 0.0;  ///< the predictor's value (its mean)
};

/// The candidates of `pool` in decreasing order of predicted accuracy (the earlier in the pool among
/// equals). `encode` maps an architecture to the features the predictor was trained on.
template <predictor P, class Encode>
    requires std::invocable<Encode&, const architecture&>
[[nodiscard]] std::vector<ranked_candidate> rank_by_prediction(const P& p, std::span<const architecture> pool, Encode&& encode) {
    std::vector<ranked_candidate> ranked;
    ranked.reserve(pool.size());
    for (std::size_t i = 0; i < pool.size(); ++i) {
        const std::vector<double> row = encode(pool[i]);
        const double value = predicted_mean(p, row);
        require(std::isfinite(value), string_of("rank_by_prediction: the prediction for ", to_text(pool[i]), " is not finite"));
        ranked.push_back({i, value});
    }
    std::stable_sort(ranked.begin(), ranked.end(),
                     [](const ranked_candidate& a, const ranked_candidate& b) { return a.predicted > b.predicted; });
    return ranked;
}

/// The `keep` candidates of `pool` of largest predicted accuracy, best first (all of them, ranked,
/// when the pool is not larger than `keep`).
template <predictor P, class Encode>
    requires std::invocable<Encode&, const architecture&>
[[nodiscard]] std::vector<architecture> screen(const P& p, std::span<const architecture> pool, std::size_t keep, Encode&& encode) {
    const std::vector<ranked_candidate> ranked = rank_by_prediction(p, pool, encode);
    std::vector<architecture> kept;
    kept.reserve(std::min(keep, ranked.size()));
    for (std::size_t i = 0; i < ranked.size() && i < keep; ++i) kept.push_back(pool[ranked[i].index]);
    return kept;
}

namespace detail {

/// Checks a training set and returns its dimension: as many values as rows, at least `minimum` rows,
/// every row of the same positive length, every number finite.
inline std::size_t check_training_set(const rows& x, const std::vector<double>& y, std::size_t minimum, const char* who) {
    require(x.size() == y.size(), string_of(who, ": ", x.size(), " feature rows but ", y.size(), " values"));
    require(x.size() >= minimum, string_of(who, ": needs at least ", minimum, " training rows, got ", x.size()));
    const std::size_t d = x.empty() ? 0 : x.front().size();
    require(x.empty() || d > 0, string_of(who, ": the feature rows are empty"));
    for (std::size_t i = 0; i < x.size(); ++i) {
        require(x[i].size() == d, string_of(who, ": row ", i, " has ", x[i].size(), " features, row 0 has ", d));
        for (const double v : x[i]) require(std::isfinite(v), string_of(who, ": row ", i, " holds a number that is not finite"));
        require(std::isfinite(y[i]), string_of(who, ": value ", i, " is not finite"));
    }
    return d;
}

/// Checks a row to predict against the training dimension.
inline void check_row(std::span<const double> row, std::size_t dimension, bool fitted, const char* who) {
    require(fitted, string_of(who, ": predict before fit"));
    require(row.size() == dimension, string_of(who, ": the row has ", row.size(), " features, the model was fitted on ", dimension));
}

/// Mean and standard deviation of `y` (the deviation 1 when it is 0, so that dividing by it is safe).
inline std::pair<double, double> standardization(const std::vector<double>& y) {
    double mean = 0.0;
    for (const double v : y) mean += v;
    mean /= static_cast<double>(y.size());
    double var = 0.0;
    for (const double v : y) var += (v - mean) * (v - mean);
    var /= static_cast<double>(y.size());
    const double sd = std::sqrt(var);
    return {mean, sd > 1e-12 * (1.0 + std::abs(mean)) ? sd : 1.0};
}

/// Euclidean distance between two rows.
inline double distance(std::span<const double> a, std::span<const double> b) noexcept {
    double s = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) s += (a[i] - b[i]) * (a[i] - b[i]);
    return std::sqrt(s);
}

/// The median of the positive distances between the rows of `x` (1 when there is none).
inline double median_distance(const rows& x) {
    std::vector<double> d;
    for (std::size_t i = 0; i < x.size(); ++i)
        for (std::size_t j = i + 1; j < x.size(); ++j) {
            const double v = distance(x[i], x[j]);
            if (v > 0.0) d.push_back(v);
        }
    if (d.empty()) return 1.0;
    const auto mid = d.begin() + static_cast<std::ptrdiff_t>(d.size() / 2);
    std::nth_element(d.begin(), mid, d.end());
    return *mid;
}

} // namespace detail
} // namespace nascent::search::predict
