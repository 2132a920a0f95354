// Accuracy predictors and Bayesian optimisation: rank correlations against hand examples and brute
// force, the one-hot encoding of active slots, every predictor ranking held-out architectures of a
// known function, the Gaussian process interpolating with low variance at its data, expected
// improvement against closed-form values, the adaptive choice by cross-validation, pre-screening a
// pool, and Bayesian optimisation beating random search on the same budget and resuming exactly.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <set>
#include <vector>

#include <nascent/core/random.hpp>
#include <nascent/cost/costs.hpp>
#include <nascent/search/batch_evolution.hpp>
#include <nascent/search/bayesian_optimization.hpp>
#include <nascent/search/predict/adaptive.hpp>
#include <nascent/search/predict/encoding.hpp>
#include <nascent/search/predict/gaussian_process.hpp>
#include <nascent/search/predict/mlp.hpp>
#include <nascent/search/predict/predictor.hpp>
#include <nascent/search/predict/rank_correlation.hpp>
#include <nascent/search/predict/rbf.hpp>
#include <nascent/search/random_search.hpp>
#include <nascent/space/check.hpp>

#include "toy_spaces.hpp"

// The file's names live in a namespace of their own: the tests compile in unity groups.
namespace test_search_predictors {

using namespace nascent;
namespace predict = nascent::search::predict;

namespace {

/// 4^8 = 65536 architectures, every slot always active (toy_spaces.hpp).
using wide_space = testing::toy_chain<8>;

template <int K>
using dw = depthwise_conv2d<K, 1>;
using kernel_block = residual<sequential<conv2d<8, 1>, batch_norm, relu, elastic_kernel<dw, 3, 5, 7>, batch_norm, relu, conv2d<4, 1>, batch_norm>>;
/// Per layer: block or skip (slot 2l), and the block's kernel (slot 2l + 1, inactive when skipped): 4^4 = 256 architectures.
using nested_space = sequential<conv2d<4, 3>, batch_norm, relu, repeat<4, choice<kernel_block, identity>>, global_avg_pool, dense<3>>;

constexpr shape toy = testing::toy_input;
static_assert(valid_space<wide_space, toy> && valid_space<nested_space, toy>);
static_assert(space::decisions<nested_space> == 8);

/// The fraction of decisions that agree with a hidden target. Remembers every architecture it was asked about.
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

/// A smooth function of a feature row: linear plus a sine of another direction.
struct smooth_function {
    std::vector<double> v, u;
    explicit smooth_function(std::size_t dimension) {
        rng random(17);
        for (std::size_t i = 0; i < dimension; ++i) v.push_back(random.normal()), u.push_back(random.normal());
    }
    double operator()(const std::vector<double>& x) const {
        double a = 0.0, b = 0.0;
        for (std::size_t i = 0; i < x.size(); ++i) a += v[i] * x[i], b += u[i] * x[i];
        return a + std::sin(0.5 * b);
    }
};

/// `count` distinct random architectures of wide_space, encoded, with the function's values.
struct sample_set {
    predict::rows x;
    std::vector<double> y;
};
sample_set distinct_samples(std::size_t count, std::uint64_t seed, std::set<std::vector<int>>& used) {
    const predict::encoder<wide_space> encode(toy);
    const smooth_function f(encode.dimension());
    rng random(seed);
    sample_set s;
    while (s.x.size() < count) {
        const architecture a = space::sample<wide_space>(toy, random);
        if (!used.insert(a.choices).second) continue;
        s.x.push_back(encode(a));
        s.y.push_back(f(s.x.back()));
    }
    return s;
}

template <class P>
double held_out_tau(const P& model, const sample_set& test) {
    std::vector<double> predicted;
    for (const auto& row : test.x) predicted.push_back(predict::predicted_mean(model, row));
    return predict::kendall_tau(predicted, test.y);
}

/// Kendall's tau-b by counting every pair.
double brute_kendall(const std::vector<double>& x, const std::vector<double>& y) {
    double concordant = 0, discordant = 0, tied_x = 0, tied_y = 0, pairs = 0;
    for (std::size_t i = 0; i < x.size(); ++i)
        for (std::size_t j = i + 1; j < x.size(); ++j) {
            ++pairs;
            const double dx = x[i] - x[j], dy = y[i] - y[j];
            if (dx == 0) ++tied_x;
            if (dy == 0) ++tied_y;
            if (dx * dy > 0) ++concordant;
            if (dx * dy < 0) ++discordant;
        }
    if (pairs == tied_x || pairs == tied_y) return 0.0;
    return (concordant - discordant) / std::sqrt((pairs - tied_x) * (pairs - tied_y));
}

/// Spearman's rho by counting: a value's rank is 1 + the values below it + half the other equal ones.
double brute_spearman(const std::vector<double>& x, const std::vector<double>& y) {
    auto ranks = [](const std::vector<double>& v) {
        std::vector<double> r;
        for (const double a : v) {
            double below = 0, equal = 0;
            for (const double b : v) below += b < a ? 1 : 0, equal += b == a ? 1 : 0;
            r.push_back(1 + below + (equal - 1) / 2);
        }
        return r;
    };
    const auto rx = ranks(x), ry = ranks(y);
    double mx = 0, my = 0;
    for (std::size_t i = 0; i < rx.size(); ++i) mx += rx[i], my += ry[i];
    mx /= static_cast<double>(rx.size()), my /= static_cast<double>(ry.size());
    double sxy = 0, sxx = 0, syy = 0;
    for (std::size_t i = 0; i < rx.size(); ++i)
        sxy += (rx[i] - mx) * (ry[i] - my), sxx += (rx[i] - mx) * (rx[i] - mx), syy += (ry[i] - my) * (ry[i] - my);
    if (sxx == 0 || syy == 0) return 0.0;
    return sxy / std::sqrt(sxx * syy);
}

std::vector<int> decode(int index) {  // index in [0, 256) -> an architecture of nested_space (maybe not canonical)
    std::vector<int> a;
    for (int l = 0; l < 4; ++l, index /= 4) {
        const int layer = index % 4;  // 0..2: the block with kernel 3, 5, 7; 3: skipped
        a.push_back(layer == 3 ? 1 : 0);
        a.push_back(layer == 3 ? 0 : layer);
    }
    return a;
}

} // namespace

TEST_CASE("Kendall's tau-b and Spearman's rho: hand examples, ties and brute force", "[predict][rank]") {
    const std::vector<double> x{1, 2, 3, 4, 5}, y{3, 1, 2, 5, 4};
    // 10 pairs, 3 discordant: (3,1), (3,2), (5,4)
    CHECK(predict::kendall_tau(x, y) == Approx(0.4));
    // rank differences -2, 1, 1, -1, 1: 1 - 6 * 8 / (5 * 24)
    CHECK(predict::spearman_rho(x, y) == Approx(0.6));
    // ties: 4 concordant pairs, one tied in x only, one in y only: 4 / sqrt(5 * 5); mid-ranks give 3.75 / 4.5
    const std::vector<double> tx{1, 2, 2, 3}, ty{1, 2, 3, 3};
    CHECK(predict::kendall_tau(tx, ty) == Approx(0.8));
    CHECK(predict::spearman_rho(tx, ty) == Approx(3.75 / 4.5));
    // a pair tied on both sides counts neither way: 2 concordant of 2 untied pairs per side
    const std::vector<double> bx{1, 1, 2}, by{5, 5, 7};
    CHECK(predict::kendall_tau(bx, by) == Approx(1.0));
    // monotone relations with ties, reversed order, constant sides
    const std::vector<double> up{1, 2, 2, 5, 9}, squashed{0, 4, 4, 25, 81}, down{9, 5, 5, 2, 1}, flat{3, 3, 3, 3, 3};
    CHECK(predict::kendall_tau(up, squashed) == Approx(1.0));
    CHECK(predict::spearman_rho(up, squashed) == Approx(1.0));
    CHECK(predict::kendall_tau(up, down) == Approx(-1.0));
    CHECK(predict::spearman_rho(up, down) == Approx(-1.0));
    CHECK(predict::kendall_tau(up, flat) == 0.0);
    CHECK(predict::spearman_rho(flat, up) == 0.0);
    CHECK(predict::mid_ranks(up) == std::vector<double>{1, 2.5, 2.5, 4, 5});

    CHECK_THROWS_AS(predict::kendall_tau(x, tx), error);
    CHECK_THROWS_AS(predict::spearman_rho(std::vector<double>{1}, std::vector<double>{1}), error);
    CHECK_THROWS_AS(predict::kendall_tau(std::vector<double>{1, std::nan("")}, std::vector<double>{1, 2}), error);

    rng random(4);
    for (int trial = 0; trial < 300; ++trial) {
        const std::size_t n = 2 + random.below(60);
        const bool many_ties = trial % 2 == 0;
        std::vector<double> a, b;
        for (std::size_t i = 0; i < n; ++i) {
            a.push_back(many_ties ? static_cast<double>(random.below(4)) : random.normal());
            b.push_back(many_ties ? static_cast<double>(random.below(3)) + 0.1 * a.back() * (trial % 3 == 0) : random.normal() + a.back());
        }
        INFO("trial " << trial << ", n " << n);
        CHECK(predict::kendall_tau(a, b) == Approx(brute_kendall(a, b)).margin(1e-12));
        CHECK(predict::spearman_rho(a, b) == Approx(brute_spearman(a, b)).margin(1e-12));
    }
}

TEST_CASE("the encoding is one-hot per active slot, zero for inactive ones, with optional cost features", "[predict][encoding]") {
    using enc = predict::encoder<nested_space>;
    static_assert(enc::one_hot_dimension == 4 * (2 + 3));
    static_assert(enc::offset(0) == 0 && enc::offset(1) == 2 && enc::offset(2) == 5 && enc::offset(7) == 17 && enc::offset(8) == 20);
    static_assert(predict::encoder<wide_space>::one_hot_dimension == 8 * 4);
    const enc encode(toy);
    REQUIRE(encode.dimension() == 20);

    // block k7, skip, block k5, skip
    const std::vector<double> row = encode(architecture{{0, 2, 1, 0, 0, 1, 1, 0}});
    std::vector<double> expected(20, 0.0);
    for (const std::size_t hot : {0, 2 + 2, 5 + 1, 10 + 0, 12 + 1, 15 + 1}) expected[hot] = 1.0;
    CHECK(row == expected);
    // a skipped layer's kernel slot does not matter: the non-canonical form encodes the same
    CHECK(encode(architecture{{0, 2, 1, 2, 0, 1, 1, 1}}) == row);
    CHECK_THROWS_AS(encode(architecture{{0, 2, 1}}), error);
    CHECK_THROWS_AS(encode(architecture{{0, 3, 1, 0, 0, 1, 1, 0}}), error);

    // every architecture: one 1 per active slot, at its option; distinct architectures, distinct rows
    std::set<std::vector<double>> rows;
    const enc with_costs(toy, {.costs = true, .calibration = 64, .seed = 3});
    REQUIRE(with_costs.dimension() == 23);
    std::vector<std::pair<std::size_t, double>> ram;
    for (int index = 0; index < 256; ++index) {
        const architecture a{decode(index)};
        const std::vector<double> r = encode(a);
        const std::vector<bool> active = space::active_slots<nested_space>(a);
        double ones = 0;
        for (const double v : r) {
            CHECK((v == 0.0 || v == 1.0));
            ones += v;
        }
        CHECK(ones == static_cast<double>(std::count(active.begin(), active.end(), true)));
        for (std::size_t slot = 0; slot < 8; ++slot) {
            double in_slot = 0;
            for (std::size_t c = enc::offset(slot); c < enc::offset(slot + 1); ++c) in_slot += r[c];
            CHECK(in_slot == (active[slot] ? 1.0 : 0.0));
            if (active[slot]) CHECK(r[enc::offset(slot) + static_cast<std::size_t>(a[slot])] == 1.0);
        }
        rows.insert(r);

        const cost::costs figures = cost::of<nested_space>(toy, cost::precision::int8, a.view());
        const std::vector<double> c = with_costs(a);
        CHECK(c == with_costs(a, figures));
        CHECK(std::vector<double>(c.begin(), c.begin() + 20) == r);
        for (std::size_t k = 20; k < 23; ++k) CHECK((c[k] > -0.5 && c[k] < 1.5));
        ram.emplace_back(figures.peak_ram_bytes, c[20]);
    }
    CHECK(rows.size() == 256);
    // the RAM feature is an increasing function of the peak RAM, spread over about [0, 1]
    std::sort(ram.begin(), ram.end());
    REQUIRE(ram.front().first < ram.back().first);
    for (std::size_t i = 1; i < ram.size(); ++i) {
        if (ram[i].first == ram[i - 1].first) CHECK(ram[i].second == ram[i - 1].second);
        else CHECK(ram[i].second > ram[i - 1].second);
    }
    CHECK(ram.front().second <= 0.0 + 1e-12);
    CHECK(ram.back().second >= 1.0 - 1e-12);
}

TEST_CASE("every predictor ranks held-out architectures of a smooth function", "[predict][surrogate]") {
    std::set<std::vector<int>> used;
    const sample_set train = distinct_samples(120, 1, used);
    const sample_set test = distinct_samples(200, 2, used);

    predict::rbf_surrogate cubic;
    cubic.fit(train.x, train.y);
    predict::rbf_surrogate gaussian({.kernel = predict::rbf_kernel::gaussian});
    gaussian.fit(train.x, train.y);
    predict::gaussian_process gp;
    gp.fit(train.x, train.y);
    predict::mlp_regressor mlp;
    mlp.fit(train.x, train.y);

    const double tau_cubic = held_out_tau(cubic, test), tau_gaussian = held_out_tau(gaussian, test);
    const double tau_gp = held_out_tau(gp, test), tau_mlp = held_out_tau(mlp, test);
    const auto h = gp.hyperparameters();
    INFO("held-out Kendall tau: cubic RBF " << tau_cubic << ", Gaussian RBF " << tau_gaussian << ", GP " << tau_gp << ", MLP "
                                            << tau_mlp << " (" << mlp.epochs_trained() << " epochs); GP length " << h.length_scale
                                            << ", signal " << h.signal_variance << ", noise " << h.noise_variance);
    CHECK(tau_cubic >= 0.6);
    CHECK(tau_gaussian >= 0.6);
    CHECK(tau_gp >= 0.6);
    CHECK(tau_mlp >= 0.6);
    CHECK(mlp.epochs_trained() <= mlp.options().epochs);
    CHECK(mlp.validation_error() >= 0.0);

    // deterministic: the same data and options give the same model
    predict::mlp_regressor again;
    again.fit(train.x, train.y);
    CHECK(again.predict(test.x[0]) == mlp.predict(test.x[0]));

    // the RBF model nearly interpolates its training values (small ridge)
    for (std::size_t i = 0; i < 10; ++i) CHECK(cubic.predict(train.x[i]) == Approx(train.y[i]).margin(1e-3));

    // bad input
    CHECK_THROWS_AS(predict::gaussian_process{}.predict(train.x[0]), error);
    predict::rbf_surrogate empty;
    CHECK_THROWS_AS(empty.fit({}, {}), error);
    CHECK_THROWS_AS(empty.fit(train.x, std::vector<double>(3, 0.0)), error);
    CHECK_THROWS_AS(cubic.predict(std::vector<double>(5, 0.0)), error);
}

TEST_CASE("the Gaussian process interpolates its data with low variance there, more away from it", "[predict][gp]") {
    std::set<std::vector<int>> used;
    const sample_set train = distinct_samples(20, 5, used);
    const sample_set away = distinct_samples(20, 6, used);
    double var_y = 0, mean_y = 0;
    for (const double v : train.y) mean_y += v / 20;
    for (const double v : train.y) var_y += (v - mean_y) * (v - mean_y) / 20;

    predict::gaussian_process gp({.optimise = false, .noise_ratio = 1e-8});
    gp.fit(train.x, train.y);
    double largest_at_data = 0;
    for (std::size_t i = 0; i < train.x.size(); ++i) {
        const predict::prediction p = gp.predict(train.x[i]);
        CHECK(p.mean == Approx(train.y[i]).margin(1e-4 * std::sqrt(var_y)));
        largest_at_data = std::max(largest_at_data, p.variance);
    }
    CHECK(largest_at_data < 1e-5 * var_y);
    double smallest_away = std::numeric_limits<double>::infinity();
    for (const auto& row : away.x) smallest_away = std::max(0.0, std::min(smallest_away, gp.predict(row).variance));
    CHECK(smallest_away > 100 * largest_at_data);
    // far from every row the variance approaches the signal variance
    const double signal = gp.hyperparameters().signal_variance;
    const predict::prediction far = gp.predict(std::vector<double>(32, 10.0));
    CHECK(far.variance > 0.9 * signal);
    CHECK(far.variance < 2.0 * signal);
    CHECK(far.mean == Approx(gp.hyperparameters().mean).margin(1e-6 * std::sqrt(var_y)));

    // choosing the hyperparameters raises the marginal likelihood over fixed ones
    predict::gaussian_process tuned;
    tuned.fit(train.x, train.y);
    predict::gaussian_process fixed({.optimise = false, .noise_ratio = 1e-2});
    fixed.fit(train.x, train.y);
    CHECK(tuned.log_marginal_likelihood() >= fixed.log_marginal_likelihood());
    CHECK(tuned.log_marginal_likelihood() >= gp.log_marginal_likelihood());

    // repeated rows: the factorisation survives with jitter
    predict::rows twice = train.x;
    std::vector<double> values = train.y;
    twice.push_back(train.x[0]);
    values.push_back(train.y[0]);
    predict::gaussian_process repeated({.optimise = false, .noise_ratio = 0.0});
    repeated.fit(twice, values);
    CHECK(repeated.predict(train.x[0]).mean == Approx(train.y[0]).margin(1e-3 * std::sqrt(var_y)));
}

TEST_CASE("expected improvement: closed-form values, nothing to expect from a far worse certain point", "[predict][bayesian]") {
    // z = 1: 1 * Phi(1) + phi(1)
    CHECK(search::expected_improvement(1.0, 1.0, 0.0) == Approx(0.8413447460685429 + 0.24197072451914337).epsilon(1e-12));
    // mean 0.5, sd 0.5, best 0.7: z = -0.4; -0.2 Phi(-0.4) + 0.5 phi(-0.4)
    CHECK(search::expected_improvement(0.5, 0.25, 0.7) == Approx(-0.2 * 0.3445782583896758 + 0.5 * 0.36827014030332333).epsilon(1e-12));
    // the margin xi shifts the best
    CHECK(search::expected_improvement(0.5, 0.25, 0.6, 0.1) == Approx(search::expected_improvement(0.5, 0.25, 0.7)).epsilon(1e-14));
    CHECK(search::expected_improvement(0.2, 1e-8, 0.9) < 1e-300);
    CHECK(search::expected_improvement(0.2, 1e-4, 0.9) < 1e-100);
    CHECK(search::expected_improvement(0.2, 1e-4, 0.9) >= 0.0);
    CHECK(search::expected_improvement(0.8, 0.0, 0.5) == Approx(0.3));
    CHECK(search::expected_improvement(0.4, 0.0, 0.5) == 0.0);
    // a certain gain is worth its size; more uncertainty, more expected improvement
    CHECK(search::expected_improvement(0.8, 1e-12, 0.5) == Approx(0.3));
    CHECK(search::expected_improvement(0.5, 0.04, 0.6) > search::expected_improvement(0.5, 0.01, 0.6));
    CHECK(search::normal_cdf(0.0) == 0.5);
    CHECK(search::normal_pdf(0.0) == Approx(0.3989422804014327));
    CHECK(search::step_seed(1, 2) != search::step_seed(2, 1));
}

TEST_CASE("the adaptive predictor scores each kind by cross-validation and keeps the best", "[predict][adaptive]") {
    std::set<std::vector<int>> used;
    const sample_set train = distinct_samples(60, 7, used);
    const sample_set test = distinct_samples(100, 8, used);
    predict::adaptive_predictor model;
    model.fit(train.x, train.y);
    const predict::adaptive_report& report = model.report();
    REQUIRE(report.scores.size() == 3);
    CHECK(report.folds == 5);
    double best = -2;
    for (const auto& s : report.scores) {
        INFO(predict::describe(s.kind) << ": cross-validated tau " << s.tau);
        CHECK(s.tau >= -1.0);
        CHECK(s.tau <= 1.0);
        CHECK(s.tau == report.tau(s.kind));
        best = std::max(best, s.tau);
    }
    CHECK(report.tau(report.chosen) == best);
    CHECK(model.chosen() == report.chosen);
    const double tau = held_out_tau(model, test);
    INFO("chosen " << predict::describe(report.chosen) << ", held-out tau " << tau);
    CHECK(tau >= 0.6);

    // it predicts as the chosen kind fitted on all the rows
    std::vector<double> alone;
    switch (report.chosen) {
    case predict::predictor_kind::rbf: {
        predict::rbf_surrogate m;
        m.fit(train.x, train.y);
        for (const auto& row : test.x) alone.push_back(m.predict(row));
        break;
    }
    case predict::predictor_kind::gaussian_process: {
        predict::gaussian_process m;
        m.fit(train.x, train.y);
        for (const auto& row : test.x) alone.push_back(m.predict(row).mean);
        break;
    }
    case predict::predictor_kind::mlp: {
        predict::mlp_regressor m;
        m.fit(train.x, train.y);
        for (const auto& row : test.x) alone.push_back(m.predict(row));
        break;
    }
    }
    for (std::size_t i = 0; i < test.x.size(); ++i) CHECK(model.predict(test.x[i]) == alone[i]);

    // a single kind is chosen whatever its score; an unscored kind has no tau
    predict::adaptive_predictor only_gp({.kinds = {predict::predictor_kind::gaussian_process}, .folds = 3});
    only_gp.fit(train.x, train.y);
    CHECK(only_gp.chosen() == predict::predictor_kind::gaussian_process);
    CHECK(only_gp.report().folds == 3);
    CHECK_THROWS_AS(only_gp.report().tau(predict::predictor_kind::mlp), error);
    CHECK_THROWS_AS(only_gp.fit(predict::rows(train.x.begin(), train.x.begin() + 3), std::vector<double>(3, 0.0)), error);
}

TEST_CASE("a trained predictor pre-screens a pool of candidates", "[predict][screen]") {
    formula judge{{1, 2, 0, 3, 1, 2, 0, 3}, {}};
    const search::search_result seen = search::random_search<wide_space>(toy, judge, {}, {.samples = 60, .seed = 9});
    const predict::encoder<wide_space> encode(toy);
    const predict::training_data data = predict::training_set(seen.history, encode);
    REQUIRE(data.features.size() == 60);
    CHECK(data.features[3] == encode(seen.history[3].arch));
    CHECK(data.accuracy[3] == seen.history[3].accuracy);
    predict::gaussian_process gp;
    gp.fit(data.features, data.accuracy);

    rng random(10);
    std::vector<architecture> pool;
    for (int i = 0; i < 100; ++i) pool.push_back(space::sample<wide_space>(toy, random));
    pool.push_back(architecture{judge.target});  // the best there is
    const auto ranked = predict::rank_by_prediction(gp, pool, encode);
    REQUIRE(ranked.size() == pool.size());
    std::set<std::size_t> indices;
    for (std::size_t i = 0; i < ranked.size(); ++i) {
        indices.insert(ranked[i].index);
        CHECK(ranked[i].predicted == predict::predicted_mean(gp, encode(pool[ranked[i].index])));
        if (i > 0) CHECK(ranked[i - 1].predicted >= ranked[i].predicted);
    }
    CHECK(indices.size() == pool.size());
    const std::vector<architecture> kept = predict::screen(gp, pool, 5, encode);
    REQUIRE(kept.size() == 5);
    for (std::size_t i = 0; i < 5; ++i) CHECK(kept[i] == pool[ranked[i].index]);
    CHECK(std::find(kept.begin(), kept.end(), architecture{judge.target}) != kept.end());
    // the screened five are better on average than the pool
    double pool_mean = 0, kept_mean = 0;
    for (const auto& a : pool) pool_mean += judge(a) / static_cast<double>(pool.size());
    for (const auto& a : kept) kept_mean += judge(a) / 5;
    CHECK(kept_mean > pool_mean + 0.2);
    CHECK(predict::screen(gp, pool, 1000, encode).size() == pool.size());
}

TEST_CASE("Bayesian optimisation beats random search on the same budget", "[search][bayesian]") {
    const std::vector<int> target{1, 2, 0, 3, 1, 2, 0, 3};
    double bayesian_mean = 0, random_mean = 0;
    constexpr int seeds = 4;
    for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
        formula judge{target, {}};
        const auto bo = search::bayesian_optimization<wide_space>(toy, judge, {}, {.initial = 10, .iterations = 20, .seed = seed});
        REQUIRE(bo.history.size() == 30);
        REQUIRE(judge.asked.size() == 30);
        std::set<std::vector<int>> distinct;
        for (const auto& e : bo.history) distinct.insert(e.arch.choices);
        CHECK(distinct.size() == 30);
        CHECK(bo.accuracy == bo.best_entry().accuracy);
        for (std::size_t i = 0; i < 30; ++i) CHECK(bo.history[i].generation == (i < 10 ? 0 : i - 9));
        formula random_judge{target, {}};
        const auto rs = search::random_search<wide_space>(toy, random_judge, {}, {.samples = 30, .seed = seed});
        INFO("seed " << seed << ": Bayesian " << bo.accuracy << ", random " << rs.accuracy);
        CHECK(bo.accuracy >= rs.accuracy);
        bayesian_mean += bo.accuracy / seeds;
        random_mean += rs.accuracy / seeds;
    }
    INFO("mean best accuracy over " << seeds << " seeds: Bayesian " << bayesian_mean << ", random " << random_mean);
    CHECK(bayesian_mean >= random_mean + 0.2);
    CHECK(bayesian_mean >= 0.85);
}

TEST_CASE("Bayesian optimisation honours the constraints, is deterministic and resumes exactly", "[search][bayesian]") {
    // half the space over the budget
    std::vector<std::size_t> macs;
    rng draw(3);
    for (int i = 0; i < 200; ++i)
        macs.push_back(cost::of<wide_space>(toy, cost::precision::int8, space::sample<wide_space>(toy, draw).view()).macs);
    std::sort(macs.begin(), macs.end());
    const cost::budget limits{.macs = macs[100]};
    REQUIRE(macs[100] < macs.back());
    const search::bayesian_options options{.initial = 6, .iterations = 10, .cost_features = true, .seed = 5};

    formula judge{{3, 3, 3, 3, 3, 3, 3, 0}, {}};
    const auto full = search::bayesian_optimization<wide_space>(toy, judge, limits, options);
    REQUIRE(full.history.size() == 16);
    CHECK(full.rejected > 0);
    for (const auto& a : judge.asked) CHECK(cost::of<wide_space>(toy, cost::precision::int8, a.view()).macs <= *limits.macs);
    for (const auto& e : full.history) {
        CHECK(e.costs == cost::of<wide_space>(toy, cost::precision::int8, e.arch.view()));
        CHECK(search::satisfies(e.costs, limits));
    }

    auto same = [](const search::search_result& a, const search::search_result& b) {
        if (a.history.size() != b.history.size() || a.best != b.best || a.accuracy != b.accuracy || a.costs != b.costs) return false;
        for (std::size_t i = 0; i < a.history.size(); ++i) {
            const auto &x = a.history[i], &y = b.history[i];
            if (x.arch != y.arch || x.accuracy != y.accuracy || x.costs != y.costs || x.generation != y.generation) return false;
        }
        return true;
    };
    formula again_judge{judge.target, {}};
    const auto again = search::bayesian_optimization<wide_space>(toy, again_judge, limits, options);
    CHECK(same(full, again));
    CHECK(again.rejected == full.rejected);
    formula other_judge{judge.target, {}};
    auto other_seed = options;
    other_seed.seed = 6;
    CHECK_FALSE(same(full, search::bayesian_optimization<wide_space>(toy, other_judge, limits, other_seed)));

    // stopped in the design, and after some model steps: resuming gives the uninterrupted run
    for (const std::size_t stop : {std::size_t{3}, std::size_t{11}}) {
        formula part_judge{judge.target, {}};
        auto partial_options = options;
        partial_options.iterations = stop > options.initial ? stop - options.initial : 0;
        partial_options.initial = std::min(stop, options.initial);
        auto partial = search::bayesian_optimization<wide_space>(toy, part_judge, limits, partial_options);
        REQUIRE(partial.history.size() == stop);
        formula rest_judge{judge.target, {}};
        const auto resumed = search::resume_bayesian_optimization<wide_space>(toy, rest_judge, limits, partial, options);
        INFO("stopped after " << stop << " evaluations");
        CHECK(same(resumed, full));
        CHECK(resumed.rejected == full.rejected);
        CHECK(rest_judge.asked.size() == 16 - stop);

        // from a saved history alone (best and counts rebuilt)
        search::search_result saved;
        saved.history = std::vector<search::evaluated>(full.history.begin(), full.history.begin() + static_cast<std::ptrdiff_t>(stop));
        formula saved_judge{judge.target, {}};
        CHECK(same(search::resume_bayesian_optimization<wide_space>(toy, saved_judge, limits, saved, options), full));
    }

    // a budget no architecture meets is an error before any evaluation
    formula none{judge.target, {}};
    CHECK_THROWS_WITH(search::bayesian_optimization<wide_space>(toy, none, {.macs = 10}, options),
                      Catch::Contains("no architecture within the constraints"));
    CHECK(none.asked.empty());
}

TEST_CASE("docs/search.md: the predictors and Bayesian optimisation example runs", "[search][bayesian][docs]") {
    formula judge{{1, 2, 0, 3, 1, 2, 0, 3}, {}};
    const cost::budget limits{.macs = 60000};

    const search::bayesian_options o{.initial = 10, .iterations = 30, .seed = 1};
    const search::search_result found = search::bayesian_optimization<wide_space>(toy, judge, limits, o);
    // found.best, found.accuracy, found.costs, found.history (generation 0: the random design)

    search::bayesian_options first_part = o;
    first_part.iterations = 10;  // stopped after 20 evaluations
    const search::search_result part = search::bayesian_optimization<wide_space>(toy, judge, limits, first_part);
    const search::search_result resumed = search::resume_bayesian_optimization<wide_space>(toy, judge, limits, part, o);
    // resumed evaluates what `found` evaluated after its first 20: the same history, the same best

    const search::predict::encoder<wide_space> encode(toy);
    const search::predict::training_data seen = search::predict::training_set(found.history, encode);
    search::predict::adaptive_predictor model;  // an RBF model, a Gaussian process or an MLP, by cross-validated tau
    model.fit(seen.features, seen.accuracy);
    // model.report().chosen, model.report().tau(search::predict::predictor_kind::mlp)

    rng random(2);
    std::vector<architecture> children;
    for (const auto& e : found.history)
        if (children.size() < 20) children.push_back(space::mutate<wide_space>(e.arch, toy, random));
    const std::vector<architecture> worth_evaluating = search::predict::screen(model, children, 4, encode);

    REQUIRE(found.history.size() == 40);
    CHECK(found.accuracy >= 0.75);
    REQUIRE(resumed.history.size() == found.history.size());
    for (std::size_t i = 0; i < found.history.size(); ++i) CHECK(resumed.history[i].arch == found.history[i].arch);
    CHECK(resumed.best == found.best);
    for (const auto& e : found.history) CHECK(e.costs.macs <= 60000);
    CHECK(worth_evaluating.size() == 4);
    INFO("chosen " << search::predict::describe(model.report().chosen));
    CHECK(model.report().tau(model.report().chosen) > 0.3);
}

TEST_CASE("Bayesian optimisation in steps is the one-call search, and resumes from its state", "[search][bayesian][steps]") {
    formula judge{{1, 2, 0, 3, 1, 2, 0, 3}, {}};
    const cost::budget limits{.macs = 60000};
    const search::bayesian_options o{.initial = 6, .iterations = 9, .seed = 4, .per_step = 3};
    const search::search_result whole = search::bayesian_optimization<wide_space>(toy, judge, limits, o);

    search::bayesian_state state = search::bayesian_start<wide_space>(toy, judge, limits, o);
    CHECK(state.result.history.size() == 6);
    search::bayesian_step<wide_space>(toy, judge, limits, o, state);
    search::bayesian_state saved = state;  // a checkpoint: plain data
    search::bayesian_step<wide_space>(toy, judge, limits, o, state);
    search::bayesian_step<wide_space>(toy, judge, limits, o, state);
    for (int i = 0; i < 2; ++i) search::bayesian_step<wide_space>(toy, judge, limits, o, saved);
    const search::search_result stepped = search::bayesian_finish(std::move(state));
    const search::search_result resumed = search::bayesian_finish(std::move(saved));
    REQUIRE(stepped.history.size() == whole.history.size());
    REQUIRE(resumed.history.size() == whole.history.size());
    for (std::size_t i = 0; i < whole.history.size(); ++i) {
        CHECK(stepped.history[i].arch == whole.history[i].arch);
        CHECK(resumed.history[i].arch == whole.history[i].arch);
    }
    CHECK(stepped.best == whole.best);
}

TEST_CASE("batch strategies: within the budget, distinct, screened, and resumable from their state", "[search][batch][steps]") {
    const cost::budget limits{.macs = 60000};
    for (const search::batch_kind kind : {search::batch_kind::random, search::batch_kind::aging, search::batch_kind::evolution}) {
        for (const bool screened : {false, true}) {
            CAPTURE(search::batch_name(kind), screened);
            search::batch_options o{.kind = kind, .population = 8, .per_step = 4, .seed = 3};
            if (screened) o.predictor = predict::adaptive_options{.kinds = {predict::predictor_kind::rbf}};
            formula judge{{1, 2, 0, 3, 1, 2, 0, 3}, {}};
            search::batch_state state = search::batch_start<wide_space>(toy, judge, limits, o);
            REQUIRE(state.history.size() == 8);
            search::batch_step<wide_space>(toy, judge, limits, o, state);
            const search::batch_state saved = state;
            for (int i = 0; i < 3; ++i) search::batch_step<wide_space>(toy, judge, limits, o, state);
            CHECK(state.step == 4);
            REQUIRE(state.history.size() == 8 + 4 * 4);
            // every candidate evaluated once, within the budget, tagged with its step
            std::set<std::vector<int>> distinct;
            for (const auto& e : state.history) {
                distinct.insert(std::vector<int>(e.arch.choices.begin(), e.arch.choices.end()));
                CHECK(e.costs.macs <= 60000);
                CHECK(e.costs == cost::of<wide_space>(toy, cost::precision::int8, e.arch.view()));
            }
            CHECK(distinct.size() == state.history.size());
            CHECK(judge.asked.size() == state.history.size());
            CHECK(state.history[8].generation == 1);
            CHECK(state.history.back().generation == 4);
            // resumed from the checkpoint after step 1: the same candidates
            formula again{judge.target, {}};
            search::batch_state resumed = saved;
            for (int i = 0; i < 3; ++i) search::batch_step<wide_space>(toy, again, limits, o, resumed);
            REQUIRE(resumed.history.size() == state.history.size());
            for (std::size_t i = 0; i < state.history.size(); ++i) CHECK(resumed.history[i].arch == state.history[i].arch);
            const search::search_result r = search::batch_finish(std::move(state));
            CHECK(r.accuracy == r.best_entry().accuracy);
        }
    }
}

} // namespace test_search_predictors
