// The search program on nascent::zoo::mcu_cnn: its search part (the strategies and the cost model), its
// evaluation part (the supernet and the candidates' training) and its final part (the final
// training and the deploy programs).
#include <nascent/zoo/mcu_cnn.hpp>

#include "evaluation.hpp"
#include "final_models.hpp"
#include "search_loop.hpp"
#include "spaces.hpp"

namespace nascent_search {

constinit const space_search_part mcu_cnn_search = search_part_of<nascent::zoo::mcu_cnn>();
constinit const space_evaluation_part mcu_cnn_evaluate = evaluation_part_of<nascent::zoo::mcu_cnn>();
constinit const space_final_part mcu_cnn_final = final_part_of<nascent::zoo::mcu_cnn>();

} // namespace nascent_search
