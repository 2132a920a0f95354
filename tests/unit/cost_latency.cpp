// The latency model: hand-computed cycles from the table, each kernel class recognised from the
// graph, replaceable coefficients, and the figures at compile time and at run time.
#include <catch2/catch.hpp>

#include <numeric>
#include <vector>

#include <nascent/cost/costs.hpp>
#include <nascent/cost/latency.hpp>

// The file's names live in a namespace of their own: the tests compile in unity groups.
namespace test_cost_latency {

using namespace nascent;
using cost::kernel_class;
using cost::precision;

namespace {

using reference_cnn = sequential<conv2d<16, 3>, batch_norm, relu, max_pool2d<2>, conv2d<32, 3>, batch_norm, relu,
                                 max_pool2d<2>, flatten, dense<10>>;
constexpr shape mnist{28, 28, 1};

constexpr bool near(double a, double b) { return a - b < 1e-6 * (1 + b) && b - a < 1e-6 * (1 + b); }

// --- hand-computed, at compile time ----------------------------------------------------------------
// dense<10> on 64 int8 inputs: 640 MACs, 776 flash bytes (640 weights, 12 per output, 16 per layer),
// 10 outputs: 200 + 1.8 * 640 + 12 * 10 + 0.25 * 776
static_assert(near(cost::latency_of<sequential<dense<10>>>(shape{1, 1, 64}, precision::int8).cycles, 200 + 1152 + 120 + 194));
// The same in float32: 650 weights and biases of 4 bytes; 40 output bytes.
static_assert(near(cost::latency_of<sequential<dense<10>>>(shape{1, 1, 64}, precision::float32).cycles,
                   200 + 4.5 * 640 + 1.25 * 40 + 0.25 * 650 * 4));

// The reference CNN, int8, op by op (cycles = the table's coefficients times the op's work):
// conv 3x3 (im2col): 300 + 1.5 * 112896 MACs + 12 * 12544 out + 20 * 784 px + 1.5 * 7056 gathered
constexpr double conv1 = 300 + 1.5 * 112896 + 12 * 12544 + 20 * 784 + 1.5 * (112896 / 16);
// max pool 2x2: 200 + 1 * 12544 + 4 * 3136 + 20 * 196
constexpr double pool1 = 200 + 12544 + 4 * 3136 + 20 * 196;
// conv 3x3 16 -> 32 on 14x14: 903168 MACs, 6272 out, 196 px, 28224 gathered
constexpr double conv2 = 300 + 1.5 * 903168 + 12 * 6272 + 20 * 196 + 1.5 * (903168 / 32);
// max pool 2x2: 200 + 1 * 6272 + 4 * 1568 + 20 * 49 (7x7 output pixels, before flatten relabels them)
constexpr double pool2 = 200 + 6272 + 4 * 1568 + 20 * 49;
// dense: 15680 MACs, 15680 + 120 + 16 flash bytes, 10 out
constexpr double fc = 200 + 1.8 * 15680 + 12 * 10 + 0.25 * (15680 + 120 + 16);
constexpr cost::latency ref = cost::latency_of<reference_cnn>(mnist, precision::int8);
static_assert(near(ref.cycles, conv1 + pool1 + conv2 + pool2 + fc));
static_assert(ref.slowest_op == 2 && near(ref.slowest_op_cycles, conv2));
static_assert(near(ref.milliseconds(), ref.cycles / 168e3));
static_assert(near(ref.milliseconds_at(84e6), 2 * ref.milliseconds()));

} // namespace

TEST_CASE("the reference CNN: run-time breakdown equals the compile-time estimate", "[cost][latency]") {
    const cost::graph g = cost::lower<reference_cnn>(mnist, precision::int8);
    const std::vector<double> per_op = cost::op_cycles(g);
    REQUIRE(per_op.size() == 5);
    CHECK(per_op[0] == Approx(conv1));
    CHECK(per_op[1] == Approx(pool1));
    CHECK(per_op[2] == Approx(conv2));
    CHECK(per_op[3] == Approx(pool2));
    CHECK(per_op[4] == Approx(fc));
    const cost::latency l = cost::estimate(g);
    CHECK(l.cycles == Approx(std::accumulate(per_op.begin(), per_op.end(), 0.0)));
    CHECK(l.cycles == Approx(ref.cycles));
    CHECK(l.clock_hz == 168e6);
    // about 1.9 million cycles: 11 ms at 168 MHz
    CHECK(l.milliseconds() == Approx(11.3).epsilon(0.02));
    // float32 is slower on every op (FPU MACs against SMLAD pairs)
    const cost::graph gf = cost::lower<reference_cnn>(mnist, precision::float32);
    CHECK(cost::precision_of(gf) == precision::float32);
    CHECK(cost::precision_of(g) == precision::int8);
    const std::vector<double> float_ops = cost::op_cycles(gf);
    for (std::size_t k = 0; k < per_op.size(); ++k) CHECK(float_ops[k] > per_op[k]);
}

TEST_CASE("each op is costed by its kernel class", "[cost][latency]") {
    const shape in{8, 8, 16};
    auto class_of = [&](auto net, std::size_t op) {
        const cost::graph g = cost::lower<decltype(net)>(in, precision::int8);
        return cost::classify(g, op);
    };
    CHECK(class_of(sequential<conv2d<8, 3>>{}, 0) == kernel_class::convolution);
    CHECK(class_of(sequential<conv2d<8, 1>>{}, 0) == kernel_class::pointwise);
    CHECK(class_of(sequential<conv2d<8, 1, 2>>{}, 0) == kernel_class::pointwise);
    CHECK(class_of(sequential<depthwise_conv2d<3>>{}, 0) == kernel_class::depthwise);
    CHECK(class_of(sequential<depthwise_conv2d<5, 2>>{}, 0) == kernel_class::depthwise);
    CHECK(class_of(sequential<conv2d<16, 3, 1, 16>>{}, 0) == kernel_class::depthwise);  // groups == channels
    CHECK(class_of(sequential<flatten, dense<4>>{}, 0) == kernel_class::dense);
    CHECK(class_of(sequential<max_pool2d<2>>{}, 0) == kernel_class::pooling);
    CHECK(class_of(sequential<avg_pool2d<2>>{}, 0) == kernel_class::pooling);
    CHECK(class_of(sequential<global_avg_pool>{}, 0) == kernel_class::pooling);
    CHECK(class_of(sequential<residual<sequential<conv2d<16, 1>>>>{}, 1) == kernel_class::add);
    CHECK(class_of(sequential<relu>{}, 0) == kernel_class::activation);  // nothing to fuse into
    CHECK(class_of(sequential<relu6>{}, 0) == kernel_class::activation);
    CHECK(class_of(sequential<batch_norm>{}, 0) == kernel_class::batch_norm);
    CHECK(class_of(sequential<zero<1>>{}, 0) == kernel_class::other);
}

TEST_CASE("convolutions of every form are classed by their window and groups", "[cost][latency]") {
    // A window larger than 1x1 that is not depthwise -> the im2col path; 1x1 -> pointwise; one
    // group per input channel -> depthwise (whatever the window); data movement -> other.
    cost::graph g;
    g.add_input(shape{8, 8, 4}, precision::int8);
    cost::op_node conv;
    conv.kind = "asymmetric_conv2d";
    conv.window = cost::op_window{1, 3};
    conv.macs = 64 * 8 * 12;
    const int a = g.add_op(conv, 0, -1, shape{8, 8, 8}, precision::int8);
    cost::op_node one;
    one.kind = "conv2d";
    one.macs = 64 * 8 * 8;
    const int b = g.add_op(one, a, -1, shape{8, 8, 8}, precision::int8);
    cost::op_node dilated;
    dilated.kind = "dilated_depthwise_conv2d";
    dilated.window = cost::op_window{3, 3, 1, 2, 8};
    dilated.macs = 64 * 8 * 9;
    const int c = g.add_op(dilated, b, -1, shape{8, 8, 8}, precision::int8);
    cost::op_node shuffle;
    shuffle.kind = "channel_shuffle";
    shuffle.type = cost::op_type::channel_shuffle;
    g.add_op(shuffle, c, -1, shape{8, 8, 8}, precision::int8);
    CHECK(cost::classify(g, 0) == kernel_class::convolution);
    CHECK(cost::classify(g, 1) == kernel_class::pointwise);
    CHECK(cost::classify(g, 2) == kernel_class::depthwise);
    CHECK(cost::classify(g, 3) == kernel_class::other);
    // data movement: the call and half a cycle per byte
    CHECK(cost::op_cycles(g, 3) == Approx(50 + 0.5 * 512));
}

TEST_CASE("the table is the user's: each coefficient scales its own measure of work", "[cost][latency]") {
    using net = sequential<conv2d<8, 3>, batch_norm, relu, residual<sequential<depthwise_conv2d<3>, batch_norm, relu6, conv2d<8, 1>>>,
                           max_pool2d<2>, relu, flatten, dense<10>>;
    for (const auto p : {precision::float32, precision::int8}) {
        const cost::graph g = cost::lower<net>(shape{16, 16, 3}, p);
        const cost::costs c = cost::measure(g);
        auto everywhere = [](auto set) {
            cost::kernel_cost k;
            set(k);
            cost::cost_table t;
            for (auto* table : {&t.int8, &t.float32})
                *table = {k, k, k, k, k, k, k, k, k};
            return t;
        };
        // one cycle per MAC: the total is the network's MACs
        CHECK(cost::estimate(g, everywhere([](cost::kernel_cost& k) { k.per_mac = 1; })).cycles == Approx(static_cast<double>(c.macs)));
        // one cycle per call: the number of deploy ops
        CHECK(cost::estimate(g, everywhere([](cost::kernel_cost& k) { k.per_call = 1; })).cycles == Approx(static_cast<double>(g.ops.size())));
        // one cycle per flash byte: the flash figure
        CHECK(cost::estimate(g, everywhere([](cost::kernel_cost& k) { k.per_weight_byte = 1; })).cycles ==
              Approx(static_cast<double>(c.flash_bytes)));
        // one cycle per output byte: the bytes of every op output
        double written = 0;
        const double element = p == precision::int8 ? 1.0 : 4.0;
        for (const auto& op : g.ops) written += static_cast<double>(op.output_extent.size()) * element;
        CHECK(cost::estimate(g, everywhere([](cost::kernel_cost& k) { k.per_output_byte = 1; })).cycles == Approx(written));
        // one cycle per input byte: the add reads both operands
        double read = 0;
        for (const auto& op : g.ops)
            for (int i = 0; i < op.input_count(); ++i) read += static_cast<double>(op.input_extent[i].size()) * element;
        CHECK(cost::estimate(g, everywhere([](cost::kernel_cost& k) { k.per_input_byte = 1; })).cycles == Approx(read));
        // gathered elements: only the 3x3 convolution gathers, 16*16 positions x 3*3*3 window
        CHECK(cost::estimate(g, everywhere([](cost::kernel_cost& k) { k.per_gathered_element = 1; })).cycles == Approx(16.0 * 16 * 27));
        // pixels and channels of every op output
        double pixels = 0;
        double channels = 0;
        for (const auto& op : g.ops) {
            const shape s = op.output_extent;  // as the kernel writes it (before flatten relabels it)
            pixels += s.h * s.w;
            channels += s.c;
        }
        CHECK(cost::estimate(g, everywhere([](cost::kernel_cost& k) { k.per_output_pixel = 1; })).cycles == Approx(pixels));
        CHECK(cost::estimate(g, everywhere([](cost::kernel_cost& k) { k.per_output_channel = 1; })).cycles == Approx(channels));
    }
    // a table changes one class only
    cost::cost_table slow_dense = cost::cortex_m4_table;
    slow_dense.int8.dense.per_mac *= 2;
    const cost::graph g = cost::lower<reference_cnn>(mnist, precision::int8);
    CHECK(cost::estimate(g, slow_dense).cycles == Approx(ref.cycles + 1.8 * 15680));
    // the clock converts cycles to time
    cost::cost_table m4_at_80 = cost::cortex_m4();
    m4_at_80.clock_hz = 80e6;
    CHECK(cost::estimate(g, m4_at_80).milliseconds() == Approx(ref.cycles / 80e3));
}

TEST_CASE("more work costs more time", "[cost][latency]") {
    // wider, larger-kernel and larger-input convolutions take longer; a 1x1 costs less per MAC than im2col
    const auto cycles = [](auto net, shape in) { return cost::estimate(cost::lower<decltype(net)>(in, precision::int8)).cycles; };
    CHECK(cycles(sequential<conv2d<16, 3>>{}, shape{16, 16, 8}) < cycles(sequential<conv2d<32, 3>>{}, shape{16, 16, 8}));
    CHECK(cycles(sequential<conv2d<16, 3>>{}, shape{16, 16, 8}) < cycles(sequential<conv2d<16, 5>>{}, shape{16, 16, 8}));
    CHECK(cycles(sequential<conv2d<16, 3>>{}, shape{16, 16, 8}) < cycles(sequential<conv2d<16, 3>>{}, shape{32, 32, 8}));
    const cost::graph one = cost::lower<sequential<conv2d<72, 1>>>(shape{16, 16, 8}, precision::int8);
    const cost::graph three = cost::lower<sequential<conv2d<8, 3>>>(shape{16, 16, 8}, precision::int8);
    REQUIRE(one.ops[0].macs == three.ops[0].macs);  // same MACs, 9x the outputs for the 1x1
    CHECK(cost::op_cycles(one, 0) - 12.0 * 72 * 256 < cost::op_cycles(three, 0) - 12.0 * 8 * 256);  // less apart from requantising
    // a graph without ops takes no time
    cost::graph empty;
    empty.add_input(shape{4, 4, 1}, precision::int8);
    const cost::latency none = cost::estimate(empty);
    CHECK(none.cycles == 0);
    CHECK(none.slowest_op == -1);
}

} // namespace test_cost_latency
