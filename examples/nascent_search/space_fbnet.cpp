// The search program on nascent::zoo::fbnet: its search part (the strategies and the cost model), its
// evaluation part (the supernet and the candidates' training) and its final part (the final
// training and the deploy programs).
#include <nascent/zoo/fbnet.hpp>

#include "evaluation.hpp"
#include "final_models.hpp"
#include "search_loop.hpp"
#include "spaces.hpp"

namespace nascent_search {

constinit const space_search_part fbnet_search = search_part_of<nascent::zoo::fbnet>();
constinit const space_evaluation_part fbnet_evaluate = evaluation_part_of<nascent::zoo::fbnet>();
constinit const space_final_part fbnet_final = final_part_of<nascent::zoo::fbnet>();

} // namespace nascent_search
