// The memory plan: hand-computed lifetimes and offsets, the arena at the schedule's peak for the
// reference CNN, residual networks and random branching graphs, no two live buffers overlapping,
// the exact packer against brute force, and the printed chart.
#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include <nascent/core/random.hpp>
#include <nascent/cost/costs.hpp>
#include <nascent/cost/plan.hpp>
#include <nascent/cost/plan_chart.hpp>
#include <nascent/cost/plan_layout.hpp>

// The file's names live in a namespace of their own: the tests compile in unity groups.
namespace test_cost_plan {

using namespace nascent;
using cost::precision;

namespace {

using reference_cnn = sequential<conv2d<16, 3>, batch_norm, relu, max_pool2d<2>, conv2d<32, 3>, batch_norm, relu,
                                 max_pool2d<2>, flatten, dense<10>>;
constexpr shape mnist{28, 28, 1};

/// MobileNetV2's inverted residual: expand 1x1, depthwise 3x3, project 1x1, add.
template <int Channels, int Expand>
using inverted_residual = residual<sequential<conv2d<Channels * Expand, 1>, batch_norm, relu6, depthwise_conv2d<3>, batch_norm,
                                              relu6, conv2d<Channels, 1>, batch_norm>>;
/// A branching network of 38 deploy ops: a stem, eight inverted residuals in three widths, a
/// stride-2 depthwise transition, global pooling and a classifier.
using mobile_net = sequential<conv2d<16, 3, 2>, batch_norm, relu6, inverted_residual<16, 2>, inverted_residual<16, 2>,
                              conv2d<24, 1>, batch_norm, relu6, inverted_residual<24, 3>, inverted_residual<24, 3>,
                              depthwise_conv2d<3, 2>, batch_norm, relu6, conv2d<32, 1>, batch_norm, relu6,
                              inverted_residual<32, 3>, inverted_residual<32, 3>, inverted_residual<32, 3>,
                              inverted_residual<32, 3>, global_avg_pool, dense<10>>;
/// Residual blocks of plain 3x3 convolutions (kernel scratch in every block).
using res_net = sequential<conv2d<8, 3>, batch_norm, relu, residual<sequential<conv2d<8, 3>, batch_norm, relu, conv2d<8, 3>, batch_norm>>,
                           relu, max_pool2d<2>, residual<sequential<conv2d<8, 3>, batch_norm, relu>>, flatten, dense<10>>;

// --- compile time ------------------------------------------------------------------------------
constexpr auto ref_plan = cost::plan_of<reference_cnn, mnist, precision::int8>();
static_assert(ref_plan.at_peak());
static_assert(ref_plan.arena_bytes == 12544 + 3136);  // costs::peak_ram_bytes, see cost_model.cpp
static_assert(ref_plan.arena_bytes == cost::of<reference_cnn>(mnist, precision::int8).peak_ram_bytes);
// Lifetimes in steps (a chain runs in its natural order): tensor t is written at step t-1 and read at t.
static_assert(ref_plan.tensors[0].first_step == 0 && ref_plan.tensors[0].last_step == 0);
static_assert(ref_plan.tensors[1].first_step == 0 && ref_plan.tensors[1].last_step == 1);
static_assert(ref_plan.tensors[4].first_step == 3 && ref_plan.tensors[4].last_step == 4);
static_assert(ref_plan.tensors[5].first_step == 4 && ref_plan.tensors[5].last_step == 4);  // the output
// Kernel scratch: int8 3x3 convolutions gather the windows of two output pixels (1 and 16
// channels; 18 bytes take 20: buffers are whole words).
static_assert(ref_plan.scratch[0].bytes == 20 && ref_plan.scratch[2].bytes == 2 * 9 * 16);
static_assert(ref_plan.scratch[1].bytes == 0);
// The peak step (the first max pool) fills the arena: its input and output cover it exactly.
static_assert(ref_plan.tensors[1].bytes + ref_plan.tensors[2].bytes == ref_plan.arena_bytes);
static_assert(ref_plan.tensors[1].end() <= ref_plan.tensors[2].offset || ref_plan.tensors[2].end() <= ref_plan.tensors[1].offset);

// Summary figures of a plan computed inside one constant expression, without a fixed-size copy.
static_assert(cost::plan(cost::lower<reference_cnn>(mnist, precision::float32)).arena_bytes == (12544 + 3136) * 4);

constexpr auto mobile_plan = cost::plan_of<mobile_net, shape{32, 32, 3}, precision::int8>();
static_assert(mobile_plan.at_peak());
static_assert(mobile_plan.order.size() == 38);

/// A plan's buffers (tensors, then scratches) with a label for messages.
struct labelled {
    cost::placement b;
    std::string label;
    int tensor = -1;
};

std::vector<labelled> buffers_of(const cost::memory_plan& p) {
    std::vector<labelled> all;
    for (std::size_t t = 0; t < p.tensors.size(); ++t) all.push_back({p.tensors[t], "tensor " + std::to_string(t), static_cast<int>(t)});
    for (std::size_t k = 0; k < p.scratch.size(); ++k) all.push_back({p.scratch[k], "scratch of op " + std::to_string(k), -1});
    return all;
}

/// True when a and b are the same buffer handed over in place (an output and the input it overwrites).
bool handed_over(const cost::memory_plan& p, const labelled& a, const labelled& b) {
    if (a.tensor < 0 || b.tensor < 0) return false;
    return p.tensors[static_cast<std::size_t>(a.tensor)].shares_with == b.tensor ||
           p.tensors[static_cast<std::size_t>(b.tensor)].shares_with == a.tensor;
}

/// Every property a plan must have; reports the first violation.
void check_plan(const cost::graph& g, const cost::memory_plan& p) {
    REQUIRE(p.tensors.size() == g.tensors.size());
    REQUIRE(p.scratch.size() == g.ops.size());
    REQUIRE(p.order.size() == g.ops.size());
    REQUIRE(p.peak_bytes == cost::peak_of_order(g, p.order));
    const auto all = buffers_of(p);
    std::size_t top = 0;
    for (const auto& x : all) top = std::max(top, x.b.end());
    REQUIRE(top == p.arena_bytes);  // the arena is exactly as large as its highest buffer
    // Lifetimes follow the order: written at its op's step, alive through its last reader's.
    for (std::size_t step = 0; step < p.order.size(); ++step) {
        const cost::op_node& o = g.ops[static_cast<std::size_t>(p.order[step])];
        REQUIRE(p.tensors[static_cast<std::size_t>(o.output)].first_step == static_cast<int>(step));
        for (int i = 0; i < o.input_count(); ++i) {
            const auto& in = p.tensors[static_cast<std::size_t>(o.inputs[i])];
            REQUIRE(in.first_step <= static_cast<int>(step));
            REQUIRE(in.last_step >= static_cast<int>(step));
        }
    }
    REQUIRE(p.tensors[static_cast<std::size_t>(g.output)].last_step == p.steps() - 1);
    // In place: the same offset, and the input dies where the output is born.
    for (std::size_t t = 0; t < p.tensors.size(); ++t) {
        const auto& x = p.tensors[t];
        if (x.shares_with < 0) continue;
        const auto& in = p.tensors[static_cast<std::size_t>(x.shares_with)];
        INFO("tensor " << t << " in place of " << x.shares_with);
        REQUIRE(x.offset == in.offset);
        REQUIRE(x.bytes == in.bytes);
        REQUIRE(in.last_step == x.first_step);
    }
    // No two buffers alive at a common step overlap in memory.
    std::size_t most = 0;
    for (int step = 0; step < p.steps(); ++step) {
        std::size_t load = 0;
        for (std::size_t i = 0; i < all.size(); ++i) {
            const auto& a = all[i];
            if (!a.b.live_at(step)) continue;
            bool counted_already = false;  // an in-place pair at its handover step is one buffer
            for (std::size_t j = 0; j < all.size(); ++j) {
                if (j == i || !all[j].b.live_at(step)) continue;
                if (handed_over(p, a, all[j])) {
                    counted_already = counted_already || (p.tensors[static_cast<std::size_t>(a.tensor)].shares_with == all[j].tensor);
                    continue;
                }
                const bool apart = a.b.end() <= all[j].b.offset || all[j].b.end() <= a.b.offset;
                INFO(a.label << " [" << a.b.offset << ", " << a.b.end() << ") and " << all[j].label << " ["
                             << all[j].b.offset << ", " << all[j].b.end() << ") both live at step " << step);
                REQUIRE(apart);
            }
            if (!counted_already) load += a.b.bytes;
        }
        most = std::max(most, load);
    }
    // The bytes in use at the fullest step are the schedule's peak: the model and the plan agree.
    REQUIRE(most == p.peak_bytes);
    REQUIRE(p.arena_bytes >= p.peak_bytes);
}

} // namespace

TEST_CASE("the reference CNN's plan fills the arena at its peak and nowhere overlaps", "[cost][plan]") {
    for (const auto p : {precision::float32, precision::int8}) {
        const cost::graph g = cost::lower<reference_cnn>(mnist, p);
        const cost::memory_plan plan = cost::plan(g);
        check_plan(g, plan);
        CHECK(plan.at_peak());
        CHECK(!plan.searched);  // a chain needs no search
        CHECK(plan.arena_bytes == cost::measure(g).peak_ram_bytes);
        // run time and compile time agree
        if (p == precision::int8) {
            CHECK(plan.arena_bytes == ref_plan.arena_bytes);
            for (std::size_t t = 0; t < plan.tensors.size(); ++t) CHECK(plan.tensors[t] == ref_plan.tensors[t]);
        }
    }
}

TEST_CASE("in-place ops write their output at their dying input's offset", "[cost][plan]") {
    SECTION("a depthwise stride-1 convolution overwrites its input channel by channel") {
        // 8x8x16 int8: conv 1x1 -> t1 (1024 B), depthwise in place -> t2 over t1 with a 64-byte plane.
        using net = sequential<conv2d<16, 1>, depthwise_conv2d<3>, batch_norm, relu6, conv2d<8, 1>>;
        const cost::graph g = cost::lower<net>(shape{8, 8, 16}, precision::int8);
        const cost::memory_plan plan = cost::plan(g);
        check_plan(g, plan);
        CHECK(plan.tensors[2].shares_with == 1);
        CHECK(plan.tensors[2].offset == plan.tensors[1].offset);
        CHECK(plan.scratch[1].bytes == 64);  // in place: one output channel plane instead of a new buffer
        CHECK(plan.arena_bytes == 2048);     // the first conv's input and output
        CHECK(plan.at_peak());
    }
    SECTION("an add overwrites the block's output, never the kept skip input") {
        // x 8x8x4 float (1024 B); conv 1x1 writes y; add(x, y) writes over y: x stays where it is.
        using net = sequential<conv2d<4, 1>, residual<sequential<conv2d<4, 1>, batch_norm, relu>>, conv2d<2, 1>>;
        const cost::graph g = cost::lower<net>(shape{8, 8, 4}, precision::float32);
        const cost::memory_plan plan = cost::plan(g);
        check_plan(g, plan);
        // tensors: 0 input, 1 first conv (the skip), 2 block conv, 3 add, 4 last conv
        CHECK(plan.tensors[3].shares_with >= 1);
        CHECK(plan.tensors[3].offset == plan.tensors[static_cast<std::size_t>(plan.tensors[3].shares_with)].offset);
        CHECK(plan.tensors[1].last_step == 2);  // the skip lives until the add
        CHECK(plan.at_peak());
        CHECK(plan.arena_bytes == 2048);
    }
    SECTION("an add whose operands both stay alive needs a buffer of its own") {
        cost::graph g;
        g.add_input(shape{1, 1, 16}, precision::int8);
        const cost::op_node plain;
        cost::op_node add;
        add.kind = "add";
        add.sharing = cost::in_place::overwrite;
        const int a = g.add_op(plain, 0, -1, shape{1, 1, 16}, precision::int8);
        const int s = g.add_op(add, 0, a, shape{1, 1, 16}, precision::int8);
        // Both operands are read again by ops that need the sum, so they outlive the add.
        const int c = g.add_op(plain, 0, s, shape{1, 1, 16}, precision::int8);
        g.add_op(plain, a, c, shape{1, 1, 4}, precision::int8);
        const cost::memory_plan plan = cost::plan(g);
        check_plan(g, plan);
        CHECK(plan.tensors[static_cast<std::size_t>(s)].shares_with == -1);
        CHECK(plan.tensors[static_cast<std::size_t>(c)].shares_with == -1);  // nor may the op after it
        CHECK(plan.at_peak());
        CHECK(plan.arena_bytes == 16 * 4);  // op c: the input, a, the sum and its own output
    }
}

TEST_CASE("residual networks are planned at their peak", "[cost][plan]") {
    for (const auto p : {precision::float32, precision::int8}) {
        {
            const cost::graph g = cost::lower<mobile_net>(shape{32, 32, 3}, p);
            REQUIRE(g.ops.size() == 38);
            const cost::memory_plan plan = cost::plan(g);
            check_plan(g, plan);
            CHECK(plan.at_peak());
            CHECK(plan.arena_bytes == cost::measure(g).peak_ram_bytes);
        }
        {
            const cost::graph g = cost::lower<res_net>(shape{16, 16, 3}, p);
            const cost::memory_plan plan = cost::plan(g);
            check_plan(g, plan);
            CHECK(plan.at_peak());
            CHECK(plan.arena_bytes == cost::measure(g).peak_ram_bytes);
        }
    }
    // The compile-time plan of the branching network equals the run-time one.
    const cost::memory_plan run_time = cost::plan(cost::lower<mobile_net>(shape{32, 32, 3}, precision::int8));
    CHECK(run_time.arena_bytes == mobile_plan.arena_bytes);
    for (std::size_t t = 0; t < run_time.tensors.size(); ++t) CHECK(run_time.tensors[t] == mobile_plan.tensors[t]);
    for (std::size_t k = 0; k < run_time.order.size(); ++k) CHECK(run_time.order[k] == mobile_plan.order[k]);
}

TEST_CASE("a plan for a given order: the natural order of a branching graph", "[cost][plan]") {
    // μNAS's example (cost_model.cpp): input 100 B, long branch 400 -> 300 B, short branch 50 B, join.
    cost::graph g;
    g.add_input(shape{1, 1, 100}, precision::int8);
    const cost::op_node op;
    const int a1 = g.add_op(op, 0, -1, shape{1, 1, 400}, precision::int8);
    const int a2 = g.add_op(op, a1, -1, shape{1, 1, 300}, precision::int8);
    const int b1 = g.add_op(op, 0, -1, shape{1, 1, 50}, precision::int8);
    g.add_op(op, a2, b1, shape{1, 1, 10}, precision::int8);
    const cost::memory_plan natural = cost::plan(g, cost::schedule{cost::natural_order(g), 0, true});
    check_plan(g, natural);
    CHECK(natural.peak_bytes == 800);
    CHECK(natural.arena_bytes == 800);
    const cost::memory_plan best = cost::plan(g);
    check_plan(g, best);
    CHECK(best.peak_bytes == 752);  // the 10-byte output takes 12 bytes: buffers are whole words
    CHECK(best.arena_bytes == 752);
}

namespace {

/// A random DAG as in cost_model.cpp: each op reads one or two earlier tensors, random sizes, scratch
/// and in-place kinds; tensors nobody reads are joined by adds at the end.
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
    auto unread = [&] {
        std::vector<int> result;
        for (std::size_t t = 0; t + 1 < g.tensors.size(); ++t)
            if (g.readers(static_cast<int>(t)) == 0) result.push_back(static_cast<int>(t));
        return result;
    };
    for (auto open = unread(); !open.empty(); open = unread()) {
        cost::op_node join;
        join.kind = "add";
        join.sharing = cost::in_place::overwrite;
        const int a = open.front();
        g.add_op(join, a, open.size() > 1 ? open[1] : g.output, g.tensors[static_cast<std::size_t>(a)].extent, precision::int8);
    }
    return g;
}

} // namespace

TEST_CASE("random branching graphs of up to 9 ops are all planned at their peak", "[cost][plan]") {
    rng random(2024);
    std::size_t searched = 0;
    for (int trial = 0; trial < 600; ++trial) {
        const cost::graph g = random_graph(random, 2 + random.below(6));
        INFO("trial " << trial << " with " << g.ops.size() << " ops");
        const cost::memory_plan plan = cost::plan(g);
        check_plan(g, plan);
        REQUIRE(plan.at_peak());
        searched += plan.searched ? 1U : 0U;
    }
    // Greedy first fit alone misses the peak on some of them: the search is exercised.
    CHECK(searched > 5);
}

TEST_CASE("random chains are planned at their peak, which costs reports without planning", "[cost][plan]") {
    // A chain always has a layout at its peak (its tensors in turn at the bottom and at the top of
    // the arena), so cost::measure reports the schedule's peak for it without running the planner.
    rng random(5);
    for (int trial = 0; trial < 1000; ++trial) {
        cost::graph g;
        g.add_input(shape{1, 1, 1 + static_cast<int>(random.below(64))}, precision::int8);
        const auto ops = 1 + random.below(40);
        for (std::size_t k = 0; k < ops; ++k) {
            cost::op_node op;
            op.kind = "op";
            op.scratch_bytes = random.below(3) == 0 ? random.below(64) : 0;
            const auto pick = random.below(3);
            op.sharing = pick == 0 ? cost::in_place::overwrite : pick == 1 ? cost::in_place::channelwise : cost::in_place::none;
            op.in_place_scratch = random.below(16);
            const int size = random.below(3) == 0 ? g.tensors.back().extent.c : 1 + static_cast<int>(random.below(64));
            g.add_op(op, g.output, -1, shape{1, 1, size}, precision::int8);
        }
        INFO("trial " << trial << " with " << g.ops.size() << " ops");
        REQUIRE(cost::is_chain(g));
        const cost::memory_plan plan = cost::plan(g);
        check_plan(g, plan);
        REQUIRE(plan.at_peak());
        REQUIRE(!plan.searched);
        REQUIRE(cost::measure(g).peak_ram_bytes == plan.arena_bytes);
    }
}

TEST_CASE("random branching graphs of 10 to 30 ops: measured distance from the peak", "[cost][plan]") {
    // Packing fixed lifetimes is NP-hard and the peak is only a lower bound: on a few graphs no
    // placement of any least-peak order reaches it (see also the hand-made case below). Measured
    // with this seed: of 800 graphs (8 to 17 random ops plus the joins), 333 needed the search and
    // one stays above its peak, by 10%, proven: no layout of any of its 4 orders of least peak
    // fits. (Over seeds 1 to 4, 6 of 8000 graphs stay above, by 2.9% to 10.8%, 4 of them where the
    // search gives up.) There cost::measure reports the plan's arena, not the peak.
    // The test pins the measurement and checks that every plan is valid.
    rng random(1);
    std::size_t above = 0;
    std::size_t searched = 0;
    std::size_t unproven = 0;
    double worst = 1.0;
    for (int trial = 0; trial < 800; ++trial) {
        const cost::graph g = random_graph(random, 8 + random.below(10));
        INFO("trial " << trial << " with " << g.ops.size() << " ops");
        const cost::memory_plan plan = cost::plan(g);
        check_plan(g, plan);
        searched += plan.searched ? 1U : 0U;
        if (!plan.at_peak()) {
            ++above;
            unproven += plan.gave_up ? 1U : 0U;
            worst = std::max(worst, static_cast<double>(plan.arena_bytes) / static_cast<double>(plan.peak_bytes));
            // The figure the search sees is this arena, not the unreachable peak.
            const cost::costs c = cost::measure(g);
            REQUIRE(c.peak_ram_bytes == plan.arena_bytes);
            REQUIRE(c.schedule_peak_bytes == plan.peak_bytes);
        } else {
            REQUIRE(!plan.gave_up);
        }
    }
    INFO(above << " of 800 above the peak (" << unproven << " not proven), worst ratio " << worst << ", " << searched << " searched");
    CHECK(searched > 300);
    CHECK(above <= 1);
    CHECK(unproven == 0);
    CHECK(worst <= 1.1);
}

namespace {

/// True when some offsets place the buffers within `limit` bytes (brute force, small sizes only).
bool fits_within(const std::vector<cost::detail::plan_buffer>& buffers, std::size_t limit) {
    std::vector<std::size_t> offset(buffers.size(), 0);
    std::function<bool(std::size_t)> place = [&](std::size_t i) {
        if (i == buffers.size()) return true;
        for (std::size_t o = 0; o + buffers[i].bytes <= limit; ++o) {
            bool free = true;
            for (std::size_t j = 0; j < i && free; ++j)
                if (cost::detail::meet(buffers[i], buffers[j]) && o < offset[j] + buffers[j].bytes && offset[j] < o + buffers[i].bytes)
                    free = false;
            if (!free) continue;
            offset[i] = o;
            if (place(i + 1)) return true;
        }
        return false;
    };
    return place(0);
}

} // namespace

TEST_CASE("the packer reaches the lower bound exactly when some placement does", "[cost][plan]") {
    // Random buffers on 6 steps, sizes 1-6: the packer's arena equals the load bound exactly when a
    // brute-force search over all offsets finds a placement within it.
    rng random(99);
    constexpr int steps = 6;
    for (int trial = 0; trial < 2000; ++trial) {
        std::vector<cost::detail::plan_buffer> buffers(4 + random.below(5));
        for (auto& b : buffers) {
            b.bytes = 1 + random.below(6);
            b.first = static_cast<int>(random.below(steps));
            b.last = b.first + static_cast<int>(random.below(static_cast<std::uint64_t>(steps - b.first)));
        }
        std::size_t load = 0;
        for (int s = 0; s < steps; ++s) {
            std::size_t at = 0;
            for (const auto& b : buffers) at += b.first <= s && s <= b.last ? b.bytes : 0;
            load = std::max(load, at);
        }
        std::size_t nodes = 100000;
        auto packed = buffers;
        const auto [arena, searched] = cost::detail::pack(packed, steps, load, nodes);
        INFO("trial " << trial);
        REQUIRE(nodes > 0);  // the search finished: its answer is a proof
        REQUIRE(arena == (fits_within(buffers, load) ? load : arena));
        REQUIRE(arena >= load);
        if (arena > load) REQUIRE(!fits_within(buffers, load));
        // the placement returned is valid and has the size reported
        std::size_t top = 0;
        for (std::size_t i = 0; i < packed.size(); ++i) {
            top = std::max(top, packed[i].offset + packed[i].bytes);
            for (std::size_t j = 0; j < i; ++j)
                if (cost::detail::meet(packed[i], packed[j]))
                    REQUIRE((packed[i].offset + packed[i].bytes <= packed[j].offset || packed[j].offset + packed[j].bytes <= packed[i].offset));
        }
        REQUIRE(top == arena);
    }
}

TEST_CASE("where no placement meets the load bound, the packer proves it and takes one byte more", "[cost][plan]") {
    // Load 13 at steps 3 and 4. Step 4 (b, e, g) and step 3 (b, c, d, e) are full, so c and d fill
    // g's 6 bytes and e sits beside them, at one end of the arena. The 2 bytes of h must then lie
    // beside c and d on e's side (step 2), where f (steps 0-1, 6 bytes next to a) leaves at most
    // one byte free of f and d (step 1). So 13 bytes cannot hold them; 14 can.
    const std::vector<cost::detail::plan_buffer> buffers{
        {6, 0, 0, 0},  // a
        {1, 3, 4, 0},  // b
        {3, 2, 3, 0},  // c
        {3, 1, 3, 0},  // d
        {6, 3, 4, 0},  // e
        {6, 0, 1, 0},  // f
        {6, 4, 4, 0},  // g
        {2, 1, 2, 0},  // h
    };
    CHECK(!fits_within(buffers, 13));
    CHECK(fits_within(buffers, 14));
    std::size_t nodes = 100000;
    auto packed = buffers;
    const auto [arena, searched] = cost::detail::pack(packed, 5, 13, nodes);
    CHECK(searched);
    CHECK(nodes > 0);  // proved, not given up
    CHECK(arena == 14);
}

TEST_CASE("the printed plan: one row per step, a letter per tensor, a legend", "[cost][plan]") {
    const cost::graph g = cost::lower<reference_cnn>(mnist, precision::int8);
    const std::string text = cost::print(cost::plan(g), g);
    INFO(text);
    auto has = [&](const std::string& s) { return text.find(s) != std::string::npos; };
    CHECK(has("arena 15680 bytes (the schedule's peak: 15680), 5 steps, one character = 245 bytes\n"));
    // The peak step: the first max pool's input (B, 12544 B = 51.2 characters) and output (C) fill the row.
    const auto row1 = text.find("   1 max_pool2d |");
    REQUIRE(row1 != std::string::npos);
    const std::string chart = text.substr(row1 + 17, 64);
    CHECK(std::count(chart.begin(), chart.end(), '.') == 0);
    CHECK(std::count(chart.begin(), chart.end(), 'B') >= 51);
    CHECK(std::count(chart.begin(), chart.end(), 'C') >= 12);
    CHECK(has("| 15680\n"));
    // Step 0 runs the first convolution: the input (A), its output (B) and the kernel's scratch (+).
    const auto row0 = text.find("   0 conv2d     |");
    REQUIRE(row0 != std::string::npos);
    const std::string chart0 = text.substr(row0 + 17, 64);
    CHECK(chart0.find('A') != std::string::npos);
    CHECK(chart0.find('+') != std::string::npos);
    CHECK(has("| 13348\n"));  // 784 + 12544 + 20 (two 9-byte windows in a whole number of words)
    CHECK(has("  B  tensor 1   conv2d     28x28x16      12544 B at "));
    CHECK(has("  F  tensor 5   dense      1x1x10           12 B at "));
    CHECK(has("  +  scratch of op 2   conv2d"));
    // one chart row per step
    std::size_t rows = 0;
    for (std::size_t at = text.find(" |"); at != std::string::npos; at = text.find(" |", at + 1)) ++rows;
    CHECK(rows == 1 + 5);  // the ruler and five steps
}

} // namespace test_cost_plan
