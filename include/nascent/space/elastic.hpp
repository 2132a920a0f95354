// nascent/space/elastic.hpp - a choice of one integer of an op family, sharing the largest member's weights.
//
// elastic_width<Block, W...> chooses the output channels of Block<W>: the
// supernet holds Block<max W> and an architecture uses its first W channels
// (the rest are masked to zero), as in FBNetV2 and Once-for-All.
// elastic_kernel<Op, K...> chooses the kernel size of Op<K>: the supernet holds
// Op<max K> and a K x K kernel is the centre of the largest one (Single-Path
// NAS, Once-for-All). For odd kernels with "same" padding the centre of the
// large window is the centre of the small one, so the two agree exactly.
// `Block` / `Op` is a template of one int (an alias template is fine) whose
// members have no decisions of their own. Values are listed in increasing order.
#pragma once

#include <array>
#include <cstddef>

#include "nascent/core/shape.hpp"
#include "nascent/space/node.hpp"

namespace nascent {

namespace detail {

template <template <int> class Family, int... Values>
struct elastic_family {
    static_assert(sizeof...(Values) > 1, "an elastic choice needs at least two values");
    static_assert(((space::decisions<Family<Values>> == 0) && ...),
                  "the members of an elastic choice cannot hold decisions of their own");
    static constexpr int options = static_cast<int>(sizeof...(Values));
    static constexpr std::array<int, sizeof...(Values)> values{Values...};
    static constexpr int largest = values[sizeof...(Values) - 1];
    static_assert([] {
        for (std::size_t i = 1; i < sizeof...(Values); ++i)
            if (values[i] <= values[i - 1]) return false;
        return true;
    }(), "the values of an elastic choice must increase");
    using supernet_member = Family<largest>;
    static constexpr std::size_t decisions = 1;

    [[nodiscard]] static constexpr problem check(shape in) noexcept {
        problem p = problem::none;
        ((p = p == problem::none ? space::diagnose<Family<Values>>(in) : p), ...);
        return p;
    }
    [[nodiscard]] static constexpr bool accepts(shape in) noexcept { return check(in) == problem::none; }
    [[nodiscard]] static constexpr shape output(shape in) noexcept { return supernet_member::output(in); }
    [[nodiscard]] static constexpr std::size_t params(shape in) noexcept { return supernet_member::params(in); }
    [[nodiscard]] static constexpr std::size_t macs(shape in) noexcept { return supernet_member::macs(in); }

    static constexpr void write_options(int* out) noexcept { out[0] = options; }
    [[nodiscard]] static constexpr space_size size() noexcept { return space_size::of(sizeof...(Values)); }
    [[nodiscard]] static constexpr trace_result trace(shape in, decision_cursor& c) noexcept {
        const int pick = c.take();
        if (pick < 0 || pick >= options) return {in, problem::decision_out_of_range};
        trace_result t{in};
        int i = 0;
        ((i++ == pick ? (void)(t = space::trace<Family<Values>>(in, c)) : (void)0), ...);
        return t;
    }
    static constexpr void canonicalize(int* arch, bool active) noexcept {
        if (!active) arch[0] = 0;
    }
};

} // namespace detail

template <template <int> class Block, int... Widths>
struct elastic_width final : detail::elastic_family<Block, Widths...> {};

template <template <int> class Op, int... Kernels>
struct elastic_kernel final : detail::elastic_family<Op, Kernels...> {
    static_assert(((Kernels % 2 == 1) && ...), "elastic_kernel needs odd kernel sizes");
};

} // namespace nascent
