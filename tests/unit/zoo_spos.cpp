// The Single Path One-Shot (SPOS) zoo space: compile-time facts, random architectures and their
// costs, and one training step of its supernet. The float program of random architectures is the
// training network in inference mode, and the int8 program follows the float one.
#include <catch2/catch.hpp>

#include <array>
#include <vector>

#include <nascent/space/check.hpp>
#include <nascent/zoo/spos.hpp>

#include "extract_checks.hpp"
#include "quantize_checks.hpp"
#include "zoo_checks.hpp"

// The file's names live in a namespace of their own: the tests compile in unity groups.
namespace test_zoo_spos {

using namespace nascent;

namespace {

using space_type = zoo::spos;
constexpr shape fashion{28, 28, 1};
constexpr shape cifar{32, 32, 3};
constexpr auto int8 = cost::precision::int8;

static_assert(valid_space<space_type, fashion>);
static_assert(valid_space<space_type, cifar>);
static_assert(space::decisions<space_type> == 11);
static_assert(space::size<space_type>().count == 4194304);  // 4^11
static_assert(space::size<space_type>().log10 > 6.6226 && space::size<space_type>().log10 < 6.6227);

constexpr std::array<int, 11> zeros{};  // ShuffleNetV2 k3 everywhere
constexpr cost::costs zeros_cost = cost::of<space_type>(fashion, int8, zeros);
static_assert(zeros_cost.peak_ram_bytes == 14112);
static_assert(zeros_cost.flash_bytes == 30084);
static_assert(zeros_cost.macs == 731056);
static_assert(zeros_cost.params == 21050);
constexpr std::array<int, 11> reference{2, 1, 3, 3, 3, 3, 0, 0, 1, 0, 2};
static_assert(space::validate<space_type>(fashion, reference) == problem::none);
constexpr cost::costs reference_cost = cost::of<space_type>(fashion, int8, reference);
static_assert(reference_cost.peak_ram_bytes == 14112);
static_assert(reference_cost.flash_bytes == 36580);

/// The first stride-2 unit of the all-zeros architecture alone: its peak, by hand. While the
/// main branch's first 1x1 runs, the arena holds the input (28x28x8 = 6272 bytes, kept for the
/// projection branch) and its output (28x28x8 = 6272); the projection branch runs first
/// (its outputs, 14x14x8 = 1568 bytes, wait for the concatenation).
using first_unit = blocks::shufflenet_v2<8, 16, 3, 2>;
static_assert(cost::of<first_unit>(shape{28, 28, 8}, int8).peak_ram_bytes == 6272 + 6272 + 1568);

} // namespace

TEST_CASE("SPOS: costs agree at compile time and at run time", "[zoo][cost]") {
    CHECK(cost::of<space_type>(fashion, int8, std::vector<int>(zeros.begin(), zeros.end())) == zeros_cost);
    CHECK(cost::of<space_type>(fashion, int8, std::vector<int>(reference.begin(), reference.end())) == reference_cost);
}

TEST_CASE("SPOS: 200 random architectures are valid and fit a 64 KB microcontroller", "[zoo][cost]") {
    for (const shape in : {fashion, cifar}) {
        const auto r = testing::sample_costs<space_type>(in, 200, 1);
        INFO("peak " << r.peak_min << ".." << r.peak_max << " flash " << r.flash_min << ".." << r.flash_max);
        CHECK(r.peak_max < testing::kilobytes_64);
        CHECK(r.flash_max < testing::kilobytes_64);
        CHECK(r.flash_min < r.flash_max);
    }
}

TEST_CASE("SPOS: one training step of the supernet", "[zoo][train]") {
    testing::train_one_step<space_type>(fashion, std::vector<int>(zeros.begin(), zeros.end()));
    testing::train_one_step<space_type>(cifar, std::vector<int>(reference.begin(), reference.end()));
}

TEST_CASE("extract: the float program of random architectures of SPOS is the training network",
          "[deploy][extract][zoo]") {
    testing::extract_checks::check_space<zoo::spos>(fashion, 4, 3);
    WARN("largest difference relative to the output's magnitude: " << testing::extract_checks::worst_difference);
}

TEST_CASE("quantize: random architectures of SPOS (split, concat, shuffle)", "[deploy][quantize][zoo]") {
    testing::quantize_checks::check_zoo_space<zoo::spos>(fashion, 2, 8, 0.2);
}

} // namespace test_zoo_spos
