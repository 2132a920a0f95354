// nascent/search/random_search.hpp - random search: N feasible architectures, keep the best.
//
//   search::supernet_evaluator judge(model, train, validation, norm);
//   const search::search_result r = search::random_search<space>(in, judge, limits, {.samples = 50, .seed = 1});
//
// Architectures are drawn uniformly among the valid ones (space::sample); a draw
// that breaks the constraints is rejected before evaluation and counted in
// `rejected`, and a draw already evaluated is redrawn (up to `redraws` times in a
// row: past that the space is taken as exhausted and the search stops early). With
// a weight-sharing evaluator this is the search stage of SPOS (Guo et al., 2020)
// in its simplest form, and the baseline every other strategy has to beat.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <unordered_set>
#include <utility>

#include "nascent/core/error.hpp"
#include "nascent/core/random.hpp"
#include "nascent/core/shape.hpp"
#include "nascent/search/constraints.hpp"
#include "nascent/search/result.hpp"
#include "nascent/space/architecture.hpp"

namespace nascent::search {

struct random_search_options {
    std::size_t samples = 100;   ///< feasible, distinct candidates to evaluate
    std::uint64_t seed = 1;
    std::size_t redraws = 100;   ///< consecutive draws of known candidates before the space counts as exhausted
    std::FILE* log = nullptr;    ///< one line per candidate
};

/// Evaluates `options.samples` distinct random architectures of `Space` on inputs `in` that meet
/// `limits` and returns the best. Throws nascent::error when no draw meets the constraints.
template <class Space, architecture_evaluator Evaluator>
search_result random_search(shape in, Evaluator&& evaluate, const cost::budget& limits, const random_search_options& options = {}) {
    require(options.samples > 0, "random_search: the number of samples must be positive");
    const auto start = std::chrono::steady_clock::now();
    rng random(options.seed);
    search_result result;
    std::unordered_set<architecture> seen;
    std::size_t known_in_a_row = 0;
    while (result.history.size() < options.samples) {
        std::pair<architecture, cost::costs> draw;
        try {
            draw = sample_feasible<Space>(in, limits, random, &result.rejected);
        } catch (const error&) {
            if (result.history.empty()) throw;  // nothing fits: the message says how far the space is from the budget
            break;                              // feasible architectures are too rare to find more
        }
        auto& [arch, figures] = draw;
        if (!seen.insert(arch).second) {
            if (++known_in_a_row > options.redraws) break;
            continue;
        }
        known_in_a_row = 0;
        const train::evaluation score = detail::score(evaluate, arch);
        evaluated entry = evaluated_of(std::move(arch), figures, score, 0);
        log_candidate(options.log, "random", result.history.size() + 1, entry);
        detail::record(result, std::move(entry));
    }
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

} // namespace nascent::search
