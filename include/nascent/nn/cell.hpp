// nascent/nn/cell.hpp - the supernet form of a DARTS-style cell.
//
// Every edge (intermediate node j, earlier node i) owns one instance of every
// op and one set of alphas (DARTS). Single path runs the two edges each node
// chose; mixed and gumbel_soft run every edge as a weighted mixture of its ops
// and sum all edges into the node; gumbel_hard runs one op per edge.
// Derivation (DARTS): per node, the two strongest incoming edges, each with
// its strongest op other than zero<1> ("none"), strength being the op's
// softmax weight.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <tuple>
#include <type_traits>
#include <vector>

#include "nascent/core/error.hpp"
#include "nascent/core/text.hpp"
#include "nascent/nn/architecture_weights.hpp"
#include "nascent/nn/context.hpp"
#include "nascent/nn/elementwise.hpp"
#include "nascent/nn/mixing.hpp"
#include "nascent/nn/trainable.hpp"
#include "nascent/ops/zero.hpp"
#include "nascent/space/cell.hpp"

namespace nascent::nn {

template <int Nodes, class... Ops, class T>
class trainable<nascent::cell<Nodes, Ops...>, T> {
    using space_node = nascent::cell<Nodes, Ops...>;
    using edge_ops = std::tuple<trainable<Ops, T>...>;
    static constexpr int op_count = space_node::op_count;
    static constexpr bool is_none[] = {std::is_same_v<Ops, nascent::zero<1>>...};

public:
    trainable(shape in, rng& init) : in_(in) {
        const problem p = space_node::check(in);
        if (p != problem::none) throw error(string_of("cell: ", describe(p)));
        edges_.reserve(space_node::edges);
        alphas_.reserve(space_node::edges);
        for (int e = 0; e < space_node::edges; ++e) {
            edges_.push_back(edge_ops{trainable<Ops, T>(in, init)...});
            alphas_.emplace_back(static_cast<std::size_t>(op_count), init);
        }
    }
    [[nodiscard]] shape output() const noexcept { return in_; }

    var forward(context<T>& ctx, var x) {
        const decision_cursor at = ctx.decisions;
        std::vector<var> node{x};
        for (int j = 1; j <= Nodes; ++j) {
            std::vector<var> terms;
            if (ctx.mode == sampling::single_path) {
                for (int e = 0; e < 2; ++e) {
                    const int from = ctx.decisions.take();
                    const int op = ctx.decisions.take();
                    require(from >= 0 && from < j && op >= 0 && op < op_count,
                            "cell: the architecture picks an edge or op that does not exist");
                    if (!is_none[op]) terms.push_back(run_op(ctx, space_node::edge(j, from), op, node[static_cast<std::size_t>(from)]));
                }
            } else {
                for (int from = 0; from < j; ++from) terms.push_back(mixed_edge(ctx, space_node::edge(j, from), node[static_cast<std::size_t>(from)]));
            }
            node.push_back(sum(ctx, terms, x));
        }
        ctx.decisions = at.ahead(space_node::decisions);
        return sum(ctx, std::vector<var>(node.begin() + 1, node.end()), x);
    }

    template <class F>
    void visit(F&& f) {
        for (std::size_t e = 0; e < edges_.size(); ++e) {
            std::apply([&](auto&... op) { (op.visit(f), ...); }, edges_[e]);
            f(alphas_[e]);
        }
    }
    void derive(int* slots) {
        for (int j = 1; j <= Nodes; ++j, slots += space_node::slots_per_node) {
            // candidates: (strength, from, op), the best non-none op of every incoming edge
            std::vector<std::tuple<double, int, int>> best;
            for (int from = 0; from < j; ++from) {
                const auto ranked = ranked_ops(space_node::edge(j, from));
                for (std::size_t r = 0; r < ranked.size() && r < (j == 1 ? 2U : 1U); ++r)
                    best.emplace_back(ranked[r].first, from, ranked[r].second);
            }
            std::stable_sort(best.begin(), best.end(), [](const auto& a, const auto& b) { return std::get<0>(a) > std::get<0>(b); });
            const auto& a = best[0];
            const auto& b = best.size() > 1 ? best[1] : best[0];
            slots[0] = std::get<1>(a);
            slots[1] = std::get<2>(a);
            slots[2] = std::get<1>(b);
            slots[3] = std::get<2>(b);
        }
        space_node::canonicalize(slots - space_node::decisions, true);
    }
    /// The op slots of the derived edges, each with its edge's alphas.
    template <class F>
    void visit_decisions(std::size_t slot, F& f) {
        std::vector<int> derived(space_node::decisions);
        derive(derived.data());
        for (int j = 1; j <= Nodes; ++j)
            for (int e = 0; e < 2; ++e) {
                const std::size_t at = static_cast<std::size_t>((j - 1) * 4 + 2 * e);
                f(slot + at + 1, alphas_[static_cast<std::size_t>(space_node::edge(j, derived[at]))]);
            }
    }

private:
    var run_op(context<T>& ctx, int edge, int op, var x) {
        var y = x;
        int i = 0;
        decision_cursor none;
        std::apply(
            [&](auto&... o) {
                ((i++ == op ? (void)(std::swap(ctx.decisions, none), y = o.forward(ctx, x), std::swap(ctx.decisions, none)) : (void)0),
                 ...);
            },
            edges_[static_cast<std::size_t>(edge)]);
        return y;
    }
    var mixed_edge(context<T>& ctx, int edge, var x) {
        const option_weights w = mixing_weights(ctx, alphas_[static_cast<std::size_t>(edge)]);
        if (ctx.mode == sampling::gumbel_hard) {
            const var out = run_op(ctx, edge, w.pick, x);
            const int which[1] = {w.pick};
            return weighted_sum<T>(ctx.graph, std::span<const var>(&out, 1), w.weights, which, true);
        }
        std::vector<var> outs;
        std::vector<int> which;
        for (int op = 0; op < op_count; ++op) {
            if (is_none[op]) continue;  // contributes zero
            outs.push_back(run_op(ctx, edge, op, x));
            which.push_back(op);
        }
        return weighted_sum<T>(ctx.graph, outs, w.weights, which, false);
    }
    /// Sum of the terms; zeros shaped like `like` when there are none.
    static var sum(context<T>& ctx, const std::vector<var>& terms, var like) {
        if (terms.empty()) return zeros(ctx.graph, batch_size(ctx.graph.value(like)), sample_shape(ctx.graph.value(like)));
        var s = terms[0];
        for (std::size_t k = 1; k < terms.size(); ++k) s = add(ctx.graph, s, terms[k]);
        return s;
    }
    /// The edge's ops other than none, strongest (softmax weight) first.
    std::vector<std::pair<double, int>> ranked_ops(int edge) const {
        const auto& a = alphas_[static_cast<std::size_t>(edge)].alpha.value;
        double top = -1e300;
        for (std::size_t i = 0; i < a.size(); ++i) top = std::max(top, static_cast<double>(a(i)));
        double total = 0.0;
        for (std::size_t i = 0; i < a.size(); ++i) total += std::exp(static_cast<double>(a(i)) - top);
        std::vector<std::pair<double, int>> ranked;
        for (int op = 0; op < op_count; ++op)
            if (!is_none[op]) ranked.emplace_back(std::exp(static_cast<double>(a(static_cast<std::size_t>(op))) - top) / total, op);
        std::stable_sort(ranked.begin(), ranked.end(), [](const auto& l, const auto& r) { return l.first > r.first; });
        return ranked;
    }

    static_assert(((!std::is_same_v<Ops, nascent::zero<1>>) || ...), "a cell needs at least one op other than zero<1>");
    shape in_;
    std::vector<edge_ops> edges_;
    std::vector<architecture_weights<T>> alphas_;
};

} // namespace nascent::nn
