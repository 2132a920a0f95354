// expect-error: incremental_model_over_ram_budget<nascent::deploy::learning::ram_part::buffer, 9024, 9572, 8000>.*error: static assertion failed: nascent: the incremental model.s RAM \(training included\) is over the budget
// An incremental model whose buffer of 1000 samples of 8 features (9,024 bytes with the labels and
// the counters) needs 9,572 bytes of RAM with its classifier and extractor, and
// does not fit 8000: the build stops and names the buffer as the largest part.
#include <nascent/deploy/fixed.hpp>
#include <nascent/ops/conv2d.hpp>
#include <nascent/ops/global_avg_pool.hpp>
#include <nascent/ops/relu.hpp>
#include <nascent/runtime/learning/incremental_model.hpp>

using namespace nascent;
using extractor = deploy::fixed<sequential<conv2d<8, 3, 2>, relu, global_avg_pool>, shape{8, 8, 1}, precision::int8>;
constexpr deploy::learning::incremental_config config{.classifier = {8, 0, 4}, .buffer_capacity = 1000};
using model = deploy::learning::incremental_model<extractor::program, config>;

static_assert(deploy::learning::assert_ram_fits<model, 8000>);
