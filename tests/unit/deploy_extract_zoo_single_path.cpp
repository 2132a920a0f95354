// Weight extraction on the zoo (Single-Path NAS and mcu_cnn): the float program of random architectures is the
// training network in inference mode, within 1e-5 of the output's magnitude. The zoo spaces are
// split over files so that no translation unit instantiates more than two.
#include <catch2/catch.hpp>

#include <nascent/zoo/mcu_cnn.hpp>
#include <nascent/zoo/single_path_nas.hpp>

#include "extract_checks.hpp"

using namespace nascent;
using namespace nascent::testing::extract_checks;

TEST_CASE("extract: the float program of random architectures of Single-Path NAS and mcu_cnn is the training network",
          "[deploy][extract][zoo]") {
    check_space<zoo::single_path_nas>(fashion, 6, 4);
    check_space<zoo::mcu_cnn>(fashion, 8, 8);
    WARN("largest difference relative to the output's magnitude: " << worst_difference);
}
