// nascent/search/batch_evolution.hpp - random search, aging and tournament evolution in batches,
// children pre-screened by an accuracy predictor, one resumable step at a time.
//
//   search::batch_options o{.kind = search::batch_kind::aging, .population = 24, .per_step = 24, .seed = 1};
//   o.predictor = search::predict::adaptive_options{};  // screen children (std::nullopt: evaluate them all)
//   search::batch_state state = search::batch_start<space>(in, judge, limits, o);   // step 0
//   while (state.step < 12) search::batch_step<space>(in, judge, limits, o, state);  // save state between steps
//   const search::search_result r = search::batch_finish(std::move(state));
//
// Step 0 evaluates `population` distinct feasible random architectures; each later step evaluates up
// to `per_step` children (0: the population size), each distinct from every earlier candidate and
// within `limits`, bred from the history as `kind` says (random, aging, evolution). Step k draws from
// nsga2_rng(seed, k) only, so a search resumed from a saved batch_state repeats the uninterrupted one.
// A step's children are bred and screened first, then judged: a batch evaluator (batch_scoring.hpp)
// gets them in one call.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <unordered_set>
#include <utility>
#include <vector>

#include "nascent/core/random.hpp"
#include "nascent/core/shape.hpp"
#include "nascent/cost/budget.hpp"
#include "nascent/search/batch_scoring.hpp"
#include "nascent/search/constraints.hpp"
#include "nascent/search/nsga2.hpp"
#include "nascent/search/predict/adaptive.hpp"
#include "nascent/search/predict/encoding.hpp"
#include "nascent/search/predict/predictor.hpp"
#include "nascent/search/result.hpp"
#include "nascent/space/architecture.hpp"

namespace nascent::search {

enum class batch_kind { random, aging, evolution };

/// The name of a batch strategy ("random", "aging", "evolution"), as its log lines print it.
[[nodiscard]] constexpr const char* batch_name(batch_kind k) noexcept {
    switch (k) {
    case batch_kind::random: return "random";
    case batch_kind::aging: return "aging";
    case batch_kind::evolution: break;
    }
    return "evolution";
}

struct batch_options {
    batch_kind kind = batch_kind::aging;
    std::size_t population = 24;       ///< step 0's candidates, and the parents of a later step
    std::size_t per_step = 0;          ///< children evaluated per later step (0: the population size)
    std::size_t sample_size = 6;       ///< aging: candidates drawn per parent
    std::size_t tournament = 4;        ///< evolution: candidates drawn per parent
    double crossover_probability = 0.5;  ///< evolution
    std::optional<predict::adaptive_options> predictor{};  ///< screens children (none: every child is evaluated)
    std::size_t screen = 4;            ///< with a predictor: children bred per child evaluated
    std::size_t predictor_after = 8;   ///< candidates needed before the predictor screens
    std::size_t breeding_failures = 2000;  ///< duplicate or infeasible children per step before it stops breeding
    std::uint64_t seed = 1;
    std::FILE* log = nullptr;          ///< one line per candidate
};

/// A batch search between steps: everything the next step reads.
struct batch_state {
    std::size_t step = 0;            ///< the last step done (0: the first population)
    std::vector<evaluated> history;  ///< every candidate evaluated, in order (generation: its step)
    std::size_t rejected = 0;        ///< children over a bound, not evaluated
};

namespace detail {

/// The parents of the next step: indices into the history (none for random search).
inline std::vector<std::size_t> batch_parents(const batch_state& s, const batch_options& o) {
    if (o.kind == batch_kind::random) return {};
    std::vector<std::size_t> order(s.history.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    if (o.kind == batch_kind::evolution)
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return s.history[a].accuracy > s.history[b].accuracy; });
    else
        std::reverse(order.begin(), order.end());
    order.resize(std::min(order.size(), o.population));
    return order;
}

template <class Space, class Evaluator>
void batch_run_step(shape in, Evaluator& evaluate, const cost::budget& limits, const batch_options& o, batch_state& s, std::size_t k) {
    rng random = nsga2_rng(o.seed, k);
    std::unordered_set<architecture> seen;
    for (const auto& e : s.history) seen.insert(e.arch);
    const bool first = k == 0;
    const std::size_t wanted = first ? o.population : (o.per_step > 0 ? o.per_step : o.population);
    const bool screened = !first && o.predictor && s.history.size() >= o.predictor_after;
    const std::size_t bred = screened ? wanted * std::max<std::size_t>(o.screen, 1) : wanted;
    const std::vector<std::size_t> parents = first ? std::vector<std::size_t>{} : batch_parents(s, o);
    auto tournament = [&](std::size_t size) -> const architecture& {
        std::size_t best = parents[static_cast<std::size_t>(random.below(parents.size()))];
        for (std::size_t i = 1; i < size; ++i) {
            const std::size_t c = parents[static_cast<std::size_t>(random.below(parents.size()))];
            if (s.history[c].accuracy > s.history[best].accuracy) best = c;
        }
        return s.history[best].arch;
    };
    std::vector<architecture> pool;
    std::size_t failures = 0;
    while (pool.size() < bred && failures < o.breeding_failures) {
        architecture child;
        if (parents.empty()) {
            child = space::sample<Space>(in, random);
        } else if (o.kind == batch_kind::aging) {
            child = space::mutate<Space>(tournament(std::max<std::size_t>(o.sample_size, 1)), in, random);
        } else {
            child = tournament(o.tournament);
            if (random.uniform() < o.crossover_probability) child = space::crossover<Space>(child, tournament(o.tournament), in, random);
            child = space::mutate<Space>(child, in, random);
        }
        if (seen.contains(child)) {
            ++failures;
            continue;
        }
        if (!satisfies(costs_of<Space>(in, limits, child), limits)) {
            ++failures;
            ++s.rejected;
            continue;
        }
        seen.insert(child);
        pool.push_back(std::move(child));
    }
    if (screened && pool.size() > wanted) {
        predict::encoder<Space> encode(in);
        predict::adaptive_predictor model(*o.predictor);
        const predict::training_data data = predict::training_set(s.history, encode);
        model.fit(data.features, data.accuracy);
        pool = predict::screen(model, pool, wanted, encode);
    }
    const std::vector<train::evaluation> scores = score_all(evaluate, pool);  // the whole step at once
    for (std::size_t i = 0; i < pool.size(); ++i) {
        const architecture& a = pool[i];
        evaluated entry = evaluated_of(a, costs_of<Space>(in, limits, a), scores[i], k);
        log_candidate(o.log, batch_name(o.kind), s.history.size() + 1, entry);
        s.history.push_back(std::move(entry));
    }
    s.step = k;
}

} // namespace detail

/// Step 0: `population` distinct feasible random architectures of `Space`, evaluated.
template <class Space, architecture_evaluator Evaluator>
[[nodiscard]] batch_state batch_start(shape in, Evaluator&& evaluate, const cost::budget& limits, const batch_options& options = {}) {
    batch_state s;
    detail::batch_run_step<Space>(in, evaluate, limits, options, s, 0);
    return s;
}

/// The next step, state.step + 1: new children bred from the history, evaluated and appended to it.
/// A step that finds no new feasible child leaves the history as it was (the space is exhausted).
template <class Space, architecture_evaluator Evaluator>
void batch_step(shape in, Evaluator&& evaluate, const cost::budget& limits, const batch_options& options, batch_state& state) {
    detail::batch_run_step<Space>(in, evaluate, limits, options, state, state.step + 1);
}

/// The result of a batch search: the history and its most accurate candidate.
[[nodiscard]] inline search_result batch_finish(batch_state state) {
    search_result r;
    r.rejected = state.rejected;
    for (evaluated& e : state.history) detail::record(r, std::move(e));
    return r;
}

} // namespace nascent::search
