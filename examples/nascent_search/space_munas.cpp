// The search program on nascent::zoo::munas: its search part (the strategies and the cost model), its
// evaluation part (the supernet and the candidates' training) and its final part (the final
// training and the deploy programs).
#include <nascent/zoo/munas.hpp>

#include "evaluation.hpp"
#include "final_models.hpp"
#include "search_loop.hpp"
#include "spaces.hpp"

namespace nascent_search {

constinit const space_search_part munas_search = search_part_of<nascent::zoo::munas>();
constinit const space_evaluation_part munas_evaluate = evaluation_part_of<nascent::zoo::munas>();
constinit const space_final_part munas_final = final_part_of<nascent::zoo::munas>();

} // namespace nascent_search
