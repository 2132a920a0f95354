// Optimisers, schedules, initialisation and the fit loop (on a small synthetic task).
#include <catch2/catch.hpp>

#include <cmath>
#include <numeric>
#include <vector>

#include <nascent/nn/activation.hpp>
#include <nascent/nn/batch_norm.hpp>
#include <nascent/nn/conv2d.hpp>
#include <nascent/nn/dense.hpp>
#include <nascent/nn/elementwise.hpp>
#include <nascent/nn/model.hpp>
#include <nascent/nn/pooling.hpp>
#include <nascent/nn/sequential.hpp>
#include <nascent/train/adam.hpp>
#include <nascent/train/fit.hpp>
#include <nascent/train/schedule.hpp>
#include <nascent/train/sgd.hpp>

// The file's names live in a namespace of their own: the tests compile in unity groups.
namespace test_train_loop {

using namespace nascent;

namespace {

parameter<float> scalar_parameter(float value, float grad, bool decay = true) {
    parameter<float> p("p", {1}, decay);
    p.value(0) = value;
    p.grad(0) = grad;
    return p;
}

/// Two classes of 6x6 images: a bright bar in the top half (class 0) or in the bottom half (class 1),
/// on noise. Separable, but only by looking at where the bar is.
image_dataset bars(std::size_t count, std::uint64_t seed) {
    rng random(seed);
    image_dataset d;
    d.sample = shape{6, 6, 1};
    d.classes = 2;
    for (std::size_t i = 0; i < count; ++i) {
        const auto label = static_cast<std::uint8_t>(random.below(2));
        const int row = static_cast<int>(random.below(3)) + (label == 0 ? 0 : 3);
        for (int h = 0; h < 6; ++h)
            for (int w = 0; w < 6; ++w)
                d.pixels.push_back(static_cast<std::uint8_t>(h == row ? 200 + random.below(50) : random.below(80)));
        d.labels.push_back(label);
    }
    return d;
}

using small_net = sequential<conv2d<4, 3>, batch_norm, relu, max_pool2d<2>, flatten, dense<2>>;

} // namespace

TEST_CASE("SGD with momentum and weight decay follows the PyTorch update", "[train][sgd]") {
    auto p = scalar_parameter(1.0f, 0.5f);
    auto bias = scalar_parameter(1.0f, 0.5f, false);
    train::sgd<float> opt({&p, &bias}, {.momentum = 0.9, .weight_decay = 0.1});
    opt.step(0.1);  // v = 0.5 + 0.1 * 1 = 0.6; w = 1 - 0.06
    CHECK(p.value(0) == Approx(0.94));
    CHECK(bias.value(0) == Approx(0.95));  // no decay on this one
    opt.step(0.1);  // v = 0.9 * 0.6 + 0.5 + 0.094 = 1.134; w = 0.94 - 0.1134
    CHECK(p.value(0) == Approx(0.8266));
    opt.zero_grad();
    CHECK(p.grad(0) == 0.0f);
}

TEST_CASE("Nesterov momentum looks ahead", "[train][sgd]") {
    auto p = scalar_parameter(1.0f, 1.0f);
    train::sgd<float> opt({&p}, {.momentum = 0.5, .nesterov = true});
    opt.step(0.1);  // v = 1; w = 1 - 0.1 * (1 + 0.5 * 1)
    CHECK(p.value(0) == Approx(0.85));
}

TEST_CASE("Adam's first step moves each weight by the learning rate", "[train][adam]") {
    auto a = scalar_parameter(1.0f, 0.001f);
    auto b = scalar_parameter(-2.0f, -50.0f);
    train::adam<float> opt({&a, &b});
    opt.step(0.01);
    CHECK(a.value(0) == Approx(0.99).epsilon(1e-4));
    CHECK(b.value(0) == Approx(-1.99).epsilon(1e-4));
    auto c = scalar_parameter(1.0f, 0.0f);
    train::adam<float> decoupled({&c}, {.weight_decay = 0.5, .decoupled = true});
    decoupled.step(0.1);  // zero gradient: only the decay acts, w -= 0.1 * 0.5 * w
    CHECK(c.value(0) == Approx(0.95));
}

TEST_CASE("learning-rate schedules", "[train][schedule]") {
    const train::cosine_lr cosine{.rate = 0.1, .final_rate = 0.0, .warmup = 0};
    CHECK(cosine(0, 101) == Approx(0.1));
    CHECK(cosine(50, 101) == Approx(0.05));
    CHECK(cosine(100, 101) == Approx(0.0).margin(1e-12));
    const train::cosine_lr warm{.rate = 0.2, .final_rate = 0.0, .warmup = 4};
    CHECK(warm(0, 100) == Approx(0.05));
    CHECK(warm(3, 100) == Approx(0.2));
    const train::step_lr step{.rate = 1.0, .gamma = 0.5, .step_size = 10};
    CHECK(step(9, 100) == Approx(1.0));
    CHECK(step(10, 100) == Approx(0.5));
    CHECK(step(35, 100) == Approx(0.125));
}

TEST_CASE("He initialisation has the variance 2 / fan_in", "[train][init]") {
    nn::model<sequential<conv2d<64, 3>>> m({8, 8, 16}, 3);
    const auto& w = m.parameters().front()->value;
    double sum = 0, sq = 0;
    for (const float v : w) {
        sum += v;
        sq += static_cast<double>(v) * v;
    }
    const double n = static_cast<double>(w.size());
    CHECK(sum / n == Approx(0.0).margin(0.01));
    CHECK(sq / n == Approx(2.0 / (9 * 16)).epsilon(0.05));
}

TEST_CASE("fit learns a small task and the same seed gives the same weights", "[train][fit]") {
    const image_dataset train_set = bars(512, 1);
    const image_dataset test_set = bars(256, 2);
    const normalization norm = standardization_of(train_set);
    auto run = [&](std::uint64_t seed) {
        nn::model<small_net> m(train_set.sample, seed);
        train::sgd<float> opt(m.parameters(), {.momentum = 0.9, .weight_decay = 1e-4});
        train::fit_options o;
        o.epochs = 3;
        o.batch_size = 32;
        o.seed = seed;
        o.progress = false;
        o.log = nullptr;
        int epochs_seen = 0;
        o.on_epoch = [&](const train::epoch_stats& s) { epochs_seen = s.epoch; };
        const auto report = train::fit(m, opt, train::cosine_lr{.rate = 0.05}, train_set, test_set, norm, o);
        CHECK(epochs_seen == 3);
        std::vector<float> weights;
        for (auto* p : m.parameters()) weights.insert(weights.end(), p->value.begin(), p->value.end());
        for (auto* b : m.buffers()) weights.insert(weights.end(), b->value.begin(), b->value.end());
        return std::pair{report, weights};
    };
    const auto [first, weights_a] = run(7);
    const auto [second, weights_b] = run(7);
    const auto [third, weights_c] = run(8);
    CHECK(first.epochs.size() == 3);
    CHECK(first.last().train_loss < first.epochs.front().train_loss);
    CHECK(first.last().test_accuracy > 0.95);
    CHECK(weights_a == weights_b);  // bit for bit
    CHECK(weights_a != weights_c);
}

TEST_CASE("a network that cannot be built names the node and the shape", "[train][model]") {
    using broken = sequential<conv2d<8, 3>, relu, dense<10>>;
    CHECK_THROWS_WITH((nn::model<broken>({28, 28, 1}, 1)), Catch::Contains("node 3 of 3") && Catch::Contains("28x28x8") &&
                                                               Catch::Contains("flatten"));
    using too_small = sequential<max_pool2d<2>, max_pool2d<2>, max_pool2d<2>>;
    CHECK_THROWS_WITH((nn::model<too_small>({4, 4, 1}, 1)), Catch::Contains("node 3 of 3") && Catch::Contains("1x1x1"));
    using bad_residual = sequential<residual<conv2d<8, 3>>>;
    CHECK_THROWS_WITH((nn::model<bad_residual>({8, 8, 4}, 1)), Catch::Contains("node 1 of 1"));
}

TEST_CASE("fit rejects bad options", "[train][fit]") {
    const image_dataset data = bars(16, 1);
    nn::model<small_net> m(data.sample, 1);
    train::sgd<float> opt(m.parameters());
    train::fit_options o;
    o.epochs = 0;
    CHECK_THROWS_WITH(train::fit(m, opt, train::constant_lr{}, data, data, standardization_of(data), o),
                      Catch::Contains("epochs"));
}

TEST_CASE("the progress bar formats durations and stays quiet when disabled", "[train][progress]") {
    CHECK(train::progress_bar::format_duration(5.2) == "5s");
    CHECK(train::progress_bar::format_duration(125) == "2m05s");
    CHECK(train::progress_bar::format_duration(3723) == "1h02m03s");
    train::progress_bar bar(1, 10, false);
    CHECK_FALSE(bar.enabled());
}

} // namespace test_train_loop
