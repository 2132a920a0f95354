// nascent/runtime/int8/bytes.hpp - byte and word helpers of the int8 kernels.
//
// load4/store4 (four bytes, any alignment), copy_bytes/fill_bytes (a few bytes, no memcpy call),
// wrapping_add (int32 sums wrap modulo 2^32, as the instructions do), four_bytes. Freestanding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "nascent/runtime/geometry.hpp"

namespace nascent::deploy::int8 {

namespace detail {

using namespace nascent::deploy::detail;

/// Four bytes from p, any alignment.
[[nodiscard]] inline std::uint32_t load4(const void* p) noexcept {
    std::uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
}

inline void store4(void* p, std::uint32_t v) noexcept { std::memcpy(p, &v, 4); }

/// Copies len bytes (a few): words, then the last bytes (no call of memcpy).
inline void copy_bytes(std::int8_t* dst, const std::int8_t* src, std::size_t len) noexcept {
    for (const std::int8_t* end = src + (len & ~std::size_t{3}); src != end; dst += 4, src += 4) store4(dst, load4(src));
    if ((len & 2U) != 0) {
        dst[0] = src[0];
        dst[1] = src[1];
        dst += 2;
        src += 2;
    }
    if ((len & 1U) != 0) dst[0] = src[0];
}

/// Writes len bytes of value (four copies of it in `pattern`).
inline void fill_bytes(std::int8_t* dst, std::uint32_t pattern, std::size_t len) noexcept {
    for (; len >= 4; len -= 4, dst += 4) store4(dst, pattern);
    for (; len > 0; --len, ++dst) *dst = static_cast<std::int8_t>(pattern);
}

/// a + b modulo 2^32 (the int32 sums of the kernels wrap, as the instructions do).
[[nodiscard]] constexpr std::int32_t wrapping_add(std::int32_t a, std::int32_t b) noexcept {
    return static_cast<std::int32_t>(static_cast<std::uint32_t>(a) + static_cast<std::uint32_t>(b));
}

[[nodiscard]] constexpr std::uint32_t four_bytes(std::int32_t v) noexcept { return (static_cast<std::uint32_t>(v) & 0xFFU) * 0x01010101U; }

} // namespace detail

} // namespace nascent::deploy::int8
