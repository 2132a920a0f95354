// The fixed network: no heap during inference, the arena's high-water mark is the compile-time
// figure, and the exported header carries the same program.
#include <catch2/catch.hpp>

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include <nascent/core/random.hpp>
#include <nascent/deploy/export.hpp>
#include <nascent/deploy/fixed.hpp>
#include <nascent/ops/conv2d.hpp>
#include <nascent/zoo/munas.hpp>
#include <nascent/zoo/spos.hpp>

// --- every allocation of the process is counted --------------------------------------------------
// (GCC pairs the library's inlined new-expressions with these replacements' free() and warns.)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
namespace {
std::atomic<long> allocations{0};
}
void* operator new(std::size_t n) {
    ++allocations;
    if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
    ++allocations;
    return std::malloc(n == 0 ? 1 : n);
}
void* operator new[](std::size_t n, const std::nothrow_t& tag) noexcept { return operator new(n, tag); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

namespace {

using namespace nascent;

using reference_cnn = sequential<conv2d<16, 3>, batch_norm, relu, max_pool2d<2>, conv2d<32, 3>, batch_norm, relu,
                                 max_pool2d<2>, flatten, dense<10>>;
constexpr shape fashion{28, 28, 1};

/// Plausible parameters of a program: random weights; int8 parameters as quantize() makes them
/// (zero points, clamps, multipliers in [2^30, 2^31), small negative shifts).
template <class Net>
struct random_parameters {
    std::vector<typename Net::element> weights;
    std::vector<typename Net::parameter> params;

    explicit random_parameters(std::uint64_t seed) {
        rng random(seed);
        const auto& p = Net::program;
        weights.resize(Net::weight_count);
        params.resize(Net::param_count);
        for (auto& w : weights) {
            if constexpr (Net::element_precision == precision::int8) w = static_cast<std::int8_t>(static_cast<int>(random.below(255)) - 127);
            else w = static_cast<float>(random.normal() * 0.2);
        }
        for (const deploy::step& s : p.steps) {
            auto* q = params.data() + s.params;
            if constexpr (Net::element_precision == precision::float32) {
                for (std::uint32_t i = 0; i < s.param_count; ++i) q[i] = static_cast<float>(random.normal() * 0.1);
                continue;
            } else {
                namespace layout = deploy::param_layout;
                const bool weighted = s.type == op_type::conv || s.type == op_type::dense;
                if (weighted) {
                    const auto c = static_cast<std::uint32_t>(s.out.extent.c);
                    q[layout::z_in] = 0;
                    q[layout::z_out] = -5;
                    q[layout::act_min] = -128;
                    q[layout::act_max] = 127;
                    for (std::uint32_t i = 0; i < c; ++i) {
                        q[layout::channels_begin + i] = static_cast<std::int32_t>(random.below(2001)) - 1000;
                        q[layout::channels_begin + c + i] = (1 << 30) + static_cast<std::int32_t>(random.below(1 << 29));
                        q[layout::channels_begin + 2 * c + i] = -7;
                    }
                } else if (s.type == op_type::add) {
                    const std::int32_t add[layout::add::count] = {0, 0, 0, -128, 127, 20, 1 << 30, -1, 1 << 30, -1, 1 << 30, -18};
                    for (int i = 0; i < layout::add::count; ++i) q[i] = add[i];
                } else if (s.type == op_type::concat) {
                    const std::int32_t cat[layout::concat::count] = {0, 0, 0, 1 << 30, 1, 1 << 30, 1};
                    for (int i = 0; i < layout::concat::count; ++i) q[i] = cat[i];
                } else if (s.param_count == static_cast<std::uint32_t>(layout::rescale::count)) {
                    const std::int32_t re[layout::rescale::count] = {0, 0, -128, 127, 1 << 30, 1};
                    for (int i = 0; i < layout::rescale::count; ++i) q[i] = re[i];
                } else {
                    for (std::uint32_t i = 0; i < s.param_count; ++i) q[i] = 0;
                }
            }
        }
    }
};

/// One past the highest arena byte that inference changes, over two fill patterns.
template <class Net>
std::size_t high_water_mark(const random_parameters<Net>& parameters, const std::vector<typename Net::element>& image) {
    std::size_t mark = 0;
    for (const std::byte fill : {std::byte{0xA5}, std::byte{0x5A}}) {
        static typename Net::arena arena;
        for (std::byte& b : arena.bytes) b = fill;
        std::copy(image.begin(), image.end(), Net::input(arena));
        // the input itself is written before the run: mark what it covers too
        std::vector<std::byte> before(arena.bytes, arena.bytes + Net::arena_bytes);
        REQUIRE(Net::run(arena, parameters.weights.data(), parameters.params.data()) != nullptr);
        for (std::size_t i = Net::arena_bytes; i-- > 0;) {
            if (arena.bytes[i] != fill) {
                mark = std::max(mark, i + 1);
                break;
            }
        }
    }
    return mark;
}

template <class Net>
std::vector<typename Net::element> random_image(std::uint64_t seed) {
    rng random(seed);
    std::vector<typename Net::element> image(Net::input_size);
    for (auto& x : image) {
        if constexpr (Net::element_precision == precision::int8) x = static_cast<std::int8_t>(static_cast<int>(random.below(255)) - 127);
        else x = static_cast<float>(random.normal());
    }
    return image;
}

template <class Net>
void check_inference(std::uint64_t seed) {
    const random_parameters<Net> parameters(seed);
    const auto image = random_image<Net>(seed + 1);
    static typename Net::arena arena;
    std::copy(image.begin(), image.end(), Net::input(arena));
    const long before = allocations.load();
    const int label = Net::classify(arena, parameters.weights.data(), parameters.params.data());
    const long during = allocations.load() - before;
    CHECK(during == 0);
    CHECK(label >= 0);
    CHECK(label < static_cast<int>(Net::output_size));
    CHECK(high_water_mark<Net>(parameters, image) == Net::arena_bytes);
}

// A μNAS-space architecture (strided convolutions, pooling, dense) and a SPOS one (ShuffleNetV2
// units: channel split, concatenation, shuffle in place, in-place depthwise).
constexpr std::array<int, space::decisions<zoo::munas>> munas_first{};
constexpr std::array<int, space::decisions<zoo::spos>> spos_first{};

template <precision P>
using munas_net = deploy::fixed_of<zoo::munas, fashion, P, munas_first>;
template <precision P>
using spos_net = deploy::fixed_of<zoo::spos, fashion, P, spos_first>;

} // namespace

// The figures a user can static_assert on, straight from the type.
using reference_int8 = deploy::fixed<reference_cnn, fashion, precision::int8>;
static_assert(reference_int8::arena_bytes == 15680);
static_assert(reference_int8::flash_bytes == 21224);
static_assert(reference_int8::costs.macs == 112896 + 12544 + 903168 + 6272 + 15680);
static_assert(deploy::fixed<reference_cnn, fashion, precision::float32>::arena_bytes == (12544 + 3136) * 4);

TEST_CASE("fixed networks infer without the heap, filling exactly their compile-time arena", "[deploy][fixed]") {
    check_inference<reference_int8>(1);
    check_inference<deploy::fixed<reference_cnn, fashion, precision::float32>>(2);
    check_inference<munas_net<precision::int8>>(3);
    check_inference<munas_net<precision::float32>>(4);
    check_inference<spos_net<precision::int8>>(5);
    check_inference<spos_net<precision::float32>>(6);
}

TEST_CASE("the exported header writes the fixed network's program, weights and metadata", "[deploy][export]") {
    using net = reference_int8;
    const random_parameters<net> parameters(5);
    deploy::model_metadata m;
    m.space = "reference_cnn";
    m.architecture = "-";
    m.costs = net::costs;
    m.input_scale = 0.0125F;
    m.input_zero_point = -3;
    m.class_names = {"T-shirt/top", "Trouser"};
    const std::string text = deploy::model_header("reference_model", net::program, std::span<const std::int8_t>(parameters.weights),
                                                  std::span<const std::int32_t>(parameters.params), m);
    auto has = [&](const std::string& s) { return text.find(s) != std::string::npos; };
    CHECK(has("namespace reference_model {"));
    CHECK(has(deploy::program_source(net::program)));
    CHECK(has("using network = nascent::deploy::network<program>;"));
    CHECK(has("alignas(4) inline constexpr std::int8_t weights[" + std::to_string(net::weight_count) + "]"));
    CHECK(has("alignas(4) inline constexpr std::int32_t params[" + std::to_string(net::param_count) + "]"));
    CHECK(has("inline constexpr std::uint32_t peak_ram_bytes = 15680U;"));
    CHECK(has("inline constexpr std::uint32_t flash_bytes = 21224U;"));
    CHECK(has("{\"T-shirt/top\", \"Trouser\"}"));
    // pixel 0 is (0 - mean) / stddev = 0 -> the zero point; pixel 255 is 1 / 0.0125 - 3 = 77
    CHECK(has("inline constexpr std::int8_t input_of_pixel[256] = {\n    -3, "));
    CHECK(has(", 77\n};"));
    // bad input: a name that is not an identifier, weights of the wrong count or type
    CHECK_THROWS_WITH(deploy::model_header("3d model", net::program, std::span<const std::int8_t>(parameters.weights),
                                           std::span<const std::int32_t>(parameters.params), m),
                      Catch::Contains("not a C++ identifier"));
    CHECK_THROWS_WITH(deploy::model_header("m", net::program, std::span<const std::int8_t>(parameters.weights).first(10),
                                           std::span<const std::int32_t>(parameters.params), m),
                      Catch::Contains("10 weights given"));
    const std::vector<float> floats(net::weight_count, 0.0F);
    const std::vector<float> float_params(net::param_count, 0.0F);
    CHECK_THROWS_WITH(deploy::model_header("m", net::program, std::span<const float>(floats), std::span<const float>(float_params), m),
                      Catch::Contains("does not match the program's precision"));
}

namespace {

/// The program compiled at run time for the architecture of fixed network Net of Space.
template <class Net, class Space>
void check_runtime_program(std::span<const int> arch) {
    const cost::graph g = cost::lower<Space>(fashion, Net::program.element, arch);
    const deploy::runtime_program p = deploy::compile<deploy::dynamic_steps>(g, cost::plan(g), Net::program.element);
    REQUIRE(p.steps.size() == Net::program.steps.size());
    for (std::size_t s = 0; s < p.steps.size(); ++s) CHECK(p.steps[s] == Net::program.steps[s]);
    CHECK(p.arena_bytes == Net::program.arena_bytes);
    CHECK(p.input == Net::program.input);
    CHECK(p.output == Net::program.output);
    CHECK(p.weight_count == Net::program.weight_count);
    CHECK(p.param_count == Net::program.param_count);
    CHECK(deploy::program_source(p) == deploy::program_source(Net::program));  // the header a search writes
}

} // namespace

TEST_CASE("a program compiled at run time equals the fixed network's", "[deploy][fixed]") {
    check_runtime_program<munas_net<precision::int8>, zoo::munas>(munas_first);
    check_runtime_program<munas_net<precision::float32>, zoo::munas>(munas_first);
    check_runtime_program<spos_net<precision::int8>, zoo::spos>(spos_first);
    check_runtime_program<reference_int8, reference_cnn>({});
    // a graph that is not the plan's
    const cost::graph g = cost::lower<zoo::munas>(fashion, precision::int8, munas_first);
    cost::memory_plan other = cost::plan(g);
    other.order.pop_back();
    CHECK_THROWS(deploy::compile<deploy::dynamic_steps>(g, other, precision::int8));
}
