// nascent/runtime/int8/kernels.hpp - every int8 kernel: the list run() draws its kernels from.
//
//     static_assert(runtime::has_kernel<op_type::conv, precision::int8>);
// A new kernel's header goes on this list; its runtime::kernel specialisation registers it
// (runtime/kernel_contract.hpp).
// Each kernel has the signature void(const step&, const std::int8_t* weights, const std::int32_t*
// params, std::byte* arena) noexcept and states its parameter count and scratch next to its code.
// Quantisation: activations per-tensor asymmetric (real = scale * (q - z)), weights per-channel
// symmetric, int32 sums, fixed_point.hpp's requantisation; no float anywhere.
#pragma once

#include "nascent/runtime/int8/conv2d.hpp"
#include "nascent/runtime/int8/dense.hpp"
#include "nascent/runtime/int8/max_pool2d.hpp"
#include "nascent/runtime/int8/avg_pool2d.hpp"
#include "nascent/runtime/int8/global_avg_pool.hpp"
#include "nascent/runtime/int8/add.hpp"
#include "nascent/runtime/int8/relu.hpp"
#include "nascent/runtime/int8/relu6.hpp"
#include "nascent/runtime/int8/zero.hpp"
#include "nascent/runtime/int8/concat.hpp"
#include "nascent/runtime/int8/channel_shuffle.hpp"
#include "nascent/runtime/int8/hard_swish.hpp"
#include "nascent/runtime/int8/hard_sigmoid.hpp"
#include "nascent/runtime/int8/exit_gate.hpp"
