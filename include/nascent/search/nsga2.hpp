// nascent/search/nsga2.hpp - NSGA-II over the error and cost objectives, one generation at a time.
//
//   search::nsga2_options o{.population = 20, .generations = 10, .seed = 1};
//   const search::nsga2_result r = search::nsga2<space>(in, judge, limits, o);
//   // r.history: every candidate; r.front: indices of its feasible non-dominated ones
//   search::nsga2_state s = search::nsga2_start<space>(in, judge, limits, o);  // the first population
//   while (s.generation < o.generations) search::nsga2_step<space>(in, judge, limits, o, s);  // save s between steps
//   const search::nsga2_result same = search::nsga2_finish(s);
//
// Objectives, all minimised: `objectives` (search/objective.hpp; by default the error, peak RAM and
// flash), figures at the budget's precision. Candidates over a bound are evaluated and may survive
// unless `reject_infeasible`, but the front never holds one. Two ways to rank them:
// - constraint domination (pareto.hpp): a feasible candidate beats an infeasible one, two
//   infeasible ones compare by their excess;
// - NACHOS's adaptive penalty: each objective with a bound is ranked by
//   phi x / b + (1 - phi) cv,  cv = max(0, x - b) / |x_worst - b|,
//   phi the share of the ranked candidates (the population, or parents and children at survival)
//   within b and x_worst the largest x among them: while most break the bound the search is pushed
//   toward feasibility, once most meet it toward a low figure. (x is taken in units of its bound so
//   that the two terms are commensurate; docs/design.md.) Bounds on figures that are not objectives
//   stay under constraint domination. r.generations[g] gives each
// generation's evaluations, front and normalised hypervolume, which never decreases. Generation g
// draws from nsga2_rng(seed, g) only, so a search resumed from a saved nsga2_state with the same
// options and a deterministic evaluator repeats the uninterrupted one. Each generation is bred
// whole, then judged: a batch evaluator (batch_scoring.hpp, e.g. process_pool.hpp) gets it in one
// call. Invalid options throw nascent::error.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <numeric>
#include <span>
#include <unordered_set>
#include <utility>
#include <vector>

#include "nascent/core/error.hpp"
#include "nascent/core/random.hpp"
#include "nascent/core/shape.hpp"
#include "nascent/core/text.hpp"
#include "nascent/cost/expected.hpp"
#include "nascent/search/batch_scoring.hpp"
#include "nascent/search/constraints.hpp"
#include "nascent/search/hypervolume.hpp"
#include "nascent/search/objective.hpp"
#include "nascent/search/pareto.hpp"
#include "nascent/search/result.hpp"
#include "nascent/space/architecture.hpp"

namespace nascent::search {

/// The reference point of the per-generation hypervolume, in every normalised objective.
inline constexpr double hypervolume_reference = 1.1;

/// The objectives of an evaluated candidate: 1 - accuracy, then each figure of `metrics`.
[[nodiscard]] inline std::vector<double> objectives_of(const evaluated& e, std::span<const cost::metric> metrics) {
    std::vector<double> o;
    o.reserve(1 + metrics.size());
    o.push_back(1.0 - e.accuracy);
    for (const cost::metric m : metrics) o.push_back(cost::figure(e.costs, m));
    return o;
}

/// The candidate as a point: its objectives and its violation of `limits` (search::excess).
[[nodiscard]] inline point point_of(const evaluated& e, std::span<const objective> objectives, const objective_settings& settings,
                                    const cost::budget& limits) {
    return point{values_of(e, objectives, settings), excess(e.costs, limits)};
}

/// How NSGA-II ranks candidates over a bound (see the top of this header).
enum class constraint_handling { domination, adaptive_penalty };

struct nsga2_options {
    std::size_t population = 20;
    std::size_t generations = 10;  ///< generations after the first population
    std::size_t offspring = 0;     ///< children per generation (0: the population size)
    std::vector<objective> objectives{objective::error, objective::peak_ram_bytes, objective::flash_bytes};
    objective_settings settings{};  ///< of tiny_ml and top1_robust
    constraint_handling constraints = constraint_handling::domination;
    double crossover_probability = 0.9;
    bool reject_infeasible = false;  ///< true: never evaluate a candidate over a bound (as the other strategies)
    std::vector<double> nadir{};     ///< normalisation of the hypervolume, one per objective (empty: see above)
    std::uint64_t seed = 1;
    std::size_t breeding_attempts = 1000;  ///< failed children in a row before a generation stops breeding
    std::FILE* log = nullptr;              ///< one line per candidate and per generation
};

/// What one generation did (generation 0: the first population).
struct nsga2_generation {
    std::size_t generation = 0;
    std::size_t evaluated = 0;        ///< candidates evaluated in this generation
    std::size_t total_evaluated = 0;  ///< the history's size after it
    std::size_t rejected = 0;         ///< candidates over a bound, not evaluated (reject_infeasible only)
    std::size_t duplicates = 0;       ///< candidates drawn again that had been evaluated before
    std::size_t feasible = 0;         ///< feasible members of the population after it
    std::vector<std::size_t> front;   ///< feasible non-dominated candidates of the history so far (indices)
    double hypervolume = 0.0;         ///< of the front, normalised, reference point hypervolume_reference

    friend bool operator==(const nsga2_generation&, const nsga2_generation&) = default;
};

/// Everything a generation reads and writes; save it between generations to resume a search.
struct nsga2_state {
    std::size_t generation = 0;            ///< the last generation done (0: the first population)
    std::vector<evaluated> history;        ///< every candidate evaluated, in order
    std::vector<point> points;             ///< objectives and violation of each history entry
    std::vector<std::size_t> population;   ///< the current population, indices into history
    std::vector<double> nadir;             ///< the normalisation of the hypervolume (the ideal point is 0)
    std::size_t rejected = 0;              ///< candidates over a bound, not evaluated (reject_infeasible only)
    std::vector<nsga2_generation> generations;
    double seconds = 0.0;                  ///< wall time spent so far (the only figure a resumed search may not repeat)
};

struct nsga2_result {
    std::vector<evaluated> history;        ///< every candidate evaluated, in order (generation set)
    std::vector<point> points;             ///< objectives and violation of each history entry
    std::vector<std::size_t> front;        ///< the final front: feasible non-dominated candidates, indices into history
    std::vector<std::size_t> population;   ///< the last population, indices into history
    std::vector<nsga2_generation> generations;  ///< statistics of every generation, 0 first
    std::vector<double> nadir;             ///< the hypervolume's normalisation
    std::size_t rejected = 0;
    double seconds = 0.0;

    /// The history entries of the front, in the order of `front`.
    [[nodiscard]] std::vector<evaluated> front_entries() const {
        std::vector<evaluated> out;
        out.reserve(front.size());
        for (const std::size_t i : front) out.push_back(history.at(i));
        return out;
    }
};

/// The random generator of generation `generation` of a search seeded with `seed`: a function of
/// the two alone, so a resumed search draws what the uninterrupted one would have.
[[nodiscard]] inline rng nsga2_rng(std::uint64_t seed, std::size_t generation) noexcept {
    auto mix = [](std::uint64_t z) {  // splitmix64's finaliser
        z += 0x9e3779b97f4a7c15ULL;
        z = (z ^ (z >> 30U)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27U)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31U);
    };
    return rng(mix(mix(seed) ^ static_cast<std::uint64_t>(generation)));
}

/// The hypervolume of the entries `front` of `points`, each objective normalised from [0, nadir]
/// to [0, 1], with reference point hypervolume_reference in every objective. Throws nascent::error
/// on an index out of `points` or objective counts that differ from the nadir's.
[[nodiscard]] inline double normalized_hypervolume(std::span<const point> points, std::span<const std::size_t> front,
                                                   std::span<const double> nadir) {
    const std::vector<double> ideal(nadir.size(), 0.0);
    const std::vector<double> reference(nadir.size(), hypervolume_reference);
    std::vector<std::vector<double>> scaled;
    scaled.reserve(front.size());
    for (const std::size_t i : front) {
        require(i < points.size(), string_of("normalized_hypervolume: index ", i, " is out of the ", points.size(), " points"));
        scaled.push_back(normalize_objectives(std::span<const double>(points[i].objectives), ideal, nadir));
    }
    return hypervolume(scaled, reference);
}

namespace detail {

inline void nsga2_check(const nsga2_options& o) {
    require(o.population > 0, "nsga2: the population must not be empty");
    require(o.crossover_probability >= 0.0 && o.crossover_probability <= 1.0, "nsga2: the crossover probability must be in [0, 1]");
    require(o.breeding_attempts > 0, "nsga2: breeding_attempts must be positive");
    require(!o.objectives.empty(), "nsga2: there is no objective");
    require(o.nadir.empty() || o.nadir.size() == o.objectives.size(),
            string_of("nsga2: ", o.nadir.size(), " nadir values for ", o.objectives.size(), " objectives"));
    require(o.constraints == constraint_handling::domination || !o.reject_infeasible,
            "nsga2: the adaptive penalty ranks candidates over a bound, so it cannot go with reject_infeasible");
    for (const double v : o.nadir) require(v > 0.0, "nsga2: every nadir value must be positive (the ideal point is 0)");
}

inline void nsga2_check_state(const nsga2_state& s, const nsga2_options& o) {
    require(s.points.size() == s.history.size(), "nsga2_step: the state's points and history differ in size");
    require(!s.population.empty(), "nsga2_step: the state has no population (start with nsga2_start)");
    for (const std::size_t i : s.population) require(i < s.history.size(), "nsga2_step: a population index is out of the history");
    require(s.nadir.size() == o.objectives.size(),
            "nsga2_step: the state was made with other objectives than the options name");
    require(s.generations.size() == s.generation + 1, "nsga2_step: the state's statistics do not match its generation");
}

/// Records a new candidate in the state; returns its index.
inline std::size_t nsga2_record(nsga2_state& s, evaluated entry, const nsga2_options& o, const cost::budget& limits) {
    s.points.push_back(point_of(entry, o.objectives, o.settings, limits));
    s.history.push_back(std::move(entry));
    const std::size_t index = s.history.size() - 1;
    char who[32];
    std::snprintf(who, sizeof who, "nsga2 g%zu", s.history.back().generation);
    log_candidate(o.log, who, index + 1, s.history.back());
    return index;
}

/// The front of the history after the candidates from `first_new` on joined it: the feasible
/// non-dominated ones among the previous front and the new candidates (a candidate off the
/// previous front is dominated by one on it, which is still there), in increasing order.
inline std::vector<std::size_t> updated_front(const std::vector<point>& points, std::span<const std::size_t> previous, std::size_t first_new) {
    std::vector<std::size_t> candidates(previous.begin(), previous.end());
    for (std::size_t i = first_new; i < points.size(); ++i) candidates.push_back(i);
    std::vector<point> subset;
    subset.reserve(candidates.size());
    for (const std::size_t i : candidates) subset.push_back(points[i]);
    std::vector<std::size_t> front;
    for (const std::size_t k : pareto_front(subset)) front.push_back(candidates[k]);
    return front;
}

/// Fills the statistics that depend on the state after a generation (whose first new candidate
/// is `first_new`), appends them and logs them.
inline void nsga2_close_generation(nsga2_state& s, nsga2_generation stats, std::size_t first_new, const nsga2_options& o) {
    stats.total_evaluated = s.history.size();
    const std::vector<std::size_t> none;
    stats.front = updated_front(s.points, s.generations.empty() ? none : s.generations.back().front, first_new);
    stats.hypervolume = normalized_hypervolume(s.points, stats.front, s.nadir);
    for (const std::size_t i : s.population) stats.feasible += s.points[i].feasible() ? 1U : 0U;
    if (o.log != nullptr) {
        std::fprintf(o.log, "nsga2: generation %zu  evaluated %zu (total %zu)  front %zu  hypervolume %.6f  feasible %zu of %zu\n",
                     stats.generation, stats.evaluated, stats.total_evaluated, stats.front.size(), stats.hypervolume, stats.feasible,
                     s.population.size());
        std::fflush(o.log);
    }
    s.generations.push_back(std::move(stats));
}

/// The budget without the bounds on figures that are objectives (those the adaptive penalty handles).
inline cost::budget bounds_off_objectives(cost::budget limits, std::span<const objective> objectives) {
    for (const objective o : objectives) {
        if (o == objective::peak_ram_bytes) limits.ram_bytes = {};
        if (o == objective::flash_bytes) limits.flash_bytes = {};
        if (o == objective::macs) limits.macs = {};
        if (o == objective::params) limits.params = {};
        if (o == objective::activations) limits.activations = {};
    }
    return limits;
}

} // namespace detail

/// The points NSGA-II ranks the candidates `members` of `history` by (see the top of this header):
/// under constraint domination their own objectives and excess; under the adaptive penalty each
/// bounded objective replaced by NACHOS's, phi and the worst figure taken over `members`.
[[nodiscard]] inline std::vector<point> ranking_points(std::span<const evaluated> history, std::span<const point> points,
                                                       std::span<const std::size_t> members, const nsga2_options& o,
                                                       const cost::budget& limits) {
    std::vector<point> out;
    out.reserve(members.size());
    for (const std::size_t i : members) out.push_back(points[i]);
    if (o.constraints == constraint_handling::domination || members.empty()) return out;
    const cost::budget others = detail::bounds_off_objectives(limits, o.objectives);
    for (std::size_t m = 0; m < members.size(); ++m) out[m].violation = excess(history[members[m]].costs, others);
    for (std::size_t k = 0; k < o.objectives.size(); ++k) {
        const auto b = bound_on(limits, o.objectives[k]);
        if (!b || *b == 0) continue;
        const double bound = static_cast<double>(*b);
        std::size_t within = 0;
        double worst = 0.0;
        for (const auto& p : out) {
            within += p.objectives[k] <= bound ? 1U : 0U;
            worst = std::max(worst, p.objectives[k]);
        }
        const double phi = static_cast<double>(within) / static_cast<double>(out.size());
        for (auto& p : out) p.objectives[k] = cost::nachos_objective(p.objectives[k] / bound, 1.0, worst / bound, phi);
    }
    return out;
}

namespace detail {

} // namespace detail

/// Generation 0 of an NSGA-II search of `Space` on inputs `in`: the first population, evaluated,
/// the normalisation of the hypervolume fixed, the statistics of generation 0 recorded.
/// Throws nascent::error on bad options, and with `reject_infeasible` when no architecture
/// meets the constraints (the message says how far the space is from the budget).
template <class Space, architecture_evaluator Evaluator>
[[nodiscard]] nsga2_state nsga2_start(shape in, Evaluator&& evaluate, const cost::budget& limits, const nsga2_options& options = {}) {
    detail::nsga2_check(options);
    const auto start = std::chrono::steady_clock::now();
    rng random = nsga2_rng(options.seed, 0);
    nsga2_state state;
    nsga2_generation stats;
    std::unordered_set<architecture> seen;
    std::size_t known_in_a_row = 0;
    std::vector<architecture> drawn;
    std::vector<cost::costs> drawn_figures;
    while (drawn.size() < options.population && known_in_a_row <= 100) {
        std::pair<architecture, cost::costs> draw;
        if (options.reject_infeasible) {
            try {
                draw = sample_feasible<Space>(in, limits, random, &stats.rejected);
            } catch (const error&) {
                if (drawn.empty()) throw;  // nothing fits
                break;                             // feasible architectures are too rare: start with fewer
            }
        } else {
            draw.first = space::sample<Space>(in, random);
            draw.second = costs_of<Space>(in, limits, draw.first);
        }
        auto& [arch, figures] = draw;
        if (!seen.insert(arch).second) {
            ++known_in_a_row;
            ++stats.duplicates;
            continue;
        }
        known_in_a_row = 0;
        drawn.push_back(std::move(arch));
        drawn_figures.push_back(figures);
    }
    const std::vector<train::evaluation> scores = detail::score_all(evaluate, drawn);  // the whole population at once
    for (std::size_t i = 0; i < drawn.size(); ++i) {
        state.population.push_back(detail::nsga2_record(state, evaluated_of(std::move(drawn[i]), drawn_figures[i], scores[i], 0), options, limits));
        ++stats.evaluated;
    }
    state.rejected = stats.rejected;

    state.nadir = options.nadir.empty() ? nadir_of(options.objectives, limits, state.history, options.settings) : options.nadir;
    detail::nsga2_close_generation(state, std::move(stats), 0, options);
    state.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return state;
}

/// One generation of NSGA-II on `state` (docs/search.md, "Multi-objective search"): breeds, evaluates and
/// selects the next population, and appends the generation's statistics. `options` must be
/// those the state was started with. Throws nascent::error on a state that does not fit them.
template <class Space, architecture_evaluator Evaluator>
void nsga2_step(shape in, Evaluator&& evaluate, const cost::budget& limits, const nsga2_options& options, nsga2_state& state) {
    detail::nsga2_check(options);
    detail::nsga2_check_state(state, options);
    const auto start = std::chrono::steady_clock::now();
    const std::size_t generation = state.generation + 1;
    rng random = nsga2_rng(options.seed, generation);

    // rank and crowding distance of the population, for the tournaments
    const std::size_t n = state.population.size();
    const std::vector<point> members = ranking_points(state.history, state.points, state.population, options, limits);
    std::vector<std::size_t> rank(n, 0);
    std::vector<double> crowding(n, 0.0);
    {
        const auto fronts = non_dominated_sort(members);
        for (std::size_t f = 0; f < fronts.size(); ++f) {
            const std::vector<double> d = crowding_distance(members, fronts[f]);
            for (std::size_t k = 0; k < fronts[f].size(); ++k) {
                rank[fronts[f][k]] = f;
                crowding[fronts[f][k]] = d[k];
            }
        }
    }
    auto tournament = [&]() -> const architecture& {
        std::size_t winner = 0;
        if (n > 1) {
            const auto a = static_cast<std::size_t>(random.below(n));
            auto b = static_cast<std::size_t>(random.below(n - 1));
            if (b >= a) ++b;
            const bool b_wins = rank[b] < rank[a] || (rank[b] == rank[a] && crowding[b] > crowding[a]);
            winner = b_wins ? b : a;
        }
        return state.history[state.population[winner]].arch;
    };

    nsga2_generation stats;
    stats.generation = generation;
    std::unordered_set<architecture> seen;
    for (const auto& e : state.history) seen.insert(e.arch);
    std::vector<architecture> bred;
    std::vector<cost::costs> bred_figures;
    const std::size_t first_new = state.history.size();
    const std::size_t offspring = options.offspring > 0 ? options.offspring : options.population;
    bool exhausted = false;
    for (std::size_t c = 0; c < offspring && !exhausted; ++c) {
        std::size_t failures = 0;
        for (;;) {
            architecture child = tournament();
            if (n > 1 && random.uniform() < options.crossover_probability) child = space::crossover<Space>(child, tournament(), in, random);
            child = space::mutate<Space>(child, in, random);
            if (seen.contains(child)) {
                ++stats.duplicates;
                if (++failures >= options.breeding_attempts) {
                    exhausted = true;
                    break;
                }
                continue;
            }
            const cost::costs figures = costs_of<Space>(in, limits, child);
            if (options.reject_infeasible && !satisfies(figures, limits)) {
                ++stats.rejected;
                if (++failures >= options.breeding_attempts) {
                    exhausted = true;
                    break;
                }
                continue;
            }
            seen.insert(child);
            bred.push_back(std::move(child));
            bred_figures.push_back(figures);
            break;
        }
    }
    if (exhausted && options.log != nullptr) {
        std::fprintf(options.log, "nsga2: generation %zu stopped breeding after %zu failed children in a row (%zu bred)\n", generation,
                     options.breeding_attempts, bred.size());
        std::fflush(options.log);
    }
    const std::vector<train::evaluation> scores = detail::score_all(evaluate, bred);  // the whole generation at once
    std::vector<std::size_t> children;
    for (std::size_t i = 0; i < bred.size(); ++i) {
        children.push_back(detail::nsga2_record(state, evaluated_of(std::move(bred[i]), bred_figures[i], scores[i], generation), options, limits));
        ++stats.evaluated;
    }

    // survivors: whole fronts while they fit, then the most isolated members of the next one
    std::vector<std::size_t> pool = state.population;
    pool.insert(pool.end(), children.begin(), children.end());
    const std::vector<point> pool_points = ranking_points(state.history, state.points, pool, options, limits);
    const std::size_t size = std::min(options.population, pool.size());
    std::vector<std::size_t> next;
    next.reserve(size);
    for (const auto& front : non_dominated_sort(pool_points)) {
        if (next.size() + front.size() <= size) {
            for (const std::size_t k : front) next.push_back(pool[k]);
            if (next.size() == size) break;
            continue;
        }
        const std::vector<double> d = crowding_distance(pool_points, front);
        std::vector<std::size_t> order(front.size());
        std::iota(order.begin(), order.end(), std::size_t{0});
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return d[a] > d[b]; });
        for (std::size_t k = 0; next.size() < size; ++k) next.push_back(pool[front[order[k]]]);
        break;
    }
    state.population = std::move(next);
    state.rejected += stats.rejected;
    state.generation = generation;
    detail::nsga2_close_generation(state, std::move(stats), first_new, options);
    state.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// The result of a search from its state (after the last nsga2_step).
[[nodiscard]] inline nsga2_result nsga2_finish(nsga2_state state) {
    nsga2_result r;
    r.front = state.generations.empty() ? pareto_front(state.points) : state.generations.back().front;
    r.history = std::move(state.history);
    r.points = std::move(state.points);
    r.population = std::move(state.population);
    r.generations = std::move(state.generations);
    r.nadir = std::move(state.nadir);
    r.rejected = state.rejected;
    r.seconds = state.seconds;
    return r;
}

/// NSGA-II over architectures of `Space` on inputs `in`: nsga2_start, then `options.generations`
/// calls of nsga2_step. Throws nascent::error on bad options, and with `reject_infeasible` when
/// no architecture meets the constraints.
template <class Space, architecture_evaluator Evaluator>
[[nodiscard]] nsga2_result nsga2(shape in, Evaluator&& evaluate, const cost::budget& limits, const nsga2_options& options = {}) {
    nsga2_state state = nsga2_start<Space>(in, evaluate, limits, options);
    while (state.generation < options.generations) nsga2_step<Space>(in, evaluate, limits, options, state);
    return nsga2_finish(std::move(state));
}

} // namespace nascent::search
