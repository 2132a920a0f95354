// nascent/search/constraints.hpp - hard limits on the candidates of a search.
//
//   search::constraints limits{.max_peak_ram_bytes = 8 * 1024, .max_flash_bytes = 64 * 1024};
//
// Every bound is optional (unset: no limit) and measured by the cost model at
// `precision` (int8 by default, as deployed). The strategies reject a candidate
// that breaks one before evaluating it: its accuracy is never computed, and no
// result or history of a search holds it. The check itself is cost::feasible
// (cost/merit.hpp) on the candidate's figures; the error-rate bound of cost::bounds
// is not used here, since nothing is evaluated yet when the constraints are checked.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>

#include "nascent/core/error.hpp"
#include "nascent/core/random.hpp"
#include "nascent/core/shape.hpp"
#include "nascent/core/text.hpp"
#include "nascent/cost/costs.hpp"
#include "nascent/cost/merit.hpp"
#include "nascent/space/architecture.hpp"

namespace nascent::search {

struct constraints {
    std::optional<std::size_t> max_peak_ram_bytes{};  ///< the activation arena (cost::costs::peak_ram_bytes)
    std::optional<std::size_t> max_flash_bytes{};     ///< weights and quantisation parameters
    std::optional<std::size_t> max_macs{};
    std::optional<std::size_t> max_params{};
    cost::precision precision = cost::precision::int8;  ///< the precision the figures are measured at

    /// True when at least one bound is set.
    [[nodiscard]] bool bounded() const noexcept {
        return max_peak_ram_bytes || max_flash_bytes || max_macs || max_params;
    }
    /// The same limits as cost::bounds (unset bounds at their maximum, no error bound).
    [[nodiscard]] cost::bounds bounds() const noexcept {
        constexpr std::size_t none = std::numeric_limits<std::size_t>::max();
        cost::bounds b;
        b.ram_bytes = max_peak_ram_bytes.value_or(none);
        b.flash_bytes = max_flash_bytes.value_or(none);
        b.macs = max_macs.value_or(none);
        b.params = max_params.value_or(none);
        return b;
    }
};

/// True when figures `c` meet every bound of `limits`.
[[nodiscard]] inline bool satisfies(const cost::costs& c, const constraints& limits) noexcept {
    return cost::feasible(c, 0.0, limits.bounds());
}

/// The summed relative excess of `c` over the bounds (0 when it meets them all).
[[nodiscard]] inline double excess(const cost::costs& c, const constraints& limits) noexcept {
    return cost::violations(c, 0.0, limits.bounds()).total();
}

/// The figures of architecture `a` of `Space` on `in` at the constraints' precision (a must be valid).
template <class Space>
[[nodiscard]] cost::costs costs_of(shape in, const constraints& limits, const architecture& a) {
    return cost::of<Space>(in, limits.precision, a.view());
}

/// The bounds in words, e.g. "peak RAM <= 8192 B, flash <= 65536 B at int8" ("no constraints" when none is set).
[[nodiscard]] inline std::string describe(const constraints& limits) {
    std::string s;
    auto add = [&](const std::optional<std::size_t>& b, const char* what, const char* unit) {
        if (!b) return;
        if (!s.empty()) s += ", ";
        s += concat(what, " <= ", *b, unit);
    };
    add(limits.max_peak_ram_bytes, "peak RAM", " B");
    add(limits.max_flash_bytes, "flash", " B");
    add(limits.max_macs, "MACs", "");
    add(limits.max_params, "parameters", "");
    if (s.empty()) return "no constraints";
    s += limits.precision == cost::precision::int8 ? " at int8" : " at float32";
    return s;
}

/// The smallest figures met so far, to say how far an impossible budget is from the space.
struct smallest_seen {
    cost::costs figures = [] {
        constexpr std::size_t none = std::numeric_limits<std::size_t>::max();
        cost::costs c;
        c.params = c.macs = c.flash_bytes = c.peak_ram_bytes = none;
        return c;
    }();
    std::size_t draws = 0;

    void add(const cost::costs& c) noexcept {
        auto low = [](std::size_t& m, std::size_t v) { m = v < m ? v : m; };
        low(figures.peak_ram_bytes, c.peak_ram_bytes);
        low(figures.flash_bytes, c.flash_bytes);
        low(figures.macs, c.macs);
        low(figures.params, c.params);
        ++draws;
    }
};

/// The message of a search that found no candidate within `limits`.
[[nodiscard]] inline std::string infeasible_message(const char* who, const constraints& limits, const smallest_seen& seen) {
    std::string s = concat(who, ": no architecture within the constraints (", describe(limits), ") in ", seen.draws,
                           " random draws; the smallest figures seen (each the least over the draws) were");
    bool first = true;
    auto add = [&](const std::optional<std::size_t>& b, const char* what, std::size_t value, const char* unit) {
        if (!b) return;
        s += concat(first ? " " : ", ", what, " ", value, unit);
        first = false;
    };
    add(limits.max_peak_ram_bytes, "peak RAM", seen.figures.peak_ram_bytes, " B");
    add(limits.max_flash_bytes, "flash", seen.figures.flash_bytes, " B");
    add(limits.max_macs, "MACs", seen.figures.macs, "");
    add(limits.max_params, "parameters", seen.figures.params, "");
    s += ": relax the budget or use a space with smaller options";
    return s;
}

/// A uniformly drawn valid architecture of `Space` that meets `limits` (rejection sampling), with its
/// figures. Throws nascent::error naming the bounds and the smallest figures seen after
/// `attempts` draws without one.
template <class Space>
[[nodiscard]] std::pair<architecture, cost::costs> sample_feasible(shape in, const constraints& limits, rng& random,
                                                                   std::size_t* rejected = nullptr,
                                                                   int attempts = space::max_attempts) {
    smallest_seen seen;
    for (int attempt = 0; attempt < attempts; ++attempt) {
        architecture a = space::sample<Space>(in, random);
        const cost::costs c = costs_of<Space>(in, limits, a);
        if (satisfies(c, limits)) return {std::move(a), c};
        seen.add(c);
        if (rejected != nullptr) ++*rejected;
    }
    throw error(infeasible_message("search", limits, seen));
}

} // namespace nascent::search
