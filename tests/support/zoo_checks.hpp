// Checks shared by the zoo tests: random architectures are valid and canonical, their
// costs agree however they are computed, and their memory plans are sound and as large as
// their peak RAM figure; the range of their costs; one training step of the supernet on a
// given architecture.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <nascent/autograd/tape.hpp>
#include <nascent/core/random.hpp>
#include <nascent/cost/costs.hpp>
#include <nascent/cost/plan.hpp>
#include <nascent/nn/loss.hpp>
#include <nascent/nn/supernet.hpp>
#include <nascent/space/architecture.hpp>
#include <nascent/train/sgd.hpp>

#include "test_helpers.hpp"

namespace nascent::testing {

/// A 64 KB-class microcontroller's budget for the activation arena and for the weights.
inline constexpr std::size_t kilobytes_64 = 64000;

/// Cost range of random architectures at int8.
struct cost_range {
    std::size_t peak_min = std::numeric_limits<std::size_t>::max();
    std::size_t peak_max = 0;
    std::size_t flash_min = std::numeric_limits<std::size_t>::max();
    std::size_t flash_max = 0;
    int peak_over = 0;   ///< samples whose peak RAM reaches 64,000 bytes
    int flash_over = 0;  ///< samples whose flash reaches 64,000 bytes
    int above_schedule_peak = 0;  ///< samples whose plan needs more than the schedule's peak
    int samples = 0;
};

/// Two buffers of plan `p` alive at a common step that overlap in memory (an in-place output and
/// the input it takes over are one buffer), or a buffer beyond the arena, as text; empty if none.
inline std::string plan_conflict(const cost::memory_plan& p) {
    std::vector<cost::placement> all = p.tensors;
    all.insert(all.end(), p.scratch.begin(), p.scratch.end());
    const std::size_t tensors = p.tensors.size();
    auto name = [&](std::size_t i) {
        return i < tensors ? "tensor " + std::to_string(i) : "scratch of op " + std::to_string(i - tensors);
    };
    auto shared = [&](std::size_t i, std::size_t j) {
        return i < tensors && j < tensors &&
               (p.tensors[i].shares_with == static_cast<int>(j) || p.tensors[j].shares_with == static_cast<int>(i));
    };
    for (std::size_t i = 0; i < all.size(); ++i) {
        const cost::placement& a = all[i];
        if (a.bytes == 0) continue;
        if (a.end() > p.arena_bytes) return name(i) + " ends beyond the arena";
        for (std::size_t j = i + 1; j < all.size(); ++j) {
            const cost::placement& b = all[j];
            const bool meet = b.bytes > 0 && a.first_step <= b.last_step && b.first_step <= a.last_step;
            if (meet && !shared(i, j) && a.offset < b.end() && b.offset < a.end())
                return name(i) + " and " + name(j) + " overlap while both are alive";
        }
    }
    return {};
}

/// Draws `count` architectures: each must be valid and canonical, its costs must equal those
/// of its lowered graph measured directly, its schedule must be exact, its memory plan must keep
/// buffers alive together apart, have the peak RAM figure as its arena and reach the schedule's
/// peak when at_peak(); its int8 figures enter the range.
template <class Space>
cost_range sample_costs(shape in, int count, std::uint64_t seed) {
    rng random(seed);
    cost_range r;
    for (int i = 0; i < count; ++i) {
        const architecture a = space::sample<Space>(in, random);
        INFO("architecture " << to_text(a));
        REQUIRE(a.size() == space::decisions<Space>);
        REQUIRE(space::validate<Space>(in, a.view()) == problem::none);
        REQUIRE(space::canonical<Space>(a) == a);
        const cost::costs c = cost::of<Space>(in, cost::precision::int8, a.view());
        const cost::graph g = cost::lower<Space>(in, cost::precision::int8, a.view());
        REQUIRE(cost::measure(g) == c);
        REQUIRE(g.tensors[static_cast<std::size_t>(g.output)].extent == space::output<Space>(in, a.view()).out);
        REQUIRE(c.flash_bytes > 0);
        REQUIRE(c.exact_schedule);
        const cost::memory_plan plan = cost::plan(g);
        REQUIRE(plan_conflict(plan) == "");
        REQUIRE(plan.arena_bytes == c.peak_ram_bytes);
        REQUIRE(plan.peak_bytes == c.schedule_peak_bytes);
        REQUIRE(plan.at_peak() == (c.peak_ram_bytes == c.schedule_peak_bytes));
        r.above_schedule_peak += plan.at_peak() ? 0 : 1;
        r.peak_min = std::min(r.peak_min, c.peak_ram_bytes);
        r.peak_max = std::max(r.peak_max, c.peak_ram_bytes);
        r.flash_min = std::min(r.flash_min, c.flash_bytes);
        r.flash_max = std::max(r.flash_max, c.flash_bytes);
        r.peak_over += c.peak_ram_bytes >= kilobytes_64 ? 1 : 0;
        r.flash_over += c.flash_bytes >= kilobytes_64 ? 1 : 0;
        ++r.samples;
    }
    return r;
}

/// Builds the supernet of `Space` for `in`, runs it on a random batch of 4 (architecture `arch`
/// in single_path mode; every option, mixed by the alphas, in the other modes), takes one SGD
/// step on the weights and runs it again: the loss is finite, weights get gradients, and the
/// step lowers the loss on that batch.
template <class Space>
void train_one_step(shape in, const std::vector<int>& arch, nn::sampling mode = nn::sampling::single_path,
                    std::uint64_t seed = 1) {
    nn::model<Space, float> model(in, seed);
    REQUIRE(model.output_shape() == Space::output(in));
    train::sgd<float> optimiser(model.parameters(), {.momentum = 0.0});
    rng random(seed + 1);
    const tensor<float> x = random_tensor<float>(batch_shape(4, in), random);
    const std::vector<int> labels{0, 3, 7, 9};
    tape<float> t;
    auto loss_of = [&] {
        t.reset();
        rng noise(seed + 2);  // the same Gumbel noise in both passes
        nn::context<float> ctx{t, true, &noise, mode};
        ctx.decisions = decision_cursor(arch.data(), arch.size());
        const var logits = model.forward(ctx, t.leaf(x));
        CHECK(ctx.decisions.position() == space::decisions<Space>);
        return nn::softmax_cross_entropy(t, logits, labels);
    };
    optimiser.zero_grad();
    const var before = loss_of();
    const float loss_before = t.value(before)(0, 0, 0, 0);
    REQUIRE(std::isfinite(loss_before));
    t.backward(before);
    std::size_t with_gradient = 0;
    std::size_t not_finite = 0;
    for (auto* p : model.parameters()) {
        bool any = false;
        for (const float g : p->grad) {
            not_finite += std::isfinite(g) ? 0 : 1;
            any = any || g != 0.0f;
        }
        with_gradient += any ? 1 : 0;
    }
    CHECK(not_finite == 0);
    CHECK(with_gradient > 0);
    optimiser.step(0.01);
    const var after = loss_of();
    const float loss_after = t.value(after)(0, 0, 0, 0);
    REQUIRE(std::isfinite(loss_after));
    CHECK(loss_after < loss_before);
}

} // namespace nascent::testing
