// nascent/nn/mixing.hpp - differentiable mixing of a decision's options.
//
// mixing_weights records the weights of a decision's options from its alphas:
// softmax(alpha) (mixed), softmax((alpha + Gumbel noise) / temperature)
// (gumbel_soft, gumbel_hard). weighted_sum mixes option outputs with them;
// channel_scale and the kernel masks of elastic choices use them per channel
// or per kernel tap. In gumbel_hard mode only the picked option is used and
// its weight is 1 in value with the soft weight's gradient (straight-through).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <span>
#include <vector>

#include "nascent/autograd/tape.hpp"
#include "nascent/core/error.hpp"
#include "nascent/nn/architecture_weights.hpp"
#include "nascent/nn/context.hpp"

namespace nascent::nn {

/// The weights of one decision for this pass. `pick` is the option of largest weight (for
/// gumbel_hard: of largest perturbed logit).
struct option_weights {
    var weights{};  ///< [1, 1, 1, options]
    int pick = 0;
};

/// Records the option weights of `a` for the context's sampling mode (not single_path).
template <class T>
option_weights mixing_weights(context<T>& ctx, architecture_weights<T>& a) {
    const std::size_t n = a.options();
    const bool gumbel = ctx.mode == sampling::gumbel_soft || ctx.mode == sampling::gumbel_hard;
    require(!gumbel || ctx.random != nullptr, "Gumbel sampling needs a random generator in the context");
    require(!gumbel || ctx.temperature > 0.0, "Gumbel sampling needs a positive temperature");
    const double tau = gumbel ? ctx.temperature : 1.0;
    std::vector<double> logits(n);
    for (std::size_t i = 0; i < n; ++i) {
        double g = 0.0;
        if (gumbel && ctx.training) {
            double u = ctx.random->uniform();
            while (u <= 0.0) u = ctx.random->uniform();
            g = -std::log(-std::log(u));
        }
        logits[i] = (static_cast<double>(a.alpha.value(i)) + g) / tau;
    }
    const double top = *std::max_element(logits.begin(), logits.end());
    double sum = 0.0;
    for (auto& l : logits) sum += (l = std::exp(l - top));
    tape<T>& t = ctx.graph;
    const var w = t.record(tensor_shape{1, 1, 1, n}, true, [&a, n, tau](tape<T>& tp, var self) {
        // d alpha_i = p_i (g_i - sum_j p_j g_j) / tau
        const T* p = tp.value(self).data();
        const T* g = tp.grad(self).data();
        double dot = 0.0;
        for (std::size_t j = 0; j < n; ++j) dot += static_cast<double>(p[j]) * static_cast<double>(g[j]);
        for (std::size_t i = 0; i < n; ++i)
            a.alpha.grad(i) += static_cast<T>(static_cast<double>(p[i]) * (static_cast<double>(g[i]) - dot) / tau);
    });
    option_weights result{w, 0};
    for (std::size_t i = 0; i < n; ++i) {
        t.value(w).data()[i] = static_cast<T>(logits[i] / sum);
        if (logits[i] > logits[static_cast<std::size_t>(result.pick)]) result.pick = static_cast<int>(i);
    }
    return result;
}

/// Records y = sum_k c_k * outs[k], with c_k the weight of option which[k] in w; with
/// `straight_through`, c_k is 1 in value (one output: the hard pick) and the gradient
/// still reaches w[which[k]].
template <class T>
var weighted_sum(tape<T>& t, std::span<const var> outs, var w, std::span<const int> which, bool straight_through) {
    require(!outs.empty() && outs.size() == which.size(), "weighted_sum: one weight index per output");
    for (const var o : outs)
        require(t.value(o).shape() == t.value(outs[0]).shape(),
                "mixed options must give one shape: a choice whose options change the spatial size cannot be mixed");
    std::vector<var> inputs(outs.begin(), outs.end());
    std::vector<int> index(which.begin(), which.end());
    auto coefficient = [straight_through](const tape<T>& tp, var weights, int i) {
        return straight_through ? T{1} : tp.value(weights).data()[i];
    };
    const var y = t.record(t.value(outs[0]).shape(), true, [inputs, index, w, coefficient](tape<T>& tp, var self) {
        const T* dy = tp.grad(self).data();
        const std::size_t size = tp.value(self).size();
        for (std::size_t k = 0; k < inputs.size(); ++k) {
            const T* x = tp.value(inputs[k]).data();
            double dot = 0.0;
            for (std::size_t e = 0; e < size; ++e) dot += static_cast<double>(dy[e]) * static_cast<double>(x[e]);
            if (tp.requires_grad(w)) tp.grad(w).data()[index[k]] += static_cast<T>(dot);
            if (tp.requires_grad(inputs[k])) {
                const T c = coefficient(tp, w, index[k]);
                T* dx = tp.grad(inputs[k]).data();
                for (std::size_t e = 0; e < size; ++e) dx[e] += c * dy[e];
            }
        }
    });
    T* out = t.value(y).data();
    const std::size_t size = t.value(y).size();
    std::fill(out, out + size, T{0});
    for (std::size_t k = 0; k < inputs.size(); ++k) {
        const T c = coefficient(t, w, index[k]);
        const T* x = t.value(inputs[k]).data();
        for (std::size_t e = 0; e < size; ++e) out[e] += c * x[e];
    }
    return y;
}

/// Records y[..., c] = x[..., c] * s_c for an elastic width: s_c = sum_i w_i [c < widths[i]]
/// (soft), or [c < widths[pick]] with the gradient reaching w[pick] (pick >= 0, hard), or the
/// constant mask [c < widths[pick]] when `w` is null (single path).
template <class T>
var channel_scale(tape<T>& t, var x, const var* w, std::span<const int> widths, int pick) {
    const tensor_shape shp = t.value(x).shape();
    const std::size_t channels = shp[3];
    const std::size_t rows = shp[0] * shp[1] * shp[2];
    std::vector<T> scale(channels, T{0});
    for (std::size_t c = 0; c < channels; ++c) {
        if (pick >= 0) {
            scale[c] = static_cast<int>(c) < widths[static_cast<std::size_t>(pick)] ? T{1} : T{0};
        } else {
            for (std::size_t i = 0; i < widths.size(); ++i)
                if (static_cast<int>(c) < widths[i]) scale[c] += t.value(*w).data()[i];
        }
    }
    const bool has_w = w != nullptr;
    const var weights = has_w ? *w : var{};
    std::vector<int> width_list(widths.begin(), widths.end());
    const var y = t.record(shp, true, [x, has_w, weights, width_list, pick, rows, channels](tape<T>& tp, var self) {
        const auto& s = tp.saved(self);
        const T* dy = tp.grad(self).data();
        const T* xv = tp.value(x).data();
        if (tp.requires_grad(x)) {
            T* dx = tp.grad(x).data();
            for (std::size_t r = 0; r < rows; ++r)
                for (std::size_t c = 0; c < channels; ++c) dx[r * channels + c] += s[c] * dy[r * channels + c];
        }
        if (!has_w || !tp.requires_grad(weights)) return;
        std::vector<double> per_channel(channels, 0.0);
        for (std::size_t r = 0; r < rows; ++r)
            for (std::size_t c = 0; c < channels; ++c)
                per_channel[c] += static_cast<double>(dy[r * channels + c]) * static_cast<double>(xv[r * channels + c]);
        T* dw = tp.grad(weights).data();
        for (std::size_t i = 0; i < width_list.size(); ++i) {
            if (pick >= 0 && static_cast<int>(i) != pick) continue;
            double sum = 0.0;
            for (std::size_t c = 0; c < channels && static_cast<int>(c) < width_list[i]; ++c) sum += per_channel[c];
            dw[i] += static_cast<T>(sum);
        }
    });
    t.saved(y).assign(scale.begin(), scale.end());
    const T* xv = t.value(x).data();
    T* out = t.value(y).data();
    for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t c = 0; c < channels; ++c) out[r * channels + c] = xv[r * channels + c] * scale[c];
    return y;
}

} // namespace nascent::nn
