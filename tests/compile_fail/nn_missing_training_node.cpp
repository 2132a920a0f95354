// expect-error: no_training_node<[^>]*mish.*static assertion failed: nascent: this descriptor has no training node nn::trainable<Node, T>: include nascent/nn/supernet.hpp and nascent/nn/blocks.hpp
// A new op with its descriptor (shape rule and counts) but no training node: nn::model says so
// in one sentence, naming the op, instead of "incomplete type".
#include <nascent/nn/supernet.hpp>
#include <nascent/ops/shape_preserving.hpp>

using namespace nascent;

struct mish final : shape_preserving {};

using net = sequential<conv2d<8, 3>, batch_norm, mish, global_avg_pool, dense<10>>;
nn::model<net> model(shape{28, 28, 1}, 1);
