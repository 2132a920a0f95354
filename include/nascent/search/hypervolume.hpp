// nascent/search/hypervolume.hpp - the exact hypervolume of a set of points, and objective normalisation.
//
//   const std::vector<std::vector<double>> front = {{0.1, 0.8}, {0.3, 0.4}, {0.7, 0.1}};
//   const std::vector<double> reference = {1.0, 1.0};
//   double hv = search::hypervolume(front, reference);    // 0.9*0.2 + 0.7*0.4 + 0.3*0.3 = 0.55
//   const std::vector<double> ideal = {0.0, 0.0}, nadir = {2.0, 4.0};
//   const auto scaled = search::normalize_objectives(front[0], ideal, nadir);  // {0.05, 0.2}
//
// Objectives are minimised (pareto.hpp). hypervolume(points, r) is the exact measure of the union of
// the boxes [p_1, r_1] x ... x [p_m, r_m] over the points p with p_i < r_i in every objective; other
// points, duplicates and dominated points add nothing. hypervolume_2d, _3d and _nd compute it for a
// fixed objective count. A point whose objective count differs from r's, or a NaN, throws nascent::error.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <iterator>
#include <map>
#include <span>
#include <vector>

#include "nascent/core/error.hpp"
#include "nascent/core/text.hpp"

namespace nascent::search {

namespace detail {

using hv_points = std::vector<const double*>;

/// Checks the dimensions and values; returns the points that strictly dominate the reference.
inline hv_points hv_prepare(std::span<const std::vector<double>> points, std::span<const double> reference, const char* who,
                            std::size_t dimensions_required = 0) {
    const std::size_t m = reference.size();
    require(m > 0, string_of(who, ": the reference point has no objective"));
    require(dimensions_required == 0 || m == dimensions_required,
            string_of(who, ": expected a reference point of ", dimensions_required, " objectives, got ", m));
    for (const double r : reference) require(!std::isnan(r), string_of(who, ": the reference point has an undefined objective"));
    hv_points kept;
    kept.reserve(points.size());
    for (std::size_t i = 0; i < points.size(); ++i) {
        const auto& p = points[i];
        require(p.size() == m, string_of(who, ": point ", i, " has ", p.size(), " objectives, the reference point ", m));
        bool inside = true;
        for (std::size_t k = 0; k < m; ++k) {
            require(!std::isnan(p[k]), string_of(who, ": point ", i, " has an undefined objective"));
            inside = inside && p[k] < reference[k];
        }
        if (inside) kept.push_back(p.data());
    }
    return kept;
}

/// One objective: the distance from the least value to the reference.
inline double hv_1d(const hv_points& points, const double* reference) {
    if (points.empty()) return 0.0;
    double low = points.front()[0];
    for (const double* p : points) low = std::min(low, p[0]);
    return reference[0] - low;
}

/// Two objectives (the first two coordinates of each point): sort by the first, sweep.
inline double hv_2d(hv_points points, const double* reference) {
    std::sort(points.begin(), points.end(), [](const double* a, const double* b) { return a[0] < b[0] || (a[0] == b[0] && a[1] < b[1]); });
    double area = 0.0;
    double ceiling = reference[1];  // the lowest second objective met so far
    for (const double* p : points) {
        if (p[1] < ceiling) {
            area += (reference[0] - p[0]) * (ceiling - p[1]);
            ceiling = p[1];
        }
    }
    return area;
}

/// Three objectives (the first three coordinates): sweep along the third, keeping the 2-D
/// staircase of the points met so far (x increasing, y decreasing) and its dominated area.
inline double hv_3d(hv_points points, const double* reference) {
    std::sort(points.begin(), points.end(), [](const double* a, const double* b) { return a[2] < b[2]; });
    std::map<double, double> stairs;  // x -> y of the non-dominated points in the (x, y) projection
    double area = 0.0, volume = 0.0;
    for (std::size_t i = 0; i < points.size(); ++i) {
        const double x = points[i][0], y = points[i][1];
        auto it = stairs.lower_bound(x);  // the first step with x' >= x
        double top = reference[1];        // what the steps left of x already cover from above
        bool covered = false;
        if (it != stairs.begin()) {
            const auto left = std::prev(it);
            covered = left->second <= y;
            top = left->second;
        }
        if (!covered && it != stairs.end() && it->first == x && it->second <= y) covered = true;
        if (!covered) {
            // steps the new point dominates (x' >= x, y' >= y) leave; the area they did not cover is added
            double from = x;
            double height = top;
            while (it != stairs.end() && it->second >= y) {
                area += (it->first - from) * (height - y);
                from = it->first;
                height = it->second;
                it = stairs.erase(it);
            }
            const double to = it == stairs.end() ? reference[0] : it->first;
            area += (to - from) * (height - y);
            stairs.emplace(x, y);
        }
        const double next = i + 1 < points.size() ? points[i + 1][2] : reference[2];
        volume += area * (next - points[i][2]);
    }
    return volume;
}

/// Slicing along objective `m - 1`, recursively, down to `base` objectives (1, 2 or 3).
inline double hv_slice(hv_points points, const double* reference, std::size_t m, std::size_t base) {
    if (points.empty()) return 0.0;
    if (m == base || m == 1) {
        if (m == 1) return hv_1d(points, reference);
        if (m == 2) return hv_2d(std::move(points), reference);
        return hv_3d(std::move(points), reference);
    }
    const std::size_t last = m - 1;
    std::sort(points.begin(), points.end(), [last](const double* a, const double* b) { return a[last] < b[last]; });
    double volume = 0.0;
    hv_points below;
    below.reserve(points.size());
    for (std::size_t i = 0; i < points.size(); ++i) {
        below.push_back(points[i]);
        const double next = i + 1 < points.size() ? points[i + 1][last] : reference[last];
        const double depth = next - points[i][last];
        if (depth > 0.0) volume += hv_slice(below, reference, m - 1, base) * depth;
    }
    return volume;
}

} // namespace detail

/// Exact hypervolume of two-objective points with respect to `reference` (sort and sweep).
/// Throws nascent::error unless every point and the reference have two objectives.
[[nodiscard]] inline double hypervolume_2d(std::span<const std::vector<double>> points, std::span<const double> reference) {
    return detail::hv_2d(detail::hv_prepare(points, reference, "hypervolume_2d", 2), reference.data());
}

/// Exact hypervolume of three-objective points with respect to `reference` (sweep with a 2-D staircase).
/// Throws nascent::error unless every point and the reference have three objectives.
[[nodiscard]] inline double hypervolume_3d(std::span<const std::vector<double>> points, std::span<const double> reference) {
    return detail::hv_3d(detail::hv_prepare(points, reference, "hypervolume_3d", 3), reference.data());
}

/// Exact hypervolume of points of any number of objectives by slicing, all the way down to
/// one objective (no 2-D or 3-D sweep is used: an independent check of those).
[[nodiscard]] inline double hypervolume_nd(std::span<const std::vector<double>> points, std::span<const double> reference) {
    return detail::hv_slice(detail::hv_prepare(points, reference, "hypervolume_nd"), reference.data(), reference.size(), 1);
}

/// Exact hypervolume of points with respect to `reference`, all of the same objective count:
/// the 2-D or 3-D sweep, or slicing down to three objectives for more. 0 for no point.
/// Throws nascent::error on objective counts that differ from the reference's or NaN values.
[[nodiscard]] inline double hypervolume(std::span<const std::vector<double>> points, std::span<const double> reference) {
    detail::hv_points kept = detail::hv_prepare(points, reference, "hypervolume");
    const std::size_t m = reference.size();
    return detail::hv_slice(std::move(kept), reference.data(), m, m <= 3 ? m : 3);
}

/// `values` mapped linearly so that `ideal` goes to 0 and `nadir` to 1 in every objective:
/// (v - ideal) / (nadir - ideal). Values within [ideal, nadir] land in [0, 1]; values outside
/// are not clamped (a hypervolume with reference point 1.1 then still ignores a point far
/// beyond the nadir). Throws nascent::error unless the sizes agree and nadir > ideal everywhere.
[[nodiscard]] inline std::vector<double> normalize_objectives(std::span<const double> values, std::span<const double> ideal,
                                                              std::span<const double> nadir) {
    require(ideal.size() == values.size() && nadir.size() == values.size(),
            string_of("normalize_objectives: ", values.size(), " objectives, ", ideal.size(), " ideal and ", nadir.size(), " nadir values"));
    std::vector<double> out(values.size());
    for (std::size_t k = 0; k < values.size(); ++k) {
        require(nadir[k] > ideal[k], string_of("normalize_objectives: objective ", k, " has nadir ", nadir[k], " not above ideal ", ideal[k]));
        out[k] = (values[k] - ideal[k]) / (nadir[k] - ideal[k]);
    }
    return out;
}

/// Every point of `points` normalised as above.
[[nodiscard]] inline std::vector<std::vector<double>> normalize_objectives(std::span<const std::vector<double>> points,
                                                                           std::span<const double> ideal, std::span<const double> nadir) {
    std::vector<std::vector<double>> out;
    out.reserve(points.size());
    for (const auto& p : points) out.push_back(normalize_objectives(std::span<const double>(p), ideal, nadir));
    return out;
}

} // namespace nascent::search
