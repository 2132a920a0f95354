// nascent/train/prune.hpp - structured pruning: L1-norm filter pruning of elastic widths,
// with fine-tuning between steps.
//
// In nascent a narrower network is the same space with a narrower choice: an
// elastic_width<Block, W...> runs its widest member, and an architecture that picks W
// uses the member's *first* W output channels (nn/elastic.hpp). So pruning the filters
// of a trained network is, for one elastic width of its architecture:
//   1. rank the widest member's live filters (the first W of the current choice) by the
//      L1 norm of their weights, over the input channels they actually read;
//   2. reorder the channels so that the most relevant come first: the filters, their
//      bias, every per-channel layer after them (batch norm, depthwise convolution;
//      relu and pooling have nothing to reorder) and the input channels of the layer
//      that reads them (a convolution or dense layer, also through global pooling or
//      flatten). The network computes exactly what it computed before;
//   3. pick a narrower width: the least relevant filters fall past it and are dropped;
//   4. fine-tune (train::fit with fit_options::architecture set to the new architecture).
// Channels past the current width (masked already) keep their place.
//
// Reordering follows the architecture's path through the supernet: other architectures
// that share these weights (other options of a choice reading the same tensor, other
// widths of the same slot) are not kept as they were. Pruning specialises a supernet to
// one architecture; fine-tune after it, and make the optimiser after pruning (momentum
// and moments follow the old channel order).
//
// Refused, with a nascent::error that names the slot and the reason, and before anything
// is changed: an elastic width whose output reaches a residual connection (its add, or a
// residual block it feeds: the identity path would need the same order), a concatenation,
// a channel split or shuffle, two branches, a cell, a repeat or a grouped convolution
// before a convolution or dense layer reads it, or that is the network's output; a slot
// that is not an elastic width on the architecture's path; a width that is not narrower.
//
// prune_to_target() repeats single steps (one width option narrower at a time), each
// followed by the caller's fine-tuning, until the architecture's flash and peak RAM at a
// precision meet a target (cost::of<Space>, the model that sizes the deployed network).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <numeric>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "nascent/autograd/parameter.hpp"
#include "nascent/core/error.hpp"
#include "nascent/core/op_type.hpp"
#include "nascent/core/shape.hpp"
#include "nascent/core/text.hpp"
#include "nascent/cost/costs.hpp"
#include "nascent/nn/supernet.hpp"
#include "nascent/ops/channel_shuffle.hpp"
#include "nascent/ops/avg_pool2d.hpp"
#include "nascent/ops/dropout.hpp"
#include "nascent/ops/flatten.hpp"
#include "nascent/ops/global_avg_pool.hpp"
#include "nascent/ops/identity.hpp"
#include "nascent/ops/max_pool2d.hpp"
#include "nascent/ops/relu.hpp"
#include "nascent/ops/relu6.hpp"
#include "nascent/space/architecture.hpp"
#include "nascent/space/branches.hpp"
#include "nascent/space/cell.hpp"
#include "nascent/space/channel_split.hpp"
#include "nascent/space/elastic.hpp"
#include "nascent/space/repeat.hpp"

namespace nascent::train {

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

/// The filters of an elastic width after sort_filters.
struct filter_order {
    std::size_t slot = 0;
    std::vector<int> order;     ///< order[i]: the former channel now at position i
    std::vector<double> norms;  ///< each filter's L1 norm, in the new order
};

namespace detail::pruning {

enum class link_kind : std::uint8_t {
    producer,        ///< a convolution (one group) or dense layer: makes new channels from all its inputs
    channelwise,     ///< a batch norm or depthwise convolution: channel c of the output from channel c alone
    transparent,     ///< relu, pooling, dropout, identity: nothing to reorder
    flatten,         ///< channel c of position p becomes feature p * channels + c
    barrier,         ///< an op through which channels cannot be reordered
    residual_entry,  ///< a residual block starts: its input also goes to the add
    residual_add,    ///< a residual block ends: its output is added to its input
    width_begin,     ///< an elastic width's member starts
    width_end,       ///< an elastic width's member ends (its output is masked past the width)
};

/// One op of the architecture's path, as pruning sees it.
template <class T>
struct link {
    link_kind kind = link_kind::transparent;
    parameter<T>* weight = nullptr;        ///< producer, depthwise: [out][taps][in] (OHWI, or dense [units][features])
    parameter<T>* bias = nullptr;          ///< producer, depthwise (may be null)
    nn::batch_norm_state<T>* norm = nullptr;  ///< batch norm
    int out = 0;                           ///< producer: filters; channelwise: channels it reads
    int taps = 1;                          ///< producer, depthwise: kernel positions
    int in = 0;                            ///< producer: inputs per filter and tap
    int multiplier = 1;                    ///< depthwise: filters per input channel
    int in_period = 1;                     ///< producer: input i reads channel i % in_period
    int in_live = 0;                       ///< producer: input channels below this carry data
    int channels = 0;                      ///< flatten: channels of the flattened tensor
    int positions = 0;                     ///< flatten: its pixels
    std::size_t slot = 0;                  ///< width markers: the slot; barrier: its first slot
    std::size_t slot_count = 0;            ///< barrier: its slots
    int option = 0;                        ///< width markers: the option picked
    std::vector<int> widths;               ///< width markers: the widths offered
    std::string what;                      ///< barrier: what it is
};

template <class T>
struct walk_state {
    shape in{};               ///< the supernet tensor reaching the next op
    decision_cursor cursor;   ///< at the next op's first slot
    int period = 1;           ///< element i of the last axis belongs to channel i % period
    int live = 0;             ///< channels below this carry data (the rest are masked)
    std::vector<link<T>> links;
};

template <class... F>
struct overload : F... {
    using F::operator()...;
};
template <class... F>
overload(F...) -> overload<F...>;

/// The parameter called `name` that `t` owns directly or in its members (the first one met).
template <class T, class Trainable>
parameter<T>* named(Trainable& t, std::string_view name) {
    parameter<T>* found = nullptr;
    t.visit(overload{[&](parameter<T>& p) {
                         if (found == nullptr && p.name == name) found = &p;
                     },
                     [](buffer<T>&) {}, [](nn::architecture_weights<T>&) {}});
    return found;
}

template <class T>
void push_producer(walk_state<T>& s, parameter<T>* weight, std::type_identity_t<parameter<T>>* bias, int out, int taps, int in) {
    link<T> l;
    l.kind = link_kind::producer;
    l.weight = weight;
    l.bias = bias;
    l.out = out;
    l.taps = taps;
    l.in = in;
    l.in_period = s.period;
    l.in_live = s.live;
    s.links.push_back(std::move(l));
    s.period = out;
    s.live = out;
}

template <class T>
void push_depthwise(walk_state<T>& s, parameter<T>* weight, std::type_identity_t<parameter<T>>* bias, int channels, int taps,
                    int multiplier) {
    link<T> l;
    l.kind = link_kind::channelwise;
    l.weight = weight;
    l.bias = bias;
    l.out = channels;
    l.taps = taps;
    l.multiplier = multiplier;
    s.links.push_back(std::move(l));
    s.period *= multiplier;
    s.live *= multiplier;
}

template <class T>
void push_barrier(walk_state<T>& s, std::string what, std::size_t slots) {
    link<T> l;
    l.kind = link_kind::barrier;
    l.what = std::move(what);
    l.slot = s.cursor.position();
    l.slot_count = slots;
    s.links.push_back(std::move(l));
}

/// What a node pruning cannot see through is called in messages.
template <class Node>
struct barrier_name {
    static constexpr const char* value = "an op that pruning cannot reorder channels through";
};
template <class L, class R>
struct barrier_name<nascent::branches<L, R>> {
    static constexpr const char* value = "two branches (their concatenation)";
};
template <class L, class R>
struct barrier_name<nascent::channel_split<L, R>> {
    static constexpr const char* value = "a channel split";
};
template <int Nodes, class... Ops>
struct barrier_name<nascent::cell<Nodes, Ops...>> {
    static constexpr const char* value = "a cell";
};
template <int N, class Block>
struct barrier_name<nascent::repeat<N, Block>> {
    static constexpr const char* value = "a repeat";
};
template <int Groups>
struct barrier_name<nascent::channel_shuffle<Groups>> {
    static constexpr const char* value = "a channel shuffle";
};

/// Appends the links of node `Node` (trainable `t`) on the path read from s.cursor.
/// The primary template: a node pruning does not look into.
template <class Node>
struct walker {
    template <class T, class Trainable>
    static void run(Trainable& /*t*/, walk_state<T>& s) {
        constexpr std::size_t slots = space::decisions<Node>;
        push_barrier(s, barrier_name<Node>::value, slots);
        decision_cursor c = s.cursor;
        const traced t = space::trace<Node>(s.in, c);
        s.cursor.skip(slots);
        s.period = Node::output(s.in).c;  // the supernet's tensor: widths at their maximum
        s.live = t.out.c;
        s.in = shape{t.out.h, t.out.w, s.period};
    }
};

/// relu, relu6, identity, dropout, pooling: channel c stays channel c.
struct transparent_walker {
    template <class Node, class T, class Trainable>
    static void step(Trainable& /*t*/, walk_state<T>& s) {
        link<T> l;
        l.kind = link_kind::transparent;
        s.links.push_back(std::move(l));
        s.in = Node::output(s.in);
    }
};
template <>
struct walker<nascent::relu> {
    template <class T, class Trainable>
    static void run(Trainable& t, walk_state<T>& s) { transparent_walker::step<nascent::relu>(t, s); }
};
template <>
struct walker<nascent::relu6> {
    template <class T, class Trainable>
    static void run(Trainable& t, walk_state<T>& s) { transparent_walker::step<nascent::relu6>(t, s); }
};
template <>
struct walker<nascent::identity> {
    template <class T, class Trainable>
    static void run(Trainable& t, walk_state<T>& s) { transparent_walker::step<nascent::identity>(t, s); }
};
template <>
struct walker<nascent::global_avg_pool> {
    template <class T, class Trainable>
    static void run(Trainable& t, walk_state<T>& s) { transparent_walker::step<nascent::global_avg_pool>(t, s); }
};
template <int P>
struct walker<nascent::dropout<P>> {
    template <class T, class Trainable>
    static void run(Trainable& t, walk_state<T>& s) { transparent_walker::step<nascent::dropout<P>>(t, s); }
};
template <int K, int S, padding Pad>
struct walker<nascent::max_pool2d<K, S, Pad>> {
    template <class T, class Trainable>
    static void run(Trainable& t, walk_state<T>& s) { transparent_walker::step<nascent::max_pool2d<K, S, Pad>>(t, s); }
};
template <int K, int S, padding Pad>
struct walker<nascent::avg_pool2d<K, S, Pad>> {
    template <class T, class Trainable>
    static void run(Trainable& t, walk_state<T>& s) { transparent_walker::step<nascent::avg_pool2d<K, S, Pad>>(t, s); }
};

template <>
struct walker<nascent::flatten> {
    template <class T, class Trainable>
    static void run(Trainable& /*t*/, walk_state<T>& s) {
        link<T> l;
        l.kind = link_kind::flatten;
        l.channels = s.in.c;
        l.positions = s.in.h * s.in.w;
        s.links.push_back(std::move(l));
        s.in = nascent::flatten::output(s.in);  // the period stays: feature i reads channel i % period
    }
};

template <>
struct walker<nascent::batch_norm> {
    template <class T, class Trainable>
    static void run(Trainable& t, walk_state<T>& s) {
        link<T> l;
        l.kind = link_kind::channelwise;
        l.norm = &t.state();
        l.out = s.in.c;
        s.links.push_back(std::move(l));
    }
};

template <int Filters, int Kernel, int Stride, int Groups, bool Bias>
struct walker<nascent::conv2d<Filters, Kernel, Stride, Groups, Bias>> {
    template <class T, class Trainable>
    static void run(Trainable& t, walk_state<T>& s) {
        const conv2d_geometry& g = t.geometry();
        if (Groups != 1) {
            push_barrier(s, "a grouped convolution", 0);
            s.period = s.live = Filters;
        } else {
            push_producer(s, named<T>(t, "weight"), named<T>(t, "bias"), g.out.c, g.kernel * g.kernel, g.in_per_group());
        }
        s.in = nascent::conv2d<Filters, Kernel, Stride, Groups, Bias>::output(s.in);
    }
};

template <int Kernel, int Stride, int Multiplier, bool Bias>
struct walker<nascent::depthwise_conv2d<Kernel, Stride, Multiplier, Bias>> {
    template <class T, class Trainable>
    static void run(Trainable& t, walk_state<T>& s) {
        push_depthwise(s, named<T>(t, "weight"), named<T>(t, "bias"), s.in.c, Kernel * Kernel, Multiplier);
        s.in = nascent::depthwise_conv2d<Kernel, Stride, Multiplier, Bias>::output(s.in);
    }
};

template <int Units>
struct walker<nascent::dense<Units>> {
    template <class T, class Trainable>
    static void run(Trainable& t, walk_state<T>& s) {
        parameter<T>* w = named<T>(t, "weight");
        push_producer(s, w, named<T>(t, "bias"), Units, 1, static_cast<int>(w->value.shape()[1]));
        s.in = shape{1, 1, Units};
    }
};

template <class... Nodes>
struct walker<nascent::sequential<Nodes...>> {
    template <class T, class Trainable>
    static void run(Trainable& t, walk_state<T>& s) {
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            (walker<Nodes>::run(t.template get<I>(), s), ...);
        }(std::index_sequence_for<Nodes...>{});
    }
};

template <class... Ops>
struct walker<nascent::choice<Ops...>> {
    template <class T, class Trainable>
    static void run(Trainable& t, walk_state<T>& s) {
        using node = nascent::choice<Ops...>;
        const decision_cursor at = s.cursor;
        const int pick = s.cursor.take();
        require(pick >= 0 && pick < node::options, "prune: the architecture picks an option of a choice that does not exist");
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            ((static_cast<int>(I) == pick ? (s.cursor = at.ahead(node::offsets[I]), walker<Ops>::run(t.template option<I>(), s), 0)
                                          : 0),
             ...);
        }(std::index_sequence_for<Ops...>{});
        s.cursor = at.ahead(node::decisions);
    }
};

template <class Block>
struct walker<nascent::optional<Block>> {
    template <class T, class Trainable>
    static void run(Trainable& t, walk_state<T>& s) {
        using node = nascent::optional<Block>;
        const decision_cursor at = s.cursor;
        const int read = s.cursor.take();
        require(read == node::keep || read == node::skip, "prune: the architecture picks an option of an optional that does not exist");
        if (read == node::keep) walker<Block>::run(t.block(), s);
        s.cursor = at.ahead(node::decisions);
    }
};

template <class Block>
struct walker<nascent::residual<Block>> {
    template <class T, class Trainable>
    static void run(Trainable& t, walk_state<T>& s) {
        const shape in = s.in;
        const int period = s.period;
        const int live = s.live;
        link<T> entry;
        entry.kind = link_kind::residual_entry;
        s.links.push_back(std::move(entry));
        walker<Block>::run(t.block(), s);
        link<T> add;
        add.kind = link_kind::residual_add;
        s.links.push_back(std::move(add));
        s.in = in;
        s.period = period;
        s.live = std::max(s.live, live);  // the sum carries the input's channels as well as the block's
    }
};

template <template <int> class Block, int... Widths>
struct walker<nascent::elastic_width<Block, Widths...>> {
    template <class T, class Trainable>
    static void run(Trainable& t, walk_state<T>& s) {
        using node = nascent::elastic_width<Block, Widths...>;
        const std::size_t slot = s.cursor.position();
        const int pick = s.cursor.take();
        require(pick >= 0 && pick < node::options, concat("prune: slot ", slot, " picks a width that does not exist"));
        link<T> begin;
        begin.kind = link_kind::width_begin;
        begin.slot = slot;
        begin.option = pick;
        begin.widths.assign(node::values.begin(), node::values.end());
        link<T> end = begin;
        end.kind = link_kind::width_end;
        s.links.push_back(std::move(begin));
        walker<typename node::supernet_member>::run(t.block(), s);
        s.links.push_back(std::move(end));
        s.live = std::min(s.live, node::values[static_cast<std::size_t>(pick)]);
    }
};

template <template <int> class Op, int... Kernels>
struct walker<nascent::elastic_kernel<Op, Kernels...>> {
    template <class T, class Trainable>
    static void run(Trainable& t, walk_state<T>& s) {
        using largest = typename nascent::elastic_kernel<Op, Kernels...>::supernet_member;
        s.cursor.take();
        const conv2d_geometry g = largest::geometry(s.in);
        parameter<T>* w = named<T>(t, "weight");
        if (g.groups == 1) {
            push_producer(s, w, nullptr, g.out.c, g.kernel * g.kernel, g.in_per_group());
        } else if (g.in_per_group() == 1) {
            push_depthwise(s, w, nullptr, s.in.c, g.kernel * g.kernel, g.out.c / s.in.c);
        } else {
            push_barrier(s, "a grouped convolution", 0);
            s.period = s.live = g.out.c;
        }
        s.in = largest::output(s.in);
    }
};

/// The path of architecture `arch` (checked against the space) through `model`.
template <class Space, class T>
std::vector<link<T>> path_of(nn::model<Space, T>& model, const architecture& arch) {
    const architecture valid = checked<Space>(arch, model.input_shape());
    walk_state<T> s;
    s.in = model.input_shape();
    s.cursor = decision_cursor(valid.choices.data(), valid.choices.size());
    s.period = s.in.c;
    s.live = s.in.c;
    walker<Space>::run(model.net(), s);
    return std::move(s.links);
}

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
            throw error(concat("prune: slot ", slot, " lies inside ", l.what, ", which pruning does not look into"));
    throw error(concat("prune: slot ", slot, " is not an elastic width on the path of architecture ", to_text(arch),
                       " (a decision of another kind, or inside an option the architecture does not take)"));
}

/// The plan of reordering the width whose width_begin link is `begin`, or why there is none.
template <class T>
std::string plan_reorder(const std::vector<link<T>>& links, std::size_t begin, reorder_plan& plan) {
    const std::size_t slot = links[begin].slot;
    const std::string who = concat("prune: the elastic width at slot ", slot);
    plan.begin = begin;
    std::size_t end = begin + 1;
    while (links[end].kind != link_kind::width_end || links[end].slot != slot) ++end;
    plan.end = end;
    std::size_t producer = end;
    for (std::size_t i = begin + 1; i < end; ++i)
        if (links[i].kind == link_kind::producer) producer = i;
    if (producer == end) return concat(who, ": its block has no convolution or dense layer that makes its output channels");
    plan.producer = producer;
    for (std::size_t i = producer + 1; i < end; ++i) {
        const link<T>& l = links[i];
        if (l.kind == link_kind::transparent || (l.kind == link_kind::channelwise && l.multiplier == 1)) continue;
        const std::string what = l.kind == link_kind::barrier       ? l.what
                                 : l.kind == link_kind::channelwise ? std::string("a depthwise convolution with a channel multiplier")
                                 : l.kind == link_kind::flatten     ? std::string("a flatten")
                                                                    : std::string("a residual connection");
        return concat(who, ": after its last convolution its block runs ", what, ", through which its filters cannot be reordered");
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
            return concat(who, ": its output is the input of a residual block, whose add needs it in the same order as the "
                               "block's output; its channels cannot be reordered");
        case link_kind::residual_add:
            return concat(who, ": its output is added to a residual block's input, whose channels keep their order; its "
                               "channels cannot be reordered");
        case link_kind::barrier:
            return concat(who, ": its output reaches ", l.what,
                          " before a convolution or dense layer reads it; its channels cannot be reordered");
        }
    }
    return concat(who, ": its output is the network's output, whose channels cannot be reordered");
}

template <class T>
reorder_plan planned(const std::vector<link<T>>& links, std::size_t slot, const architecture& arch) {
    reorder_plan plan;
    const std::string refusal = plan_reorder(links, find_width(links, slot, arch), plan);
    if (!refusal.empty()) throw error(refusal);
    return plan;
}

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

/// Share of the live filters' L1 mass that narrowing from `live` to `keep` channels removes.
inline double removed_share(std::vector<double> live_norms, int keep) {
    std::sort(live_norms.begin(), live_norms.end(), std::greater<>());
    const double total = std::accumulate(live_norms.begin(), live_norms.end(), 0.0);
    const double removed = std::accumulate(live_norms.begin() + keep, live_norms.end(), 0.0);
    return total > 0.0 ? removed / total : 0.0;
}

} // namespace detail::pruning

/// The elastic widths on the path of `arch` (valid for the model's space and input), in the
/// order the network runs them, each with the reason its filters cannot be reordered if any.
template <class Space, class T>
[[nodiscard]] std::vector<width_slot> width_slots(nn::model<Space, T>& model, const architecture& arch) {
    using namespace detail::pruning;
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

/// The L1 norm of every filter of the elastic width at `slot` (of the widest member, in
/// channel order), over the input channels that carry data on the path of `arch`.
/// Throws when `slot` is not an elastic width of the path whose filters can be reordered.
template <class Space, class T>
[[nodiscard]] std::vector<double> filter_norms(nn::model<Space, T>& model, const architecture& arch, std::size_t slot) {
    using namespace detail::pruning;
    const std::vector<link<T>> links = path_of(model, arch);
    return l1_norms(links[planned(links, slot, arch).producer]);
}

/// Reorders the channels of the elastic width at `slot` so that its live filters (the first
/// width(arch) ones) come by decreasing L1 norm; the masked ones keep their place. The
/// network of `arch` computes the same function afterwards (up to rounding). Throws, changing
/// nothing, when the channels cannot be reordered.
template <class Space, class T>
filter_order sort_filters(nn::model<Space, T>& model, const architecture& arch, std::size_t slot) {
    using namespace detail::pruning;
    std::vector<link<T>> links = path_of(model, arch);
    const reorder_plan plan = planned(links, slot, arch);
    const link<T>& begin = links[plan.begin];
    const int widest = begin.widths.back();
    const int live = begin.widths[static_cast<std::size_t>(begin.option)];
    const link<T>& producer = links[plan.producer];
    require(producer.out == widest, concat("prune: the elastic width at slot ", slot, ": its last convolution makes ",
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
    using namespace detail::pruning;
    const std::vector<link<T>> links = path_of(model, arch);
    const link<T>& begin = links[planned(links, slot, arch).begin];
    require(option >= 0 && option < begin.option,
            concat("prune: slot ", slot, " has width ", begin.widths[static_cast<std::size_t>(begin.option)], "; option ",
                   option, option >= 0 && option < static_cast<int>(begin.widths.size())
                               ? concat(" (width ", begin.widths[static_cast<std::size_t>(option)], ")")
                               : std::string(" (none)"),
                   " is not narrower"));
    architecture next = arch;
    next.choices[slot] = option;
    next = checked<Space>(std::move(next), model.input_shape());
    (void)sort_filters(model, arch, slot);
    return next;
}

/// Bounds for prune_to_target, at one precision (0: no bound).
struct prune_target {
    std::size_t flash_bytes = 0;
    std::size_t peak_ram_bytes = 0;
    cost::precision precision = cost::precision::int8;
    int max_steps = 64;
};

/// One step of prune_to_target.
struct prune_step {
    architecture before;
    architecture after;
    std::size_t slot = 0;
    int from_width = 0;
    int to_width = 0;
    double removed_share = 0.0;  ///< L1 mass of the dropped filters over that of the live ones
    cost::costs costs;           ///< of `after`, at the target's precision
};

struct prune_result {
    architecture arch;           ///< the last architecture
    cost::costs costs;           ///< its costs
    std::vector<prune_step> steps;
    bool reached = false;        ///< arch meets the target
    std::string stopped;         ///< why it stopped short of the target (empty when reached)
};

/// Prunes `arch` one width option at a time until its flash and peak RAM (cost::of<Space> at
/// target.precision) meet the target, calling fine_tune(const prune_step&) after each step
/// (train the model on step.after there). A step narrows, among the elastic widths whose
/// filters can be reordered and whose narrowing lowers an exceeded figure, the one that
/// loses the least L1 mass per share of that figure saved: removed_share divided by the
/// relative saving, summed over the exceeded figures. Stops when the target is met, after
/// max_steps, or when no width can lower an exceeded figure (result.stopped says which).
template <class Space, class T, class FineTune>
prune_result prune_to_target(nn::model<Space, T>& model, architecture arch, const prune_target& target, FineTune&& fine_tune) {
    using namespace detail::pruning;
    require(target.flash_bytes > 0 || target.peak_ram_bytes > 0, "prune_to_target: set a flash or a peak RAM bound");
    const shape input = model.input_shape();
    prune_result result;
    result.arch = checked<Space>(std::move(arch), input);
    result.costs = cost::of<Space>(input, target.precision, result.arch.view());
    auto over = [&](const cost::costs& c) {
        return (target.flash_bytes > 0 && c.flash_bytes > target.flash_bytes) ||
               (target.peak_ram_bytes > 0 && c.peak_ram_bytes > target.peak_ram_bytes);
    };
    for (int step = 0; over(result.costs); ++step) {
        if (step == target.max_steps) {
            result.stopped = concat("prune_to_target: ", target.max_steps, " steps taken");
            return result;
        }
        const cost::costs& now = result.costs;
        double best_score = std::numeric_limits<double>::infinity();
        prune_step best;
        for (const width_slot& w : width_slots(model, result.arch)) {
            if (!w.prunable()) continue;
            architecture trial = result.arch;
            trial.choices[w.slot] = w.option - 1;
            if (space::validate<Space>(input, trial.view()) != problem::none) continue;
            trial = space::canonical<Space>(std::move(trial));
            const cost::costs c = cost::of<Space>(input, target.precision, trial.view());
            double saved = 0.0;
            if (target.flash_bytes > 0 && now.flash_bytes > target.flash_bytes && c.flash_bytes < now.flash_bytes)
                saved += static_cast<double>(now.flash_bytes - c.flash_bytes) / static_cast<double>(now.flash_bytes);
            if (target.peak_ram_bytes > 0 && now.peak_ram_bytes > target.peak_ram_bytes && c.peak_ram_bytes < now.peak_ram_bytes)
                saved += static_cast<double>(now.peak_ram_bytes - c.peak_ram_bytes) / static_cast<double>(now.peak_ram_bytes);
            if (saved <= 0.0) continue;
            std::vector<double> norms = filter_norms(model, result.arch, w.slot);
            norms.resize(static_cast<std::size_t>(w.width()));
            const double share = detail::pruning::removed_share(std::move(norms), w.widths[static_cast<std::size_t>(w.option - 1)]);
            const double score = share / saved;
            if (score < best_score) {
                best_score = score;
                best.before = result.arch;
                best.after = trial;
                best.slot = w.slot;
                best.from_width = w.width();
                best.to_width = w.widths[static_cast<std::size_t>(w.option - 1)];
                best.removed_share = share;
                best.costs = c;
            }
        }
        if (best_score == std::numeric_limits<double>::infinity()) {
            result.stopped = "prune_to_target: no elastic width left whose narrowing lowers an exceeded figure";
            return result;
        }
        result.arch = prune_width(model, result.arch, best.slot, best.after.choices[best.slot]);
        result.costs = best.costs;
        result.steps.push_back(best);
        fine_tune(static_cast<const prune_step&>(result.steps.back()));
    }
    result.reached = true;
    return result;
}

} // namespace nascent::train
