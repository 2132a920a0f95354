// nascent/space/early_exit.hpp - classifier heads that may end a network early (EDANAS, NACHOS).
//
//   using head = sequential<global_avg_pool, dense<10>>;
//   using net = sequential<stem, block_a, exit_branch<head>, block_b, global_avg_pool, dense<10>>;     // fixed
//   using space = sequential<stem, block_a, early_exit<small_head, head>, block_b, global_avg_pool, dense<10>>;
//
// exit_branch<Head> sits between two nodes of a chain: Head reads the tensor there and gives the
// logits of an exit, and the tensor itself flows on unchanged to the next node. A network's exits
// are its exit branches in order, then its own output (the final exit). early_exit<Heads...> is
// the decision: slot value 0 puts no exit there, k an exit with the k-th head. A head is a fixed
// network (no decisions) ending in a 1 x 1 x classes vector. The supernet's counts hold every head.
#pragma once

#include <cstddef>

#include "nascent/core/problem.hpp"
#include "nascent/core/shape.hpp"
#include "nascent/space/node.hpp"

namespace nascent {

namespace detail {

/// Why `Head` cannot be an exit head on `in` (problem::none when it can).
template <class Head>
constexpr problem exit_head_problem(shape in) noexcept {
    const problem p = space::check<Head>(in);
    if (p != problem::none) return p;
    const shape logits = Head::output(in);
    return logits.h == 1 && logits.w == 1 ? problem::none : problem::exit_head_not_logits;
}

} // namespace detail

template <class Head>
struct exit_branch final {
    static_assert(space::decisions<Head> == 0, "exit_branch<Head>: an exit's head is a fixed network (early_exit chooses among heads)");
    using head = Head;

    [[nodiscard]] static constexpr problem diagnose(shape in) noexcept { return detail::exit_head_problem<Head>(in); }
    [[nodiscard]] static constexpr bool accepts(shape in) noexcept { return diagnose(in) == problem::none; }
    /// The tensor flows on unchanged.
    [[nodiscard]] static constexpr shape output(shape in) noexcept { return in; }
    /// The exit's logits.
    [[nodiscard]] static constexpr shape logits(shape in) noexcept { return Head::output(in); }
    [[nodiscard]] static constexpr std::size_t params(shape in) noexcept { return Head::params(in); }
    [[nodiscard]] static constexpr std::size_t macs(shape in) noexcept { return Head::macs(in); }
};

template <class... Heads>
struct early_exit final {
    static_assert(sizeof...(Heads) > 0, "early_exit<Heads...> needs at least one head");
    static_assert(((space::decisions<Heads> == 0) && ...), "early_exit<Heads...>: every head is a fixed network");
    static constexpr std::size_t decisions = 1;
    static constexpr int none = 0;  ///< the slot value of no exit; k is the k-th head

    [[nodiscard]] static constexpr problem check(shape in) noexcept {
        problem p = problem::none;
        ((p = p == problem::none ? detail::exit_head_problem<Heads>(in) : p), ...);
        return p;
    }
    [[nodiscard]] static constexpr bool accepts(shape in) noexcept { return check(in) == problem::none; }
    [[nodiscard]] static constexpr shape output(shape in) noexcept { return in; }
    /// The supernet's: every head.
    [[nodiscard]] static constexpr std::size_t params(shape in) noexcept { return (Heads::params(in) + ... + 0); }
    [[nodiscard]] static constexpr std::size_t macs(shape in) noexcept { return (Heads::macs(in) + ... + 0); }

    static constexpr void write_options(int* out) noexcept { out[0] = 1 + static_cast<int>(sizeof...(Heads)); }
    [[nodiscard]] static constexpr space_size size() noexcept { return space_size::of(1 + sizeof...(Heads)); }
    [[nodiscard]] static constexpr trace_result trace(shape in, decision_cursor& c) noexcept {
        const int pick = c.take();
        if (pick < 0 || pick > static_cast<int>(sizeof...(Heads))) return {in, problem::decision_out_of_range};
        if (pick == none) return trace_result{in};
        problem p = problem::none;
        int k = 0;
        ((p = ++k == pick ? detail::exit_head_problem<Heads>(in) : p), ...);
        return {in, p};
    }
    static constexpr void canonicalize(int* arch, bool active) noexcept {
        if (!active) arch[0] = 0;
    }
};

} // namespace nascent
