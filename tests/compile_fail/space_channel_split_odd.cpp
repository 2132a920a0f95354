// expect-error: static assertion failed: nascent: a channel split or shuffle cannot divide its input's channels evenly
// A ShuffleNetV2 stride-1 unit splits its input's channels in halves: 7 channels do not split.
#include <nascent/ops/identity.hpp>
#include <nascent/ops/conv2d.hpp>
#include <nascent/space/check.hpp>
#include <nascent/space/channel_split.hpp>
#include <nascent/space/sequential.hpp>

using namespace nascent;
using broken = sequential<conv2d<7, 3>, channel_split<identity, conv2d<4, 1>>>;
static_assert(valid_space<broken, shape{28, 28, 1}>);
