// nascent/search/predict/rank_correlation.hpp - Kendall's tau-b and Spearman's rho.
//
//   const double tau = search::predict::kendall_tau(predicted, measured);   // in [-1, 1]
//   const double rho = search::predict::spearman_rho(predicted, measured);
//
// A search only needs a predictor to order candidates correctly, so predictors
// are judged by rank correlation between predicted and measured accuracy
// (adaptive.hpp chooses a predictor by it).
//
// Kendall's tau-b counts pairs: with C concordant and D discordant pairs, n0 =
// n(n-1)/2 pairs, n1 pairs tied in x and n2 tied in y,
//     tau_b = (C - D) / sqrt((n0 - n1) (n0 - n2)),
// so a pair tied on one side counts neither way and the value is 1 (or -1) for
// any strictly increasing (decreasing) relation even with ties. It is computed in
// O(n log n) with Knight's algorithm (a sort by x, then by y; the discordant
// pairs are the exchanges of a merge sort of the y values in that order).
// Spearman's rho is Pearson's correlation of the ranks, tied values getting the
// mean of the ranks they span. Both are 0 when either side is constant (no
// order to agree with).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <span>
#include <vector>

#include "nascent/core/error.hpp"
#include "nascent/core/text.hpp"

namespace nascent::search::predict {

namespace detail {

inline void check_pairs(std::span<const double> x, std::span<const double> y, const char* who) {
    require(x.size() == y.size(), string_of(who, ": ", x.size(), " values against ", y.size()));
    require(x.size() >= 2, string_of(who, ": needs at least two pairs, got ", x.size()));
    for (std::size_t i = 0; i < x.size(); ++i)
        require(std::isfinite(x[i]) && std::isfinite(y[i]), string_of(who, ": pair ", i, " holds a number that is not finite"));
}

/// Pairs within runs of equal values of sorted `v`: the sum of t(t-1)/2 over the runs.
inline std::uint64_t tied_pairs(std::span<const double> sorted) noexcept {
    std::uint64_t pairs = 0;
    for (std::size_t i = 0; i < sorted.size();) {
        std::size_t j = i + 1;
        while (j < sorted.size() && sorted[j] == sorted[i]) ++j;
        const auto t = static_cast<std::uint64_t>(j - i);
        pairs += t * (t - 1) / 2;
        i = j;
    }
    return pairs;
}

/// Sorts v[lo, hi) ascending (stable merge sort through `scratch`) and returns the number of pairs
/// i < j with v[i] > v[j] before sorting.
inline std::uint64_t sort_counting_inversions(std::vector<double>& v, std::vector<double>& scratch, std::size_t lo, std::size_t hi) {
    if (hi - lo < 2) return 0;
    const std::size_t mid = lo + (hi - lo) / 2;
    std::uint64_t inversions = sort_counting_inversions(v, scratch, lo, mid) + sort_counting_inversions(v, scratch, mid, hi);
    std::size_t i = lo, j = mid, k = lo;
    while (i < mid && j < hi) {
        if (v[j] < v[i]) {
            inversions += static_cast<std::uint64_t>(mid - i);  // v[j] is smaller than every remaining left value
            scratch[k++] = v[j++];
        } else {
            scratch[k++] = v[i++];
        }
    }
    while (i < mid) scratch[k++] = v[i++];
    while (j < hi) scratch[k++] = v[j++];
    std::copy(scratch.begin() + static_cast<std::ptrdiff_t>(lo), scratch.begin() + static_cast<std::ptrdiff_t>(hi),
              v.begin() + static_cast<std::ptrdiff_t>(lo));
    return inversions;
}

} // namespace detail

/// Kendall's tau-b of the pairs (x[i], y[i]): in [-1, 1], 0 when x or y is constant.
/// Throws nascent::error for fewer than two pairs, unequal lengths or values that are not finite.
[[nodiscard]] inline double kendall_tau(std::span<const double> x, std::span<const double> y) {
    detail::check_pairs(x, y, "kendall_tau");
    const std::size_t n = x.size();
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return x[a] < x[b] || (x[a] == x[b] && y[a] < y[b]); });

    // pairs tied in x (n1), and tied in both (n3)
    std::uint64_t tied_x = 0, tied_both = 0;
    for (std::size_t i = 0; i < n;) {
        std::size_t j = i + 1;
        while (j < n && x[order[j]] == x[order[i]]) ++j;
        const auto t = static_cast<std::uint64_t>(j - i);
        tied_x += t * (t - 1) / 2;
        for (std::size_t a = i; a < j;) {
            std::size_t b = a + 1;
            while (b < j && y[order[b]] == y[order[a]]) ++b;
            const auto u = static_cast<std::uint64_t>(b - a);
            tied_both += u * (u - 1) / 2;
            a = b;
        }
        i = j;
    }
    std::vector<double> ys(n), scratch(n);
    for (std::size_t i = 0; i < n; ++i) ys[i] = y[order[i]];
    // pairs ordered one way by x and the other by y (ties in x are sorted by y, so they add none)
    const std::uint64_t discordant = detail::sort_counting_inversions(ys, scratch, 0, n);
    const std::uint64_t tied_y = detail::tied_pairs(ys);

    const auto pairs = static_cast<std::uint64_t>(n) * (n - 1) / 2;
    const double untied_x = static_cast<double>(pairs - tied_x);
    const double untied_y = static_cast<double>(pairs - tied_y);
    if (untied_x <= 0.0 || untied_y <= 0.0) return 0.0;
    // C - D = (pairs - n1 - n2 + n3) - 2 D: the pairs tied on neither side, less twice the discordant ones
    const double numerator = static_cast<double>(pairs - tied_x - tied_y + tied_both) - 2.0 * static_cast<double>(discordant);
    return std::clamp(numerator / std::sqrt(untied_x * untied_y), -1.0, 1.0);
}

/// Ranks 1..n of `v`, tied values getting the mean of the ranks they span.
[[nodiscard]] inline std::vector<double> mid_ranks(std::span<const double> v) {
    const std::size_t n = v.size();
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
    std::vector<double> rank(n);
    for (std::size_t i = 0; i < n;) {
        std::size_t j = i + 1;
        while (j < n && v[order[j]] == v[order[i]]) ++j;
        const double mean_rank = 0.5 * static_cast<double>(i + 1 + j);  // the mean of ranks i+1 .. j
        for (std::size_t k = i; k < j; ++k) rank[order[k]] = mean_rank;
        i = j;
    }
    return rank;
}

/// Spearman's rho of the pairs (x[i], y[i]): Pearson's correlation of their mid-ranks; in [-1, 1],
/// 0 when x or y is constant. Throws as kendall_tau does.
[[nodiscard]] inline double spearman_rho(std::span<const double> x, std::span<const double> y) {
    detail::check_pairs(x, y, "spearman_rho");
    const std::vector<double> rx = mid_ranks(x), ry = mid_ranks(y);
    const double mean = 0.5 * static_cast<double>(x.size() + 1);  // of the ranks, ties or not
    double sxy = 0.0, sxx = 0.0, syy = 0.0;
    for (std::size_t i = 0; i < rx.size(); ++i) {
        sxy += (rx[i] - mean) * (ry[i] - mean);
        sxx += (rx[i] - mean) * (rx[i] - mean);
        syy += (ry[i] - mean) * (ry[i] - mean);
    }
    if (sxx <= 0.0 || syy <= 0.0) return 0.0;
    return std::clamp(sxy / std::sqrt(sxx * syy), -1.0, 1.0);
}

} // namespace nascent::search::predict
