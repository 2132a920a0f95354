// nascent/prune/filter_ranking.hpp - the relevance of a width's filters: the L1 norm of each
// filter's weights over the input channels that carry data (Li et al., 2017), the order of
// decreasing norm, and the share of the L1 mass a narrower width drops.
//
//   const std::vector<double> norms = prune::filter_norms(model, arch, slot);
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <functional>
#include <numeric>
#include <vector>

#include "nascent/nn/supernet.hpp"
#include "nascent/prune/path.hpp"
#include "nascent/prune/width_slots.hpp"
#include "nascent/space/architecture.hpp"

namespace nascent::prune {

namespace detail {

/// L1 norm of each filter of a producer over the input channels that carry data.
template <class T>
std::vector<double> l1_norms(const link<T>& p) {
    const T* w = p.weight->value.data();
    std::vector<double> norms(static_cast<std::size_t>(p.out), 0.0);
    for (int o = 0; o < p.out; ++o) {
        double sum = 0.0;
        for (int t = 0; t < p.taps; ++t)
            for (int i = 0; i < p.in; ++i)
                if (i % p.in_period < p.in_live)
                    sum += std::abs(static_cast<double>(w[(static_cast<std::size_t>(o) * static_cast<std::size_t>(p.taps) +
                                                           static_cast<std::size_t>(t)) *
                                                              static_cast<std::size_t>(p.in) +
                                                          static_cast<std::size_t>(i)]));
        norms[static_cast<std::size_t>(o)] = sum;
    }
    return norms;
}

/// The first `live` channels by decreasing norm (ties keep their order), then the others in place.
inline std::vector<int> ranking(const std::vector<double>& norms, int live) {
    std::vector<int> order(norms.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.begin() + live,
                     [&](int a, int b) { return norms[static_cast<std::size_t>(a)] > norms[static_cast<std::size_t>(b)]; });
    return order;
}

/// Share of the live filters' L1 mass that narrowing from `live` to `keep` channels removes.
inline double removed_share(std::vector<double> live_norms, int keep) {
    std::sort(live_norms.begin(), live_norms.end(), std::greater<>());
    const double total = std::accumulate(live_norms.begin(), live_norms.end(), 0.0);
    const double removed = std::accumulate(live_norms.begin() + keep, live_norms.end(), 0.0);
    return total > 0.0 ? removed / total : 0.0;
}

} // namespace detail

/// The L1 norm of every filter of the elastic width at `slot` (of the widest member, in
/// channel order), over the input channels that carry data on the path of `arch`.
/// Throws when `slot` is not an elastic width of the path whose filters can be reordered.
template <class Space, class T>
[[nodiscard]] std::vector<double> filter_norms(nn::model<Space, T>& model, const architecture& arch, std::size_t slot) {
    using namespace detail;
    const std::vector<link<T>> links = path_of(model, arch);
    return l1_norms(links[planned(links, slot, arch).producer]);
}

} // namespace nascent::prune
