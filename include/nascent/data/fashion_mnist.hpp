// nascent/data/fashion_mnist.hpp - loader for Fashion-MNIST.
//
// Fashion-MNIST: 28x28x1 grey images of clothing in 10 classes, 60000 for
// training and 10000 for testing, as four IDX files. The folder is
// $NASCENT_FASHION_MNIST_DIR when that is set and not empty, else
// /usr/share/datasets/fashion-mnist, where the Debian package
// dataset-fashion-mnist installs them. Each file may be gzipped (name.gz, tried
// first) or plain. Missing or malformed files throw nascent::error.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "nascent/core/error.hpp"
#include "nascent/core/shape.hpp"
#include "nascent/data/dataset.hpp"
#include "nascent/data/idx.hpp"

namespace nascent {

/// Where Fashion-MNIST is read from: $NASCENT_FASHION_MNIST_DIR, else the Debian package's folder.
[[nodiscard]] inline std::filesystem::path fashion_mnist_dir() {
    const char* env = std::getenv("NASCENT_FASHION_MNIST_DIR");
    if (env != nullptr && *env != '\0') return env;
    return "/usr/share/datasets/fashion-mnist";
}

/// The ten class names, by label.
[[nodiscard]] inline std::vector<std::string> fashion_mnist_class_names() {
    return {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};
}

enum class split { train, test };

namespace detail {

/// dir/base.gz if it exists, else dir/base if it exists, else throws.
inline std::filesystem::path find_fashion_mnist_file(const std::filesystem::path& dir, const std::string& base) {
    const std::filesystem::path gz = dir / (base + ".gz");
    const std::filesystem::path plain = dir / base;
    std::error_code ec;
    if (std::filesystem::is_regular_file(gz, ec)) return gz;
    if (std::filesystem::is_regular_file(plain, ec)) return plain;
    throw error("Fashion-MNIST: neither '" + gz.string() + "' nor '" + plain.string() +
                "' exists. The Debian package dataset-fashion-mnist provides the files in "
                "/usr/share/datasets/fashion-mnist; set NASCENT_FASHION_MNIST_DIR to read them from another folder.");
}

} // namespace detail

/// Loads the training or the test split of Fashion-MNIST from `dir`.
[[nodiscard]] inline image_dataset load_fashion_mnist(split which, const std::filesystem::path& dir = fashion_mnist_dir()) {
    const std::string prefix = which == split::train ? "train" : "t10k";
    const std::string what = std::string("Fashion-MNIST ") + (which == split::train ? "train" : "test") + " split";
    const std::filesystem::path images_path = detail::find_fashion_mnist_file(dir, prefix + "-images-idx3-ubyte");
    const std::filesystem::path labels_path = detail::find_fashion_mnist_file(dir, prefix + "-labels-idx1-ubyte");
    image_dataset data = make_image_dataset(read_idx(images_path), read_idx(labels_path), 10,
                                            fashion_mnist_class_names(),
                                            what + " ('" + images_path.string() + "', '" + labels_path.string() + "')");
    require(data.sample == shape{28, 28, 1}, what + ": '" + images_path.string() + "' holds " +
                                                 std::to_string(data.sample.h) + "x" + std::to_string(data.sample.w) +
                                                 "x" + std::to_string(data.sample.c) + " images, expected 28x28x1");
    return data;
}

} // namespace nascent
