// Post-training int8 quantisation on the zoo (SPOS): the int8 program follows the float
// program on random images. The zoo spaces are split over files so that no translation unit
// instantiates more than two.
#include <catch2/catch.hpp>

#include <nascent/zoo/spos.hpp>

#include "quantize_checks.hpp"

using namespace nascent;
using namespace nascent::testing::quantize_checks;

TEST_CASE("quantize: random architectures of SPOS (split, concat, shuffle)", "[deploy][quantize]") {
    constexpr shape fashion{28, 28, 1};
    check_zoo_space<zoo::spos>(fashion, 2, 8, 0.2);
}
