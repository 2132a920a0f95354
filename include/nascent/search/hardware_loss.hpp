// nascent/search/hardware_loss.hpp - the hardware-constraint loss of a differentiable search.
//
//   L_hw = weight * max(0, E[cost] / target - 1)
// where E[cost] is the expected cost under the softmax of the alphas
// (cost/expected.hpp), taken around the currently derived architecture. Its
// gradient is added to the alphas' gradients: a decision whose options cost
// more than the target allows is pushed towards cheaper options, in proportion
// to how much each option changes the cost as the cost model measures it.
#pragma once

#include <cmath>
#include <cstddef>
#include <vector>

#include "nascent/cost/expected.hpp"
#include "nascent/nn/architecture_weights.hpp"
#include "nascent/space/architecture.hpp"

namespace nascent::search {

struct hardware_loss {
    cost::metric metric = cost::metric::peak_ram_bytes;
    double target = 0.0;  ///< 0: no hardware loss
    double weight = 1.0;
    cost::precision precision = cost::precision::int8;

    [[nodiscard]] bool enabled() const noexcept { return target > 0.0 && weight > 0.0; }
};

struct hardware_loss_value {
    double expected = 0.0;  ///< E[cost]
    double centre = 0.0;    ///< cost of the derived architecture
    double loss = 0.0;
};

/// Softmax of a decision's alphas, in double.
template <class T>
std::vector<double> softmax_of(const nn::architecture_weights<T>& a) {
    std::vector<double> p(a.options());
    double top = -1e300;
    for (std::size_t i = 0; i < p.size(); ++i) top = std::max(top, static_cast<double>(a.alpha.value(i)));
    double sum = 0.0;
    for (std::size_t i = 0; i < p.size(); ++i) sum += (p[i] = std::exp(static_cast<double>(a.alpha.value(i)) - top));
    for (auto& v : p) v /= sum;
    return p;
}

/// Evaluates the hardware loss of `model` (a supernet of `Space` on `in`) and, when
/// `accumulate_gradient`, adds its gradient to the alphas' gradients.
template <class Space, class Model>
hardware_loss_value apply_hardware_loss(Model& model, shape in, const hardware_loss& h, bool accumulate_gradient = true) {
    using T = typename Model::scalar;
    std::vector<cost::decision_distribution> dists;
    std::vector<nn::architecture_weights<T>*> alphas;
    model.visit_decisions([&](std::size_t slot, nn::architecture_weights<T>& a) {
        dists.push_back({slot, softmax_of(a)});
        alphas.push_back(&a);
    });
    const architecture centre = model.derive();
    const cost::expectation e = cost::expected<Space>(in, h.precision, h.metric, centre, dists);
    hardware_loss_value v{e.value, e.centre, 0.0};
    if (!h.enabled()) return v;
    const double excess = e.value / h.target - 1.0;
    v.loss = excess > 0.0 ? h.weight * excess : 0.0;
    if (!accumulate_gradient || excess <= 0.0) return v;
    const double scale = h.weight / h.target;
    for (std::size_t d = 0; d < dists.size(); ++d) {
        // dL/dalpha_j = sum_i dL/dp_i * p_i (delta_ij - p_j)
        const auto& p = dists[d].probability;
        double dot = 0.0;
        for (std::size_t i = 0; i < p.size(); ++i) dot += p[i] * scale * e.gradient[d][i];
        for (std::size_t j = 0; j < p.size(); ++j)
            alphas[d]->alpha.grad(j) += static_cast<T>(p[j] * (scale * e.gradient[d][j] - dot));
    }
    return v;
}

} // namespace nascent::search
