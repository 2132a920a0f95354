// The weight-sharing supernet: gradients through every mixing mode (alphas included), single
// paths equal the networks they stand for, and derivation reads the largest alphas.
#include <catch2/catch.hpp>

#include <vector>

#include <nascent/autograd/gradcheck.hpp>
#include <nascent/nn/loss.hpp>
#include <nascent/nn/supernet.hpp>
#include <nascent/space/architecture.hpp>

#include "test_helpers.hpp"

// The file's names live in a namespace of their own: the tests compile in unity groups.
namespace test_supernet {

using namespace nascent;

namespace {

template <int W>
using conv_bn = sequential<conv2d<W, 3>, batch_norm, relu>;
template <int K>
using dw = depthwise_conv2d<K, 1>;

using mixed_space =
    sequential<conv2d<4, 3>, choice<conv2d<4, 3>, sequential<dw<3>, conv2d<4, 1>>, identity>,
               optional<residual<sequential<elastic_kernel<dw, 3, 5>, batch_norm, relu>>>,
               cell<2, identity, zero<1>, conv2d<4, 1>, max_pool2d<3, 1, padding::same>>, elastic_width<conv_bn, 2, 4, 6>,
               repeat<2, choice<relu, relu6>>,
               global_avg_pool, dense<3>>;
constexpr shape small{6, 6, 2};
static_assert(valid_space<mixed_space, small>);

/// Gradient check of the supernet in `mode`, alphas included when `with_alpha`.
gradcheck_result check_mode(nn::sampling mode, const std::vector<int>& arch, bool with_alpha) {
    nn::model<mixed_space, double> model(small, 3);
    rng random(4);
    const std::vector<int> labels{0, 2, 1};
    for (auto* p : model.parameters())
        if (!p->decay)
            for (auto& v : p->value) v += random.uniform(-0.3, 0.3);
    for (auto* a : model.architecture_parameters())
        for (auto& v : a->value) v = random.uniform(-1.0, 1.0);
    auto params = model.parameters();
    if (with_alpha)
        for (auto* a : model.architecture_parameters()) params.push_back(a);
    return gradcheck(
        [&](tape<double>& t, std::span<const var> x) {
            rng noise(42);  // the same Gumbel noise in every evaluation
            nn::context<double> ctx{t, true, &noise, mode};
            ctx.decisions = decision_cursor(arch.data(), arch.size());
            ctx.temperature = 0.7;
            return nn::softmax_cross_entropy(t, model.forward(ctx, x[0]), labels);
        },
        {testing::random_tensor(batch_shape(3, small), random)}, std::span<parameter<double>* const>(params),
        {.step = 1e-6, .tolerance = 1e-6});
}

} // namespace

TEST_CASE("mixed (DARTS) supernet passes the gradient check, alphas included", "[supernet][gradcheck]") {
    const auto r = check_mode(nn::sampling::mixed, {}, true);
    INFO("worst: " << r.worst_entry << " error " << r.worst_error);
    REQUIRE(r.checked > 800);
    REQUIRE(r.passed);
}

TEST_CASE("Gumbel-softmax (soft) supernet passes the gradient check, alphas included", "[supernet][gradcheck]") {
    const auto r = check_mode(nn::sampling::gumbel_soft, {}, true);
    INFO("worst: " << r.worst_entry << " error " << r.worst_error);
    REQUIRE(r.passed);
}

TEST_CASE("single paths and hard Gumbel paths pass the gradient check on the weights", "[supernet][gradcheck]") {
    rng random(11);
    for (int i = 0; i < 4; ++i) {
        const architecture a = space::sample<mixed_space>(small, random);
        INFO("architecture " << to_text(a));
        const auto r = check_mode(nn::sampling::single_path, a.choices, false);
        INFO("worst: " << r.worst_entry << " error " << r.worst_error);
        REQUIRE(r.passed);
    }
    const auto hard = check_mode(nn::sampling::gumbel_hard, {}, false);
    REQUIRE(hard.passed);
}

TEST_CASE("an elastic kernel's 3x3 path equals a 3x3 convolution with the centre weights", "[supernet]") {
    using s = sequential<elastic_kernel<dw, 3, 5, 7>>;
    nn::model<s, double> model(shape{9, 9, 3}, 5);
    rng random(6);
    const tensor<double> input = testing::random_tensor(batch_shape(2, shape{9, 9, 3}), random);
    parameter<double>& big = *model.parameters()[0];  // [3][7][7][1]
    parameter<double> centre("w", {3, 3, 3, 1});
    for (std::size_t o = 0; o < 3; ++o)
        for (std::size_t r = 0; r < 3; ++r)
            for (std::size_t c = 0; c < 3; ++c) centre.value(o, r, c, 0) = big.value(o, r + 2, c + 2, 0);
    for (const auto& [pick, stride_input] : {std::pair{0, shape{9, 9, 3}}}) {
        tape<double> t;
        nn::context<double> ctx{t};
        const std::vector<int> arch{pick};
        ctx.decisions = decision_cursor(arch.data(), arch.size());
        const var y = model.forward(ctx, t.leaf(input));
        const var z = nn::conv2d(t, t.leaf(input), depthwise_conv2d<3>::geometry(stride_input), centre, nullptr);
        REQUIRE(t.value(y).shape() == t.value(z).shape());
        for (std::size_t i = 0; i < t.value(y).size(); ++i) CHECK(t.value(y).data()[i] == Approx(t.value(z).data()[i]).margin(1e-12));
    }
}

TEST_CASE("an elastic width masks the channels past the chosen width", "[supernet]") {
    using s = sequential<elastic_width<conv_bn, 2, 4, 6>>;
    nn::model<s, double> model(shape{5, 5, 2}, 5);
    rng random(6);
    const tensor<double> input = testing::random_tensor(batch_shape(2, shape{5, 5, 2}), random);
    tape<double> t;
    nn::context<double> ctx{t};
    const std::vector<int> narrow{1}, full{2};
    ctx.decisions = decision_cursor(narrow.data(), 1);
    const var a = model.forward(ctx, t.leaf(input));
    ctx.decisions = decision_cursor(full.data(), 1);
    const var b = model.forward(ctx, t.leaf(input));
    for (std::size_t i = 0; i < t.value(a).size(); ++i) {
        const std::size_t c = i % 6;
        CHECK(t.value(a).data()[i] == (c < 4 ? t.value(b).data()[i] : 0.0));
    }
}

TEST_CASE("derivation reads the largest alpha of every decision", "[supernet]") {
    nn::model<mixed_space, float> model(small, 9);
    rng random(10);
    std::vector<int> expected(space::decisions<mixed_space>, 0);
    std::size_t seen = 0;
    model.visit_decisions([&](std::size_t slot, nn::architecture_weights<float>& a) {
        for (auto& v : a.alpha.value) v = static_cast<float>(random.uniform(-1.0, 1.0));
        if (slot < 3 || slot > 10) expected[slot] = a.argmax();  // cells derive edges by their own rule
        ++seen;
    });
    CHECK(seen == 10);  // choice, optional, kernel, 4 chosen cell edges, width, 2 repeated choices
    const architecture derived = model.derive();
    CHECK(space::validate<mixed_space>(small, derived.view()) == problem::none);
    for (std::size_t slot = 3; slot <= 10; ++slot) expected[slot] = derived[slot];
    // A skipped optional block's slots are inactive: canonicalisation sets them to 0.
    CHECK(space::canonical<mixed_space>(architecture{expected}) == derived);
}

TEST_CASE("a cell derives the two strongest edges of each node, never none", "[supernet]") {
    using c = cell<2, identity, zero<1>, conv2d<2, 1>>;
    nn::model<c, float> model(shape{4, 4, 2}, 1);
    auto alphas = model.architecture_parameters();  // edges (1,0), (2,0), (2,1)
    REQUIRE(alphas.size() == 3);
    auto set = [](parameter<float>* p, std::initializer_list<float> v) { std::copy(v.begin(), v.end(), p->value.begin()); };
    set(alphas[0], {0.1f, 5.0f, 0.3f});  // none strongest, then conv, then identity
    set(alphas[1], {2.0f, 0.0f, 0.0f});  // identity, strongly
    set(alphas[2], {0.0f, 0.0f, 1.0f});  // conv, weakly
    const architecture a = model.derive();
    // node 1: its only edge, two best non-none ops: conv (2), identity (0), sorted; node 2: edges from 0 and 1
    CHECK(a.choices == std::vector<int>{0, 0, 0, 2, 0, 0, 1, 2});
}

TEST_CASE("a path that changes the extent before a flatten is refused with the shapes", "[supernet]") {
    // valid: every single architecture works as a fixed network, but the supernet's dense layer
    // is sized for the first option's 6x6 activation
    using strided_choice = sequential<choice<conv2d<4, 3>, conv2d<4, 3, 2>>, flatten, dense<3>>;
    static_assert(valid_space<strided_choice, small>);
    nn::model<strided_choice> model(small, 1);
    rng random(5);
    const tensor<float> images = testing::random_tensor<float>(batch_shape(2, small), random);
    const auto run = [&](std::vector<int> arch) {
        tape<float> t;
        nn::context<float> ctx{t, false, &random, nn::sampling::single_path};
        ctx.decisions = decision_cursor(arch.data(), arch.size());
        return t.value(model.forward(ctx, t.leaf(images))).size();
    };
    CHECK(run({0}) == 2 * 3);
    CHECK_THROWS_WITH(run({1}), Catch::Contains("flatten: this architecture gives a 3x3x4 activation") &&
                                    Catch::Contains("built for 6x6x4"));
}

} // namespace test_supernet
