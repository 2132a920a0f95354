// nascent/search/differentiable.hpp - differentiable search: train the alphas, derive, check, evaluate.
//
//   search::differentiable_options o;
//   o.training.mode = search::supernet_mode::darts;
//   o.training.hardware = {cost::metric::peak_ram_bytes, 6000.0, 5.0};   // optional hardware loss
//   const auto r = search::differentiable_search(model, train, norm, judge, limits, o);
//   // r.best, r.accuracy, r.costs; r.derived (argmax of the alphas), r.training (the supernet's epochs)
//
//   // the same interface as the stepped strategies: the search is one step, so start does it all
//   search::differentiable_state s = search::differentiable_start(model, train, norm, judge, limits, o);
//   const search::differentiable_result same = search::differentiable_finish(std::move(s));
//
// The supernet `model` is trained in a bilevel mode (darts, gumbel_soft or
// gumbel_hard; search/supernet_training.hpp), with the hardware loss when
// options.training.hardware is enabled. The architecture of largest alphas
// (model.derive()) is then checked against the constraints. When it breaks one,
// `repair` changes it one decision at a time, each time taking the change that
// gives up the least log-probability of the alphas per unit of relative excess
// removed, until it fits (see repair below); only a feasible architecture is evaluated (with the
// evaluator, e.g. inherited weights after batch-norm recalibration) and returned.
// An architecture that cannot be repaired, or an impossible budget, throws
// nascent::error before any evaluation; the budget is checked (by random draws,
// as the other strategies do) before the supernet is trained.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

#include "nascent/core/error.hpp"
#include "nascent/core/random.hpp"
#include "nascent/data/dataset.hpp"
#include "nascent/data/normalization.hpp"
#include "nascent/nn/architecture_weights.hpp"
#include "nascent/search/constraints.hpp"
#include "nascent/search/hardware_loss.hpp"
#include "nascent/search/result.hpp"
#include "nascent/search/supernet_training.hpp"
#include "nascent/space/architecture.hpp"

namespace nascent::search {

struct differentiable_options {
    supernet_options training = [] {
        supernet_options o;
        o.mode = supernet_mode::darts;
        return o;
    }();
    bool repair = true;        ///< make an infeasible derived architecture feasible (else: throw)
    std::FILE* log = nullptr;  ///< the derived architecture, the repair steps, the result
};

struct differentiable_result : search_result {
    supernet_report training{};    ///< the supernet's epochs (loss, accuracy, E[cost], derived architecture)
    architecture derived{};        ///< the architecture of largest alphas, before any repair
    cost::costs derived_costs{};   ///< its figures
    std::size_t repairs = 0;       ///< decisions changed to meet the constraints (0: derived == best)
    double expected_cost = 0.0;    ///< E[cost] of the hardware loss's metric after training
};

namespace detail {

/// How large a candidate is against the bounds it must meet: each bounded figure over its bound,
/// plus, under a RAM bound, all activation bytes over it. Peak RAM is a maximum over the network,
/// so shrinking one of two equally large layers leaves it unchanged; the activations still shrink,
/// which tells a repair that the change goes the right way.
inline double size_against(const cost::costs& c, const cost::budget& limits) {
    double m = 0.0;
    auto add = [&](const cost::limit& b, double figure) {
        if (b) m += figure / static_cast<double>(std::max<std::size_t>(*b, 1));
    };
    add(limits.ram_bytes, static_cast<double>(c.peak_ram_bytes));
    add(limits.ram_bytes, static_cast<double>(c.activations * cost::element_bytes(limits.precision)));
    add(limits.flash_bytes, static_cast<double>(c.flash_bytes));
    add(limits.macs, static_cast<double>(c.macs));
    add(limits.params, static_cast<double>(c.params));
    return m;
}

} // namespace detail

/// Changes `a` (an architecture of `Model`'s space, with alphas in `model`) one decision at a time
/// until it meets `limits`; returns the number of changes, or throws when no change helps.
///
/// Each step takes, among the single changes of a decision with alphas that reduce the relative
/// excess over the bounds, the one that gives up the least log-probability of the alphas per unit
/// of excess removed. When none reduces the excess (peak RAM set by two equally large layers), it
/// takes the change that costs the least log-probability per unit of size removed (detail::size_against)
/// among those that keep the excess and reduce the size. The pair (excess, size) falls at every step,
/// so the repair ends.
template <class Model>
std::size_t repair(Model& model, architecture& a, const cost::budget& limits, std::FILE* log = nullptr) {
    using Space = typename Model::network;
    using T = typename Model::scalar;
    const shape in = model.input_shape();
    std::vector<std::pair<std::size_t, std::vector<double>>> log_probability;  // per slot with alphas
    model.visit_decisions([&](std::size_t slot, nn::architecture_weights<T>& w) {
        std::vector<double> p = softmax_of(w);
        for (auto& v : p) v = std::log(std::max(v, 1e-300));
        log_probability.emplace_back(slot, std::move(p));
    });
    a = checked<Space>(std::move(a), in);
    cost::costs figures = costs_of<Space>(in, limits, a);
    std::size_t changes = 0;
    while (!satisfies(figures, limits)) {
        const double excess_now = excess(figures, limits);
        const double size_now = detail::size_against(figures, limits);
        const std::vector<bool> active = space::active_slots<Space>(a);
        // [0]: moves that reduce the excess; [1]: moves that keep it and reduce the size
        double best_ratio[2] = {std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity()};
        architecture best_move[2];
        cost::costs best_figures[2];
        for (const auto& [slot, lp] : log_probability) {
            if (slot >= a.size() || !active[slot]) continue;
            const auto current = static_cast<std::size_t>(a.choices[slot]);
            for (std::size_t option = 0; option < lp.size(); ++option) {
                if (option == current) continue;
                architecture probe = a;
                probe.choices[slot] = static_cast<int>(option);
                if (space::validate<Space>(in, probe.view()) != problem::none) continue;
                probe = space::canonical<Space>(std::move(probe));
                const cost::costs c = costs_of<Space>(in, limits, probe);
                const double excess_gain = excess_now - excess(c, limits);
                const double size_gain = size_now - detail::size_against(c, limits);
                const int kind = excess_gain > 0.0 ? 0 : excess_gain == 0.0 && size_gain > 0.0 ? 1 : -1;
                if (kind < 0) continue;
                const double drop = std::max(lp[current] - lp[option], 0.0);
                const double ratio = drop / (kind == 0 ? excess_gain : size_gain);
                if (ratio < best_ratio[kind]) {
                    best_ratio[kind] = ratio;
                    best_move[kind] = std::move(probe);
                    best_figures[kind] = c;
                }
            }
        }
        const int kind = best_move[0].size() > 0 ? 0 : best_move[1].size() > 0 ? 1 : -1;
        if (kind < 0)
            throw error(string_of("differentiable search: the derived architecture ", to_text(a),
                               " breaks the constraints (", describe(limits),
                               ") and no change of one decision brings it closer: relax the budget or raise the hardware loss"));
        a = std::move(best_move[kind]);
        figures = best_figures[kind];
        ++changes;
        if (log != nullptr) {
            std::fprintf(log, "differentiable search: repair %zu -> %s  RAM %zu B  flash %zu B  MACs %zu  params %zu\n", changes,
                         to_text(a).c_str(), figures.peak_ram_bytes, figures.flash_bytes, figures.macs, figures.params);
            std::fflush(log);
        }
    }
    return changes;
}

/// Trains the supernet `model` on `data` in a bilevel mode, derives its architecture, makes it meet
/// `limits` and evaluates it with `evaluate`.
template <class Model, architecture_evaluator Evaluator>
differentiable_result differentiable_search(Model& model, const image_dataset& data, const normalization& norm,
                                            Evaluator&& evaluate, const cost::budget& limits,
                                            const differentiable_options& options = {}) {
    using Space = typename Model::network;
    require(bilevel(options.training.mode), "differentiable_search: the supernet mode must be darts, gumbel_soft or gumbel_hard");
    const auto start = std::chrono::steady_clock::now();
    const shape in = model.input_shape();
    differentiable_result result;
    if (limits.bounded()) {
        rng probe(options.training.seed);
        (void)sample_feasible<Space>(in, limits, probe);  // an impossible budget fails here, before training
    }
    result.training = train_supernet<Space>(model, data, norm, options.training);
    result.derived = model.derive();
    result.derived_costs = costs_of<Space>(in, limits, result.derived);
    result.expected_cost = apply_hardware_loss<Space>(model, in, options.training.hardware, false).expected;
    if (options.log != nullptr) {
        std::fprintf(options.log, "differentiable search (%s): derived %s  RAM %zu B  flash %zu B  MACs %zu  params %zu\n",
                     name(options.training.mode), to_text(result.derived).c_str(), result.derived_costs.peak_ram_bytes,
                     result.derived_costs.flash_bytes, result.derived_costs.macs, result.derived_costs.params);
        std::fflush(options.log);
    }
    architecture chosen = result.derived;
    if (!satisfies(result.derived_costs, limits)) {
        ++result.rejected;
        if (!options.repair)
            throw error(string_of("differentiable search: the derived architecture ", to_text(chosen), " breaks the constraints (",
                               describe(limits), ")"));
        result.repairs = repair(model, chosen, limits, options.log);
    }
    const cost::costs figures = costs_of<Space>(in, limits, chosen);
    const train::evaluation score = detail::score(evaluate, chosen);
    evaluated entry = evaluated_of(std::move(chosen), figures, score, 0);
    log_candidate(options.log, "differentiable", 1, entry);
    detail::record(result, std::move(entry));
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

/// A differentiable search between steps. It has one step, the bilevel training with the derivation
/// (differentiable_start); a resumed search holding a finished state has nothing left to do.
struct differentiable_state {
    bool done = false;
    differentiable_result result;
};

/// Runs the search (differentiable_search) and holds its result.
template <class Model, architecture_evaluator Evaluator>
[[nodiscard]] differentiable_state differentiable_start(Model& model, const image_dataset& data, const normalization& norm,
                                                        Evaluator&& evaluate, const cost::budget& limits,
                                                        const differentiable_options& options = {}) {
    return differentiable_state{true, differentiable_search(model, data, norm, evaluate, limits, options)};
}

/// The result of the search.
[[nodiscard]] inline differentiable_result differentiable_finish(differentiable_state state) { return std::move(state.result); }

} // namespace nascent::search
