// The cost model: hand-computed figures for small networks, the same figures at compile
// time and at run time, and the exact scheduler against exhaustive search on random graphs,
// its limits, and a DARTS architecture whose cells it now schedules exactly.
#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <vector>

#include <nascent/core/random.hpp>
#include <nascent/cost/costs.hpp>
#include <nascent/space/check.hpp>
#include <nascent/zoo/darts.hpp>

// The file's names live in a namespace of their own: the tests compile in unity groups.
namespace test_cost_model {

using namespace nascent;
using cost::precision;

namespace {

using reference_cnn = sequential<conv2d<16, 3>, batch_norm, relu, max_pool2d<2>, conv2d<32, 3>, batch_norm, relu,
                                 max_pool2d<2>, flatten, dense<10>>;
constexpr shape mnist{28, 28, 1};

// --- compile time ------------------------------------------------------------------------
constexpr cost::costs ref_float = cost::of<reference_cnn>(mnist, precision::float32);
constexpr cost::costs ref_int8 = cost::of<reference_cnn>(mnist, precision::int8);
static_assert(ref_float.params == reference_cnn::params(mnist));
// conv1 112896 + pool 3136*4 + conv2 903168 + pool 1568*4 + dense 15680 (batch norm folded away)
static_assert(ref_float.macs == 112896 + 12544 + 903168 + 6272 + 15680);
// The largest step is the first max pool: its input 28*28*16 and output 14*14*16 floats.
static_assert(ref_float.peak_ram_bytes == (12544 + 3136) * 4);
static_assert(ref_int8.peak_ram_bytes == 12544 + 3136);
// float: (144 + 16 folded bias) + (4608 + 32) + (15680 + 10) weights of 4 bytes
static_assert(ref_float.flash_bytes == (160 + 4640 + 15690) * 4);
// int8: weights as bytes plus 12 bytes (bias, multiplier, shift) per output channel and 16 per
// layer (zero points, clamp); each max pool keeps 6 int32 (zero points, clamp, rescaling)
static_assert(ref_int8.flash_bytes == 144 + 16 * 12 + 16 + 4608 + 32 * 12 + 16 + 15680 + 10 * 12 + 16 + 2 * 24);
static_assert(ref_float.activations == 12544 + 3136 + 6272 + 1568 + 10);

} // namespace

TEST_CASE("run-time figures equal the compile-time ones", "[cost]") {
    for (const auto p : {precision::float32, precision::int8}) {
        const cost::graph g = cost::lower<reference_cnn>(mnist, p);
        const cost::costs c = cost::measure(g);
        CHECK(c == (p == precision::float32 ? ref_float : ref_int8));
        CHECK(c.exact_schedule);
        CHECK(g.ops.size() == 5);  // conv(+bn+relu), pool, conv(+bn+relu), pool, dense
    }
}

TEST_CASE("scratch of the convolution kernel counts toward the peak", "[cost]") {
    // conv 3x3 on 8x8x8 -> 8x8x8, float: input 2048 B + output 2048 B + window 3*3*8*4 = 288 B
    constexpr auto c = cost::of<sequential<conv2d<8, 3>>>(shape{8, 8, 8}, precision::float32);
    static_assert(c.peak_ram_bytes == 2048 + 2048 + 288);
    // 1x1 needs no window; int8 gathers the windows of two output pixels for a 3x3
    static_assert(cost::of<sequential<conv2d<8, 1>>>(shape{8, 8, 8}, precision::float32).peak_ram_bytes == 4096);
    static_assert(cost::of<sequential<conv2d<8, 3>>>(shape{8, 8, 8}, precision::int8).peak_ram_bytes == 512 + 512 + 2 * 72);
}

TEST_CASE("a residual keeps its input alive and the add overwrites a dying operand", "[cost]") {
    // x: 8x8x4 float (1024 B). Block: conv 1x1 to 8x8x4 (y, 1024 B). add(x, y) overwrites y.
    using block = residual<sequential<conv2d<4, 1>, batch_norm, relu>>;
    constexpr auto c = cost::of<sequential<block>>(shape{8, 8, 4}, precision::float32);
    // conv: x + y = 2048; add: x + y live, output overwrites -> 2048
    static_assert(c.peak_ram_bytes == 2048);
    // The batch norm inside the block folded into the conv; it did not touch x.
    static_assert(cost::lower<sequential<block>>(shape{8, 8, 4}, precision::float32).ops.size() == 2);
    // A batch norm applied directly to a residual's input cannot fold into the op before it.
    using bn_first = sequential<conv2d<4, 1>, residual<sequential<batch_norm, relu>>>;
    static_assert(cost::lower<bn_first>(shape{8, 8, 4}, precision::float32).ops.size() == 3);  // conv, bn(+relu), add
    // conv: input + output; the batch norm cannot overwrite the kept input: 2 buffers; the add overwrites
    static_assert(cost::of<bn_first>(shape{8, 8, 4}, precision::float32).peak_ram_bytes == 2 * 1024);
}

TEST_CASE("a depthwise stride-1 convolution runs in place with one channel plane", "[cost]") {
    // 8x8x16 int8: 1024 B; in place needs 64 B of scratch instead of a second 1024 B buffer
    using net = sequential<conv2d<16, 1>, depthwise_conv2d<3>, batch_norm, relu6>;
    constexpr auto c = cost::of<net>(shape{8, 8, 16}, precision::int8);
    static_assert(c.peak_ram_bytes == 1024 + 1024);  // the 1x1 conv: its input and output
    constexpr auto dw_only = cost::of<sequential<depthwise_conv2d<3>>>(shape{8, 8, 16}, precision::int8);
    // The network input is read by the depthwise only, so the output overwrites it.
    static_assert(dw_only.peak_ram_bytes == 1024 + 64);
    // stride 2 cannot: input + output
    static_assert(cost::of<sequential<depthwise_conv2d<3, 2>>>(shape{8, 8, 16}, precision::int8).peak_ram_bytes == 1024 + 256);
}

namespace {

/// All topological orders of g, the least peak among them.
std::size_t brute_force_peak(const cost::graph& g) {
    const std::size_t n = g.ops.size();
    std::vector<int> made_by(g.tensors.size(), -1);
    for (std::size_t k = 0; k < n; ++k) made_by[static_cast<std::size_t>(g.ops[k].output)] = static_cast<int>(k);
    std::vector<int> order;
    std::vector<bool> done(n, false);
    std::size_t best = ~std::size_t{0};
    std::function<void()> search = [&] {
        if (order.size() == n) {
            best = std::min(best, cost::peak_of_order(g, order));
            return;
        }
        for (std::size_t k = 0; k < n; ++k) {
            if (done[k]) continue;
            bool ready = true;
            for (int i = 0; i < g.ops[k].input_count(); ++i) {
                const int p = made_by[static_cast<std::size_t>(g.ops[k].inputs[i])];
                if (p >= 0 && !done[static_cast<std::size_t>(p)]) ready = false;
            }
            if (!ready) continue;
            done[k] = true;
            order.push_back(static_cast<int>(k));
            search();
            order.pop_back();
            done[k] = false;
        }
    };
    search();
    return best;
}

/// The least peak over all execution orders of g, by depth-first search over the orders that drops
/// a prefix once its peak reaches that of the best complete order found (no order through it can
/// be lower): exhaustive, but fast enough for a dozen ops side by side.
std::size_t least_peak_by_search(const cost::graph& g) {
    const std::size_t n = g.ops.size();
    const std::vector<int> made_by = cost::detail::producers(g);
    std::vector<bool> done(n, false);
    std::size_t best = cost::peak_of_order(g, cost::natural_order(g));
    std::function<void(const cost::detail::arena_state&, std::size_t, std::size_t)> search =
        [&](const cost::detail::arena_state& a, std::size_t ran, std::size_t peak) {
            if (ran == n) {
                best = std::min(best, peak);
                return;
            }
            for (std::size_t k = 0; k < n; ++k) {
                if (done[k]) continue;
                bool ready = true;
                for (int i = 0; i < g.ops[k].input_count(); ++i) {
                    const int p = made_by[static_cast<std::size_t>(g.ops[k].inputs[i])];
                    if (p >= 0 && !done[static_cast<std::size_t>(p)]) ready = false;
                }
                const std::size_t during = std::max(peak, a.during(static_cast<int>(k)));
                if (!ready || during >= best) continue;
                cost::detail::arena_state next = a;
                next.run(static_cast<int>(k));
                done[k] = true;
                search(next, ran + 1, during);
                done[k] = false;
            }
        };
    const cost::detail::arena_state start(g);
    search(start, 0, start.live());
    return best;
}

/// A random DAG: each op reads one or two earlier tensors; tensors nobody reads are joined by
/// adds at the end, so every tensor but the output has a reader. `wide`: half the ops read the
/// network input or the first op's output, so many branches run side by side.
cost::graph random_graph(rng& random, std::size_t ops, bool wide = false) {
    cost::graph g;
    const int input_elements = 1 + static_cast<int>(random.below(64));
    g.add_input(shape{1, 1, input_elements}, precision::int8);
    auto random_op = [&] {
        cost::op_node op;
        op.kind = "op";
        op.scratch_bytes = random.below(4) == 0 ? random.below(32) : 0;
        const auto pick = random.below(3);
        op.sharing = pick == 0 ? cost::in_place::overwrite : pick == 1 ? cost::in_place::channelwise : cost::in_place::none;
        op.in_place_scratch = random.below(8);
        return op;
    };
    for (std::size_t k = 0; k < ops; ++k) {
        const int tensors = static_cast<int>(g.tensors.size());
        const auto early = static_cast<std::uint64_t>(std::min(tensors, 2));
        const int a = static_cast<int>(wide && random.below(2) == 0 ? random.below(early) : random.below(static_cast<std::uint64_t>(tensors)));
        const int b = random.below(3) == 0 ? static_cast<int>(random.below(static_cast<std::uint64_t>(tensors))) : -1;
        // same-size outputs now and then, so in-place rules apply
        const int size = random.below(2) == 0 ? g.tensors[static_cast<std::size_t>(a)].extent.c : 1 + static_cast<int>(random.below(64));
        g.add_op(random_op(), a, b, shape{1, 1, size}, precision::int8);
    }
    auto unread = [&] {
        std::vector<int> result;
        for (std::size_t t = 0; t + 1 < g.tensors.size(); ++t)
            if (g.readers(static_cast<int>(t)) == 0) result.push_back(static_cast<int>(t));
        return result;
    };
    for (auto open = unread(); !open.empty(); open = unread()) {
        const int a = open.front();
        const int b = open.size() > 1 ? open[1] : g.output;
        cost::op_node join;
        join.kind = "add";
        join.sharing = cost::in_place::overwrite;
        g.add_op(join, a, b, g.tensors[static_cast<std::size_t>(a)].extent, precision::int8);
    }
    return g;
}

} // namespace

TEST_CASE("the scheduler finds the least peak over all execution orders", "[cost][schedule]") {
    rng random(2024);
    std::size_t with_choice = 0;
    for (int trial = 0; trial < 400; ++trial) {
        const cost::graph g = random_graph(random, 2 + random.below(6));
        if (g.ops.size() > 9) continue;  // keep brute force fast
        const cost::schedule s = cost::min_peak_schedule(g);
        INFO("trial " << trial << " with " << g.ops.size() << " ops");
        REQUIRE(s.exact);
        REQUIRE(s.order.size() == g.ops.size());
        const std::size_t brute = brute_force_peak(g);
        REQUIRE(s.peak_bytes == brute);
        REQUIRE(cost::peak_of_order(g, s.order) == s.peak_bytes);  // the order achieves it
        with_choice += cost::peak_of_order(g, cost::natural_order(g)) > brute ? 1U : 0U;
    }
    // The property test must exercise graphs where the order matters.
    CHECK(with_choice > 20);
}

TEST_CASE("the scheduler finds the least peak over all execution orders of wide graphs", "[cost][schedule]") {
    // Up to 12 ops, many of them reading the same early tensors: a segment holds most of the graph
    // and the dynamic program has many sets of ops to merge.
    rng random(77);
    std::size_t with_choice = 0;
    std::size_t tested = 0;
    for (int trial = 0; trial < 600; ++trial) {
        const cost::graph g = random_graph(random, 4 + random.below(6), true);
        if (g.ops.size() > 12) continue;
        ++tested;
        const cost::schedule s = cost::min_peak_schedule(g);
        INFO("trial " << trial << " with " << g.ops.size() << " ops");
        REQUIRE(s.exact);
        REQUIRE(s.order.size() == g.ops.size());
        const std::size_t least = least_peak_by_search(g);
        REQUIRE(s.peak_bytes == least);
        REQUIRE(cost::peak_of_order(g, s.order) == s.peak_bytes);
        with_choice += cost::peak_of_order(g, cost::natural_order(g)) > least ? 1U : 0U;
    }
    CHECK(tested > 400);
    CHECK(with_choice > 300);
}

namespace {

/// `branches` chains of `length` ops side by side, all reading the network input, summed by adds
/// (branches * (length + 1) - 1 ops).
cost::graph parallel_chains(int branches, int length) {
    cost::graph g;
    g.add_input(shape{1, 1, 16}, precision::int8);
    const cost::op_node op;
    cost::op_node add;
    add.sharing = cost::in_place::overwrite;
    int sum = -1;
    for (int b = 0; b < branches; ++b) {
        int t = 0;
        for (int k = 0; k < length; ++k)
            t = g.add_op(op, t, -1, shape{1, 1, k + 1 == length ? 8 : 8 + (b * 7 + k * 5) % 24}, precision::int8);
        sum = sum < 0 ? t : g.add_op(add, sum, t, shape{1, 1, 8}, precision::int8);
    }
    return g;
}

} // namespace

TEST_CASE("the exact search covers segments of up to 64 ops, within a bound on its states", "[cost][schedule]") {
    // Two chains of 31 ops side by side: one segment of 63 ops, 32 x 32 sets of ops to run first.
    const cost::graph two = parallel_chains(2, 31);
    REQUIRE(cost::detail::cut_points(two).size() == 1);
    REQUIRE(two.ops.size() <= cost::max_exact_ops);
    const cost::schedule s = cost::min_peak_schedule(two);
    CHECK(s.exact);
    CHECK(cost::peak_of_order(two, s.order) == s.peak_bytes);
    CHECK(s.peak_bytes <= cost::peak_of_order(two, cost::natural_order(two)));
    // One op more than a 64-bit set holds: the natural order, flagged.
    const cost::graph longer = parallel_chains(2, 32);
    REQUIRE(longer.ops.size() > cost::max_exact_ops);
    const cost::schedule natural = cost::min_peak_schedule(longer);
    CHECK(!natural.exact);
    CHECK(natural.order == cost::natural_order(longer));
    // 24 branches of one op (47 ops): millions of sets of ops to run first, beyond max_schedule_states.
    const cost::graph wide = parallel_chains(24, 1);
    REQUIRE(wide.ops.size() <= cost::max_exact_ops);
    const cost::schedule bounded = cost::min_peak_schedule(wide);
    CHECK(!bounded.exact);
    CHECK(bounded.order == cost::natural_order(wide));
}

TEST_CASE("a DARTS architecture's cells are scheduled exactly", "[cost][schedule]") {
    // Per node: (input, op) of its two edges; ops 0 max pool, 1 avg pool, 2 skip, 3 conv 1x5 5x1,
    // 4 conv 3x3, 5 sep conv, 6 dil conv, 7 none. Cell 1: n1 = conv 1x5 5x1(in) + conv 3x3(in),
    // n2 = conv 3x3(in) + conv 3x3(n1), n3 = dil conv(n1) + sep conv(n2): one segment of more than
    // 20 ops (a search over all subsets of its ops would visit millions), whose least-peak order
    // is well below its natural order.
    const std::vector<int> arch{0, 3, 0, 4, 0, 4, 1, 4, 1, 6, 2, 5, /**/ 0, 1, 0, 5, 1, 0, 1, 7, 0, 0, 1, 3,
                                /**/ 0, 2, 0, 6, 0, 5, 1, 7, 0, 7, 2, 2};
    constexpr shape fashion{28, 28, 1};
    REQUIRE(space::validate<zoo::darts>(fashion, arch) == problem::none);
    const cost::graph g = cost::lower<zoo::darts>(fashion, precision::int8, arch);
    std::size_t longest = 0;
    std::size_t first = 0;
    for (const std::size_t cut : cost::detail::cut_points(g)) {
        longest = std::max(longest, cut - first + 1);
        first = cut + 1;
    }
    CHECK(longest > 20);
    const cost::schedule s = cost::min_peak_schedule(g);
    CHECK(s.exact);
    CHECK(cost::peak_of_order(g, s.order) == s.peak_bytes);
    const std::size_t natural = cost::peak_of_order(g, cost::natural_order(g));
    CHECK(s.peak_bytes < natural);
    const cost::costs c = cost::of<zoo::darts>(fashion, precision::int8, arch);
    CHECK(c.exact_schedule);
    CHECK(c.schedule_peak_bytes == s.peak_bytes);
    CHECK(c.peak_ram_bytes == cost::plan(g).arena_bytes);
    INFO("least peak " << s.peak_bytes << " B, natural order " << natural << " B");
    CHECK(c.peak_ram_bytes < natural);
}

TEST_CASE("μNAS-style branches: running the short branch first lowers the peak", "[cost][schedule]") {
    // The input (100 B) feeds a long branch (-> 400 B -> 300 B) and a short one (-> 50 B); a join
    // reads both ends. Long branch first keeps the input alive through it: 100 + 400 + 300 = 800.
    // Running the short branch before the long one's second op frees the input: 50 + 400 + 300 = 750.
    cost::graph g;
    g.add_input(shape{1, 1, 100}, precision::int8);
    const cost::op_node op;
    const int a1 = g.add_op(op, 0, -1, shape{1, 1, 400}, precision::int8);
    const int a2 = g.add_op(op, a1, -1, shape{1, 1, 300}, precision::int8);
    const int b1 = g.add_op(op, 0, -1, shape{1, 1, 50}, precision::int8);
    g.add_op(op, a2, b1, shape{1, 1, 10}, precision::int8);
    CHECK(cost::peak_of_order(g, cost::natural_order(g)) == 800);
    const auto s = cost::min_peak_schedule(g);
    CHECK(s.peak_bytes == 752);  // 750 bytes of tensors, the 10-byte output stored in 12 (whole words)
    // the short branch (op 2) runs before the long branch's second op (op 1)
    const auto at = [&](int op) { return std::find(s.order.begin(), s.order.end(), op) - s.order.begin(); };
    CHECK(at(2) < at(1));
    CHECK(brute_force_peak(g) == 752);
}

TEST_CASE("pooling, standalone activations and batch norm, aliases and zero have their hand-computed figures", "[cost]") {
    // 8x8x4 floats (1024 B) -> avg pool 2x2 (4x4x4, 256 MACs) -> relu (standalone, in place)
    // -> global average pool (64 MACs) -> dropout, identity (aliases) -> dense 4 (16 MACs, 20 params)
    using pools = sequential<avg_pool2d<2>, relu, global_avg_pool, dropout<20>, identity, dense<4>>;
    constexpr auto f = cost::of<pools>(shape{8, 8, 4}, precision::float32);
    static_assert(f.params == 20);
    static_assert(f.macs == 256 + 0 + 64 + 16);
    static_assert(f.activations == 64 + 64 + 4 + 4);
    static_assert(f.flash_bytes == 4 * (16 + 4));
    static_assert(f.peak_ram_bytes == 1024 + 256);  // the pool's input and output
    static_assert(cost::lower<pools>(shape{8, 8, 4}, precision::float32).ops.size() == 4);

    // Batch norm on the network input has no layer to fold into: a per-channel affine map that
    // overwrites its dying input (8 params, 256 MACs); the relu after it runs inside it; zero<2>
    // writes a 4x4x4 output and costs no MACs.
    using affine = sequential<batch_norm, relu, zero<2>>;
    constexpr auto a = cost::of<affine>(shape{8, 8, 4}, precision::float32);
    static_assert(a.params == 8);
    static_assert(a.macs == 256);
    static_assert(a.activations == 256 + 64);
    static_assert(a.flash_bytes == 2 * 4 * 4);
    static_assert(a.peak_ram_bytes == 1024 + 256);
    // int8: the scale as 4 int8 weights, then int32 zero points and clamp (4), and a bias,
    // multiplier and shift per channel; zero<2> keeps its output zero point
    static_assert(cost::of<affine>(shape{8, 8, 4}, precision::int8).flash_bytes == 4 + 16 + 12 * 4 + 4);
    CHECK(cost::lower<affine>(shape{8, 8, 4}, precision::float32).ops.size() == 2);
}

} // namespace test_cost_model
