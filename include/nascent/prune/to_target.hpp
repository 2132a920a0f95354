// nascent/prune/to_target.hpp - the accuracy-size loop: narrow one width option at a time, the
// one that loses the least L1 mass per share of the exceeded figures saved, and fine-tune after
// each step, until the architecture meets a flash and peak-RAM target (docs/pruning.md).
//
//   const prune::prune_result r = prune::prune_to_target(model, arch, target, [&](const prune::prune_step& s) {
//       /* train the model on s.after (train::fit with fit_options::architecture = s.after.choices) */
//   });
#pragma once

#include <cstddef>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "nascent/core/error.hpp"
#include "nascent/core/problem.hpp"
#include "nascent/core/shape.hpp"
#include "nascent/core/text.hpp"
#include "nascent/cost/costs.hpp"
#include "nascent/nn/supernet.hpp"
#include "nascent/prune/filter_ranking.hpp"
#include "nascent/prune/reorder.hpp"
#include "nascent/prune/target.hpp"
#include "nascent/prune/width_slots.hpp"
#include "nascent/space/architecture.hpp"
#include "nascent/space/check.hpp"

namespace nascent::prune {

/// One step of prune_to_target.
struct prune_step {
    architecture before;
    architecture after;
    std::size_t slot = 0;
    int from_width = 0;
    int to_width = 0;
    double removed_share = 0.0;  ///< L1 mass of the dropped filters over that of the live ones
    cost::costs costs;           ///< of `after`, at the target's precision
};

struct prune_result {
    architecture arch;           ///< the last architecture
    cost::costs costs;           ///< its costs
    std::vector<prune_step> steps;
    bool reached = false;        ///< arch meets the target
    std::string stopped;         ///< why it stopped short of the target (empty when reached)
};

/// Prunes `arch` one width option at a time until its flash and peak RAM (cost::of<Space> at
/// target.budget.precision) meet the target, calling fine_tune(const prune_step&) after each step
/// (train the model on step.after there). A step narrows, among the elastic widths whose
/// filters can be reordered and whose narrowing lowers an exceeded figure, the one that
/// loses the least L1 mass per share of that figure saved: removed_share divided by the
/// relative saving, summed over the exceeded figures. Stops when the target is met, after
/// max_steps, or when no width can lower an exceeded figure (result.stopped says which).
template <class Space, class T, class FineTune>
prune_result prune_to_target(nn::model<Space, T>& model, architecture arch, const prune_target& target, FineTune&& fine_tune) {
    using namespace detail;
    require(target.budget.flash_bytes || target.budget.ram_bytes, "prune_to_target: set a flash or a peak RAM bound");
    require(!target.budget.macs && !target.budget.params,
            "prune_to_target: only flash and peak RAM bounds can be pruned to; leave the budget's macs and params unset");
    const shape input = model.input_shape();
    prune_result result;
    result.arch = checked<Space>(std::move(arch), input);
    result.costs = cost::of<Space>(input, target.budget.precision, result.arch.view());
    auto over = [&](const cost::costs& c) {
        return !target.budget.flash_bytes.admits(c.flash_bytes) || !target.budget.ram_bytes.admits(c.peak_ram_bytes);
    };
    for (int step = 0; over(result.costs); ++step) {
        if (step == target.max_steps) {
            result.stopped = string_of("prune_to_target: ", target.max_steps, " steps taken");
            return result;
        }
        const cost::costs& now = result.costs;
        double best_score = std::numeric_limits<double>::infinity();
        prune_step best;
        for (const width_slot& w : width_slots(model, result.arch)) {
            if (!w.prunable()) continue;
            architecture trial = result.arch;
            trial.choices[w.slot] = w.option - 1;
            if (space::validate<Space>(input, trial.view()) != problem::none) continue;
            trial = space::canonical<Space>(std::move(trial));
            const cost::costs c = cost::of<Space>(input, target.budget.precision, trial.view());
            double saved = 0.0;
            if (target.budget.flash_bytes && now.flash_bytes > *target.budget.flash_bytes && c.flash_bytes < now.flash_bytes)
                saved += static_cast<double>(now.flash_bytes - c.flash_bytes) / static_cast<double>(now.flash_bytes);
            if (target.budget.ram_bytes && now.peak_ram_bytes > *target.budget.ram_bytes && c.peak_ram_bytes < now.peak_ram_bytes)
                saved += static_cast<double>(now.peak_ram_bytes - c.peak_ram_bytes) / static_cast<double>(now.peak_ram_bytes);
            if (saved <= 0.0) continue;
            std::vector<double> norms = filter_norms(model, result.arch, w.slot);
            norms.resize(static_cast<std::size_t>(w.width()));
            const double share = detail::removed_share(std::move(norms), w.widths[static_cast<std::size_t>(w.option - 1)]);
            const double score = share / saved;
            if (score < best_score) {
                best_score = score;
                best.before = result.arch;
                best.after = trial;
                best.slot = w.slot;
                best.from_width = w.width();
                best.to_width = w.widths[static_cast<std::size_t>(w.option - 1)];
                best.removed_share = share;
                best.costs = c;
            }
        }
        if (best_score == std::numeric_limits<double>::infinity()) {
            result.stopped = "prune_to_target: no elastic width left whose narrowing lowers an exceeded figure";
            return result;
        }
        result.arch = prune_width(model, result.arch, best.slot, best.after.choices[best.slot]);
        result.costs = best.costs;
        result.steps.push_back(best);
        fine_tune(static_cast<const prune_step&>(result.steps.back()));
    }
    result.reached = true;
    return result;
}

} // namespace nascent::prune
