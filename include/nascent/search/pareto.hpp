// nascent/search/pareto.hpp - Pareto dominance with constraints, non-dominated sorting, crowding distance.
//
//   std::vector<search::point> p = {{{0.10, 900, 4000}, 0.0},    // error, peak RAM, flash; feasible
//                                   {{0.12, 700, 3500}, 0.0},
//                                   {{0.08, 1500, 9000}, 0.25}}; // 25 % over a bound: infeasible
//   search::dominates(p[0], p[2]);                      // true: feasible beats infeasible
//   const auto fronts = search::non_dominated_sort(p);  // {{0, 1}, {2}}
//   const auto spread = search::crowding_distance(p, fronts[0]);
//   const auto best = search::pareto_front(p);          // {0, 1}
//
// Every objective is minimised (error = 1 - accuracy; costs as they are); `violation` is 0 for a
// feasible point, else its search::excess. dominates(): feasible beats infeasible, the smaller
// violation wins among infeasible points, Pareto dominance decides among feasible ones; equal points
// do not dominate. non_dominated_sort gives the fronts best first; crowding_distance is larger for
// more isolated members. Mixed objective counts or non-finite objectives throw nascent::error.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numeric>
#include <span>
#include <vector>

#include "nascent/core/error.hpp"
#include "nascent/core/text.hpp"

namespace nascent::search {

/// One candidate in objective space: the objectives, each to minimise, and its constraint violation.
struct point {
    std::vector<double> objectives;  ///< error = 1 - accuracy first by convention, then costs; all minimised
    double violation = 0.0;          ///< total constraint violation; 0 when feasible

    [[nodiscard]] bool feasible() const noexcept { return violation <= 0.0; }
    friend bool operator==(const point&, const point&) = default;
};

/// Pareto dominance of objective vectors (minimisation): a is nowhere worse than b and somewhere
/// better. Throws nascent::error when the sizes differ.
[[nodiscard]] inline bool pareto_dominates(std::span<const double> a, std::span<const double> b) {
    require(a.size() == b.size(), string_of("pareto_dominates: ", a.size(), " objectives against ", b.size()));
    bool better = false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i] > b[i]) return false;
        if (a[i] < b[i]) better = true;
    }
    return better;
}

/// Constraint domination (docs/search.md, "Multi-objective search"): feasible beats infeasible, the smaller
/// violation wins among infeasible points, Pareto dominance decides among feasible ones.
[[nodiscard]] inline bool dominates(const point& a, const point& b) {
    const bool fa = a.feasible(), fb = b.feasible();
    if (fa != fb) return fa;
    if (!fa) return a.violation < b.violation;
    return pareto_dominates(a.objectives, b.objectives);
}

namespace detail {

/// Checks that the points share one objective count, hold no NaN or infinite objective and no
/// negative or NaN violation.
inline void check_points(std::span<const point> points, const char* who) {
    if (points.empty()) return;
    const std::size_t m = points.front().objectives.size();
    for (std::size_t i = 0; i < points.size(); ++i) {
        const point& p = points[i];
        require(p.objectives.size() == m, string_of(who, ": point ", i, " has ", p.objectives.size(), " objectives, point 0 has ", m));
        for (const double v : p.objectives) require(std::isfinite(v), string_of(who, ": point ", i, " has an objective that is not finite"));
        require(p.violation >= 0.0 && !std::isnan(p.violation),
                string_of(who, ": point ", i, " has a negative or undefined constraint violation"));
    }
}

} // namespace detail

/// Fast non-dominated sorting under constraint domination: the fronts, best first, each the
/// indices of its points in increasing order. Every point is in exactly one front.
/// Throws nascent::error on points of different objective counts or with non-finite objectives.
[[nodiscard]] inline std::vector<std::vector<std::size_t>> non_dominated_sort(std::span<const point> points) {
    detail::check_points(points, "non_dominated_sort");
    const std::size_t n = points.size();
    std::vector<std::vector<std::size_t>> dominated(n);  // the points each point dominates
    std::vector<std::size_t> dominators(n, 0);           // how many points dominate each point
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = i + 1; j < n; ++j) {
            if (dominates(points[i], points[j])) {
                dominated[i].push_back(j);
                ++dominators[j];
            } else if (dominates(points[j], points[i])) {
                dominated[j].push_back(i);
                ++dominators[i];
            }
        }
    std::vector<std::vector<std::size_t>> fronts;
    std::vector<std::size_t> current;
    for (std::size_t i = 0; i < n; ++i)
        if (dominators[i] == 0) current.push_back(i);
    while (!current.empty()) {
        std::vector<std::size_t> next;
        for (const std::size_t i : current)
            for (const std::size_t j : dominated[i])
                if (--dominators[j] == 0) next.push_back(j);
        std::sort(next.begin(), next.end());
        fronts.push_back(std::move(current));
        current = std::move(next);
    }
    return fronts;
}

/// The crowding distance of each member of `front` (indices into `points`), in the order of
/// `front`: for every objective, the members are sorted by it (ties by their position in
/// `front`); the first and last get an infinite distance, each other member adds the gap
/// between its two neighbours divided by the objective's range over the front. An objective on
/// which all members agree adds nothing (and sets no infinite distance). Fronts of one or two
/// members are all infinite.
[[nodiscard]] inline std::vector<double> crowding_distance(std::span<const point> points, std::span<const std::size_t> front) {
    for (const std::size_t i : front) require(i < points.size(), string_of("crowding_distance: index ", i, " out of ", points.size(), " points"));
    const std::size_t n = front.size();
    constexpr double infinite = std::numeric_limits<double>::infinity();
    std::vector<double> distance(n, 0.0);
    if (n <= 2) return std::vector<double>(n, infinite);
    const std::size_t m = points[front[0]].objectives.size();
    for (std::size_t k = 0; k < n; ++k) {
        const point& p = points[front[k]];
        require(p.objectives.size() == m, "crowding_distance: the points have different objective counts");
        for (const double v : p.objectives) require(std::isfinite(v), "crowding_distance: an objective is not finite");
    }
    std::vector<std::size_t> order(n);
    for (std::size_t objective = 0; objective < m; ++objective) {
        auto value = [&](std::size_t k) { return points[front[k]].objectives[objective]; };
        std::iota(order.begin(), order.end(), std::size_t{0});
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return value(a) < value(b); });
        const double range = value(order[n - 1]) - value(order[0]);
        if (!(range > 0.0)) continue;
        distance[order[0]] = infinite;
        distance[order[n - 1]] = infinite;
        for (std::size_t r = 1; r + 1 < n; ++r) distance[order[r]] += (value(order[r + 1]) - value(order[r - 1])) / range;
    }
    return distance;
}

/// Indices, in increasing order, of the feasible points that no other point Pareto-dominates
/// (empty when no point is feasible). Equal feasible points are all kept.
[[nodiscard]] inline std::vector<std::size_t> pareto_front(std::span<const point> points) {
    detail::check_points(points, "pareto_front");
    std::vector<std::size_t> front;
    for (std::size_t i = 0; i < points.size(); ++i) {
        if (!points[i].feasible()) continue;
        bool dominated = false;
        for (std::size_t j = 0; j < points.size() && !dominated; ++j)
            dominated = j != i && points[j].feasible() && pareto_dominates(points[j].objectives, points[i].objectives);
        if (!dominated) front.push_back(i);
    }
    return front;
}

} // namespace nascent::search
