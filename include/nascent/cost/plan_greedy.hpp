// nascent/cost/plan_greedy.hpp - the greedy packers of the memory plan: first fit in a given
// order of the buffers (the planner tries largest first, as TF Lite Micro's greedy planner,
// longest-lived, earliest and largest area first), and the two-sided placement that fits every
// chain at its peak. Each writes the buffers' offsets and returns the arena size.
//
//   const std::size_t arena = cost::detail::greedy_pack(buffers, peak, opposite);
#pragma once

#include <algorithm>
#include <cstddef>
#include <utility>
#include <vector>

#include "nascent/cost/plan_layout.hpp"

namespace nascent::cost::detail {

/// Lowest offset at which `b` fits among the already placed buffers it meets in time.
constexpr std::size_t first_fit(const std::vector<plan_buffer>& buffers, const std::vector<int>& placed, const plan_buffer& b) {
    std::vector<std::pair<std::size_t, std::size_t>> taken;  // [offset, end) of buffers meeting b
    for (const int i : placed) {
        const plan_buffer& p = buffers[static_cast<std::size_t>(i)];
        if (meet(p, b)) taken.emplace_back(p.offset, p.offset + p.bytes);
    }
    std::sort(taken.begin(), taken.end());
    std::size_t offset = 0;
    for (const auto& [begin, end] : taken) {
        if (begin >= offset + b.bytes) break;  // the gap below this buffer is large enough
        offset = std::max(offset, end);
    }
    return offset;
}

/// Places the buffers in `order` by first fit; returns the arena size.
constexpr std::size_t greedy_place(std::vector<plan_buffer>& buffers, const std::vector<int>& order) {
    std::vector<int> placed;  // by increasing offset, so first fit is one pass (as first_fit)
    placed.reserve(order.size());
    std::size_t arena = 0;
    for (const int i : order) {
        plan_buffer& b = buffers[static_cast<std::size_t>(i)];
        std::size_t offset = 0;
        auto at = placed.begin();
        for (; at != placed.end(); ++at) {
            const plan_buffer& p = buffers[static_cast<std::size_t>(*at)];
            if (!meet(p, b)) continue;
            if (p.offset >= offset + b.bytes) break;  // the gap below this buffer is large enough
            offset = std::max(offset, p.offset + p.bytes);
        }
        b.offset = offset;
        arena = std::max(arena, offset + b.bytes);
        // Keep `placed` sorted: b goes before the first buffer above its offset.
        at = std::find_if(placed.begin(), placed.end(), [&](int j) { return buffers[static_cast<std::size_t>(j)].offset > offset; });
        placed.insert(at, i);
    }
    return arena;
}

/// Highest offset, at most `limit - b.bytes`, at which `b` fits among the placed buffers it meets
/// in time; `limit` itself when there is none.
constexpr std::size_t top_fit(const std::vector<plan_buffer>& buffers, const std::vector<int>& placed, const plan_buffer& b,
                              std::size_t limit) {
    if (b.bytes > limit) return limit;
    std::vector<std::pair<std::size_t, std::size_t>> taken;  // [offset, end) of buffers meeting b
    for (const int i : placed) {
        const plan_buffer& p = buffers[static_cast<std::size_t>(i)];
        if (meet(p, b)) taken.emplace_back(p.offset, p.offset + p.bytes);
    }
    auto is_free = [&](std::size_t offset) {
        for (const auto& [begin, end] : taken)
            if (offset < end && begin < offset + b.bytes) return false;
        return true;
    };
    // The highest fit is at the top, or directly below a taken range.
    std::size_t best = is_free(limit - b.bytes) ? limit - b.bytes : limit;
    for (const auto& [begin, end] : taken) {
        if (begin < b.bytes || begin > limit) continue;
        const std::size_t offset = begin - b.bytes;
        if ((best == limit || offset > best) && is_free(offset)) best = offset;
    }
    return best;
}

/// Places the buffers, by first step, each at the bottom or at the top of an arena of `limit`
/// bytes: at the top when `opposite[i]` (the buffer of the tensor its op reads first, or -1) went
/// to the bottom, at the bottom otherwise, or on the other side when that side is full. A chain
/// then fills its peak exactly: each tensor is opposite the one before it, and each scratch fits
/// between them. Returns the arena size (above `limit` when a buffer fits on neither side).
constexpr std::size_t two_sided_place(std::vector<plan_buffer>& buffers, const std::vector<int>& opposite, std::size_t limit) {
    const std::size_t n = buffers.size();
    std::vector<int> order(n);
    for (std::size_t i = 0; i < n; ++i) order[i] = static_cast<int>(i);
    std::sort(order.begin(), order.end(), [&](int a, int b) {
        const plan_buffer& x = buffers[static_cast<std::size_t>(a)];
        const plan_buffer& y = buffers[static_cast<std::size_t>(b)];
        if (x.first != y.first) return x.first < y.first;
        return x.last != y.last ? x.last > y.last : a < b;  // a kernel's scratch after the tensors
    });
    std::vector<bool> on_top(n, false);
    std::vector<int> placed;
    std::size_t arena = 0;
    for (const int i : order) {
        plan_buffer& b = buffers[static_cast<std::size_t>(i)];
        const int across = opposite[static_cast<std::size_t>(i)];
        const bool want_top = across >= 0 && !on_top[static_cast<std::size_t>(across)];
        const std::size_t bottom = first_fit(buffers, placed, b);
        const bool bottom_fits = bottom + b.bytes <= limit;
        const std::size_t top = top_fit(buffers, placed, b, limit);
        const bool top_fits = top != limit;
        const bool use_top = top_fits && (want_top || !bottom_fits);
        b.offset = use_top ? top : bottom;
        on_top[static_cast<std::size_t>(i)] = use_top;
        arena = std::max(arena, b.offset + b.bytes);
        placed.push_back(i);
    }
    return arena;
}

/// The best of the greedy placements within `peak` bytes: first fit in four orders of the
/// buffers, then, when all miss the peak and `opposite` is given, two_sided_place. Stops at the
/// first one that reaches the peak. Returns its arena size; the buffers hold its offsets.
constexpr std::size_t greedy_pack(std::vector<plan_buffer>& buffers, std::size_t peak, const std::vector<int>& opposite) {
    const std::size_t n = buffers.size();
    std::vector<int> order(n);
    for (std::size_t i = 0; i < n; ++i) order[i] = static_cast<int>(i);
    auto length = [&](int i) { return buffers[static_cast<std::size_t>(i)].last - buffers[static_cast<std::size_t>(i)].first; };
    auto bytes = [&](int i) { return buffers[static_cast<std::size_t>(i)].bytes; };
    auto first = [&](int i) { return buffers[static_cast<std::size_t>(i)].first; };
    // Greedy orders, each a total order (ties broken by index).
    auto by_size = [&](int a, int b) {
        return bytes(a) != bytes(b) ? bytes(a) > bytes(b) : length(a) != length(b) ? length(a) > length(b) : a < b;
    };
    auto by_length = [&](int a, int b) {
        return length(a) != length(b) ? length(a) > length(b) : bytes(a) != bytes(b) ? bytes(a) > bytes(b) : a < b;
    };
    auto by_start = [&](int a, int b) {
        return first(a) != first(b) ? first(a) < first(b) : bytes(a) != bytes(b) ? bytes(a) > bytes(b) : a < b;
    };
    auto by_area = [&](int a, int b) {
        const std::size_t area_a = bytes(a) * static_cast<std::size_t>(length(a) + 1);
        const std::size_t area_b = bytes(b) * static_cast<std::size_t>(length(b) + 1);
        return area_a != area_b ? area_a > area_b : by_size(a, b);
    };
    std::size_t best = ~std::size_t{0};
    std::vector<plan_buffer> best_buffers;
    for (int strategy = 0; strategy < 4 && best > peak; ++strategy) {
        if (strategy == 0) std::sort(order.begin(), order.end(), by_size);
        if (strategy == 1) std::sort(order.begin(), order.end(), by_length);
        if (strategy == 2) std::sort(order.begin(), order.end(), by_start);
        if (strategy == 3) std::sort(order.begin(), order.end(), by_area);
        const std::size_t arena = greedy_place(buffers, order);
        if (arena < best) {
            best = arena;
            best_buffers = buffers;
        }
    }
    if (best > peak && !opposite.empty()) {
        const std::size_t arena = two_sided_place(buffers, opposite, peak);
        if (arena < best) {
            best = arena;
            best_buffers = buffers;
        }
    }
    buffers = best_buffers;
    return best;
}

} // namespace nascent::cost::detail
