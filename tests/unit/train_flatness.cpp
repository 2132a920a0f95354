// Flatness of a trained model's loss (train/flatness.hpp) and accuracy on corrupted copies of a
// test set (train/robustness.hpp): the expected loss of a one-layer model under multiplicative
// weight noise against numerical integration, exact answers for a flat case and for no noise,
// weights restored bit for bit, top1_robust, and bad settings.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <numbers>
#include <utility>
#include <vector>

#include "nascent/core/error.hpp"
#include "nascent/data/dataset.hpp"
#include "nascent/data/normalization.hpp"
#include "nascent/nn/dense.hpp"
#include "nascent/nn/elementwise.hpp"
#include "nascent/nn/model.hpp"
#include "nascent/nn/sequential.hpp"
#include "nascent/search/evaluator.hpp"
#include "nascent/train/flatness.hpp"
#include "nascent/train/robustness.hpp"

// The file's names live in a namespace of their own: the tests compile in unity groups.
namespace test_train_flatness {

using namespace nascent;

namespace {

using one_layer = sequential<flatten, dense<2>>;

// One image of one pixel that the network sees as 1.0, labelled 0.
image_dataset single_pixel() {
    image_dataset d;
    d.sample = {1, 1, 1};
    d.classes = 2;
    d.pixels = {255};
    d.labels = {0};
    return d;
}
const normalization unit_scale{{0.0F}, {1.0F}};

train::flatness_options noise(double sigma, int draws, std::uint64_t seed = 1, bool all_parameters = false) {
    train::flatness_options o;
    o.sigma = sigma;
    o.draws = draws;
    o.seed = seed;
    o.all_parameters = all_parameters;
    return o;
}

train::robustness_options cells(std::vector<corruption> corruptions, std::vector<int> severities) {
    train::robustness_options o;
    o.corruptions = std::move(corruptions);
    o.severities = std::move(severities);
    return o;
}

// logits (w0, w1) * 1 + (b0, b1)
nn::model<one_layer> model_with(float w0, float w1, float b0, float b1) {
    nn::model<one_layer> m(shape{1, 1, 1}, 1);
    auto params = m.parameters();
    REQUIRE(params.size() == 2);
    params[0]->value(0, 0) = w0;
    params[0]->value(1, 0) = w1;
    params[1]->value(0) = b0;
    params[1]->value(1) = b1;
    return m;
}

} // namespace

TEST_CASE("flatness: the mean perturbed loss of a one-layer model is its expectation", "[train][flatness]") {
    // loss = log(1 + exp(-(z0 - z1))) with z0 - z1 = a (1 + s e0) + a (1 + s e1) = a (2 + s sqrt(2) Z)
    constexpr double a = 2.0, sigma = 0.5;
    nn::model<one_layer> m = model_with(static_cast<float>(a), static_cast<float>(-a), 0.0F, 0.0F);
    const train::flatness_report f = train::flatness_of(m, single_pixel(), unit_scale, noise(sigma, 3000, 5));

    double expected = 0.0, mass = 0.0;  // E over Z ~ N(0, 1), midpoint rule on [-9, 9]
    constexpr int steps = 20000;
    for (int i = 0; i < steps; ++i) {
        const double z = -9.0 + 18.0 * (i + 0.5) / steps;
        const double density = std::exp(-0.5 * z * z) / std::sqrt(2.0 * std::numbers::pi) * 18.0 / steps;
        expected += density * std::log1p(std::exp(-a * (2.0 + sigma * std::sqrt(2.0) * z)));
        mass += density;
    }
    CHECK(mass == Approx(1.0).epsilon(1e-6));
    CHECK(f.loss == Approx(std::log1p(std::exp(-2.0 * a))).epsilon(1e-5));
    CHECK(f.perturbed_loss == Approx(expected).margin(3e-3));  // Monte Carlo: about 6e-4 standard error
    CHECK(f.sharpness == Approx(expected - f.loss).margin(3e-3));
    CHECK(f.sharpness > 0.01);  // the loss is convex in the weights here
    CHECK(f.accuracy == 1.0);
}

TEST_CASE("flatness: no noise, or weights that are zero, leave the loss exactly", "[train][flatness]") {
    nn::model<one_layer> m = model_with(1.5F, -0.5F, 0.25F, -0.25F);
    const train::flatness_report none = train::flatness_of(m, single_pixel(), unit_scale, noise(0.0, 3));
    CHECK(none.perturbed_loss == none.loss);
    CHECK(none.sharpness == 0.0);

    // zero kernels: multiplicative noise cannot move them; the biases are left unless asked
    nn::model<one_layer> flat = model_with(0.0F, 0.0F, 1.0F, -1.0F);
    const train::flatness_report kernels_only = train::flatness_of(flat, single_pixel(), unit_scale, noise(0.3, 4));
    CHECK(kernels_only.perturbed_loss == kernels_only.loss);
    const train::flatness_report everything =
        train::flatness_of(flat, single_pixel(), unit_scale, noise(0.3, 4, 1, true));
    CHECK(everything.perturbed_loss != everything.loss);
}

TEST_CASE("flatness: the weights come back bit for bit, and a seed fixes the figure", "[train][flatness]") {
    nn::model<one_layer> m = model_with(0.7F, -1.1F, 0.3F, 0.2F);
    const auto before = m.parameters();
    const std::vector<float> w(before[0]->value.begin(), before[0]->value.end());
    const std::vector<float> b(before[1]->value.begin(), before[1]->value.end());
    const train::flatness_report one = train::flatness_of(m, single_pixel(), unit_scale, noise(0.4, 7, 9, true));
    CHECK(std::vector<float>(before[0]->value.begin(), before[0]->value.end()) == w);
    CHECK(std::vector<float>(before[1]->value.begin(), before[1]->value.end()) == b);
    const train::flatness_report again = train::flatness_of(m, single_pixel(), unit_scale, noise(0.4, 7, 9, true));
    CHECK(again.perturbed_loss == one.perturbed_loss);
    CHECK(train::flatness_of(m, single_pixel(), unit_scale, noise(0.4, 7, 10)).perturbed_loss != one.perturbed_loss);
}

TEST_CASE("flatness: top1_robust and bad settings", "[train][flatness]") {
    CHECK(train::top1_robust(0.9, 0.6, 0.75) == Approx(0.825));
    CHECK(train::top1_robust(0.9, 0.6, 1.0) == 0.9);
    CHECK_THROWS_WITH(train::top1_robust(0.9, 0.6, 1.5), Catch::Contains("alpha must be between 0 and 1, got 1.5"));
    nn::model<one_layer> m = model_with(1.0F, -1.0F, 0.0F, 0.0F);
    CHECK_THROWS_WITH(train::flatness_of(m, single_pixel(), unit_scale, noise(-0.1, 5)), Catch::Contains("sigma must be at least 0"));
    CHECK_THROWS_WITH(train::flatness_of(m, single_pixel(), unit_scale, noise(0.05, 0)), Catch::Contains("draws must be positive"));
    CHECK_THROWS_WITH(train::flatness_of(m, image_dataset{}, unit_scale), Catch::Contains("dataset is empty"));
}

TEST_CASE("flatness: a judge's robustness is the perturbed accuracy of flatness_of", "[train][flatness][search]") {
    // logits close to a tie, noise large enough to flip some draws: a robustness strictly between 0 and 1
    nn::model<one_layer> m = model_with(0.2F, -0.1F, 0.0F, 0.0F);
    const train::flatness_options o = noise(1.0, 40, 3);
    const train::flatness_report f = train::flatness_of(m, single_pixel(), unit_scale, o);
    REQUIRE(f.perturbed_accuracy > 0.0);
    REQUIRE(f.perturbed_accuracy < 1.0);
    const train::evaluation e = train::evaluate_with_robustness(m, single_pixel(), unit_scale, o);
    CHECK(e.robustness == f.perturbed_accuracy);
    CHECK(e.accuracy == f.accuracy);
    CHECK(e.loss == f.loss);

    const image_dataset data = single_pixel();
    search::evaluator_options measured;
    measured.recalibration_batches = 0;
    measured.flatness_draws = 40;
    measured.flatness_sigma = 1.0;
    measured.flatness_seed = 3;
    search::supernet_evaluator judge(m, data, data, unit_scale, measured);
    const train::evaluation j = judge(architecture{});
    CHECK(j.robustness == f.perturbed_accuracy);
    CHECK(j.accuracy == f.accuracy);
    search::supernet_evaluator plain(m, data, data, unit_scale, search::evaluator_options{.recalibration_batches = 0});
    CHECK(plain(architecture{}).robustness < 0.0);  // not measured
    measured.flatness_draws = -1;
    CHECK_THROWS_WITH(search::supernet_evaluator(m, data, data, unit_scale, measured), Catch::Contains("flatness_draws must not be negative"));
}

TEST_CASE("robustness: each corruption and severity is measured, and bad settings are refused", "[train][robustness]") {
    // a 4x4 image that a one-layer model separates by its brightness: bright is class 0
    image_dataset d;
    d.sample = {4, 4, 1};
    d.classes = 2;
    for (int i = 0; i < 8; ++i) {
        const std::uint8_t v = i % 2 == 0 ? 200 : 40;
        d.pixels.insert(d.pixels.end(), 16, v);
        d.labels.push_back(static_cast<std::uint8_t>(i % 2));
    }
    nn::model<one_layer> m(shape{4, 4, 1}, 1);
    auto params = m.parameters();
    for (std::size_t k = 0; k < 16; ++k) {
        params[0]->value(0, k) = 1.0F;
        params[0]->value(1, k) = -1.0F;
    }
    params[1]->value(0) = -7.5F;  // 16 * 120/255 = 7.53: the midpoint
    params[1]->value(1) = 7.5F;
    const normalization raw{{0.0F}, {1.0F}};
    const train::robustness_report r = train::robustness_of(m, d, raw, cells({corruption::contrast, corruption::brightness}, {1, 5}));
    CHECK(r.clean_accuracy == 1.0);
    REQUIRE(r.cells.size() == 4);
    CHECK(r.cells[0].kind == corruption::contrast);
    CHECK(r.cells[1].severity == 5);
    CHECK(r.cells[3].kind == corruption::brightness);
    // per image, contrast pulls a flat image to its own mean: nothing changes; brightness at 5 lifts
    // the dark images by 0.3 * 255 = 76.5 to 116.5 (still dark) and the bright ones to 255
    CHECK(r.mean_of(corruption::contrast) == 1.0);
    CHECK(r.mean_of(corruption::brightness) == 1.0);
    CHECK(r.mean_corrupted_accuracy == 1.0);
    CHECK(r.mean_of(corruption::zoom_blur) == 0.0);
    CHECK_THROWS_WITH(train::robustness_of(m, d, raw, cells({corruption::contrast}, {7})), Catch::Contains("severity must be between 1 and 5"));
    CHECK_THROWS_WITH(train::robustness_of(m, d, raw, cells({}, {1})), Catch::Contains("no corruption"));
}

} // namespace test_train_flatness
