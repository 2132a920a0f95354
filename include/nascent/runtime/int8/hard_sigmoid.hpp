// nascent/runtime/int8/hard_sigmoid.hpp - the int8 standalone hard sigmoid: a lookup table of hard_sigmoid_of.
//
//     static_assert(runtime::has_kernel<op_type::hard_sigmoid, precision::int8>);
// The table samples float32::hard_sigmoid_of (float/hard_sigmoid.hpp) at every int8 input
// (int8/lookup_table.hpp). Freestanding.
#pragma once

#include "nascent/runtime/float/hard_sigmoid.hpp"
#include "nascent/runtime/int8/lookup_table.hpp"
#include "nascent/runtime/kernel_contract.hpp"

/// This kernel runs op_type::hard_sigmoid at precision int8 (runtime/kernel_contract.hpp).
template <>
struct nascent::runtime::kernel<nascent::op_type::hard_sigmoid, nascent::precision::int8> {
    static constexpr auto run = &nascent::deploy::int8::lookup_table;
    static constexpr auto param_count = &nascent::deploy::int8::lookup_table_param_count;
    static constexpr auto table_of = &nascent::deploy::float32::hard_sigmoid_of<double>;
};
