// nascent/nn/model.hpp - a network descriptor instantiated for training.
//
// model<Net, T> builds the trainable interpreter of `Net` for an input shape,
// initialises it from a seed, and lists its parameters and state for the
// optimisers and for saving. `Net` may be a space bound to its input shape
// (space/bound.hpp): then the shape is the bound's and derive() returns its typed architecture.
//
//     nn::model<net> m(shape{28, 28, 1}, /*seed=*/1);
//     nn::model<space::bound<my_space, shape{28, 28, 1}>> supernet(/*seed=*/1);
//
// Every node of the network must have a training node (nn/contract.hpp): one that has
// none stops compilation with one sentence naming it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>
#include <vector>

#include "nascent/autograd/parameter.hpp"
#include "nascent/core/random.hpp"
#include "nascent/nn/architecture_weights.hpp"
#include "nascent/nn/context.hpp"
#include "nascent/nn/contract.hpp"
#include "nascent/space/architecture.hpp"
#include "nascent/space/bound.hpp"
#include "nascent/nn/trainable.hpp"

namespace nascent::nn {

namespace detail {
template <class... F>
struct overload : F... {
    using F::operator()...;
};
template <class... F>
overload(F...) -> overload<F...>;

/// Stands in for the training node of a network that breaks the contract, so that the one
/// sentence of nn/contract.hpp is the only error.
struct untrainable {
    untrainable(shape /*in*/, rng& /*init*/) {}
};

} // namespace detail

template <class Net, class T = float>
class model {
public:
    using network = space::unbound_t<Net>;
    using scalar = T;
    /// What derive() returns: the bound space's typed architecture, or the untyped one.
    using architecture_type = std::conditional_t<space::bound_space<Net>, architecture_of<Net>, architecture>;

private:
    static constexpr bool contract_holds = training_contract<network, T>;
    using node_type = std::conditional_t<contract_holds, trainable<network, T>, detail::untrainable>;

public:
    model(shape input, std::uint64_t seed)
        requires(!space::bound_space<Net>)
        : model(input, rng{seed}) {}
    /// The model of a bound space, on its input shape.
    explicit model(std::uint64_t seed)
        requires space::bound_space<Net>
        : model(Net::input, rng{seed}) {}

    [[nodiscard]] shape input_shape() const noexcept { return input_; }
    [[nodiscard]] shape output_shape() const noexcept { return net_.output(); }

    /// Records the network on ctx.graph, reading x [batch, h, w, c].
    var forward(context<T>& ctx, var x) { return net_.forward(ctx, x); }

    /// The trainable parameters, in a fixed order (the order of the network's nodes).
    [[nodiscard]] std::vector<parameter<T>*> parameters() {
        std::vector<parameter<T>*> result;
        net_.visit(detail::overload{[&](parameter<T>& p) { result.push_back(&p); }, [](buffer<T>&) {},
                                    [](architecture_weights<T>&) {}});
        return result;
    }
    /// The non-trainable state (batch-norm statistics), in a fixed order.
    [[nodiscard]] std::vector<buffer<T>*> buffers() {
        std::vector<buffer<T>*> result;
        net_.visit(detail::overload{[](parameter<T>&) {}, [&](buffer<T>& b) { result.push_back(&b); },
                                    [](architecture_weights<T>&) {}});
        return result;
    }
    /// The architecture parameters (alphas) of a supernet, one per decision, in visiting order.
    [[nodiscard]] std::vector<parameter<T>*> architecture_parameters() {
        std::vector<parameter<T>*> result;
        net_.visit(detail::overload{[](parameter<T>&) {}, [](buffer<T>&) {},
                                    [&](architecture_weights<T>& a) { result.push_back(&a.alpha); }});
        return result;
    }
    /// Number of decision slots of the network (0 for a fixed network).
    static constexpr std::size_t decisions = space::decisions<network>;
    /// The architecture of largest alphas: argmax per decision, the two strongest edges per cell node.
    [[nodiscard]] architecture_type derive() {
        architecture a{std::vector<int>(decisions, 0)};
        if constexpr (decisions > 0) detail::derive_member(net_, a.choices.data());
        if constexpr (space::bound_space<Net>) return architecture_of<Net>::trusted(space::canonical<network>(std::move(a)));
        else return space::canonical<network>(std::move(a));
    }
    /// Calls f(slot, architecture_weights<T>&) for every decision with alphas, in slot order.
    template <class F>
    void visit_decisions(F&& f) {
        detail::visit_member_decisions(net_, 0, f);
    }
    /// Number of trainable scalars.
    [[nodiscard]] std::size_t parameter_count() {
        std::size_t total = 0;
        for (auto* p : parameters()) total += p->size();
        return total;
    }
    [[nodiscard]] node_type& net() noexcept { return net_; }

private:
    model(shape input, rng init) : input_(input), net_(input, init) {}

    shape input_;
    node_type net_;
};

} // namespace nascent::nn
