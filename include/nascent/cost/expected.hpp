// nascent/cost/expected.hpp - expected costs of a space under a distribution over its decisions.
//
// For a differentiable search each decision d has option probabilities p_d
// (the softmax of its alphas). The expected cost is taken around a centre
// architecture c (the currently derived one):
//   E = C(c) + sum_d sum_i p_di * (C(c with d = i) - C(c))
// which is the exact expectation when the cost is a sum of per-decision
// contributions (parameters and MACs of a space of independent choices) and
// its first-order expansion otherwise (peak RAM is a maximum; widths interact
// with the next layer). dE/dp_di = C(c with d = i) - C(c). Every C(...) is the
// cost model's own measure() of the lowered architecture: the hardware loss
// of the search uses exactly the function that sizes the deployed network.
// An option that makes the architecture invalid counts as no change.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "nascent/core/error.hpp"
#include "nascent/cost/costs.hpp"
#include "nascent/space/architecture.hpp"

namespace nascent::cost {

/// Which figure a hardware loss or expectation is about.
enum class metric { params, macs, peak_ram_bytes, flash_bytes, activations };

[[nodiscard]] constexpr double figure(const costs& c, metric m) noexcept {
    switch (m) {
    case metric::params: return static_cast<double>(c.params);
    case metric::macs: return static_cast<double>(c.macs);
    case metric::peak_ram_bytes: return static_cast<double>(c.peak_ram_bytes);
    case metric::flash_bytes: return static_cast<double>(c.flash_bytes);
    case metric::activations: return static_cast<double>(c.activations);
    }
    return 0.0;
}

/// One decision's distribution: its slot in the architecture and the probability of each option.
struct decision_distribution {
    std::size_t slot = 0;
    std::vector<double> probability;
};

struct expectation {
    double value = 0.0;                          ///< E
    double centre = 0.0;                         ///< C(c)
    std::vector<std::vector<double>> gradient;   ///< dE/dp, per distribution and option
};

/// The expected figure `m` of `Space` on `in` at precision `p` (see the header comment).
template <class Space>
[[nodiscard]] expectation expected(shape in, precision p, metric m, const architecture& centre,
                                   std::span<const decision_distribution> decisions) {
    require(space::validate<Space>(in, centre.view()) == problem::none, "expected cost: the centre architecture is not valid");
    expectation e;
    e.centre = figure(of<Space>(in, p, centre.view()), m);
    e.value = e.centre;
    architecture probe = centre;
    for (const auto& d : decisions) {
        require(d.slot < centre.size(), "expected cost: a decision's slot is outside the architecture");
        std::vector<double> g(d.probability.size(), 0.0);
        for (std::size_t i = 0; i < d.probability.size(); ++i) {
            probe.choices[d.slot] = static_cast<int>(i);
            if (space::validate<Space>(in, probe.view()) == problem::none)
                g[i] = figure(of<Space>(in, p, probe.view()), m) - e.centre;
            e.value += d.probability[i] * g[i];
        }
        probe.choices[d.slot] = centre.choices[d.slot];
        e.gradient.push_back(std::move(g));
    }
    return e;
}

} // namespace nascent::cost
