// nascent/runtime/float/kernels.hpp - every float32 kernel, and run_step(): the kernel of a step's type.
//
//     if (!float32::run_step(step, weights, params, arena)) ...;   // batch_norm: no kernel
// Each kernel has the signature void(const step&, const float* weights, const float* params,
// std::byte* arena) noexcept and states its parameter count and scratch next to its code.
#pragma once

#include "nascent/runtime/program.hpp"
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

namespace nascent::deploy::float32 {

/// Runs step `s` with the kernel of its type; false for a type no kernel runs (batch_norm,
/// which deploy::compile turns into a 1x1 depthwise conv).
/// `Linked` (bit t for op_type t, deploy::types_of) leaves out the optional kernels it does not name
/// (hard_swish), so a firmware links them only when its program uses them.
template <std::uint32_t Linked = ~std::uint32_t{0}>
bool run_step(const step& s, const float* weights, const float* params, std::byte* arena) noexcept {
    switch (s.type) {
    case op_type::conv: conv(s, weights, params, arena); return true;
    case op_type::dense: dense(s, weights, params, arena); return true;
    case op_type::max_pool: max_pool(s, weights, params, arena); return true;
    case op_type::avg_pool: avg_pool(s, weights, params, arena); return true;
    case op_type::global_avg_pool: global_avg_pool(s, weights, params, arena); return true;
    case op_type::add: add(s, weights, params, arena); return true;
    case op_type::relu: relu(s, weights, params, arena); return true;
    case op_type::relu6: relu6(s, weights, params, arena); return true;
    case op_type::zero: zero(s, weights, params, arena); return true;
    case op_type::concat: concat(s, weights, params, arena); return true;
    case op_type::channel_shuffle: channel_shuffle(s, weights, params, arena); return true;
    case op_type::hard_swish:
        if constexpr (((Linked >> static_cast<unsigned>(op_type::hard_swish)) & 1U) != 0U) {
            hard_swish(s, weights, params, arena);
            return true;
        }
        return false;
    case op_type::batch_norm: return false;
    }
    return false;
}

} // namespace nascent::deploy::float32
