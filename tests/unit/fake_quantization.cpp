// Quantisation-aware training: weight rounding as deploy::quantize rounds, the straight-through
// gradient, activation ranges, and a fit that learns with rounding in the pass.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <vector>

#include <nascent/nn/activation.hpp>
#include <nascent/nn/batch_norm.hpp>
#include <nascent/nn/conv2d.hpp>
#include <nascent/nn/dense.hpp>
#include <nascent/nn/elementwise.hpp>
#include <nascent/nn/fake_quantization.hpp>
#include <nascent/nn/model.hpp>
#include <nascent/nn/pooling.hpp>
#include <nascent/nn/sequential.hpp>
#include <nascent/train/fit.hpp>
#include <nascent/train/schedule.hpp>
#include <nascent/train/sgd.hpp>

// The file's names live in a namespace of their own: the tests compile in unity groups.
namespace test_fake_quantization {

using namespace nascent;

namespace {

/// Two classes of 6x6 images: a bright bar in the top half (class 0) or in the bottom half (class 1).
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

TEST_CASE("weights are rounded per output channel to 255 symmetric levels", "[quantization][qat]") {
    std::vector<float> w{1.0F, -0.5F, 0.3F, 0.0F, 0.02F, -0.04F, 0.011F, 0.0F};
    nn::round_weights_per_channel(w.data(), 2, 4);
    // channel 0: scale 1/127; channel 1: scale 0.04/127
    CHECK(w[0] == Approx(1.0));
    CHECK(w[1] == Approx(-64.0 / 127.0));  // -63.5 rounds to even
    CHECK(w[2] == Approx(38.0 / 127.0));
    CHECK(w[3] == 0.0F);
    CHECK(w[4] == Approx(64.0 * 0.04 / 127.0));  // 63.5 rounds to even
    CHECK(w[5] == Approx(-0.04));
    CHECK(w[6] == Approx(35.0 * 0.04 / 127.0));

    // Scaling a channel (batch norm folded into it) does not change how it rounds.
    rng random(3);
    std::vector<float> a(64), b(64);
    for (std::size_t i = 0; i < a.size(); ++i) a[i] = static_cast<float>(random.normal());
    for (std::size_t i = 0; i < a.size(); ++i) b[i] = a[i] * (i < 32 ? 2.5F : -0.3F);
    nn::round_weights_per_channel(a.data(), 2, 32);
    nn::round_weights_per_channel(b.data(), 2, 32);
    for (std::size_t i = 0; i < a.size(); ++i) CHECK(b[i] == Approx(a[i] * (i < 32 ? 2.5F : -0.3F)).epsilon(1e-5));
}

TEST_CASE("rounded_weights rounds convolution and dense weights only, and restores the masters", "[quantization][qat]") {
    nn::model<small_net> m(shape{6, 6, 1}, 5);
    std::vector<std::vector<float>> before;
    for (auto* p : m.parameters()) before.emplace_back(p->value.begin(), p->value.end());
    {
        nn::rounded_weights<float> rounded(m.parameters());
        std::size_t k = 0;
        for (auto* p : m.parameters()) {
            const std::vector<float> now(p->value.begin(), p->value.end());
            if (p->name == "weight") {
                std::vector<float> expected = before[k];
                nn::round_weights_per_channel(expected.data(), p->value.shape()[0], p->value.size() / p->value.shape()[0]);
                CHECK(now == expected);
                CHECK(now != before[k]);
            } else {
                CHECK(now == before[k]);  // biases and batch norm's gamma and beta stay float
            }
            ++k;
        }
    }
    std::size_t k = 0;
    for (auto* p : m.parameters()) CHECK(std::vector<float>(p->value.begin(), p->value.end()) == before[k++]);
}

TEST_CASE("activations are rounded to their range's int8 grid with a clipped straight-through gradient",
          "[quantization][qat]") {
    nn::fake_quantization q;
    q.momentum = 0.5;
    tape<float> t;
    tensor<float> x({1, 1, 1, 5});
    x(0, 0, 0, 0) = 0.0F;
    x(0, 0, 0, 1) = 0.3F;
    x(0, 0, 0, 2) = 1.0F;
    x(0, 0, 0, 3) = 2.55F;
    x(0, 0, 0, 4) = 1.234F;
    const var in = t.leaf(x, true);
    q.begin_pass();
    const var y = nn::fake_quantize_activation(t, in, q, true);
    REQUIRE(q.ranges.size() == 1);
    CHECK(q.ranges[0].hi == Approx(2.55));
    const auto [scale, zero] = q.ranges[0].grid();
    CHECK(scale == Approx(0.01));
    CHECK(zero == -128.0);
    for (int i = 0; i < 5; ++i) {
        const double v = t.value(y)(0, 0, 0, i);
        CHECK(std::abs(v - x(0, 0, 0, i)) <= scale / 2 + 1e-6);
        CHECK(std::abs(v / scale - std::nearbyint(v / scale)) < 1e-3);  // on the grid
    }

    // A second training batch moves the range halfway; evaluation leaves it.
    tape<float> t2;
    tensor<float> x2({1, 1, 1, 2});
    x2(0, 0, 0, 0) = 0.0F;
    x2(0, 0, 0, 1) = 4.55F;
    q.begin_pass();
    (void)nn::fake_quantize_activation(t2, t2.leaf(x2, false), q, true);
    CHECK(q.ranges[0].hi == Approx(3.55));
    q.begin_pass();
    const var leaf = t2.leaf(x2, true);
    const var clipped = nn::fake_quantize_activation(t2, leaf, q, false);
    CHECK(q.ranges[0].hi == Approx(3.55));
    CHECK(t2.value(clipped)(0, 0, 0, 1) == Approx(3.55).epsilon(0.01));  // clipped to the range

    // The gradient passes where the value was in range and stops where it was clipped.
    t2.backward(clipped);
    CHECK(t2.grad(leaf)(0, 0, 0, 0) == 1.0F);
    CHECK(t2.grad(leaf)(0, 0, 0, 1) == 0.0F);
    t.backward(y);
    for (const float g : t.grad(in)) CHECK(g == 1.0F);
}

TEST_CASE("quantisation-aware fit learns with int8 rounding in the pass", "[quantization][qat][train]") {
    const image_dataset train_set = bars(512, 1);
    const image_dataset test_set = bars(256, 2);
    const normalization norm = standardization_of(train_set);
    nn::model<small_net> m(train_set.sample, 7);
    train::sgd<float> opt(m.parameters(), {.momentum = 0.9, .weight_decay = 1e-4});
    nn::fake_quantization rounding;
    train::fit_options o;
    o.epochs = 3;
    o.batch_size = 32;
    o.progress = false;
    o.log = nullptr;
    o.quantization = &rounding;
    const auto report = train::fit(m, opt, train::cosine_lr{.rate = 0.05}, train_set, test_set, norm, o);
    CHECK(rounding.ranges.size() == 1);  // one relu
    CHECK(rounding.ranges[0].hi > 0.0);
    CHECK(report.last().train_loss < report.epochs.front().train_loss);
    CHECK(report.last().test_accuracy > 0.95);  // evaluated with rounding
    // The masters are float: not every weight sits on its channel's int8 grid.
    std::vector<float> w;
    for (auto* p : m.parameters())
        if (p->name == "weight") w.assign(p->value.begin(), p->value.end());
    std::vector<float> rounded = w;
    nn::round_weights_per_channel(rounded.data(), 2, w.size() / 2);
    CHECK(rounded != w);
}

} // namespace test_fake_quantization
