// expect-error: static assertion failed: nascent: the options of a choice give different channel counts: use elastic_width for a choice of widths
// Options of 8 and 16 filters cannot share the weights of the layer after them.
#include <nascent/ops/conv2d.hpp>
#include <nascent/space/check.hpp>
#include <nascent/space/choice.hpp>
#include <nascent/space/sequential.hpp>

using namespace nascent;
using broken = sequential<choice<conv2d<8, 3>, conv2d<16, 3>>, conv2d<8, 1>>;
static_assert(valid_space<broken, shape{28, 28, 1}>);
