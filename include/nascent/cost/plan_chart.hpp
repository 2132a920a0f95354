// nascent/cost/plan_chart.hpp - a memory plan drawn as text: one row per step, the arena across
// (about 64 characters), a letter per tensor ('+' for the kernel's scratch, '.' for free bytes),
// then a legend of every buffer's size, offset and steps.
//
//   std::fputs(cost::print(cost::plan(g), g).c_str(), stdout);
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include "nascent/core/shape.hpp"
#include "nascent/core/text.hpp"
#include "nascent/cost/graph.hpp"
#include "nascent/cost/plan_layout.hpp"

namespace nascent::cost {

namespace detail {

/// The character that stands for tensor t in a printed plan: A-Z, a-z, then again.
constexpr char plan_letter(std::size_t t) noexcept {
    constexpr char letters[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    return letters[t % 52];
}

inline std::string chart_pad_left(std::string s, std::size_t width) {
    if (s.size() < width) s.insert(0, width - s.size(), ' ');
    return s;
}
inline std::string chart_pad_right(std::string s, std::size_t width) {
    if (s.size() < width) s.append(width - s.size(), ' ');
    return s;
}

} // namespace detail

/// The plan as a text chart: one row per step, the arena across (about 64 characters), a letter
/// per tensor ('+' for the kernel's scratch, '.' for free bytes), then a legend.
[[nodiscard]] inline std::string print(const memory_plan& p, const graph& g) {
    constexpr std::size_t width = 64;
    const std::size_t arena = std::max<std::size_t>(p.arena_bytes, 1);
    const std::size_t per_char = (arena + width - 1) / width;
    const std::size_t columns = (arena + per_char - 1) / per_char;
    std::string out = string_of("arena ", p.arena_bytes, " bytes (the schedule's peak: ", p.peak_bytes, "), ",
                             p.order.size(), " steps, one character = ", per_char, " bytes\n");
    std::size_t kind_width = 5;
    for (const auto& op : g.ops) kind_width = std::max(kind_width, std::string(op.kind).size());
    // A ruler: offset 0 at the left edge, the arena size at the right.
    std::string ruler = detail::chart_pad_left(std::to_string(p.arena_bytes), columns);
    ruler[0] = '0';
    out += string_of(detail::chart_pad_left("step", 4), ' ', detail::chart_pad_right("op", kind_width), " |", ruler,
                  "| bytes in use\n");
    auto draw = [&](std::string& row, const placement& b, char c) {
        if (b.bytes == 0) return;
        const std::size_t from = b.offset / per_char;
        const std::size_t to = std::max(from + 1, (b.end() + per_char - 1) / per_char);
        for (std::size_t i = from; i < to && i < row.size(); ++i) row[i] = c;
    };
    for (int step = 0; step < p.steps(); ++step) {
        std::string row(columns, '.');
        std::size_t in_use = 0;
        // An in-place output and the input it overwrites, both alive at their handover step, are one
        // buffer: count it once and show the output's letter.
        auto handed_over = [&](std::size_t t) {
            const int in = p.tensors[t].shares_with;
            return in >= 0 && p.tensors[static_cast<std::size_t>(in)].live_at(step);
        };
        // Larger buffers first, so a small one stays visible where they share a character.
        std::vector<std::size_t> live;
        for (std::size_t t = 0; t < p.tensors.size(); ++t)
            if (p.tensors[t].live_at(step) && !handed_over(t)) live.push_back(t);
        std::sort(live.begin(), live.end(), [&](std::size_t a, std::size_t b) { return p.tensors[a].bytes > p.tensors[b].bytes; });
        for (const std::size_t t : live) {
            draw(row, p.tensors[t], detail::plan_letter(t));
            in_use += p.tensors[t].bytes;
        }
        for (std::size_t t = 0; t < p.tensors.size(); ++t)
            if (p.tensors[t].live_at(step) && handed_over(t)) draw(row, p.tensors[t], detail::plan_letter(t));
        std::string kind = "input";
        if (!p.order.empty()) {
            const auto op = static_cast<std::size_t>(p.order[static_cast<std::size_t>(step)]);
            draw(row, p.scratch[op], '+');
            in_use += p.scratch[op].bytes;
            kind = g.ops[op].kind;
        }
        out += string_of(detail::chart_pad_left(std::to_string(step), 4), ' ', detail::chart_pad_right(kind, kind_width), " |", row,
                      "| ", in_use, '\n');
    }
    using detail::chart_pad_left;
    using detail::chart_pad_right;
    out += "legend:\n";
    for (std::size_t t = 0; t < p.tensors.size(); ++t) {
        const placement& b = p.tensors[t];
        std::string writer = "input";
        for (const auto& op : g.ops)
            if (op.output == static_cast<int>(t)) writer = op.kind;
        const shape s = g.tensors[t].extent;
        out += string_of("  ", detail::plan_letter(t), "  tensor ", chart_pad_right(std::to_string(t), 3), ' ',
                      chart_pad_right(writer, kind_width), ' ', chart_pad_right(string_of(s.h, 'x', s.w, 'x', s.c), 11),
                      chart_pad_left(std::to_string(b.bytes), 8), " B at ", chart_pad_left(std::to_string(b.offset), 7), ", steps ",
                      b.first_step, '-', b.last_step);
        if (b.shares_with >= 0) out += string_of(", in place of tensor ", b.shares_with);
        out += '\n';
    }
    for (std::size_t k = 0; k < p.scratch.size(); ++k) {
        const placement& b = p.scratch[k];
        if (b.bytes == 0) continue;
        out += string_of("  +  scratch of op ", chart_pad_right(std::to_string(k), 3), ' ', chart_pad_right(g.ops[k].kind, kind_width),
                      ' ', chart_pad_right("", 11), chart_pad_left(std::to_string(b.bytes), 8), " B at ",
                      chart_pad_left(std::to_string(b.offset), 7), ", step ", b.first_step, '\n');
    }
    return out;
}

} // namespace nascent::cost
