// expect-error: static assertion failed: nascent: a residual block changes the shape of its input, so the two cannot be added
// One option of the choice inside the residual halves the image: that architecture cannot add its input back.
#include <nascent/ops/conv2d.hpp>
#include <nascent/ops/global_avg_pool.hpp>
#include <nascent/ops/dense.hpp>
#include <nascent/space/check.hpp>
#include <nascent/space/choice.hpp>
#include <nascent/space/residual.hpp>
#include <nascent/space/sequential.hpp>

using namespace nascent;
using broken = sequential<conv2d<8, 3>, residual<choice<conv2d<8, 3>, conv2d<8, 3, 2>>>, global_avg_pool, dense<10>>;
static_assert(valid_space<broken, shape{28, 28, 1}>);
