// Weight extraction on the zoo (FBNet): the float program of random architectures is the
// training network in inference mode, within 1e-5 of the output's magnitude. The zoo spaces are
// split over files so that no translation unit instantiates more than two.
#include <catch2/catch.hpp>

#include <nascent/zoo/fbnet.hpp>

#include "extract_checks.hpp"

using namespace nascent;
using namespace nascent::testing::extract_checks;

TEST_CASE("extract: the float program of random architectures of FBNet is the training network",
          "[deploy][extract][zoo]") {
    check_space<zoo::fbnet>(fashion, 4, 2);
    WARN("largest difference relative to the output's magnitude: " << worst_difference);
}
