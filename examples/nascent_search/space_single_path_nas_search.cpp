// The search part of the search program on nascent::zoo::single_path_nas.
#include <nascent/zoo/single_path_nas.hpp>

#include "search_loop.hpp"
#include "spaces.hpp"

constinit const nascent_search::space_search_part nascent_search::single_path_nas_search = nascent_search::search_part_of<nascent::zoo::single_path_nas>();
