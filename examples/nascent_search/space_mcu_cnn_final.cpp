// The final-models part of the search program on nascent::zoo::mcu_cnn.
#include <nascent/zoo/mcu_cnn.hpp>

#include "final_models.hpp"
#include "spaces.hpp"

constinit const nascent_search::space_final_part nascent_search::mcu_cnn_final = nascent_search::final_part_of<nascent::zoo::mcu_cnn>();
