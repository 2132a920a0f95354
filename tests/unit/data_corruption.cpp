// Corrupted copies of image datasets (data/corruption.hpp): values worked out by hand, the noise
// figures against their distributions, invariance of a flat image under every filter, severity
// ordering, determinism per seed, and bad names and severities.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "nascent/core/error.hpp"
#include "nascent/core/random.hpp"
#include "nascent/data/corruption.hpp"
#include "nascent/data/dataset.hpp"

// The file's names live in a namespace of their own: the tests compile in unity groups.
namespace test_data_corruption {

using namespace nascent;

namespace {

image_dataset images_of(shape s, std::vector<std::vector<std::uint8_t>> images) {
    image_dataset d;
    d.sample = s;
    d.classes = 3;
    d.class_names = {"a", "b", "c"};
    for (std::size_t i = 0; i < images.size(); ++i) {
        REQUIRE(images[i].size() == s.size());
        d.pixels.insert(d.pixels.end(), images[i].begin(), images[i].end());
        d.labels.push_back(static_cast<std::uint8_t>(i % 3));
    }
    return d;
}

// A 28x28 image with structure: a horizontal ramp and a bright rectangle.
std::vector<std::uint8_t> structured() {
    std::vector<std::uint8_t> v(28 * 28);
    for (int y = 0; y < 28; ++y)
        for (int x = 0; x < 28; ++x) v[static_cast<std::size_t>(y * 28 + x)] = static_cast<std::uint8_t>(x * 6 + ((y > 8 && y < 20 && x > 6 && x < 16) ? 80 : 0));
    return v;
}

double mean_absolute_difference(const image_dataset& a, const image_dataset& b) {
    double s = 0.0;
    for (std::size_t i = 0; i < a.pixels.size(); ++i) s += std::abs(static_cast<double>(a.pixels[i]) - b.pixels[i]);
    return s / static_cast<double>(a.pixels.size());
}

struct moments {
    double mean = 0.0, deviation = 0.0;
};
moments moments_of(const std::vector<std::uint8_t>& v) {
    moments m;
    for (const auto x : v) m.mean += x;
    m.mean /= static_cast<double>(v.size());
    for (const auto x : v) m.deviation += (x - m.mean) * (x - m.mean);
    m.deviation = std::sqrt(m.deviation / static_cast<double>(v.size()));
    return m;
}

} // namespace

TEST_CASE("corruption: names and bad input", "[data][corruption]") {
    for (const corruption c : all_corruptions) CHECK(corruption_named(name_of(c)) == c);
    CHECK(name_of(corruption::jpeg_compression) == "jpeg_compression");
    CHECK_THROWS_WITH(corruption_named("fog"), Catch::Contains("no corruption is called \"fog\"") && Catch::Contains("shot_noise, impulse_noise"));
    const image_dataset d = images_of({28, 28, 1}, {structured()});
    CHECK_THROWS_WITH(corrupted(d, corruption::contrast, 0), Catch::Contains("severity must be between 1 and 5, got 0"));
    CHECK_THROWS_WITH(corrupted(d, corruption::contrast, 6), Catch::Contains("got 6"));
}

TEST_CASE("corruption: contrast, brightness and the Gaussian blur of a point, by hand", "[data][corruption]") {
    // contrast at severity 5 keeps 0.15 of each pixel's distance to the image's mean
    std::vector<std::uint8_t> halves(28 * 28, 0);
    for (std::size_t i = 0; i < halves.size() / 2; ++i) halves[i] = 200;
    const image_dataset c = corrupted(images_of({28, 28, 1}, {halves}), corruption::contrast, 5);
    CHECK(c.pixels.front() == 115);  // (200 - 100) * 0.15 + 100
    CHECK(c.pixels.back() == 85);

    // brightness: one channel adds the lift; three channels scale by V'/V, black turns grey
    const image_dataset grey = corrupted(images_of({1, 2, 1}, {{100, 250}}), corruption::brightness, 1);
    CHECK(grey.pixels == std::vector<std::uint8_t>{113, 255});  // 100 + 0.05 * 255 = 112.75; clipped
    const image_dataset rgb = corrupted(images_of({1, 2, 3}, {{100, 50, 0, 0, 0, 0}}), corruption::brightness, 1);
    CHECK(rgb.pixels == std::vector<std::uint8_t>{113, 56, 0, 13, 13, 13});  // 50 * 112.75 / 100 = 56.4

    // severity 1's blur has sigma 0.4: the centre of a point keeps the square of its weight
    std::vector<std::uint8_t> point(28 * 28, 0);
    point[14 * 28 + 14] = 255;
    const image_dataset b = corrupted(images_of({28, 28, 1}, {point}), corruption::gaussian_blur, 1);
    double total = 0.0;
    for (int i = -2; i <= 2; ++i) total += std::exp(-0.5 * i * i / 0.16);
    const double centre = 1.0 / total, side = std::exp(-0.5 / 0.16) / total;
    CHECK(b.pixels[14 * 28 + 14] == std::lround(255 * centre * centre));
    CHECK(b.pixels[14 * 28 + 15] == std::lround(255 * centre * side));
    CHECK(b.pixels[13 * 28 + 14] == b.pixels[14 * 28 + 13]);
}

TEST_CASE("corruption: a flat image stays flat under every filter", "[data][corruption]") {
    const image_dataset flat = images_of({28, 28, 1}, {std::vector<std::uint8_t>(28 * 28, 100)});
    for (const corruption c : {corruption::gaussian_blur, corruption::defocus_blur, corruption::motion_blur, corruption::zoom_blur,
                               corruption::contrast, corruption::pixelate})
        for (int severity = 1; severity <= max_severity; ++severity) {
            INFO(name_of(c) << " at severity " << severity);
            CHECK(corrupted(flat, c, severity).pixels == flat.pixels);
        }
    // JPEG keeps a flat block flat but rounds its mean to the quantised DC coefficient: at
    // quality 65 the step is 11, (100 - 128) * 8 = -224 becomes -220, i.e. 100.5 -> 101
    const image_dataset jpeg = corrupted(flat, corruption::jpeg_compression, 2);
    CHECK(jpeg.pixels == std::vector<std::uint8_t>(jpeg.pixels.size(), 101));
}

TEST_CASE("corruption: the noises follow their distributions", "[data][corruption]") {
    const shape big{100, 100, 1};
    const image_dataset mid = images_of(big, {std::vector<std::uint8_t>(big.size(), 128)});

    const moments gaussian = moments_of(corrupted(mid, corruption::gaussian_noise, 1).pixels);
    CHECK(gaussian.mean == Approx(128).margin(0.5));
    CHECK(gaussian.deviation == Approx(0.04 * 255).epsilon(0.05));

    // Poisson counts of mean 50 * 128/255 (the exact branch): variance mean / 50^2 in [0, 1]
    const moments shot = moments_of(corrupted(mid, corruption::shot_noise, 5).pixels);
    CHECK(shot.mean == Approx(128).margin(1.0));
    CHECK(shot.deviation == Approx(255 * std::sqrt(128.0 / 255 / 50)).epsilon(0.05));
    // mean 500 * 128/255 (the normal branch)
    const moments shot1 = moments_of(corrupted(mid, corruption::shot_noise, 1).pixels);
    CHECK(shot1.deviation == Approx(255 * std::sqrt(128.0 / 255 / 500)).epsilon(0.06));

    const image_dataset salt = corrupted(mid, corruption::impulse_noise, 5);
    std::size_t changed = 0, white = 0;
    for (const auto v : salt.pixels) {
        if (v == 128) continue;
        ++changed;
        CHECK((v == 0 || v == 255));
        white += v == 255;
    }
    CHECK(static_cast<double>(changed) / big.size() == Approx(0.07).margin(0.008));
    CHECK(static_cast<double>(white) / static_cast<double>(changed) == Approx(0.5).margin(0.06));

    const moments speckle = moments_of(corrupted(mid, corruption::speckle_noise, 5).pixels);
    CHECK(speckle.deviation == Approx(128 * 0.2).epsilon(0.05));
}

TEST_CASE("corruption: box resampling and JPEG's lossy path", "[data][corruption]") {
    namespace dc = detail::corrupt;
    // 4 -> 2 averages pairs; 2 -> 4 repeats each sample
    const dc::plane p{1, 4, {0.0, 0.2, 0.4, 1.0}};
    const dc::plane down = dc::box_resize(p, 1, 2);
    CHECK(down.v[0] == Approx(0.1));
    CHECK(down.v[1] == Approx(0.7));
    CHECK(dc::box_resize(down, 1, 4).v == std::vector<double>{down.v[0], down.v[0], down.v[1], down.v[1]});
    for (const auto& taps : dc::box_taps(28, 26)) CHECK((taps.size() == 1 || taps.size() == 2));

    // quality 50 is the standard's table; quality 100 quantises by 1, which a round trip survives
    CHECK(dc::jpeg_table(50)[0] == 16);
    CHECK(dc::jpeg_table(50)[63] == 99);
    CHECK(dc::jpeg_table(80)[0] == 6);  // (16 * 40 + 50) / 100
    rng random(3);
    dc::plane noise{13, 21, {}};
    for (int i = 0; i < 13 * 21; ++i) noise.v.push_back(static_cast<double>(random.below(256)) / 255.0);
    const dc::plane back = dc::jpeg_roundtrip(noise, 100);
    double worst = 0.0;
    for (std::size_t i = 0; i < noise.v.size(); ++i) worst = std::max(worst, std::abs(back.v[i] - noise.v[i]) * 255.0);
    CHECK(worst <= 2.0);
    const dc::plane rough = dc::jpeg_roundtrip(noise, 40);
    double error = 0.0;
    for (std::size_t i = 0; i < noise.v.size(); ++i) error += std::abs(rough.v[i] - noise.v[i]) * 255.0;
    CHECK(error / static_cast<double>(noise.v.size()) > 10.0);
}

TEST_CASE("corruption: severity 5 moves an image further than severity 1, for every corruption", "[data][corruption]") {
    const image_dataset clean = images_of({28, 28, 1}, {structured(), structured()});
    for (const corruption c : all_corruptions) {
        INFO(name_of(c));
        const double mild = mean_absolute_difference(clean, corrupted(clean, c, 1));
        const double severe = mean_absolute_difference(clean, corrupted(clean, c, 5));
        CHECK(mild > 0.0);
        CHECK(severe > mild);
    }
}

TEST_CASE("corruption: a seed fixes the corrupted set; the labels and shape are kept", "[data][corruption]") {
    const image_dataset clean = images_of({28, 28, 1}, {structured(), structured(), structured()});
    for (const corruption c : all_corruptions) {
        INFO(name_of(c));
        const image_dataset a = corrupted(clean, c, 3, 7);
        CHECK(a.pixels == corrupted(clean, c, 3, 7).pixels);
        CHECK(a.labels == clean.labels);
        CHECK(a.classes == clean.classes);
        CHECK(a.class_names == clean.class_names);
        CHECK(a.sample == clean.sample);
    }
    for (const corruption c : {corruption::gaussian_noise, corruption::shot_noise, corruption::impulse_noise, corruption::speckle_noise}) {
        INFO(name_of(c));
        const image_dataset a = corrupted(clean, c, 3, 7);
        CHECK(a.pixels != corrupted(clean, c, 3, 8).pixels);
        // the same clean image, its own noise
        CHECK(!std::equal(a.image(0), a.image(0) + 784, a.image(1)));
    }
}

} // namespace test_data_corruption
