// nascent/cost/plan_exact.hpp - the exact packer of the memory plan, for when no greedy
// placement reaches the schedule's peak: a bounded depth-first search for a packing within a
// given arena size, which places buffers by increasing offset, each on top of a buffer it meets
// in time, pruned by the free room at every step and by a memory of states that failed
// (docs/cost.md, "Memory plan").
//
//   cost::detail::exact_packer packer(buffers, steps, peak, search_nodes);
//   if (packer.run()) { /* buffers hold offsets within peak */ }
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "nascent/cost/plan_layout.hpp"

namespace nascent::cost::detail {

/// Exact search for a packing within `limit` bytes (see above). Buffers are placed
/// in increasing (offset, index) order, each at the top of the highest placed buffer it meets.
/// What is left to decide depends only on the buffers still to place, the current offset and the
/// skyline (per step, the top of the placed buffers alive then), so states that failed once are
/// remembered (by a 64-bit hash) and not searched again.
class exact_packer {
public:
    constexpr exact_packer(std::vector<plan_buffer>& buffers, int steps, std::size_t limit, std::size_t& budget)
        : buffers_(&buffers), steps_(static_cast<std::size_t>(steps)), limit_(limit), budget_(&budget),
          placed_(buffers.size(), false), top_(steps_, 0), need_(steps_, 0), failed_(1024, 0) {
        for (const plan_buffer& b : buffers)
            for (int t = b.first; t <= b.last; ++t) need_[static_cast<std::size_t>(t)] += b.bytes;
    }

    /// True when a packing was found (then written into the buffers' offsets).
    constexpr bool run() { return place(0, 0, -1); }
    [[nodiscard]] constexpr bool exhausted() const noexcept { return exhausted_; }

private:
    constexpr bool place(std::size_t count, std::size_t floor, int last_index) {
        std::vector<plan_buffer>& bs = *buffers_;
        if (count == bs.size()) return true;
        // Every buffer still to place lies in [floor, limit), above the skyline: at each step, the
        // room there must hold the ones alive at that step.
        for (std::size_t t = 0; t < steps_; ++t)
            if (need_[t] > limit_ - std::max(top_[t], floor)) return false;
        const std::uint64_t key = state_key(floor, last_index);
        if (known_failure(key)) return false;
        if (*budget_ == 0) {
            exhausted_ = true;
            return false;
        }
        --*budget_;
        struct candidate {
            std::size_t offset;
            std::size_t bytes;
            int index;
        };
        std::vector<candidate> next;
        for (std::size_t i = 0; i < bs.size(); ++i) {
            if (placed_[i]) continue;
            // On the skyline, but not below the floor: a buffer that could sit lower waits or floats at
            // the floor (a superset of the pushed-down packings, so the state above decides the rest).
            std::size_t offset = floor;
            for (int t = bs[i].first; t <= bs[i].last; ++t) offset = std::max(offset, top_[static_cast<std::size_t>(t)]);
            const int index = static_cast<int>(i);
            if ((offset == floor && index < last_index) || offset + bs[i].bytes > limit_) continue;
            next.push_back({offset, bs[i].bytes, index});
        }
        std::sort(next.begin(), next.end(), [](const candidate& a, const candidate& b) {
            return a.offset != b.offset ? a.offset < b.offset : a.bytes != b.bytes ? a.bytes > b.bytes : a.index < b.index;
        });
        std::vector<std::size_t> saved;
        for (const candidate& c : next) {
            const auto i = static_cast<std::size_t>(c.index);
            plan_buffer& b = bs[i];
            b.offset = c.offset;
            placed_[i] = true;
            saved.assign(top_.begin() + b.first, top_.begin() + b.last + 1);
            for (int t = b.first; t <= b.last; ++t) {
                top_[static_cast<std::size_t>(t)] = c.offset + b.bytes;
                need_[static_cast<std::size_t>(t)] -= b.bytes;
            }
            if (place(count + 1, c.offset, c.index)) return true;
            for (int t = b.first; t <= b.last; ++t) {
                top_[static_cast<std::size_t>(t)] = saved[static_cast<std::size_t>(t - b.first)];
                need_[static_cast<std::size_t>(t)] += b.bytes;
            }
            placed_[i] = false;
            if (exhausted_) return false;
        }
        remember_failure(key);
        return false;
    }

    [[nodiscard]] constexpr std::uint64_t state_key(std::size_t floor, int last_index) const noexcept {
        std::uint64_t h = 0x9e3779b97f4a7c15ULL;
        auto mix = [&h](std::uint64_t v) {
            h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6U) + (h >> 2U);
            h *= 0xbf58476d1ce4e5b9ULL;
        };
        mix(floor);
        mix(static_cast<std::uint64_t>(last_index + 1));
        std::uint64_t bits = 0;
        for (std::size_t i = 0; i < placed_.size(); ++i) {
            bits = (bits << 1U) | (placed_[i] ? 1U : 0U);
            if (i % 64 == 63) {
                mix(bits);
                bits = 0;
            }
        }
        mix(bits);
        for (std::size_t t = 0; t < steps_; ++t) mix(std::max(top_[t], floor));
        return h | 1U;  // 0 marks an empty slot
    }

    [[nodiscard]] constexpr bool known_failure(std::uint64_t key) const noexcept {
        const std::size_t mask = failed_.size() - 1;
        for (std::size_t i = static_cast<std::size_t>(key) & mask;; i = (i + 1) & mask) {
            if (failed_[i] == key) return true;
            if (failed_[i] == 0) return false;
        }
    }

    constexpr void remember_failure(std::uint64_t key) {
        if (2 * (failures_ + 1) > failed_.size()) {
            std::vector<std::uint64_t> old(failed_.size() * 2, 0);
            old.swap(failed_);
            failures_ = 0;
            for (const std::uint64_t k : old)
                if (k != 0) remember_failure(k);
        }
        const std::size_t mask = failed_.size() - 1;
        std::size_t i = static_cast<std::size_t>(key) & mask;
        while (failed_[i] != 0 && failed_[i] != key) i = (i + 1) & mask;
        if (failed_[i] == 0) ++failures_;
        failed_[i] = key;
    }

    std::vector<plan_buffer>* buffers_;
    std::size_t steps_;
    std::size_t limit_;
    std::size_t* budget_;
    bool exhausted_ = false;
    std::vector<bool> placed_;
    std::vector<std::size_t> top_;   ///< per step: the top of the placed buffers alive then
    std::vector<std::size_t> need_;  ///< per step: the bytes of the buffers still to place alive then
    std::vector<std::uint64_t> failed_;
    std::size_t failures_ = 0;
};

} // namespace nascent::cost::detail
