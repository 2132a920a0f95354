// Cost lowering of the block ops and combinators (cost/lower_blocks.hpp): hand-computed
// figures for channel shuffle, the concatenation of branches, a channel split read in
// place, asymmetric and dilated convolutions; what may and may not fold into a branch input.
#include <catch2/catch.hpp>

#include <string_view>
#include <vector>

#include <nascent/blocks/shufflenet_v2.hpp>
#include <nascent/cost/costs.hpp>
#include <nascent/cost/lower_blocks.hpp>

// The file's names live in a namespace of their own: the tests compile in unity groups.
namespace test_cost_blocks {

using namespace nascent;
using cost::precision;

namespace {

// Channel shuffle of the network input (4x4x8 int8, 128 B): it dies with the shuffle, which
// overwrites it through one pixel of scratch (8 B).
static_assert(cost::of<channel_shuffle<2>>(shape{4, 4, 8}, precision::int8).peak_ram_bytes == 128 + 8);
static_assert(cost::of<channel_shuffle<2>>(shape{4, 4, 8}, precision::int8).flash_bytes == 0);
// int8 layers store per output channel an int32 bias, multiplier and shift, and per layer four
// int32 (zero points and clamp): runtime/program.hpp's parameter layout.

// channel_split<identity, 1x1 to 4> on 4x4x8 int8: the convolution reads the second half of
// x in place (x: 128 B, its output 64 B); the concatenation reads the first half straight from x
// and writes 4x4x8: 128 + 64 + 128 B while it runs.
using split = channel_split<identity, conv2d<4, 1>>;
constexpr cost::costs split_int8 = cost::of<split>(shape{4, 4, 8}, precision::int8);
static_assert(split_int8.peak_ram_bytes == 128 + 64 + 128);
static_assert(split_int8.flash_bytes == 4 * 4 + 12 * 4 + 16 + 4 * 7);  // and the concatenation's 7 int32
static_assert(split_int8.params == 16);
static_assert(split_int8.macs == 16 * 16);

// branches<depthwise 3x3 s2, conv 3x3 s2 to 4> on 6x6x4 int8 (x: 144 B): both outputs 3x3x4
// (36 B). Running the convolution first (x + its output + the windows of 2 output pixels, of
// 3*3*4 bytes each: 72 B) peaks at 252 B; the other order would hold the depthwise output as well.
using both = branches<depthwise_conv2d<3, 2>, conv2d<4, 3, 2>>;
static_assert(cost::of<both>(shape{6, 6, 4}, precision::int8).peak_ram_bytes == 144 + 36 + 72);
static_assert(cost::of<both>(shape{6, 6, 4}, precision::int8).macs == 9 * 36 + 36 * 36);

// asymmetric 1x5 conv to 8 on 6x6x4: weights 8*5*4; window 5*4 per output pixel.
static_assert(cost::of<asymmetric_conv2d<8, 1, 5>>(shape{6, 6, 4}, precision::int8).flash_bytes == 160 + 12 * 8 + 16);
static_assert(cost::of<asymmetric_conv2d<8, 1, 5>>(shape{6, 6, 4}, precision::int8).peak_ram_bytes == 144 + 288 + 2 * 20);
static_assert(cost::of<asymmetric_conv2d<8, 1, 5>>(shape{6, 6, 4}, precision::float32).peak_ram_bytes ==
              4 * (144 + 288) + 20 * 4);
// float32: weights and a bias per output channel (zero when the layer has none)
static_assert(cost::of<asymmetric_conv2d<8, 1, 5>>(shape{6, 6, 4}, precision::float32).flash_bytes == 4 * (160 + 8));

// dilated depthwise 3x3, dilation 2, stride 1: in place, channel by channel, one 6x6 plane of scratch.
static_assert(cost::of<dilated_depthwise_conv2d<3, 2>>(shape{6, 6, 4}, precision::int8).peak_ram_bytes == 144 + 36);
static_assert(cost::of<dilated_depthwise_conv2d<3, 2>>(shape{6, 6, 4}, precision::int8).flash_bytes == 36 + 12 * 4 + 16);
static_assert(cost::of<dilated_depthwise_conv2d<3, 2, 2>>(shape{6, 6, 4}, precision::int8).peak_ram_bytes == 144 + 36);

int count_kind(const cost::graph& g, std::string_view kind) {
    int n = 0;
    for (const auto& op : g.ops) n += std::string_view(op.kind) == kind ? 1 : 0;
    return n;
}

} // namespace

TEST_CASE("run-time figures of the block ops equal the compile-time ones", "[cost][blocks]") {
    CHECK(cost::measure(cost::lower<split>(shape{4, 4, 8}, precision::int8)) == split_int8);
    const cost::graph g = cost::lower<split>(shape{4, 4, 8}, precision::int8);
    REQUIRE(g.ops.size() == 2);
    CHECK(g.ops[0].inputs[0] == 0);  // the convolution reads x itself, no copy
    CHECK(g.tensors[static_cast<std::size_t>(g.ops[0].output)].extent == shape{4, 4, 4});
    CHECK(g.ops[1].inputs[0] == 0);  // the identity half comes from x
    CHECK(g.tensors[0].extent == shape{4, 4, 8});
    CHECK(g.tensors[static_cast<std::size_t>(g.output)].extent == shape{4, 4, 8});
}

TEST_CASE("nothing folds into the op that made a branch input; a branch's own ops fold", "[cost][blocks]") {
    // The conv's output feeds both branches: the left branch's batch norm cannot fold into it
    // (the right branch reads the unnormalised values), so it runs standalone, with the relu
    // inside its kernel; the right branch's batch norm and relu fold into its 1x1 convolution.
    using net = sequential<conv2d<8, 3>, channel_split<sequential<batch_norm, relu>, sequential<conv2d<4, 1>, batch_norm, relu>>>;
    const cost::graph g = cost::lower<net>(shape{6, 6, 2}, precision::int8);
    CHECK(count_kind(g, "batch_norm") == 1);
    CHECK(count_kind(g, "relu") == 0);
    CHECK(count_kind(g, "conv2d") == 2);
    CHECK(count_kind(g, "concat") == 1);
    CHECK(g.ops.size() == 4);
    // The standalone batch norm reads half of x: its output is half as large, so it cannot overwrite x.
    CHECK(cost::of<net>(shape{6, 6, 2}, precision::int8).exact_schedule);
}

TEST_CASE("a ShuffleNetV2 unit at stride 1: the identity half stays in the input buffer", "[cost][blocks]") {
    // 8x8x16 int8 (1024 B). Main branch on 8 channels: 1x1 (512 B out), depthwise 3x3 (in place,
    // plane scratch 64 B), 1x1 (512 B); concat (1024 B); shuffle in place (16 B scratch).
    using unit = blocks::shufflenet_v2<16, 16, 3, 1>;
    constexpr cost::costs c = cost::of<unit>(shape{8, 8, 16}, precision::int8);
    // The first 1x1: x + its output; the depthwise overwrites that output, which dies with it;
    // the second 1x1: x + 512 + 512; the concat: x + 512 + 1024.
    static_assert(c.peak_ram_bytes == 1024 + 512 + 1024);
    const cost::graph g = cost::lower<unit>(shape{8, 8, 16}, precision::int8);
    CHECK(g.ops.size() == 5);
    CHECK(count_kind(g, "channel_shuffle") == 1);
    CHECK(cost::measure(g) == c);
}

} // namespace test_cost_blocks
