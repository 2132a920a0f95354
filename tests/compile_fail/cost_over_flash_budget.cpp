// expect-error: over_the_flash_budget<nascent::cost::flash_budget_bytes\{16000\}, nascent::cost::flash_bytes\{21224\}, nascent::cost::largest_layer\{4, 15816, "dense"\}>.*error: static assertion failed: nascent: the network's weights are over the flash budget
// The reference CNN's int8 weights take 21224 bytes, 15816 of them in the dense layer (op 4):
// a 16000-byte flash budget must stop the build and name them. The RAM budget is met.
#include <nascent/cost/budget.hpp>

using namespace nascent;
using reference_cnn = sequential<conv2d<16, 3>, batch_norm, relu, max_pool2d<2>, conv2d<32, 3>, batch_norm, relu,
                                 max_pool2d<2>, flatten, dense<10>>;

static_assert(cost::assert_fits<reference_cnn, shape{28, 28, 1}, cost::precision::int8,
                                cost::budget{.ram_bytes = 16000, .flash_bytes = 16000}>::value);
