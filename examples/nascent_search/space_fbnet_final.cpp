// The final-models part of the search program on nascent::zoo::fbnet.
#include <nascent/zoo/fbnet.hpp>

#include "final_models.hpp"
#include "spaces.hpp"

constinit const nascent_search::space_final_part nascent_search::fbnet_final = nascent_search::final_part_of<nascent::zoo::fbnet>();
