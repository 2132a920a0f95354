// nascent/search/result.hpp - what a search strategy returns: the best candidate and the history.
//
// Every strategy (random_search.hpp, evolution.hpp, differentiable.hpp) judges
// candidates with an evaluator: any callable taking an architecture and returning
// either its accuracy (a double) or a train::evaluation (accuracy and loss), such
// as search::supernet_evaluator (evaluator.hpp) or, in tests, a formula.
#pragma once

#include <concepts>
#include <cstdio>
#include <cstddef>
#include <type_traits>
#include <utility>
#include <vector>

#include "nascent/cost/costs.hpp"
#include "nascent/space/architecture.hpp"
#include "nascent/train/evaluate.hpp"

namespace nascent::search {

/// One candidate a search evaluated.
struct evaluated {
    architecture arch{};
    cost::costs costs{};      ///< at the constraints' precision
    double accuracy = 0.0;    ///< with the evaluator's weights (inherited ones for a supernet)
    double loss = 0.0;        ///< validation loss when the evaluator reports one, else 0
    std::size_t generation = 0;  ///< evolution: 0 for the first population, then the generation that bred it
    double robustness = -1.0;    ///< accuracy under weight perturbations (top1_robust); negative: not measured
    double average_macs = -1.0;  ///< avg_macs of an early-exit network as measured; negative: not measured
};

struct search_result {
    architecture best{};
    double accuracy = 0.0;  ///< the best candidate's accuracy
    cost::costs costs{};    ///< the best candidate's figures
    std::vector<evaluated> history;  ///< every candidate evaluated, in order
    std::size_t rejected = 0;        ///< candidates rejected by the constraints before any evaluation
    double seconds = 0.0;

    /// The best entry of the history.
    [[nodiscard]] const evaluated& best_entry() const {
        std::size_t at = 0;
        for (std::size_t i = 1; i < history.size(); ++i)
            if (history[i].accuracy > history[at].accuracy) at = i;
        return history.at(at);
    }
};

/// An evaluator of architectures: returns an accuracy or a train::evaluation.
template <class E>
concept architecture_evaluator = requires(E& e, const architecture& a) {
    requires std::convertible_to<decltype(e(a)), double> || std::same_as<std::remove_cvref_t<decltype(e(a))>, train::evaluation>;
};

namespace detail {

/// The evaluator's verdict on `a` as a train::evaluation.
template <class Evaluator>
train::evaluation score(Evaluator& evaluate, const architecture& a) {
    if constexpr (std::same_as<std::remove_cvref_t<decltype(evaluate(a))>, train::evaluation>) {
        return evaluate(a);
    } else {
        train::evaluation e;
        e.accuracy = static_cast<double>(evaluate(a));
        return e;
    }
}

/// Records a candidate in `result`, keeping the best (the earliest among equals).
inline void record(search_result& result, evaluated entry) {
    if (result.history.empty() || entry.accuracy > result.accuracy) {
        result.best = entry.arch;
        result.accuracy = entry.accuracy;
        result.costs = entry.costs;
    }
    result.history.push_back(std::move(entry));
}

} // namespace detail

/// The candidate the evaluator judged `score`, with its figures.
[[nodiscard]] inline evaluated evaluated_of(architecture a, const cost::costs& figures, const train::evaluation& score,
                                            std::size_t generation) {
    evaluated e{std::move(a), figures, score.accuracy, score.loss, generation};
    e.robustness = score.robustness;
    e.average_macs = score.average_macs;
    return e;
}

/// Prints one evaluated candidate to `log` (nothing when it is null): `who`, its index, architecture and figures.
inline void log_candidate(std::FILE* log, const char* who, std::size_t index, const evaluated& e) {
    if (log == nullptr) return;
    std::fprintf(log, "%s %3zu: %s  acc %.2f%%", who, index, to_text(e.arch).c_str(), 100.0 * e.accuracy);
    if (e.robustness >= 0.0) std::fprintf(log, "  perturbed %.2f%%", 100.0 * e.robustness);
    std::fprintf(log, "  RAM %zu B  flash %zu B  MACs %zu\n", e.costs.peak_ram_bytes, e.costs.flash_bytes, e.costs.macs);
    std::fflush(log);
}

} // namespace nascent::search
