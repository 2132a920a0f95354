// IDX reading (plain and gzipped), its error reporting, and building image datasets from IDX arrays.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <zlib.h>

#include "nascent/data/dataset.hpp"
#include "nascent/data/fashion_mnist.hpp"
#include "nascent/data/idx.hpp"

// The file's names live in a namespace of their own: the tests compile in unity groups.
namespace test_data_idx {

namespace fs = std::filesystem;
using Catch::Contains;

namespace {

fs::path unique_temp_path(const std::string& suffix) {
    static const std::uint64_t salt = (static_cast<std::uint64_t>(std::random_device{}()) << 32U) ^
                                      static_cast<std::uint64_t>(
                                          std::chrono::steady_clock::now().time_since_epoch().count());
    static std::atomic<unsigned> counter{0};
    return fs::temp_directory_path() /
           nascent::string_of("nascent_data_idx_", salt, "_", counter++, suffix);
}

/// A path under the temp directory that is removed (with everything below it) on destruction.
struct temp_path {
    fs::path path;
    explicit temp_path(const std::string& suffix = "") : path(unique_temp_path(suffix)) {}
    ~temp_path() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    temp_path(const temp_path&) = delete;
    temp_path& operator=(const temp_path&) = delete;
};

using bytes = std::vector<std::uint8_t>;

bytes idx_bytes(std::uint8_t type, const std::vector<std::uint32_t>& dims, const bytes& data) {
    bytes out = {0, 0, type, static_cast<std::uint8_t>(dims.size())};
    for (const std::uint32_t d : dims) {
        for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(d >> shift));
    }
    out.insert(out.end(), data.begin(), data.end());
    return out;
}

bytes idx_bytes(const std::vector<std::uint32_t>& dims, const bytes& data) { return idx_bytes(0x08, dims, data); }

void write_plain(const fs::path& path, const bytes& content) {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(content.data()), static_cast<std::streamsize>(content.size()));
    REQUIRE(out.good());
}

void write_gz(const fs::path& path, const bytes& content) {
    gzFile file = gzopen(path.string().c_str(), "wb");
    REQUIRE(file != nullptr);
    const int written = content.empty() ? 0 : gzwrite(file, content.data(), static_cast<unsigned>(content.size()));
    const int closed = gzclose(file);
    REQUIRE(written == static_cast<int>(content.size()));
    REQUIRE(closed == Z_OK);
}

bytes read_raw(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

bytes pattern(std::size_t n) {
    bytes data(n);
    for (std::size_t i = 0; i < n; ++i) data[i] = static_cast<std::uint8_t>((i * 7 + i / 13) % 251);
    return data;
}

bytes random_bytes(std::size_t n, std::uint32_t seed) {
    std::mt19937 gen(seed);
    bytes data(n);
    for (auto& b : data) b = static_cast<std::uint8_t>(gen() & 0xFFU);
    return data;
}

nascent::idx_array make_array(std::vector<std::uint32_t> dims, bytes data) {
    nascent::idx_array a;
    a.dims = std::move(dims);
    a.data = std::move(data);
    return a;
}

} // namespace

TEST_CASE("read_idx reads a plain IDX file exactly", "[data][idx]") {
    const temp_path file(".idx");
    const bytes data = pattern(3 * 2 * 4);
    write_plain(file.path, idx_bytes({3, 2, 4}, data));

    const nascent::idx_array a = nascent::read_idx(file.path);
    CHECK(a.dims == std::vector<std::uint32_t>{3, 2, 4});
    CHECK(a.count() == 24);
    CHECK(a.data == data);
}

TEST_CASE("read_idx reads gzipped IDX files exactly", "[data][idx]") {
    SECTION("rank 1") {
        const temp_path file(".gz");
        const bytes data = {9, 0, 0, 3, 2, 7};
        write_gz(file.path, idx_bytes({6}, data));
        const auto raw = read_raw(file.path);
        REQUIRE(raw.size() > 2);
        CHECK((raw[0] == 0x1F && raw[1] == 0x8B)); // really gzip on disk

        const auto a = nascent::read_idx(file.path);
        CHECK(a.dims == std::vector<std::uint32_t>{6});
        CHECK(a.data == data);
    }
    SECTION("rank 4, several megabytes, compressible and not") {
        const std::vector<std::uint32_t> dims = {1000, 32, 32, 3};
        for (const bytes& data : {pattern(1000 * 32 * 32 * 3), random_bytes(1000 * 32 * 32 * 3, 7)}) {
            const temp_path file(".gz");
            write_gz(file.path, idx_bytes(dims, data));
            const auto a = nascent::read_idx(file.path);
            CHECK(a.dims == dims);
            CHECK(a.count() == data.size());
            CHECK(a.data == data);
        }
    }
    SECTION("an extent of zero gives an empty array") {
        const temp_path file(".gz");
        write_gz(file.path, idx_bytes({0, 28, 28}, {}));
        const auto a = nascent::read_idx(file.path);
        CHECK(a.dims == std::vector<std::uint32_t>{0, 28, 28});
        CHECK(a.count() == 0);
        CHECK(a.data.empty());
    }
}

TEST_CASE("read_idx: a missing file is reported with its path", "[data][idx][errors]") {
    const temp_path missing(".idx");
    CHECK_THROWS_AS(nascent::read_idx(missing.path), nascent::error);
    CHECK_THROWS_WITH(nascent::read_idx(missing.path), Contains("file not found") && Contains(missing.path.string()));
}

TEST_CASE("read_idx: an unreadable file is reported with its path", "[data][idx][errors]") {
    const temp_path file(".idx");
    write_plain(file.path, idx_bytes({1}, {1}));
    fs::permissions(file.path, fs::perms::none);
    if (std::ifstream(file.path).is_open()) {
        WARN("running with privileges that ignore file permissions; unreadable-file check skipped");
    } else {
        CHECK_THROWS_WITH(nascent::read_idx(file.path),
                          Contains("cannot open") && Contains(file.path.string()));
    }
    fs::permissions(file.path, fs::perms::owner_all);
}

TEST_CASE("read_idx: a directory is not a file", "[data][idx][errors]") {
    const temp_path dir;
    fs::create_directories(dir.path);
    CHECK_THROWS_WITH(nascent::read_idx(dir.path), Contains("directory") && Contains(dir.path.string()));
}

TEST_CASE("read_idx: wrong magic number", "[data][idx][errors]") {
    const temp_path file(".idx");
    SECTION("nonzero leading bytes") {
        bytes content = idx_bytes({4}, {1, 2, 3, 4});
        content[0] = 0x1F;
        write_plain(file.path, content);
        CHECK_THROWS_WITH(nascent::read_idx(file.path), Contains("wrong magic number 0x1F000801") &&
                                                            Contains("two zero bytes") &&
                                                            Contains(file.path.string()));
    }
    SECTION("a text file") {
        write_plain(file.path, bytes{'h', 'e', 'l', 'l', 'o', '\n'});
        CHECK_THROWS_WITH(nascent::read_idx(file.path), Contains("wrong magic number 0x68656C6C"));
    }
}

TEST_CASE("read_idx: bad type code", "[data][idx][errors]") {
    const temp_path file(".idx");
    SECTION("unknown type code") {
        write_plain(file.path, idx_bytes(0x42, {4}, {1, 2, 3, 4}));
        CHECK_THROWS_WITH(nascent::read_idx(file.path), Contains("wrong magic number 0x00004201") &&
                                                            Contains("unknown type code 0x42") &&
                                                            Contains(file.path.string()));
    }
    SECTION("valid IDX type other than unsigned byte") {
        write_plain(file.path, idx_bytes(0x0D, {1}, {0, 0, 0x80, 0x3F}));
        CHECK_THROWS_WITH(nascent::read_idx(file.path), Contains("unsupported type code 0x0D") &&
                                                            Contains("float32") && Contains("0x08") &&
                                                            Contains(file.path.string()));
    }
}

TEST_CASE("read_idx: zero or implausible rank", "[data][idx][errors]") {
    const temp_path file(".idx");
    SECTION("rank 0") {
        write_plain(file.path, bytes{0, 0, 0x08, 0, 42});
        CHECK_THROWS_WITH(nascent::read_idx(file.path), Contains("rank 0") && Contains(file.path.string()));
    }
    SECTION("rank 5") {
        write_plain(file.path, idx_bytes({1, 1, 1, 1, 1}, {7}));
        CHECK_THROWS_WITH(nascent::read_idx(file.path), Contains("rank 5") && Contains(file.path.string()));
    }
}

TEST_CASE("read_idx: truncated header", "[data][idx][errors]") {
    const temp_path file(".idx");
    SECTION("empty file") {
        write_plain(file.path, {});
        CHECK_THROWS_WITH(nascent::read_idx(file.path), Contains("truncated header") && Contains("found 0") &&
                                                            Contains(file.path.string()));
    }
    SECTION("extents cut short") {
        bytes content = idx_bytes({60000, 28, 28}, {});
        content.resize(10); // magic + 1.5 of the 3 extents
        write_plain(file.path, content);
        CHECK_THROWS_WITH(nascent::read_idx(file.path), Contains("truncated header") && Contains("16") &&
                                                            Contains("found 10") && Contains(file.path.string()));
    }
    SECTION("gzipped") {
        const temp_path gz(".gz");
        write_gz(gz.path, bytes{0, 0, 0x08});
        CHECK_THROWS_WITH(nascent::read_idx(gz.path), Contains("truncated header") && Contains("found 3"));
    }
}

TEST_CASE("read_idx: truncated data", "[data][idx][errors]") {
    bytes content = idx_bytes({10, 10}, pattern(100));
    content.resize(content.size() - 50);
    SECTION("plain") {
        const temp_path file(".idx");
        write_plain(file.path, content);
        CHECK_THROWS_WITH(nascent::read_idx(file.path), Contains("truncated data") && Contains("need 100 bytes") &&
                                                            Contains("found 50") && Contains(file.path.string()));
    }
    SECTION("gzipped") {
        const temp_path file(".gz");
        write_gz(file.path, content);
        CHECK_THROWS_WITH(nascent::read_idx(file.path), Contains("truncated data") && Contains("need 100 bytes") &&
                                                            Contains("found 50") && Contains(file.path.string()));
    }
    SECTION("a header claiming far more than the file holds") {
        const temp_path file(".idx");
        write_plain(file.path, idx_bytes({4000000000U, 1000}, pattern(10)));
        CHECK_THROWS_WITH(nascent::read_idx(file.path),
                          Contains("truncated data") && Contains("need 4000000000000 bytes") && Contains("found 10"));
    }
}

TEST_CASE("read_idx: trailing bytes after the data", "[data][idx][errors]") {
    bytes content = idx_bytes({2, 2}, {1, 2, 3, 4});
    content.insert(content.end(), {5, 6, 7});
    SECTION("plain") {
        const temp_path file(".idx");
        write_plain(file.path, content);
        CHECK_THROWS_WITH(nascent::read_idx(file.path),
                          Contains("3 trailing bytes") && Contains(file.path.string()));
    }
    SECTION("gzipped, many of them") {
        content.insert(content.end(), 100000, 0);
        const temp_path file(".gz");
        write_gz(file.path, content);
        CHECK_THROWS_WITH(nascent::read_idx(file.path),
                          Contains("100003 trailing bytes") && Contains(file.path.string()));
    }
}

TEST_CASE("read_idx: corrupt gzip stream", "[data][idx][errors]") {
    const temp_path file(".gz");
    write_gz(file.path, idx_bytes({200, 100}, pattern(20000)));
    bytes raw = read_raw(file.path);
    REQUIRE(raw.size() > 40);

    SECTION("bad checksum in the trailer") {
        raw[raw.size() - 8] ^= 0xFFU; // CRC-32 of the uncompressed data
        write_plain(file.path, raw);
        CHECK_THROWS_WITH(nascent::read_idx(file.path), Contains("corrupt gzip stream") && Contains("gzread") &&
                                                            Contains(file.path.string()));
    }
    SECTION("garbage in the deflate data") {
        for (std::size_t i = raw.size() / 2; i < raw.size() / 2 + 8; ++i) raw[i] = 0xFF;
        write_plain(file.path, raw);
        CHECK_THROWS_WITH(nascent::read_idx(file.path),
                          Contains("corrupt gzip stream") && Contains(file.path.string()));
    }
    SECTION("stream cut off") {
        raw.resize(raw.size() / 2);
        write_plain(file.path, raw);
        CHECK_THROWS_WITH(nascent::read_idx(file.path),
                          Contains("corrupt gzip stream") && Contains(file.path.string()));
    }
}

TEST_CASE("make_image_dataset builds NHWC datasets", "[data][dataset]") {
    SECTION("rank 3 images are one channel") {
        const bytes pixels = pattern(3 * 2 * 2);
        const auto data = nascent::make_image_dataset(make_array({3, 2, 2}, pixels), make_array({3}, {2, 0, 1}), 3,
                                                      {"a", "b", "c"}, "toy set");
        CHECK(data.sample == nascent::shape{2, 2, 1});
        CHECK(data.size() == 3);
        CHECK(data.pixels == pixels);
        CHECK(data.labels == bytes{2, 0, 1});
        CHECK(data.classes == 3);
        CHECK(data.class_names == std::vector<std::string>{"a", "b", "c"});
        CHECK(data.image(1) == data.pixels.data() + 4);
    }
    SECTION("rank 4 images keep their channels") {
        const auto data = nascent::make_image_dataset(make_array({2, 3, 1, 5}, pattern(30)), make_array({2}, {0, 1}),
                                                      2, {}, "toy set");
        CHECK(data.sample == nascent::shape{3, 1, 5});
        CHECK(data.image(1)[0] == pattern(30)[15]);
        CHECK(data.class_names.empty());
    }
}

TEST_CASE("make_image_dataset: mismatched image and label counts", "[data][dataset][errors]") {
    CHECK_THROWS_WITH(nascent::make_image_dataset(make_array({5, 2, 2}, pattern(20)), make_array({4}, {0, 1, 0, 1}),
                                                  2, {}, "toy set"),
                      Contains("toy set") && Contains("5 images") && Contains("4 labels"));
}

TEST_CASE("make_image_dataset: label out of range", "[data][dataset][errors]") {
    CHECK_THROWS_WITH(nascent::make_image_dataset(make_array({4, 2, 2}, pattern(16)), make_array({4}, {0, 9, 10, 1}),
                                                  10, {}, "toy set"),
                      Contains("toy set") && Contains("label 10") && Contains("index 2") && Contains("out of range"));
}

TEST_CASE("make_image_dataset: ranks, classes and names are checked", "[data][dataset][errors]") {
    CHECK_THROWS_WITH(nascent::make_image_dataset(make_array({4, 4}, pattern(16)), make_array({4}, {0, 0, 0, 0}), 2,
                                                  {}, "toy set"),
                      Contains("toy set") && Contains("rank 2"));
    CHECK_THROWS_WITH(nascent::make_image_dataset(make_array({2, 2, 2}, pattern(8)), make_array({2, 1}, {0, 0}), 2,
                                                  {}, "toy set"),
                      Contains("labels must have rank 1"));
    CHECK_THROWS_WITH(nascent::make_image_dataset(make_array({2, 2, 2}, pattern(8)), make_array({2}, {0, 0}), 0, {},
                                                  "toy set"),
                      Contains("number of classes"));
    CHECK_THROWS_WITH(nascent::make_image_dataset(make_array({2, 2, 2}, pattern(8)), make_array({2}, {0, 0}), 2,
                                                  {"only one"}, "toy set"),
                      Contains("1 class names for 2 classes"));
    CHECK_THROWS_WITH(nascent::make_image_dataset(make_array({2, 0, 2}, {}), make_array({2}, {0, 0}), 2, {},
                                                  "toy set"),
                      Contains("implausible image shape 0x2x1"));
}

TEST_CASE("subset copies a range of images", "[data][dataset]") {
    const auto data = nascent::make_image_dataset(make_array({5, 1, 2, 2}, pattern(20)),
                                                  make_array({5}, {0, 1, 2, 0, 1}), 3, {"x", "y", "z"}, "toy set");
    const auto part = nascent::subset(data, 1, 3);
    CHECK(part.size() == 3);
    CHECK(part.sample == data.sample);
    CHECK(part.classes == 3);
    CHECK(part.class_names == data.class_names);
    CHECK(part.labels == bytes{1, 2, 0});
    CHECK(part.pixels == bytes(data.pixels.begin() + 4, data.pixels.begin() + 16));
    CHECK(nascent::subset(data, 5, 0).size() == 0);
    CHECK_THROWS_WITH(nascent::subset(data, 3, 3), Contains("exceed a dataset of 5 images"));
    CHECK_THROWS_AS(nascent::subset(data, 6, 0), nascent::error);
}

TEST_CASE("load_fashion_mnist reads a folder of gzipped or plain files", "[data][fashion_mnist]") {
    const temp_path dir;
    fs::create_directories(dir.path);
    const bytes train_pixels = pattern(3 * 28 * 28);
    write_plain(dir.path / "train-images-idx3-ubyte", idx_bytes({3, 28, 28}, train_pixels));
    write_gz(dir.path / "train-labels-idx1-ubyte.gz", idx_bytes({3}, {9, 0, 3}));

    const auto train = nascent::load_fashion_mnist(nascent::split::train, dir.path);
    CHECK(train.size() == 3);
    CHECK(train.sample == nascent::shape{28, 28, 1});
    CHECK(train.pixels == train_pixels);
    CHECK(train.labels == bytes{9, 0, 3});
    CHECK(train.classes == 10);
    REQUIRE(train.class_names.size() == 10);
    CHECK(train.class_names[0] == "T-shirt/top");
    CHECK(train.class_names[9] == "Ankle boot");

    // The test split is missing here, and says where it looked and how to get it.
    CHECK_THROWS_WITH(nascent::load_fashion_mnist(nascent::split::test, dir.path),
                      Contains((dir.path / "t10k-images-idx3-ubyte.gz").string()) &&
                          Contains((dir.path / "t10k-images-idx3-ubyte").string()) &&
                          Contains("dataset-fashion-mnist") && Contains("NASCENT_FASHION_MNIST_DIR"));

    // Images that are not 28x28 are refused.
    write_gz(dir.path / "t10k-images-idx3-ubyte.gz", idx_bytes({1, 27, 28}, pattern(27 * 28)));
    write_gz(dir.path / "t10k-labels-idx1-ubyte.gz", idx_bytes({1}, {4}));
    CHECK_THROWS_WITH(nascent::load_fashion_mnist(nascent::split::test, dir.path),
                      Contains("27x28x1") && Contains("expected 28x28x1"));
}

} // namespace test_data_idx
