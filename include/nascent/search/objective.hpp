// nascent/search/objective.hpp - what a multi-objective search minimises.
//
//   const std::vector<search::objective> o = search::objectives_named("top1_robust,tiny_ml");
//   search::objective_settings s;  s.tiny_ml.macs_max = 30;  s.robust_alpha = 0.5;
//   const double v = search::value_of(candidate, search::objective::tiny_ml, s);   // lower is better
//
// Every objective is a figure to minimise:
//   error        1 - accuracy
//   top1_robust  1 - FlatNAS's top1_robust: 1 - (alpha top1 + (1 - alpha) robustness), robustness
//                the accuracy under multiplicative weight perturbations (train/flatness.hpp); the
//                candidate must have been judged with it (search::evaluator_options::flatness_draws)
//   ram, flash, macs, params, activations   the cost model's figures (activations: CNAS's, the sum
//                of every layer's output size)
//   tiny_ml      CNAS's figure of merit (cost/merit.hpp) with the settings' maxima and weights
//   avg_macs     EDANAS's: the MACs up to each exit weighted by the share of inputs leaving there, as
//                the evaluator measured it; a network with one exit has its MACs as avg_macs
// A bound of the budget applies to ram, flash, macs, params and activations (bound_on).
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "nascent/core/error.hpp"
#include "nascent/core/text.hpp"
#include "nascent/cost/budget.hpp"
#include "nascent/cost/merit.hpp"
#include "nascent/search/result.hpp"
#include "nascent/train/flatness.hpp"

namespace nascent::search {

enum class objective { error, top1_robust, peak_ram_bytes, flash_bytes, macs, params, activations, tiny_ml, avg_macs };

inline constexpr std::array<objective, 9> all_objectives{objective::error,  objective::top1_robust, objective::peak_ram_bytes,
                                                         objective::flash_bytes, objective::macs,  objective::params,
                                                         objective::activations, objective::tiny_ml, objective::avg_macs};

/// The settings of the objectives that have any.
struct objective_settings {
    cost::tiny_ml_settings tiny_ml{};  ///< CNAS's pmax, mmax, amax (millions), wp, wm, wa and penalty
    double robust_alpha = 0.5;         ///< FlatNAS's alpha: the weight of the clean accuracy in top1_robust
};

/// The name of an objective, as objective_named reads it.
[[nodiscard]] constexpr const char* name_of(objective o) noexcept {
    switch (o) {
    case objective::error: return "error";
    case objective::top1_robust: return "top1_robust";
    case objective::peak_ram_bytes: return "ram";
    case objective::flash_bytes: return "flash";
    case objective::macs: return "macs";
    case objective::params: return "params";
    case objective::activations: return "activations";
    case objective::tiny_ml: return "tiny_ml";
    case objective::avg_macs: break;
    }
    return "avg_macs";
}

/// The objective named `name` (a name of name_of, or "peak_ram"); throws nascent::error listing the names otherwise.
[[nodiscard]] inline objective objective_named(std::string_view name) {
    if (name == "peak_ram") return objective::peak_ram_bytes;
    for (const objective o : all_objectives)
        if (name == name_of(o)) return o;
    std::string known;
    for (const objective o : all_objectives) known += string_of(known.empty() ? "" : ", ", name_of(o));
    throw error(string_of("unknown objective \"", name, "\" (the objectives are ", known, ")"));
}

/// Objectives from a comma-separated list such as "error,ram,flash". Throws nascent::error on an
/// empty list, an unknown or repeated name, and a list with neither error nor top1_robust.
[[nodiscard]] inline std::vector<objective> objectives_named(std::string_view list) {
    require(!list.empty(), "the list of objectives is empty");
    std::vector<objective> out;
    for (;;) {
        const std::size_t comma = list.find(',');
        const std::string_view name = list.substr(0, comma);
        const objective o = objective_named(name);
        require(std::find(out.begin(), out.end(), o) == out.end(), string_of("objective \"", name, "\" is named twice"));
        out.push_back(o);
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
    }
    require(std::find(out.begin(), out.end(), objective::error) != out.end() ||
                std::find(out.begin(), out.end(), objective::top1_robust) != out.end(),
            "the objectives must hold error or top1_robust: a search needs a figure of accuracy");
    return out;
}

/// The objectives as "error,ram,flash".
[[nodiscard]] inline std::string names_of(std::span<const objective> objectives) {
    std::string s;
    for (const objective o : objectives) s += string_of(s.empty() ? "" : ",", name_of(o));
    return s;
}

/// True when an objective needs the candidates' robustness (top1_robust).
[[nodiscard]] inline bool needs_robustness(std::span<const objective> objectives) noexcept {
    return std::find(objectives.begin(), objectives.end(), objective::top1_robust) != objectives.end();
}

/// The bound `limits` puts on the figure of `o`, if any.
[[nodiscard]] constexpr std::optional<std::size_t> bound_on(const cost::budget& limits, objective o) noexcept {
    auto of = [](const cost::limit& l) { return l ? std::optional<std::size_t>(*l) : std::nullopt; };
    switch (o) {
    case objective::peak_ram_bytes: return of(limits.ram_bytes);
    case objective::flash_bytes: return of(limits.flash_bytes);
    case objective::macs: return of(limits.macs);
    case objective::params: return of(limits.params);
    case objective::activations: return of(limits.activations);
    default: break;
    }
    return std::nullopt;
}

/// The figure `o` of a candidate, to minimise. Throws nascent::error for top1_robust on a candidate
/// judged without its robustness.
[[nodiscard]] inline double value_of(const evaluated& e, objective o, const objective_settings& s = {}) {
    switch (o) {
    case objective::error: return 1.0 - e.accuracy;
    case objective::top1_robust:
        require(e.robustness >= 0.0, "objective top1_robust: the candidate was judged without its robustness "
                                     "(judge it with weight perturbations: evaluator_options::flatness_draws > 0)");
        return 1.0 - train::top1_robust(e.accuracy, e.robustness, s.robust_alpha);
    case objective::peak_ram_bytes: return static_cast<double>(e.costs.peak_ram_bytes);
    case objective::flash_bytes: return static_cast<double>(e.costs.flash_bytes);
    case objective::macs: return static_cast<double>(e.costs.macs);
    case objective::params: return static_cast<double>(e.costs.params);
    case objective::activations: return static_cast<double>(e.costs.activations);
    case objective::tiny_ml: return cost::tiny_ml(e.costs, s.tiny_ml);
    case objective::avg_macs: break;
    }
    return e.average_macs >= 0.0 ? e.average_macs : static_cast<double>(e.costs.macs);
}

/// Every objective of a candidate, in the order given.
[[nodiscard]] inline std::vector<double> values_of(const evaluated& e, std::span<const objective> objectives,
                                                   const objective_settings& s = {}) {
    std::vector<double> v;
    v.reserve(objectives.size());
    for (const objective o : objectives) v.push_back(value_of(e, o, s));
    return v;
}

/// The normalisation of a hypervolume over `objectives` (the ideal point is 0): 1 for error and
/// top1_robust, the bound for a bounded figure, else the largest value among `candidates` (1 when
/// that is not positive).
[[nodiscard]] inline std::vector<double> nadir_of(std::span<const objective> objectives, const cost::budget& limits,
                                                  std::span<const evaluated> candidates, const objective_settings& s = {}) {
    std::vector<double> nadir;
    for (const objective o : objectives) {
        double n = 0.0;
        if (o == objective::error || o == objective::top1_robust) n = 1.0;
        else if (const auto b = bound_on(limits, o)) n = static_cast<double>(*b);
        else
            for (const auto& e : candidates) n = std::max(n, value_of(e, o, s));
        nadir.push_back(n > 0.0 ? n : 1.0);
    }
    return nadir;
}

} // namespace nascent::search
