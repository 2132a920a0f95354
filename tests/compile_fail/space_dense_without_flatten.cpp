// expect-error: static assertion failed: nascent: a dense layer reads a 3-D activation: put flatten or global_avg_pool before it
// A space whose dense layer reads the 28x28x8 output of a convolution cannot work on any architecture.
#include <nascent/ops/conv2d.hpp>
#include <nascent/ops/dense.hpp>
#include <nascent/space/check.hpp>
#include <nascent/space/choice.hpp>
#include <nascent/space/sequential.hpp>

using namespace nascent;
using broken = sequential<choice<conv2d<8, 3>, conv2d<8, 5>>, dense<10>>;
static_assert(valid_space<broken, shape{28, 28, 1}>);
