// The compact CNN zoo space (the search program's default): compile-time facts, random
// architectures and their costs against mu-NAS's budgets, and training steps of its supernet on
// both ways of halving the resolution and both heads. The float program of random architectures is
// the training network in inference mode, and the int8 program follows the float one.
#include <catch2/catch.hpp>

#include <array>
#include <vector>

#include <nascent/space/check.hpp>
#include <nascent/space/size.hpp>
#include <nascent/zoo/mcu_cnn.hpp>

#include "extract_checks.hpp"
#include "quantize_checks.hpp"
#include "zoo_checks.hpp"

// The file's names live in a namespace of their own: the tests compile in unity groups.
namespace test_zoo_mcu_cnn {

using namespace nascent;

namespace {

using space_type = zoo::mcu_cnn;
constexpr shape fashion{28, 28, 1};
constexpr auto int8 = cost::precision::int8;

static_assert(valid_space<space_type, fashion>);
// slots: stem (halving choice, width of each option), stage 2 (the same), stage 3 (optional +
// width, twice), head choice
static_assert(space::decisions<space_type> == 11);
static_assert(space::size<space_type>().count == 2048);  // (2 x 4)^2 x 4^2 x 2

// conv 8 + pool, conv 16 + pool, conv 32, conv 32, global pooling and dense.
constexpr std::array<int, 11> zeros{};
constexpr cost::costs zeros_cost = cost::of<space_type>(fashion, int8, zeros);
// parameters by hand: conv 9x8 + batch norm 2x8, conv 9x8x16 + 2x16, conv 9x16x32 + 2x32,
// conv 9x32x32 + 2x32, dense 32x10 + 10
static_assert(zeros_cost.params == (72 + 16) + (1152 + 32) + (4608 + 64) + (9216 + 64) + 330);
// the peak: the stem's output (28x28x8) beside its pooled copy (14x14x8)
static_assert(zeros_cost.peak_ram_bytes == 6272 + 1568);
static_assert(zeros_cost.flash_bytes == 16696);

// strided convs (no pools), stage 3 left out, the flattened head: the 4 KB end of the space
constexpr std::array<int, 11> small{1, 0, 0, 1, 0, 0, 1, 0, 1, 0, 1};
constexpr cost::costs small_cost = cost::of<space_type>(fashion, int8, small);
static_assert(small_cost.peak_ram_bytes <= 4096);

// widest everything: over mu-NAS's 64,000 bytes of flash
constexpr std::array<int, 11> widest{0, 3, 0, 0, 3, 0, 0, 2, 0, 2, 1};
static_assert(cost::of<space_type>(fashion, int8, widest).flash_bytes > 64000);

} // namespace

TEST_CASE("mcu_cnn: costs agree at compile time and at run time", "[zoo][cost]") {
    CHECK(cost::of<space_type>(fashion, int8, std::vector<int>(zeros.begin(), zeros.end())) == zeros_cost);
    CHECK(cost::of<space_type>(fashion, int8, std::vector<int>(small.begin(), small.end())) == small_cost);
}

TEST_CASE("mcu_cnn: mu-NAS's flash budget cuts through the space, its RAM budget does not", "[zoo][cost]") {
    const auto r = testing::sample_costs<space_type>(fashion, 300, 1);
    INFO("peak " << r.peak_min << ".." << r.peak_max << " flash " << r.flash_min << ".." << r.flash_max);
    CHECK(r.peak_max < testing::kilobytes_64);
    CHECK(r.peak_min <= 4096);
    CHECK(r.flash_min < testing::kilobytes_64);
    CHECK(r.flash_max > testing::kilobytes_64);
}

TEST_CASE("mcu_cnn: training steps of the supernet on every way through it", "[zoo][train]") {
    testing::train_one_step<space_type>(fashion, std::vector<int>(zeros.begin(), zeros.end()));
    testing::train_one_step<space_type>(fashion, std::vector<int>(small.begin(), small.end()));
    testing::train_one_step<space_type>(fashion, std::vector<int>(widest.begin(), widest.end()));
    // both heads behind both ways of halving, in one supernet: the flattened head's weights serve all
    testing::train_one_step<space_type>(fashion, {1, 0, 3, 0, 0, 3, 1, 0, 0, 1, 1});
}

TEST_CASE("extract: the float program of random architectures of mcu_cnn is the training network",
          "[deploy][extract][zoo]") {
    testing::extract_checks::check_space<zoo::mcu_cnn>(fashion, 8, 8);
    WARN("largest difference relative to the output's magnitude: " << testing::extract_checks::worst_difference);
}

TEST_CASE("quantize: random architectures of mcu_cnn", "[deploy][quantize][zoo]") {
    testing::quantize_checks::check_zoo_space<zoo::mcu_cnn>(fashion, 3, 10, 0.2);
}

} // namespace test_zoo_mcu_cnn
