// Supernet training: strict fairness counts, every mode trains, the hardware loss's gradient
// matches finite differences and pushes the expected cost under its target, and batch-norm
// recalibration recovers a path's statistics.
#include <catch2/catch.hpp>

#include <map>
#include <vector>

#include <nascent/data/normalization.hpp>
#include <nascent/nn/supernet.hpp>
#include <nascent/search/recalibrate.hpp>
#include <nascent/search/supernet_training.hpp>
#include <nascent/train/evaluate.hpp>

#include "toy_spaces.hpp"

// The file's names live in a namespace of their own: the tests compile in unity groups.
namespace test_search_training {

using namespace nascent;

namespace {

using toy_space = testing::toy_chain<3>;  // toy_spaces.hpp
constexpr shape toy = testing::toy_input;

/// Images whose class is readable from their brightness, so that training learns something.
image_dataset toy_data(std::size_t count, std::uint64_t seed) {
    rng random(seed);
    image_dataset d;
    d.sample = toy;
    d.classes = 3;
    for (std::size_t i = 0; i < count; ++i) {
        const auto label = static_cast<std::uint8_t>(random.below(3));
        d.labels.push_back(label);
        for (std::size_t p = 0; p < toy.size(); ++p)
            d.pixels.push_back(static_cast<std::uint8_t>(label * 80 + random.below(60)));
    }
    return d;
}

} // namespace

TEST_CASE("strict fairness trains every option of every decision exactly once per group", "[search][fairness]") {
    rng random(3);
    search::fair_sampler<toy_space> fair(toy, random);
    REQUIRE(fair.group_size() == 4);
    for (int g = 0; g < 50; ++g) {
        const auto group = fair.next_group();
        REQUIRE(group.size() == 4);
        for (std::size_t d = 0; d < 3; ++d) {
            std::map<int, int> uses;
            for (const auto& a : group) ++uses[a[d]];
            CHECK(uses.size() == 4);
            for (const auto& [option, n] : uses) CHECK(n == 1);
        }
    }
}

TEST_CASE("every supernet mode trains and lowers the loss", "[search][supernet]") {
    const image_dataset data = toy_data(512, 1);
    const normalization norm = standardization_of(data);
    for (const auto mode : {search::supernet_mode::uniform, search::supernet_mode::fair, search::supernet_mode::darts,
                            search::supernet_mode::gumbel_soft, search::supernet_mode::gumbel_hard,
                            search::supernet_mode::fixed_path}) {
        INFO(search::name(mode));
        nn::model<toy_space, float> model(toy, 5);
        const auto alphas_before = model.architecture_parameters()[0]->value;
        search::supernet_options o;
        o.mode = mode;
        o.epochs = 4;
        o.batch_size = 32;
        o.path = architecture{{1, 0, 3}};
        const auto report = search::train_supernet<toy_space>(model, data, norm, o);
        REQUIRE(report.epochs.size() == 4);
        CHECK(report.epochs.back().loss < report.epochs.front().loss);
        CHECK(report.paths_trained == report.steps * (mode == search::supernet_mode::fair ? 4U : 1U));
        const bool alphas_moved = model.architecture_parameters()[0]->value != alphas_before;
        CHECK(alphas_moved == search::bilevel(mode));
        if (search::bilevel(mode)) CHECK(space::validate<toy_space>(toy, report.epochs.back().derived.view()) == problem::none);
    }
}

TEST_CASE("the hardware loss's gradient matches finite differences of the loss", "[search][hardware]") {
    nn::model<toy_space, double> model(toy, 2);
    rng random(9);
    for (auto* a : model.architecture_parameters())
        for (auto& v : a->value) v = random.uniform(-1.0, 1.0);
    const search::hardware_loss h{cost::metric::peak_ram_bytes, 300.0, 2.0, cost::precision::int8};
    for (auto* a : model.architecture_parameters()) a->zero_grad();
    const auto base = search::apply_hardware_loss<toy_space>(model, toy, h);
    REQUIRE(base.loss > 0.0);  // the target is below every architecture's peak
    for (auto* a : model.architecture_parameters())
        for (std::size_t i = 0; i < a->size(); ++i) {
            // The derived centre must not change under the perturbation: keep it small.
            const double step = 1e-6;
            a->value(i) += step;
            const double up = search::apply_hardware_loss<toy_space>(model, toy, h, false).loss;
            a->value(i) -= 2 * step;
            const double down = search::apply_hardware_loss<toy_space>(model, toy, h, false).loss;
            a->value(i) += step;
            CHECK(a->grad(i) == Approx((up - down) / (2 * step)).epsilon(1e-5).margin(1e-9));
        }
}

TEST_CASE("the expected cost is exact for a space of independent choices", "[search][hardware]") {
    // Parameters of toy_space add up over its three choices: the expectation equals the
    // average over all 64 architectures under uniform probabilities.
    nn::model<toy_space, double> model(toy, 2);
    for (auto* a : model.architecture_parameters()) std::fill(a->value.begin(), a->value.end(), 0.0);
    const search::hardware_loss h{cost::metric::params, 1.0, 1.0, cost::precision::int8};
    const double expected = search::apply_hardware_loss<toy_space>(model, toy, h, false).expected;
    double sum = 0.0;
    for (int a = 0; a < 64; ++a) {
        const std::vector<int> arch{a % 4, (a / 4) % 4, a / 16};
        sum += static_cast<double>(cost::of<toy_space>(toy, cost::precision::int8, arch).params);
    }
    CHECK(expected == Approx(sum / 64.0).epsilon(1e-12));
}

TEST_CASE("the hardware loss drives DARTS under a RAM target it would otherwise exceed", "[search][hardware]") {
    const image_dataset data = toy_data(512, 4);
    const normalization norm = standardization_of(data);
    auto run = [&](double weight) {
        nn::model<toy_space, float> model(toy, 5);
        search::supernet_options o;
        o.mode = search::supernet_mode::darts;
        o.epochs = 3;
        o.batch_size = 32;
        o.alpha_learning_rate = 0.05;
        o.hardware = {cost::metric::peak_ram_bytes, 600.0, weight, cost::precision::int8};
        const auto report = search::train_supernet<toy_space>(model, data, norm, o);
        return cost::of<toy_space>(toy, cost::precision::int8, report.epochs.back().derived.view()).peak_ram_bytes;
    };
    const std::size_t with_loss = run(5.0);
    CHECK(with_loss <= 600);
    INFO("plain DARTS: " << run(0.0) << " B, with the hardware loss: " << with_loss << " B");
}

TEST_CASE("batch-norm recalibration gives a path the statistics of its own activations", "[search][recalibrate]") {
    const image_dataset data = toy_data(256, 6);
    const normalization norm = standardization_of(data);
    nn::model<toy_space, float> model(toy, 5);
    search::supernet_options o;
    o.epochs = 2;
    o.batch_size = 32;
    (void)search::train_supernet<toy_space>(model, data, norm, o);
    const architecture path{{2, 2, 2}};
    REQUIRE(search::recalibrate(model, path, data, norm, 8, 32) == 8);
    // The first batch norm reads the stem convolution; its running mean is now the mean of the
    // stem's outputs over those 8 batches, which a direct computation reproduces.
    const auto stats = model.buffers();
    const float recalibrated = stats[0]->value(0);
    tape<float> t;
    t.enable_grad(false);
    rng unused;
    batcher<float> b(data, 32, norm, false, false, unused);
    b.start_epoch();
    tensor<float> images;
    std::vector<int> labels;
    double sum = 0.0;
    std::size_t n = 0;
    for (int k = 0; k < 8 && b.next(images, labels); ++k) {
        t.reset();
        nn::context<float> ctx{t, false};
        const var y = model.net().get<0>().forward(ctx, t.leaf(images));
        const auto& v = t.value(y);
        double batch_sum = 0.0;
        for (std::size_t i = 0; i < v.size(); i += 4) batch_sum += v.data()[i];
        sum += batch_sum / static_cast<double>(v.size() / 4);
        ++n;
    }
    CHECK(recalibrated == Approx(sum / static_cast<double>(n)).epsilon(1e-4));
}

} // namespace test_search_training
