// nascent/runtime/int8/max_pool2d_simd.hpp - the int8 max pool of SIMD hosts (GCC vectors of 16 bytes).
//
// detail::max_pool_vector(), run by int8::max_pool (int8/max_pool2d.hpp) where it applies.
// Empty unless NASCENT_RUNTIME_VECTOR.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "nascent/runtime/arch.hpp"
#include "nascent/runtime/geometry.hpp"
#include "nascent/runtime/int8/rescale.hpp"

namespace nascent::deploy::int8 {

#if NASCENT_RUNTIME_VECTOR
namespace detail {

using namespace nascent::deploy::detail;

/// The max pool of SIMD hosts: sixteen channels per vector, the maximum in a register; false
/// (nothing written) unless the step keeps its quantisation and its channels are a multiple of 16.
inline bool max_pool_vector(const step& s, const std::int8_t* x, std::int8_t* y, const rescale_params& r, bool identity, std::size_t c,
                            std::size_t in_stride, std::size_t out_stride, std::size_t width) noexcept {
    if (!identity || c % 16 != 0) return false;
    // Sixteen channels per vector, the maximum in a register.
    typedef std::int8_t bytes __attribute__((vector_size(16)));
    const bytes lo = bytes{} + static_cast<std::int8_t>(r.lo), hi = bytes{} + static_cast<std::int8_t>(r.hi);
    for_each_pool_window(s, [&](int q, int h0, int h1, int w0, int w1) {
        std::int8_t* yq = y + static_cast<std::size_t>(q) * out_stride;
        const std::int8_t* corner = x + (static_cast<std::size_t>(h0) * width + static_cast<std::size_t>(w0)) * in_stride;
        for (std::size_t k = 0; k < c; k += 16) {
            bytes m;
            std::memcpy(&m, corner + k, sizeof m);
            for (int ih = 0; ih < h1 - h0; ++ih)
                for (int iw = 0; iw < w1 - w0; ++iw) {
                    bytes v;
                    std::memcpy(&v, corner + (static_cast<std::size_t>(ih) * width + static_cast<std::size_t>(iw)) * in_stride + k, sizeof v);
                    m = v > m ? v : m;
                }
            m = m < lo ? lo : m;
            m = m > hi ? hi : m;
            std::memcpy(yq + k, &m, sizeof m);
        }
    });
    return true;
}

} // namespace detail
#endif

} // namespace nascent::deploy::int8
