// nascent/runtime/int8/channel_shuffle.hpp - the int8 channel shuffle (ShuffleNet); the output keeps the input's quantisation.
//
// May run in place through one pixel of scratch (channel_shuffle_scratch_bytes). No params.
#pragma once

#include <cstddef>
#include <cstdint>

#include "nascent/runtime/kernel_contract.hpp"
#include "nascent/runtime/copy.hpp"

namespace nascent::deploy::int8 {

/// Parameters of an int8 channel_shuffle step: none.
[[nodiscard]] constexpr std::uint32_t channel_shuffle_param_count(int) noexcept { return 0; }

/// Scratch of a channel_shuffle step (bytes): one pixel's channels (used when it runs in place).
[[nodiscard]] constexpr std::size_t channel_shuffle_scratch_bytes(int channels) noexcept {
    return static_cast<std::size_t>(channels) * sizeof(std::int8_t);
}

/// ShuffleNet's channel shuffle; the output keeps the input's quantisation. No params.
inline void channel_shuffle(const step& s, const std::int8_t*, const std::int32_t*, std::byte* arena) noexcept {
    nascent::deploy::detail::shuffle_channels<std::int8_t>(s, arena);
}

} // namespace nascent::deploy::int8

/// This kernel runs op_type::channel_shuffle at precision int8 (runtime/kernel_contract.hpp).
template <>
struct nascent::runtime::kernel<nascent::op_type::channel_shuffle, nascent::precision::int8> {
    static constexpr auto run = &nascent::deploy::int8::channel_shuffle;
    static constexpr auto param_count = &nascent::deploy::int8::channel_shuffle_param_count;
};
