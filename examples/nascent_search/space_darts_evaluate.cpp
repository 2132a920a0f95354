// The evaluation part of the search program on nascent::zoo::darts.
#include <nascent/zoo/darts.hpp>

#include "evaluation.hpp"
#include "spaces.hpp"

constinit const nascent_search::space_evaluation_part nascent_search::darts_evaluate = nascent_search::evaluation_part_of<nascent::zoo::darts>();
