// nascent/search/batch_scoring.hpp - evaluators that judge a whole generation of candidates at once.
//
//   struct pool {
//       train::evaluation operator()(const architecture& a);                                 // one candidate
//       std::vector<train::evaluation> evaluate_all(std::span<const architecture> batch);     // many, e.g. in parallel
//   };
//   static_assert(search::batch_evaluator<pool>);
//
// The strategies that breed a whole generation before judging it (nsga2_start and nsga2_step,
// batch_start and batch_step) hand the generation to evaluate_all when the evaluator has one:
// process_pool.hpp spreads it over processes on one machine, the search program over MPI ranks.
// The contract: one result per candidate, in the batch's order, each independent of the others
// (of the order, of which process judged it). The search is then the same as with one candidate
// at a time, candidate for candidate.
#pragma once

#include <concepts>
#include <span>
#include <vector>

#include "nascent/core/error.hpp"
#include "nascent/core/text.hpp"
#include "nascent/search/result.hpp"

namespace nascent::search {

/// An architecture evaluator that also judges a batch: evaluate_all(batch), a result per candidate in order.
template <class E>
concept batch_evaluator = architecture_evaluator<E> && requires(E& e, std::span<const architecture> batch) {
    { e.evaluate_all(batch) } -> std::same_as<std::vector<train::evaluation>>;
};

namespace detail {

/// The evaluator's verdicts on every candidate of `batch`, in order: one evaluate_all call when it
/// is a batch evaluator, else one call per candidate.
template <class Evaluator>
std::vector<train::evaluation> score_all(Evaluator& evaluate, std::span<const architecture> batch) {
    if constexpr (batch_evaluator<Evaluator>) {
        std::vector<train::evaluation> scores = evaluate.evaluate_all(batch);
        require(scores.size() == batch.size(),
                string_of("evaluate_all returned ", scores.size(), " results for ", batch.size(), " candidates"));
        return scores;
    } else {
        std::vector<train::evaluation> scores;
        scores.reserve(batch.size());
        for (const architecture& a : batch) scores.push_back(score(evaluate, a));
        return scores;
    }
}

} // namespace detail
} // namespace nascent::search
