// nascent/nn/trainable.hpp - the training interpreter of an op or space node.
//
// `trainable<Node, T>` is the trainable instance of the descriptor `Node` for
// a given input shape: it owns the parameters (and state such as batch-norm
// statistics) and records its forward pass on a tape. Every specialisation
// provides
//   trainable(shape in, rng& init);        // parameters initialised from `init`
//   shape output() const;
//   var forward(context<T>&, var x);
//   template <class F> void visit(F&& f);  // f(parameter<T>&), f(buffer<T>&) and (supernets)
//                                          // f(architecture_weights<T>&) for everything it owns
// A node holding decisions also provides
//   void derive(int* slots);               // writes its largest-alpha choices into its slots
//   template <class F> void visit_decisions(std::size_t slot, F& f);  // f(slot, architecture_weights<T>&)
// A descriptor without a specialisation has no training interpreter.
#pragma once

#include <cmath>
#include <cstddef>
#include <string>

#include "nascent/autograd/parameter.hpp"
#include "nascent/core/random.hpp"
#include "nascent/core/shape.hpp"
#include "nascent/nn/context.hpp"

namespace nascent::nn {

template <class Node, class T>
class trainable;

/// He (Kaiming) normal initialisation for a layer followed by a rectifier:
/// weights ~ N(0, 2 / fan_in).
template <class T>
void he_normal(parameter<T>& p, std::size_t fan_in, rng& random) {
    const double stddev = std::sqrt(2.0 / static_cast<double>(fan_in));
    for (auto& v : p.value) v = static_cast<T>(random.normal() * stddev);
}

/// A layer with nothing to own: visit() sees nothing.
struct stateless {
    template <class F>
    void visit(F&& /*f*/) noexcept {}
};

/// The trainable form of a parameter-free op that keeps its input's shape and records
/// itself with `Forward(ctx, x)`.
template <class T, var (*Forward)(context<T>&, var)>
class shape_preserving_layer : public stateless {
public:
    shape_preserving_layer(shape in, rng& /*init*/) : in_(in) {}
    [[nodiscard]] shape output() const noexcept { return in_; }
    var forward(context<T>& ctx, var x) { return Forward(ctx, x); }

private:
    shape in_;
};

namespace detail {

/// Writes the derived (largest-alpha) choices of a member into its slots.
template <class Member>
void derive_member(Member& m, int* slots) {
    if constexpr (requires { m.derive(slots); }) m.derive(slots);
}
/// Calls f(slot, architecture_weights&) for every decision of a member whose slots start at `slot`.
template <class Member, class F>
void visit_member_decisions(Member& m, std::size_t slot, F& f) {
    if constexpr (requires { m.visit_decisions(slot, f); }) m.visit_decisions(slot, f);
}

} // namespace detail

} // namespace nascent::nn
