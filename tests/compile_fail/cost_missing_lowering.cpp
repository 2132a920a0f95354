// expect-error: no_cost_lowering<[^>]*mish.*static assertion failed: nascent: this descriptor has no cost lowering cost::lowering<Node>: include nascent/cost/lower_blocks.hpp
// A new op with its descriptor (shape rule and counts) but no cost lowering: cost::of says so
// in one sentence, naming the op, instead of "incomplete type".
#include <nascent/cost/costs.hpp>
#include <nascent/ops/conv2d.hpp>
#include <nascent/ops/dense.hpp>
#include <nascent/ops/global_avg_pool.hpp>
#include <nascent/ops/shape_preserving.hpp>
#include <nascent/space/choice.hpp>
#include <nascent/space/sequential.hpp>

using namespace nascent;

struct mish final : shape_preserving {};

using net = sequential<conv2d<8, 3>, choice<relu, mish>, global_avg_pool, dense<10>>;
constexpr cost::costs figures = cost::of<net>(shape{28, 28, 1}, precision::int8);
