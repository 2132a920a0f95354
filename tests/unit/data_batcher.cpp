// Mini-batching of image datasets: epoch coverage, shuffling, normalisation, drop_last, and standardization_of.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "nascent/core/random.hpp"
#include "nascent/data/batcher.hpp"
#include "nascent/data/dataset.hpp"
#include "nascent/data/normalization.hpp"

// The file's names live in a namespace of their own: the tests compile in unity groups.
namespace test_data_batcher {

using Catch::Contains;

namespace {

// Image i holds byte (i + 17 j) % 256 at position j, so its first byte is i; its label is i % 3.
nascent::image_dataset synthetic(std::size_t n, nascent::shape sample = {2, 3, 2}) {
    nascent::image_dataset data;
    data.sample = sample;
    data.classes = 3;
    data.class_names = {"zero", "one", "two"};
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < sample.size(); ++j) data.pixels.push_back(static_cast<std::uint8_t>((i + 17 * j) % 256));
        data.labels.push_back(static_cast<std::uint8_t>(i % 3));
    }
    return data;
}

const nascent::normalization unit_range{{0.0F, 0.0F}, {1.0F, 1.0F}};

/// The sample order of one epoch, read back from the first pixel of every image (normalisation unit_range).
std::vector<std::size_t> epoch_order(nascent::batcher<float>& batches, std::vector<std::size_t>* sizes = nullptr) {
    batches.start_epoch();
    xt::xtensor<float, 4> images;
    std::vector<int> labels;
    std::vector<std::size_t> order;
    while (batches.next(images, labels)) {
        REQUIRE(labels.size() == images.shape()[0]);
        if (sizes != nullptr) sizes->push_back(images.shape()[0]);
        const std::size_t per_image = batches.data().sample.size();
        for (std::size_t k = 0; k < labels.size(); ++k) {
            const auto index = static_cast<std::size_t>(std::lround(images.data()[k * per_image] * 255.0F));
            order.push_back(index);
            CHECK(labels[k] == static_cast<int>(index % 3));
        }
    }
    return order;
}

bool is_permutation_of_first(const std::vector<std::size_t>& order, std::size_t n) {
    std::vector<std::size_t> sorted = order;
    std::sort(sorted.begin(), sorted.end());
    std::vector<std::size_t> expected(n);
    std::iota(expected.begin(), expected.end(), std::size_t{0});
    return sorted == expected;
}

} // namespace

TEST_CASE("batcher visits every sample exactly once per epoch", "[data][batcher]") {
    const auto data = synthetic(23);
    nascent::rng random(1);
    nascent::batcher<float> batches(data, 5, unit_range, true, false, random);
    CHECK(batches.batches_per_epoch() == 5);
    for (int epoch = 0; epoch < 3; ++epoch) {
        std::vector<std::size_t> sizes;
        const auto order = epoch_order(batches, &sizes);
        CHECK(order.size() == 23);
        CHECK(is_permutation_of_first(order, 23));
        CHECK(sizes == std::vector<std::size_t>{5, 5, 5, 5, 3});
    }
}

TEST_CASE("batcher shuffles differently each epoch and reproducibly per seed", "[data][batcher]") {
    const auto data = synthetic(50);
    nascent::rng random_a(42);
    nascent::rng random_b(42);
    nascent::rng random_c(43);
    nascent::batcher<float> a(data, 8, unit_range, true, false, random_a);
    nascent::batcher<float> b(data, 8, unit_range, true, false, random_b);
    nascent::batcher<float> c(data, 8, unit_range, true, false, random_c);

    const auto a1 = epoch_order(a);
    const auto a2 = epoch_order(a);
    const auto b1 = epoch_order(b);
    const auto b2 = epoch_order(b);
    const auto c1 = epoch_order(c);

    std::vector<std::size_t> identity(50);
    std::iota(identity.begin(), identity.end(), std::size_t{0});
    CHECK(a1 != identity);
    CHECK(a1 != a2);
    CHECK(a1 == b1);
    CHECK(a2 == b2);
    CHECK(a1 != c1);
    CHECK(is_permutation_of_first(a2, 50));
}

TEST_CASE("batcher without shuffling keeps the dataset order", "[data][batcher]") {
    const auto data = synthetic(10);
    nascent::rng random(5);
    nascent::batcher<float> batches(data, 4, unit_range, false, false, random);
    std::vector<std::size_t> identity(10);
    std::iota(identity.begin(), identity.end(), std::size_t{0});
    CHECK(epoch_order(batches) == identity);
    CHECK(epoch_order(batches) == identity);
}

TEMPLATE_TEST_CASE("batcher normalises exactly, per channel", "[data][batcher]", float, double) {
    const auto data = synthetic(7);
    const nascent::normalization norm{{0.25F, 0.5F}, {0.5F, 2.0F}};
    nascent::rng random(3);
    nascent::batcher<TestType> batches(data, 7, norm, false, false, random);
    xt::xtensor<TestType, 4> images;
    std::vector<int> labels;
    REQUIRE(batches.next(images, labels)); // the first epoch starts by itself
    REQUIRE(images.shape()[0] == 7);
    CHECK(images.shape()[1] == 2);
    CHECK(images.shape()[2] == 3);
    CHECK(images.shape()[3] == 2);
    for (std::size_t i = 0; i < data.pixels.size(); ++i) {
        const std::size_t channel = i % 2;
        const double expected = (data.pixels[i] / 255.0 - static_cast<double>(norm.mean[channel])) /
                                static_cast<double>(norm.stddev[channel]);
        CHECK(images.data()[i] == static_cast<TestType>(expected)); // NHWC, same order as the bytes
    }
    CHECK(labels == std::vector<int>{0, 1, 2, 0, 1, 2, 0});
    CHECK_FALSE(batches.next(images, labels));

    // Values that are exact in binary: 255 -> (1 - 0.25) / 0.5 and 0 -> (0 - 0.5) / 2.
    nascent::image_dataset corners;
    corners.sample = {1, 1, 2};
    corners.pixels = {255, 0};
    corners.labels = {0};
    corners.classes = 1;
    nascent::batcher<TestType> corner_batches(corners, 1, norm, false, false, random);
    REQUIRE(corner_batches.next(images, labels));
    CHECK(images(0, 0, 0, 0) == TestType(1.5));
    CHECK(images(0, 0, 0, 1) == TestType(-0.25));
}

TEST_CASE("batcher drop_last drops the partial batch", "[data][batcher]") {
    const auto data = synthetic(23);
    nascent::rng random(9);
    nascent::batcher<float> batches(data, 5, unit_range, true, true, random);
    CHECK(batches.batches_per_epoch() == 4);
    std::vector<std::size_t> sizes;
    const auto order = epoch_order(batches, &sizes);
    CHECK(sizes == std::vector<std::size_t>{5, 5, 5, 5});
    CHECK(order.size() == 20);
    std::vector<std::size_t> sorted = order;
    std::sort(sorted.begin(), sorted.end());
    CHECK(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end()); // no repeats

    // An exact multiple loses nothing; a dataset smaller than one batch yields nothing.
    const auto twenty = synthetic(20);
    nascent::batcher<float> exact(twenty, 5, unit_range, true, true, random);
    CHECK(exact.batches_per_epoch() == 4);
    CHECK(is_permutation_of_first(epoch_order(exact), 20));
    const auto three = synthetic(3);
    nascent::batcher<float> tiny(three, 5, unit_range, true, true, random);
    CHECK(tiny.batches_per_epoch() == 0);
    CHECK(epoch_order(tiny).empty());
}

TEST_CASE("batcher: partial last batch and storage reuse", "[data][batcher]") {
    const auto data = synthetic(23);
    nascent::rng random(11);
    nascent::batcher<float> batches(data, 5, unit_range, false, false, random);
    xt::xtensor<float, 4> images;
    std::vector<int> labels;
    batches.start_epoch();
    REQUIRE(batches.next(images, labels));
    const float* storage = images.data();
    for (int b = 1; b < 4; ++b) {
        REQUIRE(batches.next(images, labels));
        CHECK(images.data() == storage); // same shape: no reallocation
    }
    REQUIRE(batches.next(images, labels));
    CHECK(images.shape()[0] == 3);
    CHECK(images.shape()[1] == 2);
    CHECK(images.shape()[2] == 3);
    CHECK(images.shape()[3] == 2);
    CHECK(images.size() == 3 * 12);
    CHECK(labels.size() == 3);
    CHECK(std::lround(images(2, 0, 0, 0) * 255.0F) == 22);
    CHECK_FALSE(batches.next(images, labels));
    CHECK_FALSE(batches.next(images, labels)); // stays over until the next start_epoch()

    batches.start_epoch();
    REQUIRE(batches.next(images, labels));
    CHECK(images.shape()[0] == 5);
    CHECK(std::lround(images(0, 0, 0, 0) * 255.0F) == 0);
}

TEST_CASE("batcher on an empty dataset yields nothing", "[data][batcher]") {
    const auto data = synthetic(0);
    nascent::rng random(1);
    nascent::batcher<float> batches(data, 4, unit_range, true, false, random);
    CHECK(batches.batches_per_epoch() == 0);
    xt::xtensor<float, 4> images;
    std::vector<int> labels;
    batches.start_epoch();
    CHECK_FALSE(batches.next(images, labels));
}

TEST_CASE("batcher rejects bad arguments", "[data][batcher][errors]") {
    const auto data = synthetic(4);
    nascent::rng random(1);
    CHECK_THROWS_WITH(nascent::batcher<float>(data, 0, unit_range, true, false, random), Contains("batch size"));
    CHECK_THROWS_WITH(nascent::batcher<float>(data, 2, nascent::normalization{{0.0F}, {1.0F}}, true, false, random),
                      Contains("1 means") && Contains("2 channels"));
    CHECK_THROWS_WITH(
        nascent::batcher<float>(data, 2, nascent::normalization{{0.0F, 0.0F}, {1.0F, 0.0F}}, true, false, random),
        Contains("channel 1") && Contains("stddev"));
    auto broken = data;
    broken.pixels.pop_back();
    CHECK_THROWS_WITH(nascent::batcher<float>(broken, 2, unit_range, true, false, random), Contains("pixel bytes"));
}

TEST_CASE("standardization_of measures mean and stddev of pixel / 255 per channel", "[data][normalization]") {
    nascent::image_dataset data;
    data.sample = {1, 1, 2};
    data.pixels = {0, 51, 255, 51}; // channel 0: {0, 1}, channel 1: constant 0.2
    data.labels = {0, 0};
    data.classes = 1;
    const auto norm = nascent::standardization_of(data);
    REQUIRE(norm.mean.size() == 2);
    REQUIRE(norm.stddev.size() == 2);
    CHECK(norm.mean[0] == 0.5F);
    CHECK(norm.stddev[0] == 0.5F);
    CHECK(norm.mean[1] == Approx(0.2F));
    CHECK(norm.stddev[1] == 1.0F); // constant channel: no division by zero

    // One channel, against a direct double computation.
    const auto gray = synthetic(40, {3, 3, 1});
    double sum = 0.0;
    double sum_sq = 0.0;
    for (const std::uint8_t p : gray.pixels) {
        sum += p / 255.0;
        sum_sq += (p / 255.0) * (p / 255.0);
    }
    const double n = static_cast<double>(gray.pixels.size());
    const double mean = sum / n;
    const auto gray_norm = nascent::standardization_of(gray);
    CHECK(gray_norm.mean[0] == Approx(mean).epsilon(1e-6));
    CHECK(gray_norm.stddev[0] == Approx(std::sqrt(sum_sq / n - mean * mean)).epsilon(1e-6));

    CHECK_THROWS_WITH(nascent::standardization_of(synthetic(0)), Contains("no images"));
}

} // namespace test_data_batcher
