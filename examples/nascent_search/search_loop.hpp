// search_loop.hpp - the search, one iteration at a time, the state saved after each.
//
//   search(j, judge);  // search_loop.cpp: iterations until --iterations or --search-minutes
//
// Iteration 0 is the first population; each strategy is a library strategy stepped once per
// iteration (search::nsga2_step, search::bayesian_step, search::batch_step; the differentiable
// search is one step). The random numbers of iteration k come from (seed, k) alone, so a
// resumed search repeats the uninterrupted one. The templates below are the space's part,
// instantiated in space_<name>.cpp.
#pragma once

#include <cstddef>
#include <optional>
#include <utility>

#include <nascent/core/random.hpp>
#include <nascent/search/batch_evolution.hpp>
#include <nascent/search/bayesian_optimization.hpp>
#include <nascent/search/constraints.hpp>
#include <nascent/search/nsga2.hpp>
#include <nascent/search/predict/adaptive.hpp>
#include <nascent/search/predict/encoding.hpp>
#include <nascent/search/predict/predictor.hpp>

#include "job.hpp"

namespace nascent_search {

/// Runs the iterations left; marks the search done.
void search(job& j, candidate_judge& judge);

/// The predictor settings of --predictor (std::nullopt for "none").
std::optional<nascent::search::predict::adaptive_options> predictor_settings(const job_options& o);

/// The strategy's state from the job's, and back.
nascent::search::nsga2_state nsga2_state_of(const job& j);
void keep_nsga2_state(job& j, nascent::search::nsga2_state s);
nascent::search::nsga2_options nsga2_settings(const job& j);
nascent::search::bayesian_options bayesian_settings(const job& j);
nascent::search::batch_options batch_settings(const job& j);

template <class Space>
nascent::cost::costs space_costs(const nascent::architecture& a, const nascent::cost::budget& b) {
    return nascent::search::costs_of<Space>(job_input, b, a);
}

template <class Space>
void check_budget(const job& j) {
    nascent::rng random(j.options.seed);
    try {
        (void)nascent::search::sample_feasible<Space>(job_input, j.options.budget, random);
    } catch (const nascent::error& e) {
        throw job_error(nascent::string_of("impossible budget for space ", j.space->name, ": ", e.what()));
    }
}

/// Iteration k of the strategy (not the differentiable one): the candidates it evaluates join the history.
template <class Space>
void search_step(job& j, std::size_t k, candidate_judge& judge) {
    using namespace nascent::search;
    candidate_judge& evaluate = judge;  // a batch evaluator: each generation in one call
    const nascent::cost::budget& limits = j.options.budget;
    switch (j.options.strategy) {
    case strategy_kind::nsga2: {
        const nsga2_options o = nsga2_settings(j);
        if (k == 0) {
            keep_nsga2_state(j, nsga2_start<Space>(job_input, evaluate, limits, o));
            return;
        }
        nsga2_state s = nsga2_state_of(j);
        nsga2_step<Space>(job_input, evaluate, limits, o, s);
        keep_nsga2_state(j, std::move(s));
        return;
    }
    case strategy_kind::bo: {
        const bayesian_options o = bayesian_settings(j);
        bayesian_state s;
        if (k == 0) {
            s = bayesian_start<Space>(job_input, evaluate, limits, o);
        } else {
            s.steps = k - 1;
            s.result.history = std::move(j.state.history);
            bayesian_step<Space>(job_input, evaluate, limits, o, s);
        }
        j.state.history = bayesian_finish(std::move(s)).history;
        return;
    }
    case strategy_kind::aging:
    case strategy_kind::evolution:
    case strategy_kind::random: {
        const batch_options o = batch_settings(j);
        batch_state s;
        if (k == 0) {
            s = batch_start<Space>(job_input, evaluate, limits, o);
        } else {
            s.step = k - 1;
            s.history = std::move(j.state.history);
            batch_step<Space>(job_input, evaluate, limits, o, s);
        }
        j.state.history = std::move(s.history);
        return;
    }
    case strategy_kind::differentiable: break;
    }
    throw job_error("the differentiable search has no iterations");
}

/// The predictor --predictor chooses on the candidates so far (none before 10 of them).
template <class Space>
predictor_choice predictor_on_history(const job& j) {
    using namespace nascent::search;
    const auto settings = predictor_settings(j.options);
    if (!settings || j.state.history.size() < 10) return {};
    predict::encoder<Space> encode(job_input);
    predict::adaptive_predictor model(*settings);
    const predict::training_data data = predict::training_set(j.state.history, encode);
    model.fit(data.features, data.accuracy);
    return {predict::describe(model.report().chosen), model.report().tau(model.report().chosen)};
}

/// The search part of Space's program.
template <class Space>
constexpr space_search_part search_part_of() {
    return {nascent::space::decisions<Space>, &space_costs<Space>, &check_budget<Space>, &search_step<Space>, &predictor_on_history<Space>};
}

} // namespace nascent_search
