// Weight extraction on the zoo (SPOS): the float program of random architectures is the
// training network in inference mode, within 1e-5 of the output's magnitude. The zoo spaces are
// split over files so that no translation unit instantiates more than two.
#include <catch2/catch.hpp>

#include <nascent/zoo/spos.hpp>

#include "extract_checks.hpp"

using namespace nascent;
using namespace nascent::testing::extract_checks;

TEST_CASE("extract: the float program of random architectures of SPOS is the training network",
          "[deploy][extract][zoo]") {
    check_space<zoo::spos>(fashion, 4, 3);
    WARN("largest difference relative to the output's magnitude: " << worst_difference);
}
