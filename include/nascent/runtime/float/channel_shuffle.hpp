// nascent/runtime/float/channel_shuffle.hpp - the float32 channel shuffle (ShuffleNet), over window.groups groups.
//
// May run in place through one pixel of scratch (channel_shuffle_scratch_bytes). No params.
#pragma once

#include <cstddef>
#include <cstdint>

#include "nascent/runtime/kernel_contract.hpp"
#include "nascent/runtime/copy.hpp"

namespace nascent::deploy::float32 {

/// Parameters of a channel_shuffle step: none.
[[nodiscard]] constexpr std::uint32_t channel_shuffle_param_count(int) noexcept { return 0; }

/// Scratch of a channel_shuffle step (bytes): one pixel's channels (used when it runs in place).
[[nodiscard]] constexpr std::size_t channel_shuffle_scratch_bytes(int channels) noexcept {
    return static_cast<std::size_t>(channels) * sizeof(float);
}

/// ShuffleNet's channel shuffle over window.groups groups; may run in place (through one
/// pixel of scratch). No params.
inline void channel_shuffle(const step& s, const float*, const float*, std::byte* arena) noexcept {
    nascent::deploy::detail::shuffle_channels<float>(s, arena);
}

} // namespace nascent::deploy::float32

/// This kernel runs op_type::channel_shuffle at precision float32 (runtime/kernel_contract.hpp).
template <>
struct nascent::runtime::kernel<nascent::op_type::channel_shuffle, nascent::precision::float32> {
    static constexpr auto run = &nascent::deploy::float32::channel_shuffle;
    static constexpr auto param_count = &nascent::deploy::float32::channel_shuffle_param_count;
};
