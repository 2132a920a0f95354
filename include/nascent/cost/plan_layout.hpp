// nascent/cost/plan_layout.hpp - what a memory plan is: every tensor's and every kernel
// scratch's place in the activation arena (offset, bytes, the steps it lives), the arena size
// against the schedule's peak, the same in fixed-size arrays for a constexpr variable, and the
// buffers the packers place (cost/plan_greedy.hpp, cost/plan_exact.hpp).
//
//   const cost::memory_plan p = cost::plan(g);   // cost/plan.hpp
//   p.tensors[t].offset; p.arena_bytes; p.at_peak();
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <stdexcept>
#include <vector>

namespace nascent::cost {

/// One buffer of the arena: a tensor, or the scratch of an op's kernel.
struct placement {
    std::size_t offset = 0;
    std::size_t bytes = 0;
    int first_step = 0;    ///< schedule step of the op that writes it (0 for the network input)
    int last_step = 0;     ///< schedule step of its last reader (the last step for the network output)
    int shares_with = -1;  ///< an in-place output: the tensor whose buffer it takes over; otherwise -1

    [[nodiscard]] constexpr bool live_at(int step) const noexcept { return bytes > 0 && first_step <= step && step <= last_step; }
    [[nodiscard]] constexpr std::size_t end() const noexcept { return offset + bytes; }
    friend constexpr bool operator==(const placement&, const placement&) = default;
};

/// How hard plan() may search when no greedy placement reaches the peak.
struct plan_options {
    std::size_t search_nodes = 1000000;  ///< partial placements the exact search may visit (per order), and
                                         ///< partial orders the search for other orders may visit
    std::size_t orders = 64;             ///< other least-peak execution orders plan(graph) may try
};

struct memory_plan {
    std::vector<int> order;          ///< op indices in execution order: step s runs ops[order[s]]
    std::vector<placement> tensors;  ///< per tensor index
    std::vector<placement> scratch;  ///< per op index: its kernel's scratch (bytes 0 when it needs none)
    std::size_t arena_bytes = 0;     ///< the arena this plan needs: the largest offset + bytes
    std::size_t peak_bytes = 0;      ///< the schedule's peak, the least arena any plan of this order can have
    bool searched = false;           ///< the greedy placements missed the peak and the exact search ran
    bool gave_up = false;            ///< above the peak because a search ran out of nodes or orders, so a
                                     ///< better plan may exist; false above the peak: no layout of any
                                     ///< order of least peak reaches it
    std::size_t orders_tried = 1;    ///< execution orders packed (more than one when the first missed the peak)

    [[nodiscard]] constexpr bool at_peak() const noexcept { return arena_bytes == peak_bytes; }
    /// Number of schedule steps (at least 1: a graph without ops still holds its input).
    [[nodiscard]] constexpr int steps() const noexcept { return order.empty() ? 1 : static_cast<int>(order.size()); }
};

/// A memory plan in arrays of fixed size, for a constexpr variable (Tensors and Ops must equal the
/// graph's counts).
template <std::size_t Tensors, std::size_t Ops>
struct fixed_memory_plan {
    std::array<placement, Tensors> tensors{};  ///< per tensor index
    std::array<placement, Ops> scratch{};      ///< per op index
    std::array<int, Ops> order{};              ///< op indices in execution order
    std::size_t arena_bytes = 0;
    std::size_t peak_bytes = 0;

    [[nodiscard]] constexpr bool at_peak() const noexcept { return arena_bytes == peak_bytes; }
};

/// The plan in fixed-size arrays; throws (a compile error in a constant expression) when the sizes
/// differ from the plan's.
template <std::size_t Tensors, std::size_t Ops>
[[nodiscard]] constexpr fixed_memory_plan<Tensors, Ops> fixed(const memory_plan& p) {
    if (p.tensors.size() != Tensors || p.scratch.size() != Ops)
        throw std::invalid_argument("fixed_memory_plan: the sizes differ from the plan's tensor and op counts");
    fixed_memory_plan<Tensors, Ops> f;
    std::copy(p.tensors.begin(), p.tensors.end(), f.tensors.begin());
    std::copy(p.scratch.begin(), p.scratch.end(), f.scratch.begin());
    std::copy(p.order.begin(), p.order.end(), f.order.begin());
    f.arena_bytes = p.arena_bytes;
    f.peak_bytes = p.peak_bytes;
    return f;
}

namespace detail {

/// A buffer to pack: one tensor (or a chain of tensors sharing memory in place), or a scratch.
struct plan_buffer {
    std::size_t bytes = 0;
    int first = 0;
    int last = 0;
    std::size_t offset = 0;
};

[[nodiscard]] constexpr bool meet(const plan_buffer& a, const plan_buffer& b) noexcept {
    return a.first <= b.last && b.first <= a.last;
}

} // namespace detail

} // namespace nascent::cost
