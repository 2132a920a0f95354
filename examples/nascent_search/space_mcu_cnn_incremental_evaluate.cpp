// The evaluation part of the search program's incremental mode on nascent::zoo::mcu_cnn.
#include <nascent/zoo/mcu_cnn.hpp>

#include "incremental.hpp"
#include "spaces.hpp"

constinit const nascent_search::space_evaluation_part nascent_search::mcu_cnn_incremental_evaluate =
    nascent_search::incremental_evaluation_part_of<nascent::zoo::mcu_cnn>();
