// The search part of the search program on nascent::zoo::mcu_cnn.
#include <nascent/zoo/mcu_cnn.hpp>

#include "search_loop.hpp"
#include "spaces.hpp"

constinit const nascent_search::space_search_part nascent_search::mcu_cnn_search = nascent_search::search_part_of<nascent::zoo::mcu_cnn>();
