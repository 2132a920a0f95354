// Trained-looking batch norms for the deploy tests: scales and shifts away from 1 and 0, and
// running statistics of a few training-mode passes.
#pragma once

#include <nascent/autograd/tape.hpp>
#include <nascent/core/random.hpp>
#include <nascent/nn/model.hpp>
#include <nascent/space/architecture.hpp>

#include "test_helpers.hpp"

namespace nascent::testing {

/// Gives the batch norms scales and shifts other than 1 and 0, and running statistics of a few
/// training-mode passes on batches of `batch` random inputs (of random architectures for a supernet).
template <class Space>
void make_batch_norms_nontrivial(nn::model<Space, float>& model, shape in, rng& random, int batch) {
    for (auto* p : model.parameters())
        if (p->name == "gamma" || p->name == "beta")
            for (auto& v : p->value) v = static_cast<float>(p->name == "gamma" ? random.uniform(0.5, 1.5) : random.uniform(-0.3, 0.3));
    for (int pass = 0; pass < 3; ++pass) {
        const architecture a = space::sample<Space>(in, random);
        tape<float> t;
        nn::context<float> ctx{t, true, &random};
        ctx.decisions = decision_cursor(a.choices.data(), a.choices.size());
        const tensor<float> x = testing::random_tensor<float>(batch_shape(batch, in), random);
        (void)model.forward(ctx, t.leaf(x));
    }
}

} // namespace nascent::testing
