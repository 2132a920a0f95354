// nascent/nn/repeat.hpp - the training interpreter of repeat<N, Block>: N independent copies.
#pragma once

#include <cstddef>
#include <vector>

#include "nascent/core/error.hpp"
#include "nascent/core/text.hpp"
#include "nascent/nn/context.hpp"
#include "nascent/nn/trainable.hpp"
#include "nascent/space/repeat.hpp"

namespace nascent::nn {

template <int N, class Block, class T>
class trainable<nascent::repeat<N, Block>, T> {
public:
    trainable(shape in, rng& init) {
        const problem p = nascent::repeat<N, Block>::check(in);
        if (p != problem::none) throw error(string_of("repeat: ", describe(p)));
        copies_.reserve(N);
        for (int i = 0; i < N; ++i) {
            copies_.emplace_back(in, init);
            in = copies_.back().output();
        }
    }
    [[nodiscard]] shape output() const noexcept { return copies_.back().output(); }
    var forward(context<T>& ctx, var x) {
        for (auto& copy : copies_) x = copy.forward(ctx, x);
        return x;
    }
    template <class F>
    void visit(F&& f) {
        for (auto& copy : copies_) copy.visit(f);
    }
    void derive(int* slots) {
        for (auto& copy : copies_) detail::derive_member(copy, slots), slots += space::decisions<Block>;
    }
    template <class F>
    void visit_decisions(std::size_t slot, F& f) {
        for (auto& copy : copies_) detail::visit_member_decisions(copy, slot, f), slot += space::decisions<Block>;
    }

private:
    std::vector<trainable<Block, T>> copies_;
};

} // namespace nascent::nn
