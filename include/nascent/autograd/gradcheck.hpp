// nascent/autograd/gradcheck.hpp - finite-difference check of the analytic gradients.
//
// gradcheck(f, inputs, params) records f on a tape of doubles, runs the
// backward pass, and compares every gradient entry of every input and
// parameter with the central difference (f(x + h) - f(x - h)) / 2h.
// f must be deterministic (reseed any random generator inside it) and return
// a scalar node. Points where f is not differentiable (relu at 0, ties in a
// max) give false alarms: draw inputs away from them.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "nascent/autograd/parameter.hpp"
#include "nascent/autograd/tape.hpp"
#include "nascent/core/error.hpp"
#include "nascent/core/text.hpp"

namespace nascent {

struct gradcheck_options {
    double step = 1e-6;            ///< finite-difference step h
    double tolerance = 1e-6;       ///< allowed |analytic - numeric| / max(1, |analytic|, |numeric|)
};

struct gradcheck_result {
    bool passed = true;
    double worst_error = 0.0;      ///< the largest scaled error seen
    std::string worst_entry;       ///< where it was: "input 0 [12]" or "parameter weight [3]"
    std::size_t checked = 0;       ///< number of gradient entries compared
};

/// f: var(tape<double>&, std::span<const var> inputs). Inputs are recorded as leaves that require
/// gradients; parameters are perturbed in place and restored.
template <class F>
gradcheck_result gradcheck(F&& f, std::vector<tensor<double>> inputs, std::span<parameter<double>* const> params,
                           const gradcheck_options& options = {}) {
    tape<double> t;
    std::vector<var> leaves(inputs.size());
    auto evaluate = [&](bool with_grad) {
        t.reset();
        t.enable_grad(with_grad);
        for (std::size_t i = 0; i < inputs.size(); ++i) leaves[i] = t.leaf(inputs[i], true);
        const var out = f(t, std::span<const var>(leaves));
        require(t.value(out).size() == 1, "gradcheck: f must return a scalar node");
        return out;
    };

    for (auto* p : params) p->zero_grad();
    const var root = evaluate(true);
    t.backward(root);
    std::vector<tensor<double>> input_grads;
    for (const var leaf : leaves) {
        tensor<double> g = t.has_grad(leaf) ? t.grad(leaf) : tensor<double>(t.value(leaf).shape(), 0.0);
        input_grads.push_back(std::move(g));
    }

    gradcheck_result result;
    auto compare = [&](double analytic, double& entry, const std::string& where) {
        const double saved = entry;
        entry = saved + options.step;
        const double plus = t.value(evaluate(false))(0, 0, 0, 0);
        entry = saved - options.step;
        const double minus = t.value(evaluate(false))(0, 0, 0, 0);
        entry = saved;
        const double numeric = (plus - minus) / (2.0 * options.step);
        const double error = std::abs(analytic - numeric) / std::max({1.0, std::abs(analytic), std::abs(numeric)});
        ++result.checked;
        if (error > result.worst_error) {
            result.worst_error = error;
            result.worst_entry = string_of(where, " analytic ", analytic, " numeric ", numeric);
        }
        if (error > options.tolerance) result.passed = false;
    };
    for (std::size_t i = 0; i < inputs.size(); ++i)
        for (std::size_t k = 0; k < inputs[i].size(); ++k)
            compare(input_grads[i].data()[k], inputs[i].data()[k], string_of("input ", i, " [", k, "]"));
    for (auto* p : params) {
        const xt::xarray<double> analytic = p->grad;
        for (std::size_t k = 0; k < p->size(); ++k)
            compare(analytic.data()[k], p->value.data()[k], string_of("parameter ", p->name, " [", k, "]"));
    }
    return result;
}

} // namespace nascent
