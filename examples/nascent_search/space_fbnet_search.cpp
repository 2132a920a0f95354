// The search part of the search program on nascent::zoo::fbnet.
#include <nascent/zoo/fbnet.hpp>

#include "search_loop.hpp"
#include "spaces.hpp"

constinit const nascent_search::space_search_part nascent_search::fbnet_search = nascent_search::search_part_of<nascent::zoo::fbnet>();
