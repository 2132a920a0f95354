// nascent/search/post_search.hpp - choosing the architectures to train from a search's candidates.
//
//   const search::nsga2_result r = search::nsga2<space>(in, judge, limits, o);
//   const std::vector<std::size_t> picks =
//       search::post_search(r.history, limits, {.count = 3, .prefer = search::preference_from_name("tradeoff")});
//   for (const std::size_t i : picks) train_from_scratch(r.history[i].arch);
//
// Returns at most `count` distinct indices into `candidates` (any strategy's history), best first,
// all within `limits` (search::satisfies): fewer only when fewer are feasible, none when none is.
// `prefer`: accuracy (the most accurate), top1_robust (the highest FlatNAS figure, with
// `robust_alpha`; every feasible candidate must have its robustness measured), a cost (peak_ram, flash, macs, params: the cheapest of the
// front of error against that figure, costs within `similar_cost` of each other grouped), or
// tradeoff (the knee points of the front of error and `tradeoff_objectives`). Ties go to the earlier
// candidate. A negative `similar_cost`, or an unknown name for preference_from_name, throws nascent::error.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numeric>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "nascent/core/error.hpp"
#include "nascent/core/text.hpp"
#include "nascent/cost/expected.hpp"
#include "nascent/search/constraints.hpp"
#include "nascent/search/nsga2.hpp"
#include "nascent/search/pareto.hpp"
#include "nascent/search/result.hpp"

namespace nascent::search {

enum class preference { accuracy, top1_robust, peak_ram, flash, macs, params, tradeoff };

/// The preference named `name`: "accuracy", "top1_robust", "ram" or "peak_ram", "flash", "macs", "params",
/// "tradeoff" or "trade-off". Throws nascent::error naming the valid names otherwise.
[[nodiscard]] inline preference preference_from_name(std::string_view name) {
    if (name == "accuracy") return preference::accuracy;
    if (name == "top1_robust") return preference::top1_robust;
    if (name == "ram" || name == "peak_ram") return preference::peak_ram;
    if (name == "flash") return preference::flash;
    if (name == "macs") return preference::macs;
    if (name == "params") return preference::params;
    if (name == "tradeoff" || name == "trade-off") return preference::tradeoff;
    throw error(string_of("post_search: unknown preference \"", name, "\" (expected accuracy, top1_robust, ram, flash, macs, params or tradeoff)"));
}

/// The name of a preference, as preference_from_name reads it.
[[nodiscard]] inline const char* preference_name(preference p) noexcept {
    switch (p) {
    case preference::accuracy: return "accuracy";
    case preference::top1_robust: return "top1_robust";
    case preference::peak_ram: return "ram";
    case preference::flash: return "flash";
    case preference::macs: return "macs";
    case preference::params: return "params";
    case preference::tradeoff: break;
    }
    return "tradeoff";
}

struct post_search_options {
    std::size_t count = 1;                       ///< how many architectures to pick
    preference prefer = preference::tradeoff;
    double similar_cost = 0.05;                  ///< cost preferences: relative width of a group of similar cost
    /// tradeoff: the cost objectives next to the error
    std::vector<cost::metric> tradeoff_objectives{cost::metric::peak_ram_bytes, cost::metric::flash_bytes};
    double robust_alpha = 0.5;                   ///< top1_robust: the weight of the clean accuracy
};

namespace detail {

inline cost::metric metric_of(preference p) {
    switch (p) {
    case preference::peak_ram: return cost::metric::peak_ram_bytes;
    case preference::flash: return cost::metric::flash_bytes;
    case preference::macs: return cost::metric::macs;
    case preference::params: return cost::metric::params;
    case preference::accuracy:
    case preference::top1_robust:
    case preference::tradeoff: break;
    }
    throw error("post_search: the preference has no cost figure");
}

/// A front of objective vectors with every objective mapped from [min, max] over the front to
/// [0, 1] (0 where the front agrees).
inline std::vector<std::vector<double>> normalized_front(std::vector<std::vector<double>> front) {
    if (front.empty()) return front;
    for (std::size_t k = 0; k < front[0].size(); ++k) {
        double low = front[0][k], high = front[0][k];
        for (const auto& f : front) low = std::min(low, f[k]), high = std::max(high, f[k]);
        for (auto& f : front) f[k] = high > low ? (f[k] - low) / (high - low) : 0.0;
    }
    return front;
}

/// The trade-off mu of every member of a normalised front (docs/search.md, "Multi-objective search").
inline std::vector<double> tradeoffs(const std::vector<std::vector<double>>& front) {
    const std::size_t n = front.size();
    std::vector<double> mu(n, std::numeric_limits<double>::infinity());
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j) {
            if (j == i) continue;
            double sacrifice = 0.0, gain = 0.0;
            for (std::size_t k = 0; k < front[i].size(); ++k) {
                const double d = front[j][k] - front[i][k];
                if (d > 0) sacrifice += d;
                else gain -= d;
            }
            if (gain > 0.0) mu[i] = std::min(mu[i], sacrifice / gain);
        }
    return mu;
}

inline double norm_of(const std::vector<double>& v) {
    double s = 0.0;
    for (const double x : v) s += x * x;
    return std::sqrt(s);
}

} // namespace detail

/// Up to `options.count` feasible candidates chosen by `options.prefer` (see the top of this
/// header), as indices into `candidates`, in the order of preference.
/// Throws nascent::error on a negative or undefined similar_cost.
[[nodiscard]] inline std::vector<std::size_t> post_search(std::span<const evaluated> candidates, const cost::budget& limits,
                                                          const post_search_options& options = {}) {
    require(options.similar_cost >= 0.0, "post_search: similar_cost must not be negative");
    std::vector<std::size_t> feasible;
    for (std::size_t i = 0; i < candidates.size(); ++i)
        if (satisfies(candidates[i].costs, limits)) feasible.push_back(i);
    std::vector<std::size_t> picks;
    if (options.count == 0 || feasible.empty()) return picks;

    if (options.prefer == preference::accuracy || options.prefer == preference::top1_robust) {
        objective_settings robust;
        robust.robust_alpha = options.robust_alpha;
        auto key = [&](std::size_t i) {
            const auto& c = candidates[i];
            const double score = options.prefer == preference::accuracy ? c.accuracy : 1.0 - value_of(c, objective::top1_robust, robust);
            return std::tuple(-score, c.costs.peak_ram_bytes, c.costs.flash_bytes, c.costs.macs);
        };
        std::stable_sort(feasible.begin(), feasible.end(), [&](std::size_t a, std::size_t b) { return key(a) < key(b); });
        feasible.resize(std::min(feasible.size(), options.count));
        return feasible;
    }

    std::vector<cost::metric> metrics;
    if (options.prefer == preference::tradeoff) {
        metrics = options.tradeoff_objectives;
    } else {
        metrics = {detail::metric_of(options.prefer)};
    }
    std::vector<point> points;
    points.reserve(feasible.size());
    for (const std::size_t i : feasible) points.push_back(point{objectives_of(candidates[i], metrics), 0.0});

    for (const auto& front : non_dominated_sort(points)) {
        if (picks.size() >= options.count) break;
        if (options.prefer == preference::tradeoff) {
            std::vector<std::vector<double>> f;
            for (const std::size_t k : front) f.push_back(points[k].objectives);
            f = detail::normalized_front(std::move(f));
            const std::vector<double> mu = detail::tradeoffs(f);
            std::vector<double> distance(f.size());
            for (std::size_t r = 0; r < f.size(); ++r) distance[r] = detail::norm_of(f[r]);
            std::vector<std::size_t> order(front.size());
            std::iota(order.begin(), order.end(), std::size_t{0});
            std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
                if (mu[a] != mu[b]) return mu[a] > mu[b];
                return distance[a] < distance[b];
            });
            for (std::size_t r = 0; r < order.size() && picks.size() < options.count; ++r) picks.push_back(feasible[front[order[r]]]);
        } else {
            // cheapest first; among equal figures the more accurate first
            std::vector<std::size_t> order(front.begin(), front.end());
            auto cost_of = [&](std::size_t k) { return points[k].objectives[1]; };
            auto error_of = [&](std::size_t k) { return points[k].objectives[0]; };
            std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
                if (cost_of(a) != cost_of(b)) return cost_of(a) < cost_of(b);
                return error_of(a) < error_of(b);
            });
            std::size_t at = 0;
            while (at < order.size() && picks.size() < options.count) {
                const double limit = cost_of(order[at]) * (1.0 + options.similar_cost);
                std::size_t best = at, end = at;
                for (; end < order.size() && cost_of(order[end]) <= limit; ++end)
                    if (error_of(order[end]) < error_of(order[best])) best = end;
                picks.push_back(feasible[order[best]]);
                at = end;
            }
        }
    }
    return picks;
}

} // namespace nascent::search
