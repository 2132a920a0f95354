// The Single-Path NAS zoo space: compile-time facts, random architectures and their costs (each
// equal to the fixed MBConv network it stands for), and one training step of its superkernel
// supernet. The float program of random architectures is the training network in inference mode.
#include <catch2/catch.hpp>

#include <array>
#include <vector>

#include <nascent/blocks/mbconv.hpp>
#include <nascent/space/check.hpp>
#include <nascent/zoo/single_path_nas.hpp>

#include "extract_checks.hpp"
#include "zoo_checks.hpp"

// The file's names live in a namespace of their own: the tests compile in unity groups.
namespace test_zoo_single_path_nas {

using namespace nascent;

namespace {

using space_type = zoo::single_path_nas;
constexpr shape fashion{28, 28, 1};
constexpr shape cifar{32, 32, 3};
constexpr auto int8 = cost::precision::int8;

static_assert(valid_space<space_type, fashion>);
static_assert(valid_space<space_type, cifar>);
static_assert(space::decisions<space_type> == 18);
static_assert(space::options<space_type>() == [] {
    std::array<int, 18> two{};
    for (auto& o : two) o = 2;
    return two;
}());
// Three layers of 2 x 2, four skippable layers of 2 x 2 + 1.
static_assert(space::size<space_type>().count == 4 * 4 * 4 * 5 * 5 * 5 * 5);
static_assert(space::size<space_type>().log10 > 4.6020 && space::size<space_type>().log10 < 4.6021);

constexpr std::array<int, 18> zeros{};  // expansion 3, kernel 3 everywhere
constexpr cost::costs zeros_cost = cost::of<space_type>(fashion, int8, zeros);
static_assert(zeros_cost.peak_ram_bytes == 11760);
static_assert(zeros_cost.flash_bytes == 26216);
static_assert(zeros_cost.macs == 898404);
static_assert(zeros_cost.params == 17170);
// Per layer: [optional,] expansion, kernel.
constexpr std::array<int, 18> reference{1, 0, /**/ 1, 0, 0, /**/ 1, 0, /**/ 0, 0, 0, /**/ 1, 0, 0, /**/ 1, 0, /**/ 1, 0, 0};
static_assert(space::validate<space_type>(fashion, reference) == problem::none);
constexpr cost::costs reference_cost = cost::of<space_type>(fashion, int8, reference);
static_assert(reference_cost.peak_ram_bytes == 17640);
static_assert(reference_cost.flash_bytes == 21272);

template <int In, int Out, int Kernel, int Expansion, int Stride = 1>
using mb = blocks::mbconv<In, Out, Kernel, Expansion, Stride>;
using stem = sequential<conv2d<8, 3, 2>, batch_norm, relu6, mb<8, 8, 3, 1>>;
using head = sequential<conv2d<48, 1>, batch_norm, relu6, global_avg_pool, dense<10>>;
using zeros_network = sequential<stem, mb<8, 12, 3, 3>, mb<12, 12, 3, 3>, mb<12, 16, 3, 3, 2>, mb<16, 16, 3, 3>, mb<16, 16, 3, 3>,
                                 mb<16, 24, 3, 3, 2>, mb<24, 24, 3, 3>, head>;
using reference_network = sequential<stem, mb<8, 12, 3, 6>, mb<12, 16, 3, 6, 2>, mb<16, 16, 3, 3>, mb<16, 24, 3, 6, 2>, head>;

} // namespace

TEST_CASE("Single-Path NAS: costs agree at compile time, at run time and with the fixed networks", "[zoo][cost]") {
    CHECK(cost::of<space_type>(fashion, int8, std::vector<int>(zeros.begin(), zeros.end())) == zeros_cost);
    CHECK(cost::of<space_type>(fashion, int8, std::vector<int>(reference.begin(), reference.end())) == reference_cost);
    CHECK(cost::of<zeros_network>(fashion, int8) == zeros_cost);
    CHECK(cost::of<reference_network>(fashion, int8) == reference_cost);
}

TEST_CASE("Single-Path NAS: 200 random architectures are valid and fit a 64 KB microcontroller", "[zoo][cost]") {
    for (const shape in : {fashion, cifar}) {
        const auto r = testing::sample_costs<space_type>(in, 200, 1);
        INFO("peak " << r.peak_min << ".." << r.peak_max << " flash " << r.flash_min << ".." << r.flash_max);
        CHECK(r.peak_max < testing::kilobytes_64);
        CHECK(r.flash_max < testing::kilobytes_64);
        CHECK(r.flash_min < r.flash_max);
    }
}

TEST_CASE("Single-Path NAS: one training step of the supernet", "[zoo][train]") {
    testing::train_one_step<space_type>(fashion, std::vector<int>(zeros.begin(), zeros.end()));
    testing::train_one_step<space_type>(cifar, std::vector<int>(reference.begin(), reference.end()));
    testing::train_one_step<space_type>(fashion, {}, nn::sampling::mixed);
}

TEST_CASE("extract: the float program of random architectures of Single-Path NAS is the training network",
          "[deploy][extract][zoo]") {
    testing::extract_checks::check_space<zoo::single_path_nas>(fashion, 6, 4);
    WARN("largest difference relative to the output's magnitude: " << testing::extract_checks::worst_difference);
}

} // namespace test_zoo_single_path_nas
