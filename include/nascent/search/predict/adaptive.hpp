// nascent/search/predict/adaptive.hpp - the predictor that ranks best on the data at hand.
//
//   search::predict::adaptive_predictor model;            // RBF, Gaussian process and MLP, 5 folds
//   model.fit(features, accuracy);
//   const double guess = model.predict(row);
//   model.report().chosen;                               // e.g. predictor_kind::gaussian_process
//   model.report().tau(search::predict::predictor_kind::mlp);
//
// No surrogate ranks architectures best on every space and at every training-set
// size: with a few dozen evaluations a Gaussian process or an RBF model usually
// wins, with hundreds an MLP may. So, as in CNAS's adaptive switching, each kind
// of `kinds` is scored by k-fold cross-validation: the rows are shuffled (with
// `seed`) into `folds` folds (fewer when there are fewer than two rows per fold),
// the kind is fitted on all folds but one and predicts the one left out, and its
// score is Kendall's tau between predicted and measured values, averaged over the
// folds (rank_correlation.hpp: what matters to a search is the order). The kind
// of largest mean tau (the earlier in `kinds` among equals) is fitted on all the
// rows and predicts from then on; report() says which, and every kind's tau.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <span>
#include <variant>
#include <vector>

#include "nascent/core/error.hpp"
#include "nascent/core/random.hpp"
#include "nascent/core/text.hpp"
#include "nascent/search/predict/gaussian_process.hpp"
#include "nascent/search/predict/mlp.hpp"
#include "nascent/search/predict/predictor.hpp"
#include "nascent/search/predict/rank_correlation.hpp"
#include "nascent/search/predict/rbf.hpp"

namespace nascent::search::predict {

enum class predictor_kind { rbf, gaussian_process, mlp };

/// The kind's name: "rbf", "gaussian process" or "mlp".
[[nodiscard]] constexpr const char* describe(predictor_kind kind) noexcept {
    switch (kind) {
    case predictor_kind::rbf: return "rbf";
    case predictor_kind::gaussian_process: return "gaussian process";
    case predictor_kind::mlp: return "mlp";
    }
    return "?";
}

struct adaptive_options {
    std::vector<predictor_kind> kinds{predictor_kind::rbf, predictor_kind::gaussian_process, predictor_kind::mlp};
    std::size_t folds = 5;
    std::uint64_t seed = 1;  ///< of the fold assignment
    rbf_options rbf{};
    gp_options gp{};
    mlp_options mlp{};
};

/// One kind's cross-validated score.
struct kind_score {
    predictor_kind kind = predictor_kind::rbf;
    double tau = 0.0;  ///< Kendall's tau on the held-out folds, averaged over the folds: in [-1, 1]
};

/// What the last fit chose and why.
struct adaptive_report {
    predictor_kind chosen = predictor_kind::rbf;
    std::vector<kind_score> scores;  ///< in the order of adaptive_options::kinds
    std::size_t folds = 0;           ///< folds used

    /// The tau of `kind`; throws nascent::error when it was not among the kinds scored.
    [[nodiscard]] double tau(predictor_kind kind) const {
        for (const kind_score& s : scores)
            if (s.kind == kind) return s.tau;
        throw error(string_of("adaptive_predictor: the ", describe(kind), " predictor was not scored"));
    }
};

/// Cross-validates each kind of predictor, keeps the best ranking one: fit(rows, values), predict(row).
class adaptive_predictor {
public:
    explicit adaptive_predictor(const adaptive_options& options = {}) : options_(options) {
        require(!options_.kinds.empty(), "adaptive_predictor: no kind of predictor to choose from");
        require(options_.folds >= 2, "adaptive_predictor: cross-validation needs at least 2 folds");
    }

    /// Scores every kind by cross-validation on (`x`, `y`), then fits the best on all of it. Needs at
    /// least 4 rows (two folds of two); throws nascent::error otherwise or on a bad training set.
    void fit(const rows& x, const std::vector<double>& y) {
        detail::check_training_set(x, y, 4, "adaptive_predictor");
        const std::size_t n = x.size();
        const std::size_t folds = std::min(options_.folds, n / 2);
        std::vector<std::size_t> order(n);
        std::iota(order.begin(), order.end(), std::size_t{0});
        rng random(options_.seed);
        random.shuffle(order.begin(), order.end());

        adaptive_report report;
        report.folds = folds;
        for (const predictor_kind kind : options_.kinds) {
            double sum = 0.0;
            for (std::size_t f = 0; f < folds; ++f) {
                rows train_x, test_x;
                std::vector<double> train_y, test_y;
                for (std::size_t p = 0; p < n; ++p) {
                    const std::size_t i = order[p];
                    if (p % folds == f)
                        test_x.push_back(x[i]), test_y.push_back(y[i]);
                    else
                        train_x.push_back(x[i]), train_y.push_back(y[i]);
                }
                const model m = make(kind, train_x, train_y);
                std::vector<double> predicted;
                for (const auto& row : test_x) predicted.push_back(predict_with(m, row));
                sum += kendall_tau(predicted, test_y);
            }
            report.scores.push_back({kind, sum / static_cast<double>(folds)});
        }
        std::size_t best = 0;
        for (std::size_t k = 1; k < report.scores.size(); ++k)
            if (report.scores[k].tau > report.scores[best].tau) best = k;
        report.chosen = report.scores[best].kind;
        model_ = make(report.chosen, x, y);
        report_ = std::move(report);
        fitted_ = true;
    }

    /// The chosen predictor's value at `row`.
    [[nodiscard]] double predict(std::span<const double> row) const {
        require(fitted_, "adaptive_predictor: predict before fit");
        return predict_with(model_, row);
    }

    /// What the last fit chose and every kind's cross-validated tau.
    [[nodiscard]] const adaptive_report& report() const noexcept { return report_; }
    [[nodiscard]] predictor_kind chosen() const noexcept { return report_.chosen; }
    [[nodiscard]] const adaptive_options& options() const noexcept { return options_; }

private:
    using model = std::variant<rbf_surrogate, gaussian_process, mlp_regressor>;

    model make(predictor_kind kind, const rows& x, const std::vector<double>& y) const {
        switch (kind) {
        case predictor_kind::rbf: {
            rbf_surrogate m(options_.rbf);
            m.fit(x, y);
            return m;
        }
        case predictor_kind::gaussian_process: {
            gaussian_process m(options_.gp);
            m.fit(x, y);
            return m;
        }
        case predictor_kind::mlp: break;
        }
        mlp_regressor m(options_.mlp);
        m.fit(x, y);
        return m;
    }

    static double predict_with(const model& m, std::span<const double> row) {
        return std::visit([&](const auto& p) { return predicted_mean(p, row); }, m);
    }

    adaptive_options options_;
    model model_{};
    adaptive_report report_{};
    bool fitted_ = false;
};

} // namespace nascent::search::predict
