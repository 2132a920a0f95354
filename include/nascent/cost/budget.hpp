// nascent/cost/budget.hpp - the budget of a device: optional bounds on a network's figures, and
// the compile-time checks that a network fits it.
//
//     cost::budget b{.ram_bytes = 64000, .flash_bytes = 64000, .macs = 30'000'000};  // precision int8
//     if (b.ram_bytes) ...;  *b.ram_bytes == 64000;  b.macs.value_or(0);  cost::within(costs, b);
//
//     using net = sequential<conv2d<16, 3>, batch_norm, relu, max_pool2d<2>, flatten, dense<10>>;
//     static_assert(cost::fits<net>(shape{28, 28, 1}, cost::precision::int8, cost::budget{.ram_bytes = 64000}));
//     static_assert(cost::assert_fits<net, shape{28, 28, 1}, cost::precision::int8,
//                                     cost::budget{.ram_bytes = 64000, .flash_bytes = 64000}>::value);
//
// Every bound is a cost::limit (unset: no bound), a structural type, so a budget can be a template
// argument; figures are measured at `precision` (int8 by default). fits() is a constexpr predicate;
// assert_fits, on a network over its RAM or flash bound, fails to compile in over_the_ram_budget<...>
// or over_the_flash_budget<...>, whose template arguments carry the figures and the op responsible.
#pragma once

#include <array>
#include <cstddef>
#include <limits>

#include "nascent/core/shape.hpp"
#include "nascent/cost/costs.hpp"
#include "nascent/cost/graph.hpp"
#include "nascent/cost/lower.hpp"
#include "nascent/cost/schedule.hpp"

namespace nascent::cost {

/// An optional upper bound: unset (no bound) or a value. A structural type, so a budget holding it
/// can be a template argument.
struct limit {
    static constexpr std::size_t none = std::numeric_limits<std::size_t>::max();
    std::size_t bound = none;  ///< `none`: unset

    constexpr limit() noexcept = default;
    constexpr limit(std::size_t value) noexcept : bound(value) {}  // NOLINT: a number is a bound

    [[nodiscard]] constexpr bool has_value() const noexcept { return bound != none; }
    constexpr explicit operator bool() const noexcept { return has_value(); }
    [[nodiscard]] constexpr std::size_t operator*() const noexcept { return bound; }
    [[nodiscard]] constexpr std::size_t value_or(std::size_t fallback) const noexcept { return has_value() ? bound : fallback; }
    /// True when `figure` is within the bound (always, when unset).
    [[nodiscard]] constexpr bool admits(std::size_t figure) const noexcept { return figure <= bound; }
    friend constexpr bool operator==(const limit&, const limit&) = default;
};

/// What a device offers the network: peak RAM (the activation arena), flash (weights and
/// quantisation parameters), MACs, parameters and activations, each optional, at one precision.
struct budget {
    limit ram_bytes{};    ///< cost::costs::peak_ram_bytes
    limit flash_bytes{};  ///< cost::costs::flash_bytes
    limit macs{};
    limit params{};
    limit activations{};  ///< cost::costs::activations (CNAS's: every op output's elements, summed)
    /// NACHOS: MACs up to early exit k and of its head (cost::costs::exit_macs), for the first exits
    std::array<limit, bounded_exits> exit_macs{};
    cost::precision precision = cost::precision::int8;  ///< the precision the figures are measured at

    /// True when at least one bound is set.
    [[nodiscard]] constexpr bool bounded() const noexcept {
        bool any = ram_bytes || flash_bytes || macs || params || activations;
        for (const limit& l : exit_macs) any = any || l;
        return any;
    }
    friend constexpr bool operator==(const budget&, const budget&) = default;
};

/// True when every early exit of `c` meets its MAC bound in `b` (exits past early_exits have none).
[[nodiscard]] constexpr bool exits_within(const costs& c, const budget& b) noexcept {
    for (std::size_t k = 0; k < c.early_exits && k < bounded_exits; ++k)
        if (!b.exit_macs[k].admits(c.exit_macs[k])) return false;
    return true;
}

/// True when figures `c` meet every bound of `b`.
[[nodiscard]] constexpr bool within(const costs& c, const budget& b) noexcept {
    return b.ram_bytes.admits(c.peak_ram_bytes) && b.flash_bytes.admits(c.flash_bytes) && b.macs.admits(c.macs) &&
           b.params.admits(c.params) && b.activations.admits(c.activations) && exits_within(c, b);
}

/// The figures a budget check reports, and where they come from. No containers, so it can be a
/// constexpr variable.
struct budget_report {
    std::size_t peak_ram_bytes = 0;
    int peak_op = -1;                      ///< the op running at the peak (-1: no op, only the input)
    const char* peak_op_kind = "input";
    int largest_tensor = 0;                ///< index of the largest tensor
    std::size_t largest_tensor_bytes = 0;
    const char* largest_tensor_writer = "input";  ///< kind of the op writing it
    std::size_t flash_bytes = 0;
    int largest_layer = -1;                ///< the op with the most flash (-1: none has any)
    std::size_t largest_layer_bytes = 0;
    const char* largest_layer_kind = "";
};

/// The budget figures of a lowered graph: peak RAM is the arena costs::measure reports (the memory
/// plan's), and the op named is the one running when the least-peak schedule is fullest.
[[nodiscard]] constexpr budget_report report(const graph& g) {
    budget_report r;
    const schedule s = min_peak_schedule(g);
    detail::arena_state a(g);
    r.peak_ram_bytes = a.live();
    for (const int op : s.order) {
        if (a.during(op) > r.peak_ram_bytes) {
            r.peak_ram_bytes = a.during(op);
            r.peak_op = op;
            r.peak_op_kind = g.ops[static_cast<std::size_t>(op)].kind;
        }
        a.run(op);
    }
    r.peak_ram_bytes = measure(g).peak_ram_bytes;  // at least the schedule's peak
    for (std::size_t t = 0; t < g.tensors.size(); ++t) {
        if (g.tensors[t].bytes > r.largest_tensor_bytes) {
            r.largest_tensor_bytes = g.tensors[t].bytes;
            r.largest_tensor = static_cast<int>(t);
        }
    }
    for (std::size_t k = 0; k < g.ops.size(); ++k) {
        const op_node& o = g.ops[k];
        if (o.output == r.largest_tensor) r.largest_tensor_writer = o.kind;
        r.flash_bytes += o.weight_bytes;
        if (o.weight_bytes > r.largest_layer_bytes) {
            r.largest_layer_bytes = o.weight_bytes;
            r.largest_layer = static_cast<int>(k);
            r.largest_layer_kind = o.kind;
        }
    }
    return r;
}

/// True when the graph's peak RAM and flash are within the budget.
[[nodiscard]] constexpr bool fits(const budget_report& r, const budget& b) noexcept {
    return b.ram_bytes.admits(r.peak_ram_bytes) && b.flash_bytes.admits(r.flash_bytes);
}

/// True when network `Net` on inputs of shape `input` at precision `p` fits the budget.
template <class Net>
[[nodiscard]] constexpr bool fits(shape input, precision p, const budget& b) {
    return fits(report(lower<Net>(input, p)), b);
}

// --- the names the compiler prints when a budget check fails -------------------------------------

// An op's kind travels as a char array member: a string literal cannot be a template argument.
struct ram_budget_bytes {
    std::size_t value;
};
struct peak_ram_bytes {
    std::size_t value;
};
/// The op running when the arena is fullest: its index in the graph and its kind.
struct peak_while_running {
    int op;
    char kind[24];
};
/// The largest tensor: its index, its bytes and the kind of the op that writes it.
struct largest_tensor {
    int index;
    std::size_t bytes;
    char written_by[24];
};
struct flash_budget_bytes {
    std::size_t value;
};
struct flash_bytes {
    std::size_t value;
};
/// The op with the most flash: its index, its bytes and its kind.
struct largest_layer {
    int op;
    std::size_t bytes;
    char kind[24];
};

namespace detail {

constexpr void copy_kind(char (&to)[24], const char* kind) {
    for (std::size_t i = 0; i + 1 < sizeof to && kind[i] != '\0'; ++i) to[i] = kind[i];
}
constexpr peak_while_running peak_argument(const budget_report& r) {
    peak_while_running p{r.peak_op, {}};
    copy_kind(p.kind, r.peak_op_kind);
    return p;
}
constexpr largest_tensor tensor_argument(const budget_report& r) {
    largest_tensor t{r.largest_tensor, r.largest_tensor_bytes, {}};
    copy_kind(t.written_by, r.largest_tensor_writer);
    return t;
}
constexpr largest_layer layer_argument(const budget_report& r) {
    largest_layer l{r.largest_layer, r.largest_layer_bytes, {}};
    copy_kind(l.kind, r.largest_layer_kind);
    return l;
}

} // namespace detail

/// Instantiated by assert_fits: fails to compile when the peak is over the budget.
template <ram_budget_bytes Budget, peak_ram_bytes Peak, peak_while_running At, largest_tensor Largest>
struct over_the_ram_budget {
    static_assert(Peak.value <= Budget.value,
                  "nascent: the network's peak RAM is over the RAM budget (see the template arguments of "
                  "over_the_ram_budget: the budget, the peak, the op running at the peak, the largest tensor)");
    static constexpr bool checked = true;
};

/// Instantiated by assert_fits: fails to compile when the weights are over the flash budget.
template <flash_budget_bytes Budget, flash_bytes Flash, largest_layer Largest>
struct over_the_flash_budget {
    static_assert(Flash.value <= Budget.value,
                  "nascent: the network's weights are over the flash budget (see the template arguments of "
                  "over_the_flash_budget: the budget, the flash the network needs, the largest layer)");
    static constexpr bool checked = true;
};

/// Compiles only when network `Net` on inputs of shape `Input` at precision `P` fits budget `B`;
/// otherwise the error names the figures (docs/cost.md, "Budgets"). `value` is true whenever
/// it compiles, so `static_assert(assert_fits<...>::value)` reads as the check it is.
template <class Net, shape Input, precision P, budget B>
struct assert_fits {
    static constexpr budget_report figures = report(lower<Net>(Input, P));
    static constexpr bool value =
        over_the_ram_budget<ram_budget_bytes{*B.ram_bytes}, peak_ram_bytes{figures.peak_ram_bytes},
                            detail::peak_argument(figures), detail::tensor_argument(figures)>::checked &&
        over_the_flash_budget<flash_budget_bytes{*B.flash_bytes}, flash_bytes{figures.flash_bytes},
                              detail::layer_argument(figures)>::checked;
};

} // namespace nascent::cost
