// nascent/prune/reorder.hpp - the structural transform: reorder an elastic width's channels so
// that its live filters come by decreasing L1 norm (their bias, the per-channel layers after
// them and the inputs of the layer that reads them follow; the network computes what it
// computed before), then narrow the architecture so that the weakest filters fall past the
// width. Throws, changing nothing, what it cannot do.
//
//   const architecture narrower = prune::prune_width(model, arch, slot, option);  // then fine-tune
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "nascent/core/error.hpp"
#include "nascent/core/text.hpp"
#include "nascent/nn/supernet.hpp"
#include "nascent/prune/filter_ranking.hpp"
#include "nascent/prune/path.hpp"
#include "nascent/prune/width_slots.hpp"
#include "nascent/space/architecture.hpp"

namespace nascent::prune {

/// The filters of an elastic width after sort_filters.
struct filter_order {
    std::size_t slot = 0;
    std::vector<int> order;     ///< order[i]: the former channel now at position i
    std::vector<double> norms;  ///< each filter's L1 norm, in the new order
};

namespace detail {

/// Rows of `a` (each `row` scalars) put in `order`: new row i = old row order[i].
template <class Array>
void permute_rows(Array& a, const std::vector<int>& order, std::size_t row) {
    require(a.size() == order.size() * row, "prune: a layer's size does not match the channels reordered");
    const std::vector<typename Array::value_type> old(a.begin(), a.end());
    auto* d = a.data();
    for (std::size_t i = 0; i < order.size(); ++i)
        std::copy_n(old.data() + static_cast<std::size_t>(order[i]) * row, row, d + i * row);
}

/// Inputs of a producer's filters put in `order`: new input i = old input order[i].
template <class T>
void permute_inputs(const link<T>& p, const std::vector<int>& order) {
    require(order.size() == static_cast<std::size_t>(p.in), "prune: the reading layer's inputs do not match the channels reordered");
    auto& a = p.weight->value;
    const std::vector<T> old(a.begin(), a.end());
    T* d = a.data();
    const auto in = static_cast<std::size_t>(p.in);
    const std::size_t rows = static_cast<std::size_t>(p.out) * static_cast<std::size_t>(p.taps);
    for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t i = 0; i < in; ++i) d[r * in + i] = old[r * in + static_cast<std::size_t>(order[i])];
}

/// Reorders a channelwise layer's channels; returns the order of its output channels.
template <class T>
std::vector<int> permute_channelwise(const link<T>& l, const std::vector<int>& order) {
    if (l.norm != nullptr) {
        permute_rows(l.norm->gamma.value, order, 1);
        permute_rows(l.norm->beta.value, order, 1);
        permute_rows(l.norm->running_mean.value, order, 1);
        permute_rows(l.norm->running_var.value, order, 1);
        return order;
    }
    const auto m = static_cast<std::size_t>(l.multiplier);
    std::vector<int> out(order.size() * m);
    for (std::size_t i = 0; i < order.size(); ++i)
        for (std::size_t k = 0; k < m; ++k) out[i * m + k] = static_cast<int>(static_cast<std::size_t>(order[i]) * m + k);
    permute_rows(l.weight->value, out, static_cast<std::size_t>(l.taps));
    if (l.bias != nullptr) permute_rows(l.bias->value, out, 1);
    return out;
}

/// Applies `order` to the filters of plan.producer and to everything up to plan.consumer.
template <class T>
void reorder(std::vector<link<T>>& links, const reorder_plan& plan, const std::vector<int>& order) {
    const link<T>& p = links[plan.producer];
    permute_rows(p.weight->value, order, static_cast<std::size_t>(p.taps) * static_cast<std::size_t>(p.in));
    if (p.bias != nullptr) permute_rows(p.bias->value, order, 1);
    std::vector<int> current = order;
    for (std::size_t i = plan.producer + 1; i < plan.consumer; ++i) {
        const link<T>& l = links[i];
        if (l.kind == link_kind::channelwise) {
            current = permute_channelwise(l, current);
        } else if (l.kind == link_kind::flatten) {
            require(current.size() == static_cast<std::size_t>(l.channels), "prune: a flatten's channels do not match the channels reordered");
            std::vector<int> features(current.size() * static_cast<std::size_t>(l.positions));
            for (std::size_t at = 0; at < static_cast<std::size_t>(l.positions); ++at)
                for (std::size_t c = 0; c < current.size(); ++c)
                    features[at * current.size() + c] = static_cast<int>(at * current.size()) + current[c];
            current = std::move(features);
        }
    }
    permute_inputs(links[plan.consumer], current);
}

} // namespace detail

/// Reorders the channels of the elastic width at `slot` so that its live filters (the first
/// width(arch) ones) come by decreasing L1 norm; the masked ones keep their place. The
/// network of `arch` computes the same function afterwards (up to rounding). Throws, changing
/// nothing, when the channels cannot be reordered.
template <class Space, class T>
filter_order sort_filters(nn::model<Space, T>& model, const architecture& arch, std::size_t slot) {
    using namespace detail;
    std::vector<link<T>> links = path_of(model, arch);
    const reorder_plan plan = planned(links, slot, arch);
    const link<T>& begin = links[plan.begin];
    const int widest = begin.widths.back();
    const int live = begin.widths[static_cast<std::size_t>(begin.option)];
    const link<T>& producer = links[plan.producer];
    require(producer.out == widest, string_of("prune: the elastic width at slot ", slot, ": its last convolution makes ",
                                           producer.out, " channels, not its widest width ", widest));
    const std::vector<double> norms = l1_norms(producer);
    filter_order result;
    result.slot = slot;
    result.order = ranking(norms, live);
    for (const int c : result.order) result.norms.push_back(norms[static_cast<std::size_t>(c)]);
    reorder(links, plan, result.order);
    return result;
}

/// Structured pruning of one elastic width: sort_filters, then `arch` with `slot` set to the
/// narrower `option`. Returns the new architecture (valid, canonical); the dropped channels
/// are the least-L1 filters. Throws, changing nothing, when the option is not narrower than
/// the current one or the new architecture is not valid.
template <class Space, class T>
architecture prune_width(nn::model<Space, T>& model, const architecture& arch, std::size_t slot, int option) {
    using namespace detail;
    const std::vector<link<T>> links = path_of(model, arch);
    const link<T>& begin = links[planned(links, slot, arch).begin];
    require(option >= 0 && option < begin.option,
            string_of("prune: slot ", slot, " has width ", begin.widths[static_cast<std::size_t>(begin.option)], "; option ",
                   option, option >= 0 && option < static_cast<int>(begin.widths.size())
                               ? string_of(" (width ", begin.widths[static_cast<std::size_t>(option)], ")")
                               : std::string(" (none)"),
                   " is not narrower"));
    architecture next = arch;
    next.choices[slot] = option;
    next = checked<Space>(std::move(next), model.input_shape());
    (void)sort_filters(model, arch, slot);
    return next;
}

} // namespace nascent::prune
