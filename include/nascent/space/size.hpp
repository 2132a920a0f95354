// nascent/space/size.hpp - the number of architectures in a space, exact while it fits.
//
// Spaces grow past 2^64 quickly (a 20-layer space of 7 options has 8e16
// architectures; a DARTS cell space far more), so a size carries the exact
// count while it fits in 64 bits and its base-10 logarithm always. Everything
// is constexpr, logarithms included.
#pragma once

#include <cstdint>
#include <limits>

namespace nascent {

namespace detail {

/// Natural logarithm, constexpr, for x > 0 (relative error below 1e-15).
constexpr double ln(double x) noexcept {
    constexpr double ln2 = 0.693147180559945309417232121458;
    int e = 0;
    while (x >= 2.0) { x /= 2.0; ++e; }
    while (x < 1.0) { x *= 2.0; --e; }
    // ln(x) = 2 atanh((x - 1) / (x + 1)) on [1, 2)
    const double z = (x - 1.0) / (x + 1.0);
    const double z2 = z * z;
    double term = z;
    double sum = 0.0;
    for (int k = 1; k < 80; k += 2) {
        sum += term / k;
        term *= z2;
    }
    return 2.0 * sum + e * ln2;
}

/// e^x, constexpr, for moderate |x|.
constexpr double exp(double x) noexcept {
    if (x < 0) return 1.0 / exp(-x);
    int halvings = 0;
    while (x > 0.5) { x /= 2.0; ++halvings; }
    double sum = 1.0;
    double term = 1.0;
    for (int k = 1; k < 30; ++k) {
        term *= x / k;
        sum += term;
    }
    for (int i = 0; i < halvings; ++i) sum *= sum;
    return sum;
}

constexpr double ln10 = 2.30258509299404568401799145468;

} // namespace detail

struct space_size {
    std::uint64_t count = 1;  ///< exact number of architectures, when `exact`
    bool exact = true;        ///< false when the count passed 2^64
    double log10 = 0.0;       ///< base-10 logarithm of the number of architectures

    /// A node with `n` architectures.
    [[nodiscard]] static constexpr space_size of(std::uint64_t n) noexcept {
        return {n, true, detail::ln(static_cast<double>(n)) / detail::ln10};
    }

    /// Independent parts: the counts multiply.
    friend constexpr space_size operator*(space_size a, space_size b) noexcept {
        space_size r;
        r.log10 = a.log10 + b.log10;
        r.exact = a.exact && b.exact && (b.count == 0 || a.count <= std::numeric_limits<std::uint64_t>::max() / b.count);
        r.count = r.exact ? a.count * b.count : 0;
        return r;
    }
    /// Alternatives: the counts add.
    friend constexpr space_size operator+(space_size a, space_size b) noexcept {
        space_size r;
        const double hi = a.log10 > b.log10 ? a.log10 : b.log10;
        const double lo = a.log10 > b.log10 ? b.log10 : a.log10;
        r.log10 = hi + detail::ln(1.0 + detail::exp((lo - hi) * detail::ln10)) / detail::ln10;
        r.exact = a.exact && b.exact && a.count <= std::numeric_limits<std::uint64_t>::max() - b.count;
        r.count = r.exact ? a.count + b.count : 0;
        return r;
    }
};

/// `s` to the power n (n independent copies).
[[nodiscard]] constexpr space_size power(space_size s, int n) noexcept {
    space_size r;
    for (int i = 0; i < n; ++i) r = r * s;
    return r;
}

} // namespace nascent
