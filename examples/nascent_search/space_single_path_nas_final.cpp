// The final-models part of the search program on nascent::zoo::single_path_nas.
#include <nascent/zoo/single_path_nas.hpp>

#include "final_models.hpp"
#include "spaces.hpp"

constinit const nascent_search::space_final_part nascent_search::single_path_nas_final = nascent_search::final_part_of<nascent::zoo::single_path_nas>();
