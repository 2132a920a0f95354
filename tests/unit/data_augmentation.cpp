// Random shifts and mirror images of training batches: the transform pixel by pixel, the
// batcher's augmented images against every transform of their source, reproducibility per
// seed, and bad settings.
#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <set>
#include <tuple>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "nascent/core/random.hpp"
#include "nascent/data/augmentation.hpp"
#include "nascent/data/batcher.hpp"
#include "nascent/data/dataset.hpp"
#include "nascent/data/normalization.hpp"

// The file's names live in a namespace of their own: the tests compile in unity groups.
namespace test_data_augmentation {

using namespace nascent;

namespace {

// raw byte v -> v, one channel
std::vector<float> identity_table() {
    std::vector<float> t(256);
    for (std::size_t v = 0; v < 256; ++v) t[v] = static_cast<float>(v);
    return t;
}

// 3x4 image: pixel (y, x) holds 10 (y + 1) + x + 1, so no pixel is 0
std::vector<std::uint8_t> numbered_image() {
    std::vector<std::uint8_t> p;
    for (int y = 0; y < 3; ++y)
        for (int x = 0; x < 4; ++x) p.push_back(static_cast<std::uint8_t>(10 * (y + 1) + x + 1));
    return p;
}

std::vector<float> transformed(const std::vector<std::uint8_t>& in, shape s, image_transform t) {
    const std::vector<float> table = identity_table();
    std::vector<float> out(s.size());
    transform_image(in.data(), s, t, table.data(), out.data());
    return out;
}

} // namespace

TEST_CASE("augmentation: shifts read the neighbouring pixel and fill the border with 0", "[data][augmentation]") {
    const shape s{3, 4, 1};
    const auto in = numbered_image();
    CHECK(transformed(in, s, {}) == std::vector<float>{11, 12, 13, 14, 21, 22, 23, 24, 31, 32, 33, 34});
    // down by one: row y reads row y + 1, the last row is outside
    CHECK(transformed(in, s, {.dy = 1}) == std::vector<float>{21, 22, 23, 24, 31, 32, 33, 34, 0, 0, 0, 0});
    CHECK(transformed(in, s, {.dx = -1}) == std::vector<float>{0, 11, 12, 13, 0, 21, 22, 23, 0, 31, 32, 33});
    CHECK(transformed(in, s, {.flip = true}) == std::vector<float>{14, 13, 12, 11, 24, 23, 22, 21, 34, 33, 32, 31});
    CHECK(transformed(in, s, {.dy = -1, .dx = 1, .flip = true}) == std::vector<float>{0, 0, 0, 0, 0, 14, 13, 12, 0, 24, 23, 22});
}

TEST_CASE("augmentation: the batcher hands out a random transform of each image, the same per seed", "[data][augmentation]") {
    image_dataset data;
    data.sample = {5, 6, 2};
    data.classes = 2;
    data.class_names = {"a", "b"};
    const std::size_t n = 64;
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < data.sample.size(); ++j) data.pixels.push_back(static_cast<std::uint8_t>(1 + (i * 7 + j * 13) % 250));
        data.labels.push_back(static_cast<std::uint8_t>(i % 2));
    }
    const normalization raw{{0.0F, 0.0F}, {1.0F / 255.0F, 1.0F / 255.0F}};  // about v
    // the batcher's value of byte v, computed as it does
    auto value = [](std::size_t v) { return static_cast<float>((static_cast<double>(v) / 255.0) / static_cast<double>(1.0F / 255.0F)); };
    const augmentation a{.max_shift = 2, .horizontal_flip = true};

    auto epoch = [&](std::uint64_t seed, const augmentation& aug) {
        rng random(seed);
        batcher<float> batches(data, 16, raw, false, false, random);
        batches.set_augmentation(aug);
        std::vector<float> all;
        xt::xtensor<float, 4> images;
        std::vector<int> labels;
        while (batches.next(images, labels)) all.insert(all.end(), images.begin(), images.end());
        return all;
    };
    const std::vector<float> first = epoch(7, a);
    REQUIRE(first.size() == n * data.sample.size());
    CHECK(epoch(7, a) == first);
    CHECK(epoch(8, a) != first);

    // each image is one of the 50 transforms of its source, and the draws cover shifts both ways and flips
    std::vector<float> table(512);
    for (std::size_t c = 0; c < 2; ++c)
        for (std::size_t v = 0; v < 256; ++v) table[c * 256 + v] = value(v);
    std::set<std::tuple<int, int, bool>> drawn;
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint8_t* src = data.image(i);
        const std::vector<float> got(first.begin() + static_cast<std::ptrdiff_t>(i * data.sample.size()),
                                     first.begin() + static_cast<std::ptrdiff_t>((i + 1) * data.sample.size()));
        int matches = 0;
        for (int dy = -2; dy <= 2; ++dy)
            for (int dx = -2; dx <= 2; ++dx)
                for (bool flip : {false, true}) {
                    std::vector<float> want(data.sample.size());
                    transform_image(src, data.sample, {dy, dx, flip}, table.data(), want.data());
                    if (want == got) {
                        ++matches;
                        drawn.insert({dy, dx, flip});
                    }
                }
        INFO("image " << i);
        CHECK(matches >= 1);
    }
    CHECK(drawn.size() >= 20);

    // without augmentation the images are the dataset's
    const std::vector<float> plain = epoch(7, {});
    for (std::size_t k = 0; k < plain.size(); ++k) REQUIRE(plain[k] == value(data.pixels[k]));
}

TEST_CASE("augmentation: a shift as wide as the image is refused", "[data][augmentation][errors]") {
    image_dataset data;
    data.sample = {4, 6, 1};
    data.classes = 1;
    data.pixels.assign(24, 1);
    data.labels.assign(1, 0);
    rng random(1);
    batcher<float> batches(data, 1, normalization{{0.0F}, {1.0F}}, false, false, random);
    CHECK_THROWS_WITH(batches.set_augmentation({.max_shift = 4}), Catch::Contains("must be between 0 and the image's extent (4x6) minus 1"));
    CHECK_THROWS_WITH(batches.set_augmentation({.max_shift = -1}), Catch::Contains("augmentation: the shift -1"));
    CHECK_NOTHROW(batches.set_augmentation({.max_shift = 3, .horizontal_flip = true}));
}

} // namespace test_data_augmentation
