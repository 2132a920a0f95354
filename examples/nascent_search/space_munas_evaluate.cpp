// The evaluation part of the search program on nascent::zoo::munas.
#include <nascent/zoo/munas.hpp>

#include "evaluation.hpp"
#include "spaces.hpp"

constinit const nascent_search::space_evaluation_part nascent_search::munas_evaluate = nascent_search::evaluation_part_of<nascent::zoo::munas>();
