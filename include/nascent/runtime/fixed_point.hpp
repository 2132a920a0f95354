// nascent/runtime/fixed_point.hpp - integer requantisation, as TF Lite and CMSIS-NN compute it.
//
// An int8 kernel accumulates in int32 and scales the sum to the output's quantisation with a
// fixed-point factor (multiplier, shift) standing for multiplier * 2^(shift - 31), with
// multiplier in [2^30, 2^31) (or 0): the convention of runtime/program.hpp.
// multiply_by_quantized_multiplier() rounds exactly as TF Lite's reference kernels do
// (gemmlowp's saturating rounding doubling high multiply, then a rounding right shift), so a
// program quantised for TF Lite gives the same bytes here.
//
// Everything is constexpr and integer-only; quantize_multiplier() (the host side, run when
// a model is quantised) uses doubles but no <cmath>.
#pragma once

#include <cstdint>
#include <limits>

namespace nascent::deploy {

/// round(a * b / 2^31), ties upward (-1.5 gives -1, as gemmlowp): the high word of the doubled
/// 64-bit product.
/// Saturates the one overflowing case, a == b == INT32_MIN, to INT32_MAX.
[[nodiscard]] constexpr std::int32_t saturating_rounding_doubling_high_mul(std::int32_t a, std::int32_t b) noexcept {
    if (a == b && a == std::numeric_limits<std::int32_t>::min()) return std::numeric_limits<std::int32_t>::max();
    // (ab + 2^30) >> 31 (floor) equals gemmlowp's sign-dependent nudge and truncating division.
    const std::int64_t ab = static_cast<std::int64_t>(a) * static_cast<std::int64_t>(b);
    return static_cast<std::int32_t>((ab + (std::int64_t{1} << 30)) >> 31);
}

/// round(x / 2^exponent), ties away from zero; exponent in [0, 31].
[[nodiscard]] constexpr std::int32_t rounding_divide_by_power_of_two(std::int32_t x, int exponent) noexcept {
    const auto mask = static_cast<std::int32_t>((std::uint32_t{1} << exponent) - 1U);
    const std::int32_t remainder = x & mask;
    const std::int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/// The factor (multiplier, shift) of multiply_by_quantized_multiplier() with its per-factor work
/// done once (a kernel prepares one per output channel and applies it to many sums).
///
/// For shift >= 0 it is the definition: x << shift, then the rounding doubling high multiply.
/// For shift = -e < 0 the two roundings collapse into one 64-bit sum, exactly:
/// with t = floor((x m + 2^30) / 2^31) (the high multiply; its saturating case rounds to the same
/// result when e > 0) and the rounding shift floor((t + 2^(e-1) - [t < 0]) / 2^e),
///     result = floor((x m + 2^30 + 2^(30+e) - [x m < 0] 2^31) / 2^(31+e))
/// (nested floors of integer quotients; [t < 0] may be replaced by [x m < 0], and that by the
/// sign of x XOR m, because either gives t = result = 0 when |x m| < 2^30): on a 32-bit core
/// one multiply-accumulate of the product onto the rounding constant and one shift of the high word.
struct scaling {
    std::int32_t multiplier = 0;
    int left = 0;            ///< shift >= 0: the left shift
    int right = -1;          ///< shift < 0: e - 1 (the shift of the high word); -1 for shift >= 0
    std::int64_t round = 0;  ///< shift < 0: 2^30 + 2^(30+e)

    constexpr scaling() noexcept = default;
    [[gnu::always_inline]] constexpr scaling(std::int32_t m, int shift) noexcept
        : multiplier(m), left(shift > 0 ? shift : 0), right(shift < 0 ? -shift - 1 : -1), round(shift < 0 ? round_of(-shift) : 0) {}

    /// 2^30 + 2^(30+e) = (2^e + 1) * 2^30 for e in [1, 31] (2^e + 1 fits in 32 bits).
    [[nodiscard, gnu::always_inline]] static constexpr std::int64_t round_of(int e) noexcept {
        return static_cast<std::int64_t>(std::uint64_t{(1U << e) + 1U} << 30);
    }

    /// multiply_by_quantized_multiplier(x, multiplier, shift), bit for bit.
    [[nodiscard, gnu::always_inline]] constexpr std::int32_t operator()(std::int32_t x) const noexcept {
        if (right < 0) return saturating_rounding_doubling_high_mul(static_cast<std::int32_t>(static_cast<std::uint32_t>(x) << left), multiplier);
        // -2^31 when x * multiplier < 0: the sign bit of x XOR multiplier, sign-extended.
        const auto negative = static_cast<std::int64_t>((x ^ multiplier) & std::numeric_limits<std::int32_t>::min());
        const std::int64_t sum = static_cast<std::int64_t>(x) * multiplier + (round + negative);
        return static_cast<std::int32_t>(sum >> 32) >> right;
    }
};

/// x * multiplier * 2^(shift - 31), rounded as TF Lite's MultiplyByQuantizedMultiplier:
/// a left shift by max(shift, 0) (x << shift must fit in int32), the rounding doubling high
/// multiply, then a rounding right shift by max(-shift, 0). Needs shift in [-31, 30].
/// (Computed as scaling does: the same bits as those three steps for every x and multiplier.)
[[nodiscard]] constexpr std::int32_t multiply_by_quantized_multiplier(std::int32_t x, std::int32_t multiplier, int shift) noexcept {
    return scaling(multiplier, shift)(x);
}

/// The output of an int8 kernel: acc scaled by (multiplier, shift), moved to the output's zero
/// point and clamped to [lo, hi] (the fused activation's range, within [-128, 127]).
[[nodiscard]] constexpr std::int32_t requantize(std::int32_t acc, std::int32_t multiplier, int shift, std::int32_t z_out,
                                                std::int32_t lo, std::int32_t hi) noexcept {
    const std::int32_t v = multiply_by_quantized_multiplier(acc, multiplier, shift) + z_out;
    return v < lo ? lo : (v > hi ? hi : v);
}

/// Bits by which an average's sum of at most `count` terms of magnitude 255 (int8 minus a zero
/// point) can be raised and stay below 2^30 (at most 16): the extra precision average() keeps.
[[nodiscard]] constexpr int average_headroom(std::int32_t count) noexcept {
    int bits = 0;
    while (bits < 16 && (std::int64_t{255} * count << (bits + 1)) < (std::int64_t{1} << 30)) ++bits;
    return bits;
}

/// sum / count scaled by (multiplier, shift), rounded once up to 2^-headroom: the sum is raised
/// by 2^headroom (headroom: average_headroom of the largest count), divided by count (ties away
/// from zero), then scaled by multiplier * 2^(shift - headroom - 31); within 0.5 + 2^-headroom of
/// the exact value. With the identity factor (2^30, 1) and counts up to 1024 this is exactly TF
/// Lite's rounded mean (its average pool).
[[nodiscard]] constexpr std::int32_t average(std::int32_t sum, std::int32_t count, int headroom, std::int32_t multiplier,
                                             int shift) noexcept {
    const auto raised = static_cast<std::int32_t>(static_cast<std::uint32_t>(sum) << headroom);
    const std::int32_t half = count / 2;
    const std::int32_t mean = (raised >= 0 ? raised + half : raised - half) / count;
    const int s = shift - headroom;
    return multiply_by_quantized_multiplier(mean, multiplier, s < -31 ? -31 : s);
}

/// A real factor as a fixed-point pair: real == multiplier * 2^(shift - 31).
struct quantized_multiplier {
    std::int32_t multiplier = 0;  ///< in [2^30, 2^31), negated for a negative factor; 0 for zero
    int shift = 0;                ///< in [-31, 30]

    friend constexpr bool operator==(const quantized_multiplier&, const quantized_multiplier&) = default;
};

/// The fixed-point pair of `real`, as TF Lite's QuantizeMultiplier: real = q * 2^shift with
/// q in [0.5, 1) (frexp), multiplier = round(q * 2^31). Factors below 2^-32 flush to {0, 0};
/// factors of 2^30 or more (and infinities) saturate to {2^31 - 1, 30}; NaN gives {0, 0}.
/// Host side (quantising a model): doubles, constexpr, no <cmath>.
[[nodiscard]] constexpr quantized_multiplier quantize_multiplier(double real) noexcept {
    if (!(real == real) || real == 0.0) return {};  // NaN or zero
    const bool negative = real < 0.0;
    double q = negative ? -real : real;
    if (q > std::numeric_limits<double>::max()) return {negative ? -std::numeric_limits<std::int32_t>::max() : std::numeric_limits<std::int32_t>::max(), 30};
    int exponent = 0;
    while (q >= 1.0) {
        q *= 0.5;
        ++exponent;
    }
    while (q < 0.5) {
        q *= 2.0;
        --exponent;
    }
    auto fixed = static_cast<std::int64_t>(q * 2147483648.0 + 0.5);  // round half away from zero (q > 0)
    if (fixed == (std::int64_t{1} << 31)) {
        fixed /= 2;
        ++exponent;
    }
    if (exponent < -31) return {};
    if (exponent > 30) {
        exponent = 30;
        fixed = (std::int64_t{1} << 31) - 1;
    }
    const auto m = static_cast<std::int32_t>(fixed);
    return {negative ? -m : m, exponent};
}

/// The identity factor: multiply_by_quantized_multiplier(x, 2^30, 1) == x.
inline constexpr quantized_multiplier identity_multiplier{std::int32_t{1} << 30, 1};

} // namespace nascent::deploy
