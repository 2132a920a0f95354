// The search part of the search program on nascent::zoo::spos.
#include <nascent/zoo/spos.hpp>

#include "search_loop.hpp"
#include "spaces.hpp"

constinit const nascent_search::space_search_part nascent_search::spos_search = nascent_search::search_part_of<nascent::zoo::spos>();
