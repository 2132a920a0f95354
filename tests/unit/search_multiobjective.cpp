// Multi-objective search: constraint domination, non-dominated sorting (against a brute-force
// peeling of the fronts), crowding distance, exact hypervolume (against hand values, an exact
// grid count and a Monte-Carlo estimate), NSGA-II (its front, its hypervolume over generations,
// constraint handling, resuming from a saved state), post-search selection and the reports.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <unordered_set>
#include <vector>

#include <unistd.h>

#include <nascent/core/random.hpp>
#include <nascent/ops/batch_norm.hpp>
#include <nascent/ops/conv2d.hpp>
#include <nascent/ops/dense.hpp>
#include <nascent/ops/global_avg_pool.hpp>
#include <nascent/ops/identity.hpp>
#include <nascent/ops/relu.hpp>
#include <nascent/search/hypervolume.hpp>
#include <nascent/search/nsga2.hpp>
#include <nascent/search/objective.hpp>
#include <nascent/search/pareto.hpp>
#include <nascent/search/pareto_report.hpp>
#include <nascent/search/progress_plot.hpp>
#include <nascent/search/post_search.hpp>
#include <nascent/search/random_search.hpp>
#include <nascent/space/check.hpp>
#include <nascent/space/choice.hpp>
#include <nascent/space/repeat.hpp>
#include <nascent/space/residual.hpp>
#include <nascent/space/sequential.hpp>

#include "toy_spaces.hpp"

// The file's names live in a namespace of their own: the tests compile in unity groups.
namespace test_search_multiobjective {

using namespace nascent;
using search::point;

namespace {

/// 4^6 = 4096 architectures: per layer an expansion 1, 3 or 6 block, or a skip (toy_spaces.hpp).
using toy_space = testing::toy_chain<6>;
constexpr shape toy = testing::toy_input;

/// A predictable accuracy that grows with the blocks' expansion, as their RAM and flash do:
/// each layer scores 0.5, 0.8, 1 or 0 by option, later layers weigh more.
struct formula {
    std::size_t calls = 0;
    double operator()(const architecture& a) {
        ++calls;
        constexpr double score[] = {0.5, 0.8, 1.0, 0.0};
        double sum = 0.0, weights = 0.0;
        for (std::size_t i = 0; i < a.size(); ++i) {
            const double w = 1.0 + 0.1 * static_cast<double>(i);
            sum += w * score[a[i]];
            weights += w;
        }
        return sum / weights;
    }
};

/// Fronts by definition: repeatedly take the points no remaining point dominates.
std::vector<std::vector<std::size_t>> peel_fronts(const std::vector<point>& p) {
    std::vector<std::size_t> remaining(p.size());
    for (std::size_t i = 0; i < p.size(); ++i) remaining[i] = i;
    std::vector<std::vector<std::size_t>> fronts;
    while (!remaining.empty()) {
        std::vector<std::size_t> front, rest;
        for (const std::size_t i : remaining) {
            bool dominated = false;
            for (const std::size_t j : remaining) dominated = dominated || search::dominates(p[j], p[i]);
            (dominated ? rest : front).push_back(i);
        }
        fronts.push_back(front);
        remaining = rest;
    }
    return fronts;
}

std::vector<point> random_points(rng& random, std::size_t n, std::size_t m, int levels, double infeasible_share) {
    std::vector<point> p(n);
    for (auto& q : p) {
        for (std::size_t k = 0; k < m; ++k) q.objectives.push_back(static_cast<double>(random.below(static_cast<std::uint64_t>(levels))));
        if (random.uniform() < infeasible_share) q.violation = 0.1 * static_cast<double>(1 + random.below(3));
    }
    return p;
}

/// The hypervolume of integer points in [0, k)^m with reference point (k, ..., k): the unit cells dominated.
double grid_count(const std::vector<std::vector<double>>& points, std::size_t m, int k) {
    std::size_t cells = 1;
    for (std::size_t d = 0; d < m; ++d) cells *= static_cast<std::size_t>(k);
    std::size_t covered = 0;
    std::vector<int> cell(m, 0);
    for (std::size_t c = 0; c < cells; ++c) {
        std::size_t rest = c;
        for (std::size_t d = 0; d < m; ++d) cell[d] = static_cast<int>(rest % static_cast<std::size_t>(k)), rest /= static_cast<std::size_t>(k);
        bool in = false;
        for (const auto& p : points) {
            bool below = true;
            for (std::size_t d = 0; d < m && below; ++d) below = p[d] <= cell[d];
            in = in || below;
        }
        covered += in ? 1U : 0U;
    }
    return static_cast<double>(covered);
}

/// A candidate with the given accuracy and figures.
search::evaluated candidate(std::vector<int> arch, double accuracy, std::size_t ram, std::size_t flash, std::size_t macs = 1000) {
    search::evaluated e;
    e.arch = architecture{std::move(arch)};
    e.accuracy = accuracy;
    e.costs.peak_ram_bytes = ram;
    e.costs.flash_bytes = flash;
    e.costs.macs = macs;
    return e;
}

/// Checks that `text` is well-formed XML as far as tags go: every tag closed in order, quotes
/// balanced, one root element. Returns the number of elements named `name`.
std::size_t check_xml(const std::string& text, const std::string& name) {
    std::vector<std::string> open;
    std::size_t roots = 0, named = 0, at = 0;
    while ((at = text.find('<', at)) != std::string::npos) {
        const std::size_t end = text.find('>', at);
        REQUIRE(end != std::string::npos);
        std::string tag = text.substr(at + 1, end - at - 1);
        REQUIRE(std::count(tag.begin(), tag.end(), '"') % 2 == 0);
        at = end + 1;
        if (tag.front() == '/') {
            REQUIRE(!open.empty());
            CHECK(open.back() == tag.substr(1));
            open.pop_back();
            continue;
        }
        const bool self_closing = tag.back() == '/';
        const std::string tag_name = tag.substr(0, tag.find_first_of(" /"));
        if (open.empty()) ++roots;
        if (tag_name == name) ++named;
        if (!self_closing) open.push_back(tag_name);
    }
    CHECK(open.empty());
    CHECK(roots == 1);
    return named;
}

std::size_t count_of(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

} // namespace

TEST_CASE("constraint domination: feasible first, then the smaller violation, then Pareto dominance", "[search][pareto]") {
    const point a{{1, 2}, 0}, b{{2, 2}, 0}, c{{1, 3}, 0}, d{{2, 1}, 0};
    CHECK(search::dominates(a, b));
    CHECK_FALSE(search::dominates(b, a));
    CHECK_FALSE(search::dominates(c, d));  // each better in one objective
    CHECK_FALSE(search::dominates(d, c));
    CHECK_FALSE(search::dominates(a, a));  // equal points do not dominate each other
    const point far{{9, 9}, 0}, good_but_over{{0, 0}, 0.1}, worse_over{{0, 0}, 0.3}, also_over{{5, 5}, 0.1};
    CHECK(search::dominates(far, good_but_over));  // feasible beats infeasible whatever the objectives
    CHECK_FALSE(search::dominates(good_but_over, far));
    CHECK(search::dominates(also_over, worse_over));  // among infeasible: the smaller violation
    CHECK_FALSE(search::dominates(worse_over, also_over));
    CHECK_FALSE(search::dominates(good_but_over, also_over));  // equal violations: neither
    CHECK_FALSE(search::dominates(also_over, good_but_over));
    CHECK(search::pareto_dominates(std::vector<double>{1, 1, 1}, std::vector<double>{1, 1, 2}));
    CHECK_FALSE(search::pareto_dominates(std::vector<double>{1, 1, 1}, std::vector<double>{1, 1, 1}));
    CHECK_THROWS_AS(search::pareto_dominates(std::vector<double>{1, 1}, std::vector<double>{1, 1, 1}), nascent::error);
}

TEST_CASE("fast non-dominated sorting equals peeling the fronts one by one", "[search][pareto]") {
    rng random(11);
    for (const std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{7}, std::size_t{40}, std::size_t{90}})
        for (const std::size_t m : {std::size_t{2}, std::size_t{3}, std::size_t{4}})
            for (const double infeasible : {0.0, 0.3}) {
                const std::vector<point> p = random_points(random, n, m, 6, infeasible);  // few levels: many ties
                const auto fronts = search::non_dominated_sort(p);
                INFO("n " << n << ", m " << m << ", infeasible share " << infeasible);
                CHECK(fronts == peel_fronts(p));
                std::size_t total = 0;
                for (const auto& f : fronts) total += f.size();
                CHECK(total == n);
                // pareto_front: the feasible points no feasible point dominates
                std::vector<std::size_t> expected;
                for (std::size_t i = 0; i < n; ++i) {
                    if (!p[i].feasible()) continue;
                    bool dominated = false;
                    for (std::size_t j = 0; j < n; ++j)
                        dominated = dominated || (p[j].feasible() && search::pareto_dominates(p[j].objectives, p[i].objectives));
                    if (!dominated) expected.push_back(i);
                }
                CHECK(search::pareto_front(p) == expected);
                if (!expected.empty()) CHECK(fronts.front() == expected);
            }
    std::vector<point> bad{{{0, 1}, 0}, {{0, 1, 2}, 0}};
    CHECK_THROWS_AS(search::non_dominated_sort(bad), nascent::error);
    bad[1] = point{{0, std::numeric_limits<double>::quiet_NaN()}, 0};
    CHECK_THROWS_AS(search::pareto_front(bad), nascent::error);
}

TEST_CASE("crowding distance on a hand-computed front", "[search][pareto]") {
    const std::vector<point> p{{{0, 5}, 0}, {{1, 3}, 0}, {{3, 1}, 0}, {{4, 0}, 0}};
    const std::vector<std::size_t> front{2, 0, 3, 1};
    const std::vector<double> d = search::crowding_distance(p, front);
    // (3, 1): (4 - 1) / 4 + (3 - 0) / 5 = 1.35; (1, 3): (3 - 0) / 4 + (5 - 1) / 5 = 1.55
    REQUIRE(d.size() == 4);
    CHECK(d[0] == Approx(1.35));
    CHECK(std::isinf(d[1]));
    CHECK(std::isinf(d[2]));
    CHECK(d[3] == Approx(1.55));
    // an objective the front agrees on adds nothing and sets no infinite distance
    const std::vector<point> flat{{{0, 1}, 0}, {{1, 1}, 0}, {{2, 1}, 0}, {{4, 1}, 0}};
    const std::vector<double> f = search::crowding_distance(flat, std::vector<std::size_t>{0, 1, 2, 3});
    CHECK(std::isinf(f[0]));
    CHECK(f[1] == Approx(0.5));
    CHECK(f[2] == Approx(0.75));
    CHECK(std::isinf(f[3]));
    const std::vector<double> two = search::crowding_distance(p, std::vector<std::size_t>{1, 2});
    CHECK((std::isinf(two[0]) && std::isinf(two[1])));
}

TEST_CASE("hypervolume: hand values in two, three and four objectives", "[search][hypervolume]") {
    const std::vector<std::vector<double>> front2{{0.1, 0.8}, {0.3, 0.4}, {0.7, 0.1}};
    const std::vector<double> r2{1.0, 1.0};
    CHECK(search::hypervolume(front2, r2) == Approx(0.55));
    CHECK(search::hypervolume_2d(front2, r2) == Approx(0.55));
    CHECK(search::hypervolume_nd(front2, r2) == Approx(0.55));
    // dominated points, duplicates and points beyond the reference add nothing
    std::vector<std::vector<double>> more = front2;
    more.insert(more.end(), {{0.5, 0.5}, {0.3, 0.4}, {1.0, 0.0}, {0.0, 1.2}, {2.0, 2.0}});
    CHECK(search::hypervolume(more, r2) == Approx(0.55));
    CHECK(search::hypervolume(std::vector<std::vector<double>>{}, r2) == 0.0);

    const std::vector<double> r3{2, 2, 2};
    CHECK(search::hypervolume_3d(std::vector<std::vector<double>>{{1, 1, 1}}, r3) == 1.0);
    // boxes of 4 and 2 sharing a unit cube
    const std::vector<std::vector<double>> front3{{0, 0, 1}, {1, 1, 0}, {3, 0, 0}, {2, 0, 0}};
    CHECK(search::hypervolume_3d(front3, r3) == 5.0);
    CHECK(search::hypervolume(front3, r3) == 5.0);
    CHECK(search::hypervolume_nd(front3, r3) == 5.0);
    // a staircase in three objectives: 3 + 2 + 1 unit columns of heights 1, 2, 3 (reference 3)
    const std::vector<std::vector<double>> steps{{0, 2, 0}, {1, 1, 1}, {2, 0, 2}};
    const std::vector<double> r33{3, 3, 3};
    // z in [0,1): only (0,2): 3*1 = 3; z in [1,2): (0,2),(1,1): 3 + 2 = 5; z in [2,3): all: 3 + 2 + 1 = 6
    CHECK(search::hypervolume_3d(steps, r33) == 14.0);
    CHECK(search::hypervolume_nd(steps, r33) == 14.0);

    const std::vector<double> r4{1, 2, 3, 4};
    CHECK(search::hypervolume(std::vector<std::vector<double>>{{0, 0, 0, 0}}, r4) == 24.0);
    CHECK(search::hypervolume(std::vector<std::vector<double>>{{0, 0, 0, 0}, {0.5, 1, 1.5, 2}}, r4) == 24.0);
    CHECK(search::hypervolume(std::vector<std::vector<double>>{{0.5, 0, 0, 0}, {0, 0, 0, 2}}, r4) == 12.0 + 12.0 - 6.0);

    CHECK_THROWS_AS(search::hypervolume(front3, r2), nascent::error);
    CHECK_THROWS_AS(search::hypervolume_2d(front3, r3), nascent::error);
    CHECK_THROWS_AS(search::hypervolume(front2, std::vector<double>{}), nascent::error);
}

TEST_CASE("hypervolume equals an exact grid count and a Monte-Carlo estimate on random fronts", "[search][hypervolume]") {
    rng random(5);
    constexpr int k = 9;
    for (const std::size_t m : {std::size_t{2}, std::size_t{3}, std::size_t{4}})
        for (int trial = 0; trial < 6; ++trial) {
            std::vector<std::vector<double>> pts(1 + random.below(25));
            for (auto& p : pts)
                for (std::size_t d = 0; d < m; ++d) p.push_back(static_cast<double>(random.below(k + 1)));  // k itself: on the reference
            const std::vector<double> reference(m, static_cast<double>(k));
            const double exact = grid_count(pts, m, k);
            INFO("m " << m << ", " << pts.size() << " points");
            CHECK(search::hypervolume(pts, reference) == exact);
            CHECK(search::hypervolume_nd(pts, reference) == exact);
            if (m == 2) CHECK(search::hypervolume_2d(pts, reference) == exact);
            if (m == 3) CHECK(search::hypervolume_3d(pts, reference) == exact);
        }

    // real-valued fronts: the sweeps and the slicing agree, and a Monte-Carlo estimate agrees with them
    for (const std::size_t m : {std::size_t{2}, std::size_t{3}, std::size_t{4}, std::size_t{5}}) {
        std::vector<std::vector<double>> pts(m == 5 ? 25 : 60);
        for (auto& p : pts) {
            // points near the simplex sum = 1: a front with few dominated points
            double sum = 0.0;
            for (std::size_t d = 0; d < m; ++d) p.push_back(random.uniform(0.05, 1.0)), sum += p.back();
            for (auto& v : p) v /= sum;
        }
        const std::vector<double> reference(m, 1.0);
        const double exact = search::hypervolume(pts, reference);
        CHECK(search::hypervolume_nd(pts, reference) == Approx(exact).epsilon(1e-12));
        if (m == 2) CHECK(search::hypervolume_2d(pts, reference) == Approx(exact).epsilon(1e-12));
        if (m == 3) CHECK(search::hypervolume_3d(pts, reference) == Approx(exact).epsilon(1e-12));
        constexpr int samples = 200000;
        int inside = 0;
        std::vector<double> x(m);
        for (int s = 0; s < samples; ++s) {
            for (auto& v : x) v = random.uniform();
            bool dominated = false;
            for (const auto& p : pts) {
                bool below = true;
                for (std::size_t d = 0; d < m && below; ++d) below = p[d] <= x[d];
                if (below) {
                    dominated = true;
                    break;
                }
            }
            inside += dominated ? 1 : 0;
        }
        const double estimate = static_cast<double>(inside) / samples;
        const double sigma = std::sqrt(exact * (1 - exact) / samples);
        INFO("m " << m << ": exact " << exact << ", Monte-Carlo " << estimate);
        CHECK(exact > 0.0);
        CHECK(std::abs(estimate - exact) < 5 * sigma);
    }
}

TEST_CASE("objectives are normalised linearly between the ideal and the nadir point", "[search][hypervolume]") {
    const std::vector<double> ideal{0, 100}, nadir{2, 300};
    const auto n = search::normalize_objectives(std::vector<double>{1, 350}, ideal, nadir);
    CHECK(n == std::vector<double>{0.5, 1.25});  // not clamped
    const std::vector<std::vector<double>> pts{{0, 100}, {2, 300}};
    CHECK(search::normalize_objectives(pts, ideal, nadir) == std::vector<std::vector<double>>{{0, 0}, {1, 1}});
    CHECK_THROWS_AS(search::normalize_objectives(std::vector<double>{1, 1}, ideal, std::vector<double>{2, 100}), nascent::error);
    CHECK_THROWS_AS(search::normalize_objectives(std::vector<double>{1}, ideal, nadir), nascent::error);
}

TEST_CASE("NSGA-II: a non-dominated front whose hypervolume grows, better than random draws", "[search][nsga2]") {
    formula judge;
    const search::nsga2_options o{.population = 16, .generations = 12, .seed = 3};
    const search::nsga2_result r = search::nsga2<toy_space>(toy, judge, {}, o);
    REQUIRE(r.generations.size() == 13);
    CHECK(judge.calls == r.history.size());

    // the history: distinct candidates, their points, the generation that bred them
    std::unordered_set<architecture> distinct;
    std::size_t counted = 0;
    for (std::size_t i = 0; i < r.history.size(); ++i) {
        distinct.insert(r.history[i].arch);
        CHECK(r.points[i] == search::point_of(r.history[i], o.objectives, o.settings, {}));
        CHECK(r.points[i].objectives[0] == Approx(1.0 - r.history[i].accuracy));
    }
    CHECK(distinct.size() == r.history.size());
    for (const auto& g : r.generations) {
        counted += g.evaluated;
        CHECK(g.total_evaluated == counted);
    }
    CHECK(counted == r.history.size());
    CHECK(r.population.size() == 16);
    CHECK(r.generations[0].evaluated == 16);

    // the front: exactly the non-dominated candidates of the history, after every generation
    CHECK(r.front == search::pareto_front(r.points));
    for (const auto& g : r.generations)
        CHECK(g.front == search::pareto_front(std::span<const point>(r.points).first(g.total_evaluated)));
    CHECK(r.front == peel_fronts(r.points).front());
    for (const std::size_t i : r.front)
        for (const std::size_t j : r.front) CHECK_FALSE(search::dominates(r.points[i], r.points[j]));

    // the hypervolume never falls and grows over the search
    for (std::size_t g = 1; g < r.generations.size(); ++g) CHECK(r.generations[g].hypervolume >= r.generations[g - 1].hypervolume);
    const double first = r.generations.front().hypervolume, last = r.generations.back().hypervolume;
    INFO("hypervolume: generation 0 " << first << ", generation 12 " << last);
    CHECK(last > first * 1.05);
    CHECK(r.generations.back().hypervolume == Approx(search::normalized_hypervolume(r.points, r.front, r.nadir)));
    // the nadir of unbounded costs: the largest figures of the first population
    REQUIRE(r.nadir.size() == 3);
    CHECK(r.nadir[0] == 1.0);
    double largest_ram = 0.0;
    for (const auto& e : r.history)
        if (e.generation == 0) largest_ram = std::max(largest_ram, static_cast<double>(e.costs.peak_ram_bytes));
    CHECK(r.nadir[1] == largest_ram);

    // random draws of as many candidates cover less, whatever the seed
    for (const std::uint64_t seed : {1, 2, 3, 4, 5}) {
        search::nsga2_options seeded = o;
        seeded.seed = seed;
        formula evolved_judge, random_judge;
        const auto evolved = search::nsga2<toy_space>(toy, evolved_judge, {}, seeded);
        const auto drawn = search::random_search<toy_space>(toy, random_judge, {}, {.samples = evolved.history.size(), .seed = seed});
        std::vector<point> drawn_points;
        for (const auto& e : drawn.history) drawn_points.push_back(search::point_of(e, o.objectives, o.settings, {}));
        const double random_hv = search::normalized_hypervolume(drawn_points, search::pareto_front(drawn_points), evolved.nadir);
        INFO("seed " << seed << ": NSGA-II " << evolved.generations.back().hypervolume << ", random search of "
                     << drawn.history.size() << " candidates " << random_hv);
        CHECK(drawn.history.size() == evolved.history.size());
        CHECK(evolved.generations.back().hypervolume > random_hv);
    }

    // another seed, another search; the same seed, the same search
    formula again;
    CHECK(search::nsga2<toy_space>(toy, again, {}, o).generations == r.generations);
    search::nsga2_options other = o;
    other.seed = 4;
    CHECK(search::nsga2<toy_space>(toy, again, {}, other).generations != r.generations);
}

TEST_CASE("NSGA-II handles constraints by domination, or rejects candidates up front", "[search][nsga2][constraints]") {
    // a RAM bound under the largest peak: only architectures without an expansion-6 block meet it
    // (729 of 4096; a block's expanded tensor sets the peak)
    std::vector<std::size_t> rams;
    {
        rng random(1);
        for (int i = 0; i < 200; ++i)
            rams.push_back(cost::of<toy_space>(toy, cost::precision::int8, space::sample<toy_space>(toy, random).view()).peak_ram_bytes);
        std::sort(rams.begin(), rams.end());
    }
    const auto below_largest = std::find_if(rams.rbegin(), rams.rend(), [&](std::size_t b) { return b < rams.back(); });
    REQUIRE(below_largest != rams.rend());
    const cost::budget limits{.ram_bytes = *below_largest};

    formula judge;
    const search::nsga2_options kept{.population = 12, .generations = 6, .seed = 2};
    const auto r = search::nsga2<toy_space>(toy, judge, limits, kept);
    std::size_t infeasible = 0;
    for (std::size_t i = 0; i < r.history.size(); ++i) {
        CHECK(r.points[i].feasible() == search::satisfies(r.history[i].costs, limits));
        CHECK(r.points[i].violation == Approx(search::excess(r.history[i].costs, limits)));
        infeasible += r.points[i].feasible() ? 0U : 1U;
    }
    CHECK(infeasible > 0);  // evaluated and kept in the history
    CHECK(r.rejected == 0);
    CHECK(r.nadir[1] == static_cast<double>(*limits.ram_bytes));  // the bound normalises a bounded cost
    for (const std::size_t i : r.front) CHECK(search::satisfies(r.history[i].costs, limits));
    for (const auto& g : r.generations)
        for (const std::size_t i : g.front) CHECK(r.points[i].feasible());
    CHECK(r.generations.back().feasible == r.population.size());  // feasible candidates win the population

    search::nsga2_options rejecting = kept;
    rejecting.reject_infeasible = true;
    formula counting;
    const auto strict = search::nsga2<toy_space>(toy, counting, limits, rejecting);
    CHECK(strict.rejected > 0);
    CHECK(counting.calls == strict.history.size());
    for (const auto& e : strict.history) CHECK(search::satisfies(e.costs, limits));

    // an impossible budget: rejected up front it is the strategies' error; kept, the violation shrinks
    const cost::budget impossible{.ram_bytes = 10};
    formula none;
    CHECK_THROWS_WITH(search::nsga2<toy_space>(toy, none, impossible, rejecting),
                      Catch::Contains("no architecture within the constraints (peak RAM <= 10 B at int8)"));
    CHECK(none.calls == 0);
    const auto pushed = search::nsga2<toy_space>(toy, none, impossible, kept);
    CHECK(pushed.front.empty());
    CHECK(pushed.generations.back().hypervolume == 0.0);
    double first_mean = 0.0, last_mean = 0.0, worst_kept = 0.0;
    for (std::size_t i = 0; i < kept.population; ++i) first_mean += pushed.points[i].violation / static_cast<double>(kept.population);
    for (const std::size_t i : pushed.population) {
        last_mean += pushed.points[i].violation / static_cast<double>(pushed.population.size());
        worst_kept = std::max(worst_kept, pushed.points[i].violation);
    }
    INFO("mean violation of the population: first " << first_mean << ", last " << last_mean);
    CHECK(last_mean < 0.6 * first_mean);
    for (std::size_t i = 0; i < pushed.history.size(); ++i)  // the least violated candidates survive
        if (pushed.points[i].violation < worst_kept)
            CHECK(std::find(pushed.population.begin(), pushed.population.end(), i) != pushed.population.end());

    search::nsga2_options bad = kept;
    bad.nadir = {1.0, 2.0};  // three objectives
    CHECK_THROWS_AS(search::nsga2<toy_space>(toy, none, {}, bad), nascent::error);
    bad.nadir = {};
    bad.population = 0;
    CHECK_THROWS_AS(search::nsga2<toy_space>(toy, none, {}, bad), nascent::error);
}

TEST_CASE("NSGA-II resumed from a saved state equals the uninterrupted search", "[search][nsga2][resume]") {
    const cost::budget limits{.flash_bytes = 3000};
    search::nsga2_options o{.population = 10, .generations = 7, .seed = 21};
    o.objectives = {search::objective::error, search::objective::peak_ram_bytes, search::objective::flash_bytes, search::objective::macs};
    formula straight_judge;
    const search::nsga2_result straight = search::nsga2<toy_space>(toy, straight_judge, limits, o);

    search::nsga2_state saved;
    {
        formula first_judge;
        search::nsga2_state state = search::nsga2_start<toy_space>(toy, first_judge, limits, o);
        for (int g = 0; g < 3; ++g) search::nsga2_step<toy_space>(toy, first_judge, limits, o, state);
        CHECK(state.generation == 3);
        saved = state;  // the checkpoint; the process that ran the first generations ends here
    }
    formula second_judge;
    while (saved.generation < o.generations) search::nsga2_step<toy_space>(toy, second_judge, limits, o, saved);
    const search::nsga2_result resumed = search::nsga2_finish(saved);

    REQUIRE(resumed.history.size() == straight.history.size());
    for (std::size_t i = 0; i < straight.history.size(); ++i) {
        CHECK(resumed.history[i].arch == straight.history[i].arch);
        CHECK(resumed.history[i].accuracy == straight.history[i].accuracy);
        CHECK(resumed.history[i].costs == straight.history[i].costs);
        CHECK(resumed.history[i].generation == straight.history[i].generation);
    }
    CHECK(resumed.points == straight.points);
    CHECK(resumed.population == straight.population);
    CHECK(resumed.front == straight.front);
    CHECK(resumed.generations == straight.generations);
    CHECK(resumed.nadir == straight.nadir);
    CHECK(resumed.rejected == straight.rejected);

    // a state that does not fit the options is refused
    search::nsga2_options other = o;
    other.objectives = {search::objective::error, search::objective::macs};
    CHECK_THROWS_AS(search::nsga2_step<toy_space>(toy, second_judge, limits, other, saved), nascent::error);
    CHECK(search::nsga2_rng(21, 4).next() == search::nsga2_rng(21, 4).next());
    CHECK(search::nsga2_rng(21, 4).next() != search::nsga2_rng(21, 5).next());
}

TEST_CASE("objectives: names, values by hand, and the normalisation of their hypervolume", "[search][objectives]") {
    using search::objective;
    CHECK(search::objective_named("peak_ram") == objective::peak_ram_bytes);
    for (const objective o : search::all_objectives) CHECK(search::objective_named(search::name_of(o)) == o);
    CHECK(search::objectives_named("top1_robust,tiny_ml") == std::vector<objective>{objective::top1_robust, objective::tiny_ml});
    CHECK(search::names_of(search::objectives_named("error,ram,flash")) == "error,ram,flash");
    CHECK_THROWS_WITH(search::objectives_named("error,speed"),
                      Catch::Contains("unknown objective \"speed\"") && Catch::Contains("tiny_ml, avg_macs"));
    CHECK_THROWS_WITH(search::objectives_named("error,macs,macs"), Catch::Contains("\"macs\" is named twice"));
    CHECK_THROWS_WITH(search::objectives_named("ram,flash"), Catch::Contains("must hold error or top1_robust"));
    CHECK_THROWS_WITH(search::objectives_named(""), Catch::Contains("list of objectives is empty"));
    CHECK_THROWS_WITH(search::objectives_named("error,"), Catch::Contains("unknown objective \"\""));

    search::evaluated e = candidate({0}, 0.9, 1000, 5000, 2'000'000);
    e.costs.params = 300'000;
    e.costs.activations = 1'500'000;
    search::objective_settings s;
    CHECK(search::value_of(e, objective::error, s) == Approx(0.1));
    CHECK(search::value_of(e, objective::activations, s) == 1'500'000.0);
    CHECK_THROWS_WITH(search::value_of(e, objective::top1_robust, s), Catch::Contains("without its robustness"));
    e.robustness = 0.7;
    CHECK(search::value_of(e, objective::top1_robust, s) == Approx(1.0 - (0.5 * 0.9 + 0.5 * 0.7)));
    s.robust_alpha = 0.75;
    CHECK(search::value_of(e, objective::top1_robust, s) == Approx(1.0 - (0.75 * 0.9 + 0.25 * 0.7)));
    // CNAS's defaults: 1 * 0.3 + 2 / 40 + 1 * 1.5, nothing over pmax 2, mmax 100, amax 5
    CHECK(search::value_of(e, objective::tiny_ml, s) == Approx(0.3 + 2.0 / 40.0 + 1.5));
    s.tiny_ml.activations_max = 1.0;  // 0.5 M over: the penalty 1e10 on it
    CHECK(search::value_of(e, objective::tiny_ml, s) == Approx(0.3 + 2.0 / 40.0 + 1.5 + 1e10 * 0.5));
    // one exit: every input leaves at the end, so avg_macs is the MACs; measured, it is the measure
    CHECK(search::value_of(e, objective::avg_macs, s) == 2'000'000.0);
    e.average_macs = 1'250'000.0;
    CHECK(search::value_of(e, objective::avg_macs, s) == 1'250'000.0);

    const std::vector<search::evaluated> two{e, candidate({1}, 0.5, 3000, 1000, 4'000'000)};
    const std::vector<objective> objectives{objective::error, objective::peak_ram_bytes, objective::macs, objective::activations};
    const cost::budget limits{.ram_bytes = 2000, .activations = 10'000'000};
    // error 1, the RAM bound, the largest MACs seen, the activation bound
    CHECK(search::nadir_of(objectives, limits, two) == std::vector<double>{1.0, 2000.0, 4'000'000.0, 10'000'000.0});
    CHECK(search::bound_on(limits, objective::activations) == std::optional<std::size_t>(10'000'000));
    CHECK_FALSE(search::bound_on(limits, objective::flash_bytes));
    CHECK(search::describe(limits) == "peak RAM <= 2000 B, activations <= 10000000 at int8");
}

TEST_CASE("NSGA-II with NACHOS's adaptive penalty: hand values, and a push toward the bound", "[search][nsga2][constraints]") {
    using search::objective;
    search::nsga2_options o;
    o.objectives = {objective::error, objective::peak_ram_bytes};
    o.constraints = search::constraint_handling::adaptive_penalty;
    const cost::budget limits{.ram_bytes = 1000, .flash_bytes = 5000};
    std::vector<search::evaluated> c{candidate({0}, 0.9, 800, 1000), candidate({1}, 0.9, 900, 6000), candidate({2}, 0.9, 1200, 1000),
                                     candidate({3}, 0.9, 1600, 1000)};
    std::vector<point> points;
    for (const auto& e : c) points.push_back(search::point_of(e, o.objectives, o.settings, limits));
    const std::vector<std::size_t> all{0, 1, 2, 3};
    const std::vector<point> ranked = search::ranking_points(c, points, all, o, limits);
    // phi = 2 / 4 within 1000 B, worst 1600: phi x / b + (1 - phi) max(0, x - b) / (worst - b)
    CHECK(ranked[0].objectives[1] == Approx(0.5 * 0.8));
    CHECK(ranked[1].objectives[1] == Approx(0.5 * 0.9));
    CHECK(ranked[2].objectives[1] == Approx(0.5 * 1.2 + 0.5 * 200.0 / 600.0));
    CHECK(ranked[3].objectives[1] == Approx(0.5 * 1.6 + 0.5 * 1.0));
    CHECK(ranked[0].objectives[0] == Approx(0.1));
    // the flash bound is on no objective: it stays under domination, its excess the violation
    CHECK(ranked[0].violation == 0.0);
    CHECK(ranked[1].violation == Approx(0.2));
    CHECK(ranked[2].violation == 0.0);  // over the RAM bound: the penalty's matter, not a violation
    // phi and the worst figure are the members': among the first three, phi = 2 / 3, worst 1200
    const std::vector<point> three = search::ranking_points(c, points, std::vector<std::size_t>{0, 1, 2}, o, limits);
    CHECK(three[2].objectives[1] == Approx(2.0 / 3.0 * 1.2 + 1.0 / 3.0 * 1.0));
    // every member within the bound: the plain figures, in units of the bound
    const std::vector<point> within = search::ranking_points(c, points, std::vector<std::size_t>{0, 1}, o, limits);
    CHECK(within[1].objectives[1] == Approx(0.9));
    o.constraints = search::constraint_handling::domination;
    CHECK(search::ranking_points(c, points, all, o, limits)[3] == points[3]);

    // on the toy space, a RAM bound a random draw rarely meets: the population moves within it
    std::vector<std::size_t> rams;
    {
        rng random(5);
        for (int i = 0; i < 200; ++i)
            rams.push_back(cost::of<toy_space>(toy, cost::precision::int8, space::sample<toy_space>(toy, random).view()).peak_ram_bytes);
        std::sort(rams.begin(), rams.end());
    }
    const cost::budget tight{.ram_bytes = rams[rams.size() / 10]};
    search::nsga2_options adaptive{.population = 12, .generations = 8, .seed = 4};
    adaptive.constraints = search::constraint_handling::adaptive_penalty;
    formula judge;
    const auto r = search::nsga2<toy_space>(toy, judge, tight, adaptive);
    INFO("feasible members: generation 0 " << r.generations.front().feasible << ", last " << r.generations.back().feasible);
    CHECK(r.generations.front().feasible < r.population.size() / 2);
    CHECK(r.generations.back().feasible > r.generations.front().feasible);
    CHECK(r.generations.back().feasible >= r.population.size() / 2);
    CHECK(!r.front.empty());
    for (const std::size_t i : r.front) CHECK(search::satisfies(r.history[i].costs, tight));  // the front holds only feasible ones

    adaptive.reject_infeasible = true;
    CHECK_THROWS_WITH(search::nsga2<toy_space>(toy, judge, tight, adaptive), Catch::Contains("cannot go with reject_infeasible"));
}

TEST_CASE("NSGA-II on top1_robust and tiny_ml: the judge's robustness is an objective", "[search][nsga2][objectives]") {
    using search::objective;
    // a judge that measures robustness: the formula, lowered more for the wider blocks (option 2)
    auto robust_judge = [](const architecture& a) {
        formula f;
        train::evaluation e;
        e.accuracy = f(a);
        e.robustness = e.accuracy - 0.05 * static_cast<double>(std::count(a.choices.begin(), a.choices.end(), 2));
        return e;
    };
    search::nsga2_options o{.population = 10, .generations = 3, .seed = 6};
    o.objectives = {objective::top1_robust, objective::tiny_ml};
    o.settings.robust_alpha = 0.25;
    o.settings.tiny_ml.macs_weight = 1.0;
    const auto r = search::nsga2<toy_space>(toy, robust_judge, {}, o);
    for (std::size_t i = 0; i < r.history.size(); ++i) {
        const auto& e = r.history[i];
        CHECK(e.robustness == Approx(robust_judge(e.arch).robustness));
        CHECK(r.points[i].objectives[0] == Approx(1.0 - (0.25 * e.accuracy + 0.75 * e.robustness)));
        CHECK(r.points[i].objectives[1] == Approx(cost::tiny_ml(e.costs, o.settings.tiny_ml)));
    }
    CHECK(r.nadir[0] == 1.0);
    // a judge that does not measure robustness cannot serve top1_robust
    formula plain;
    CHECK_THROWS_WITH(search::nsga2<toy_space>(toy, plain, {}, o), Catch::Contains("flatness_draws"));

    // post-search by top1_robust: the highest alpha top1 + (1 - alpha) robustness
    std::vector<search::evaluated> c{candidate({0}, 0.90, 100, 100), candidate({1}, 0.80, 100, 100)};
    c[0].robustness = 0.50;  // 0.5 * 0.9 + 0.5 * 0.5 = 0.70
    c[1].robustness = 0.70;  // 0.75
    search::post_search_options how;
    how.prefer = search::preference::top1_robust;
    CHECK(search::post_search(c, {}, how) == std::vector<std::size_t>{1});
    how.robust_alpha = 0.9;  // 0.86 against 0.79
    CHECK(search::post_search(c, {}, how) == std::vector<std::size_t>{0});
    CHECK(search::preference_from_name("top1_robust") == search::preference::top1_robust);
}

TEST_CASE("post-search picks by accuracy, by a cost or at the knee of the front", "[search][post_search]") {
    const std::vector<search::evaluated> c{
        candidate({0}, 0.90, 1000, 5000),  // 0
        candidate({1}, 0.95, 3000, 9000),  // 1: over the RAM bound
        candidate({2}, 0.85, 400, 3000),   // 2
        candidate({3}, 0.80, 390, 2500),   // 3: within 5 % of 2's RAM, less accurate
        candidate({4}, 0.60, 200, 1000),   // 4
        candidate({5}, 0.88, 800, 6000),   // 5: dominated by 0 in (error, flash)
        candidate({6}, 0.70, 500, 4000),   // 6: dominated by 2 in (error, RAM) and (error, flash)
    };
    const cost::budget limits{.ram_bytes = 2500};
    using search::preference;
    auto pick = [&](preference p, std::size_t n, double similar = 0.05) {
        search::post_search_options o;
        o.count = n;
        o.prefer = p;
        o.similar_cost = similar;
        o.tradeoff_objectives = {cost::metric::peak_ram_bytes};
        return search::post_search(c, limits, o);
    };
    using v = std::vector<std::size_t>;
    CHECK(pick(preference::accuracy, 2) == v{0, 5});  // 1 is more accurate but over the bound
    CHECK(pick(preference::accuracy, 10) == v{0, 5, 2, 3, 6, 4});
    // RAM: the cheapest, then the most accurate of {3, 2} (similar RAM), then 5; 6 is off the front
    CHECK(pick(preference::peak_ram, 3) == v{4, 2, 5});
    CHECK(pick(preference::peak_ram, 3, 0.0) == v{4, 3, 2});
    CHECK(pick(preference::peak_ram, 10, 0.0) == v{4, 3, 2, 5, 0, 6});  // the first front, then the next
    CHECK(pick(preference::flash, 3, 0.0) == v{4, 3, 2});
    CHECK(pick(preference::flash, 5, 0.0) == v{4, 3, 2, 0, 6});
    // trade-off on (error, RAM): normalised, 2 costs most to leave (mu = 3.33), then 4 (0.3) and 0 (0.22)
    CHECK(pick(preference::tradeoff, 1) == v{2});
    CHECK(pick(preference::tradeoff, 3) == v{2, 4, 0});
    CHECK(pick(preference::tradeoff, 0).empty());

    CHECK(search::preference_from_name("ram") == preference::peak_ram);
    CHECK(search::preference_from_name("trade-off") == preference::tradeoff);
    CHECK(search::preference_from_name(search::preference_name(preference::macs)) == preference::macs);
    CHECK_THROWS_WITH(search::preference_from_name("speed"), Catch::Contains("unknown preference \"speed\""));
    const cost::budget nothing_fits{.ram_bytes = 100};
    CHECK(search::post_search(c, nothing_fits, {}).empty());

    // on a search's history: the tradeoff picks lie on the front
    formula judge;
    const auto r = search::nsga2<toy_space>(toy, judge, {}, {.population = 12, .generations = 4, .seed = 8});
    const auto picks = search::post_search(r.history, {}, {.count = 3});
    REQUIRE(picks.size() == 3);
    for (const std::size_t i : picks) CHECK(std::find(r.front.begin(), r.front.end(), i) != r.front.end());
}

TEST_CASE("the front as CSV and as a three-panel SVG, written atomically", "[search][report]") {
    const std::vector<search::evaluated> c{
        candidate({1, 0, 2}, 0.85, 400, 3000, 7000),
        candidate({0, 0, 0}, 0.5, 300, 2000, 5000),
        candidate({2, 2, 2}, 0.9375, 1200, 9000, 20000),
        candidate({3, 3, 3}, 0.25, 900, 8000, 9000),
    };
    const std::vector<std::size_t> front{1, 0, 2};
    const std::string csv = search::pareto_csv(c, front);
    CHECK(csv ==
          "architecture,accuracy,peak_ram_bytes,flash_bytes,macs\n"
          "0-0-0,0.5,300,2000,5000\n"
          "1-0-2,0.85,400,3000,7000\n"
          "2-2-2,0.9375,1200,9000,20000\n");
    CHECK_THROWS_AS(search::pareto_csv(c, std::vector<std::size_t>{4}), nascent::error);

    const std::string svg = search::pareto_svg(c, front, {.title = "front <RAM & flash>"});
    CHECK(svg.rfind("<svg", 0) == 0);
    const std::string ending = "</svg>\n";
    CHECK(svg.compare(svg.size() - ending.size(), ending.size(), ending) == 0);
    CHECK(check_xml(svg, "circle") == 3 * c.size());  // one circle per candidate in each panel
    const std::size_t ram_panel = svg.find("id=\"panel-ram\""), flash_panel = svg.find("id=\"panel-flash\""),
                      macs_panel = svg.find("id=\"panel-macs\"");
    REQUIRE(ram_panel != std::string::npos);
    REQUIRE(flash_panel != std::string::npos);
    REQUIRE(macs_panel != std::string::npos);
    CHECK(count_of(svg.substr(ram_panel, flash_panel - ram_panel), "<circle") == c.size());
    CHECK(count_of(svg.substr(flash_panel, macs_panel - flash_panel), "<circle") == c.size());
    CHECK(count_of(svg.substr(macs_panel), "<circle") == c.size());
    CHECK(count_of(svg, "fill=\"#d62728\"") == 3 * front.size());  // the front highlighted
    CHECK(count_of(svg, "class=\"front-line\"") == 3);
    CHECK(svg.find("front &lt;RAM &amp; flash&gt;") != std::string::npos);
    CHECK(svg.find("peak RAM (bytes)") != std::string::npos);
    CHECK(svg.find("flash (bytes)") != std::string::npos);
    CHECK(svg.find(">MACs</text>") != std::string::npos);
    CHECK(svg.find("accuracy (%)") != std::string::npos);
    CHECK(count_of(svg, "<line") >= 12);  // ticks on both axes of every panel
    // empty inputs still make a well-formed plot
    const std::string empty = search::pareto_svg(std::vector<search::evaluated>{}, std::vector<std::size_t>{});
    CHECK(check_xml(empty, "circle") == 0);

    const auto folder = std::filesystem::temp_directory_path() / ("nascent-pareto-report-" + std::to_string(::getpid()));
    std::filesystem::create_directories(folder);
    search::write_pareto_csv(folder / "front.csv", c, front);
    search::write_pareto_svg(folder / "front.svg", c, front, {.title = "front <RAM & flash>"});
    auto read = [](const std::filesystem::path& p) {
        std::ifstream in(p, std::ios::binary);
        return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    };
    CHECK(read(folder / "front.csv") == csv);
    CHECK(read(folder / "front.svg") == svg);
    CHECK(std::distance(std::filesystem::directory_iterator(folder), std::filesystem::directory_iterator()) == 2);  // no temporary left
    std::filesystem::remove_all(folder);
}

TEST_CASE("a search's progress as a two-panel SVG: best feasible accuracy and hypervolume per iteration", "[search][report]") {
    const std::vector<search::progress_point> points{
        {.iteration = 0, .candidates = 16, .best_accuracy = 0.84, .hypervolume = 0.51},
        {.iteration = 1, .candidates = 24, .best_accuracy = 0.86, .hypervolume = 0.55},
        {.iteration = 3, .candidates = 40, .best_accuracy = 0.875, .hypervolume = 0.5625},
    };
    const std::string svg = search::progress_svg(points, {.title = "progress <NSGA-II>"});
    CHECK(check_xml(svg, "circle") == 2 * points.size());  // one marker per iteration in each panel
    const std::size_t accuracy_panel = svg.find("id=\"panel-accuracy\""), hypervolume_panel = svg.find("id=\"panel-hypervolume\"");
    REQUIRE(accuracy_panel != std::string::npos);
    REQUIRE(hypervolume_panel != std::string::npos);
    CHECK(count_of(svg.substr(accuracy_panel, hypervolume_panel - accuracy_panel), "<circle") == points.size());
    CHECK(count_of(svg, "class=\"progress-line\"") == 2);
    CHECK(svg.find("progress &lt;NSGA-II&gt;") != std::string::npos);
    CHECK(svg.find("iteration 3: 40 candidates, best feasible accuracy 87.50 %, hypervolume 0.5625") != std::string::npos);
    // the line of each panel goes through its points left to right: three vertices
    const std::size_t line = svg.find("class=\"progress-line\" d=\"M");
    REQUIRE(line != std::string::npos);
    CHECK(count_of(svg.substr(line, svg.find('"', line + 30) - line), " L") == 2);
    CHECK(check_xml(search::progress_svg(std::vector<search::progress_point>{}), "circle") == 0);
    // points out of order, and panels too small, are refused
    const std::vector<search::progress_point> backwards{points[1], points[0]};
    CHECK_THROWS_WITH(search::progress_svg(backwards), Catch::Contains("increasing iteration order"));
    CHECK_THROWS_AS(search::progress_svg(points, {.title = "", .panel_width = 100, .panel_height = 300}), nascent::error);
}

TEST_CASE("docs/search.md: the multi-objective example compiles and runs", "[search][docs]") {
    const auto folder = std::filesystem::temp_directory_path() / ("nascent-multiobjective-docs-" + std::to_string(::getpid()));
    std::filesystem::create_directories(folder);

    const cost::budget limits{.ram_bytes = 1280};
    formula judge;  // any evaluator: search::supernet_evaluator, a predictor, a formula
    const search::nsga2_options o{.population = 16, .generations = 10, .seed = 1};  // error, peak RAM, flash
    const search::nsga2_result r = search::nsga2<toy_space>(toy, judge, limits, o);
    // r.history: every candidate; r.front: indices of the feasible non-dominated ones
    // r.generations[g].hypervolume, .front, .evaluated

    // the same search, one generation at a time, with a checkpoint between generations
    search::nsga2_state state = search::nsga2_start<toy_space>(toy, judge, limits, o);
    while (state.generation < o.generations) {
        search::nsga2_step<toy_space>(toy, judge, limits, o, state);
        // save `state` here to continue later
    }
    const search::nsga2_result same = search::nsga2_finish(state);

    const std::vector<std::size_t> picks =
        search::post_search(r.history, limits, {.count = 3, .prefer = search::preference::tradeoff});
    search::write_pareto_csv(folder / "front.csv", r.history, r.front);  // architecture,accuracy,peak_ram_bytes,flash_bytes,macs
    search::write_pareto_svg(folder / "front.svg", r.history, r.front, {.title = "NSGA-II, peak RAM <= 1280 B"});

    CHECK(same.generations == r.generations);
    CHECK(!r.front.empty());
    CHECK(picks.size() == std::min<std::size_t>(3, r.front.size()));
    for (const std::size_t i : picks) CHECK(search::satisfies(r.history[i].costs, limits));
    CHECK(std::filesystem::file_size(folder / "front.csv") > 0);
    CHECK(std::filesystem::file_size(folder / "front.svg") > 0);
    std::filesystem::remove_all(folder);
}

} // namespace test_search_multiobjective
