// nascent/space/choice.hpp - one decision among several ops or blocks.
//
// choice<Ops...> is one slot whose value picks an option, followed by the
// slots of every option in order. In the supernet every option is present and
// they share the input; their outputs must have the same number of channels
// (spatial extents may differ: a stride-2 option beside stride-1 ones), so the
// layers after the choice serve every option with one set of weights.
#pragma once

#include <array>
#include <cstddef>

#include "nascent/core/shape.hpp"
#include "nascent/space/node.hpp"

namespace nascent {

template <class... Ops>
struct choice final {
    static_assert(sizeof...(Ops) > 1, "choice<Ops...> needs at least two options");
    static constexpr int options = static_cast<int>(sizeof...(Ops));
    static constexpr std::size_t decisions = 1 + (space::decisions<Ops> + ... + 0);
    /// Slot offset of each option's own decisions, relative to the choice's slot.
    static constexpr std::array<std::size_t, sizeof...(Ops)> offsets = [] {
        std::array<std::size_t, sizeof...(Ops)> o{};
        std::size_t at = 1;
        std::size_t i = 0;
        ((o[i++] = at, at += space::decisions<Ops>), ...);
        return o;
    }();

    /// Every option reads `in`, and all give the same number of channels.
    [[nodiscard]] static constexpr problem check(shape in) noexcept {
        problem p = problem::none;
        const int channels = first_output(in).c;
        ((p = p != problem::none                   ? p
              : space::check<Ops>(in) != problem::none ? space::check<Ops>(in)
              : Ops::output(in).c != channels          ? problem::choice_channels_differ
                                                       : problem::none),
         ...);
        return p;
    }
    [[nodiscard]] static constexpr bool accepts(shape in) noexcept { return check(in) == problem::none; }
    /// The supernet's output: the first option's (every option has its channel count).
    [[nodiscard]] static constexpr shape output(shape in) noexcept { return first_output(in); }
    /// Parameters of the supernet: every option's.
    [[nodiscard]] static constexpr std::size_t params(shape in) noexcept { return (Ops::params(in) + ...); }
    /// MACs of the supernet's mixed op: every option runs.
    [[nodiscard]] static constexpr std::size_t macs(shape in) noexcept { return (Ops::macs(in) + ...); }

    static constexpr void write_options(int* out) noexcept {
        out[0] = options;
        std::size_t i = 0;
        ((space::write_options<Ops>(out + offsets[i++])), ...);
    }
    [[nodiscard]] static constexpr space_size size() noexcept { return (space::size<Ops>() + ...); }
    [[nodiscard]] static constexpr trace_result trace(shape in, decision_cursor& c) noexcept {
        const int pick = c.take();
        if (pick < 0 || pick >= options) {
            c.skip(decisions - 1);
            return {in, problem::decision_out_of_range};
        }
        trace_result t{in};
        int i = 0;
        ((i++ == pick ? (void)(t = space::trace<Ops>(in, c)) : c.skip(space::decisions<Ops>)), ...);
        return t;
    }
    static constexpr void canonicalize(int* arch, bool active) noexcept {
        if (!active) arch[0] = 0;
        const int pick = arch[0];
        int i = 0;
        ((space::canonicalize<Ops>(arch + offsets[static_cast<std::size_t>(i)], active && i == pick), ++i), ...);
    }

private:
    template <class First, class...>
    static constexpr shape first_of(shape in) noexcept { return First::output(in); }
    static constexpr shape first_output(shape in) noexcept { return first_of<Ops...>(in); }
};

} // namespace nascent
