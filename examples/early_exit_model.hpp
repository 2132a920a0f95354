// The early-exit network of the examples and its single-exit backbone (docs/early_exits.md):
// early_exit_fashion_mnist compares them on the host, export_early_exit exports both for the
// firmware firmware/early_exit.cpp. The backbone is three 3x3 convolution stages; the early-exit
// network adds a classifier head after each of the first two.
#pragma once

#include <nascent/core/shape.hpp>
#include <nascent/cost/costs.hpp>
#include <nascent/cost/lower_blocks.hpp>
#include <nascent/ops/batch_norm.hpp>
#include <nascent/ops/conv2d.hpp>
#include <nascent/ops/dense.hpp>
#include <nascent/ops/global_avg_pool.hpp>
#include <nascent/ops/max_pool2d.hpp>
#include <nascent/ops/relu.hpp>
#include <nascent/space/early_exit.hpp>
#include <nascent/space/sequential.hpp>

namespace early_exit_model {

using namespace nascent;

template <int Filters>
using stage = sequential<conv2d<Filters, 3>, batch_norm, relu, max_pool2d<2>>;
/// After the first stage (14 x 14 x 16) a strided convolution first; after the second, pooling alone.
using first_head = sequential<conv2d<32, 3, 2>, batch_norm, relu, global_avg_pool, dense<10>>;
using second_head = sequential<global_avg_pool, dense<10>>;
using last_stage = sequential<conv2d<64, 3>, batch_norm, relu, global_avg_pool, dense<10>>;

using backbone = sequential<stage<16>, stage<32>, last_stage>;
using network = sequential<stage<16>, exit_branch<first_head>, stage<32>, exit_branch<second_head>, last_stage>;

inline constexpr shape image{28, 28, 1};
inline constexpr cost::costs backbone_int8 = cost::of<backbone>(image, cost::precision::int8);
inline constexpr cost::costs network_int8 = cost::of<network>(image, cost::precision::int8);
static_assert(network_int8.peak_ram_bytes <= 64 * 1024 && network_int8.flash_bytes <= 64 * 1024, "the early-exit network fits a 64 KB device");
static_assert(network_int8.early_exits == 2);

} // namespace early_exit_model
