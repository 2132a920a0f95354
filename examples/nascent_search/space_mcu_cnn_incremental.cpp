// The search program's incremental modes on nascent::zoo::mcu_cnn: the search part over the space of
// whole incremental models (deploy::incremental_space<zoo::mcu_cnn>), its evaluation part, and the
// final parts of adapted (the searched incremental model) and attach (a classifier attached to a
// searched static network).
#include <nascent/deploy/incremental_space.hpp>
#include <nascent/zoo/mcu_cnn.hpp>

#include "incremental.hpp"
#include "search_loop.hpp"
#include "spaces.hpp"

namespace nascent_search {

constinit const space_search_part mcu_cnn_incremental_search =
    search_part_of<nascent::deploy::incremental_space<nascent::zoo::mcu_cnn>>();
constinit const space_evaluation_part mcu_cnn_incremental_evaluate = incremental_evaluation_part_of<nascent::zoo::mcu_cnn>();
constinit const space_final_part mcu_cnn_incremental_final = incremental_final_part_of<nascent::zoo::mcu_cnn>();
constinit const space_final_part mcu_cnn_attach_final = attach_final_part_of<nascent::zoo::mcu_cnn>();

} // namespace nascent_search
