// The search tests' toy spaces on 8x8x1 inputs: a stem, N slots, a head. Each slot is an
// MBConv-like residual block of expansion 1, 3 or 6, or a skip: 4^N architectures whose RAM,
// flash and MACs grow with the expansions.
#pragma once

#include <nascent/core/shape.hpp>
#include <nascent/ops/batch_norm.hpp>
#include <nascent/ops/conv2d.hpp>
#include <nascent/ops/dense.hpp>
#include <nascent/ops/global_avg_pool.hpp>
#include <nascent/ops/identity.hpp>
#include <nascent/ops/relu.hpp>
#include <nascent/space/check.hpp>
#include <nascent/space/choice.hpp>
#include <nascent/space/repeat.hpp>
#include <nascent/space/residual.hpp>
#include <nascent/space/sequential.hpp>

namespace nascent::testing {

/// Expand to 4E channels, 3x3 depthwise, project back to 4.
template <int E>
using toy_block = sequential<conv2d<4 * E, 1>, batch_norm, relu, depthwise_conv2d<3>, batch_norm, relu, conv2d<4, 1>, batch_norm>;

/// N slots of a block of expansion 1, 3 or 6, or a skip.
template <int N>
using toy_slots = repeat<N, choice<residual<toy_block<1>>, residual<toy_block<3>>, residual<toy_block<6>>, identity>>;

/// The whole space: 4^N architectures.
template <int N>
using toy_chain = sequential<conv2d<4, 3>, batch_norm, relu, toy_slots<N>, global_avg_pool, dense<3>>;

inline constexpr shape toy_input{8, 8, 1};
static_assert(valid_space<toy_chain<3>, toy_input>);

} // namespace nascent::testing
