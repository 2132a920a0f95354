// nascent/search/work_shares.hpp - which worker judges which candidate of a batch.
//
//   const std::vector<std::size_t> worker = search::share_out(macs_of_each_candidate, 3);
//   // worker[i] in [0, 3): candidate i goes there
//
// Longest work first, each to the worker with the least work so far (the lowest index among
// equals): the greedy rule (LPT) that keeps the longest worker within 4/3 of the best split. The
// split depends on the figures alone, so every process that knows them computes the same one.
#pragma once

#include <algorithm>
#include <cstddef>
#include <numeric>
#include <span>
#include <vector>

#include "nascent/core/error.hpp"

namespace nascent::search {

/// The worker of each candidate, given each one's expected work (any unit, not negative).
[[nodiscard]] inline std::vector<std::size_t> share_out(std::span<const double> work, std::size_t workers) {
    require(workers > 0, "share_out: there must be at least one worker");
    std::vector<std::size_t> order(work.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return work[a] > work[b]; });
    std::vector<double> load(workers, 0.0);
    std::vector<std::size_t> worker(work.size(), 0);
    for (const std::size_t i : order) {
        require(work[i] >= 0.0, "share_out: work must not be negative");
        const auto lightest = static_cast<std::size_t>(std::min_element(load.begin(), load.end()) - load.begin());
        worker[i] = lightest;
        load[lightest] += work[i];
    }
    return worker;
}

/// The candidates of `worker`, in batch order.
[[nodiscard]] inline std::vector<std::size_t> share_of(std::span<const std::size_t> worker_of, std::size_t worker) {
    std::vector<std::size_t> mine;
    for (std::size_t i = 0; i < worker_of.size(); ++i)
        if (worker_of[i] == worker) mine.push_back(i);
    return mine;
}

} // namespace nascent::search
