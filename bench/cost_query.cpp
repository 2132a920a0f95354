// Time of one cost-model query: what a search pays to judge a candidate.
//
// For each network: lowering alone, the full query cost::measure(cost::lower<Net>(...)),
// the memory plan and the latency estimate of the lowered graph. Then the exact
// least-peak scheduler against the natural order (the peer a simpler tool would use):
// the peak each finds and the time each takes, as ratios, on the networks and on
// random branching graphs where the order matters.
//
// Each figure is the median over rounds of the mean time per query within a round
// (a round repeats the query until it has run for --round-ms).
//
// usage: bench_cost_query [--rounds N] [--round-ms MS]
//
// Adding networks: call bench_network<Net>(name, input, precision, settings) in main();
// a search space's sampled architectures can be timed the same way through
// query_seconds() with a lambda that lowers one.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <nascent/core/random.hpp>
#include <nascent/cost/costs.hpp>
#include <nascent/cost/latency.hpp>
#include <nascent/cost/plan.hpp>
#include <nascent/space/architecture.hpp>
#include <nascent/zoo/darts.hpp>
#include <nascent/zoo/fbnet.hpp>
#include <nascent/zoo/munas.hpp>
#include <nascent/zoo/proxylessnas.hpp>
#include <nascent/zoo/single_path_nas.hpp>
#include <nascent/zoo/spos.hpp>

namespace {

using namespace nascent;
using cost::precision;
using clock_type = std::chrono::steady_clock;

using reference_cnn = sequential<conv2d<16, 3>, batch_norm, relu, max_pool2d<2>, conv2d<32, 3>, batch_norm, relu,
                                 max_pool2d<2>, flatten, dense<10>>;

/// MobileNetV2's inverted residual: expand 1x1, depthwise 3x3, project 1x1, add.
template <int Channels, int Expand>
using inverted_residual = residual<sequential<conv2d<Channels * Expand, 1>, batch_norm, relu6, depthwise_conv2d<3>, batch_norm,
                                              relu6, conv2d<Channels, 1>, batch_norm>>;
/// 38 deploy ops: a stem, eight inverted residuals in three widths, global pooling, a classifier.
using mobile_net = sequential<conv2d<16, 3, 2>, batch_norm, relu6, inverted_residual<16, 2>, inverted_residual<16, 2>,
                              conv2d<24, 1>, batch_norm, relu6, inverted_residual<24, 3>, inverted_residual<24, 3>,
                              depthwise_conv2d<3, 2>, batch_norm, relu6, conv2d<32, 1>, batch_norm, relu6,
                              inverted_residual<32, 3>, inverted_residual<32, 3>, inverted_residual<32, 3>,
                              inverted_residual<32, 3>, global_avg_pool, dense<10>>;

struct settings {
    int rounds = 15;
    double round_ms = 20;
};

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

/// Keeps results observable so the compiler cannot drop the queries.
volatile std::size_t sink = 0;

/// Median over rounds of the seconds per call of `query` (which returns a number to keep).
template <class Query>
double query_seconds(const settings& s, Query&& query) {
    std::vector<double> per_call;
    for (int round = 0; round < s.rounds; ++round) {
        std::size_t calls = 0;
        const auto start = clock_type::now();
        double elapsed = 0;
        do {
            sink = sink + static_cast<std::size_t>(query());
            ++calls;
            elapsed = std::chrono::duration<double>(clock_type::now() - start).count();
        } while (elapsed * 1e3 < s.round_ms);
        per_call.push_back(elapsed / static_cast<double>(calls));
    }
    return median(per_call);
}

void row(const char* network, std::size_t ops, const char* query, double seconds) {
    std::printf("%-16s %4zu  %-34s %10.2f\n", network, ops, query, seconds * 1e6);
}

/// The peak and the time of the exact scheduler against the natural order on one graph.
struct order_comparison {
    std::size_t natural_peak = 0;
    std::size_t exact_peak = 0;
    double natural_seconds = 0;
    double exact_seconds = 0;
};

order_comparison compare_orders(const cost::graph& g, const settings& s) {
    order_comparison c;
    c.natural_peak = cost::peak_of_order(g, cost::natural_order(g));
    c.exact_peak = cost::min_peak_schedule(g).peak_bytes;
    c.natural_seconds = query_seconds(s, [&] { return cost::peak_of_order(g, cost::natural_order(g)); });
    c.exact_seconds = query_seconds(s, [&] { return cost::min_peak_schedule(g).peak_bytes; });
    return c;
}

/// Times every query for network `Net` (the hook for more networks and search spaces).
template <class Net>
void bench_network(const char* name, shape input, precision p, const settings& s) {
    const cost::graph g = cost::lower<Net>(input, p);
    const std::size_t ops = g.ops.size();
    row(name, ops, "lower<Net>", query_seconds(s, [&] { return cost::lower<Net>(input, p).ops.size(); }));
    row(name, ops, "measure(lower<Net>)", query_seconds(s, [&] { return cost::measure(cost::lower<Net>(input, p)).peak_ram_bytes; }));
    row(name, ops, "min_peak_schedule(graph)", query_seconds(s, [&] { return cost::min_peak_schedule(g).peak_bytes; }));
    row(name, ops, "plan(graph)", query_seconds(s, [&] { return cost::plan(g).arena_bytes; }));
    row(name, ops, "estimate(graph)", query_seconds(s, [&] { return static_cast<std::size_t>(cost::estimate(g).cycles); }));
    const cost::memory_plan plan = cost::plan(g);
    const cost::latency l = cost::estimate(g);
    const order_comparison c = compare_orders(g, s);
    std::printf("%-16s       arena %zu B (peak %zu B%s), %.0f cycles = %.2f ms at %.0f MHz\n", name, plan.arena_bytes,
                plan.peak_bytes, plan.at_peak() ? ", met" : ", missed", l.cycles, l.milliseconds(), l.clock_hz / 1e6);
    std::printf("%-16s       natural order: peak x%.3f of the least; the exact scheduler takes x%.1f its time\n", name,
                static_cast<double>(c.natural_peak) / static_cast<double>(c.exact_peak), c.exact_seconds / c.natural_seconds);
}

/// Times the query a search makes millions of times, cost::of<Space>(input, p, arch), on
/// random architectures of a search space, and its parts on one of them; then, over those
/// architectures, the natural order's peak against the least and the plans at that peak.
template <class Space>
void bench_space(const char* name, shape input, precision p, const settings& s) {
    rng random(11);
    std::vector<architecture> archs;
    for (int i = 0; i < 16; ++i) archs.push_back(space::sample<Space>(input, random));
    std::size_t next = 0;
    const cost::graph g = cost::lower<Space>(input, p, archs[0].view());
    const std::size_t ops = g.ops.size();
    row(name, ops, "of<Space>(arch), random arch", query_seconds(s, [&] {
            return cost::of<Space>(input, p, archs[next++ % archs.size()].view()).peak_ram_bytes;
        }));
    row(name, ops, "min_peak_schedule(graph)", query_seconds(s, [&] { return cost::min_peak_schedule(g).peak_bytes; }));
    row(name, ops, "plan(graph)", query_seconds(s, [&] { return cost::plan(g).arena_bytes; }));
    row(name, ops, "estimate(graph)", query_seconds(s, [&] { return static_cast<std::size_t>(cost::estimate(g).cycles); }));
    double ratio = 0;
    double worst = 1;
    int exact = 0;
    int at_peak = 0;
    for (const architecture& a : archs) {
        const cost::graph ga = cost::lower<Space>(input, p, a.view());
        const cost::schedule least = cost::min_peak_schedule(ga);
        const double r = static_cast<double>(cost::peak_of_order(ga, cost::natural_order(ga))) / static_cast<double>(least.peak_bytes);
        ratio += r;
        worst = std::max(worst, r);
        exact += least.exact ? 1 : 0;
        at_peak += cost::plan(ga).at_peak() ? 1 : 0;
    }
    const auto count = static_cast<double>(archs.size());
    std::printf("%-16s       natural order: peak x%.3f of the least on average (at most x%.3f); exact schedules %d, "
                "plans at the peak %d of %zu\n",
                name, ratio / count, worst, exact, at_peak, archs.size());
}

/// Random branching graphs as in the unit tests (cost_model.cpp): here the order matters.
cost::graph random_graph(rng& random, std::size_t ops) {
    cost::graph g;
    g.add_input(shape{1, 1, 1 + static_cast<int>(random.below(64))}, precision::int8);
    for (std::size_t k = 0; k < ops; ++k) {
        cost::op_node op;
        op.kind = "op";
        op.scratch_bytes = random.below(4) == 0 ? random.below(32) : 0;
        const auto pick = random.below(3);
        op.sharing = pick == 0 ? cost::in_place::overwrite : pick == 1 ? cost::in_place::channelwise : cost::in_place::none;
        op.in_place_scratch = random.below(8);
        const int tensors = static_cast<int>(g.tensors.size());
        const int a = static_cast<int>(random.below(static_cast<std::uint64_t>(tensors)));
        const int b = random.below(3) == 0 ? static_cast<int>(random.below(static_cast<std::uint64_t>(tensors))) : -1;
        const int size = random.below(2) == 0 ? g.tensors[static_cast<std::size_t>(a)].extent.c : 1 + static_cast<int>(random.below(64));
        g.add_op(op, a, b, shape{1, 1, size}, precision::int8);
    }
    for (;;) {
        std::vector<int> open;
        for (std::size_t t = 0; t + 1 < g.tensors.size(); ++t)
            if (g.readers(static_cast<int>(t)) == 0) open.push_back(static_cast<int>(t));
        if (open.empty()) break;
        cost::op_node join;
        join.kind = "add";
        join.sharing = cost::in_place::overwrite;
        g.add_op(join, open[0], open.size() > 1 ? open[1] : g.output, g.tensors[static_cast<std::size_t>(open[0])].extent, precision::int8);
    }
    return g;
}

} // namespace

int main(int argc, char** argv) {
    settings s;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        if (flag == "--rounds") s.rounds = std::max(1, std::atoi(argv[i + 1]));
        else if (flag == "--round-ms") s.round_ms = std::atof(argv[i + 1]);
        else {
            std::fprintf(stderr, "usage: %s [--rounds N] [--round-ms MS]\n", argv[0]);
            return 2;
        }
    }
    std::printf("cost-model queries: median of %d rounds of %.0f ms; microseconds per query\n\n", s.rounds, s.round_ms);
    std::printf("%-16s %4s  %-34s %10s\n", "network", "ops", "query", "us");
    bench_network<reference_cnn>("reference_cnn", shape{28, 28, 1}, precision::int8, s);
    bench_network<mobile_net>("mobile_net", shape{32, 32, 3}, precision::int8, s);
    bench_space<zoo::proxylessnas>("proxylessnas", shape{28, 28, 1}, precision::int8, s);
    bench_space<zoo::fbnet>("fbnet", shape{28, 28, 1}, precision::int8, s);
    bench_space<zoo::spos>("spos", shape{28, 28, 1}, precision::int8, s);
    bench_space<zoo::single_path_nas>("single_path_nas", shape{28, 28, 1}, precision::int8, s);
    bench_space<zoo::darts>("darts", shape{28, 28, 1}, precision::int8, s);
    bench_space<zoo::munas>("munas", shape{28, 28, 1}, precision::int8, s);

    // The natural order against the exact scheduler where branches make the order matter.
    rng random(7);
    double peak_ratio = 0;
    double time_ratio = 0;
    double exact_us = 0;
    std::size_t worse = 0;
    constexpr int graphs = 40;
    settings quick = s;
    quick.rounds = 5;
    quick.round_ms = 2;
    std::size_t ops = 0;
    for (int i = 0; i < graphs; ++i) {
        const cost::graph g = random_graph(random, 6 + random.below(8));
        ops += g.ops.size();
        const order_comparison c = compare_orders(g, quick);
        peak_ratio += static_cast<double>(c.natural_peak) / static_cast<double>(c.exact_peak);
        time_ratio += c.exact_seconds / c.natural_seconds;
        exact_us += c.exact_seconds * 1e6;
        worse += c.natural_peak > c.exact_peak ? 1U : 0U;
    }
    std::printf("\nrandom branching graphs (%d, %.1f ops on average): the natural order's peak is x%.3f of the least "
                "on average, above it on %zu;\nthe exact scheduler takes %.2f us on average, x%.1f the time of "
                "evaluating the natural order\n",
                graphs, static_cast<double>(ops) / graphs, peak_ratio / graphs, worse, exact_us / graphs, time_ratio / graphs);
    return 0;
}
