// The search program on nascent::zoo::proxylessnas: its search part (the strategies and the cost model), its
// evaluation part (the supernet and the candidates' training) and its final part (the final
// training and the deploy programs).
#include <nascent/zoo/proxylessnas.hpp>

#include "evaluation.hpp"
#include "final_models.hpp"
#include "search_loop.hpp"
#include "spaces.hpp"

namespace nascent_search {

constinit const space_search_part proxylessnas_search = search_part_of<nascent::zoo::proxylessnas>();
constinit const space_evaluation_part proxylessnas_evaluate = evaluation_part_of<nascent::zoo::proxylessnas>();
constinit const space_final_part proxylessnas_final = final_part_of<nascent::zoo::proxylessnas>();

} // namespace nascent_search
