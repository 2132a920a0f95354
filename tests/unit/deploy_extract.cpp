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
#include <nascent/zoo/proxylessnas.hpp>

#include "extract_checks.hpp"
#include "test_helpers.hpp"

// The file's names live in a namespace of their own: the tests compile in unity groups.
namespace test_deploy_extract {

using namespace nascent;
using Catch::Contains;

using namespace nascent::testing::extract_checks;

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

TEST_CASE("extract: the float program of a network with hard_swish and hard_sigmoid is the training network", "[deploy][extract]") {
    using net = sequential<conv2d<6, 3, 1, 1, true>, batch_norm, hard_swish, depthwise_conv2d<3>, hard_sigmoid, global_avg_pool, dense<4>>;
    check_space<net>(shape{6, 6, 2}, 1, 21);
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

} // namespace test_deploy_extract
