// expect-error: over_the_ram_budget<nascent::cost::ram_budget_bytes\{8000\}, nascent::cost::peak_ram_bytes\{15680\}, nascent::cost::peak_while_running\{1, "max_pool2d"\}, nascent::cost::largest_tensor\{1, 12544, "conv2d"\}>.*error: static assertion failed: nascent: the network's peak RAM is over the RAM budget
// The reference CNN needs 15680 bytes of arena at int8 (the first max pool's input and output):
// an 8000-byte RAM budget must stop the build and name the figures.
#include <nascent/cost/budget.hpp>

using namespace nascent;
using reference_cnn = sequential<conv2d<16, 3>, batch_norm, relu, max_pool2d<2>, conv2d<32, 3>, batch_norm, relu,
                                 max_pool2d<2>, flatten, dense<10>>;

static_assert(cost::assert_fits<reference_cnn, shape{28, 28, 1}, cost::precision::int8, cost::budget{.ram_bytes = 8000}>::value);
