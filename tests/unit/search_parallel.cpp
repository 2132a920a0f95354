// Judging a generation at once: the split of a batch over workers (against the LPT bound), batch
// evaluators in NSGA-II and batch evolution (one call per generation, the same search as one
// candidate at a time), and the process pool (the same results as one process; a process that
// throws or dies is named, and every process is reaped).
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstddef>
#include <numeric>
#include <span>
#include <stdexcept>
#include <vector>

#include <nascent/core/random.hpp>
#include <nascent/search/batch_evolution.hpp>
#include <nascent/search/batch_scoring.hpp>
#include <nascent/search/nsga2.hpp>
#include <nascent/search/process_pool.hpp>
#include <nascent/search/work_shares.hpp>

#include "toy_spaces.hpp"

// The file's names live in a namespace of their own: the tests compile in unity groups.
namespace test_search_parallel {

using namespace nascent;

namespace {

/// 4^5 architectures (toy_spaces.hpp).
using toy_space = testing::toy_chain<5>;
constexpr shape toy = testing::toy_input;

/// A judge whose verdict depends on the candidate alone: accuracy, loss and robustness from its choices.
train::evaluation verdict(const architecture& a) {
    train::evaluation e;
    double sum = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) sum += (1.0 + 0.1 * static_cast<double>(i)) * (a[i] == 3 ? 0.0 : 1.0 + a[i]);
    e.accuracy = sum / 20.0;
    e.loss = 2.0 - e.accuracy;
    e.samples = 100 + a.size();
    e.robustness = 0.9 * e.accuracy;
    return e;
}

struct one_by_one {
    std::size_t calls = 0;
    train::evaluation operator()(const architecture& a) {
        ++calls;
        return verdict(a);
    }
};

/// The same verdicts, a generation at a time; remembers the size of each batch.
struct batches {
    std::vector<std::size_t> sizes;
    train::evaluation operator()(const architecture&) {
        FAIL("a batch evaluator is asked one candidate at a time");
        return {};
    }
    std::vector<train::evaluation> evaluate_all(std::span<const architecture> batch) {
        sizes.push_back(batch.size());
        std::vector<train::evaluation> out;
        for (const architecture& a : batch) out.push_back(verdict(a));
        return out;
    }
};
static_assert(search::batch_evaluator<batches>);
static_assert(!search::batch_evaluator<one_by_one>);

void same_history(const std::vector<search::evaluated>& a, const std::vector<search::evaluated>& b) {
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        CHECK(a[i].arch == b[i].arch);
        CHECK(a[i].accuracy == b[i].accuracy);
        CHECK(a[i].loss == b[i].loss);
        CHECK(a[i].robustness == b[i].robustness);
        CHECK(a[i].generation == b[i].generation);
    }
}

std::vector<architecture> some_architectures(std::size_t n, std::uint64_t seed) {
    rng random(seed);
    std::vector<architecture> out;
    for (std::size_t i = 0; i < n; ++i) out.push_back(space::sample<toy_space>(toy, random));
    return out;
}

/// No child process is left unreaped.
bool no_children_left() { return ::waitpid(-1, nullptr, WNOHANG) == -1 && errno == ECHILD; }

} // namespace

TEST_CASE("share_out: longest work first to the least-loaded worker, within the LPT bound", "[search][parallel]") {
    const std::vector<double> work{5, 4, 3, 3, 3};
    CHECK(search::share_out(work, 2) == std::vector<std::size_t>{0, 1, 1, 0, 1});  // loads 8 and 10
    CHECK(search::share_of(search::share_out(work, 2), 1) == std::vector<std::size_t>{1, 2, 4});
    CHECK(search::share_out(work, 1) == std::vector<std::size_t>(5, 0));
    // equal work: shares differ by at most one candidate, in batch order
    CHECK(search::share_out(std::vector<double>(7, 1.0), 3) == std::vector<std::size_t>{0, 1, 2, 0, 1, 2, 0});
    CHECK(search::share_out(std::vector<double>{}, 3).empty());

    // Graham's bound for LPT against the best split, found by trying every split
    rng random(5);
    for (int trial = 0; trial < 200; ++trial) {
        const std::size_t workers = 1 + random.below(3);
        std::vector<double> w(1 + random.below(8));
        for (double& x : w) x = random.uniform() * 100.0;
        const auto longest = [&](const std::vector<std::size_t>& of) {
            std::vector<double> load(workers, 0.0);
            for (std::size_t i = 0; i < w.size(); ++i) load.at(of[i]) += w[i];
            return *std::max_element(load.begin(), load.end());
        };
        double best = 1e300;
        std::vector<std::size_t> split(w.size(), 0);
        for (;;) {
            best = std::min(best, longest(split));
            std::size_t d = 0;
            while (d < split.size() && ++split[d] == workers) split[d++] = 0;
            if (d == split.size()) break;
        }
        const double m = static_cast<double>(workers);
        CHECK(longest(search::share_out(w, workers)) <= (4.0 / 3.0 - 1.0 / (3.0 * m)) * best + 1e-9);
    }
    CHECK_THROWS_WITH(search::share_out(work, 0), Catch::Contains("at least one worker"));
    CHECK_THROWS_WITH(search::share_out(std::vector<double>{1.0, -1.0}, 2), Catch::Contains("must not be negative"));
}

TEST_CASE("NSGA-II and batch evolution hand a batch evaluator each generation at once, with the same search", "[search][parallel]") {
    const cost::budget limits{.flash_bytes = 3000};
    {
        const search::nsga2_options o{.population = 8, .generations = 4, .offspring = 6, .seed = 7};
        one_by_one serial;
        const search::nsga2_result expected = search::nsga2<toy_space>(toy, serial, limits, o);
        batches judge;
        const search::nsga2_result got = search::nsga2<toy_space>(toy, judge, limits, o);
        same_history(got.history, expected.history);
        CHECK(got.front == expected.front);
        CHECK(got.population == expected.population);
        REQUIRE(judge.sizes.size() == 5);  // the first population, then one batch per generation
        CHECK(judge.sizes.front() == 8);
        CHECK(std::accumulate(judge.sizes.begin(), judge.sizes.end(), std::size_t{0}) == serial.calls);
    }
    for (const search::batch_kind kind : {search::batch_kind::random, search::batch_kind::aging, search::batch_kind::evolution}) {
        const search::batch_options o{.kind = kind, .population = 8, .per_step = 5, .seed = 3};
        one_by_one serial;
        search::batch_state expected = search::batch_start<toy_space>(toy, serial, limits, o);
        batches judge;
        search::batch_state got = search::batch_start<toy_space>(toy, judge, limits, o);
        for (int step = 0; step < 3; ++step) {
            search::batch_step<toy_space>(toy, serial, limits, o, expected);
            search::batch_step<toy_space>(toy, judge, limits, o, got);
        }
        same_history(got.history, expected.history);
        CHECK(judge.sizes == std::vector<std::size_t>{8, 5, 5, 5});
    }
}

TEST_CASE("the process pool: the results of one process, each batch split by work", "[search][parallel]") {
    const std::vector<architecture> batch = some_architectures(11, 9);
    one_by_one local;
    std::vector<double> seen_work;
    search::process_pool_evaluator pool(local, 3, [&](const architecture& a) {
        seen_work.push_back(static_cast<double>(a.size()));
        return static_cast<double>(std::count(a.choices.begin(), a.choices.end(), 2) + 1);
    });
    const std::vector<train::evaluation> got = pool.evaluate_all(batch);
    REQUIRE(got.size() == batch.size());
    for (std::size_t i = 0; i < batch.size(); ++i) {
        const train::evaluation want = verdict(batch[i]);
        CHECK(got[i].accuracy == want.accuracy);
        CHECK(got[i].loss == want.loss);
        CHECK(got[i].samples == want.samples);
        CHECK(got[i].robustness == want.robustness);
        CHECK(got[i].average_macs == want.average_macs);
    }
    CHECK(seen_work.size() == batch.size());  // the work function ran here, once per candidate
    CHECK(local.calls < batch.size());        // this process judged its share only
    CHECK(no_children_left());
    CHECK(pool.evaluate_all(std::span<const architecture>(batch).first(1)).front().accuracy == verdict(batch[0]).accuracy);
    CHECK(pool.evaluate_all({}).empty());

    // a whole search through the pool equals the search in one process
    const cost::budget limits{.flash_bytes = 3000};
    const search::nsga2_options o{.population = 8, .generations = 3, .seed = 11};
    one_by_one serial;
    one_by_one inner;
    search::process_pool_evaluator two(inner, 2);
    same_history(search::nsga2<toy_space>(toy, two, limits, o).history, search::nsga2<toy_space>(toy, serial, limits, o).history);
    CHECK(no_children_left());
    CHECK_THROWS_WITH(search::process_pool_evaluator(inner, 0), Catch::Contains("at least one process"));
}

TEST_CASE("the process pool names a process that throws or dies, and reaps them all", "[search][parallel]") {
    const std::vector<architecture> batch = some_architectures(6, 4);
    const pid_t parent = ::getpid();
    SECTION("a forked process throws") {
        auto judge = [&](const architecture& a) -> double {
            if (::getpid() != parent && a == batch[1]) throw std::runtime_error("out of memory in the judge");
            return verdict(a).accuracy;
        };
        search::process_pool_evaluator pool(judge, 3);
        CHECK_THROWS_WITH(pool.evaluate_all(batch), Catch::Contains("evaluation process 2 of 3") && Catch::Contains("failed: out of memory in the judge"));
    }
    SECTION("a forked process is killed") {
        auto judge = [&](const architecture& a) -> double {
            if (::getpid() != parent && a == batch[2]) std::raise(SIGKILL);
            return verdict(a).accuracy;
        };
        search::process_pool_evaluator pool(judge, 3);
        CHECK_THROWS_WITH(pool.evaluate_all(batch), Catch::Contains("of 3") && Catch::Contains("was killed by signal 9"));
    }
    SECTION("this process throws on its own share: the others are stopped") {
        auto judge = [&](const architecture& a) -> double {
            if (::getpid() == parent && a == batch[0]) throw std::runtime_error("the judge broke here");
            return verdict(a).accuracy;
        };
        search::process_pool_evaluator pool(judge, 2);
        CHECK_THROWS_WITH(pool.evaluate_all(batch), "the judge broke here");
    }
    CHECK(no_children_left());
}

} // namespace test_search_parallel
