// nascent/prune/path.hpp - the path of one architecture through a supernet model, as pruning
// sees it: a list of links (filter-making layers, per-channel layers, transparent ops, flatten,
// residual joins, elastic width markers, and barriers pruning does not look through), each
// holding pointers to the model's weights. Internal to prune/ (namespace prune::detail).
//
//   std::vector<prune::detail::link<float>> links = prune::detail::path_of(model, arch);
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "nascent/autograd/parameter.hpp"
#include "nascent/core/error.hpp"
#include "nascent/core/shape.hpp"
#include "nascent/core/text.hpp"
#include "nascent/nn/supernet.hpp"
#include "nascent/ops/avg_pool2d.hpp"
#include "nascent/ops/channel_shuffle.hpp"
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

namespace nascent::prune {

namespace detail {

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
        decision_cursor reader = s.cursor;
        const shape chosen = space::trace<Node>(s.in, reader).out;  // the output at the architecture's choices
        s.cursor.skip(slots);
        s.period = Node::output(s.in).c;  // the supernet's tensor: widths at their maximum
        s.live = chosen.c;
        s.in = shape{chosen.h, chosen.w, s.period};
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
        const conv_geometry& g = t.geometry();
        if (Groups != 1) {
            push_barrier(s, "a grouped convolution", 0);
            s.period = s.live = Filters;
        } else {
            push_producer(s, named<T>(t, "weight"), named<T>(t, "bias"), g.out.c, g.taps(), g.in_per_group());
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
        require(pick >= 0 && pick < node::options, string_of("prune: slot ", slot, " picks a width that does not exist"));
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
        const conv_geometry g = largest::geometry(s.in);
        parameter<T>* w = named<T>(t, "weight");
        if (g.groups == 1) {
            push_producer(s, w, nullptr, g.out.c, g.taps(), g.in_per_group());
        } else if (g.in_per_group() == 1) {
            push_depthwise(s, w, nullptr, s.in.c, g.taps(), g.out.c / s.in.c);
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

} // namespace detail
} // namespace nascent::prune
