// The final-models part of the search program on nascent::zoo::darts.
#include <nascent/zoo/darts.hpp>

#include "final_models.hpp"
#include "spaces.hpp"

constinit const nascent_search::space_final_part nascent_search::darts_final = nascent_search::final_part_of<nascent::zoo::darts>();
