// nascent/search/constraints.hpp - a search's hard limits (a cost::budget) on its candidates.
//
//   const cost::budget limits{.ram_bytes = 8 * 1024, .flash_bytes = 64 * 1024};
//   if (search::satisfies(search::costs_of<space>(in, limits, a), limits)) ...
//
// The strategies reject a candidate that breaks a bound before evaluating it: its accuracy is
// never computed, and no result or history of a search holds it. The figures are measured by
// the cost model at the budget's precision; the check is cost::feasible (cost/merit.hpp) on
// them, without an error-rate bound (nothing is evaluated when the budget is checked).
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
#include "nascent/cost/budget.hpp"
#include "nascent/cost/costs.hpp"
#include "nascent/cost/merit.hpp"
#include "nascent/space/architecture.hpp"

namespace nascent::search {

/// The budget as cost::bounds (unset bounds at their maximum, no error bound).
[[nodiscard]] constexpr cost::bounds bounds_of(const cost::budget& limits) noexcept {
    cost::bounds b;
    b.ram_bytes = *limits.ram_bytes;
    b.flash_bytes = *limits.flash_bytes;
    b.macs = *limits.macs;
    b.params = *limits.params;
    b.activations = *limits.activations;
    return b;
}

/// True when figures `c` meet every bound of `limits` (the early exits' MAC bounds included).
[[nodiscard]] inline bool satisfies(const cost::costs& c, const cost::budget& limits) noexcept {
    return cost::feasible(c, 0.0, bounds_of(limits)) && cost::exits_within(c, limits);
}

/// The summed relative excess of `c` over the bounds (0 when it meets them all).
[[nodiscard]] inline double excess(const cost::costs& c, const cost::budget& limits) noexcept {
    double e = cost::violations(c, 0.0, bounds_of(limits)).total();
    for (std::size_t k = 0; k < c.early_exits && k < cost::bounded_exits; ++k)
        e += cost::relative_excess(static_cast<double>(c.exit_macs[k]), static_cast<double>(*limits.exit_macs[k]));
    return e;
}

/// The figures of architecture `a` of `Space` on `in` at the constraints' precision (a must be valid).
template <class Space>
[[nodiscard]] cost::costs costs_of(shape in, const cost::budget& limits, const architecture& a) {
    return cost::of<Space>(in, limits.precision, a.view());
}

/// The bounds in words, e.g. "peak RAM <= 8192 B, flash <= 65536 B at int8" ("no constraints" when none is set).
[[nodiscard]] inline std::string describe(const cost::budget& limits) {
    std::string s;
    auto add = [&](const cost::limit& b, const char* what, const char* unit) {
        if (!b) return;
        if (!s.empty()) s += ", ";
        s += string_of(what, " <= ", *b, unit);
    };
    add(limits.ram_bytes, "peak RAM", " B");
    add(limits.flash_bytes, "flash", " B");
    add(limits.macs, "MACs", "");
    add(limits.params, "parameters", "");
    add(limits.activations, "activations", "");
    for (std::size_t k = 0; k < cost::bounded_exits; ++k) add(limits.exit_macs[k], string_of("MACs to exit ", k + 1).c_str(), "");
    if (s.empty()) return "no constraints";
    s += limits.precision == cost::precision::int8 ? " at int8" : " at float32";
    return s;
}

/// The smallest figures met so far, to say how far an impossible budget is from the space.
struct smallest_seen {
    cost::costs figures = [] {
        constexpr std::size_t none = std::numeric_limits<std::size_t>::max();
        cost::costs c;
        c.params = c.macs = c.flash_bytes = c.peak_ram_bytes = c.activations = none;
        c.exit_macs.fill(none);
        return c;
    }();
    std::size_t draws = 0;

    void add(const cost::costs& c) noexcept {
        auto low = [](std::size_t& m, std::size_t v) { m = v < m ? v : m; };
        low(figures.peak_ram_bytes, c.peak_ram_bytes);
        low(figures.flash_bytes, c.flash_bytes);
        low(figures.macs, c.macs);
        low(figures.params, c.params);
        low(figures.activations, c.activations);
        for (std::size_t k = 0; k < c.early_exits && k < cost::bounded_exits; ++k) low(figures.exit_macs[k], c.exit_macs[k]);
        ++draws;
    }
};

/// The message of a search that found no candidate within `limits`.
[[nodiscard]] inline std::string infeasible_message(const char* who, const cost::budget& limits, const smallest_seen& seen) {
    std::string s = string_of(who, ": no architecture within the constraints (", describe(limits), ") in ", seen.draws,
                           " random draws; the smallest figures seen (each the least over the draws) were");
    bool first = true;
    auto add = [&](const cost::limit& b, const char* what, std::size_t value, const char* unit) {
        if (!b) return;
        s += string_of(first ? " " : ", ", what, " ", value, unit);
        first = false;
    };
    add(limits.ram_bytes, "peak RAM", seen.figures.peak_ram_bytes, " B");
    add(limits.flash_bytes, "flash", seen.figures.flash_bytes, " B");
    add(limits.macs, "MACs", seen.figures.macs, "");
    add(limits.params, "parameters", seen.figures.params, "");
    add(limits.activations, "activations", seen.figures.activations, "");
    for (std::size_t k = 0; k < cost::bounded_exits; ++k)
        if (limits.exit_macs[k] && seen.figures.exit_macs[k] != std::numeric_limits<std::size_t>::max())
            add(limits.exit_macs[k], string_of("MACs to exit ", k + 1).c_str(), seen.figures.exit_macs[k], "");
    s += ": relax the budget or use a space with smaller options";
    return s;
}

/// A uniformly drawn valid architecture of `Space` that meets `limits` (rejection sampling), with its
/// figures. Throws nascent::error naming the bounds and the smallest figures seen after
/// `attempts` draws without one.
template <class Space>
[[nodiscard]] std::pair<architecture, cost::costs> sample_feasible(shape in, const cost::budget& limits, rng& random,
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
