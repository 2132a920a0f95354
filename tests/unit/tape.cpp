// The tape: accumulation, gradient flow rules and storage reuse.
#include <catch2/catch.hpp>

#include <nascent/autograd/tape.hpp>
#include <nascent/nn/activation.hpp>
#include <nascent/nn/elementwise.hpp>
#include <nascent/nn/conv2d.hpp>

// The file's names live in a namespace of their own: the tests compile in unity groups.
namespace test_tape {

using namespace nascent;

TEST_CASE("a value used twice accumulates both gradients", "[tape]") {
    tape<double> t;
    tensor<double> x({1, 1, 1, 3});
    x.fill(2.0);
    const var a = t.leaf(x, true);
    const var y = nn::add(t, a, a);
    t.backward(nn::reshape(t, y, {1, 1, 3}));
    for (const double g : t.grad(a)) CHECK(g == 2.0);
}

TEST_CASE("gradients stop at leaves that do not require them", "[tape]") {
    tape<double> t;
    tensor<double> x({1, 1, 1, 2});
    x.fill(1.0);
    const var constant = t.leaf(x, false);
    const var variable = t.leaf(x, true);
    const var y = nn::add(t, constant, variable);
    REQUIRE(t.requires_grad(y));
    t.backward(y);
    CHECK_FALSE(t.has_grad(constant));
    CHECK(t.has_grad(variable));
    CHECK_FALSE(t.requires_grad(nn::relu(t, constant)));
}

TEST_CASE("with gradients disabled nothing is kept for backward", "[tape]") {
    tape<double> t;
    t.enable_grad(false);
    tensor<double> x({1, 1, 1, 2});
    x.fill(1.0);
    const var y = nn::relu(t, t.leaf(x, true));
    CHECK_FALSE(t.requires_grad(y));
}

TEST_CASE("recording the same network again reuses every buffer", "[tape]") {
    tape<float> t;
    const auto g = conv_geometry_for({6, 6, 2}, 4, 3, 3, 1, 1, 1);
    parameter<float> w("weight", {4, 3, 3, 2});
    tensor<float> x({2, 6, 6, 2});
    x.fill(0.5f);
    const float* first_value = nullptr;
    const float* first_col = nullptr;
    const float* first_leaf = nullptr;
    for (int step = 0; step < 3; ++step) {
        t.reset();
        const var y = nn::relu(t, nn::conv2d(t, t.leaf(x, true), g, w, nullptr));
        t.backward(nn::reshape(t, y, {1, 1, 6 * 6 * 4}));
        const var leaf{0};
        const var conv{1};
        if (step == 0) {
            first_leaf = t.value(leaf).data();
            first_value = t.value(conv).data();
            first_col = t.saved(conv).data();
        } else {
            CHECK(t.value(leaf).data() == first_leaf);
            CHECK(t.value(conv).data() == first_value);
            CHECK(t.saved(conv).data() == first_col);
        }
        CHECK(t.size() == 4);
    }
}

TEST_CASE("backward from a node of another recording is an error", "[tape]") {
    tape<double> t;
    CHECK_THROWS_AS(t.backward(var{3}), nascent::error);
}

} // namespace test_tape
