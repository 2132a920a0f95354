// The evaluation part of the search program on nascent::zoo::mcu_cnn.
#include <nascent/zoo/mcu_cnn.hpp>

#include "evaluation.hpp"
#include "spaces.hpp"

constinit const nascent_search::space_evaluation_part nascent_search::mcu_cnn_evaluate = nascent_search::evaluation_part_of<nascent::zoo::mcu_cnn>();
