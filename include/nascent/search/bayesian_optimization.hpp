// nascent/search/bayesian_optimization.hpp - Bayesian optimisation of accuracy over a space's architectures.
//
//   search::bayesian_options o{.initial = 10, .iterations = 30, .seed = 1};
//   const search::search_result r = search::bayesian_optimization<space>(in, judge, limits, o);
//   const search::search_result done = search::resume_bayesian_optimization<space>(in, judge, limits, saved, o);
//   search::bayesian_state s = search::bayesian_start<space>(in, judge, limits, o);  // the random design
//   search::bayesian_step<space>(in, judge, limits, o, s);                           // o.per_step evaluations
//   const search::search_result r1 = search::bayesian_finish(std::move(s));
//
// Evaluates `initial` distinct feasible random architectures, then up to `iterations` more, each the
// candidate of largest expected_improvement under a Gaussian process fitted on the history; it stops
// early when no feasible candidate is left unevaluated. Candidates over a bound are never evaluated
// (counted in `rejected`). Evaluation k draws from step_seed(seed, k) only: the same seed gives the
// same search, and resume_bayesian_optimization continues the first k evaluations of a run exactly.
// In the history, `generation` is 0 for the design and the step's number (from 1) after it.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <numbers>
#include <numeric>
#include <optional>
#include <unordered_set>
#include <utility>
#include <vector>

#include "nascent/core/error.hpp"
#include "nascent/core/random.hpp"
#include "nascent/core/shape.hpp"
#include "nascent/core/text.hpp"
#include "nascent/search/constraints.hpp"
#include "nascent/search/predict/encoding.hpp"
#include "nascent/search/predict/gaussian_process.hpp"
#include "nascent/search/predict/predictor.hpp"
#include "nascent/search/result.hpp"
#include "nascent/space/architecture.hpp"

namespace nascent::search {

struct bayesian_options {
    std::size_t initial = 10;            ///< random feasible architectures evaluated before the first model (at least 1 is)
    std::size_t iterations = 30;         ///< evaluations chosen by expected improvement after them
    std::size_t parents = 5;             ///< best architectures so far whose children are candidates
    std::size_t mutants = 20;            ///< children per parent
    std::size_t mutation_steps = 2;      ///< a child is 1 to this many mutations from its parent
    std::size_t random_candidates = 50;  ///< random architectures among the candidates
    double exploration = 0.0;            ///< xi: the improvement is counted over the best accuracy plus xi
    bool cost_features = false;          ///< the model also sees log peak RAM, flash and MACs (predict/encoding.hpp)
    predict::gp_options gp{};            ///< the Gaussian process (kernel, hyperparameter search)
    std::uint64_t seed = 1;
    std::size_t per_step = 1;            ///< bayesian_step: evaluations chosen by the model per step
    std::size_t redraws = 100;           ///< design: draws of known architectures in a row before the model takes over
    std::FILE* log = nullptr;            ///< one line per candidate evaluated
};

/// The standard normal density.
[[nodiscard]] inline double normal_pdf(double z) noexcept {
    return std::exp(-0.5 * z * z) / std::sqrt(2.0 * std::numbers::pi);
}

/// The standard normal distribution function.
[[nodiscard]] inline double normal_cdf(double z) noexcept { return 0.5 * std::erfc(-z / std::numbers::sqrt2); }

/// The expected improvement over `best` (plus `exploration`) of a value distributed N(mean, variance),
/// for maximisation: (mean - best - xi) Phi(z) + s phi(z) with s = sqrt(variance) and
/// z = (mean - best - xi) / s; max(mean - best - xi, 0) when the variance is 0. Never negative.
[[nodiscard]] inline double expected_improvement(double mean, double variance, double best, double exploration = 0.0) noexcept {
    const double gain = mean - best - exploration;
    if (!(variance > 0.0)) return std::max(gain, 0.0);
    const double sd = std::sqrt(variance);
    const double z = gain / sd;
    return std::max(gain * normal_cdf(z) + sd * normal_pdf(z), 0.0);
}

/// The seed of the random numbers of evaluation number `step` of a search seeded with `seed`.
[[nodiscard]] constexpr std::uint64_t step_seed(std::uint64_t seed, std::size_t step) noexcept {
    auto mix = [](std::uint64_t z) {
        z = (z ^ (z >> 30U)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27U)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31U);
    };
    return mix(mix(seed) + 0x9e3779b97f4a7c15ULL * (static_cast<std::uint64_t>(step) + 1));
}

namespace detail {

/// A model-chosen candidate and the figures measured for it.
struct bayesian_pick {
    architecture arch;
    cost::costs costs;
    double mean = 0.0, variance = 0.0, improvement = 0.0;
};

/// The candidate of largest expected improvement under a process fitted on `result`'s history, or
/// nothing when every candidate is known or infeasible.
template <class Space>
std::optional<bayesian_pick> propose(shape in, const cost::budget& limits, const bayesian_options& options,
                                     const predict::encoder<Space>& encode, search_result& result,
                                     const std::unordered_set<architecture>& seen, rng& random) {
    const std::vector<evaluated>& history = result.history;
    const predict::training_data data = predict::training_set(history, encode);
    predict::gaussian_process model(options.gp);
    model.fit(data.features, data.accuracy);
    const double best = *std::max_element(data.accuracy.begin(), data.accuracy.end());

    // candidates: children of the best so far, then random architectures
    std::vector<std::size_t> ranked(history.size());
    std::iota(ranked.begin(), ranked.end(), std::size_t{0});
    std::stable_sort(ranked.begin(), ranked.end(), [&](std::size_t a, std::size_t b) { return history[a].accuracy > history[b].accuracy; });
    std::vector<architecture> pool;
    std::unordered_set<architecture> pooled;
    auto offer = [&](architecture a) {
        if (!seen.contains(a) && pooled.insert(a).second) pool.push_back(std::move(a));
    };
    const std::size_t steps = std::max<std::size_t>(options.mutation_steps, 1);
    for (std::size_t p = 0; p < std::min(options.parents, ranked.size()); ++p) {
        const architecture& parent = history[ranked[p]].arch;
        const std::vector<bool> active = space::active_slots<Space>(parent);
        if (std::find(active.begin(), active.end(), true) == active.end()) continue;  // nothing to change
        for (std::size_t m = 0; m < options.mutants; ++m) {
            architecture child = parent;
            const std::size_t count = 1 + static_cast<std::size_t>(random.below(steps));
            for (std::size_t s = 0; s < count; ++s) child = space::mutate<Space>(child, in, random);
            offer(std::move(child));
        }
    }
    for (std::size_t r = 0; r < options.random_candidates; ++r) offer(space::sample<Space>(in, random));

    // the one of largest expected improvement among the feasible
    const bool measure = limits.bounded() || options.cost_features;
    std::optional<bayesian_pick> chosen;
    for (architecture& a : pool) {
        cost::costs figures{};
        if (measure) {
            figures = costs_of<Space>(in, limits, a);
            if (!satisfies(figures, limits)) {
                ++result.rejected;
                continue;
            }
        }
        const predict::prediction p = model.predict(measure ? encode(a, figures) : encode(a));
        const double ei = expected_improvement(p.mean, p.variance, best, options.exploration);
        if (!chosen || ei > chosen->improvement || (ei == chosen->improvement && p.mean > chosen->mean))
            chosen = bayesian_pick{std::move(a), figures, p.mean, p.variance, ei};
    }
    if (chosen && !measure) chosen->costs = costs_of<Space>(in, limits, chosen->arch);
    return chosen;
}

/// Runs the steps from result.history.size() up to initial + iterations.
template <class Space, class Evaluator>
void bayesian_steps(shape in, Evaluator& evaluate, const cost::budget& limits, const bayesian_options& options, search_result& result) {
    const predict::encoder<Space> encode(in, {.costs = options.cost_features, .precision = limits.precision});
    std::unordered_set<architecture> seen;
    for (const evaluated& e : result.history) seen.insert(e.arch);
    const std::size_t total = options.initial + options.iterations;
    while (result.history.size() < total) {
        const std::size_t step = result.history.size();
        rng random(step_seed(options.seed, step));
        std::optional<std::pair<architecture, cost::costs>> next;
        if (step < options.initial || result.history.empty()) {
            for (std::size_t known = 0; known <= options.redraws; ++known) {
                std::pair<architecture, cost::costs> draw;
                try {
                    draw = sample_feasible<Space>(in, limits, random, &result.rejected);
                } catch (const error&) {
                    if (result.history.empty()) throw;  // nothing fits: the message says how far the space is from the budget
                    break;                              // feasible architectures are too rare: let the model propose
                }
                if (seen.contains(draw.first)) continue;
                next = std::move(draw);
                break;
            }
        }
        if (!next && !result.history.empty()) {
            std::optional<bayesian_pick> pick = propose<Space>(in, limits, options, encode, result, seen, random);
            if (!pick) break;  // no feasible candidate left that was not evaluated
            if (options.log != nullptr)
                std::fprintf(options.log, "bayesian: step %zu  predicted %.2f%% +- %.2f  expected improvement %.4f\n", step + 1,
                             100.0 * pick->mean, 100.0 * std::sqrt(pick->variance), pick->improvement);
            next.emplace(std::move(pick->arch), pick->costs);
        }
        if (!next) break;
        const train::evaluation score = detail::score(evaluate, next->first);
        evaluated entry = evaluated_of(std::move(next->first), next->second, score, step < options.initial ? 0 : step - options.initial + 1);
        seen.insert(entry.arch);
        log_candidate(options.log, "bayesian", step + 1, entry);
        detail::record(result, std::move(entry));
    }
}

inline void check_bayesian_options(const bayesian_options& options) {
    require(options.initial + options.iterations > 0, "bayesian_optimization: no evaluation to make (initial + iterations is 0)");
    require(options.parents > 0 || options.random_candidates > 0,
            "bayesian_optimization: no candidates (parents and random_candidates are both 0)");
    require(std::isfinite(options.exploration), "bayesian_optimization: the exploration margin must be finite");
}

} // namespace detail

/// Searches architectures of `Space` on inputs `in` within `limits` by Bayesian optimisation and returns
/// the best found after options.initial + options.iterations evaluations. Throws nascent::error when no
/// architecture meets the constraints.
template <class Space, architecture_evaluator Evaluator>
search_result bayesian_optimization(shape in, Evaluator&& evaluate, const cost::budget& limits, const bayesian_options& options = {}) {
    detail::check_bayesian_options(options);
    const auto start = std::chrono::steady_clock::now();
    search_result result;
    detail::bayesian_steps<Space>(in, evaluate, limits, options, result);
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

/// Continues a Bayesian optimisation of `Space` from the evaluations of `so_far` (the first ones of a run
/// with the same seed, in order) up to options.initial + options.iterations evaluations: the same steps,
/// hence the same result, as the uninterrupted run. The history is taken as it is (architectures are
/// checked against the space, costs and accuracies are not measured again); the best candidate is
/// recomputed from it, `rejected` and `seconds` go on adding up. Throws nascent::error on an
/// architecture that does not fit the space.
template <class Space, architecture_evaluator Evaluator>
search_result resume_bayesian_optimization(shape in, Evaluator&& evaluate, const cost::budget& limits, const search_result& so_far,
                                           const bayesian_options& options = {}) {
    detail::check_bayesian_options(options);
    const auto start = std::chrono::steady_clock::now();
    search_result result;
    result.rejected = so_far.rejected;
    for (const evaluated& e : so_far.history) {
        evaluated entry = e;
        entry.arch = checked<Space>(e.arch, in);
        detail::record(result, std::move(entry));
    }
    detail::bayesian_steps<Space>(in, evaluate, limits, options, result);
    result.seconds = so_far.seconds + std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

/// A Bayesian optimisation between steps: everything the next step reads.
struct bayesian_state {
    std::size_t steps = 0;  ///< steps done after the design
    search_result result;   ///< every evaluation so far, in order
};

/// The design: options.initial feasible random architectures, evaluated (step 0).
template <class Space, architecture_evaluator Evaluator>
[[nodiscard]] bayesian_state bayesian_start(shape in, Evaluator&& evaluate, const cost::budget& limits, const bayesian_options& options = {}) {
    bayesian_options design = options;
    design.iterations = 0;
    return bayesian_state{0, bayesian_optimization<Space>(in, evaluate, limits, design)};
}

/// One step: evaluations chosen by expected improvement up to initial + (steps + 1) * per_step in all
/// (fewer when no feasible candidate is left), as the uninterrupted run with iterations = (steps + 1) * per_step.
template <class Space, architecture_evaluator Evaluator>
void bayesian_step(shape in, Evaluator&& evaluate, const cost::budget& limits, const bayesian_options& options, bayesian_state& state) {
    bayesian_options step = options;
    step.iterations = (state.steps + 1) * options.per_step;
    state.result = resume_bayesian_optimization<Space>(in, evaluate, limits, state.result, step);
    ++state.steps;
}

/// The result of a stepped search.
[[nodiscard]] inline search_result bayesian_finish(bayesian_state state) { return std::move(state.result); }

} // namespace nascent::search
