// expect-success
// Control for the contract compile-fail tests: with the headers their sentences name, a space of
// the block ops trains, is costed, and is reached through its bound shape with a typed architecture.
#include <nascent/cost/costs.hpp>
#include <nascent/cost/lower_blocks.hpp>
#include <nascent/nn/blocks.hpp>
#include <nascent/nn/supernet.hpp>
#include <nascent/space/bound.hpp>

using namespace nascent;

using net = sequential<conv2d<8, 3>, batch_norm, relu, choice<channel_shuffle<2>, identity>,
                       asymmetric_conv2d<8, 1, 3>, global_avg_pool, dense<10>>;
using bound = space::bound<net, shape{28, 28, 1}>;
static_assert(nn::trains<net> && cost::lowers<net> && space::space_node<net>);
static_assert(cost::of<bound>(precision::int8).params == cost::of<net>(shape{28, 28, 1}, precision::int8).params);

cost::costs figures(const bound::architecture& a) { return cost::of<bound>(precision::int8, a); }
nn::model<bound> model(1);
