// The ProxylessNAS zoo space: compile-time facts, random architectures and their costs, and one
// training step of its supernet. The float program of random architectures is the training network
// in inference mode.
#include <catch2/catch.hpp>

#include <array>
#include <vector>

#include <nascent/blocks/mbconv.hpp>
#include <nascent/space/check.hpp>
#include <nascent/zoo/proxylessnas.hpp>

#include "extract_checks.hpp"
#include "zoo_checks.hpp"

// The file's names live in a namespace of their own: the tests compile in unity groups.
namespace test_zoo_proxylessnas {

using namespace nascent;

namespace {

using space_type = zoo::proxylessnas;
constexpr shape fashion{28, 28, 1};
constexpr shape cifar{32, 32, 3};
constexpr auto int8 = cost::precision::int8;

static_assert(valid_space<space_type, fashion>);
static_assert(valid_space<space_type, cifar>);
static_assert(space::decisions<space_type> == 7);
static_assert(space::options<space_type>() == std::array<int, 7>{6, 7, 6, 7, 7, 6, 7});
static_assert(space::size<space_type>().count == 6 * 6 * 6 * 7 * 7 * 7 * 7);
static_assert(space::size<space_type>().log10 > 5.7148 && space::size<space_type>().log10 < 5.7149);
static_assert(space_type::output(fashion) == shape{1, 1, 10});

// The all-zeros architecture (k3 e3 everywhere) and one drawn at random, costed at compile time.
constexpr std::array<int, 7> zeros{};
constexpr cost::costs zeros_cost = cost::of<space_type>(fashion, int8, zeros);
static_assert(zeros_cost.peak_ram_bytes == 11760);
static_assert(zeros_cost.flash_bytes == 26216);
static_assert(zeros_cost.macs == 898404);
static_assert(zeros_cost.params == 17170);
constexpr std::array<int, 7> reference{4, 1, 5, 6, 6, 5, 0};  // k7e3, k3e6, k7e6, skip, skip, k7e6, k3e3
static_assert(space::validate<space_type>(fashion, reference) == problem::none);
constexpr cost::costs reference_cost = cost::of<space_type>(fashion, int8, reference);
static_assert(reference_cost.peak_ram_bytes == 18816);
static_assert(reference_cost.flash_bytes == 34832);

/// The network the all-zeros architecture stands for.
using zeros_network = sequential<conv2d<8, 3, 2>, batch_norm, relu6, blocks::mbconv<8, 8, 3, 1>, blocks::mbconv<8, 12, 3, 3>,
                                 blocks::mbconv<12, 12, 3, 3>, blocks::mbconv<12, 16, 3, 3, 2>, blocks::mbconv<16, 16, 3, 3>,
                                 blocks::mbconv<16, 16, 3, 3>, blocks::mbconv<16, 24, 3, 3, 2>, blocks::mbconv<24, 24, 3, 3>,
                                 conv2d<48, 1>, batch_norm, relu6, global_avg_pool, dense<10>>;

} // namespace

TEST_CASE("ProxylessNAS: costs agree at compile time, at run time and with the fixed network", "[zoo][cost]") {
    CHECK(cost::of<space_type>(fashion, int8, std::vector<int>(zeros.begin(), zeros.end())) == zeros_cost);
    CHECK(cost::of<space_type>(fashion, int8, std::vector<int>(reference.begin(), reference.end())) == reference_cost);
    CHECK(cost::of<zeros_network>(fashion, int8) == zeros_cost);
}

TEST_CASE("ProxylessNAS: 200 random architectures are valid and fit a 64 KB microcontroller", "[zoo][cost]") {
    for (const shape in : {fashion, cifar}) {
        const auto r = testing::sample_costs<space_type>(in, 200, 1);
        INFO("peak " << r.peak_min << ".." << r.peak_max << " flash " << r.flash_min << ".." << r.flash_max);
        CHECK(r.peak_max < testing::kilobytes_64);
        CHECK(r.flash_over <= 10);
        CHECK(r.flash_min < r.flash_max);
    }
}

TEST_CASE("ProxylessNAS: one training step of the supernet", "[zoo][train]") {
    testing::train_one_step<space_type>(fashion, std::vector<int>(zeros.begin(), zeros.end()));
    testing::train_one_step<space_type>(cifar, std::vector<int>(reference.begin(), reference.end()));
}

TEST_CASE("extract: the float program of random architectures of ProxylessNAS is the training network",
          "[deploy][extract][zoo]") {
    testing::extract_checks::check_space<zoo::proxylessnas>(fashion, 4, 1);
    WARN("largest difference relative to the output's magnitude: " << testing::extract_checks::worst_difference);
}

} // namespace test_zoo_proxylessnas
