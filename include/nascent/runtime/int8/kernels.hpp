// nascent/runtime/int8/kernels.hpp - every int8 kernel, and run_step(): the kernel of a step's type.
//
//     if (!int8::run_step(step, weights, params, arena)) ...;   // batch_norm: no kernel
// Each kernel has the signature void(const step&, const std::int8_t* weights, const std::int32_t*
// params, std::byte* arena) noexcept and states its parameter count and scratch next to its code.
// Quantisation: activations per-tensor asymmetric (real = scale * (q - z)), weights per-channel
// symmetric, int32 sums, fixed_point.hpp's requantisation; no float anywhere.
#pragma once

#include "nascent/runtime/program.hpp"
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

namespace nascent::deploy::int8 {

/// Runs step `s` with the kernel of its type; false for a type no kernel runs (batch_norm).
/// `Linked` (bit t for op_type t, deploy::types_of) leaves out the optional kernels it does not name
/// (hard_swish), so a firmware links them only when its program uses them.
template <std::uint32_t Linked = ~std::uint32_t{0}>
bool run_step(const step& s, const std::int8_t* weights, const std::int32_t* params, std::byte* arena) noexcept {
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

} // namespace nascent::deploy::int8
