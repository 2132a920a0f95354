// Early exits (space/early_exit.hpp, nn/early_exit.hpp, cost/exits.hpp, train/early_exit.hpp):
// the shape rules and their errors, each exit's MACs and flash by hand and at compile time, the
// head ordered before the rest of the backbone in the deploy graph, joint training with weighted
// losses, the confidence policy, thresholds chosen on validation data and avg_macs by hand; in a
// search: MAC bounds per exit, a supernet trained with its exits, avg_macs judged and minimised.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "nascent/core/error.hpp"
#include "nascent/core/random.hpp"
#include "nascent/core/text.hpp"
#include "nascent/cost/costs.hpp"
#include "nascent/cost/exits.hpp"
#include "nascent/data/dataset.hpp"
#include "nascent/deploy/build.hpp"
#include "nascent/deploy/fixed.hpp"
#include "nascent/nn/extract.hpp"
#include "nascent/data/normalization.hpp"
#include "nascent/nn/supernet.hpp"
#include "nascent/search/evaluator.hpp"
#include "nascent/search/nsga2.hpp"
#include "nascent/search/supernet_training.hpp"
#include "nascent/space/bound.hpp"
#include "nascent/ops/conv2d.hpp"
#include "nascent/ops/dense.hpp"
#include "nascent/ops/global_avg_pool.hpp"
#include "nascent/ops/relu.hpp"
#include "nascent/space/architecture.hpp"
#include "nascent/space/early_exit.hpp"
#include "nascent/space/sequential.hpp"
#include "nascent/train/early_exit.hpp"
#include "nascent/train/fit.hpp"
#include "nascent/train/schedule.hpp"
#include "nascent/train/sgd.hpp"

// The file's names live in a namespace of their own: the tests compile in unity groups.
namespace test_early_exit {

using namespace nascent;
using cost::precision;

namespace {

constexpr shape in{8, 8, 1};
using head = sequential<global_avg_pool, dense<3>>;
using wide_head = sequential<conv2d<8, 1>, relu, global_avg_pool, dense<3>>;
using backbone_start = sequential<conv2d<4, 3>, relu>;
using backbone_end = sequential<conv2d<8, 3, 2>, relu, global_avg_pool, dense<3>>;
using with_exit = sequential<conv2d<4, 3>, relu, exit_branch<head>, conv2d<8, 3, 2>, relu, global_avg_pool, dense<3>>;
using without_exit = sequential<conv2d<4, 3>, relu, conv2d<8, 3, 2>, relu, global_avg_pool, dense<3>>;
using exit_space = sequential<conv2d<4, 3>, relu, early_exit<head, wide_head>, conv2d<8, 3, 2>, relu, global_avg_pool, dense<3>>;

constexpr shape after_start = backbone_start::output(in);

// A fixed network's exits are known at compile time.
static_assert([] { return cost::exit_figures_of<with_exit>(in, precision::int8).size(); }() == 2);
static_assert([] { return cost::exit_figures_of<with_exit>(in, precision::int8)[0].head_macs; }() == head::macs(after_start));
static_assert(cost::of<with_exit>(in, precision::int8).peak_ram_bytes <= 1024);

/// 8 x 8 images of three classes: class c has its bright rows in band c (rows 0-2, 3-5, 6-7),
/// the rest noise.
image_dataset bands(std::size_t n, std::uint64_t seed) {
    image_dataset d;
    d.sample = in;
    d.classes = 3;
    rng random(seed);
    for (std::size_t i = 0; i < n; ++i) {
        const int c = static_cast<int>(random.below(3));
        d.labels.push_back(static_cast<std::uint8_t>(c));
        for (int r = 0; r < 8; ++r)
            for (int col = 0; col < 8; ++col) {
                const bool bright = (c == 0 && r < 3) || (c == 1 && r >= 3 && r < 6) || (c == 2 && r >= 6);
                d.pixels.push_back(static_cast<std::uint8_t>((bright ? 150 : 0) + random.below(100)));
            }
    }
    return d;
}

/// Three epochs of SGD on `data`, the exits' losses weighted by `exit_weights`.
void fit_briefly(nn::model<with_exit>& m, const image_dataset& data, const normalization& norm, std::vector<double> exit_weights) {
    train::sgd<float> opt(m.parameters(), {.momentum = 0.9});
    train::fit_options f;
    f.epochs = 3;
    f.batch_size = 32;
    f.progress = false;
    f.log = nullptr;
    f.exit_loss_weights = std::move(exit_weights);
    (void)train::fit(m, opt, train::constant_lr{.rate = 0.05}, data, image_dataset{}, norm, f);
}

/// A pixel of a one-channel image as the network reads it.
float normalized(const normalization& n, std::uint8_t pixel) { return (static_cast<float>(pixel) / 255.0F - n.mean[0]) / n.stddev[0]; }

train::exit_predictions hand_predictions() {
    // four images, one early exit and the final one: [image][exit] predictions and confidences
    train::exit_predictions p;
    p.exit_count = 2;
    p.labels = {0, 1, 2, 0};
    p.predicted = {0, 0, 0, 1, 2, 2, 1, 1};
    p.confidence = {0.95, 0.99, 0.60, 0.90, 0.85, 0.97, 0.70, 0.80};
    return p;
}

} // namespace

TEST_CASE("early exits: the shape rules, and a head that gives no logits", "[early_exit][space]") {
    CHECK(space::check<with_exit>(in) == problem::none);
    CHECK(with_exit::output(in) == without_exit::output(in));
    CHECK(exit_branch<head>::logits(after_start) == shape{1, 1, 3});
    using no_logits = sequential<conv2d<4, 3>, exit_branch<conv2d<3, 1>>, global_avg_pool, dense<3>>;
    CHECK(space::check<no_logits>(in) == problem::exit_head_not_logits);
    CHECK(std::string(describe(problem::exit_head_not_logits)).find("end it with global_avg_pool") != std::string::npos);
    CHECK_THROWS_WITH((nn::model<no_logits>(in, 1)), Catch::Contains("cannot read its input of shape 8x8x4: an early exit's head does not end in a vector of logits"));

    CHECK(space::decisions<exit_space> == 1);
    CHECK(space::options<exit_space>() == std::array<int, 1>{3});
    CHECK(space::size<exit_space>().count == 3);
    CHECK(space::validate<exit_space>(in, std::vector<int>{2}) == problem::none);
    CHECK(space::validate<exit_space>(in, std::vector<int>{3}) == problem::decision_out_of_range);
    using bad_option = sequential<conv2d<4, 3>, early_exit<head, conv2d<3, 1>>, global_avg_pool, dense<3>>;
    CHECK(space::validate<bad_option>(in, std::vector<int>{1}) == problem::none);
    CHECK(space::validate<bad_option>(in, std::vector<int>{2}) == problem::exit_head_not_logits);
}

TEST_CASE("early exits: MACs up to each exit, the head's flash, and the head ordered before the backbone", "[early_exit][cost]") {
    const std::vector<cost::exit_figures> e = cost::exit_figures_of<with_exit>(in, precision::int8);
    REQUIRE(e.size() == 2);
    const std::size_t start_macs = conv2d<4, 3>::macs(in);
    const std::size_t end_macs = backbone_end::macs(after_start);
    CHECK(e[0].backbone_macs == start_macs);
    CHECK(e[0].head_macs == head::macs(after_start));
    CHECK(e[0].macs_to_exit() == start_macs + head::macs(after_start));
    CHECK(e[0].device_macs == e[0].macs_to_exit() + 3);  // the gate compares the three logits
    CHECK(e[0].logits == shape{1, 1, 3});
    CHECK(e[0].head_params == head::params(after_start));
    // the head's weights and parameters, and the gate's threshold and exponential table (int32 each)
    CHECK(e[0].head_flash_bytes == cost::of<head>(after_start, precision::int8).flash_bytes + 4 * deploy::param_layout::exit_gate::count);
    CHECK(e[1].backbone_macs == start_macs + end_macs);
    CHECK(e[1].head_macs == 0);
    CHECK(e[1].device_macs == e[0].device_macs + end_macs);

    const cost::costs with = cost::of<with_exit>(in, precision::int8);
    const cost::costs plain = cost::of<without_exit>(in, precision::int8);
    CHECK(with.macs == e[1].device_macs);  // every exit passed: the worst case
    CHECK(with.flash_bytes == plain.flash_bytes + e[0].head_flash_bytes);
    CHECK(with.params == plain.params + e[0].head_params);
    // the head runs while the tensor it reads (8 x 8 x 4 int8) is live: its pooled vector and logits on top
    CHECK(with.peak_ram_bytes >= 256 + 4 + 4);
    CHECK(with.peak_ram_bytes >= plain.peak_ram_bytes);

    const cost::graph g = cost::lower<with_exit>(in, precision::int8);
    std::vector<op_type> order;
    for (const auto& o : g.ops) order.push_back(o.type);
    CHECK(order == std::vector<op_type>{op_type::conv, op_type::global_avg_pool, op_type::dense, op_type::exit_gate, op_type::conv,
                                        op_type::global_avg_pool, op_type::dense});
    CHECK(g.ops[1].exit == 0);
    CHECK(g.ops[3].exit == 0);
    CHECK(g.ops[4].exit == -1);
    CHECK(g.ops[4].inputs[0] == g.ops[3].output);  // the backbone goes on from the gate
    CHECK(g.ops[0].activation == fused_activation::relu);  // the head does not stop the relu from fusing

    // an architecture of the space: no exit, or the wide head
    CHECK(cost::exit_figures_of<exit_space>(in, precision::int8, std::vector<int>{0}).size() == 1);
    const auto wide = cost::exit_figures_of<exit_space>(in, precision::int8, std::vector<int>{2});
    REQUIRE(wide.size() == 2);
    CHECK(wide[0].head_macs == wide_head::macs(after_start));
}

TEST_CASE("early exits: the policy by confidence, avg_macs by hand, thresholds on validation data", "[early_exit][train]") {
    const train::exit_predictions p = hand_predictions();
    const train::exit_outcome o = train::apply_policy(p, {{0.8}});
    // images 0 and 2 are sure enough at the early exit (0.95, 0.85); 1 and 3 go on
    CHECK(o.counts == std::vector<std::size_t>{2, 2});
    CHECK(o.shares == std::vector<double>{0.5, 0.5});
    CHECK(o.accuracy == Approx(3.0 / 4.0));  // 0 and 2 right early; 1 right, 3 wrong at the end
    CHECK(o.accuracy_at == std::vector<double>{1.0, 0.5});
    std::vector<cost::exit_figures> figures(2);
    figures[0].backbone_macs = 60;
    figures[0].head_macs = 40;
    figures[1].backbone_macs = 300;
    figures[1].device_macs = 345;
    figures[0].device_macs = 103;
    CHECK(train::average_macs(o, figures) == Approx(0.5 * 100 + 0.5 * 300));
    CHECK(train::average_device_macs(o, figures) == Approx(0.5 * 103 + 0.5 * 345));
    const train::exit_outcome all_early = train::apply_policy(p, {{0.5}});
    CHECK(all_early.counts == std::vector<std::size_t>{4, 0});
    CHECK(all_early.accuracy == Approx(2.0 / 4.0));

    // the final exit alone is right on 3 of 4; within a drop of 0 the lowest tau of the grid keeping that is 0.65
    train::threshold_options t;
    t.max_accuracy_drop = 0.0;
    t.grid = {0.5, 0.65, 0.75, 0.9, 1.0};
    CHECK(train::choose_thresholds(p, t).thresholds == std::vector<double>{0.65});
    t.max_accuracy_drop = 0.25;  // 2 of 4 is enough: every image may leave early
    CHECK(train::choose_thresholds(p, t).thresholds == std::vector<double>{0.5});

    CHECK_THROWS_WITH(train::apply_policy(p, {{0.0}}), Catch::Contains("tau must be in (0, 1], got 0"));
    CHECK_THROWS_WITH(train::apply_policy(p, {{1.5}}), Catch::Contains("tau must be in (0, 1], got 1.5"));
    CHECK_THROWS_WITH(train::apply_policy(p, {{0.5, 0.5}}), Catch::Contains("2 thresholds for 1 early exits"));
    t.grid = {0.5, 1.2};
    CHECK_THROWS_WITH(train::choose_thresholds(p, t), Catch::Contains("got 1.2"));
    CHECK_THROWS_WITH(train::average_macs(o, std::vector<cost::exit_figures>(3)), Catch::Contains("2 exits measured, 3 in the cost model"));
}

TEST_CASE("early exits: joint training with weighted losses teaches the head", "[early_exit][train]") {
    const image_dataset train_set = bands(600, 1), validation = bands(300, 2);
    const normalization norm = standardization_of(train_set);
    auto trained = [&](std::vector<double> weights) {
        nn::model<with_exit> m(in, 3);
        fit_briefly(m, train_set, norm, std::move(weights));
        return train::predict_exits(m, validation, norm);
    };
    auto exit_accuracy = [](const train::exit_predictions& p, std::size_t e) {
        std::size_t right = 0;
        for (std::size_t i = 0; i < p.images(); ++i) right += p.predicted_at(i, e) == p.labels[i] ? 1U : 0U;
        return static_cast<double>(right) / static_cast<double>(p.images());
    };
    const train::exit_predictions joint = trained({1.0, 1.0});
    REQUIRE(joint.exit_count == 2);
    const train::exit_predictions final_only = trained({0.0, 1.0});  // the head's loss weighs nothing
    INFO("exit 0: joint " << exit_accuracy(joint, 0) << ", final only " << exit_accuracy(final_only, 0));
    CHECK(exit_accuracy(joint, 0) > 0.9);
    CHECK(exit_accuracy(final_only, 0) < 0.6);
    CHECK(exit_accuracy(joint, 1) > 0.9);
    // the policy keeps the accuracy and sends most images out early
    const train::exit_policy policy = train::choose_thresholds(joint);
    const train::exit_outcome o = train::apply_policy(joint, policy);
    CHECK(o.accuracy >= exit_accuracy(joint, 1) - 0.01 - 1e-12);
    CHECK(o.shares[0] > 0.5);
    const double avg = train::average_macs(o, cost::exit_figures_of<with_exit>(in, precision::int8));
    CHECK(avg < static_cast<double>(cost::exit_figures_of<with_exit>(in, precision::int8)[1].macs_to_exit()));

    nn::model<with_exit> m(in, 3);
    train::sgd<float> opt(m.parameters(), {.momentum = 0.9});
    train::fit_options f;
    f.epochs = 1;
    f.progress = false;
    f.log = nullptr;
    f.exit_loss_weights = {1.0, 1.0, 1.0};
    CHECK_THROWS_WITH(train::fit(m, opt, train::constant_lr{.rate = 0.05}, train_set, image_dataset{}, norm, f),
                      Catch::Contains("3 exit loss weights for a network of 2 exits"));
}

TEST_CASE("early exits: a supernet runs the head its slot picks, in single-path passes only", "[early_exit][nn]") {
    nn::model<exit_space> supernet(in, 5);
    const image_dataset data = bands(8, 3);
    const normalization norm = standardization_of(data);
    CHECK(train::predict_exits(supernet, data, norm, std::vector<int>{0}).exit_count == 1);
    CHECK(train::predict_exits(supernet, data, norm, std::vector<int>{1}).exit_count == 2);
    const train::exit_predictions wide = train::predict_exits(supernet, data, norm, std::vector<int>{2});
    CHECK(wide.exit_count == 2);
    // the two heads own their weights: the supernet holds both
    nn::model<with_exit> one(in, 5);
    CHECK(supernet.parameter_count() == one.parameter_count() + wide_head::params(after_start));

    tape<float> graph;
    nn::context<float> ctx{graph, false, nullptr};
    ctx.mode = nn::sampling::mixed;
    tensor<float> batch({1, 8, 8, 1});
    CHECK_THROWS_WITH(supernet.forward(ctx, graph.leaf(batch)), Catch::Contains("early_exit: only single-path passes"));
}

TEST_CASE("early exits in a search: MAC bounds per exit, avg_macs judged on validation data, NSGA-II on it", "[early_exit][search]") {
    const std::vector<cost::exit_figures> e = cost::exit_figures_of<with_exit>(in, precision::int8);
    const cost::costs c = cost::of<with_exit>(in, precision::int8);
    CHECK(c.early_exits == 1);
    CHECK(c.exit_macs[0] == e[0].macs_to_exit());
    CHECK(c.exit_macs[1] == 0);
    CHECK(cost::of<without_exit>(in, precision::int8).early_exits == 0);
    cost::budget b;
    b.exit_macs[0] = e[0].macs_to_exit();
    CHECK(cost::within(c, b));
    CHECK(search::satisfies(c, b));
    b.exit_macs[0] = e[0].macs_to_exit() - 10;
    CHECK_FALSE(cost::within(c, b));
    CHECK_FALSE(search::satisfies(c, b));
    CHECK(search::excess(c, b) == Approx(10.0 / static_cast<double>(e[0].macs_to_exit() - 10)));
    CHECK(search::describe(b) == string_of("MACs to exit 1 <= ", e[0].macs_to_exit() - 10, " at int8"));
    b.exit_macs[0] = {};
    b.exit_macs[1] = 5;  // a bound on a second exit the network does not have
    CHECK(search::satisfies(c, b));

    // a space of 6 networks: an exit after the first conv (none, small or wide head), another after the second (none or small)
    using two_exits = sequential<conv2d<4, 3>, relu, early_exit<head, wide_head>, conv2d<8, 3, 2>, relu, early_exit<head>, conv2d<8, 3>,
                                 relu, global_avg_pool, dense<3>>;
    using bound = space::bound<two_exits, in>;
    nn::model<bound> supernet(7);
    const image_dataset train_set = bands(900, 4), validation = bands(400, 5);
    const normalization norm = standardization_of(train_set);
    search::supernet_options so;
    so.epochs = 4;
    so.batch_size = 32;
    so.exit_loss_weight = 1.0;
    (void)search::train_supernet<two_exits>(supernet, train_set, norm, so);
    search::evaluator_options eo;
    eo.recalibration_batches = 2;
    eo.exit_accuracy_drop = 0.02;
    search::supernet_evaluator judge(supernet, train_set, validation, norm, eo);
    const train::evaluation none = judge(architecture{{0, 0}});
    CHECK(none.average_macs == Approx(static_cast<double>(cost::exit_figures_of<two_exits>(in, precision::int8, std::vector<int>{0, 0})[0].macs_to_exit())));
    const train::evaluation early = judge(architecture{{1, 1}});
    const auto figures = cost::exit_figures_of<two_exits>(in, precision::int8, std::vector<int>{1, 1});
    REQUIRE(figures.size() == 3);
    INFO("no exit: accuracy " << none.accuracy << ", avg_macs " << none.average_macs << "; two exits: " << early.accuracy << ", "
                              << early.average_macs << " of " << figures[2].macs_to_exit());
    CHECK(early.average_macs < 0.8 * static_cast<double>(figures[2].macs_to_exit()));  // most images leave early
    CHECK(early.average_macs >= static_cast<double>(figures[0].macs_to_exit()));
    CHECK(early.accuracy > 0.85);

    search::nsga2_options o{.population = 4, .generations = 2, .seed = 3};
    o.objectives = {search::objective::error, search::objective::avg_macs};
    const search::nsga2_result r = search::nsga2<two_exits>(in, judge, {}, o);
    for (std::size_t i = 0; i < r.history.size(); ++i) {
        CHECK(r.history[i].average_macs >= 0.0);
        CHECK(r.points[i].objectives[1] == r.history[i].average_macs);
    }
    eo.flatness_draws = 2;
    CHECK_THROWS_WITH(search::supernet_evaluator(supernet, train_set, validation, norm, eo), Catch::Contains("flatness_draws or exits, not both"));
}

TEST_CASE("early exits on the device: the int8 gate's integer test is the softmax maximum's", "[early_exit][runtime]") {
    // logits of scale s as an int8 program holds them; the float test on their real values
    constexpr double s = 0.08;
    deploy::tensor_quantization logits;
    logits.scale = static_cast<float>(s);
    logits.zero_point = 3;
    rng random(11);
    for (const double tau : {0.3, 0.6, 0.9, 0.99}) {
        std::vector<std::int32_t> q(deploy::param_layout::exit_gate::count, 0);
        deploy::detail::gate_params(tau, logits, q.data());
        std::size_t checked = 0;
        for (int trial = 0; trial < 2000; ++trial) {
            std::int8_t z[10];
            for (std::int8_t& v : z) v = static_cast<std::int8_t>(static_cast<int>(random.below(120)) - 60);
            z[random.below(10)] = static_cast<std::int8_t>(40 + random.below(80));  // a leading class
            double largest = -1e9, sum = 0.0;
            for (const std::int8_t v : z) largest = std::max(largest, s * v);
            for (const std::int8_t v : z) sum += std::exp(s * v - largest);
            const double p = 1.0 / sum;
            if (std::abs(p - tau) < 2e-3) continue;  // the table's rounding decides there
            ++checked;
            CHECK(deploy::int8::sure_enough(z, 10, q.data()) == (p >= tau));
            float real[10];
            for (int k = 0; k < 10; ++k) real[k] = static_cast<float>(s * (z[k] - logits.zero_point));
            CHECK(deploy::float32::sure_enough(real, 10, static_cast<float>(tau)) == (p >= tau));
        }
        CHECK(checked > 1900);
    }
    std::vector<std::int32_t> q(deploy::param_layout::exit_gate::count, 0);
    CHECK_THROWS_WITH(deploy::detail::gate_params(1.5, logits, q.data()), Catch::Contains("must be in (0, 1], got 1.5"));
}

TEST_CASE("early exits on the device: the int8 program stops at the first sure exit, its arena and flash the cost model's", "[early_exit][deploy]") {
    const image_dataset train_set = bands(600, 1), validation = bands(300, 2), test = bands(300, 6);
    const normalization norm = standardization_of(train_set);
    nn::model<with_exit> m(in, 3);
    fit_briefly(m, train_set, norm, {1.0, 1.0});
    std::vector<float> calibration;
    for (std::size_t i = 0; i < 64; ++i)
        for (std::size_t k = 0; k < in.size(); ++k) calibration.push_back(normalized(norm, validation.image(i)[k]));

    const train::exit_policy policy = train::choose_thresholds(train::predict_exits(m, validation, norm));
    const deploy::build_result b = deploy::build(m, std::vector<int>{}, calibration, policy.thresholds);
    const cost::costs c = cost::of<with_exit>(in, precision::int8);
    CHECK(b.int8_program.arena_bytes == c.peak_ram_bytes);
    CHECK(b.int8_params.weights.size() + 4 * b.int8_params.params.size() == c.flash_bytes);
    std::size_t gates = 0;
    for (const deploy::step& s : b.int8_program.steps) {
        if (s.type != op_type::exit_gate) continue;
        ++gates;
        CHECK(s.in_place);  // the tensor is passed on where it is
        CHECK(s.scratch_bytes == deploy::exit_gate_scratch_bytes);
    }
    CHECK(gates == 1);
    // the fixed network of the same architecture: the same program, at compile time
    using fixed_net = deploy::fixed<with_exit, in, precision::int8>;
    static_assert(fixed_net::arena_bytes == cost::of<with_exit>(in, precision::int8).peak_ram_bytes);
    CHECK(fixed_net::program.steps.size() == b.int8_program.steps.size());

    // every test image through the int8 program: where it stops, against the float policy's decisions
    const train::exit_predictions p = train::predict_exits(m, test, norm);
    const train::exit_outcome host = train::apply_policy(p, policy);
    std::vector<std::uint32_t> words(b.int8_program.arena_bytes / 4 + 1);
    auto* arena = reinterpret_cast<std::byte*>(words.data());
    std::vector<std::size_t> counts(2, 0);
    std::size_t right = 0, agree = 0;
    for (std::size_t i = 0; i < test.size(); ++i) {
        std::int8_t* x = deploy::input<std::int8_t>(b.int8_program, arena);
        for (std::size_t k = 0; k < in.size(); ++k) x[k] = b.int8_params.quantize_input(normalized(norm, test.image(i)[k]));
        const deploy::exit_run r = deploy::run_to_exit(b.int8_program, b.int8_params.weights.data(), b.int8_params.params.data(), arena);
        REQUIRE(r.status == deploy::run_status::ok);
        REQUIRE(r.exit < 2);
        ++counts[r.exit];
        if (r.exit == 0) CHECK(r.steps_run < b.int8_program.steps.size());  // the rest of the backbone did not run
        const std::size_t label = deploy::argmax_at<std::int8_t>(r.logits, arena);
        right += label == test.labels[i] ? 1U : 0U;
        std::size_t e = 0;
        while (e + 1 < p.exit_count && p.confidence_at(i, e) < policy.thresholds[e]) ++e;
        agree += e == r.exit ? 1U : 0U;
    }
    const double int8_accuracy = static_cast<double>(right) / static_cast<double>(test.size());
    INFO("tau " << policy.thresholds[0] << ": int8 leaves early " << counts[0] << " of " << test.size() << ", accuracy " << int8_accuracy
                << "; float policy " << host.counts[0] << ", " << host.accuracy);
    CHECK(counts[0] > 0);
    CHECK(static_cast<double>(agree) / static_cast<double>(test.size()) > 0.95);  // int8 and float decide alike but near tau
    CHECK(int8_accuracy > host.accuracy - 0.03);

    // a threshold of the wrong count or range is refused before anything is built
    CHECK_THROWS_WITH(deploy::build(m, std::vector<int>{}, calibration, std::vector<double>{0.5, 0.5}),
                      Catch::Contains("2 thresholds for a network of 1 early exits"));
    CHECK_THROWS_WITH(deploy::build(m, std::vector<int>{}, calibration, std::vector<double>{0.0}),
                      Catch::Contains("the threshold tau of exit 1 must be in (0, 1], got 0"));
}

TEST_CASE("early exits: a head over the budget is refused with the bound and the least figure seen", "[early_exit][errors]") {
    // the first exit's MACs with the small head are the least any architecture has there
    using one_exit = sequential<conv2d<4, 3>, relu, early_exit<head, wide_head>, conv2d<8, 3, 2>, relu, global_avg_pool, dense<3>>;
    const auto small = cost::exit_figures_of<one_exit>(in, precision::int8, std::vector<int>{1});
    cost::budget b;
    b.macs = small.back().macs_to_exit() / 2;  // impossible with or without the exit
    b.exit_macs[0] = small[0].macs_to_exit() - 1;
    rng random(1);
    CHECK_THROWS_WITH(search::sample_feasible<one_exit>(in, b, random),
                      Catch::Contains(string_of("MACs to exit 1 <= ", small[0].macs_to_exit() - 1)) &&
                          Catch::Contains(string_of("MACs to exit 1 ", small[0].macs_to_exit())));
    // a head alone over the flash budget of a fixed network: the compile-time check names it
    constexpr cost::budget tight{.flash_bytes = 600};
    static_assert(cost::fits<without_exit>(in, precision::int8, cost::budget{.flash_bytes = 2000}));
    static_assert(!cost::fits<with_exit>(in, precision::int8, tight));
}

} // namespace test_early_exit
