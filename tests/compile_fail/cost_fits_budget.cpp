// expect-success
// Control for the compile-fail tests: the same network and mechanism as cost_over_ram_budget.cpp
// and cost_over_flash_budget.cpp with budgets it meets compiles, so those tests fail for the
// reason they name and not, say, for a missing include path.
#include <nascent/cost/budget.hpp>
#include <nascent/cost/plan.hpp>

using namespace nascent;
using reference_cnn = sequential<conv2d<16, 3>, batch_norm, relu, max_pool2d<2>, conv2d<32, 3>, batch_norm, relu,
                                 max_pool2d<2>, flatten, dense<10>>;

static_assert(cost::assert_fits<reference_cnn, shape{28, 28, 1}, cost::precision::int8,
                                cost::budget{.ram_bytes = 15680, .flash_bytes = 21224}>::value);
// The figures the failing tests expect.
static_assert(cost::report(cost::lower<reference_cnn>(shape{28, 28, 1}, cost::precision::int8)).peak_ram_bytes == 15680);
static_assert(cost::report(cost::lower<reference_cnn>(shape{28, 28, 1}, cost::precision::int8)).flash_bytes == 21224);
// A plan sized for the network compiles (cost_fixed_plan_wrong_size.cpp asks for the wrong size).
constexpr auto plan = cost::fixed<6, 5>(cost::plan(cost::lower<reference_cnn>(shape{28, 28, 1}, cost::precision::int8)));
static_assert(plan.arena_bytes == 15680);
