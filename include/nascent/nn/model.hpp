// nascent/nn/model.hpp - a network descriptor instantiated for training.
//
// model<Net, T> builds the trainable interpreter of `Net` for an input shape,
// initialises it from a seed, and lists its parameters and state for the
// optimisers and for saving.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "nascent/autograd/parameter.hpp"
#include "nascent/core/random.hpp"
#include "nascent/nn/context.hpp"
#include "nascent/nn/trainable.hpp"

namespace nascent::nn {

namespace detail {
template <class... F>
struct overload : F... {
    using F::operator()...;
};
template <class... F>
overload(F...) -> overload<F...>;
} // namespace detail

template <class Net, class T = float>
class model {
public:
    using network = Net;
    using scalar = T;

    model(shape input, std::uint64_t seed) : model(input, rng{seed}) {}

    [[nodiscard]] shape input_shape() const noexcept { return input_; }
    [[nodiscard]] shape output_shape() const noexcept { return net_.output(); }

    /// Records the network on ctx.graph, reading x [batch, h, w, c].
    var forward(context<T>& ctx, var x) { return net_.forward(ctx, x); }

    /// The trainable parameters, in a fixed order (the order of the network's nodes).
    [[nodiscard]] std::vector<parameter<T>*> parameters() {
        std::vector<parameter<T>*> result;
        net_.visit(detail::overload{[&](parameter<T>& p) { result.push_back(&p); }, [](buffer<T>&) {}});
        return result;
    }
    /// The non-trainable state (batch-norm statistics), in a fixed order.
    [[nodiscard]] std::vector<buffer<T>*> buffers() {
        std::vector<buffer<T>*> result;
        net_.visit(detail::overload{[](parameter<T>&) {}, [&](buffer<T>& b) { result.push_back(&b); }});
        return result;
    }
    /// Number of trainable scalars.
    [[nodiscard]] std::size_t parameter_count() {
        std::size_t total = 0;
        for (auto* p : parameters()) total += p->size();
        return total;
    }
    [[nodiscard]] trainable<Net, T>& net() noexcept { return net_; }

private:
    model(shape input, rng init) : input_(input), net_(input, init) {}

    shape input_;
    trainable<Net, T> net_;
};

} // namespace nascent::nn
