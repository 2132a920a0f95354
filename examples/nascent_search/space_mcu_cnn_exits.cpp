// The search program on nascent::zoo::mcu_cnn_exits, mcu_cnn with early exits: its search part,
// its evaluation part (a supernet trained with its exits; a candidate judged by its exit policy's
// accuracy and avg_macs) and its final part (joint training, thresholds on the validation images,
// a program that stops at its first sure exit).
#include <nascent/zoo/mcu_cnn.hpp>

#include "evaluation.hpp"
#include "final_models.hpp"
#include "search_loop.hpp"
#include "spaces.hpp"

namespace nascent_search {

constinit const space_search_part mcu_cnn_exits_search = search_part_of<nascent::zoo::mcu_cnn_exits>();
constinit const space_evaluation_part mcu_cnn_exits_evaluate = evaluation_part_of<nascent::zoo::mcu_cnn_exits>();
constinit const space_final_part mcu_cnn_exits_final = final_part_of<nascent::zoo::mcu_cnn_exits>();

} // namespace nascent_search
