// nascent/space/cell.hpp - a DARTS-style cell: a small DAG whose edges choose among ops.
//
// cell<Nodes, Ops...> reads one input (node "0") and computes `Nodes`
// intermediate nodes; node j (1-based) sums two edges, each an op from Ops
// applied to an earlier node (the cell input or nodes 1..j-1). The cell's
// output is the sum of its intermediate nodes. Every op must keep the
// shape, so the sums are defined (use zero<1> for DARTS's "none").
//
// Slots, per intermediate node: input of the first edge, its op, input of the
// second edge, its op. The two edges of a node are unordered: canonicalisation
// sorts them, so (a, b) and (b, a) are one architecture.
//
// Departures from DARTS (docs/spaces.md): one cell input instead of two, and
// the output is the sum of the intermediate nodes, not their concatenation, so
// a cell keeps its channel count and needs no 1x1 reduction: on a
// microcontroller a concatenation of N nodes is an N-times larger buffer.
#pragma once

#include <cstddef>

#include "nascent/core/shape.hpp"
#include "nascent/space/node.hpp"

namespace nascent {

template <int Nodes, class... Ops>
struct cell final {
    static_assert(Nodes > 0, "cell<Nodes, Ops...> needs at least one intermediate node");
    static_assert(sizeof...(Ops) > 0, "cell<Nodes, Ops...> needs at least one op");
    static_assert(((space::decisions<Ops> == 0) && ...), "the ops of a cell edge cannot hold decisions of their own");
    static constexpr int nodes = Nodes;
    static constexpr int op_count = static_cast<int>(sizeof...(Ops));
    static constexpr std::size_t slots_per_node = 4;
    static constexpr std::size_t decisions = slots_per_node * static_cast<std::size_t>(Nodes);
    /// Edges of the supernet: node j (1-based) has j incoming edges, one per earlier node.
    static constexpr int edges = Nodes * (Nodes + 1) / 2;
    /// Index of the supernet edge from node `from` into intermediate node `to` (1-based).
    [[nodiscard]] static constexpr int edge(int to, int from) noexcept { return (to - 1) * to / 2 + from; }

    /// Every op reads `in` and keeps its shape.
    [[nodiscard]] static constexpr problem check(shape in) noexcept {
        problem p = problem::none;
        ((p = p != problem::none                           ? p
              : space::diagnose<Ops>(in) != problem::none ? space::diagnose<Ops>(in)
              : Ops::output(in) != in                     ? problem::cell_shapes_differ
                                                          : problem::none),
         ...);
        return p;
    }
    [[nodiscard]] static constexpr bool accepts(shape in) noexcept { return check(in) == problem::none; }
    [[nodiscard]] static constexpr shape output(shape in) noexcept { return in; }
    /// Parameters of the supernet: every op on every edge.
    [[nodiscard]] static constexpr std::size_t params(shape in) noexcept {
        return static_cast<std::size_t>(edges) * (Ops::params(in) + ...);
    }
    [[nodiscard]] static constexpr std::size_t macs(shape in) noexcept {
        return static_cast<std::size_t>(edges) * (Ops::macs(in) + ...);
    }

    static constexpr void write_options(int* out) noexcept {
        for (int j = 1; j <= Nodes; ++j, out += slots_per_node) {
            out[0] = j;
            out[1] = op_count;
            out[2] = j;
            out[3] = op_count;
        }
    }
    /// Per node: unordered pairs (with repetition) of the j * |Ops| possible edges.
    [[nodiscard]] static constexpr space_size size() noexcept {
        space_size s;
        for (int j = 1; j <= Nodes; ++j) {
            const auto e = static_cast<std::uint64_t>(j) * static_cast<std::uint64_t>(op_count);
            s = s * space_size::of(e * (e + 1) / 2);
        }
        return s;
    }
    [[nodiscard]] static constexpr trace_result trace(shape in, decision_cursor& c) noexcept {
        bool ok = true;
        for (int j = 1; j <= Nodes; ++j) {
            for (int e = 0; e < 2; ++e) {
                const int from = c.take();
                const int op = c.take();
                ok = ok && from >= 0 && from < j && op >= 0 && op < op_count;
            }
        }
        if (!ok) return {in, problem::decision_out_of_range};
        const problem p = check(in);
        return p == problem::none ? trace_result{in} : trace_result{in, p};
    }
    static constexpr void canonicalize(int* arch, bool active) noexcept {
        for (int j = 0; j < Nodes; ++j, arch += slots_per_node) {
            if (!active) {
                for (std::size_t k = 0; k < slots_per_node; ++k) arch[k] = 0;
                continue;
            }
            if (arch[2] < arch[0] || (arch[2] == arch[0] && arch[3] < arch[1])) {
                const int from = arch[0];
                const int op = arch[1];
                arch[0] = arch[2];
                arch[1] = arch[3];
                arch[2] = from;
                arch[3] = op;
            }
        }
    }
};

} // namespace nascent
