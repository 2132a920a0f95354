// The DARTS cell zoo space (as On-NAS uses it): compile-time facts, random architectures and their
// costs, and one training step of its supernet, single path and mixed (DARTS). The float program of
// random architectures is the training network in inference mode, and the int8 program follows the
// float one.
#include <catch2/catch.hpp>

#include <array>
#include <vector>

#include <nascent/space/check.hpp>
#include <nascent/zoo/darts.hpp>

#include "extract_checks.hpp"
#include "quantize_checks.hpp"
#include "zoo_checks.hpp"

// The file's names live in a namespace of their own: the tests compile in unity groups.
namespace test_zoo_darts {

using namespace nascent;

namespace {

using space_type = zoo::darts;
constexpr shape fashion{28, 28, 1};
constexpr shape cifar{32, 32, 3};
constexpr auto int8 = cost::precision::int8;

static_assert(valid_space<space_type, fashion>);
static_assert(valid_space<space_type, cifar>);
static_assert(space::decisions<space_type> == 36);
static_assert([] {
    // Per cell node j = 1..3: input of edge 1 (j options), its op (8), input of edge 2, its op.
    const auto o = space::options<space_type>();
    for (std::size_t i = 0; i < o.size(); ++i) {
        const int node = static_cast<int>(i % 12 / 4) + 1;
        if (o[i] != (i % 2 == 0 ? node : 8)) return false;
    }
    return true;
}());
// Per cell: node j has 8j possible edges and picks an unordered pair: 36 * 136 * 300.
static_assert(space::size<space_type>().count == 36ULL * 136 * 300 * 36 * 136 * 300 * 36 * 136 * 300);
static_assert(space::size<space_type>().log10 > 18.5008 && space::size<space_type>().log10 < 18.5009);

constexpr std::array<int, 36> zeros{};  // every edge: max pool of the cell input
constexpr cost::costs zeros_cost = cost::of<space_type>(fashion, int8, zeros);
static_assert(zeros_cost.peak_ram_bytes == 25088);
static_assert(zeros_cost.flash_bytes == 6856);
static_assert(zeros_cost.macs == 1077456);
static_assert(zeros_cost.params == 5026);
// Per node: (input, op) of its two edges. Cell 1: n1 = skip(in) + sep(in), n2 = none + conv3x3(n1),
// n3 = max pool(n1) + dil conv(n2); cell 2: n1 = avg pool(in) + conv 1x5 5x1(in),
// n2 = skip(in) + skip(n1), n3 = none + max pool(n2); cell 3: n1 = max pool(in) + conv3x3(in),
// n2 = avg pool(n1) + none, n3 = skip(n1) + sep(n2). (Kept small: the exact schedule of a
// cell is a search over the subsets of its ops, which is costly to run in the compiler.)
constexpr std::array<int, 36> reference{0, 2, 0, 5, 0, 7, 1, 4, 1, 0, 2, 6, /**/ 0, 1, 0, 3, 0, 2, 1, 2, 0, 7, 2, 0,
                                        /**/ 0, 0, 0, 4, 1, 1, 1, 7, 1, 2, 2, 5};
static_assert(space::validate<space_type>(fashion, reference) == problem::none);
constexpr cost::costs reference_cost = cost::of<space_type>(fashion, int8, reference);
static_assert(reference_cost.peak_ram_bytes == 25088);
static_assert(reference_cost.flash_bytes == 19576);
static_assert(reference_cost.macs == 2234248);

} // namespace

TEST_CASE("DARTS: costs agree at compile time and at run time", "[zoo][cost]") {
    CHECK(cost::of<space_type>(fashion, int8, std::vector<int>(zeros.begin(), zeros.end())) == zeros_cost);
    CHECK(cost::of<space_type>(fashion, int8, std::vector<int>(reference.begin(), reference.end())) == reference_cost);
}

TEST_CASE("DARTS: 200 random architectures are valid and fit a 64 KB microcontroller", "[zoo][cost]") {
    for (const shape in : {fashion, cifar}) {
        const auto r = testing::sample_costs<space_type>(in, 200, 1);
        INFO("peak " << r.peak_min << ".." << r.peak_max << " flash " << r.flash_min << ".." << r.flash_max);
        CHECK(r.peak_max < testing::kilobytes_64);
        CHECK(r.flash_max < testing::kilobytes_64);
        CHECK(r.flash_min < r.flash_max);
    }
}

TEST_CASE("DARTS: one training step of the supernet", "[zoo][train]") {
    testing::train_one_step<space_type>(fashion, std::vector<int>(zeros.begin(), zeros.end()));
    testing::train_one_step<space_type>(cifar, std::vector<int>(reference.begin(), reference.end()));
    testing::train_one_step<space_type>(fashion, {}, nn::sampling::mixed);
}

TEST_CASE("extract: the float program of random architectures of DARTS is the training network",
          "[deploy][extract][zoo]") {
    testing::extract_checks::check_space<zoo::darts>(fashion, 4, 5);
    WARN("largest difference relative to the output's magnitude: " << testing::extract_checks::worst_difference);
}

TEST_CASE("quantize: random architectures of DARTS (zero, add)", "[deploy][quantize][zoo]") {
    testing::quantize_checks::check_zoo_space<zoo::darts>(fashion, 2, 7, 0.2);
}

} // namespace test_zoo_darts
