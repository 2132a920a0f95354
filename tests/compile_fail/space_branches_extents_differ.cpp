// expect-error: static assertion failed: nascent: two branches give different spatial extents, so their outputs cannot be concatenated
// A stride-2 branch beside a stride-1 one: 14x14 and 28x28 outputs cannot be joined on channels.
#include <nascent/ops/conv2d.hpp>
#include <nascent/ops/identity.hpp>
#include <nascent/space/branches.hpp>
#include <nascent/space/check.hpp>
#include <nascent/space/sequential.hpp>

using namespace nascent;
using broken = sequential<conv2d<8, 3>, branches<identity, conv2d<8, 3, 2>>>;
static_assert(valid_space<broken, shape{28, 28, 1}>);
