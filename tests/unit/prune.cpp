// Structured pruning (prune/): the L1 ranking, reordering that keeps the network's
// function, narrowing that keeps the strongest filters, smaller costs, the iterative schedule
// and the refusals.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

#include <nascent/cost/costs.hpp>
#include <nascent/nn/supernet.hpp>
#include <nascent/ops/channel_shuffle.hpp>
#include <nascent/prune/filter_ranking.hpp>
#include <nascent/prune/reorder.hpp>
#include <nascent/prune/to_target.hpp>
#include <nascent/prune/width_slots.hpp>
#include <nascent/space/check.hpp>
#include <nascent/zoo/munas.hpp>
#include <nascent/zoo/single_path_nas.hpp>

#include "test_helpers.hpp"

// The file's names live in a namespace of their own: the tests compile in unity groups.
namespace test_prune {

using namespace nascent;

namespace {

template <int W>
using conv_bn_relu = sequential<conv2d<W, 3>, batch_norm, relu>;
template <int W>
using conv_bias_relu = sequential<conv2d<W, 3, 1, 1, true>, relu>;

/// Two widths; the second is read through a depthwise layer, its batch norm and global pooling.
using chain = sequential<elastic_width<conv_bn_relu, 4, 6, 8>, max_pool2d<2>, elastic_width<conv_bias_relu, 4, 8>,
                         depthwise_conv2d<3>, batch_norm, relu, global_avg_pool, dense<5>>;
constexpr shape chain_input{8, 8, 2};
static_assert(valid_space<chain, chain_input>);

/// A width read by a dense layer through flatten.
using flat = sequential<elastic_width<conv_bn_relu, 2, 4>, avg_pool2d<2>, flatten, dense<3>>;
constexpr shape flat_input{4, 4, 1};

using feeds_residual = sequential<elastic_width<conv_bn_relu, 4, 8>, residual<conv_bn_relu<8>>, global_avg_pool, dense<3>>;
using inside_residual = sequential<conv2d<8, 1>, residual<elastic_width<conv_bn_relu, 4, 8>>, global_avg_pool, dense<3>>;
using last = sequential<conv2d<4, 3>, elastic_width<conv_bn_relu, 2, 4>>;
using shuffled = sequential<elastic_width<conv_bn_relu, 4, 8>, channel_shuffle<2>, global_avg_pool, dense<3>>;
using chosen = sequential<choice<elastic_width<conv_bn_relu, 4, 8>, conv_bn_relu<8>>, global_avg_pool, dense<3>>;
constexpr shape small{6, 6, 2};

/// Gives every parameter and batch-norm statistic a random value, so that no reordering
/// mistake can hide behind equal values.
template <class Space>
void randomize(nn::model<Space>& m, std::uint64_t seed) {
    rng random(seed);
    for (auto* p : m.parameters())
        for (auto& v : p->value) v = static_cast<float>(random.uniform(-0.5, 0.5));
    for (auto* b : m.buffers())
        for (auto& v : b->value)
            v = static_cast<float>(b->name == "running_var" ? random.uniform(0.5, 1.5) : random.uniform(-0.3, 0.3));
}

/// The network of `a` on `x`, in inference mode.
template <class Space>
std::vector<float> run(nn::model<Space>& m, const architecture& a, const tensor<float>& x) {
    tape<float> g;
    g.enable_grad(false);
    nn::context<float> ctx{g, false, nullptr};
    ctx.decisions = decision_cursor(a.choices.data(), a.size());
    const var y = m.forward(ctx, g.leaf(x));
    return {g.value(y).begin(), g.value(y).end()};
}

double largest_difference(const std::vector<float>& a, const std::vector<float>& b) {
    REQUIRE(a.size() == b.size());
    double worst = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(static_cast<double>(a[i]) - b[i]));
    return worst;
}

/// Every parameter and buffer value of the model, in order.
template <class Space>
std::vector<float> snapshot(nn::model<Space>& m) {
    std::vector<float> all;
    for (auto* p : m.parameters()) all.insert(all.end(), p->value.begin(), p->value.end());
    for (auto* b : m.buffers()) all.insert(all.end(), b->value.begin(), b->value.end());
    return all;
}

/// The first conv2d parameter of `m` with `count` values (the widest member's weights).
template <class Space>
parameter<float>& weight_of_size(nn::model<Space>& m, std::size_t count) {
    for (auto* p : m.parameters())
        if (p->name == "weight" && p->size() == count) return *p;
    FAIL("no weight of that size");
    return *m.parameters().front();
}

} // namespace

TEST_CASE("filter norms are the L1 norms of the widest member's filters over the inputs that carry data", "[prune]") {
    nn::model<chain> m(chain_input, 1);
    randomize(m, 2);
    const parameter<float>& first = weight_of_size(m, 8 * 3 * 3 * 2);
    const parameter<float>& second = weight_of_size(m, 8 * 3 * 3 * 8);

    // Slot 0 reads the image: every input counts.
    const architecture wide{{2, 1}};
    const std::vector<double> n0 = prune::filter_norms(m, wide, 0);
    REQUIRE(n0.size() == 8);
    for (std::size_t o = 0; o < 8; ++o) {
        double sum = 0.0;
        for (std::size_t i = 0; i < 18; ++i) sum += std::abs(static_cast<double>(first.value.data()[o * 18 + i]));
        CHECK(n0[o] == Approx(sum).epsilon(1e-12));
    }
    // Slot 1 reads slot 0's output: at width 6, inputs 6 and 7 are masked and do not count.
    const architecture six{{1, 1}};
    const std::vector<double> n1 = prune::filter_norms(m, six, 1);
    for (std::size_t o = 0; o < 8; ++o) {
        double sum = 0.0;
        for (std::size_t t = 0; t < 9; ++t)
            for (std::size_t i = 0; i < 6; ++i) sum += std::abs(static_cast<double>(second.value.data()[(o * 9 + t) * 8 + i]));
        CHECK(n1[o] == Approx(sum).epsilon(1e-12));
    }
}

TEST_CASE("sorting the filters ranks the live ones by decreasing L1 norm and keeps the function", "[prune]") {
    nn::model<chain> m(chain_input, 3);
    randomize(m, 4);
    rng random(5);
    const tensor<float> x = testing::random_tensor<float>(batch_shape(3, chain_input), random);

    for (const architecture& a : {architecture{{2, 1}}, architecture{{1, 1}}, architecture{{1, 0}}}) {
        INFO("architecture " << to_text(a));
        const std::vector<float> before = run(m, a, x);
        for (const std::size_t slot : {0U, 1U}) {
            const std::vector<double> norms = prune::filter_norms(m, a, slot);
            const prune::filter_order order = prune::sort_filters(m, a, slot);
            const int live = a[slot] == 2 ? 8 : (slot == 0 ? (a[slot] == 1 ? 6 : 4) : (a[slot] == 1 ? 8 : 4));
            REQUIRE(order.order.size() == 8);
            for (int i = 0; i < 8; ++i) {
                CHECK(order.norms[static_cast<std::size_t>(i)] == norms[static_cast<std::size_t>(order.order[static_cast<std::size_t>(i)])]);
                if (i >= live) CHECK(order.order[static_cast<std::size_t>(i)] == i);  // masked channels stay
            }
            CHECK(std::is_sorted(order.norms.begin(), order.norms.begin() + live, std::greater<>()));
            // The new channel order is what filter_norms now reads.
            const std::vector<double> after = prune::filter_norms(m, a, slot);
            for (std::size_t i = 0; i < 8; ++i) CHECK(after[i] == Approx(order.norms[i]).epsilon(1e-12));
        }
        CHECK(largest_difference(before, run(m, a, x)) < 1e-5);
    }
}

TEST_CASE("reordering through flatten permutes the dense layer's features", "[prune]") {
    nn::model<flat> m(flat_input, 6);
    randomize(m, 7);
    rng random(8);
    const tensor<float> x = testing::random_tensor<float>(batch_shape(2, flat_input), random);
    const architecture a{{1}};
    const std::vector<float> before = run(m, a, x);
    const prune::filter_order order = prune::sort_filters(m, a, 0);
    CHECK(std::is_sorted(order.norms.begin(), order.norms.end(), std::greater<>()));
    CHECK(largest_difference(before, run(m, a, x)) < 1e-5);
}

TEST_CASE("narrowing keeps the highest-L1 filters and lowers flash and peak RAM", "[prune]") {
    nn::model<chain> m(chain_input, 9);
    randomize(m, 10);
    const architecture wide{{2, 1}};
    std::vector<double> norms = prune::filter_norms(m, wide, 0);
    const architecture narrow = prune::prune_width(m, wide, 0, 0);
    CHECK(narrow == architecture{{0, 1}});

    // The first four filters are now the four strongest, strongest first.
    std::sort(norms.begin(), norms.end(), std::greater<>());
    const std::vector<double> kept = prune::filter_norms(m, narrow, 0);
    for (std::size_t i = 0; i < 4; ++i) CHECK(kept[i] == Approx(norms[i]).epsilon(1e-12));

    for (const auto p : {cost::precision::int8, cost::precision::float32}) {
        const cost::costs before = cost::of<chain>(chain_input, p, wide.view());
        const cost::costs after = cost::of<chain>(chain_input, p, narrow.view());
        CHECK(after.flash_bytes < before.flash_bytes);
        CHECK(after.peak_ram_bytes < before.peak_ram_bytes);
        CHECK(after.params < before.params);
    }

    // A second step on the other width.
    const architecture narrower = prune::prune_width(m, narrow, 1, 0);
    CHECK(narrower == architecture{{0, 0}});
    CHECK(cost::of<chain>(chain_input, cost::precision::int8, narrower.view()).flash_bytes <
          cost::of<chain>(chain_input, cost::precision::int8, narrow.view()).flash_bytes);
}

TEST_CASE("on the muNAS space, sorting every width keeps the function and pruning lowers the costs", "[prune][zoo]") {
    using munas = zoo::munas;
    constexpr shape input{28, 28, 1};
    // First block: 3x3 of 24 at stride 2, then 3x3 of 24; second block (plain): max pool, 3x3
    // of 16, then a depthwise 3x3; third block residual: 1x1 of 16; last block left out;
    // one hidden dense layer.
    std::vector<int> c(space::decisions<munas>, 0);
    c[0] = 1;              // no pre-pool
    c[2] = 1, c[8] = 0, c[9] = 2;  // stride 2, 3x3, width 24
    c[13] = 0, c[14] = 0, c[15] = 2;
    c[19] = 1;
    c[25] = 0, c[26] = 0, c[27] = 0, c[28] = 0, c[29] = 0, c[30] = 0, c[31] = 1;  // block 2: pool, 3x3 of 16
    c[40] = 0, c[41] = 4;  // then depthwise 3x3
    c[46] = 1;
    c[69] = 0, c[70] = 1, c[71 + 25] = 3, c[71 + 25 + 4] = 1;  // block 3: residual 1x1 of 16
    c[71 + 25 + 5] = 1, c[71 + 25 + 11] = 1;
    c[113] = 1;
    c[157] = 0, c[158] = 1;
    const architecture a = checked<munas>(architecture{c}, input);

    nn::model<munas> m(input, 11);
    randomize(m, 12);
    rng random(13);
    const tensor<float> x = testing::random_tensor<float>(batch_shape(2, input), random);
    const std::vector<float> before = run(m, a, x);

    const std::vector<prune::width_slot> widths = prune::width_slots(m, a);
    REQUIRE(widths.size() == 4);
    CHECK(widths[0].slot == 9);
    CHECK(widths[0].refusal.empty());
    CHECK(widths[1].slot == 15);
    CHECK(widths[1].refusal.empty());
    CHECK(widths[2].slot == 31);  // read by a depthwise layer, then the residual block: refused
    CHECK_THAT(widths[2].refusal, Catch::Contains("input of a residual block"));
    CHECK(widths[3].slot == 100);  // the residual block's own width meets the add
    CHECK_THAT(widths[3].refusal, Catch::Contains("added to a residual block's input"));

    for (const prune::width_slot& w : widths)
        if (w.refusal.empty()) (void)prune::sort_filters(m, a, w.slot);
    CHECK(largest_difference(before, run(m, a, x)) < 1e-5);

    architecture p = prune::prune_width(m, a, 15, 1);
    p = prune::prune_width(m, p, 9, 0);
    const cost::costs ca = cost::of<munas>(input, cost::precision::int8, a.view());
    const cost::costs cp = cost::of<munas>(input, cost::precision::int8, p.view());
    CHECK(cp.flash_bytes < ca.flash_bytes);
    CHECK(cp.peak_ram_bytes < ca.peak_ram_bytes);
}

TEST_CASE("on the Single-Path NAS space, every expansion width can be sorted and pruned", "[prune][zoo]") {
    using spnas = zoo::single_path_nas;
    constexpr shape input{28, 28, 1};
    nn::model<spnas> m(input, 16);
    randomize(m, 17);
    rng random(18);
    const tensor<float> x = testing::random_tensor<float>(batch_shape(2, input), random);
    for (int draw = 0; draw < 3; ++draw) {
        const architecture a = space::sample<spnas>(input, random);
        INFO("architecture " << to_text(a));
        const std::vector<float> before = run(m, a, x);
        const std::vector<prune::width_slot> widths = prune::width_slots(m, a);
        REQUIRE(!widths.empty());
        for (const prune::width_slot& w : widths) {
            CHECK(w.refusal.empty());
            (void)prune::sort_filters(m, a, w.slot);
        }
        CHECK(largest_difference(before, run(m, a, x)) < 1e-5);
        for (const prune::width_slot& w : widths)
            if (w.prunable()) {
                const architecture p = prune::prune_width(m, a, w.slot, 0);
                CHECK(cost::of<spnas>(input, cost::precision::int8, p.view()).flash_bytes <
                      cost::of<spnas>(input, cost::precision::int8, a.view()).flash_bytes);
                break;
            }
    }
}

TEST_CASE("pruning to a target narrows step by step, fine-tuning after each", "[prune]") {
    nn::model<chain> m(chain_input, 14);
    randomize(m, 15);
    const architecture wide{{2, 1}};
    const cost::costs full = cost::of<chain>(chain_input, cost::precision::int8, wide.view());
    const cost::costs smallest = cost::of<chain>(chain_input, cost::precision::int8, std::vector<int>{0, 0});

    prune::prune_target target;
    target.budget.flash_bytes = (full.flash_bytes + smallest.flash_bytes) / 2;
    int tuned = 0;
    const prune::prune_result r = prune::prune_to_target(m, wide, target, [&](const prune::prune_step& s) {
        ++tuned;
        CHECK(s.to_width < s.from_width);
        CHECK(s.after[s.slot] == s.before[s.slot] - 1);
        CHECK(s.costs == cost::of<chain>(chain_input, cost::precision::int8, s.after.view()));
    });
    CHECK(r.reached);
    CHECK(r.stopped.empty());
    CHECK(tuned == static_cast<int>(r.steps.size()));
    CHECK(!r.steps.empty());
    CHECK(r.costs.flash_bytes <= *target.budget.flash_bytes);
    for (std::size_t i = 1; i < r.steps.size(); ++i) CHECK(r.steps[i].costs.flash_bytes < r.steps[i - 1].costs.flash_bytes);

    // A target no width can reach stops with a reason.
    prune::prune_target impossible;
    impossible.budget.ram_bytes = 1;
    const prune::prune_result stuck = prune::prune_to_target(m, r.arch, impossible, [](const prune::prune_step&) {});
    CHECK_FALSE(stuck.reached);
    CHECK_THAT(stuck.stopped, Catch::Contains("no elastic width left"));
    CHECK(stuck.arch[0] == 0);

    // Bounds pruning cannot aim at are refused with the reason.
    prune::prune_target with_macs;
    with_macs.budget.flash_bytes = 1'000'000;
    with_macs.budget.macs = 1000;
    CHECK_THROWS_WITH(prune::prune_to_target(m, r.arch, with_macs, [](const prune::prune_step&) {}),
                      Catch::Contains("only flash and peak RAM bounds"));
    CHECK_THROWS_WITH(prune::prune_to_target(m, r.arch, prune::prune_target{}, [](const prune::prune_step&) {}),
                      Catch::Contains("set a flash or a peak RAM bound"));
}

TEST_CASE("pruning refuses, changing nothing, what it cannot reorder", "[prune]") {
    SECTION("an output that feeds a residual block") {
        nn::model<feeds_residual> m(small, 1);
        const auto before = snapshot(m);
        CHECK_THROWS_WITH(prune::prune_width(m, architecture{{1}}, 0, 0),
                          Catch::Contains("slot 0") && Catch::Contains("input of a residual block"));
        CHECK(snapshot(m) == before);
    }
    SECTION("an output added to a residual block's input") {
        nn::model<inside_residual> m(small, 1);
        CHECK_THROWS_WITH(prune::sort_filters(m, architecture{{1}}, 0), Catch::Contains("added to a residual block's input"));
    }
    SECTION("the network's output") {
        nn::model<last> m(small, 1);
        CHECK_THROWS_WITH(prune::filter_norms(m, architecture{{1}}, 0), Catch::Contains("the network's output"));
    }
    SECTION("a channel shuffle before any reader") {
        nn::model<shuffled> m(small, 1);
        const auto before = snapshot(m);
        CHECK_THROWS_WITH(prune::prune_width(m, architecture{{1}}, 0, 0), Catch::Contains("a channel shuffle"));
        CHECK(snapshot(m) == before);
    }
    SECTION("a slot that is not an elastic width of the path") {
        nn::model<chosen> m(small, 1);
        const architecture other{{1, 0}};  // the plain option: slot 1 is not on the path
        CHECK_THROWS_WITH(prune::prune_width(m, other, 1, 0), Catch::Contains("slot 1 is not an elastic width on the path"));
        CHECK_THROWS_WITH(prune::prune_width(m, other, 0, 0), Catch::Contains("slot 0 is not an elastic width"));
        const architecture elastic{{0, 1}};
        CHECK(prune::prune_width(m, elastic, 1, 0) == architecture{{0, 0}});
    }
    SECTION("a width that is not narrower") {
        nn::model<chain> m(chain_input, 1);
        const auto before = snapshot(m);
        CHECK_THROWS_WITH(prune::prune_width(m, architecture{{1, 1}}, 0, 1), Catch::Contains("has width 6; option 1 (width 6) is not narrower"));
        CHECK_THROWS_WITH(prune::prune_width(m, architecture{{1, 1}}, 0, 2), Catch::Contains("is not narrower"));
        CHECK(snapshot(m) == before);
    }
    SECTION("an invalid architecture") {
        nn::model<chain> m(chain_input, 1);
        CHECK_THROWS_WITH(prune::filter_norms(m, architecture{{3, 1}}, 0), Catch::Contains("architecture 3-1"));
    }
}

} // namespace test_prune
