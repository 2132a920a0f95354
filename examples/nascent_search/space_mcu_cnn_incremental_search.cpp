// The search part of the search program's incremental mode on nascent::zoo::mcu_cnn: the space of
// whole incremental models, deploy::incremental_space<zoo::mcu_cnn>.
#include <nascent/deploy/incremental_space.hpp>
#include <nascent/zoo/mcu_cnn.hpp>

#include "search_loop.hpp"
#include "spaces.hpp"

constinit const nascent_search::space_search_part nascent_search::mcu_cnn_incremental_search =
    nascent_search::search_part_of<nascent::deploy::incremental_space<nascent::zoo::mcu_cnn>>();
