// The final-models part of the search program on nascent::zoo::munas.
#include <nascent/zoo/munas.hpp>

#include "final_models.hpp"
#include "spaces.hpp"

constinit const nascent_search::space_final_part nascent_search::munas_final = nascent_search::final_part_of<nascent::zoo::munas>();
