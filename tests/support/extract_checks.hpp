// Checks of weight extraction shared by the deploy_extract tests: the float program of a graph
// run on a batch, the training network's inference-mode output, and check_space<Space>, which
// compares both on random architectures of a space.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <utility>
#include <vector>

#include <nascent/cost/plan.hpp>
#include <nascent/deploy/compile.hpp>
#include <nascent/nn/extract.hpp>
#include <nascent/nn/supernet.hpp>
#include <nascent/runtime/run.hpp>

#include "batch_norms.hpp"
#include "test_helpers.hpp"

namespace nascent::testing::extract_checks {

/// The float program of graph g run on each sample of x [n, h, w, c]; the outputs, sample after sample.
inline std::vector<float> run_float(const cost::graph& g, const deploy::float_parameters& p, const tensor<float>& x) {
    std::vector<float> outputs;
    const cost::memory_plan plan = cost::plan(g);
    {
        const deploy::runtime_program prog = deploy::compile<deploy::dynamic_steps>(g, plan, precision::float32);
        REQUIRE(prog.weight_count == p.weights.size());
        REQUIRE(prog.param_count == p.params.size());
        std::vector<float> arena_words(prog.arena_bytes / 4 + 1);
        auto* arena = reinterpret_cast<std::byte*>(arena_words.data());
        const std::size_t in_size = prog.input.extent.size();
        const std::size_t out_size = prog.output.extent.size();
        for (std::size_t n = 0; n < x.shape()[0]; ++n) {
            std::memcpy(arena + prog.input.offset, x.data() + n * in_size, in_size * sizeof(float));
            REQUIRE(deploy::run(prog, p.weights.data(), p.params.data(), arena) == deploy::run_status::ok);
            const auto* out = reinterpret_cast<const float*>(arena + prog.output.offset);
            outputs.insert(outputs.end(), out, out + out_size);
        }
    }
    return outputs;
}

/// The training network's inference-mode output for architecture a on x.
template <class Space>
std::vector<float> run_model(nn::model<Space, float>& model, const architecture& a, const tensor<float>& x) {
    tape<float> t;
    nn::context<float> ctx{t, false};
    ctx.decisions = decision_cursor(a.choices.data(), a.choices.size());
    const var y = model.forward(ctx, t.leaf(x));
    return {t.value(y).begin(), t.value(y).end()};
}

/// Largest difference relative to the largest output.
inline double relative_difference(const std::vector<float>& a, const std::vector<float>& b) {
    REQUIRE(a.size() == b.size());
    double scale = 0.0, diff = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        scale = std::max(scale, std::abs(static_cast<double>(a[i])));
        diff = std::max(diff, std::abs(static_cast<double>(a[i]) - static_cast<double>(b[i])));
    }
    return diff / std::max(scale, 1e-30);
}

/// The largest relative difference check_space met.
inline double worst_difference = 0.0;

template <class Space>
void check_space(shape in, int architectures, std::uint64_t seed) {
    nn::model<Space, float> model(in, seed);
    rng random(seed + 1);
    make_batch_norms_nontrivial(model, in, random, 4);
    for (int i = 0; i < architectures; ++i) {
        const architecture a = space::sample<Space>(in, random);
        INFO("architecture " << to_text(a));
        const tensor<float> x = testing::random_tensor<float>(batch_shape(2, in), random);
        const std::vector<float> expected = run_model(model, a, x);
        const cost::graph g = cost::lower<Space>(in, precision::float32, a.view());
        const deploy::float_parameters p = nn::extract(model, a.view());
        const std::vector<float> got = run_float(g, p, x);
        INFO(g.ops.size() << " ops");
        const double difference = relative_difference(expected, got);
        worst_difference = std::max(worst_difference, difference);
        CHECK(difference < 1e-5);
    }
}

inline constexpr shape fashion{28, 28, 1};

} // namespace nascent::testing::extract_checks
