// The evaluation part of the search program on nascent::zoo::fbnet.
#include <nascent/zoo/fbnet.hpp>

#include "evaluation.hpp"
#include "spaces.hpp"

constinit const nascent_search::space_evaluation_part nascent_search::fbnet_evaluate = nascent_search::evaluation_part_of<nascent::zoo::fbnet>();
