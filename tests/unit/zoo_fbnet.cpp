// The FBNet zoo space: compile-time facts, random architectures and their costs, and one training
// step of its supernet (single path, and Gumbel-softmax as FBNet trains it). The float program of
// random architectures is the training network in inference mode.
#include <catch2/catch.hpp>

#include <array>
#include <vector>

#include <nascent/space/check.hpp>
#include <nascent/zoo/fbnet.hpp>

#include "extract_checks.hpp"
#include "zoo_checks.hpp"

// The file's names live in a namespace of their own: the tests compile in unity groups.
namespace test_zoo_fbnet {

using namespace nascent;

namespace {

using space_type = zoo::fbnet;
constexpr shape fashion{28, 28, 1};
constexpr shape cifar{32, 32, 3};
constexpr auto int8 = cost::precision::int8;

static_assert(valid_space<space_type, fashion>);
static_assert(valid_space<space_type, cifar>);
static_assert(space::decisions<space_type> == 7);
static_assert(space::options<space_type>() == std::array<int, 7>{8, 9, 8, 9, 9, 8, 9});
static_assert(space::size<space_type>().count == 8 * 8 * 8 * 9 * 9 * 9 * 9);
static_assert(space::size<space_type>().log10 > 6.5262 && space::size<space_type>().log10 < 6.5263);

constexpr std::array<int, 7> zeros{};  // k3_e1 everywhere
constexpr cost::costs zeros_cost = cost::of<space_type>(fashion, int8, zeros);
static_assert(zeros_cost.peak_ram_bytes == 7056);
static_assert(zeros_cost.flash_bytes == 12152);
static_assert(zeros_cost.macs == 352044);
static_assert(zeros_cost.params == 7266);
constexpr std::array<int, 7> reference{5, 2, 6, 8, 8, 6, 0};  // k5_e1_g2, k3_e3, k5_e3, skip, skip, k5_e3, k3_e1
static_assert(space::validate<space_type>(fashion, reference) == problem::none);
constexpr cost::costs reference_cost = cost::of<space_type>(fashion, int8, reference);
static_assert(reference_cost.peak_ram_bytes == 11760);
static_assert(reference_cost.flash_bytes == 16056);

template <int In, int Out, int Kernel, int Expansion, int Groups, int Stride = 1>
using block = blocks::grouped_mbconv<In, Out, Kernel, Expansion, Groups, Stride>;

/// The network the reference architecture stands for.
using reference_network =
    sequential<conv2d<8, 3, 2>, batch_norm, relu, block<8, 8, 3, 1, 1>, block<8, 12, 5, 1, 2>, block<12, 12, 3, 3, 1>,
               block<12, 16, 5, 3, 1, 2>, block<16, 24, 5, 3, 1, 2>, block<24, 24, 3, 1, 1>, conv2d<48, 1>, batch_norm, relu,
               global_avg_pool, dense<10>>;

} // namespace

TEST_CASE("FBNet: costs agree at compile time, at run time and with the fixed network", "[zoo][cost]") {
    CHECK(cost::of<space_type>(fashion, int8, std::vector<int>(zeros.begin(), zeros.end())) == zeros_cost);
    CHECK(cost::of<space_type>(fashion, int8, std::vector<int>(reference.begin(), reference.end())) == reference_cost);
    CHECK(cost::of<reference_network>(fashion, int8) == reference_cost);
}

TEST_CASE("FBNet: 200 random architectures are valid and fit a 64 KB microcontroller", "[zoo][cost]") {
    for (const shape in : {fashion, cifar}) {
        const auto r = testing::sample_costs<space_type>(in, 200, 1);
        INFO("peak " << r.peak_min << ".." << r.peak_max << " flash " << r.flash_min << ".." << r.flash_max);
        CHECK(r.peak_max < testing::kilobytes_64);
        CHECK(r.flash_max < testing::kilobytes_64);
        CHECK(r.flash_min < r.flash_max);
    }
}

TEST_CASE("FBNet: one training step of the supernet", "[zoo][train]") {
    testing::train_one_step<space_type>(fashion, std::vector<int>(zeros.begin(), zeros.end()));
    testing::train_one_step<space_type>(cifar, std::vector<int>(reference.begin(), reference.end()));
    testing::train_one_step<space_type>(fashion, {}, nn::sampling::gumbel_soft);
}

TEST_CASE("extract: the float program of random architectures of FBNet is the training network",
          "[deploy][extract][zoo]") {
    testing::extract_checks::check_space<zoo::fbnet>(fashion, 4, 2);
    WARN("largest difference relative to the output's magnitude: " << testing::extract_checks::worst_difference);
}

} // namespace test_zoo_fbnet
