// The search program on nascent::zoo::darts: its search part (the strategies and the cost model), its
// evaluation part (the supernet and the candidates' training) and its final part (the final
// training and the deploy programs).
#include <nascent/zoo/darts.hpp>

#include "evaluation.hpp"
#include "final_models.hpp"
#include "search_loop.hpp"
#include "spaces.hpp"

namespace nascent_search {

constinit const space_search_part darts_search = search_part_of<nascent::zoo::darts>();
constinit const space_evaluation_part darts_evaluate = evaluation_part_of<nascent::zoo::darts>();
constinit const space_final_part darts_final = final_part_of<nascent::zoo::darts>();

} // namespace nascent_search
