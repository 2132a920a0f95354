// nascent/nn/elastic.hpp - the supernet forms of elastic_width and elastic_kernel.
//
// elastic_width: the largest member runs and its output channels past the
// chosen width are masked to zero, so every layer after it sees the narrow
// network's activations (zero channels contribute nothing). The masked channels
// stay zero through the layers that keep channels apart: a later batch norm
// (whose shift would revive them) masks them again (context::unmasked_channels), so
// a single path computes exactly the narrow network it stands for. Mixed modes
// scale channel c by the total weight of the widths that include it (FBNetV2).
// elastic_kernel: one weight tensor of the largest kernel; a K x K kernel is
// its centre (the other taps masked to zero). Mixed modes scale each tap by the
// total weight of the kernels whose centre holds it (Single-Path NAS).
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <vector>

#include "nascent/autograd/parameter.hpp"
#include "nascent/core/error.hpp"
#include "nascent/core/text.hpp"
#include "nascent/nn/architecture_weights.hpp"
#include "nascent/nn/context.hpp"
#include "nascent/nn/conv2d.hpp"
#include "nascent/nn/kernels/add.hpp"
#include "nascent/nn/mixing.hpp"
#include "nascent/nn/trainable.hpp"
#include "nascent/space/elastic.hpp"

namespace nascent::nn {

namespace detail {

/// Reads the slot of a one-slot elastic decision and, outside single_path, records its weights.
/// Returns the option to apply (-1: soft mixture, weights in `w`).
template <class T>
int elastic_pick(context<T>& ctx, architecture_weights<T>& alpha, int options, option_weights& w, bool& weighted) {
    const int read = ctx.decisions.take();
    weighted = ctx.mode != sampling::single_path;
    if (!weighted) {
        require(read >= 0 && read < options, "elastic: the architecture picks an option that does not exist");
        return read;
    }
    w = mixing_weights(ctx, alpha);
    return ctx.mode == sampling::gumbel_hard ? w.pick : -1;
}

} // namespace detail

template <template <int> class Block, int... Widths, class T>
class trainable<nascent::elastic_width<Block, Widths...>, T> {
    using space_node = nascent::elastic_width<Block, Widths...>;

public:
    trainable(shape in, rng& init) : block_((check(in), in), init), alpha_(sizeof...(Widths), init) {}
    [[nodiscard]] shape output() const noexcept { return block_.output(); }

    var forward(context<T>& ctx, var x) {
        option_weights w;
        bool weighted = false;
        const int pick = detail::elastic_pick(ctx, alpha_, space_node::options, w, weighted);
        const var y = block_.forward(ctx, x);
        // A hard pick leaves the channels past its width zero: later batch norms keep them so.
        const bool narrowed = pick >= 0 && pick < space_node::options - 1;
        ctx.unmasked_channels = narrowed ? space_node::values[static_cast<std::size_t>(pick)] : 0;
        ctx.masked_tensor_channels = narrowed ? sample_shape(ctx.graph.value(y)).c : 0;
        if (!weighted && pick == space_node::options - 1) return y;  // the full width: nothing to mask
        return channel_scale<T>(ctx.graph, y, weighted ? &w.weights : nullptr, space_node::values, pick);
    }
    template <class F>
    void visit(F&& f) {
        block_.visit(f);
        f(alpha_);
    }
    void derive(int* slots) { slots[0] = alpha_.argmax(); }
    template <class F>
    void visit_decisions(std::size_t slot, F& f) {
        f(slot, alpha_);
    }
    /// The widest member's trainable (prune/reorder.hpp reorders its filters).
    [[nodiscard]] trainable<typename space_node::supernet_member, T>& block() noexcept { return block_; }

private:
    static void check(shape in) {
        const problem p = space_node::check(in);
        if (p != problem::none) throw error(string_of("elastic_width: ", describe(p)));
    }
    trainable<typename space_node::supernet_member, T> block_;
    architecture_weights<T> alpha_;
};

template <template <int> class Op, int... Kernels, class T>
class trainable<nascent::elastic_kernel<Op, Kernels...>, T> {
    using space_node = nascent::elastic_kernel<Op, Kernels...>;
    using largest = typename space_node::supernet_member;
    static_assert(!largest::bias, "elastic_kernel: the convolution must not carry a bias (a batch norm follows it)");

public:
    trainable(shape in, rng& init)
        : geometry_((check(in), largest::geometry(in))),
          weight_("weight", weight_shape(geometry_)),
          effective_("weight_in_use", weight_shape(geometry_)),
          alpha_(sizeof...(Kernels), init) {
        he_normal(weight_, static_cast<std::size_t>(geometry_.filter_size()), init);
    }
    [[nodiscard]] shape output() const noexcept { return geometry_.out; }

    var forward(context<T>& ctx, var x) {
        option_weights w;
        bool weighted = false;
        const int pick = detail::elastic_pick(ctx, alpha_, space_node::options, w, weighted);
        // Per tap: the weight of the kernels whose centre holds it.
        const int k = geometry_.kernel_h;
        std::vector<T> tap(static_cast<std::size_t>(k * k), T{0});
        for (int i = 0; i < space_node::options; ++i) {
            if (pick >= 0 && i != pick) continue;
            const T c = pick >= 0 ? T{1} : ctx.graph.value(w.weights).data()[i];
            const int margin = (k - space_node::values[static_cast<std::size_t>(i)]) / 2;
            for (int r = margin; r < k - margin; ++r)
                for (int s = margin; s < k - margin; ++s) tap[static_cast<std::size_t>(r * k + s)] += c;
        }
        apply_taps(tap);
        // The taps' gradient must be mapped back after the convolution's backward pass: record
        // a pass-through of x before the convolution, whose backward runs after it.
        const var through = pass_through(ctx.graph, x, weighted ? w.weights : var{}, weighted, pick, tap);
        if (ctx.layers != nullptr) record_convolution(ctx, geometry_, effective_, nullptr);
        pass_channel_mask(ctx, geometry_.in.c, geometry_.out.c, geometry_.depthwise());
        return conv2d(ctx.graph, through, geometry_, effective_, nullptr);
    }
    template <class F>
    void visit(F&& f) {
        f(weight_);
        f(alpha_);
    }
    void derive(int* slots) { slots[0] = alpha_.argmax(); }
    template <class F>
    void visit_decisions(std::size_t slot, F& f) {
        f(slot, alpha_);
    }

private:
    static void check(shape in) {
        const problem p = space_node::check(in);
        if (p != problem::none) throw error(string_of("elastic_kernel: ", describe(p)));
    }
    static std::vector<std::size_t> weight_shape(const conv_geometry& g) {
        return {static_cast<std::size_t>(g.out.c), static_cast<std::size_t>(g.kernel_h), static_cast<std::size_t>(g.kernel_w),
                static_cast<std::size_t>(g.in_per_group())};
    }
    /// effective = weight * tap (OHWI: the tap index is (h * k + w), repeated over in-channels).
    void apply_taps(const std::vector<T>& tap) {
        const auto per_tap = static_cast<std::size_t>(geometry_.in_per_group());
        const std::size_t taps = tap.size();
        const T* w = weight_.value.data();
        T* e = effective_.value.data();
        for (std::size_t o = 0; o < static_cast<std::size_t>(geometry_.out.c); ++o)
            for (std::size_t t = 0; t < taps; ++t)
                for (std::size_t i = 0; i < per_tap; ++i) {
                    const std::size_t at = (o * taps + t) * per_tap + i;
                    e[at] = w[at] * tap[t];
                }
    }
    var pass_through(tape<T>& t, var x, var weights, bool weighted, int pick, const std::vector<T>& tap) {
        const var y = t.record(t.value(x).shape(), true, [this, x, weights, weighted, pick, tap](tape<T>& tp, var self) {
            if (tp.requires_grad(x)) kernels::accumulate(tp.value(self).size(), tp.grad(self).data(), tp.grad(x).data());
            map_back(tp, weights, weighted, pick, tap);
        });
        std::copy(t.value(x).begin(), t.value(x).end(), t.value(y).begin());
        return y;
    }
    /// weight.grad += effective.grad * tap; alpha's weights get, per kernel, the sum of
    /// effective.grad * weight over its centre; effective.grad is cleared.
    void map_back(tape<T>& tp, var weights, bool weighted, int pick, const std::vector<T>& tap) {
        const auto per_tap = static_cast<std::size_t>(geometry_.in_per_group());
        const int k = geometry_.kernel_h;
        const auto taps = static_cast<std::size_t>(k * k);
        std::vector<double> tap_grad(taps, 0.0);
        T* ge = effective_.grad.data();
        T* gw = weight_.grad.data();
        const T* w = weight_.value.data();
        for (std::size_t o = 0; o < static_cast<std::size_t>(geometry_.out.c); ++o)
            for (std::size_t t = 0; t < taps; ++t)
                for (std::size_t i = 0; i < per_tap; ++i) {
                    const std::size_t at = (o * taps + t) * per_tap + i;
                    gw[at] += ge[at] * tap[t];
                    tap_grad[t] += static_cast<double>(ge[at]) * static_cast<double>(w[at]);
                    ge[at] = T{0};
                }
        if (!weighted || !tp.requires_grad(weights)) return;
        T* dw = tp.grad(weights).data();
        for (int opt = 0; opt < space_node::options; ++opt) {
            if (pick >= 0 && opt != pick) continue;
            const int margin = (k - space_node::values[static_cast<std::size_t>(opt)]) / 2;
            double sum = 0.0;
            for (int r = margin; r < k - margin; ++r)
                for (int s = margin; s < k - margin; ++s) sum += tap_grad[static_cast<std::size_t>(r * k + s)];
            dw[opt] += static_cast<T>(sum);
        }
    }

    conv_geometry geometry_;
    parameter<T> weight_;
    parameter<T> effective_;  ///< weight * tap mask for this pass; not trained itself
    architecture_weights<T> alpha_;
};

} // namespace nascent::nn
