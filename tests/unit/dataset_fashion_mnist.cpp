// The real Fashion-MNIST (from fashion_mnist_dir(), i.e. $NASCENT_FASHION_MNIST_DIR or the Debian package).
#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <filesystem>
#include <string>

#include "nascent/data/fashion_mnist.hpp"
#include "nascent/data/normalization.hpp"

// The file's names live in a namespace of their own: the tests compile in unity groups.
namespace test_dataset_fashion_mnist {

using Catch::Contains;

namespace {

std::array<std::size_t, 10> class_counts(const nascent::image_dataset& data) {
    std::array<std::size_t, 10> counts{};
    for (const auto label : data.labels) ++counts.at(label);
    return counts;
}

} // namespace

TEST_CASE("Fashion-MNIST training split", "[dataset][fashion_mnist]") {
    INFO("reading from " << nascent::fashion_mnist_dir().string());
    const auto train = nascent::load_fashion_mnist(nascent::split::train);
    CHECK(train.size() == 60000);
    CHECK(train.sample == nascent::shape{28, 28, 1});
    CHECK(train.pixels.size() == 60000U * 28 * 28);
    CHECK(train.classes == 10);
    REQUIRE(train.class_names.size() == 10);
    CHECK(train.class_names[0] == "T-shirt/top");
    CHECK(train.class_names[9] == "Ankle boot");
    for (const std::size_t count : class_counts(train)) CHECK(count == 6000);
    CHECK(train.labels[0] == 9); // ankle boot
    CHECK(train.labels[1] == 0); // T-shirt/top

    const auto norm = nascent::standardization_of(train);
    REQUIRE(norm.mean.size() == 1);
    CHECK(std::abs(norm.mean[0] - 0.2860F) < 1e-3F);
    CHECK(std::abs(norm.stddev[0] - 0.3530F) < 1e-3F);
}

TEST_CASE("Fashion-MNIST test split", "[dataset][fashion_mnist]") {
    const auto test = nascent::load_fashion_mnist(nascent::split::test);
    CHECK(test.size() == 10000);
    CHECK(test.sample == nascent::shape{28, 28, 1});
    CHECK(test.pixels.size() == 10000U * 28 * 28);
    for (const std::size_t count : class_counts(test)) CHECK(count == 1000);
}

TEST_CASE("Fashion-MNIST from a missing folder says where it looked", "[dataset][fashion_mnist][errors]") {
    const auto missing = std::filesystem::temp_directory_path() / "nascent-no-such-fashion-mnist-folder";
    REQUIRE_FALSE(std::filesystem::exists(missing));
    CHECK_THROWS_AS(nascent::load_fashion_mnist(nascent::split::train, missing), nascent::error);
    CHECK_THROWS_WITH(nascent::load_fashion_mnist(nascent::split::train, missing),
                      Contains(missing.string()) && Contains("train-images-idx3-ubyte") &&
                          Contains("dataset-fashion-mnist") && Contains("NASCENT_FASHION_MNIST_DIR"));
}

} // namespace test_dataset_fashion_mnist
