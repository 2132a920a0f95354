// Sharpness-aware minimisation in train::fit (train/sam.hpp): one step equals the gradient at
// w + rho g/|g| applied at w, worked out on its own tape; the weights' way back is exact; the
// batch-norm statistics follow the first pass; bad settings are refused.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

#include "nascent/autograd/tape.hpp"
#include "nascent/core/error.hpp"
#include "nascent/data/dataset.hpp"
#include "nascent/data/normalization.hpp"
#include "nascent/nn/batch_norm.hpp"
#include "nascent/nn/dense.hpp"
#include "nascent/nn/elementwise.hpp"
#include "nascent/nn/fake_quantization.hpp"
#include "nascent/nn/loss.hpp"
#include "nascent/nn/model.hpp"
#include "nascent/nn/sequential.hpp"
#include "nascent/train/fit.hpp"
#include "nascent/train/sam.hpp"
#include "nascent/train/sgd.hpp"

// The file's names live in a namespace of their own: the tests compile in unity groups.
namespace test_train_sam {

using namespace nascent;

namespace {

using two_layer = sequential<flatten, dense<3>, dense<2>>;
const normalization unit_scale{{0.0F, 0.0F}, {1.0F, 1.0F}};

// Four 1x1x2 images, two classes.
image_dataset tiny() {
    image_dataset d;
    d.sample = {1, 1, 2};
    d.classes = 2;
    d.pixels = {255, 40, 128, 200, 64, 10, 200, 220};
    d.labels = {0, 1, 0, 1};
    return d;
}

// The mean cross-entropy's gradient over all of `d`, with the model's current weights.
std::vector<std::vector<float>> gradient_of(nn::model<two_layer>& m, const image_dataset& d) {
    tensor<float> x = tensor<float>::from_shape({d.size(), 1, 1, 2});
    for (std::size_t i = 0; i < d.pixels.size(); ++i) x.data()[i] = static_cast<float>(d.pixels[i]) / 255.0F;
    std::vector<int> labels(d.labels.begin(), d.labels.end());
    tape<float> graph;
    rng unused;
    nn::context<float> ctx{graph, true, &unused};
    for (auto* p : m.parameters()) p->zero_grad();
    const var loss = nn::softmax_cross_entropy(graph, m.forward(ctx, graph.leaf(x)), std::span<const int>(labels));
    graph.backward(loss);
    std::vector<std::vector<float>> g;
    for (auto* p : m.parameters()) g.emplace_back(p->grad.begin(), p->grad.end());
    return g;
}

std::vector<std::vector<float>> weights_of(nn::model<two_layer>& m) {
    std::vector<std::vector<float>> w;
    for (auto* p : m.parameters()) w.emplace_back(p->value.begin(), p->value.end());
    return w;
}

train::fit_options one_full_batch(double radius) {
    train::fit_options o;
    o.epochs = 1;
    o.batch_size = 4;
    o.progress = false;
    o.log = nullptr;
    o.sharpness_radius = radius;
    return o;
}

const auto constant_rate = [](std::size_t, std::size_t) { return 0.1; };

} // namespace

TEST_CASE("sam: a step applies the gradient at w + rho g/|g| to w", "[train][sam]") {
    constexpr double rho = 0.2, rate = 0.1;
    nn::model<two_layer> trained(shape{1, 1, 2}, 3);
    nn::model<two_layer> by_hand(shape{1, 1, 2}, 3);
    const auto w = weights_of(by_hand);

    // by hand: g at w, then the gradient at w + rho g/|g|, applied at w (SGD, no momentum)
    const auto g = gradient_of(by_hand, tiny());
    double norm = 0.0;
    for (const auto& layer : g)
        for (const float v : layer) norm += static_cast<double>(v) * v;
    norm = std::sqrt(norm);
    REQUIRE(norm > 0.0);
    auto params = by_hand.parameters();
    for (std::size_t i = 0; i < params.size(); ++i)
        for (std::size_t k = 0; k < g[i].size(); ++k) params[i]->value.data()[k] += static_cast<float>(rho * g[i][k] / norm);
    const auto uphill = gradient_of(by_hand, tiny());

    train::sgd<float> sgd(trained.parameters(), {.momentum = 0.0, .weight_decay = 0.0, .nesterov = false});
    train::fit(trained, sgd, constant_rate, tiny(), image_dataset{}, unit_scale, one_full_batch(rho));
    const auto after = weights_of(trained);
    for (std::size_t i = 0; i < w.size(); ++i)
        for (std::size_t k = 0; k < w[i].size(); ++k) {
            const double expected = w[i][k] - rate * uphill[i][k];
            const double plain = w[i][k] - rate * g[i][k];
            CHECK(after[i][k] == Approx(expected).margin(1e-6));
            if (std::abs(expected - plain) > 1e-4) CHECK(std::abs(after[i][k] - plain) > 1e-5);  // not the plain step
        }
}

TEST_CASE("sam: the way back is exact and batch-norm statistics follow the first pass", "[train][sam]") {
    nn::model<sequential<flatten, dense<3>, batch_norm, dense<2>>> m(shape{1, 1, 2}, 4);
    auto params = m.parameters();
    auto state = m.buffers();
    REQUIRE(!state.empty());
    for (auto* p : params) p->grad.fill(0.5F);
    const std::vector<float> w(params[0]->value.begin(), params[0]->value.end());
    const std::vector<float> s(state[0]->value.begin(), state[0]->value.end());
    train::sharpness_aware_step<float> step(params, state);
    REQUIRE(step.ascend(0.3));
    CHECK(std::vector<float>(params[0]->value.begin(), params[0]->value.end()) != w);
    state[0]->value.fill(42.0F);  // what a second training pass would do to the statistics
    step.restore();
    CHECK(std::vector<float>(params[0]->value.begin(), params[0]->value.end()) == w);
    CHECK(std::vector<float>(state[0]->value.begin(), state[0]->value.end()) == s);

    for (auto* p : params) p->grad.fill(0.0F);
    CHECK_FALSE(step.ascend(0.3));  // a zero gradient moves nothing
    CHECK(std::vector<float>(params[0]->value.begin(), params[0]->value.end()) == w);
}

TEST_CASE("sam: bad settings", "[train][sam]") {
    nn::model<two_layer> m(shape{1, 1, 2}, 3);
    train::sgd<float> sgd(m.parameters());
    CHECK_THROWS_WITH(train::fit(m, sgd, constant_rate, tiny(), image_dataset{}, unit_scale, one_full_batch(-1.0)),
                      Catch::Contains("sharpness radius must be at least 0"));
    nn::fake_quantization q;
    train::fit_options both = one_full_batch(0.05);
    both.quantization = &q;
    CHECK_THROWS_WITH(train::fit(m, sgd, constant_rate, tiny(), image_dataset{}, unit_scale, both), Catch::Contains("do not go together"));
}

} // namespace test_train_sam
