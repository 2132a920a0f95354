// expect-success
// Control for the space compile-fail tests: the same combinators, put together correctly, compile.
#include <nascent/ops/conv2d.hpp>
#include <nascent/ops/dense.hpp>
#include <nascent/ops/global_avg_pool.hpp>
#include <nascent/space/check.hpp>
#include <nascent/space/choice.hpp>
#include <nascent/space/residual.hpp>
#include <nascent/space/sequential.hpp>

using namespace nascent;
using fine = sequential<choice<conv2d<8, 3>, conv2d<8, 5>>, residual<choice<conv2d<8, 3>, conv2d<8, 5>>>, global_avg_pool,
                        dense<10>>;
static_assert(valid_space<fine, shape{28, 28, 1}>);
