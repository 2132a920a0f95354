// nascent/space/architecture.hpp - architectures of a space as values.
//
// An architecture is one integer per decision slot of the space (space/node.hpp).
// Here: compile-time queries on a space (decision count, options per slot,
// size), validation on an input shape, random sampling, mutation and
// crossover (all returning valid, canonical architectures), text and JSON
// encodings, equality and hashing.
#pragma once

#include <array>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "nascent/core/error.hpp"
#include "nascent/core/problem.hpp"
#include "nascent/core/random.hpp"
#include "nascent/core/text.hpp"
#include "nascent/space/node.hpp"

namespace nascent {

/// One architecture of a space: a value per decision slot.
struct architecture {
    std::vector<int> choices;

    [[nodiscard]] std::size_t size() const noexcept { return choices.size(); }
    [[nodiscard]] int operator[](std::size_t i) const noexcept { return choices[i]; }
    [[nodiscard]] std::span<const int> view() const noexcept { return choices; }
    friend bool operator==(const architecture&, const architecture&) = default;
};

/// An architecture of the space `Space` (a space type or a space::bound): the same slots, typed,
/// so that one space's architecture cannot be handed where another space's is expected.
/// It reads as the untyped `architecture` wherever an existing function takes one.
///     space::bound<my_space, shape{28, 28, 1}>::architecture a = ...;   // architecture_of<that bound>
///     cost::of<my_space>(shape{28, 28, 1}, precision::int8, a.view());  // the untyped view
template <class Space>
class architecture_of {
public:
    using space_type = Space;

    /// An architecture taken as one of `Space` without a check (the caller has validated it).
    [[nodiscard]] static architecture_of trusted(architecture a) { return architecture_of(std::move(a)); }
    /// Another space's architecture is not one of this space.
    template <class Other>
    architecture_of(const architecture_of<Other>&) = delete;
    architecture_of(const architecture_of&) = default;
    architecture_of(architecture_of&&) noexcept = default;
    architecture_of& operator=(const architecture_of&) = default;
    architecture_of& operator=(architecture_of&&) noexcept = default;
    ~architecture_of() = default;

    [[nodiscard]] const architecture& untyped() const noexcept { return value_; }
    operator const architecture&() const noexcept { return value_; }  // NOLINT: the untyped view, implicitly
    [[nodiscard]] std::size_t size() const noexcept { return value_.size(); }
    [[nodiscard]] int operator[](std::size_t i) const noexcept { return value_[i]; }
    [[nodiscard]] std::span<const int> view() const noexcept { return value_.view(); }
    friend bool operator==(const architecture_of&, const architecture_of&) = default;

private:
    explicit architecture_of(architecture a) : value_(std::move(a)) {}
    architecture value_;
};

namespace space {

/// Options of every slot of `Space`.
template <class Space>
[[nodiscard]] constexpr std::array<int, decisions<Space>> options() noexcept {
    std::array<int, decisions<Space>> o{};
    if constexpr (decisions<Space> > 0) write_options<Space>(o.data());
    return o;
}

/// Output shape of `Space` on `in` for an architecture (a view of its slots), or the problem.
template <class Space>
[[nodiscard]] constexpr trace_result output(shape in, std::span<const int> arch) noexcept {
    if (arch.size() != decisions<Space>) return {in, problem::wrong_decision_count};
    decision_cursor c(arch.data(), arch.size());
    return trace<Space>(in, c);
}

/// Why an architecture cannot run on `in` (problem::none when it can).
template <class Space>
[[nodiscard]] constexpr problem validate(shape in, std::span<const int> arch) noexcept {
    if (!in.valid()) return problem::op_rejects_input;
    return output<Space>(in, arch).issue;
}

/// The architecture with its inactive slots set to 0 (equal architectures compare equal).
template <class Space>
[[nodiscard]] architecture canonical(architecture a) {
    require(a.size() == decisions<Space>, describe(problem::wrong_decision_count));
    if constexpr (decisions<Space> > 0) canonicalize<Space>(a.choices.data(), true);
    return a;
}

/// Slots that matter for architecture `a`: changing one changes the canonical architecture
/// (a slot inside an option that `a` did not choose does not; nor does a slot with one option).
template <class Space>
[[nodiscard]] std::vector<bool> active_slots(const architecture& a) {
    constexpr auto opts = options<Space>();
    const architecture base = canonical<Space>(a);
    std::vector<bool> active(decisions<Space>, false);
    for (std::size_t i = 0; i < base.size(); ++i) {
        if (opts[i] < 2) continue;
        architecture probe = base;
        probe.choices[i] = (probe.choices[i] + 1) % opts[i];
        active[i] = canonical<Space>(probe) != base;
    }
    return active;
}

/// Number of attempts the random operators make before giving up on a space.
inline constexpr int max_attempts = 10000;

/// A uniformly drawn valid architecture (slots drawn independently, invalid draws redrawn).
template <class Space>
[[nodiscard]] architecture sample(shape in, rng& random) {
    constexpr auto opts = options<Space>();
    architecture a{std::vector<int>(decisions<Space>, 0)};
    for (int attempt = 0; attempt < max_attempts; ++attempt) {
        for (std::size_t i = 0; i < opts.size(); ++i) a.choices[i] = static_cast<int>(random.below(static_cast<std::uint64_t>(opts[i])));
        if (validate<Space>(in, a.view()) == problem::none) return canonical<Space>(a);
    }
    throw error(string_of("space: no valid architecture found in ", max_attempts, " random draws on input ", in.h, "x", in.w,
                       "x", in.c));
}

/// `a` with one active slot changed to another option; valid and different from `a`.
template <class Space>
[[nodiscard]] architecture mutate(const architecture& a, shape in, rng& random) {
    constexpr auto opts = options<Space>();
    const architecture base = canonical<Space>(a);
    const std::vector<bool> active = active_slots<Space>(base);
    std::vector<std::size_t> slots;
    for (std::size_t i = 0; i < active.size(); ++i)
        if (active[i]) slots.push_back(i);
    require(!slots.empty(), "mutate: the space has no decision to change");
    for (int attempt = 0; attempt < max_attempts; ++attempt) {
        architecture m = base;
        const std::size_t slot = slots[random.below(slots.size())];
        const auto others = static_cast<std::uint64_t>(opts[slot] - 1);
        const int shift = 1 + static_cast<int>(random.below(others));
        m.choices[slot] = (m.choices[slot] + shift) % opts[slot];
        m = canonical<Space>(m);
        if (m != base && validate<Space>(in, m.view()) == problem::none) return m;
    }
    throw error("mutate: no valid neighbour found");
}

/// Uniform crossover: each slot from `a` or `b` with equal probability; valid (falls back to `a`).
template <class Space>
[[nodiscard]] architecture crossover(const architecture& a, const architecture& b, shape in, rng& random) {
    require(a.size() == decisions<Space> && b.size() == decisions<Space>, describe(problem::wrong_decision_count));
    for (int attempt = 0; attempt < 100; ++attempt) {
        architecture child = a;
        for (std::size_t i = 0; i < child.size(); ++i)
            if (random.below(2) == 1) child.choices[i] = b.choices[i];
        if (validate<Space>(in, child.view()) == problem::none) return canonical<Space>(child);
    }
    return canonical<Space>(a);
}

} // namespace space

/// Text form: the slots separated by '-', e.g. "2-0-1" (the empty string for no slots).
[[nodiscard]] inline std::string to_text(const architecture& a) {
    std::string s;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (i > 0) s.push_back('-');
        s += std::to_string(a.choices[i]);
    }
    return s;
}

/// JSON form: {"decisions":[2,0,1]}.
[[nodiscard]] inline std::string to_json(const architecture& a) {
    std::string s = "{\"decisions\":[";
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (i > 0) s.push_back(',');
        s += std::to_string(a.choices[i]);
    }
    s += "]}";
    return s;
}

namespace detail {

/// Reads a list of non-negative integers separated by `sep` from `text` (whitespace allowed around them).
inline std::vector<int> parse_integers(std::string_view text, char sep, std::string_view what) {
    std::vector<int> values;
    auto skip_space = [&] {
        while (!text.empty() && (text.front() == ' ' || text.front() == '\n' || text.front() == '\t' || text.front() == '\r'))
            text.remove_prefix(1);
    };
    skip_space();
    if (text.empty()) return values;
    for (;;) {
        skip_space();
        int v = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        if (ec != std::errc{} || v < 0) throw error(string_of(what, ": expected a non-negative integer at \"", text.substr(0, 16), "\""));
        text.remove_prefix(static_cast<std::size_t>(end - text.data()));
        skip_space();
        if (text.empty()) return values.push_back(v), values;
        if (text.front() != sep) throw error(string_of(what, ": expected '", sep, "' at \"", text.substr(0, 16), "\""));
        text.remove_prefix(1);
        values.push_back(v);
    }
}

} // namespace detail

/// Reads the text form. Throws on malformed text; does not check it against a space.
[[nodiscard]] inline architecture architecture_from_text(std::string_view text) {
    return architecture{detail::parse_integers(text, '-', "architecture text")};
}

/// Reads the JSON form {"decisions":[...]}. Throws on malformed JSON.
[[nodiscard]] inline architecture architecture_from_json(std::string_view json) {
    const auto key = json.find("\"decisions\"");
    const auto open = json.find('[', key == std::string_view::npos ? 0 : key);
    const auto close = json.find(']', open == std::string_view::npos ? 0 : open);
    if (key == std::string_view::npos || open == std::string_view::npos || close == std::string_view::npos)
        throw error("architecture JSON: expected {\"decisions\": [ ... ]}");
    const auto colon = json.find(':', key);
    const auto first_brace = json.find('{');
    const auto last_brace = json.rfind('}');
    if (colon == std::string_view::npos || colon > open || first_brace == std::string_view::npos || first_brace > key ||
        last_brace == std::string_view::npos || last_brace < close)
        throw error("architecture JSON: expected {\"decisions\": [ ... ]}");
    return architecture{detail::parse_integers(json.substr(open + 1, close - open - 1), ',', "architecture JSON")};
}

/// Checks `a` against `Space` on `in`; throws naming the problem.
template <class Space>
[[nodiscard]] architecture checked(architecture a, shape in) {
    const problem p = space::validate<Space>(in, a.view());
    if (p != problem::none) throw error(string_of("architecture ", to_text(a), ": ", describe(p)));
    return space::canonical<Space>(std::move(a));
}

/// FNV-1a over the slots.
[[nodiscard]] inline std::uint64_t hash_value(const architecture& a) noexcept {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (const int v : a.choices) {
        auto u = static_cast<std::uint32_t>(v);
        for (int b = 0; b < 4; ++b, u >>= 8U) {
            h ^= u & 0xffU;
            h *= 0x100000001b3ULL;
        }
    }
    return h;
}

} // namespace nascent

template <>
struct std::hash<nascent::architecture> {
    std::size_t operator()(const nascent::architecture& a) const noexcept {
        return static_cast<std::size_t>(nascent::hash_value(a));
    }
};

template <class Space>
struct std::hash<nascent::architecture_of<Space>> {
    std::size_t operator()(const nascent::architecture_of<Space>& a) const noexcept {
        return static_cast<std::size_t>(nascent::hash_value(a.untyped()));
    }
};
