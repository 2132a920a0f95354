// Every op's backward pass against finite differences, in double precision.
#include <catch2/catch.hpp>

#include <vector>

#include <nascent/autograd/gradcheck.hpp>
#include <nascent/nn/activation.hpp>
#include <nascent/nn/batch_norm.hpp>
#include <nascent/nn/conv2d.hpp>
#include <nascent/nn/dense.hpp>
#include <nascent/nn/elementwise.hpp>
#include <nascent/nn/loss.hpp>
#include <nascent/nn/pooling.hpp>

#include "test_helpers.hpp"

// The file's names live in a namespace of their own: the tests compile in unity groups.
namespace test_gradcheck_ops {

using namespace nascent;
using testing::random_tensor;
using testing::weighted_sum;

namespace {

constexpr double tight = 1e-7;

/// Checks an op applied to one input of `in_shape`, reduced by a random weighting.
template <class Op>
gradcheck_result check_unary(tensor_shape in_shape, tensor_shape out_shape, Op&& op, std::vector<parameter<double>*> params = {},
                             double lo = -1.0, double hi = 1.0, std::uint64_t seed = 1) {
    rng random(seed);
    std::vector<tensor<double>> inputs{random_tensor(in_shape, random, lo, hi)};
    const tensor<double> weights = random_tensor(out_shape, random);
    for (auto* p : params)
        for (auto& v : p->value) v = random.uniform(-1.0, 1.0);
    return gradcheck([&](tape<double>& t, std::span<const var> x) { return weighted_sum(t, op(t, x[0]), weights); },
                     inputs, std::span<parameter<double>* const>(params), {.step = 1e-6, .tolerance = tight});
}

} // namespace

TEST_CASE("conv2d gradients: every kernel size, stride, grouping and bias", "[gradcheck][conv2d]") {
    struct conv_case {
        int in_c, filters, kernel, stride, groups;
        bool bias;
    };
    const std::vector<conv_case> cases{
        {3, 4, 1, 1, 1, false}, {3, 4, 3, 1, 1, true},  {2, 3, 5, 1, 1, false}, {2, 2, 7, 1, 1, true},
        {3, 4, 3, 2, 1, false}, {2, 3, 5, 2, 1, true},  {4, 6, 3, 1, 2, true},  {4, 4, 1, 1, 2, false},
        {4, 4, 3, 1, 4, false}, {3, 6, 3, 2, 3, true},  {4, 4, 5, 2, 4, false}, {1, 3, 3, 1, 1, false},
        {3, 3, 7, 2, 3, true},  {4, 8, 1, 2, 1, true}};
    for (const auto& c : cases) {
        const shape in{5, 6, c.in_c};
        const conv_geometry g = conv_geometry_for(in, c.filters, c.kernel, c.kernel, c.stride, 1, c.groups);
        parameter<double> w("weight", {static_cast<std::size_t>(c.filters), static_cast<std::size_t>(c.kernel),
                                       static_cast<std::size_t>(c.kernel), static_cast<std::size_t>(c.in_c / c.groups)});
        parameter<double> b("bias", {static_cast<std::size_t>(c.filters)});
        std::vector<parameter<double>*> params{&w};
        if (c.bias) params.push_back(&b);
        INFO("in_c " << c.in_c << " filters " << c.filters << " kernel " << c.kernel << " stride " << c.stride << " groups "
                     << c.groups << " bias " << c.bias);
        REQUIRE_GRADIENTS(check_unary(batch_shape(2, in), batch_shape(2, g.out),
                                      [&](tape<double>& t, var x) { return nn::conv2d(t, x, g, w, c.bias ? &b : nullptr); },
                                      params));
    }
}

TEST_CASE("dense gradients", "[gradcheck][dense]") {
    parameter<double> w("weight", {5, 12});
    parameter<double> b("bias", {5});
    REQUIRE_GRADIENTS(check_unary({3, 2, 2, 3}, {3, 1, 1, 5}, [&](tape<double>& t, var x) { return nn::dense(t, x, w, b); },
                                  {&w, &b}));
}

TEST_CASE("pooling gradients", "[gradcheck][pool]") {
    // Distinct random values: no ties, so max pooling is differentiable at the point.
    SECTION("max, valid padding") {
        const auto g = pool2d_geometry_for({6, 6, 3}, 2, 2, padding::valid);
        REQUIRE_GRADIENTS(check_unary({2, 6, 6, 3}, batch_shape(2, g.out), [&](tape<double>& t, var x) { return nn::max_pool2d(t, x, g); }));
    }
    SECTION("max, tiling windows that leave a border uncovered (7 -> 3)") {
        const auto g = pool2d_geometry_for({7, 7, 2}, 2, 2, padding::valid);
        REQUIRE_GRADIENTS(check_unary({2, 7, 7, 2}, batch_shape(2, g.out), [&](tape<double>& t, var x) { return nn::max_pool2d(t, x, g); }));
    }
    SECTION("max, when the input's gradient already holds another contribution") {
        // relu(x) is recorded after the pool, so its backward reaches x first.
        const auto g = pool2d_geometry_for({6, 6, 2}, 2, 2, padding::valid);
        rng random(4);
        const tensor<double> w_pool = random_tensor({2, 3, 3, 2}, random);
        const tensor<double> w_relu = random_tensor({2, 6, 6, 2}, random);
        const auto r = gradcheck(
            [&](tape<double>& t, std::span<const var> x) {
                const var pooled = nn::max_pool2d(t, x[0], g);
                const var rectified = nn::relu(t, x[0]);
                return nn::add(t, weighted_sum(t, pooled, w_pool), weighted_sum(t, rectified, w_relu));
            },
            {random_tensor({2, 6, 6, 2}, random)}, {}, {.tolerance = tight});
        INFO("worst: " << r.worst_entry);
        REQUIRE(r.passed);
    }
    SECTION("max, 3x3 stride 1 same padding (overlapping windows)") {
        const auto g = pool2d_geometry_for({5, 5, 2}, 3, 1, padding::same);
        REQUIRE_GRADIENTS(check_unary({2, 5, 5, 2}, batch_shape(2, g.out), [&](tape<double>& t, var x) { return nn::max_pool2d(t, x, g); }));
    }
    SECTION("average, valid and odd extent") {
        const auto g = pool2d_geometry_for({7, 7, 2}, 2, 2, padding::valid);
        REQUIRE_GRADIENTS(check_unary({2, 7, 7, 2}, batch_shape(2, g.out), [&](tape<double>& t, var x) { return nn::avg_pool2d(t, x, g); }));
    }
    SECTION("average, 3x3 stride 2 same padding") {
        const auto g = pool2d_geometry_for({6, 5, 2}, 3, 2, padding::same);
        REQUIRE_GRADIENTS(check_unary({2, 6, 5, 2}, batch_shape(2, g.out), [&](tape<double>& t, var x) { return nn::avg_pool2d(t, x, g); }));
    }
    SECTION("global average") {
        REQUIRE_GRADIENTS(check_unary({3, 4, 5, 3}, {3, 1, 1, 3}, [&](tape<double>& t, var x) { return nn::global_avg_pool(t, x); }));
    }
}

TEST_CASE("batch norm gradients in training and inference mode", "[gradcheck][batch_norm]") {
    nn::batch_norm_state<double> s(3);
    SECTION("training: batch statistics") {
        REQUIRE_GRADIENTS(check_unary({4, 3, 3, 3}, {4, 3, 3, 3},
                                      [&](tape<double>& t, var x) { return nn::batch_norm(t, x, s, true); }, {&s.gamma, &s.beta}));
    }
    SECTION("inference: running statistics") {
        s.running_mean.value = xt::xarray<double>{0.3, -0.2, 0.1};
        s.running_var.value = xt::xarray<double>{0.5, 2.0, 1.5};
        REQUIRE_GRADIENTS(check_unary({4, 3, 3, 3}, {4, 3, 3, 3},
                                      [&](tape<double>& t, var x) { return nn::batch_norm(t, x, s, false); }, {&s.gamma, &s.beta}));
    }
}

TEST_CASE("fused batch norm + relu gradients, and the same values as the two ops apart", "[gradcheck][batch_norm]") {
    nn::batch_norm_state<double> s(3);
    for (const bool training : {true, false}) {
        INFO("training " << training);
        s.running_mean.value = xt::xarray<double>{0.1, -0.3, 0.2};
        s.running_var.value = xt::xarray<double>{0.8, 1.7, 0.6};
        REQUIRE_GRADIENTS(check_unary({4, 3, 3, 3}, {4, 3, 3, 3},
                                      [&](tape<double>& t, var x) { return nn::batch_norm_relu(t, x, s, training); },
                                      {&s.gamma, &s.beta}));
        rng random(21);
        tape<double> t;
        const var x = t.leaf(random_tensor({4, 3, 3, 3}, random));
        const var fused = nn::batch_norm_relu(t, x, s, training);
        const var apart = nn::relu(t, nn::batch_norm(t, x, s, training));
        for (std::size_t i = 0; i < t.value(fused).size(); ++i)
            REQUIRE(t.value(fused).data()[i] == Approx(t.value(apart).data()[i]).margin(1e-12));
    }
}

TEST_CASE("activation gradients", "[gradcheck][activation]") {
    // Inputs drawn away from the kinks at 0 and 6 by using magnitudes above 0.05.
    rng random(3);
    auto away_from_kinks = [&](tensor_shape shp, double scale) {
        auto t = random_tensor(shp, random, 0.05, 1.0);
        for (auto& v : t) v *= (random.uniform() < 0.5 ? -scale : scale);
        return t;
    };
    SECTION("relu") {
        const tensor<double> weights = random_tensor({2, 3, 3, 2}, random);
        auto r = gradcheck([&](tape<double>& t, std::span<const var> x) { return weighted_sum(t, nn::relu(t, x[0]), weights); },
                           {away_from_kinks({2, 3, 3, 2}, 1.0)}, {}, {.tolerance = tight});
        REQUIRE(r.passed);
    }
    SECTION("relu6") {
        tensor<double> in = away_from_kinks({2, 3, 3, 2}, 1.0);
        for (std::size_t i = 0; i < in.size(); i += 3) in.data()[i] += in.data()[i] > 0 ? 6.5 : 0.0;  // some above 6
        const tensor<double> weights = random_tensor({2, 3, 3, 2}, random);
        auto r = gradcheck([&](tape<double>& t, std::span<const var> x) { return weighted_sum(t, nn::relu6(t, x[0]), weights); },
                           {in}, {}, {.tolerance = tight});
        REQUIRE(r.passed);
    }
    SECTION("hard_swish") {
        tensor<double> in = away_from_kinks({2, 3, 3, 2}, 1.0);
        for (std::size_t i = 0; i < in.size(); i += 3) in.data()[i] += in.data()[i] > 0 ? 3.5 : -3.5;  // some beyond +-3
        const tensor<double> weights = random_tensor({2, 3, 3, 2}, random);
        auto r = gradcheck([&](tape<double>& t, std::span<const var> x) { return weighted_sum(t, nn::hard_swish(t, x[0]), weights); },
                           {in}, {}, {.tolerance = tight});
        REQUIRE(r.passed);
    }
    SECTION("hard_sigmoid") {
        tensor<double> in = away_from_kinks({2, 3, 3, 2}, 1.0);
        for (std::size_t i = 0; i < in.size(); i += 3) in.data()[i] += in.data()[i] > 0 ? 3.5 : -3.5;  // some beyond +-3
        const tensor<double> weights = random_tensor({2, 3, 3, 2}, random);
        auto r = gradcheck([&](tape<double>& t, std::span<const var> x) { return weighted_sum(t, nn::hard_sigmoid(t, x[0]), weights); },
                           {in}, {}, {.tolerance = tight});
        REQUIRE(r.passed);
    }
}

TEST_CASE("add, reshape and dropout gradients", "[gradcheck][elementwise]") {
    rng random(5);
    const tensor<double> weights = random_tensor({2, 3, 3, 2}, random);
    SECTION("add of two inputs, and of one input to itself") {
        auto r = gradcheck(
            [&](tape<double>& t, std::span<const var> x) {
                return weighted_sum(t, nn::add(t, nn::add(t, x[0], x[1]), x[0]), weights);
            },
            {random_tensor({2, 3, 3, 2}, random), random_tensor({2, 3, 3, 2}, random)}, {}, {.tolerance = tight});
        REQUIRE(r.passed);
        REQUIRE(r.checked == 72);
    }
    SECTION("identity passes the gradient, zero passes none") {
        nn::trainable<identity, double> skip({3, 3, 2}, random);
        nn::trainable<zero<1>, double> none({3, 3, 2}, random);
        auto r = gradcheck(
            [&](tape<double>& t, std::span<const var> x) {
                nn::context<double> ctx{t};
                return weighted_sum(t, nn::add(t, skip.forward(ctx, x[0]), none.forward(ctx, x[0])), weights);
            },
            {random_tensor({2, 3, 3, 2}, random)}, {}, {.tolerance = tight});
        REQUIRE(r.passed);
        tape<double> t;
        nn::context<double> ctx{t};
        const var z = none.forward(ctx, t.leaf(random_tensor({2, 3, 3, 2}, random), true));
        CHECK_FALSE(t.requires_grad(z));
        for (const double v : t.value(z)) CHECK(v == 0.0);
    }
    SECTION("flatten") {
        const tensor<double> flat_weights = random_tensor({2, 1, 1, 18}, random);
        auto r = gradcheck([&](tape<double>& t, std::span<const var> x) { return weighted_sum(t, nn::reshape(t, x[0], {1, 1, 18}), flat_weights); },
                           {random_tensor({2, 3, 3, 2}, random)}, {}, {.tolerance = tight});
        REQUIRE(r.passed);
    }
    SECTION("dropout with a fixed mask (the generator is reseeded for every evaluation)") {
        tape<double>* seen = nullptr;
        auto r = gradcheck(
            [&](tape<double>& t, std::span<const var> x) {
                rng mask_random(11);
                nn::context<double> ctx{t, true, &mask_random};
                seen = &t;
                return weighted_sum(t, nn::dropout(ctx, x[0], 0.5), weights);
            },
            {random_tensor({2, 3, 3, 2}, random)}, {}, {.tolerance = tight});
        REQUIRE(seen != nullptr);
        REQUIRE(r.passed);
    }
}

TEST_CASE("softmax cross-entropy gradients", "[gradcheck][loss]") {
    rng random(9);
    const std::vector<int> labels{2, 0, 4};
    auto r = gradcheck([&](tape<double>& t, std::span<const var> x) { return nn::softmax_cross_entropy(t, x[0], labels); },
                       {random_tensor({3, 1, 1, 5}, random, -3.0, 3.0)}, {}, {.tolerance = tight});
    REQUIRE(r.passed);
    REQUIRE(r.checked == 15);
}

TEST_CASE("the gradient checker catches a wrong gradient", "[gradcheck]") {
    // A deliberately wrong backward (factor 2 missing in d(x^2)/dx) must fail the check.
    auto wrong_square = [](tape<double>& t, std::span<const var> x) {
        const var in = x[0];
        const var y = t.record({1, 1, 1, 1}, true, [in](tape<double>& tp, var self) {
            tp.grad(in)(0, 0, 0, 0) += tp.grad(self)(0, 0, 0, 0) * tp.value(in)(0, 0, 0, 0);
        });
        t.value(y)(0, 0, 0, 0) = t.value(in)(0, 0, 0, 0) * t.value(in)(0, 0, 0, 0);
        return y;
    };
    tensor<double> x({1, 1, 1, 1});
    x(0, 0, 0, 0) = 1.5;
    const auto r = gradcheck(wrong_square, {x}, {});
    REQUIRE_FALSE(r.passed);
    REQUIRE(r.worst_error > 0.1);
}

} // namespace test_gradcheck_ops
