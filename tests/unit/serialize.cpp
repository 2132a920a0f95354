// Saving and loading weights: round trips, and every kind of bad file leaves the model intact.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <nascent/nn/activation.hpp>
#include <nascent/nn/batch_norm.hpp>
#include <nascent/nn/conv2d.hpp>
#include <nascent/nn/dense.hpp>
#include <nascent/nn/elementwise.hpp>
#include <nascent/nn/model.hpp>
#include <nascent/nn/pooling.hpp>
#include <nascent/nn/sequential.hpp>
#include <nascent/nn/serialize.hpp>

// The file's names live in a namespace of their own: the tests compile in unity groups.
namespace test_serialize {

using namespace nascent;

namespace {

using net = sequential<conv2d<4, 3>, batch_norm, relu, max_pool2d<2>, flatten, dense<3>>;
using other_net = sequential<conv2d<5, 3>, batch_norm, relu, max_pool2d<2>, flatten, dense<3>>;

template <class Model>
std::vector<double> all_values(Model& m) {
    std::vector<double> v;
    for (auto* p : m.parameters()) v.insert(v.end(), p->value.begin(), p->value.end());
    for (auto* b : m.buffers()) v.insert(v.end(), b->value.begin(), b->value.end());
    return v;
}

struct temp_dir {
    std::filesystem::path path = std::filesystem::temp_directory_path() /
                                 string_of("nascent-serialize-", ::getpid());
    temp_dir() { std::filesystem::create_directories(path); }
    ~temp_dir() { std::filesystem::remove_all(path); }
};

std::string read_bytes(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::filesystem::path& p, const std::string& bytes) {
    std::ofstream(p, std::ios::binary) << bytes;
}

} // namespace

TEST_CASE("weights round-trip exactly, and float files load into double models", "[serialize]") {
    temp_dir dir;
    nn::model<net> a({6, 6, 1}, 1);
    for (auto* b : a.buffers()) b->value.fill(0.25f);  // state is saved too
    nn::save(a, dir.path / "w.bin");
    nn::model<net> b({6, 6, 1}, 2);
    REQUIRE(all_values(a) != all_values(b));
    nn::load(b, dir.path / "w.bin");
    CHECK(all_values(a) == all_values(b));

    nn::model<net, double> c({6, 6, 1}, 3);
    nn::load(c, dir.path / "w.bin");
    CHECK(all_values(c) == all_values(a));

    // no temporary file is left behind
    std::size_t files = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path)) ++files;
    CHECK(files == 1);
}

TEST_CASE("bad weights files are rejected with a clear error and the model is untouched", "[serialize]") {
    temp_dir dir;
    nn::model<net> saved({6, 6, 1}, 1);
    const auto file = dir.path / "w.bin";
    nn::save(saved, file);
    const std::string good = read_bytes(file);
    nn::model<net> target({6, 6, 1}, 9);
    const auto before = all_values(target);

    SECTION("missing file") {
        CHECK_THROWS_WITH(nn::load(target, dir.path / "nothing.bin"), Catch::Contains("cannot open"));
    }
    SECTION("not a weights file") {
        write_bytes(file, "P5\n6 6\n255\n" + good.substr(11));
        CHECK_THROWS_WITH(nn::load(target, file), Catch::Contains("not a nascent weights file"));
    }
    SECTION("unknown version") {
        std::string bad = good;
        bad[8] = 9;
        write_bytes(file, bad);
        CHECK_THROWS_WITH(nn::load(target, file), Catch::Contains("version 9"));
    }
    SECTION("truncated anywhere") {
        for (const std::size_t keep : {std::size_t{0}, std::size_t{5}, std::size_t{14}, std::size_t{30}, good.size() / 2, good.size() - 1}) {
            write_bytes(file, good.substr(0, keep));
            INFO("kept " << keep << " of " << good.size() << " bytes");
            CHECK_THROWS_WITH(nn::load(target, file), Catch::Contains("truncated"));
        }
    }
    SECTION("a flipped byte fails the checksum") {
        std::string bad = good;
        bad[good.size() / 2] = static_cast<char>(bad[good.size() / 2] ^ 0x10);
        write_bytes(file, bad);
        CHECK_THROWS_WITH(nn::load(target, file), Catch::Contains("checksum"));
    }
    SECTION("trailing bytes") {
        write_bytes(file, good + "extra");
        CHECK_THROWS_WITH(nn::load(target, file), Catch::Contains("unexpected bytes"));
    }
    SECTION("another architecture") {
        nn::model<other_net> other({6, 6, 1}, 1);
        nn::save(other, file);
        CHECK_THROWS_WITH(nn::load(target, file), Catch::Contains("another architecture"));
    }
    CHECK(all_values(target) == before);
}

} // namespace test_serialize
