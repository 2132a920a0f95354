// Weight extraction on the zoo (SPOS, DARTS, μNAS and mcu_cnn): the float program of random architectures is the
// training network in inference mode, within 1e-5 of the output's magnitude. The zoo spaces are
// split over files so that no translation unit instantiates them all.
#include <catch2/catch.hpp>

#include <nascent/zoo/darts.hpp>
#include <nascent/zoo/mcu_cnn.hpp>
#include <nascent/zoo/munas.hpp>
#include <nascent/zoo/spos.hpp>

#include "extract_checks.hpp"

using namespace nascent;
using namespace nascent::testing::extract_checks;

TEST_CASE("extract: the float program of random architectures of SPOS, DARTS, μNAS and mcu_cnn is the training network",
          "[deploy][extract][zoo]") {
    check_space<zoo::spos>(fashion, 4, 3);
    check_space<zoo::darts>(fashion, 4, 5);
    check_space<zoo::munas>(fashion, 10, 6);
    check_space<zoo::munas>(shape{32, 32, 3}, 4, 7);
    check_space<zoo::mcu_cnn>(fashion, 8, 8);
    WARN("largest difference relative to the output's magnitude: " << worst_difference);
}
