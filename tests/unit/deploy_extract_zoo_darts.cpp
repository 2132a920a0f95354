// Weight extraction on the zoo (DARTS): the float program of random architectures is the
// training network in inference mode, within 1e-5 of the output's magnitude. The zoo spaces are
// split over files so that no translation unit instantiates more than two.
#include <catch2/catch.hpp>

#include <nascent/zoo/darts.hpp>

#include "extract_checks.hpp"

using namespace nascent;
using namespace nascent::testing::extract_checks;

TEST_CASE("extract: the float program of random architectures of DARTS is the training network",
          "[deploy][extract][zoo]") {
    check_space<zoo::darts>(fashion, 4, 5);
    WARN("largest difference relative to the output's magnitude: " << worst_difference);
}
