// The cost model: hand-computed figures for small networks, the same figures at compile
// time and at run time, and the exact scheduler against brute force on random graphs.
#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <vector>

#include <nascent/core/random.hpp>
#include <nascent/cost/costs.hpp>

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
// int8: weights as bytes plus 12 bytes (bias, multiplier, shift) per output channel
static_assert(ref_int8.flash_bytes == 144 + 16 * 12 + 4608 + 32 * 12 + 15680 + 10 * 12);
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
    // 1x1 needs no window; int8 keeps two int16 columns for a 3x3
    static_assert(cost::of<sequential<conv2d<8, 1>>>(shape{8, 8, 8}, precision::float32).peak_ram_bytes == 4096);
    static_assert(cost::of<sequential<conv2d<8, 3>>>(shape{8, 8, 8}, precision::int8).peak_ram_bytes == 512 + 512 + 2 * 72 * 2);
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

/// A random DAG: each op reads one or two earlier tensors; tensors nobody reads are joined by
/// adds at the end, so every tensor but the output has a reader.
cost::graph random_graph(rng& random, std::size_t ops) {
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
        const int a = static_cast<int>(random.below(static_cast<std::uint64_t>(tensors)));
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
    static_assert(cost::of<affine>(shape{8, 8, 4}, precision::int8).flash_bytes == 12 * 4);  // int32 bias, multiplier and shift per channel
    CHECK(cost::lower<affine>(shape{8, 8, 4}, precision::float32).ops.size() == 2);
}
