// nascent/cost/merit.hpp - figures of merit: bounds, violations, CNAS's tiny_ml, NACHOS's adaptive penalty.
//
// A search judges a candidate by its costs (costs.hpp) and its error rate. Bounds
// on them serve two ways:
// - hard rejection: feasible(costs, error, bounds), with violations(...) giving each
//   constraint's relative excess max(0, x - bound) / bound;
// - a penalty: static (static_penalty: a factor times the summed excess), CNAS's
//   tiny_ml figure, or NACHOS's adaptive one (adaptive_penalty).
//
// tiny_ml is CNAS's second objective (Gambella et al., SMC 2022; the CNAS repository's
// utils.tiny_ml), with params, MACs and activations in millions:
//   wp (p + penalty max(0, p - pmax)) + wm (m + penalty max(0, m - mmax)) + wa (a + penalty max(0, a - amax))
// defaults as CNAS's command line: pmax 2, mmax 100, amax 5, wp 1, wm 1/40, wa 1, penalty 1e10.
// (CNAS rounds the millions to two decimals first; these figures are not rounded.)
//
// NACHOS (Gambella et al., 2024) replaces the MAC objective of a candidate by
//   phi c + (1 - phi) cv,  cv = max(0, c - cmax) / |c_worst - cmax|
// where phi is the fraction of feasible candidates in the current population and
// c_worst the largest figure among them: while most candidates break the bound the
// search is pushed toward feasibility, once most satisfy it toward a low figure.
// adaptive_penalty applies it per constraint over the last `window` candidates
// recorded, so each constraint's weight 1 - phi_c follows how often it was broken lately.
#pragma once

#include <array>
#include <cstddef>
#include <limits>
#include <vector>

#include "nascent/cost/costs.hpp"

namespace nascent::cost {

/// The constraints a candidate can break.
enum class constraint { ram, flash, macs, params, activations, error };
inline constexpr std::size_t constraint_count = 6;
inline constexpr std::array<constraint, constraint_count> all_constraints{
    constraint::ram, constraint::flash, constraint::macs, constraint::params, constraint::activations, constraint::error};

/// Upper bounds on a candidate's figures; the defaults bound nothing.
struct bounds {
    std::size_t ram_bytes = std::numeric_limits<std::size_t>::max();    ///< peak RAM
    std::size_t flash_bytes = std::numeric_limits<std::size_t>::max();  ///< weights and quantisation parameters
    std::size_t macs = std::numeric_limits<std::size_t>::max();
    std::size_t params = std::numeric_limits<std::size_t>::max();
    std::size_t activations = std::numeric_limits<std::size_t>::max();
    double error = 1.0;  ///< error rate, in [0, 1]
};

/// A candidate's figure for one constraint.
[[nodiscard]] constexpr double figure(const costs& c, double error, constraint k) noexcept {
    switch (k) {
    case constraint::ram: return static_cast<double>(c.peak_ram_bytes);
    case constraint::flash: return static_cast<double>(c.flash_bytes);
    case constraint::macs: return static_cast<double>(c.macs);
    case constraint::params: return static_cast<double>(c.params);
    case constraint::activations: return static_cast<double>(c.activations);
    case constraint::error: break;
    }
    return error;
}

/// The bound on one constraint.
[[nodiscard]] constexpr double bound(const bounds& b, constraint k) noexcept {
    switch (k) {
    case constraint::ram: return static_cast<double>(b.ram_bytes);
    case constraint::flash: return static_cast<double>(b.flash_bytes);
    case constraint::macs: return static_cast<double>(b.macs);
    case constraint::params: return static_cast<double>(b.params);
    case constraint::activations: return static_cast<double>(b.activations);
    case constraint::error: break;
    }
    return b.error;
}

/// Relative excess max(0, x - b) / b of one figure over its bound (infinite over a bound of 0).
[[nodiscard]] constexpr double relative_excess(double x, double b) noexcept {
    if (x <= b) return 0.0;
    return b > 0 ? (x - b) / b : std::numeric_limits<double>::infinity();
}

/// Each constraint's relative excess (0 where it holds).
struct constraint_excess {
    std::array<double, constraint_count> excess{};

    [[nodiscard]] constexpr double operator[](constraint k) const noexcept { return excess[static_cast<std::size_t>(k)]; }
    /// Number of constraints broken.
    [[nodiscard]] constexpr std::size_t count() const noexcept {
        std::size_t n = 0;
        for (const double e : excess) n += e > 0 ? 1U : 0U;
        return n;
    }
    /// The excesses summed.
    [[nodiscard]] constexpr double total() const noexcept {
        double sum = 0;
        for (const double e : excess) sum += e;
        return sum;
    }
};

/// How far a candidate is over each bound.
[[nodiscard]] constexpr constraint_excess violations(const costs& c, double error, const bounds& b) noexcept {
    constraint_excess v;
    for (const constraint k : all_constraints) v.excess[static_cast<std::size_t>(k)] = relative_excess(figure(c, error, k), bound(b, k));
    return v;
}

/// True when the candidate meets every bound (hard rejection otherwise).
[[nodiscard]] constexpr bool feasible(const costs& c, double error, const bounds& b) noexcept {
    return violations(c, error, b).count() == 0;
}

/// A static penalty: `factor` times the summed relative excess (0 for a feasible candidate).
[[nodiscard]] constexpr double static_penalty(const costs& c, double error, const bounds& b, double factor = 1e10) noexcept {
    return factor * violations(c, error, b).total();
}

/// CNAS's tiny_ml settings; maxima in millions, as CNAS's --pmax, --mmax and --amax.
struct tiny_ml_settings {
    double params_max = 2;
    double macs_max = 100;
    double activations_max = 5;
    double params_weight = 1;            ///< --wp
    double macs_weight = 1.0 / 40.0;     ///< --wm
    double activations_weight = 1;       ///< --wa
    double penalty = 1e10;               ///< --penalty: the static penalty factor

    /// The same weights with maxima taken from `b` (unbounded figures stay unpenalised).
    [[nodiscard]] constexpr tiny_ml_settings with_bounds(const bounds& b) const noexcept {
        tiny_ml_settings s = *this;
        s.params_max = static_cast<double>(b.params) / 1e6;
        s.macs_max = static_cast<double>(b.macs) / 1e6;
        s.activations_max = static_cast<double>(b.activations) / 1e6;
        return s;
    }
};

/// CNAS's tiny_ml figure of merit (lower is better); see the top of this header.
[[nodiscard]] constexpr double tiny_ml(const costs& c, const tiny_ml_settings& s = {}) noexcept {
    const double p = static_cast<double>(c.params) / 1e6;
    const double m = static_cast<double>(c.macs) / 1e6;
    const double a = static_cast<double>(c.activations) / 1e6;
    auto over = [](double x, double max) { return x > max ? x - max : 0.0; };
    return s.params_weight * (p + s.penalty * over(p, s.params_max)) + s.macs_weight * (m + s.penalty * over(m, s.macs_max)) +
           s.activations_weight * (a + s.penalty * over(a, s.activations_max));
}

/// NACHOS's objective for one constrained figure: phi * value + (1 - phi) * cv, with the
/// normalised violation cv = max(0, value - bound) / |worst - bound| (0 when worst == bound).
[[nodiscard]] constexpr double nachos_objective(double value, double bound, double worst, double feasible_fraction) noexcept {
    const double spread = worst > bound ? worst - bound : bound - worst;
    const double cv = spread > 0 && value > bound ? (value - bound) / spread : 0.0;
    return feasible_fraction * value + (1.0 - feasible_fraction) * cv;
}

/// NACHOS-style adaptive penalties, one per constraint, from the candidates recorded lately.
class adaptive_penalty {
public:
    /// `window`: how many of the most recent candidates count (at least 1).
    constexpr explicit adaptive_penalty(const bounds& b, std::size_t window = 100) : bounds_(b), window_(window > 0 ? window : 1) {}

    /// Adds an evaluated candidate; the oldest drops out once `window` are held.
    constexpr void record(const costs& c, double error) {
        std::array<double, constraint_count> figures{};
        for (const constraint k : all_constraints) figures[static_cast<std::size_t>(k)] = figure(c, error, k);
        if (recent_.size() < window_) {
            recent_.push_back(figures);
        } else {
            recent_[next_] = figures;
        }
        next_ = (next_ + 1) % window_;
    }

    /// Candidates currently held.
    [[nodiscard]] constexpr std::size_t size() const noexcept { return recent_.size(); }

    /// phi_k: the fraction of the recent candidates meeting constraint k (1 before any is recorded).
    [[nodiscard]] constexpr double feasible_fraction(constraint k) const noexcept {
        if (recent_.empty()) return 1.0;
        const double b = bound(bounds_, k);
        std::size_t met = 0;
        for (const auto& f : recent_) met += f[static_cast<std::size_t>(k)] <= b ? 1U : 0U;
        return static_cast<double>(met) / static_cast<double>(recent_.size());
    }

    /// The penalty weight of constraint k: the fraction of recent candidates breaking it.
    [[nodiscard]] constexpr double weight(constraint k) const noexcept { return 1.0 - feasible_fraction(k); }

    /// The largest recent figure for constraint k (the bound before any is recorded).
    [[nodiscard]] constexpr double worst(constraint k) const noexcept {
        double w = bound(bounds_, k);
        for (const auto& f : recent_) w = f[static_cast<std::size_t>(k)] > w ? f[static_cast<std::size_t>(k)] : w;
        return w;
    }

    /// NACHOS's objective on constraint k for a candidate: phi_k x + (1 - phi_k) cv_k, cv_k
    /// normalised by the worst of the recent figures and this one.
    [[nodiscard]] constexpr double objective(constraint k, const costs& c, double error) const noexcept {
        const double x = figure(c, error, k);
        const double w = worst(k);
        return nachos_objective(x, bound(bounds_, k), x > w ? x : w, feasible_fraction(k));
    }

    /// The penalty of a candidate: the sum over constraints of weight_k * cv_k (0 when feasible).
    [[nodiscard]] constexpr double penalty(const costs& c, double error) const noexcept {
        double sum = 0;
        for (const constraint k : all_constraints) {
            const double x = figure(c, error, k);
            const double b = bound(bounds_, k);
            if (x <= b) continue;
            const double w = worst(k);
            sum += weight(k) * nachos_objective(x, b, x > w ? x : w, 0.0);
        }
        return sum;
    }

    [[nodiscard]] constexpr const bounds& limits() const noexcept { return bounds_; }

private:
    bounds bounds_;
    std::size_t window_;
    std::vector<std::array<double, constraint_count>> recent_;
    std::size_t next_ = 0;
};

} // namespace nascent::cost
