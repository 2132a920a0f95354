// The evaluation part of the search program on nascent::zoo::spos.
#include <nascent/zoo/spos.hpp>

#include "evaluation.hpp"
#include "spaces.hpp"

constinit const nascent_search::space_evaluation_part nascent_search::spos_evaluate = nascent_search::evaluation_part_of<nascent::zoo::spos>();
