// The ops and combinators of the blocks against finite differences, in double precision:
// channel shuffle, channel slices and concatenation, asymmetric, dilated and grouped convolutions,
// branches and channel_split (and the decision order they give a supernet), and the
// composite blocks as whole networks.
#include <catch2/catch.hpp>

#include <array>
#include <vector>

#include <nascent/autograd/gradcheck.hpp>
#include <nascent/blocks/depthwise_separable.hpp>
#include <nascent/blocks/dil_conv.hpp>
#include <nascent/blocks/factorized_conv.hpp>
#include <nascent/blocks/grouped_mbconv.hpp>
#include <nascent/blocks/mbconv.hpp>
#include <nascent/blocks/sep_conv.hpp>
#include <nascent/blocks/shuffle_xception.hpp>
#include <nascent/blocks/shufflenet_v2.hpp>
#include <nascent/nn/asymmetric_conv2d.hpp>
#include <nascent/nn/branches.hpp>
#include <nascent/nn/channel_shuffle.hpp>
#include <nascent/nn/channel_split.hpp>
#include <nascent/nn/concat.hpp>
#include <nascent/nn/conv2d.hpp>
#include <nascent/nn/dilated_depthwise_conv2d.hpp>
#include <nascent/nn/loss.hpp>
#include <nascent/nn/supernet.hpp>
#include <nascent/space/check.hpp>

#include "test_helpers.hpp"

// The file's names live in a namespace of their own: the tests compile in unity groups.
namespace test_gradcheck_blocks {

using namespace nascent;
using testing::random_tensor;
using testing::weighted_sum;

namespace {

constexpr double tight = 1e-7;

template <class Op>
gradcheck_result check_unary(tensor_shape in_shape, tensor_shape out_shape, Op&& op, std::vector<parameter<double>*> params = {},
                             std::uint64_t seed = 1) {
    rng random(seed);
    std::vector<tensor<double>> inputs{random_tensor(in_shape, random)};
    const tensor<double> weights = random_tensor(out_shape, random);
    for (auto* p : params)
        for (auto& v : p->value) v = random.uniform(-1.0, 1.0);
    return gradcheck([&](tape<double>& t, std::span<const var> x) { return weighted_sum(t, op(t, x[0]), weights); }, inputs,
                     std::span<parameter<double>* const>(params), {.step = 1e-6, .tolerance = tight});
}

/// Gradient check of model<Net, double> under softmax cross-entropy in training mode.
template <class Net>
gradcheck_result check_network(shape in, int batch, std::uint64_t seed) {
    nn::model<Net, double> model(in, seed);
    rng random(seed + 1);
    std::vector<int> labels;
    const int classes = model.output_shape().c;
    for (int n = 0; n < batch; ++n) labels.push_back(static_cast<int>(random.below(static_cast<std::uint64_t>(classes))));
    for (auto* p : model.parameters())
        if (!p->decay)
            for (auto& v : p->value) v += random.uniform(-0.3, 0.3);
    auto params = model.parameters();
    return gradcheck(
        [&](tape<double>& t, std::span<const var> x) {
            nn::context<double> ctx{t, true};
            return nn::softmax_cross_entropy(t, model.forward(ctx, x[0]), labels);
        },
        {random_tensor(batch_shape(batch, in), random)}, std::span<parameter<double>* const>(params),
        {.step = 1e-6, .tolerance = 1e-6});
}

parameter<double> weight_of(const conv_geometry& g) {
    return parameter<double>("weight", {static_cast<std::size_t>(g.out.c), static_cast<std::size_t>(g.kernel_h),
                                        static_cast<std::size_t>(g.kernel_w), static_cast<std::size_t>(g.in_per_group())});
}

} // namespace

TEST_CASE("channel shuffle moves channel g * (C / G) + i to i * G + g, and its gradient back", "[gradcheck][channel_shuffle]") {
    tape<double> t;
    tensor<double> x({1, 1, 2, 6});
    for (std::size_t i = 0; i < x.size(); ++i) x.data()[i] = static_cast<double>(i);
    const var y = nn::channel_shuffle(t, t.leaf(x), 2);
    const std::array<double, 12> expected{0, 3, 1, 4, 2, 5, 6, 9, 7, 10, 8, 11};
    for (std::size_t i = 0; i < expected.size(); ++i) CHECK(t.value(y).data()[i] == expected[i]);
    for (const int groups : {2, 3, 4}) {
        INFO("groups " << groups);
        REQUIRE_GRADIENTS(check_unary({2, 3, 2, 12}, {2, 3, 2, 12},
                                      [&](tape<double>& tp, var in) { return nn::channel_shuffle(tp, in, groups); }));
    }
    static_assert(channel_shuffle<3>::accepts(shape{4, 4, 12}));
    static_assert(!channel_shuffle<3>::accepts(shape{4, 4, 8}));
    static_assert(space::diagnose<channel_shuffle<3>>(shape{4, 4, 8}) == problem::channels_do_not_split);
}

TEST_CASE("channel slices and concatenation", "[gradcheck][concat]") {
    rng random(2);
    const tensor<double> weights = random_tensor({2, 3, 3, 7}, random);
    // y = [x1[..., 1:3], x0, x1[..., 0:1]]: two slices of one input, one of them overlapping the other's gradient.
    auto r = gradcheck(
        [&](tape<double>& t, std::span<const var> x) {
            const var a = nn::slice_channels(t, x[1], 1, 2);
            const var b = nn::concat_channels(t, a, x[0]);
            return weighted_sum(t, nn::concat_channels(t, b, nn::slice_channels(t, x[1], 0, 2)), weights);
        },
        {random_tensor({2, 3, 3, 3}, random), random_tensor({2, 3, 3, 3}, random)}, {}, {.tolerance = tight});
    INFO("worst: " << r.worst_entry);
    REQUIRE(r.passed);
    REQUIRE(r.checked == 108);
    static_assert(concat::output(shape{4, 4, 3}, shape{4, 4, 5}) == shape{4, 4, 8});
    static_assert(!concat::accepts(shape{4, 4, 3}, shape{2, 2, 3}));
}

TEST_CASE("asymmetric convolution gradients, and a 3x3 window has conv2d's geometry", "[gradcheck][asymmetric_conv2d]") {
    struct conv_case {
        int in_c, filters, kh, kw, stride;
    };
    for (const auto& c : std::vector<conv_case>{{3, 4, 1, 5, 1}, {2, 3, 5, 1, 1}, {3, 2, 1, 3, 2}, {2, 2, 3, 5, 2}, {1, 3, 7, 1, 1}}) {
        INFO("in_c " << c.in_c << " filters " << c.filters << " kernel " << c.kh << "x" << c.kw << " stride " << c.stride);
        const conv_geometry g = conv_geometry_for({6, 7, c.in_c}, c.filters, c.kh, c.kw, c.stride, 1, 1);
        parameter<double> w = weight_of(g);
        REQUIRE_GRADIENTS(check_unary(batch_shape(2, g.in), batch_shape(2, g.out),
                                      [&](tape<double>& t, var x) { return nn::conv2d(t, x, g, w, nullptr); }, {&w}));
    }
    static_assert(asymmetric_conv2d<8, 1, 5>::output(shape{7, 9, 3}) == shape{7, 9, 8});
    static_assert(asymmetric_conv2d<8, 5, 1, 2>::output(shape{7, 9, 3}) == shape{4, 5, 8});
    static_assert(asymmetric_conv2d<8, 1, 5>::params(shape{7, 9, 3}) == 8 * 5 * 3);
    static_assert(asymmetric_conv2d<8, 1, 5>::macs(shape{7, 9, 3}) == 7 * 9 * 8 * 5 * 3);
    static_assert(asymmetric_conv2d<4, 3, 3, 2>::geometry(shape{5, 6, 3}) == conv2d<4, 3, 2>::geometry(shape{5, 6, 3}));
}

TEST_CASE("dilated depthwise convolution gradients, and dilation 1 has depthwise_conv2d's geometry", "[gradcheck][dilated_depthwise_conv2d]") {
    struct dw_case {
        int c, kernel, dilation, stride;
    };
    for (const auto& c : std::vector<dw_case>{{3, 3, 2, 1}, {4, 3, 2, 2}, {2, 5, 3, 1}, {1, 3, 2, 1}, {3, 3, 4, 1}}) {
        INFO("channels " << c.c << " kernel " << c.kernel << " dilation " << c.dilation << " stride " << c.stride);
        const conv_geometry g = conv_geometry_for({7, 6, c.c}, c.c, c.kernel, c.kernel, c.stride, c.dilation, c.c);
        parameter<double> w = weight_of(g);
        REQUIRE_GRADIENTS(check_unary(batch_shape(2, g.in), batch_shape(2, g.out),
                                      [&](tape<double>& t, var x) { return nn::conv2d(t, x, g, w, nullptr); }, {&w}));
    }
    static_assert(dilated_depthwise_conv2d<3, 2>::output(shape{8, 8, 5}) == shape{8, 8, 5});
    static_assert(dilated_depthwise_conv2d<3, 2>::geometry(shape{8, 8, 5}).pad_top == 2);
    static_assert(dilated_depthwise_conv2d<3, 2, 2>::output(shape{8, 7, 5}) == shape{4, 4, 5});
    static_assert(dilated_depthwise_conv2d<3, 2>::params(shape{8, 8, 5}) == 45);
    static_assert(dilated_depthwise_conv2d<5, 1, 2>::geometry(shape{6, 5, 4}) == depthwise_conv2d<5, 2>::geometry(shape{6, 5, 4}));
}

TEST_CASE("convolution of any geometry: gradients of dilated and grouped windows, and a dilated window equals the "
          "dense one with zero taps between",
          "[gradcheck][conv_geometry]") {
    struct conv_case {
        int in_c, filters, kh, kw, stride, dilation, groups;
    };
    rng random(5);
    for (const auto& c : std::vector<conv_case>{
             {3, 4, 3, 2, 2, 2, 1}, {4, 6, 3, 3, 1, 2, 2}, {4, 8, 3, 1, 1, 3, 4}, {6, 4, 1, 3, 2, 1, 2}, {2, 3, 2, 2, 1, 2, 1}}) {
        INFO("in_c " << c.in_c << " filters " << c.filters << " kernel " << c.kh << "x" << c.kw << " stride " << c.stride
                     << " dilation " << c.dilation << " groups " << c.groups);
        const shape in{7, 6, c.in_c};
        const conv_geometry g = conv_geometry_for(in, c.filters, c.kh, c.kw, c.stride, c.dilation, c.groups);
        parameter<double> w = weight_of(g);
        REQUIRE_GRADIENTS(check_unary(batch_shape(2, g.in), batch_shape(2, g.out),
                                      [&](tape<double>& t, var x) { return nn::conv2d(t, x, g, w, nullptr); }, {&w}));
        // The same window without dilation: the weights at every dilation-th tap, zeros between.
        const conv_geometry dense = conv_geometry_for(in, c.filters, (c.kh - 1) * c.dilation + 1, (c.kw - 1) * c.dilation + 1,
                                                      c.stride, 1, c.groups);
        REQUIRE(dense.out == g.out);
        REQUIRE(dense.pad_top == g.pad_top);
        REQUIRE(dense.pad_left == g.pad_left);
        for (auto& v : w.value) v = random.uniform(-1.0, 1.0);
        parameter<double> wd = weight_of(dense);
        const auto cg = static_cast<std::size_t>(g.in_per_group());
        for (std::size_t o = 0; o < static_cast<std::size_t>(c.filters); ++o)
            for (int i = 0; i < c.kh; ++i)
                for (int j = 0; j < c.kw; ++j)
                    for (std::size_t ci = 0; ci < cg; ++ci)
                        wd.value.data()[((o * static_cast<std::size_t>(dense.kernel_h) + static_cast<std::size_t>(i * c.dilation)) *
                                             static_cast<std::size_t>(dense.kernel_w) +
                                         static_cast<std::size_t>(j * c.dilation)) * cg + ci] =
                            w.value.data()[((o * static_cast<std::size_t>(c.kh) + static_cast<std::size_t>(i)) * static_cast<std::size_t>(c.kw) +
                                            static_cast<std::size_t>(j)) * cg + ci];
        tape<double> t;
        const var x = t.leaf(random_tensor(batch_shape(2, in), random));
        const var a = nn::conv2d(t, x, g, w, nullptr);
        const var b = nn::conv2d(t, x, dense, wd, nullptr);
        REQUIRE(t.value(a).size() == t.value(b).size());
        for (std::size_t i = 0; i < t.value(a).size(); ++i) CHECK(t.value(a).data()[i] == Approx(t.value(b).data()[i]).margin(1e-12));
    }
}

TEST_CASE("channel_split and branches: shapes, problems and gradients", "[gradcheck][branches]") {
    using split = channel_split<identity, sequential<conv2d<3, 1>, batch_norm, relu>>;
    using both = branches<sequential<depthwise_conv2d<3, 2>, batch_norm>, sequential<conv2d<5, 3, 2>, batch_norm, relu>>;
    static_assert(split::output(shape{6, 6, 8}) == shape{6, 6, 7});
    static_assert(split::params(shape{6, 6, 8}) == 3 * 4 + 6);
    static_assert(both::output(shape{7, 7, 4}) == shape{4, 4, 9});
    static_assert(space::check<split>(shape{6, 6, 7}) == problem::channels_do_not_split);
    static_assert(space::check<branches<identity, conv2d<4, 3, 2>>>(shape{6, 6, 4}) == problem::branch_extents_differ);
    static_assert(space::check<channel_split<identity, conv2d<3, 3, 1, 3>>>(shape{6, 6, 4}) == problem::groups_do_not_divide);

    using split_net = sequential<conv2d<8, 3>, batch_norm, relu, split, channel_shuffle<7>, global_avg_pool, dense<3>>;
    const auto r = check_network<split_net>({5, 5, 2}, 3, 1);
    INFO("worst: " << r.worst_entry << " error " << r.worst_error);
    REQUIRE(r.passed);
    using branch_net = sequential<conv2d<4, 3>, batch_norm, relu, both, channel_shuffle<3>, global_avg_pool, dense<3>>;
    const auto r2 = check_network<branch_net>({6, 5, 2}, 3, 2);
    INFO("worst: " << r2.worst_entry << " error " << r2.worst_error);
    REQUIRE(r2.passed);
}

TEST_CASE("branches run Left then Right: the decision cursor reads Left's slots first", "[branches][supernet]") {
    // Each branch chooses between keeping its input and zeroing it: architecture {1, 0}
    // zeroes the left branch only, {0, 1} the right one.
    using gate = choice<identity, zero<1>>;
    using split = channel_split<gate, gate>;
    using both = branches<gate, sequential<gate, conv2d<2, 1>>>;
    static_assert(space::decisions<split> == 2);
    static_assert(space::options<split>() == std::array<int, 2>{2, 2});
    static_assert(space::size<both>().count == 4);
    static_assert(space::output<both>(shape{3, 3, 4}, std::array{1, 0}).out == shape{3, 3, 6});

    rng random(5);
    const tensor<double> x = random_tensor({1, 2, 2, 4}, random, 0.5, 1.0);
    nn::model<split, double> model({2, 2, 4}, 1);
    for (const auto& arch : {std::array{1, 0}, std::array{0, 1}}) {
        tape<double> t;
        nn::context<double> ctx{t, false};
        ctx.decisions = decision_cursor(arch.data(), arch.size());
        const var y = model.forward(ctx, t.leaf(x));
        CHECK(ctx.decisions.position() == 2);
        for (std::size_t p = 0; p < 4; ++p)
            for (std::size_t c = 0; c < 4; ++c) {
                const bool zeroed = (c < 2) == (arch[0] == 1);
                CHECK(t.value(y).data()[p * 4 + c] == (zeroed ? 0.0 : x.data()[p * 4 + c]));
            }
    }
    std::vector<std::size_t> slots;
    model.visit_decisions([&](std::size_t slot, nn::architecture_weights<double>&) { slots.push_back(slot); });
    CHECK(slots == std::vector<std::size_t>{0, 1});
    nn::model<both, double> second({2, 2, 4}, 2);
    slots.clear();
    second.visit_decisions([&](std::size_t slot, nn::architecture_weights<double>&) { slots.push_back(slot); });
    CHECK(slots == std::vector<std::size_t>{0, 1});
    CHECK(second.architecture_parameters().size() == 2);
}

TEST_CASE("composite blocks pass the gradient check as networks", "[gradcheck][blocks]") {
    SECTION("depthwise separable and MBConv (residual and strided)") {
        using net = sequential<conv2d<4, 3>, batch_norm, relu, blocks::depthwise_separable<6, 3, 2>, blocks::mbconv<6, 6, 3, 2>,
                               blocks::mbconv<6, 4, 5, 2, 2>, global_avg_pool, dense<3>>;
        const auto r = check_network<net>({6, 6, 2}, 2, 3);
        INFO("worst: " << r.worst_entry << " error " << r.worst_error);
        REQUIRE(r.passed);
    }
    SECTION("grouped MBConv with channel shuffle") {
        using net = sequential<conv2d<4, 3>, batch_norm, relu, blocks::grouped_mbconv<4, 4, 3, 1>, blocks::grouped_mbconv<4, 6, 3, 3, 2, 2>,
                               global_avg_pool, dense<3>>;
        const auto r = check_network<net>({6, 6, 2}, 2, 4);
        INFO("worst: " << r.worst_entry << " error " << r.worst_error);
        REQUIRE(r.passed);
    }
    SECTION("ShuffleNetV2 and Shuffle-Xception units, stride 2 and 1") {
        using net = sequential<conv2d<4, 3>, batch_norm, relu, blocks::shufflenet_v2<4, 8, 3, 2>, blocks::shufflenet_v2<8, 8, 5, 1>,
                               blocks::shuffle_xception<8, 8, 1>, blocks::shuffle_xception<8, 12, 2>, global_avg_pool, dense<3>>;
        const auto r = check_network<net>({6, 6, 2}, 2, 5);
        INFO("worst: " << r.worst_entry << " error " << r.worst_error);
        REQUIRE(r.passed);
    }
    SECTION("DARTS edge ops: separable, dilated and factorised convolutions") {
        using net = sequential<conv2d<4, 3>, batch_norm, blocks::sep_conv<4, 3>, blocks::dil_conv<4, 3, 2>,
                               blocks::factorized_conv<4, 5>, global_avg_pool, dense<3>>;
        const auto r = check_network<net>({6, 6, 2}, 2, 6);
        INFO("worst: " << r.worst_entry << " error " << r.worst_error);
        REQUIRE(r.passed);
    }
}

TEST_CASE("a single path through a stride-2 option: the layers after it run on the smaller input", "[gradcheck][supernet]") {
    // The supernet is built for the first option's extent (6x6); the stride-2 option gives 3x3,
    // and the convolution, pools and zero after it take that input's geometry.
    using net = sequential<conv2d<4, 3>, batch_norm, relu, choice<conv2d<4, 3>, conv2d<4, 3, 2>>, conv2d<4, 3>, batch_norm,
                           relu, cell<1, max_pool2d<3, 1, padding::same>, avg_pool2d<3, 1, padding::same>, zero<1>>,
                           optional<max_pool2d<2>>, blocks::dil_conv<4, 3, 2>, global_avg_pool, dense<3>>;
    static_assert(valid_space<net, shape{6, 6, 2}>);
    const std::vector<int> arch{1, 0, 0, 0, 1, 1};  // stride 2; cell node = max pool(in) + avg pool(in); skip the pool
    REQUIRE(space::output<net>({6, 6, 2}, arch).ok());
    nn::model<net, double> model({6, 6, 2}, 7);
    rng random(8);
    const std::vector<int> labels{0, 2};
    for (auto* p : model.parameters())
        if (!p->decay)
            for (auto& v : p->value) v += random.uniform(-0.3, 0.3);
    auto params = model.parameters();
    const auto r = gradcheck(
        [&](tape<double>& t, std::span<const var> x) {
            nn::context<double> ctx{t, true};
            ctx.decisions = decision_cursor(arch.data(), arch.size());
            const var logits = model.forward(ctx, x[0]);
            REQUIRE(sample_shape(t.value(logits)) == shape{1, 1, 3});
            return nn::softmax_cross_entropy(t, logits, labels);
        },
        {random_tensor(batch_shape(2, {6, 6, 2}), random)}, std::span<parameter<double>* const>(params),
        {.step = 1e-6, .tolerance = 1e-6});
    INFO("worst: " << r.worst_entry << " error " << r.worst_error);
    REQUIRE(r.passed);
}

} // namespace test_gradcheck_blocks
