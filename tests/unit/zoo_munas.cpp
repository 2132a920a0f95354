// The μNAS zoo space: compile-time facts, random architectures and their costs, and one training
// step of its supernet. The float program of random architectures is the training network in
// inference mode, the int8 program follows the float one, and deploy::build equals its steps by
// hand.
#include <catch2/catch.hpp>

#include <array>
#include <vector>

#include <nascent/space/check.hpp>
#include <nascent/zoo/munas.hpp>

#include "extract_checks.hpp"
#include "quantize_checks.hpp"
#include "zoo_checks.hpp"

// The file's names live in a namespace of their own: the tests compile in unity groups.
namespace test_zoo_munas {

using namespace nascent;

namespace {

using space_type = zoo::munas;
constexpr shape fashion{28, 28, 1};
constexpr shape cifar{32, 32, 3};
constexpr auto int8 = cost::precision::int8;

static_assert(valid_space<space_type, fashion>);
static_assert(valid_space<space_type, cifar>);
// First block 25 slots (pre-pool 2, first layer 1 + 2 x 5, two optional layers 6 each);
// three later blocks of 44 (optional 1, plain or residual 1, plain 25, residual 17); two dense.
static_assert(space::decisions<space_type> == 25 + 3 * 44 + 2);
static_assert(space::size<space_type>().exact);
static_assert(space::size<space_type>().log10 > 18.1559 && space::size<space_type>().log10 < 18.1560);

// Every block present with its pre-pool (max), three 3x3 convolutions of 8 filters, stride 1;
// both hidden dense layers.
constexpr std::array<int, space::decisions<space_type>> zeros{};
constexpr cost::costs zeros_cost = cost::of<space_type>(fashion, int8, zeros);
static_assert(zeros_cost.peak_ram_bytes == 3280);
static_assert(zeros_cost.flash_bytes == 9624);
static_assert(zeros_cost.macs == 363168);
static_assert(zeros_cost.params == 7666);

using conv8 = sequential<conv2d<8, 3>, batch_norm, relu>;
using zeros_block = sequential<max_pool2d<2, 2, padding::same>, conv8, conv8, conv8>;
using zeros_network = sequential<zeros_block, zeros_block, zeros_block, zeros_block, global_avg_pool, dense<24>, relu,
                                 dense<24>, relu, dense<10>>;

/// An architecture drawn at random: a first block without pre-pool of a 5x5 convolution of
/// 16 filters at stride 2 and a 5x5 of 24; a plain second block of one 3x3 convolution of 8;
/// the last two blocks and both hidden dense layers left out.
constexpr std::array<int, space::decisions<space_type>> reference = [] {
    std::array<int, space::decisions<space_type>> a{};
    for (const int slot : {0, 2, 8, 10, 13, 20, 27, 40, 46, 69, 113}) a[static_cast<std::size_t>(slot)] = 1;
    a[22] = 2;
    a[157] = 1;
    a[158] = 1;
    return a;
}();
static_assert(space::validate<space_type>(fashion, reference) == problem::none);
constexpr cost::costs reference_cost = cost::of<space_type>(fashion, int8, reference);
static_assert(reference_cost.peak_ram_bytes == 8640);
static_assert(reference_cost.flash_bytes == 12592);
using reference_network = sequential<conv2d<16, 5, 2>, batch_norm, relu, conv2d<24, 5>, batch_norm, relu, conv8,
                                     global_avg_pool, dense<10>>;

} // namespace

TEST_CASE("μNAS: costs agree at compile time, at run time and with the fixed network", "[zoo][cost]") {
    CHECK(cost::of<space_type>(fashion, int8, std::vector<int>(zeros.begin(), zeros.end())) == zeros_cost);
    CHECK(cost::of<space_type>(fashion, int8, std::vector<int>(reference.begin(), reference.end())) == reference_cost);
    CHECK(cost::of<zeros_network>(fashion, int8) == zeros_cost);
    CHECK(cost::of<reference_network>(fashion, int8) == reference_cost);
}

TEST_CASE("μNAS: 200 random architectures are valid and most fit a 64 KB microcontroller", "[zoo][cost]") {
    for (const shape in : {fashion, cifar}) {
        const auto r = testing::sample_costs<space_type>(in, 200, 1);
        INFO("peak " << r.peak_min << ".." << r.peak_max << " flash " << r.flash_min << ".." << r.flash_max);
        CHECK(r.peak_over <= 10);
        CHECK(r.flash_over <= 10);
        CHECK(r.flash_min < r.flash_max);
    }
}

TEST_CASE("μNAS: one training step of the supernet", "[zoo][train]") {
    testing::train_one_step<space_type>(fashion, std::vector<int>(zeros.begin(), zeros.end()));
    testing::train_one_step<space_type>(cifar, std::vector<int>(reference.begin(), reference.end()));
}

TEST_CASE("extract: the float program of random architectures of μNAS is the training network",
          "[deploy][extract][zoo]") {
    testing::extract_checks::check_space<zoo::munas>(fashion, 10, 6);
    testing::extract_checks::check_space<zoo::munas>(shape{32, 32, 3}, 4, 7);
    WARN("largest difference relative to the output's magnitude: " << testing::extract_checks::worst_difference);
}

TEST_CASE("quantize: random architectures of μNAS", "[deploy][quantize][zoo]") {
    testing::quantize_checks::check_zoo_space<zoo::munas>(fashion, 3, 9, 0.2);
}

TEST_CASE("build: the programs and parameters of lower, plan, compile, extract and quantize by hand", "[deploy][quantize][build]") {
    constexpr shape in{28, 28, 1};
    nn::model<zoo::munas, float> model(in, 5);
    rng random(6);
    testing::make_batch_norms_nontrivial(model, in, random, 8);
    const architecture a = space::sample<zoo::munas>(in, random);
    const std::vector<float> calibration = testing::quantize_checks::random_images(16, in, random);
    const deploy::build_result b = deploy::build(model, a.view(), calibration);

    const cost::graph float_graph = cost::lower<zoo::munas>(in, precision::float32, a.view());
    const cost::graph int8_graph = cost::lower<zoo::munas>(in, precision::int8, a.view());
    const cost::memory_plan plan = cost::plan(float_graph);
    const auto fp = deploy::compile<deploy::dynamic_steps>(float_graph, plan, precision::float32);
    const auto qp = deploy::compile<deploy::dynamic_steps>(int8_graph, cost::plan(int8_graph), precision::int8);
    const deploy::float_parameters f = nn::extract(model, float_graph, a.view());
    const deploy::quantized_parameters q = deploy::quantize(float_graph, plan, fp, f, calibration);
    CHECK(b.float_program == fp);
    CHECK(b.int8_program == qp);
    CHECK(b.float_params.weights == f.weights);
    CHECK(b.float_params.params == f.params);
    CHECK(b.int8_params.weights == q.weights);
    CHECK(b.int8_params.params == q.params);
    CHECK(b.int8_params.tensors == q.tensors);
    CHECK(b.float_graph.ops.size() == float_graph.ops.size());
    CHECK(cost::measure(b.int8_graph).peak_ram_bytes == cost::measure(int8_graph).peak_ram_bytes);
}

} // namespace test_zoo_munas
