// The final-models part of the search program on nascent::zoo::spos.
#include <nascent/zoo/spos.hpp>

#include "final_models.hpp"
#include "spaces.hpp"

constinit const nascent_search::space_final_part nascent_search::spos_final = nascent_search::final_part_of<nascent::zoo::spos>();
