// The final-models part of the search program on nascent::zoo::proxylessnas.
#include <nascent/zoo/proxylessnas.hpp>

#include "final_models.hpp"
#include "spaces.hpp"

constinit const nascent_search::space_final_part nascent_search::proxylessnas_final = nascent_search::final_part_of<nascent::zoo::proxylessnas>();
