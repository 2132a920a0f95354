// nascent/data/corruption.hpp - corrupted copies of an image dataset, in the manner of CIFAR-10-C.
//
//     const image_dataset noisy = corrupted(test_set, corruption::shot_noise, 3, /*seed=*/1);
//     const corruption c = corruption_named("defocus_blur");   // throws naming the known ones
//
// Twelve corruptions of Hendrycks and Dietterich's benchmark (ICLR 2019), each at severities 1
// to 5 with the parameters of its CIFAR-10 version (32x32 images: the scale of Fashion-MNIST's
// 28x28). Every image is corrupted from its own random stream, drawn from (seed, corruption,
// severity, image index) alone, so a seed fixes the corrupted set bit for bit whatever else was
// drawn before.
//
// Pixels are read as v / 255, corrupted in double precision, clipped to [0, 1] and rounded back
// to bytes. Filters read beyond the border by reflection without repeating the edge pixel
// (OpenCV's default); channels are corrupted one by one, except brightness, which raises the
// value channel of HSV as the benchmark does (on one channel: the pixel itself). Where the
// benchmark calls an image library, this header says what it does instead:
//   - shot_noise draws Poisson counts exactly below a mean of 30 and from the normal
//     approximation (rounded, at least 0) above;
//   - motion_blur is ImageMagick's: a one-sided Gaussian kernel of width 2 * radius + 1 along a
//     random angle in [-45, 45] degrees, at whole-pixel offsets, the edge pixel repeated beyond
//     the border;
//   - pixelate resamples with PIL's box filter both ways, without rounding between the passes;
//   - jpeg_compression is JPEG's lossy path for one channel (8x8 blocks, the edge replicated to
//     whole blocks, DCT, the IJG-scaled luminance table at the given quality, inverse DCT); the
//     entropy coding it leaves out is lossless. Colour images are compressed channel by channel,
//     without conversion to YCbCr or chroma subsampling;
//   - zoom_blur zooms bilinearly about the image centre.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numbers>
#include <string>
#include <string_view>
#include <vector>

#include "nascent/core/error.hpp"
#include "nascent/core/random.hpp"
#include "nascent/core/shape.hpp"
#include "nascent/core/text.hpp"
#include "nascent/data/dataset.hpp"

namespace nascent {

enum class corruption {
    gaussian_noise,
    shot_noise,
    impulse_noise,
    speckle_noise,
    gaussian_blur,
    defocus_blur,
    motion_blur,
    zoom_blur,
    contrast,
    brightness,
    pixelate,
    jpeg_compression,
};

inline constexpr std::array<corruption, 12> all_corruptions{
    corruption::gaussian_noise, corruption::shot_noise,  corruption::impulse_noise, corruption::speckle_noise,
    corruption::gaussian_blur,  corruption::defocus_blur, corruption::motion_blur,  corruption::zoom_blur,
    corruption::contrast,       corruption::brightness,  corruption::pixelate,      corruption::jpeg_compression};

inline constexpr int max_severity = 5;

/// The benchmark's name of `c` (e.g. "gaussian_noise").
[[nodiscard]] constexpr std::string_view name_of(corruption c) noexcept {
    constexpr std::array<std::string_view, all_corruptions.size()> names{
        "gaussian_noise", "shot_noise", "impulse_noise", "speckle_noise", "gaussian_blur", "defocus_blur",
        "motion_blur",    "zoom_blur",  "contrast",      "brightness",    "pixelate",      "jpeg_compression"};
    return names[static_cast<std::size_t>(c)];
}

/// The corruption called `name`; throws nascent::error listing the known names otherwise.
[[nodiscard]] inline corruption corruption_named(std::string_view name) {
    std::string known;
    for (const corruption c : all_corruptions) {
        if (name_of(c) == name) return c;
        known += string_of(known.empty() ? "" : ", ", name_of(c));
    }
    throw error(string_of("corruption: no corruption is called \"", name, "\"; the corruptions are ", known));
}

namespace detail::corrupt {

/// One image, one channel at a time: values in [0, 1], row-major h x w.
struct plane {
    int h = 0, w = 0;
    std::vector<double> v;
    [[nodiscard]] double& at(int y, int x) noexcept { return v[static_cast<std::size_t>(y) * static_cast<std::size_t>(w) + static_cast<std::size_t>(x)]; }
    [[nodiscard]] double at(int y, int x) const noexcept { return v[static_cast<std::size_t>(y) * static_cast<std::size_t>(w) + static_cast<std::size_t>(x)]; }
};

/// Index i reflected into [0, n) without repeating the edge (OpenCV's BORDER_REFLECT_101).
[[nodiscard]] inline int reflect(int i, int n) noexcept {
    if (n == 1) return 0;
    const int period = 2 * (n - 1);
    i %= period;
    if (i < 0) i += period;
    return i < n ? i : period - i;
}

/// Correlates `p` with a square kernel of odd side k (row-major), reflecting at the border.
[[nodiscard]] inline plane correlate(const plane& p, const std::vector<double>& kernel, int k) {
    plane out{p.h, p.w, std::vector<double>(p.v.size())};
    const int r = k / 2;
    for (int y = 0; y < p.h; ++y)
        for (int x = 0; x < p.w; ++x) {
            double sum = 0.0;
            for (int dy = -r; dy <= r; ++dy)
                for (int dx = -r; dx <= r; ++dx) {
                    const double weight = kernel[static_cast<std::size_t>((dy + r) * k + dx + r)];
                    if (weight != 0.0) sum += weight * p.at(reflect(y + dy, p.h), reflect(x + dx, p.w));
                }
            out.at(y, x) = sum;
        }
    return out;
}

/// Normalised 1-D Gaussian weights over [-radius, radius].
[[nodiscard]] inline std::vector<double> gaussian_weights(double sigma, int radius) {
    std::vector<double> g(static_cast<std::size_t>(2 * radius + 1));
    double sum = 0.0;
    for (int i = -radius; i <= radius; ++i) sum += g[static_cast<std::size_t>(i + radius)] = std::exp(-0.5 * i * i / (sigma * sigma));
    for (double& x : g) x /= sum;
    return g;
}

/// The outer product of `g` with itself: a square kernel.
[[nodiscard]] inline std::vector<double> square_of(const std::vector<double>& g) {
    std::vector<double> k(g.size() * g.size());
    for (std::size_t i = 0; i < g.size(); ++i)
        for (std::size_t j = 0; j < g.size(); ++j) k[i * g.size() + j] = g[i] * g[j];
    return k;
}

/// Gaussian blur of standard deviation sigma, truncated at 4 sigma (scikit-image's default).
[[nodiscard]] inline plane gaussian_blur(const plane& p, double sigma) {
    const int radius = static_cast<int>(std::ceil(4.0 * sigma));
    return correlate(p, square_of(gaussian_weights(sigma, radius)), 2 * radius + 1);
}

/// The benchmark's defocus kernel: a disk of the radius on a 17x17 grid, normalised, then
/// blurred by a 3x3 Gaussian of standard deviation alias_blur against aliasing.
[[nodiscard]] inline std::vector<double> disk_kernel(double radius, double alias_blur) {
    constexpr int side = 17, half = side / 2;
    plane disk{side, side, std::vector<double>(side * side, 0.0)};
    double count = 0.0;
    for (int y = -half; y <= half; ++y)
        for (int x = -half; x <= half; ++x)
            if (x * x + y * y <= radius * radius) {
                disk.at(y + half, x + half) = 1.0;
                count += 1.0;
            }
    for (double& v : disk.v) v /= count;
    return correlate(disk, square_of(gaussian_weights(alias_blur, 1)), 3).v;
}

/// ImageMagick's motion blur: sum over i < 2 * radius + 1 of the Gaussian weight of i at the
/// pixel i steps along `degrees`, rounded to whole pixels, the edge repeated beyond the border.
[[nodiscard]] inline plane motion_blur(const plane& p, int radius, double sigma, double degrees) {
    const int width = 2 * radius + 1;
    std::vector<double> weight(static_cast<std::size_t>(width));
    double sum = 0.0;
    for (int i = 0; i < width; ++i) sum += weight[static_cast<std::size_t>(i)] = std::exp(-0.5 * i * i / (sigma * sigma));
    const double angle = degrees * std::numbers::pi / 180.0;
    std::vector<int> dx(static_cast<std::size_t>(width)), dy(static_cast<std::size_t>(width));
    for (int i = 0; i < width; ++i) {
        dx[static_cast<std::size_t>(i)] = static_cast<int>(std::lround(i * std::cos(angle)));
        dy[static_cast<std::size_t>(i)] = static_cast<int>(std::lround(i * std::sin(angle)));
    }
    plane out{p.h, p.w, std::vector<double>(p.v.size())};
    for (int y = 0; y < p.h; ++y)
        for (int x = 0; x < p.w; ++x) {
            double s = 0.0;
            for (int i = 0; i < width; ++i) {
                const auto k = static_cast<std::size_t>(i);
                s += weight[k] * p.at(std::clamp(y + dy[k], 0, p.h - 1), std::clamp(x + dx[k], 0, p.w - 1));
            }
            out.at(y, x) = s / sum;
        }
    return out;
}

/// Bilinear sample at (y, x), the edge repeated beyond the border.
[[nodiscard]] inline double bilinear(const plane& p, double y, double x) noexcept {
    y = std::clamp(y, 0.0, static_cast<double>(p.h - 1));
    x = std::clamp(x, 0.0, static_cast<double>(p.w - 1));
    const int y0 = static_cast<int>(y), x0 = static_cast<int>(x);
    const int y1 = std::min(y0 + 1, p.h - 1), x1 = std::min(x0 + 1, p.w - 1);
    const double fy = y - y0, fx = x - x0;
    return (1 - fy) * ((1 - fx) * p.at(y0, x0) + fx * p.at(y0, x1)) + fy * ((1 - fx) * p.at(y1, x0) + fx * p.at(y1, x1));
}

/// The mean of the image and its zooms by 1, 1.01, ..., 1 + 0.01 * (steps - 1) about its centre.
[[nodiscard]] inline plane zoom_blur(const plane& p, int steps) {
    plane out{p.h, p.w, p.v};
    const double cy = 0.5 * p.h, cx = 0.5 * p.w;
    for (int s = 0; s < steps; ++s) {
        const double zoom = 1.0 + 0.01 * s;
        for (int y = 0; y < p.h; ++y)
            for (int x = 0; x < p.w; ++x) out.at(y, x) += bilinear(p, (y + 0.5 - cy) / zoom + cy - 0.5, (x + 0.5 - cx) / zoom + cx - 0.5);
    }
    for (double& v : out.v) v /= steps + 1;
    return out;
}

/// PIL's box resampling of one axis from n to m samples: output i averages the inputs whose
/// centres lie in its footprint, (-s/2, s/2] about (i + 1/2) s with s = n / m (at least one pixel wide).
[[nodiscard]] inline std::vector<std::vector<int>> box_taps(int n, int m) {
    const double scale = static_cast<double>(n) / m, support = std::max(scale, 1.0);
    std::vector<std::vector<int>> taps(static_cast<std::size_t>(m));
    for (int i = 0; i < m; ++i) {
        const double centre = (i + 0.5) * scale;
        for (int j = 0; j < n; ++j) {
            const double t = (j + 0.5 - centre) / support;
            if (t > -0.5 && t <= 0.5) taps[static_cast<std::size_t>(i)].push_back(j);
        }
    }
    return taps;
}

[[nodiscard]] inline plane box_resize(const plane& p, int h, int w) {
    const auto rows = box_taps(p.h, h), cols = box_taps(p.w, w);
    plane out{h, w, std::vector<double>(static_cast<std::size_t>(h) * static_cast<std::size_t>(w))};
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            double s = 0.0;
            for (const int sy : rows[static_cast<std::size_t>(y)])
                for (const int sx : cols[static_cast<std::size_t>(x)]) s += p.at(sy, sx);
            out.at(y, x) = s / static_cast<double>(rows[static_cast<std::size_t>(y)].size() * cols[static_cast<std::size_t>(x)].size());
        }
    return out;
}

/// The luminance quantisation table of the JPEG standard (Annex K), scaled to `quality` as
/// the IJG library scales it.
[[nodiscard]] inline std::array<double, 64> jpeg_table(int quality) {
    constexpr std::array<int, 64> base{16, 11, 10, 16, 24,  40,  51,  61,  12, 12, 14, 19, 26,  58,  60,  55,
                                       14, 13, 16, 24, 40,  57,  69,  56,  14, 17, 22, 29, 51,  87,  80,  62,
                                       18, 22, 37, 56, 68,  109, 103, 77,  24, 35, 55, 64, 81,  104, 113, 92,
                                       49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99};
    const int scale = quality < 50 ? 5000 / quality : 200 - 2 * quality;
    std::array<double, 64> table{};
    for (std::size_t i = 0; i < 64; ++i) table[i] = std::clamp((base[i] * scale + 50) / 100, 1, 255);
    return table;
}

/// JPEG's lossy path on one channel at `quality` (1 to 100); values stay on the 0-255 grid.
[[nodiscard]] inline plane jpeg_roundtrip(const plane& p, int quality) {
    const std::array<double, 64> q = jpeg_table(quality);
    std::array<double, 64> basis{};  // basis[u * 8 + x] = C(u)/2 cos((2x + 1) u pi / 16)
    for (int u = 0; u < 8; ++u)
        for (int x = 0; x < 8; ++x)
            basis[static_cast<std::size_t>(u * 8 + x)] = (u == 0 ? std::sqrt(0.125) : 0.5) * std::cos((2 * x + 1) * u * std::numbers::pi / 16.0);
    plane out{p.h, p.w, std::vector<double>(p.v.size())};
    for (int by = 0; by < p.h; by += 8)
        for (int bx = 0; bx < p.w; bx += 8) {
            std::array<double, 64> block{}, freq{};
            for (int y = 0; y < 8; ++y)
                for (int x = 0; x < 8; ++x)  // level shift; the edge replicated to whole blocks
                    block[static_cast<std::size_t>(y * 8 + x)] = std::round(255.0 * p.at(std::min(by + y, p.h - 1), std::min(bx + x, p.w - 1))) - 128.0;
            for (int u = 0; u < 8; ++u)
                for (int v = 0; v < 8; ++v) {
                    double s = 0.0;
                    for (int y = 0; y < 8; ++y)
                        for (int x = 0; x < 8; ++x)
                            s += basis[static_cast<std::size_t>(u * 8 + y)] * basis[static_cast<std::size_t>(v * 8 + x)] * block[static_cast<std::size_t>(y * 8 + x)];
                    const double step = q[static_cast<std::size_t>(u * 8 + v)];
                    freq[static_cast<std::size_t>(u * 8 + v)] = std::round(s / step) * step;
                }
            for (int y = 0; y < 8 && by + y < p.h; ++y)
                for (int x = 0; x < 8 && bx + x < p.w; ++x) {
                    double s = 0.0;
                    for (int u = 0; u < 8; ++u)
                        for (int v = 0; v < 8; ++v)
                            s += basis[static_cast<std::size_t>(u * 8 + y)] * basis[static_cast<std::size_t>(v * 8 + x)] * freq[static_cast<std::size_t>(u * 8 + v)];
                    out.at(by + y, bx + x) = std::clamp(std::round(s + 128.0), 0.0, 255.0) / 255.0;
                }
        }
    return out;
}

/// A Poisson count of mean `mean`: exact (Knuth) below 30, the rounded normal approximation above.
[[nodiscard]] inline double poisson(double mean, rng& random) {
    if (mean <= 0.0) return 0.0;
    if (mean >= 30.0) return std::max(0.0, std::round(mean + std::sqrt(mean) * random.normal()));
    const double limit = std::exp(-mean);
    double product = random.uniform();
    int count = 0;
    while (product > limit) {
        ++count;
        product *= random.uniform();
    }
    return count;
}

/// The value brightness adds at `severity`.
[[nodiscard]] inline double brightness_lift(int severity) noexcept {
    return std::array{0.05, 0.1, 0.15, 0.2, 0.3}[static_cast<std::size_t>(severity - 1)];
}

/// Corruption `c` at `severity` of one channel; draws from `random` (the image's stream).
[[nodiscard]] inline plane apply(const plane& p, corruption c, int severity, rng& random, double motion_angle) {
    const auto at = [severity](auto... values) {
        const std::array<double, 5> table{static_cast<double>(values)...};
        return table[static_cast<std::size_t>(severity - 1)];
    };
    plane out = p;
    switch (c) {
        case corruption::gaussian_noise: {
            const double sigma = at(0.04, 0.06, 0.08, 0.09, 0.10);
            for (double& v : out.v) v += sigma * random.normal();
            return out;
        }
        case corruption::shot_noise: {
            const double photons = at(500, 250, 100, 75, 50);
            for (double& v : out.v) v = poisson(v * photons, random) / photons;
            return out;
        }
        case corruption::impulse_noise: {
            const double amount = at(0.01, 0.02, 0.03, 0.05, 0.07);
            for (double& v : out.v)
                if (random.uniform() < amount) v = random.uniform() < 0.5 ? 1.0 : 0.0;
            return out;
        }
        case corruption::speckle_noise: {
            const double sigma = at(0.06, 0.10, 0.12, 0.16, 0.20);
            for (double& v : out.v) v += v * sigma * random.normal();
            return out;
        }
        case corruption::gaussian_blur: return gaussian_blur(p, at(0.4, 0.6, 0.7, 0.8, 1.0));
        case corruption::defocus_blur:
            return correlate(p, disk_kernel(at(0.3, 0.4, 0.5, 1.0, 1.5), at(0.4, 0.5, 0.6, 0.2, 0.1)), 17);
        case corruption::motion_blur:
            return motion_blur(p, static_cast<int>(at(6, 6, 6, 8, 9)), at(1.0, 1.5, 2.0, 2.0, 2.5), motion_angle);
        case corruption::zoom_blur: return zoom_blur(p, static_cast<int>(at(6, 11, 16, 21, 26)));
        case corruption::contrast: {
            const double keep = at(0.75, 0.5, 0.4, 0.3, 0.15);
            double mean = 0.0;
            for (const double v : p.v) mean += v;
            mean /= static_cast<double>(p.v.size());
            for (double& v : out.v) v = (v - mean) * keep + mean;
            return out;
        }
        case corruption::brightness: {
            const double lift = brightness_lift(severity);
            for (double& v : out.v) v = std::min(v + lift, 1.0);
            return out;
        }
        case corruption::pixelate: {
            const double keep = at(0.95, 0.9, 0.85, 0.75, 0.65);
            const plane small = box_resize(p, std::max(1, static_cast<int>(p.h * keep)), std::max(1, static_cast<int>(p.w * keep)));
            return box_resize(small, p.h, p.w);
        }
        case corruption::jpeg_compression: return jpeg_roundtrip(p, static_cast<int>(at(80, 65, 58, 50, 40)));
    }
    return out;
}

/// The random stream of image `index` of a corrupted set.
[[nodiscard]] inline rng image_stream(std::uint64_t seed, corruption c, int severity, std::size_t index) noexcept {
    const auto kind = static_cast<std::uint64_t>(static_cast<int>(c) * 8 + severity);
    return rng(seed * 0x9e3779b97f4a7c15ULL ^ (kind << 48U) ^ (static_cast<std::uint64_t>(index) * 0xd1b54a32d192ed03ULL));
}

} // namespace detail::corrupt

/// Throws nascent::error unless `severity` is between 1 and 5.
inline void check_severity(int severity) {
    require(severity >= 1 && severity <= max_severity,
            string_of("corruption: the severity must be between 1 and ", max_severity, ", got ", severity));
}

/// Writes corruption `c` at `severity` of one HWC byte image `in` of shape `s` to `out`
/// (s.size() bytes; may not alias `in`), drawing from `random`.
inline void corrupt_image(const std::uint8_t* in, shape s, corruption c, int severity, rng& random, std::uint8_t* out) {
    check_severity(severity);
    require(s.h > 0 && s.w > 0 && s.c > 0, "corruption: the image is empty");
    namespace dc = detail::corrupt;
    const double motion_angle = c == corruption::motion_blur ? random.uniform(-45.0, 45.0) : 0.0;
    const auto pixels = static_cast<std::size_t>(s.h) * static_cast<std::size_t>(s.w);
    const auto channels = static_cast<std::size_t>(s.c);
    if (c == corruption::brightness && channels >= 3) {
        // HSV value + lift, hue and saturation kept: the first three channels scale by V' / V
        // (a black pixel becomes grey at the new value); further channels are left alone
        const double lift = dc::brightness_lift(severity);
        std::copy(in, in + pixels * channels, out);
        for (std::size_t i = 0; i < pixels; ++i) {
            const std::uint8_t* px = in + i * channels;
            const double value = std::max({px[0], px[1], px[2]}) / 255.0, lifted = std::min(value + lift, 1.0);
            for (std::size_t k = 0; k < 3; ++k) {
                const double v = value > 0.0 ? px[k] / 255.0 * lifted / value : lifted;
                out[i * channels + k] = static_cast<std::uint8_t>(std::lround(std::clamp(v, 0.0, 1.0) * 255.0));
            }
        }
        return;
    }
    for (std::size_t k = 0; k < channels; ++k) {
        dc::plane p{s.h, s.w, std::vector<double>(pixels)};
        for (std::size_t i = 0; i < pixels; ++i) p.v[i] = in[i * channels + k] / 255.0;
        const dc::plane r = dc::apply(p, c, severity, random, motion_angle);
        for (std::size_t i = 0; i < pixels; ++i)
            out[i * channels + k] = static_cast<std::uint8_t>(std::lround(std::clamp(r.v[i], 0.0, 1.0) * 255.0));
    }
}

/// A copy of `data` with every image corrupted by `c` at `severity` (1 to 5); the labels,
/// classes and names are kept. Image i draws from a stream of (seed, c, severity, i) alone.
[[nodiscard]] inline image_dataset corrupted(const image_dataset& data, corruption c, int severity, std::uint64_t seed = 1) {
    check_severity(severity);
    image_dataset out = data;
    const std::size_t bytes = data.sample.size();
    for (std::size_t i = 0; i < data.size(); ++i) {
        rng random = detail::corrupt::image_stream(seed, c, severity, i);
        corrupt_image(data.image(i), data.sample, c, severity, random, out.pixels.data() + i * bytes);
    }
    return out;
}

} // namespace nascent
