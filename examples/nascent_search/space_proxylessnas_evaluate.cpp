// The evaluation part of the search program on nascent::zoo::proxylessnas.
#include <nascent/zoo/proxylessnas.hpp>

#include "evaluation.hpp"
#include "spaces.hpp"

constinit const nascent_search::space_evaluation_part nascent_search::proxylessnas_evaluate = nascent_search::evaluation_part_of<nascent::zoo::proxylessnas>();
