// The evaluation part of the search program on nascent::zoo::single_path_nas.
#include <nascent/zoo/single_path_nas.hpp>

#include "evaluation.hpp"
#include "spaces.hpp"

constinit const nascent_search::space_evaluation_part nascent_search::single_path_nas_evaluate = nascent_search::evaluation_part_of<nascent::zoo::single_path_nas>();
