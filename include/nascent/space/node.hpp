// nascent/space/node.hpp - what every node of a search space answers, op or combinator.
//
// An architecture of a space is a fixed-length list of integers, one per
// decision, in depth-first order of the space type (a choice's own decision
// first, then the decisions inside each of its options, in order). Every
// decision has a slot whether or not it is active, so offsets are static;
// inactive slots (inside an option that was not chosen) are ignored and set
// to 0 by canonicalisation.
//
// A combinator answers, as static constexpr members:
//   decisions                          number of slots
//   write_options(int* out)            options per slot
//   size()                             number of distinct architectures (space_size)
//   trace(shape in, decision_cursor&)  output shape (or the problem) for the architecture read
//   check(shape in)                    problem of the supernet (every option present)
//   canonicalize(int* arch, bool active)
// and the supernet shape rule (accepts, output, params, macs: every option
// present, widths at their maximum). A plain op has no decisions; the free
// functions below give it the obvious answers.
#pragma once

#include <cstddef>
#include <cstdint>

#include "nascent/core/problem.hpp"
#include "nascent/core/shape.hpp"
#include "nascent/space/size.hpp"

namespace nascent {

/// Reads an architecture's decisions in space order. Past the end (or without an
/// architecture) it reads 0: the first option of every decision.
class decision_cursor {
public:
    constexpr decision_cursor() noexcept = default;
    constexpr decision_cursor(const int* first, std::size_t count) noexcept : data_(first), count_(count) {}

    /// The next decision.
    constexpr int take() noexcept {
        const int v = data_ != nullptr && pos_ < count_ ? data_[pos_] : 0;
        ++pos_;
        return v;
    }
    /// Skips n decisions (those of an option not taken).
    constexpr void skip(std::size_t n) noexcept { pos_ += n; }
    /// A cursor reading from `offset` decisions past this one's position.
    [[nodiscard]] constexpr decision_cursor ahead(std::size_t offset) const noexcept {
        decision_cursor c = *this;
        c.pos_ += offset;
        return c;
    }
    [[nodiscard]] constexpr std::size_t position() const noexcept { return pos_; }
    /// True when an architecture is being read (not the all-first-options default).
    [[nodiscard]] constexpr bool reads_architecture() const noexcept { return data_ != nullptr; }

private:
    const int* data_ = nullptr;
    std::size_t count_ = 0;
    std::size_t pos_ = 0;
};

/// The output of a node for one architecture, or why it has none.
struct trace_result {
    shape out{};
    problem issue = problem::none;

    [[nodiscard]] constexpr bool ok() const noexcept { return issue == problem::none; }
};

namespace space {

template <class Node>
concept combinator = requires { Node::decisions; };

/// Number of decision slots of a node.
template <class Node>
inline constexpr std::size_t decisions = [] {
    if constexpr (combinator<Node>) return std::size_t{Node::decisions};
    else return std::size_t{0};
}();

/// Writes the number of options of each of the node's slots.
template <class Node>
constexpr void write_options(int* out) noexcept {
    if constexpr (combinator<Node>) Node::write_options(out);
}

/// Number of distinct architectures of a node.
template <class Node>
[[nodiscard]] constexpr space_size size() noexcept {
    if constexpr (combinator<Node>) return Node::size();
    else return space_size{};
}

/// Why a plain op refuses `in` (problem::none when it accepts it).
template <class Op>
[[nodiscard]] constexpr problem diagnose(shape in) noexcept {
    if (Op::accepts(in)) return problem::none;
    if constexpr (requires { Op::diagnose(in); }) return Op::diagnose(in);
    else return problem::op_rejects_input;
}

/// Output shape of a node for the architecture read from `c`.
template <class Node>
[[nodiscard]] constexpr trace_result trace(shape in, decision_cursor& c) noexcept {
    if constexpr (combinator<Node>) {
        return Node::trace(in, c);
    } else {
        const problem p = diagnose<Node>(in);
        return p == problem::none ? trace_result{Node::output(in)} : trace_result{in, p};
    }
}

/// Problem of the supernet of a node on `in`: every option present, widths at their maximum.
template <class Node>
[[nodiscard]] constexpr problem check(shape in) noexcept {
    if constexpr (combinator<Node>) return Node::check(in);
    else return diagnose<Node>(in);
}

/// Sets the inactive slots of the node (all of them when `active` is false) to 0.
template <class Node>
constexpr void canonicalize(int* arch, bool active) noexcept {
    if constexpr (combinator<Node>) Node::canonicalize(arch, active);
}

} // namespace space
} // namespace nascent
