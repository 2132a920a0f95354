// nascent/search/evolution.hpp - evolutionary search: tournament selection, crossover and mutation.
//
//   search::evolution_options o{.population = 16, .generations = 6, .tournament = 4, .seed = 1};
//   const search::search_result r = search::evolution<space>(in, judge, limits, o);
//
// The first population is `population` distinct feasible random architectures.
// Each generation breeds `offspring` children (the population size by default):
// a parent is the best of `tournament` members drawn without replacement; with
// probability `crossover_probability` a second parent is drawn the same way and
// the child starts as their uniform crossover (space::crossover); then one active
// decision of the child changes (space::mutate). A child that breaks the
// constraints is rejected before evaluation (counted in `rejected`) and bred again.
// Survivors:
// - aging (regularised evolution, Real et al., AAAI 2019): each child joins the
//   population at once and the oldest member leaves, so a lucky evaluation cannot
//   stay forever;
// - elitist (mu + lambda): after a generation the best `population` of parents and
//   children survive.
// Children repeat earlier candidates now and then; a caching evaluator
// (search::supernet_evaluator) answers those without running the network again.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <numeric>
#include <unordered_set>
#include <utility>
#include <vector>

#include "nascent/core/error.hpp"
#include "nascent/core/random.hpp"
#include "nascent/core/shape.hpp"
#include "nascent/search/constraints.hpp"
#include "nascent/search/result.hpp"
#include "nascent/space/architecture.hpp"

namespace nascent::search {

enum class survivor_selection { aging, elitist };

struct evolution_options {
    std::size_t population = 16;
    std::size_t generations = 8;
    std::size_t offspring = 0;         ///< children per generation (0: the population size)
    std::size_t tournament = 4;        ///< members drawn per parent selection
    double crossover_probability = 0.5;
    survivor_selection survivors = survivor_selection::aging;
    std::uint64_t seed = 1;
    std::size_t breeding_attempts = 1000;  ///< infeasible children in a row before the search gives up
    std::FILE* log = nullptr;              ///< one line per candidate and per generation
};

namespace detail {

/// The best of `size` members of `population` drawn without replacement (the first drawn among equals).
inline const evaluated& tournament(const std::deque<evaluated>& population, std::size_t size, rng& random) {
    std::vector<std::size_t> order(population.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    const std::size_t k = std::min(std::max<std::size_t>(size, 1), order.size());
    std::size_t best = order.size();
    for (std::size_t i = 0; i < k; ++i) {
        // partial Fisher-Yates: position i receives a uniformly drawn remaining member
        const std::size_t j = i + static_cast<std::size_t>(random.below(order.size() - i));
        std::swap(order[i], order[j]);
        if (best == order.size() || population[order[i]].accuracy > population[best].accuracy) best = order[i];
    }
    return population[best];
}

} // namespace detail

/// Evolves architectures of `Space` on inputs `in` within `limits` and returns the best found.
/// Throws nascent::error when no architecture meets the constraints.
template <class Space, architecture_evaluator Evaluator>
search_result evolution(shape in, Evaluator&& evaluate, const cost::budget& limits, const evolution_options& options = {}) {
    require(options.population > 0, "evolution: the population must not be empty");
    require(options.tournament > 0, "evolution: the tournament needs at least one member");
    require(options.crossover_probability >= 0.0 && options.crossover_probability <= 1.0,
            "evolution: the crossover probability must be in [0, 1]");
    const auto start = std::chrono::steady_clock::now();
    rng random(options.seed);
    search_result result;
    std::deque<evaluated> population;  // oldest first

    // The first population: distinct feasible random architectures.
    std::unordered_set<architecture> seen;
    std::size_t known_in_a_row = 0;
    while (population.size() < options.population && known_in_a_row <= 100) {
        std::pair<architecture, cost::costs> draw;
        try {
            draw = sample_feasible<Space>(in, limits, random, &result.rejected);
        } catch (const error&) {
            if (population.empty()) throw;  // nothing fits: the message says how far the space is from the budget
            break;                          // feasible architectures are too rare: start with fewer
        }
        auto& [arch, figures] = draw;
        if (!seen.insert(arch).second) {
            ++known_in_a_row;
            continue;
        }
        known_in_a_row = 0;
        const train::evaluation score = detail::score(evaluate, arch);
        evaluated entry = evaluated_of(std::move(arch), figures, score, 0);
        log_candidate(options.log, "evolution g0", result.history.size() + 1, entry);
        population.push_back(entry);
        detail::record(result, std::move(entry));
    }

    const std::size_t offspring = options.offspring > 0 ? options.offspring : options.population;
    const std::size_t size = population.size();
    for (std::size_t generation = 1; generation <= options.generations; ++generation) {
        std::vector<evaluated> children;
        for (std::size_t child_index = 0; child_index < offspring; ++child_index) {
            std::size_t failures = 0;
            for (;;) {
                const evaluated& first = detail::tournament(population, options.tournament, random);
                architecture child = first.arch;
                if (population.size() > 1 && random.uniform() < options.crossover_probability) {
                    const evaluated& second = detail::tournament(population, options.tournament, random);
                    child = space::crossover<Space>(child, second.arch, in, random);
                }
                child = space::mutate<Space>(child, in, random);
                const cost::costs figures = costs_of<Space>(in, limits, child);
                if (!satisfies(figures, limits)) {
                    ++result.rejected;
                    if (++failures >= options.breeding_attempts)
                        throw error(string_of("evolution: ", failures, " children in a row broke the constraints (",
                                           describe(limits), "): too few feasible architectures near the population"));
                    continue;
                }
                const train::evaluation score = detail::score(evaluate, child);
                evaluated entry = evaluated_of(std::move(child), figures, score, generation);
                log_candidate(options.log, "evolution", result.history.size() + 1, entry);
                detail::record(result, entry);
                if (options.survivors == survivor_selection::aging) {
                    population.push_back(std::move(entry));
                    population.pop_front();
                } else {
                    children.push_back(std::move(entry));
                }
                break;
            }
        }
        if (options.survivors == survivor_selection::elitist) {
            std::vector<evaluated> pool(population.begin(), population.end());
            pool.insert(pool.end(), children.begin(), children.end());
            std::stable_sort(pool.begin(), pool.end(), [](const evaluated& a, const evaluated& b) { return a.accuracy > b.accuracy; });
            pool.resize(size);
            population.assign(pool.begin(), pool.end());
        }
        if (options.log != nullptr) {
            double best = 0.0, mean = 0.0;
            for (const auto& m : population) best = std::max(best, m.accuracy), mean += m.accuracy;
            std::fprintf(options.log, "evolution: generation %zu  population best %.2f%%  mean %.2f%%\n", generation, 100.0 * best,
                         100.0 * mean / static_cast<double>(population.size()));
            std::fflush(options.log);
        }
    }
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

} // namespace nascent::search
