// expect-error: not_a_node_of_space<[^>]*mish.*static assertion failed: nascent: this node of the space is neither an op descriptor
// A node that answers no shape rule: valid_space says so in one sentence, naming it.
#include <nascent/ops/conv2d.hpp>
#include <nascent/ops/dense.hpp>
#include <nascent/ops/global_avg_pool.hpp>
#include <nascent/space/check.hpp>
#include <nascent/space/choice.hpp>
#include <nascent/space/sequential.hpp>

using namespace nascent;

struct mish final {};  // no accepts, output, params or macs

using broken = sequential<conv2d<8, 3>, choice<conv2d<8, 3>, mish>, global_avg_pool, dense<10>>;
static_assert(valid_space<broken, shape{28, 28, 1}>);
