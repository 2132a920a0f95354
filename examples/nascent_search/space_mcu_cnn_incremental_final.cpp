// The final parts of the search program's incremental modes on nascent::zoo::mcu_cnn: adapted (the
// searched incremental model) and attach (a classifier attached to a searched static network).
#include <nascent/zoo/mcu_cnn.hpp>

#include "incremental.hpp"
#include "spaces.hpp"

constinit const nascent_search::space_final_part nascent_search::mcu_cnn_incremental_final =
    nascent_search::incremental_final_part_of<nascent::zoo::mcu_cnn>();
constinit const nascent_search::space_final_part nascent_search::mcu_cnn_attach_final = nascent_search::attach_final_part_of<nascent::zoo::mcu_cnn>();
