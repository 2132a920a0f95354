// Search strategies: the constraints are honoured (no candidate that breaks them is evaluated or
// returned; an impossible budget is a clear error), evolution improves on its first population,
// the same seed gives the same search, and the supernet evaluator caches its results.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include <nascent/data/normalization.hpp>
#include <nascent/nn/supernet.hpp>
#include <nascent/search/differentiable.hpp>
#include <nascent/search/evaluator.hpp>
#include <nascent/search/evolution.hpp>
#include <nascent/search/random_search.hpp>
#include <nascent/search/recalibrate.hpp>
#include <nascent/search/supernet_training.hpp>
#include <nascent/train/evaluate.hpp>
#include <nascent/train/fit.hpp>
#include <nascent/train/schedule.hpp>
#include <nascent/train/sgd.hpp>

#include "toy_spaces.hpp"

// The file's names live in a namespace of their own: the tests compile in unity groups.
namespace test_search_strategies {

using namespace nascent;

namespace {

/// 64 architectures: small enough to enumerate (toy_spaces.hpp).
using toy_space = testing::toy_chain<3>;
/// 4^8 = 65536 architectures, for the strategies judged by a formula.
using wide_space = testing::toy_chain<8>;
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
        for (std::size_t p = 0; p < toy.size(); ++p) d.pixels.push_back(static_cast<std::uint8_t>(label * 80 + random.below(60)));
    }
    return d;
}

/// A predictable "accuracy": the fraction of decisions that agree with a hidden target. Remembers
/// every architecture it was asked about.
struct formula {
    std::vector<int> target;
    std::vector<architecture> asked;

    double operator()(const architecture& a) {
        asked.push_back(a);
        double same = 0;
        for (std::size_t i = 0; i < a.size(); ++i) same += a[i] == target[i] ? 1.0 : 0.0;
        return same / static_cast<double>(a.size());
    }
};

/// The peak RAM (int8) of every architecture of toy_space, sorted.
std::vector<std::size_t> toy_peaks() {
    std::vector<std::size_t> peaks;
    for (int a = 0; a < 64; ++a) {
        const std::vector<int> arch{a % 4, (a / 4) % 4, a / 16};
        peaks.push_back(cost::of<toy_space>(toy, cost::precision::int8, arch).peak_ram_bytes);
    }
    std::sort(peaks.begin(), peaks.end());
    return peaks;
}

} // namespace

TEST_CASE("constraints use the cost model's bounds and describe themselves", "[search][constraints]") {
    const cost::budget none;
    CHECK_FALSE(none.bounded());
    CHECK(search::describe(none) == "no constraints");
    const cost::budget limits{.ram_bytes = 500, .macs = 10000};
    CHECK(limits.bounded());
    CHECK(search::describe(limits) == "peak RAM <= 500 B, MACs <= 10000 at int8");
    cost::costs c;
    c.peak_ram_bytes = 500;
    c.macs = 9000;
    CHECK(search::satisfies(c, limits));
    c.peak_ram_bytes = 600;
    CHECK_FALSE(search::satisfies(c, limits));
    CHECK(search::excess(c, limits) == Approx(0.2));
    CHECK(search::bounds_of(limits).ram_bytes == 500);
    CHECK(search::bounds_of(limits).flash_bytes == std::numeric_limits<std::size_t>::max());
    // one budget type: the cost model's check and the search's agree
    CHECK_FALSE(cost::within(c, limits));
    c.peak_ram_bytes = 500;
    CHECK(cost::within(c, limits) == search::satisfies(c, limits));
    static_assert(cost::budget{.ram_bytes = 500}.ram_bytes && !cost::budget{}.flash_bytes && *cost::budget{.macs = 7}.macs == 7);
    static_assert(cost::budget{}.precision == cost::precision::int8 && !cost::budget{}.bounded());
}

TEST_CASE("random search and evolution never evaluate nor return a candidate that breaks the constraints",
          "[search][constraints]") {
    const std::vector<std::size_t> peaks = toy_peaks();
    REQUIRE(peaks.front() < peaks.back());
    const cost::budget limits{.ram_bytes = peaks[peaks.size() / 2 - 10]};  // 27 of 64 fit
    auto fits = [&](const architecture& a) {
        return cost::of<toy_space>(toy, cost::precision::int8, a.view()).peak_ram_bytes <= *limits.ram_bytes;
    };
    formula judge{{2, 2, 2}, {}};  // the target itself may not fit: the constraint must win

    const auto random = search::random_search<toy_space>(toy, judge, limits, {.samples = 12, .seed = 3});
    CHECK(random.history.size() == 12);
    CHECK(random.rejected > 0);
    const auto evolved = search::evolution<toy_space>(
        toy, judge, limits, {.population = 6, .generations = 4, .tournament = 3, .seed = 3});
    CHECK(evolved.history.size() == 6 + 4 * 6);
    CHECK(evolved.rejected > 0);

    REQUIRE(judge.asked.size() == random.history.size() + evolved.history.size());
    for (const auto& a : judge.asked) CHECK(fits(a));
    for (const auto* r : {&random, &evolved}) {
        CHECK(fits(r->best));
        CHECK(r->costs.peak_ram_bytes <= *limits.ram_bytes);
        CHECK(r->accuracy == r->best_entry().accuracy);
        for (const auto& e : r->history) CHECK(e.costs.peak_ram_bytes <= *limits.ram_bytes);
    }
}

TEST_CASE("an impossible budget is a clear error, raised before any evaluation", "[search][constraints]") {
    const cost::budget impossible{.ram_bytes = 10, .params = 5};
    formula judge{{0, 0, 0}, {}};
    const std::string expected = "no architecture within the constraints (peak RAM <= 10 B, parameters <= 5 at int8)";
    CHECK_THROWS_WITH(search::random_search<toy_space>(toy, judge, impossible, {.samples = 4}), Catch::Contains(expected));
    CHECK_THROWS_WITH(search::evolution<toy_space>(toy, judge, impossible, {.population = 4, .generations = 1}),
                      Catch::Contains(expected) && Catch::Contains("the smallest figures seen (each the least over the draws) were peak RAM"));
    CHECK(judge.asked.empty());

    const image_dataset data = toy_data(64, 1);
    const normalization norm = standardization_of(data);
    nn::model<toy_space, float> model(toy, 5);
    std::size_t evaluated = 0;
    auto count = [&](const architecture&) { return static_cast<double>(++evaluated); };
    search::differentiable_options o;
    o.training.batch_size = 16;
    const auto alphas = model.architecture_parameters()[0]->value;
    CHECK_THROWS_WITH(search::differentiable_search(model, data, norm, count, impossible, o), Catch::Contains(expected));
    CHECK(evaluated == 0);
    const bool untouched = model.architecture_parameters()[0]->value == alphas;
    CHECK(untouched);  // failed before training
}

TEST_CASE("evolution improves on its first population when accuracy is predictable", "[search][evolution]") {
    for (const auto survivors : {search::survivor_selection::aging, search::survivor_selection::elitist}) {
        formula judge{{1, 2, 0, 3, 1, 2, 0, 3}, {}};
        const auto r = search::evolution<wide_space>(
            toy, judge, {}, {.population = 12, .generations = 15, .tournament = 4, .survivors = survivors, .seed = 7});
        double first_best = 0.0, first_mean = 0.0, last_mean = 0.0;
        std::size_t first = 0, last = 0;
        for (const auto& e : r.history) {
            if (e.generation == 0) first_best = std::max(first_best, e.accuracy), first_mean += e.accuracy, ++first;
            if (e.generation == 15) last_mean += e.accuracy, ++last;
        }
        REQUIRE(first == 12);
        REQUIRE(last == 12);
        INFO("first population best " << first_best << ", mean " << first_mean / 12 << "; last generation mean " << last_mean / 12
                                      << ", best found " << r.accuracy);
        CHECK(r.accuracy > first_best);
        CHECK(last_mean / 12 > first_mean / 12 + 0.2);
        CHECK(r.accuracy >= 0.75);
    }
}

TEST_CASE("random search finds the best of its draws", "[search][random]") {
    formula judge{{1, 2, 0, 3, 1, 2, 0, 3}, {}};
    const auto r = search::random_search<wide_space>(toy, judge, {}, {.samples = 40, .seed = 2});
    REQUIRE(r.history.size() == 40);
    double best = 0.0;
    for (const auto& e : r.history) best = std::max(best, e.accuracy);
    CHECK(r.accuracy == best);
    CHECK(r.best == r.best_entry().arch);
    // distinct draws
    for (std::size_t i = 0; i < r.history.size(); ++i)
        for (std::size_t j = i + 1; j < r.history.size(); ++j) CHECK(r.history[i].arch != r.history[j].arch);
    // a space smaller than the budget: every architecture once, then the search stops
    formula small{{1, 2, 0}, {}};
    const auto all = search::random_search<toy_space>(toy, small, {}, {.samples = 100, .seed = 2, .redraws = 2000});
    CHECK(all.history.size() == 64);
    CHECK(all.accuracy == 1.0);
    CHECK(all.best == architecture{{1, 2, 0}});
}

TEST_CASE("the same seed gives the same search, another seed another", "[search][determinism]") {
    const cost::budget limits{.ram_bytes = toy_peaks()[20]};
    auto run_evolution = [&](std::uint64_t seed) {
        formula judge{{1, 2, 0, 3, 1, 2, 0, 3}, {}};
        return search::evolution<wide_space>(toy, judge, limits, {.population = 8, .generations = 5, .seed = seed});
    };
    auto run_random = [&](std::uint64_t seed) {
        formula judge{{1, 2, 0, 3, 1, 2, 0, 3}, {}};
        return search::random_search<wide_space>(toy, judge, limits, {.samples = 10, .seed = seed});
    };
    auto archs = [](const search::search_result& r) {
        std::vector<architecture> v;
        for (const auto& e : r.history) v.push_back(e.arch);
        return v;
    };
    CHECK(archs(run_evolution(4)) == archs(run_evolution(4)));
    CHECK(archs(run_evolution(4)) != archs(run_evolution(5)));
    CHECK(archs(run_random(4)) == archs(run_random(4)));
    CHECK(archs(run_random(4)) != archs(run_random(5)));

    // with a supernet: training, evaluation and search repeat bit for bit
    const image_dataset data = toy_data(256, 2);
    const image_dataset validation = toy_data(96, 3);
    const normalization norm = standardization_of(data);
    auto supernet_search = [&] {
        nn::model<toy_space, float> model(toy, 5);
        search::supernet_options o;
        o.epochs = 1;
        o.batch_size = 32;
        (void)search::train_supernet<toy_space>(model, data, norm, o);
        search::supernet_evaluator judge(model, data, validation, norm, {.recalibration_batches = 2, .batch_size = 32});
        return search::evolution<toy_space>(toy, judge, {}, {.population = 4, .generations = 2, .seed = 9});
    };
    const auto a = supernet_search();
    const auto b = supernet_search();
    REQUIRE(a.history.size() == b.history.size());
    for (std::size_t i = 0; i < a.history.size(); ++i) {
        CHECK(a.history[i].arch == b.history[i].arch);
        CHECK(a.history[i].accuracy == b.history[i].accuracy);
        CHECK(a.history[i].loss == b.history[i].loss);
    }
}

TEST_CASE("the supernet evaluator recalibrates, restores the supernet and caches by architecture", "[search][evaluator]") {
    const image_dataset data = toy_data(256, 4);
    const image_dataset validation = toy_data(200, 5);
    const normalization norm = standardization_of(data);
    nn::model<toy_space, float> model(toy, 5);
    search::supernet_options o;
    o.epochs = 2;
    o.batch_size = 32;
    (void)search::train_supernet<toy_space>(model, data, norm, o);

    auto statistics = [&] {
        std::vector<float> all;
        for (auto* b : model.buffers()) all.insert(all.end(), b->value.begin(), b->value.end());
        return all;
    };
    const std::vector<float> before = statistics();
    search::supernet_evaluator judge(model, data, validation, norm,
                                     {.recalibration_batches = 3, .batch_size = 32, .validation_limit = 150});
    CHECK(judge.validation_size() == 150);
    const architecture path{{0, 3, 1}};
    const train::evaluation first = judge(path);
    CHECK(statistics() == before);  // the supernet's own statistics are back
    CHECK(judge.evaluations() == 1);
    CHECK(judge.cache_hits() == 0);
    CHECK(first.samples == 150);
    CHECK(first.accuracy > 0.5);  // the classes are easy: inherited weights already separate them

    // The same as recalibrating and evaluating by hand.
    search::recalibrate(model, path, data, norm, 3, 32);
    const train::evaluation by_hand = train::evaluate(model, subset(validation, 0, 150), norm, 32, path.view());
    CHECK(first.accuracy == by_hand.accuracy);
    CHECK(first.loss == Approx(by_hand.loss).epsilon(1e-6));
    std::size_t b = 0;
    for (auto* buffer : model.buffers())
        for (auto& v : buffer->value) v = before[b++];

    // Asked again: from the cache, the same answer, nothing runs.
    const train::evaluation again = judge(path);
    CHECK(judge.evaluations() == 1);
    CHECK(judge.cache_hits() == 1);
    CHECK(again.accuracy == first.accuracy);
    CHECK(again.loss == first.loss);
    (void)judge(architecture{{2, 2, 2}});
    CHECK(judge.evaluations() == 2);
    CHECK(judge.cached() == 2);
    judge.clear();
    (void)judge(path);
    CHECK(judge.evaluations() == 3);
    CHECK_THROWS_AS(judge(architecture{{4, 0, 0}}), nascent::error);  // not an architecture of the space

    // Evolution on the supernet: repeated children come from the cache.
    judge.clear();
    const std::size_t runs = judge.evaluations(), hits = judge.cache_hits();
    const auto r = search::evolution<toy_space>(toy, judge, {}, {.population = 6, .generations = 6, .tournament = 3, .seed = 1});
    CHECK(r.history.size() == 42);
    CHECK(judge.evaluations() - runs + judge.cache_hits() - hits == 42);
    CHECK(judge.cache_hits() > hits);
    CHECK(judge.evaluations() - runs == judge.cached());
}

TEST_CASE("the differentiable search derives, repairs to the constraints and evaluates", "[search][differentiable]") {
    const image_dataset data = toy_data(256, 6);
    const image_dataset validation = toy_data(96, 7);
    const normalization norm = standardization_of(data);
    const std::vector<std::size_t> peaks = toy_peaks();
    const cost::budget limits{.ram_bytes = peaks[10]};
    for (const auto mode : {search::supernet_mode::darts, search::supernet_mode::gumbel_hard}) {
        INFO(search::name(mode));
        nn::model<toy_space, float> model(toy, 5);
        search::supernet_evaluator judge(model, data, validation, norm, {.recalibration_batches = 2, .batch_size = 32});
        search::differentiable_options o;
        o.training.mode = mode;
        o.training.epochs = 2;
        o.training.batch_size = 32;
        const auto r = search::differentiable_search(model, data, norm, judge, limits, o);
        CHECK(r.training.epochs.size() == 2);
        CHECK(r.derived == r.training.epochs.back().derived);
        CHECK(r.history.size() == 1);
        CHECK(judge.evaluations() == 1);
        CHECK(r.costs.peak_ram_bytes <= *limits.ram_bytes);
        CHECK(r.costs == cost::of<toy_space>(toy, cost::precision::int8, r.best.view()));
        if (r.derived_costs.peak_ram_bytes <= *limits.ram_bytes) {
            CHECK(r.repairs == 0);
            CHECK(r.best == r.derived);
        } else {
            CHECK(r.repairs > 0);
            CHECK(r.rejected == 1);
        }
        CHECK(r.accuracy == judge(r.best).accuracy);  // the evaluator's verdict, from its cache
        CHECK(judge.cache_hits() == 1);
    }

    // Repair by hand: an expensive architecture is brought under the bound by changing decisions.
    nn::model<toy_space, float> model(toy, 5);
    architecture a{{2, 2, 2}};
    REQUIRE(cost::of<toy_space>(toy, cost::precision::int8, a.view()).peak_ram_bytes > *limits.ram_bytes);
    const std::size_t changes = search::repair(model, a, limits);
    CHECK(changes > 0);
    CHECK(cost::of<toy_space>(toy, cost::precision::int8, a.view()).peak_ram_bytes <= *limits.ram_bytes);
}

TEST_CASE("docs/search.md: the examples compile and run", "[search][docs]") {
    const image_dataset data = toy_data(512, 8);
    const image_dataset validation = toy_data(128, 9);
    const normalization norm = standardization_of(data);

    // --- docs/search.md: single-path search ---
    nn::model<toy_space> model(toy, /*seed=*/5);
    search::supernet_options o;
    o.mode = search::supernet_mode::uniform;  // SPOS
    o.epochs = 2;
    o.batch_size = 32;
    const search::supernet_report trained = search::train_supernet<toy_space>(model, data, norm, o);

    const cost::budget limits{.ram_bytes = 1280};  // measured at int8 unless .precision says otherwise
    search::supernet_evaluator judge(model, data, validation, norm, {.recalibration_batches = 2, .batch_size = 32});
    const search::search_result sampled = search::random_search<toy_space>(toy, judge, limits, {.samples = 10, .seed = 1});
    const search::search_result evolved =
        search::evolution<toy_space>(toy, judge, limits, {.population = 6, .generations = 3, .tournament = 3, .seed = 1});
    // evolved.best, evolved.accuracy, evolved.costs.peak_ram_bytes, evolved.history, evolved.rejected

    // --- docs/search.md: differentiable search ---
    nn::model<toy_space> mixed(toy, 5);
    search::supernet_evaluator mixed_judge(mixed, data, validation, norm, {.recalibration_batches = 2, .batch_size = 32});
    search::differentiable_options d;
    d.training.mode = search::supernet_mode::darts;
    d.training.epochs = 2;
    d.training.batch_size = 32;
    d.training.hardware = {cost::metric::peak_ram_bytes, /*target=*/1280.0, /*weight=*/5.0};
    const search::differentiable_result found = search::differentiable_search(mixed, data, norm, mixed_judge, limits, d);
    // found.derived: largest alphas; found.best: within the limits (found.repairs changes); found.accuracy, found.costs

    // --- docs/search.md: training a found architecture from scratch ---
    nn::model<toy_space> fresh(toy, 11);
    train::sgd<float> optimizer(fresh.parameters(), {.momentum = 0.9, .weight_decay = 5e-5});
    train::fit_options f;
    f.epochs = 2;
    f.batch_size = 32;
    f.log = nullptr;
    f.architecture = evolved.best.choices;  // the path to train; the other options stay untouched
    const train::fit_report report = train::fit(fresh, optimizer, train::cosine_lr{.rate = 0.05}, data, validation, norm, f);
    // --- end of the examples ---

    CHECK(trained.epochs.size() == 2);
    CHECK(sampled.history.size() == 10);
    CHECK(evolved.history.size() == 6 + 3 * 6);
    for (const auto* r : {&sampled, &evolved, static_cast<const search::search_result*>(&found)})
        CHECK(r->costs.peak_ram_bytes <= 1280);
    CHECK(evolved.accuracy >= sampled.history.front().accuracy);
    CHECK(report.last().test_accuracy > 0.5);
}

} // namespace test_search_strategies
