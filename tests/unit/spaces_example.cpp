// The example of docs/spaces.md, compiled and run: a space built from blocks, checked and
// costed at compile time, sampled, costed and run through its supernet at run time.
#include <catch2/catch.hpp>

#include <array>

#include <nascent/blocks/mbconv.hpp>
#include <nascent/blocks/shufflenet_v2.hpp>
#include <nascent/cost/costs.hpp>
#include <nascent/cost/lower_blocks.hpp>
#include <nascent/nn/blocks.hpp>
#include <nascent/nn/supernet.hpp>
#include <nascent/space/check.hpp>

// The file's names live in a namespace of their own: the tests compile in unity groups.
namespace test_spaces_example {

using namespace nascent;

// --- docs/spaces.md example begins
// A stride-2 stem, one searched layer that halves the resolution (two MBConvs or a
// ShuffleNetV2 unit), an MBConv that may be left out, and a classifier.
using my_space = sequential<conv2d<8, 3, 2>, batch_norm, relu,
                            choice<blocks::mbconv<8, 16, 3, 3, 2>, blocks::mbconv<8, 16, 5, 6, 2>,
                                   blocks::shufflenet_v2<8, 16, 3, 2>>,
                            optional<blocks::mbconv<16, 16, 3, 3>>,  // residual: stride 1, 16 -> 16
                            global_avg_pool, dense<10>>;

constexpr shape fashion{28, 28, 1};
static_assert(valid_space<my_space, fashion>);       // or one sentence saying why not
static_assert(space::decisions<my_space> == 2);      // the choice, the optional
static_assert(space::size<my_space>().count == 3 * 2);

// The ShuffleNetV2 unit without the last MBConv, costed by the compiler.
constexpr std::array<int, 2> shuffle_only{2, 1};
constexpr cost::costs small = cost::of<my_space>(fashion, cost::precision::int8, shuffle_only);
static_assert(small.peak_ram_bytes == 3528);
static_assert(small.flash_bytes == 1428);
// --- docs/spaces.md example ends

TEST_CASE("the docs/spaces.md example: sample, cost and run an architecture", "[spaces][docs]") {
    // --- docs/spaces.md run-time example begins
    rng random(1);
    const architecture a = space::sample<my_space>(fashion, random);
    const cost::costs figures = cost::of<my_space>(fashion, cost::precision::int8, a.view());

    nn::model<my_space> supernet(fashion, 42);  // every option, weights shared across architectures
    tape<float> t;
    nn::context<float> ctx{t};  // training, single path
    ctx.decisions = decision_cursor(a.choices.data(), a.size());
    const var logits = supernet.forward(ctx, t.leaf(tensor<float>(batch_shape(8, fashion), 0.5f)));
    // --- docs/spaces.md run-time example ends
    CHECK(sample_shape(t.value(logits)) == shape{1, 1, 10});
    CHECK(figures.peak_ram_bytes > 0);
    CHECK(figures.flash_bytes > 0);
    CHECK(cost::of<my_space>(fashion, cost::precision::int8, architecture{{2, 1}}.view()) == small);
}

} // namespace test_spaces_example
