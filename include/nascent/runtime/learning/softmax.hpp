// nascent/runtime/learning/softmax.hpp - the exponential and the softmax of on-device learning.
//
//     float p[10];  deploy::learning::softmax(logits, p, 10);   // p sums to 1
// exp_of is computed here rather than by the C library, so that a host and a device (or two C
// libraries) give the same bits: it is a fixed sequence of float additions and multiplications
// (Cody-Waite range reduction, the degree-6 polynomial of Cephes' expf, a power of two built from
// its bits), each correctly rounded in IEEE single precision on every target. Its relative error
// is below 2e-7 on [-87, 88]. Bit-identity across targets also needs the compiler not to fuse
// a * b + c into one rounding: compile with -ffp-contract=off (docs/learning.md).
//
// Freestanding: no heap, no exceptions, no <cmath>.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>

namespace nascent::deploy::learning {

/// e^x in single precision, the same bits on every IEEE target (0 from -87 down, e^88 above 88).
[[nodiscard]] constexpr float exp_of(float x) noexcept {
    if (!(x > -87.0F)) return 0.0F;  // also NaN
    if (x > 88.0F) x = 88.0F;
    const float t = x * 1.44269504088896341F;  // x / ln 2
    const int n = static_cast<int>(t >= 0.0F ? t + 0.5F : t - 0.5F);
    const auto nf = static_cast<float>(n);
    float r = x - nf * 0.693359375F;  // ln 2 in two parts: exact high bits, then the rest
    r = r - nf * -2.12194440e-4F;
    float p = 1.9875691500e-4F;
    p = p * r + 1.3981999507e-3F;
    p = p * r + 8.3334519073e-3F;
    p = p * r + 4.1665795894e-2F;
    p = p * r + 1.6666665459e-1F;
    p = p * r + 5.0000001201e-1F;
    const float y = p * r * r + r + 1.0F;
    return y * std::bit_cast<float>(static_cast<std::uint32_t>(n + 127) << 23);  // n in [-126, 127]
}

/// p = softmax(z) over n values, computed as exp(z - max z) / sum, in index order.
constexpr void softmax(const float* z, float* p, std::size_t n) noexcept {
    float largest = z[0];
    for (std::size_t i = 1; i < n; ++i) largest = z[i] > largest ? z[i] : largest;
    float sum = 0.0F;
    for (std::size_t i = 0; i < n; ++i) {
        p[i] = exp_of(z[i] - largest);
        sum += p[i];
    }
    const float inverse = 1.0F / sum;
    for (std::size_t i = 0; i < n; ++i) p[i] *= inverse;
}

} // namespace nascent::deploy::learning
