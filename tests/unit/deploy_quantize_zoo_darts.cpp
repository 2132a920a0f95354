// Post-training int8 quantisation on the zoo (DARTS): the int8 program follows the float
// program on random images. The zoo spaces are split over files so that no translation unit
// instantiates more than two.
#include <catch2/catch.hpp>

#include <nascent/zoo/darts.hpp>

#include "quantize_checks.hpp"

using namespace nascent;
using namespace nascent::testing::quantize_checks;

TEST_CASE("quantize: random architectures of DARTS (zero, add)", "[deploy][quantize]") {
    constexpr shape fashion{28, 28, 1};
    check_zoo_space<zoo::darts>(fashion, 2, 7, 0.2);
}
