// nascent/prune/width_slots.hpp - which elastic widths on an architecture's path can be pruned,
// and, for one of them, the layers a reordering of its channels touches: the layer that makes
// its filters, the per-channel layers after it, and the layer that reads them. A width is
// refused (with the reason) when its output reaches a residual join, a concatenation, a split,
// a shuffle, a cell, a repeat or a grouped convolution first, or is the network's output.
//
//   for (const prune::width_slot& w : prune::width_slots(model, arch))
//       if (w.prunable()) { /* w.slot, w.width(), w.widths */ }
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "nascent/core/error.hpp"
#include "nascent/core/text.hpp"
#include "nascent/nn/supernet.hpp"
#include "nascent/prune/path.hpp"
#include "nascent/space/architecture.hpp"

namespace nascent::prune {

/// An elastic width on an architecture's path.
struct width_slot {
    std::size_t slot = 0;     ///< its decision's slot
    int option = 0;           ///< the option the architecture picks
    std::vector<int> widths;  ///< the widths it offers, increasing
    std::string refusal;      ///< why its filters cannot be reordered (empty: they can)

    [[nodiscard]] int width() const { return widths[static_cast<std::size_t>(option)]; }
    /// Its filters can be reordered and a narrower width exists.
    [[nodiscard]] bool prunable() const noexcept { return refusal.empty() && option > 0; }
};

namespace detail {

/// Where the links of one reordering are.
struct reorder_plan {
    std::size_t begin = 0;     ///< the width_begin link
    std::size_t producer = 0;  ///< the layer whose filters are ranked
    std::size_t end = 0;       ///< the width_end link
    std::size_t consumer = 0;  ///< the layer that reads the channels
};

/// Finds the width_begin link of `slot`; throws when there is none, saying why.
template <class T>
std::size_t find_width(const std::vector<link<T>>& links, std::size_t slot, const architecture& arch) {
    for (std::size_t i = 0; i < links.size(); ++i)
        if (links[i].kind == link_kind::width_begin && links[i].slot == slot) return i;
    for (const link<T>& l : links)
        if (l.kind == link_kind::barrier && slot >= l.slot && slot < l.slot + l.slot_count)
            throw error(string_of("prune: slot ", slot, " lies inside ", l.what, ", which pruning does not look into"));
    throw error(string_of("prune: slot ", slot, " is not an elastic width on the path of architecture ", to_text(arch),
                       " (a decision of another kind, or inside an option the architecture does not take)"));
}

/// The plan of reordering the width whose width_begin link is `begin`, or why there is none.
template <class T>
std::string plan_reorder(const std::vector<link<T>>& links, std::size_t begin, reorder_plan& plan) {
    const std::size_t slot = links[begin].slot;
    const std::string who = string_of("prune: the elastic width at slot ", slot);
    plan.begin = begin;
    std::size_t end = begin + 1;
    while (links[end].kind != link_kind::width_end || links[end].slot != slot) ++end;
    plan.end = end;
    std::size_t producer = end;
    for (std::size_t i = begin + 1; i < end; ++i)
        if (links[i].kind == link_kind::producer) producer = i;
    if (producer == end) return string_of(who, ": its block has no convolution or dense layer that makes its output channels");
    plan.producer = producer;
    for (std::size_t i = producer + 1; i < end; ++i) {
        const link<T>& l = links[i];
        if (l.kind == link_kind::transparent || (l.kind == link_kind::channelwise && l.multiplier == 1)) continue;
        const std::string what = l.kind == link_kind::barrier       ? l.what
                                 : l.kind == link_kind::channelwise ? std::string("a depthwise convolution with a channel multiplier")
                                 : l.kind == link_kind::flatten     ? std::string("a flatten")
                                                                    : std::string("a residual connection");
        return string_of(who, ": after its last convolution its block runs ", what, ", through which its filters cannot be reordered");
    }
    for (std::size_t i = end + 1; i < links.size(); ++i) {
        const link<T>& l = links[i];
        switch (l.kind) {
        case link_kind::producer: plan.consumer = i; return {};
        case link_kind::channelwise:
        case link_kind::transparent:
        case link_kind::flatten:
        case link_kind::width_begin:
        case link_kind::width_end: continue;
        case link_kind::residual_entry:
            return string_of(who, ": its output is the input of a residual block, whose add needs it in the same order as the "
                               "block's output; its channels cannot be reordered");
        case link_kind::residual_add:
            return string_of(who, ": its output is added to a residual block's input, whose channels keep their order; its "
                               "channels cannot be reordered");
        case link_kind::barrier:
            return string_of(who, ": its output reaches ", l.what,
                          " before a convolution or dense layer reads it; its channels cannot be reordered");
        }
    }
    return string_of(who, ": its output is the network's output, whose channels cannot be reordered");
}

template <class T>
reorder_plan planned(const std::vector<link<T>>& links, std::size_t slot, const architecture& arch) {
    reorder_plan plan;
    const std::string refusal = plan_reorder(links, find_width(links, slot, arch), plan);
    if (!refusal.empty()) throw error(refusal);
    return plan;
}

} // namespace detail

/// The elastic widths on the path of `arch` (valid for the model's space and input), in the
/// order the network runs them, each with the reason its filters cannot be reordered if any.
template <class Space, class T>
[[nodiscard]] std::vector<width_slot> width_slots(nn::model<Space, T>& model, const architecture& arch) {
    using namespace detail;
    const std::vector<link<T>> links = path_of(model, arch);
    std::vector<width_slot> result;
    for (std::size_t i = 0; i < links.size(); ++i) {
        if (links[i].kind != link_kind::width_begin) continue;
        width_slot w;
        w.slot = links[i].slot;
        w.option = links[i].option;
        w.widths = links[i].widths;
        reorder_plan plan;
        w.refusal = plan_reorder(links, i, plan);
        result.push_back(std::move(w));
    }
    return result;
}

} // namespace nascent::prune
