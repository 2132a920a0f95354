// expect-error: expansion of .*nascent::cost::fixed<5, 5>.*fixed_memory_plan: the sizes differ from the plan.s tensor and op counts
// The reference CNN lowers to 6 tensors and 5 ops: a fixed plan of 5 tensors must not compile.
#include <nascent/cost/plan.hpp>

using namespace nascent;
using reference_cnn = sequential<conv2d<16, 3>, batch_norm, relu, max_pool2d<2>, conv2d<32, 3>, batch_norm, relu,
                                 max_pool2d<2>, flatten, dense<10>>;

constexpr auto plan = cost::fixed<5, 5>(cost::plan(cost::lower<reference_cnn>(shape{28, 28, 1}, cost::precision::int8)));
