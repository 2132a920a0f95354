// Shape rules, parameter and MAC counts of the op descriptors (compile time), and forward
// values against hand-computed results (run time).
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include <nascent/nn/activation.hpp>
#include <nascent/nn/batch_norm.hpp>
#include <nascent/nn/conv2d.hpp>
#include <nascent/nn/dense.hpp>
#include <nascent/nn/elementwise.hpp>
#include <nascent/nn/loss.hpp>
#include <nascent/nn/pooling.hpp>
#include <nascent/space/sequential.hpp>

// The file's names live in a namespace of their own: the tests compile in unity groups.
namespace test_ops_descriptors {

using namespace nascent;

// --- compile time: shapes, parameters, MACs --------------------------------------------
constexpr shape mnist{28, 28, 1};
static_assert(conv2d<16, 3>::output(mnist) == shape{28, 28, 16});
static_assert(conv2d<16, 3>::params(mnist) == 16 * 9);
static_assert(conv2d<16, 3, 1, 1, true>::params(mnist) == 16 * 9 + 16);
static_assert(conv2d<16, 3>::macs(mnist) == 28 * 28 * 16 * 9);
static_assert(conv2d<8, 5, 2>::output(mnist) == shape{14, 14, 8});
static_assert(conv2d<8, 7, 2>::output(shape{7, 7, 4}) == shape{4, 4, 8});
static_assert(conv2d<8, 3, 1, 2>::params(shape{5, 5, 4}) == 8 * 9 * 2);        // groups: 2 inputs per filter
static_assert(conv2d<8, 3, 1, 2>::macs(shape{5, 5, 4}) == 5 * 5 * 8 * 9 * 2);
static_assert(!conv2d<9, 3, 1, 3>::accepts(shape{5, 5, 4}));                     // 4 channels do not split in 3
static_assert(depthwise_conv2d<3>::output(shape{6, 6, 5}) == shape{6, 6, 5});
static_assert(depthwise_conv2d<3, 2, 2>::output(shape{6, 6, 5}) == shape{3, 3, 10});
static_assert(depthwise_conv2d<3, 2, 2>::params(shape{6, 6, 5}) == 10 * 9);
static_assert(depthwise_conv2d<5>::macs(shape{6, 6, 5}) == 6 * 6 * 5 * 25);
static_assert(dense<10>::params(shape{1, 1, 1568}) == 10 * 1568 + 10);
static_assert(dense<10>::macs(shape{1, 1, 1568}) == 15680);
static_assert(!dense<10>::accepts(shape{7, 7, 32}));                               // needs flatten first
static_assert(max_pool2d<2>::output(shape{7, 7, 3}) == shape{3, 3, 3});
static_assert(max_pool2d<3, 1, padding::same>::output(shape{7, 7, 3}) == shape{7, 7, 3});
static_assert(avg_pool2d<3, 2, padding::same>::output(shape{7, 7, 3}) == shape{4, 4, 3});
static_assert(!max_pool2d<3>::accepts(shape{2, 2, 1}));
static_assert(global_avg_pool::output(shape{7, 5, 9}) == shape{1, 1, 9});
static_assert(flatten::output(shape{7, 7, 32}) == shape{1, 1, 1568});
static_assert(zero<2>::output(shape{7, 7, 3}) == shape{4, 4, 3});
static_assert(batch_norm::params(shape{4, 4, 6}) == 12);
static_assert(same_pad_before(28, 3, 1) == 1 && same_pad_before(28, 3, 2) == 0 && same_pad_before(7, 3, 2) == 1);

using reference_cnn = sequential<conv2d<16, 3>, batch_norm, relu, max_pool2d<2>, conv2d<32, 3>, batch_norm, relu,
                                 max_pool2d<2>, flatten, dense<10>>;
static_assert(reference_cnn::accepts(mnist));
static_assert(reference_cnn::output(mnist) == shape{1, 1, 10});
static_assert(reference_cnn::params(mnist) == 144 + 32 + 4608 + 64 + 15690);
static_assert(!sequential<conv2d<8, 3>, dense<10>>::accepts(mnist));                // dense on a 3-D activation

// --- run time: forward values ----------------------------------------------------------
namespace {

tensor<float> filled(tensor_shape s, float v) {
    tensor<float> t(s);
    t.fill(v);
    return t;
}

} // namespace

TEST_CASE("conv2d with same padding sums the window inside the image", "[ops][conv2d]") {
    tape<float> t;
    const auto g = conv_geometry_for({3, 3, 1}, 1, 3, 3, 1, 1, 1);
    parameter<float> w("weight", {1, 3, 3, 1});
    w.value.fill(1.0f);
    const var y = nn::conv2d(t, t.leaf(filled({1, 3, 3, 1}, 1.0f)), g, w, nullptr);
    // corners see 4 pixels, edges 6, the centre 9
    const std::vector<float> expected{4, 6, 4, 6, 9, 6, 4, 6, 4};
    REQUIRE(std::vector<float>(t.value(y).begin(), t.value(y).end()) == expected);
}

TEST_CASE("conv2d stride 2 on an even input pads only at the end, as TensorFlow does", "[ops][conv2d]") {
    tape<float> t;
    const auto g = conv_geometry_for({4, 4, 1}, 1, 3, 3, 2, 1, 1);
    REQUIRE(g.pad_top == 0);
    parameter<float> w("weight", {1, 3, 3, 1});
    w.value.fill(1.0f);
    tensor<float> x({1, 4, 4, 1});
    for (std::size_t i = 0; i < 16; ++i) x.data()[i] = static_cast<float>(i);
    const var y = nn::conv2d(t, t.leaf(x), g, w, nullptr);
    // windows at rows/cols {0,1,2} and {2,3}
    CHECK(t.value(y)(0, 0, 0, 0) == Approx(0 + 1 + 2 + 4 + 5 + 6 + 8 + 9 + 10));
    CHECK(t.value(y)(0, 1, 1, 0) == Approx(10 + 11 + 14 + 15));
}

TEST_CASE("an input that does not match the geometry is refused, not read out of bounds", "[ops]") {
    tape<float> t;
    const var x = t.leaf(filled({1, 5, 5, 2}, 1.0f));
    parameter<float> w("weight", {1, 3, 3, 1});
    CHECK_THROWS_WITH(nn::conv2d(t, x, conv_geometry_for({5, 5, 1}, 1, 3, 3, 1, 1, 1), w, nullptr), Catch::Contains("shape"));
    CHECK_THROWS_WITH(nn::conv2d(t, x, conv_geometry_for({5, 5, 2}, 1, 3, 3, 1, 1, 1), w, nullptr), Catch::Contains("weight"));
    CHECK_THROWS_AS(nn::max_pool2d(t, x, pool2d_geometry_for({4, 4, 2}, 2, 2, padding::valid)), nascent::error);
}

TEST_CASE("grouped and depthwise convolutions keep channels apart", "[ops][conv2d]") {
    tape<float> t;
    tensor<float> x({1, 2, 2, 2});
    for (std::size_t i = 0; i < 8; ++i) x.data()[i] = (i % 2 == 0) ? 1.0f : 100.0f;  // channel 0 = 1, channel 1 = 100
    SECTION("depthwise, multiplier 2") {
        const auto g = depthwise_conv2d<1, 1, 2>::geometry({2, 2, 2});
        parameter<float> w("weight", {4, 1, 1, 1});
        w.value = xt::xarray<float>({4, 1, 1, 1}, 0.0f);
        w.value(0, 0, 0, 0) = 1.0f;
        w.value(1, 0, 0, 0) = 2.0f;
        w.value(2, 0, 0, 0) = 3.0f;
        w.value(3, 0, 0, 0) = 4.0f;
        const var y = nn::conv2d(t, t.leaf(x), g, w, nullptr);
        CHECK(t.value(y)(0, 0, 0, 0) == 1.0f);
        CHECK(t.value(y)(0, 0, 0, 1) == 2.0f);
        CHECK(t.value(y)(0, 0, 0, 2) == 300.0f);
        CHECK(t.value(y)(0, 0, 0, 3) == 400.0f);
    }
    SECTION("two groups of 1x1") {
        const auto g = conv2d<2, 1, 1, 2>::geometry({2, 2, 2});
        parameter<float> w("weight", {2, 1, 1, 1});
        w.value(0, 0, 0, 0) = 5.0f;
        w.value(1, 0, 0, 0) = 7.0f;
        const var y = nn::conv2d(t, t.leaf(x), g, w, nullptr);
        CHECK(t.value(y)(0, 1, 1, 0) == 5.0f);
        CHECK(t.value(y)(0, 1, 1, 1) == 700.0f);
    }
}

TEST_CASE("pooling forward values", "[ops][pool]") {
    tape<float> t;
    tensor<float> x({1, 4, 4, 1});
    for (std::size_t i = 0; i < 16; ++i) x.data()[i] = static_cast<float>(i);
    const var in = t.leaf(x);
    const var mx = nn::max_pool2d(t, in, pool2d_geometry_for({4, 4, 1}, 2, 2, padding::valid));
    CHECK(std::vector<float>(t.value(mx).begin(), t.value(mx).end()) == std::vector<float>{5, 7, 13, 15});
    const var av = nn::avg_pool2d(t, in, pool2d_geometry_for({4, 4, 1}, 2, 2, padding::valid));
    CHECK(std::vector<float>(t.value(av).begin(), t.value(av).end()) == std::vector<float>{2.5f, 4.5f, 10.5f, 12.5f});
    // same padding, 3x3 stride 1: the corner averages only its 4 real pixels
    const var av_same = nn::avg_pool2d(t, in, pool2d_geometry_for({4, 4, 1}, 3, 1, padding::same));
    CHECK(t.value(av_same)(0, 0, 0, 0) == Approx((0 + 1 + 4 + 5) / 4.0));
    const var gap = nn::global_avg_pool(t, in);
    CHECK(t.value(gap)(0, 0, 0, 0) == Approx(7.5));
}

TEST_CASE("batch norm: batch statistics in training, running averages in inference", "[ops][batch_norm]") {
    tape<float> t;
    nn::batch_norm_state<float> s(1);
    tensor<float> x({4, 1, 1, 1});
    x.data()[0] = 1;
    x.data()[1] = 2;
    x.data()[2] = 3;
    x.data()[3] = 6;  // mean 3, biased variance 3.5, unbiased 14/3
    const var y = nn::batch_norm(t, t.leaf(x), s, true);
    CHECK(t.value(y)(0, 0, 0, 0) == Approx(-2.0 / std::sqrt(3.5 + 1e-5)));
    CHECK(s.running_mean.value(0) == Approx(0.1 * 3.0));
    CHECK(s.running_var.value(0) == Approx(0.9 + 0.1 * 14.0 / 3.0));
    s.running_mean.value(0) = 2.0f;
    s.running_var.value(0) = 4.0f;
    s.gamma.value(0) = 3.0f;
    s.beta.value(0) = 1.0f;
    const var z = nn::batch_norm(t, t.leaf(x), s, false);
    CHECK(t.value(z)(3, 0, 0, 0) == Approx(3.0 * (6.0 - 2.0) / std::sqrt(4.0 + 1e-5) + 1.0));
}

TEST_CASE("activations, dense, dropout and the loss", "[ops]") {
    tape<float> t;
    tensor<float> x({1, 1, 1, 4});
    x.data()[0] = -1;
    x.data()[1] = 0.5f;
    x.data()[2] = 7;
    x.data()[3] = 3;
    const var in = t.leaf(x);
    const var r = nn::relu(t, in);
    CHECK(std::vector<float>(t.value(r).begin(), t.value(r).end()) == std::vector<float>{0, 0.5f, 7, 3});
    const var r6 = nn::relu6(t, in);
    CHECK(std::vector<float>(t.value(r6).begin(), t.value(r6).end()) == std::vector<float>{0, 0.5f, 6, 3});

    parameter<float> w("weight", {2, 4});
    parameter<float> b("bias", {2});
    w.value = xt::xarray<float>{{1, 0, 0, 0}, {0, 1, 1, 1}};
    b.value = xt::xarray<float>{10, 20};
    const var d = nn::dense(t, in, w, b);
    CHECK(t.value(d)(0, 0, 0, 0) == Approx(9));
    CHECK(t.value(d)(0, 0, 0, 1) == Approx(30.5));

    rng random(1);
    nn::context<float> eval_ctx{t, false, &random};
    CHECK(nn::dropout(eval_ctx, in, 0.5).index == in.index);  // identity in inference
    nn::context<float> train_ctx{t, true, &random};
    tensor<float> ones = filled({1, 1, 1, 1000}, 1.0f);
    const var dropped = nn::dropout(train_ctx, t.leaf(ones), 0.25);
    std::size_t zeros = 0;
    for (const float v : t.value(dropped)) {
        REQUIRE((v == 0.0f || v == Approx(1.0 / 0.75)));
        zeros += v == 0.0f ? 1 : 0;
    }
    CHECK(zeros > 200);
    CHECK(zeros < 300);

    const std::vector<int> labels{3};
    const var uniform = t.leaf(filled({1, 1, 1, 10}, 0.5f));
    const var loss = nn::softmax_cross_entropy(t, uniform, labels);
    CHECK(t.value(loss)(0, 0, 0, 0) == Approx(std::log(10.0)));
    const std::vector<int> bad_label{10};
    CHECK_THROWS_AS(nn::softmax_cross_entropy(t, uniform, bad_label), nascent::error);
}

} // namespace test_ops_descriptors
