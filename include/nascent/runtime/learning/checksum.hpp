// nascent/runtime/learning/checksum.hpp - a compile-time checksum of an exported model's arrays.
//
//     static_assert(learning::checksum(weights, params, classifier) == metadata::checksum, "...");
// FNV-1a (32 bits) over the bytes of each array in turn, little-endian, floats by their bits: an
// exported header states the checksum of its arrays, and a header whose numbers were edited or
// cut short stops the build (deploy/incremental.hpp writes both).
//
// Freestanding and constexpr.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>

namespace nascent::deploy::learning {

namespace detail {

constexpr std::uint32_t fnv_prime = 16777619U;

template <class T>
constexpr std::uint32_t fnv_over(std::uint32_t h, const T* values, std::size_t n) noexcept {
    for (std::size_t i = 0; i < n; ++i) {
        std::uint32_t word = 0;
        if constexpr (sizeof(T) == 4) word = std::bit_cast<std::uint32_t>(values[i]);
        else word = static_cast<std::uint8_t>(values[i]);
        for (std::size_t b = 0; b < sizeof(T); ++b) h = (h ^ ((word >> (8 * b)) & 0xFFU)) * fnv_prime;
    }
    return h;
}

} // namespace detail

/// The checksum of an int8 weight array, an int32 parameter array and a float array.
template <std::size_t W, std::size_t P, std::size_t F>
[[nodiscard]] constexpr std::uint32_t checksum(const std::int8_t (&weights)[W], const std::int32_t (&params)[P],
                                               const float (&floats)[F]) noexcept {
    std::uint32_t h = 2166136261U;
    h = detail::fnv_over(h, weights, W);
    h = detail::fnv_over(h, params, P);
    return detail::fnv_over(h, floats, F);
}

/// The same over spans given as pointers and lengths (the host's vectors).
[[nodiscard]] constexpr std::uint32_t checksum(const std::int8_t* weights, std::size_t w, const std::int32_t* params, std::size_t p,
                                               const float* floats, std::size_t f) noexcept {
    std::uint32_t h = 2166136261U;
    h = detail::fnv_over(h, weights, w);
    h = detail::fnv_over(h, params, p);
    return detail::fnv_over(h, floats, f);
}

} // namespace nascent::deploy::learning
