// nascent/runtime/float/kernels.hpp - every float32 kernel: the list run() draws its kernels from.
//
//     static_assert(runtime::has_kernel<op_type::conv, precision::float32>);
// A new kernel's header goes on this list; its runtime::kernel specialisation registers it
// (runtime/kernel_contract.hpp).
// Each kernel has the signature void(const step&, const float* weights, const float* params,
// std::byte* arena) noexcept and states its parameter count and scratch next to its code.
#pragma once

#include "nascent/runtime/float/conv2d.hpp"
#include "nascent/runtime/float/dense.hpp"
#include "nascent/runtime/float/max_pool2d.hpp"
#include "nascent/runtime/float/avg_pool2d.hpp"
#include "nascent/runtime/float/global_avg_pool.hpp"
#include "nascent/runtime/float/add.hpp"
#include "nascent/runtime/float/relu.hpp"
#include "nascent/runtime/float/relu6.hpp"
#include "nascent/runtime/float/zero.hpp"
#include "nascent/runtime/float/concat.hpp"
#include "nascent/runtime/float/channel_shuffle.hpp"
#include "nascent/runtime/float/hard_swish.hpp"
#include "nascent/runtime/float/hard_sigmoid.hpp"
#include "nascent/runtime/float/exit_gate.hpp"
