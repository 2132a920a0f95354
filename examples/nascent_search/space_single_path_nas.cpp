// The search program on nascent::zoo::single_path_nas: its search part (the strategies and the cost model), its
// evaluation part (the supernet and the candidates' training) and its final part (the final
// training and the deploy programs).
#include <nascent/zoo/single_path_nas.hpp>

#include "evaluation.hpp"
#include "final_models.hpp"
#include "search_loop.hpp"
#include "spaces.hpp"

namespace nascent_search {

constinit const space_search_part single_path_nas_search = search_part_of<nascent::zoo::single_path_nas>();
constinit const space_evaluation_part single_path_nas_evaluate = evaluation_part_of<nascent::zoo::single_path_nas>();
constinit const space_final_part single_path_nas_final = final_part_of<nascent::zoo::single_path_nas>();

} // namespace nascent_search
