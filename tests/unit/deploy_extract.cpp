// Extraction of a trained network's weights into a float program's parameter arrays: the
// program reproduces the training network in inference mode, and a model that does not run
// the graph's network is refused.
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
#include <nascent/runtime/run.hpp>
#include <nascent/zoo/darts.hpp>
#include <nascent/zoo/fbnet.hpp>
#include <nascent/zoo/mcu_cnn.hpp>
#include <nascent/zoo/munas.hpp>
#include <nascent/zoo/proxylessnas.hpp>
#include <nascent/zoo/single_path_nas.hpp>
#include <nascent/zoo/spos.hpp>

#include "test_helpers.hpp"

using namespace nascent;
using Catch::Contains;

namespace {

/// The float program of graph g run on each sample of x [n, h, w, c]; the outputs, sample after sample.
std::vector<float> run_float(const cost::graph& g, const deploy::float_parameters& p, const tensor<float>& x) {
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

/// Gives the batch norms scales and shifts other than 1 and 0, and running statistics of a few
/// training-mode passes of random architectures.
template <class Space>
void make_batch_norms_nontrivial(nn::model<Space, float>& model, shape in, rng& random) {
    for (auto* p : model.parameters())
        if (p->name == "gamma" || p->name == "beta")
            for (auto& v : p->value) v = static_cast<float>(p->name == "gamma" ? random.uniform(0.5, 1.5) : random.uniform(-0.3, 0.3));
    for (int pass = 0; pass < 3; ++pass) {
        const architecture a = space::sample<Space>(in, random);
        tape<float> t;
        nn::context<float> ctx{t, true, &random};
        ctx.decisions = decision_cursor(a.choices.data(), a.choices.size());
        const tensor<float> x = testing::random_tensor<float>(batch_shape(4, in), random);
        (void)model.forward(ctx, t.leaf(x));
    }
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
double relative_difference(const std::vector<float>& a, const std::vector<float>& b) {
    REQUIRE(a.size() == b.size());
    double scale = 0.0, diff = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        scale = std::max(scale, std::abs(static_cast<double>(a[i])));
        diff = std::max(diff, std::abs(static_cast<double>(a[i]) - static_cast<double>(b[i])));
    }
    return diff / std::max(scale, 1e-30);
}

double worst_difference = 0.0;

template <class Space>
void check_space(shape in, int architectures, std::uint64_t seed) {
    nn::model<Space, float> model(in, seed);
    rng random(seed + 1);
    make_batch_norms_nontrivial(model, in, random);
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

constexpr shape fashion{28, 28, 1};

} // namespace

TEST_CASE("extract: a batch norm folds into the convolution before it, a standalone one is a scale and shift",
          "[deploy][extract]") {
    using net = sequential<conv2d<2, 1, 1, 1, true>, batch_norm, relu, max_pool2d<2>, batch_norm, global_avg_pool, dense<3>>;
    constexpr shape in{4, 4, 2};
    nn::model<net, float> model(in, 1);
    const auto params = model.parameters();   // conv weight, bias; gamma, beta; gamma, beta; dense weight, bias
    const auto buffers = model.buffers();     // mean, var of each batch norm
    REQUIRE(params.size() == 8);
    REQUIRE(buffers.size() == 4);
    auto set = [](auto& x, std::initializer_list<float> v) { std::copy(v.begin(), v.end(), x.begin()); };
    set(params[0]->value, {1.0F, 2.0F, 3.0F, 4.0F});  // [out][1][1][in]
    set(params[1]->value, {0.5F, -0.5F});
    set(params[2]->value, {2.0F, 0.5F});  // gamma
    set(params[3]->value, {0.1F, 0.2F});  // beta
    set(buffers[0]->value, {1.0F, -1.0F});  // mean
    set(buffers[1]->value, {4.0F, 0.25F});  // var
    set(params[4]->value, {3.0F, 1.0F});
    set(params[5]->value, {-1.0F, 1.0F});
    set(buffers[2]->value, {0.5F, 0.0F});
    set(buffers[3]->value, {1.0F, 9.0F});
    const deploy::float_parameters p = nn::extract(model);
    // conv: s = gamma / sqrt(var + eps); w' = w s; b' = (b - mean) s + beta
    const double eps = nascent::batch_norm::epsilon;
    const double s0 = 2.0 / std::sqrt(4.0 + eps), s1 = 0.5 / std::sqrt(0.25 + eps);
    const double t0 = 3.0 / std::sqrt(1.0 + eps), t1 = 1.0 / std::sqrt(9.0 + eps);
    REQUIRE(p.weights.size() == 4 + 2 + 2 * 3);
    REQUIRE(p.params.size() == 2 + 2 + 3);
    CHECK(p.weights[0] == Approx(1.0 * s0));
    CHECK(p.weights[1] == Approx(2.0 * s0));
    CHECK(p.weights[2] == Approx(3.0 * s1));
    CHECK(p.weights[3] == Approx(4.0 * s1));
    CHECK(p.params[0] == Approx((0.5 - 1.0) * s0 + 0.1));
    CHECK(p.params[1] == Approx((-0.5 + 1.0) * s1 + 0.2));
    // the standalone batch norm (after the pool): weights = scale, params = shift
    CHECK(p.weights[4] == Approx(t0));
    CHECK(p.weights[5] == Approx(t1));
    CHECK(p.params[2] == Approx(-1.0 - 0.5 * t0));
    CHECK(p.params[3] == Approx(1.0 - 0.0 * t1));
    // dense: [units][features], its bias
    for (std::size_t i = 0; i < 6; ++i) CHECK(p.weights[6 + i] == params[6]->value.data()[i]);
    for (std::size_t i = 0; i < 3; ++i) CHECK(p.params[4 + i] == params[7]->value.data()[i]);
}

TEST_CASE("extract: a model that does not run the graph's network is refused", "[deploy][extract]") {
    using a = sequential<conv2d<4, 3>, batch_norm, relu, global_avg_pool, dense<2>>;
    using b = sequential<conv2d<4, 5>, batch_norm, relu, global_avg_pool, dense<2>>;
    using c = sequential<conv2d<4, 3>, batch_norm, relu, conv2d<4, 1>, global_avg_pool, dense<2>>;
    constexpr shape in{6, 6, 1};
    nn::model<b, float> model_b(in, 1);
    nn::model<c, float> model_c(in, 1);
    const cost::graph graph_a = cost::lower<a>(in, precision::float32);
    CHECK_THROWS_WITH(nn::extract(model_b, graph_a, {}),
                      Contains("op 0 (conv2d") && Contains("larger kernel") && Contains("not lowered from the model's space"));
    CHECK_THROWS_WITH(nn::extract(model_c, graph_a, {}),
                      Contains("op 2 (dense") && Contains("needs a dense layer, but the model ran layer 2 (convolution"));
    const cost::graph graph_c = cost::lower<c>(in, precision::float32);
    nn::model<a, float> model_a(in, 1);
    CHECK_THROWS_WITH(nn::extract(model_a, graph_c, {}), Contains("op 1 (conv2d") && Contains("needs a convolution"));

    // A supernet with another space's graph or architecture.
    nn::model<zoo::proxylessnas, float> proxyless(fashion, 1);
    rng random(2);
    const architecture fb = space::sample<zoo::fbnet>(fashion, random);
    const architecture px = space::sample<zoo::proxylessnas>(fashion, random);
    const architecture da = space::sample<zoo::darts>(fashion, random);
    CHECK_THROWS_WITH(nn::extract(proxyless, da.view()), Contains("the architecture has 36 decisions, the model's space 7"));
    CHECK_THROWS_WITH(nn::extract(proxyless, cost::lower<zoo::fbnet>(fashion, precision::float32, fb.view()), px.view()),
                      Contains("not lowered from the model's space and architecture"));
    std::vector<int> out_of_range = px.choices;
    out_of_range[0] = 99;
    CHECK_THROWS_WITH(nn::extract(proxyless, out_of_range), Contains("the architecture cannot run"));
}

// The requirement: the host fixed network's float outputs match the training network in
// inference mode within 1e-5.
TEST_CASE("extract: the float program of random architectures of every zoo space is the training network",
          "[deploy][extract][zoo]") {
    check_space<zoo::proxylessnas>(fashion, 4, 1);
    check_space<zoo::fbnet>(fashion, 4, 2);
    check_space<zoo::spos>(fashion, 4, 3);
    check_space<zoo::single_path_nas>(fashion, 6, 4);
    check_space<zoo::darts>(fashion, 4, 5);
    check_space<zoo::munas>(fashion, 10, 6);
    check_space<zoo::munas>(shape{32, 32, 3}, 4, 7);
    check_space<zoo::mcu_cnn>(fashion, 8, 8);
    WARN("largest difference relative to the output's magnitude: " << worst_difference);
}
