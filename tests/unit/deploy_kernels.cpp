// Deploy kernels and the program runner (runtime/fixed_point.hpp, runtime/float/*.hpp,
// runtime/int8/*.hpp, runtime/run.hpp):
// - fixed-point requantisation against golden values and exact arithmetic;
// - every float32 kernel against the training interpreter's host kernels (nn/kernels/*.hpp) on random
//   shapes, strides, pads, groups, dilations, multipliers and channel-slice inputs;
// - every int8 kernel against a plain integer reference written here (exactly) and against the
//   float32 kernel on dequantised values (within one quantisation step);
// - every in-place mode against the same step out of place;
// - for every step run: no byte outside its output and the contract's scratch changes (canary);
// - the depthwise schedule of Cortex-M (channel planes) against that of SIMD hosts (blocks);
// - whole programs with a residual, channel splits, branches and every op type, run in one arena
//   as planned, against a run of the same steps in separate buffers; the steps well formed.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include <nascent/blocks/shufflenet_v2.hpp>
#include <nascent/core/random.hpp>
#include <nascent/cost/lower_blocks.hpp>
#include <nascent/cost/plan.hpp>
#include <nascent/deploy/compile.hpp>
#include <nascent/deploy/quantize.hpp>
#include <nascent/nn/kernels/add.hpp>
#include <nascent/nn/kernels/avg_pool2d.hpp>
#include <nascent/nn/kernels/channel_shuffle.hpp>
#include <nascent/nn/kernels/concat.hpp>
#include <nascent/nn/kernels/conv2d.hpp>
#include <nascent/nn/kernels/dense.hpp>
#include <nascent/nn/kernels/global_avg_pool.hpp>
#include <nascent/nn/kernels/hard_sigmoid.hpp>
#include <nascent/nn/kernels/hard_swish.hpp>
#include <nascent/nn/kernels/max_pool2d.hpp>
#include <nascent/nn/kernels/relu.hpp>
#include <nascent/nn/kernels/relu6.hpp>
#include <nascent/runtime/fixed_point.hpp>
#include <nascent/runtime/run.hpp>

// The file's names live in a namespace of their own: the tests compile in unity groups.
namespace test_deploy_kernels {

using namespace nascent;
namespace dp = nascent::deploy;

namespace {

// --- fixed point, at compile time ----------------------------------------------------------------
static_assert(dp::quantize_multiplier(1.0) == dp::quantized_multiplier{1 << 30, 1});
static_assert(dp::quantize_multiplier(0.5) == dp::quantized_multiplier{1 << 30, 0});
static_assert(dp::quantize_multiplier(0.75) == dp::quantized_multiplier{1610612736, 0});
static_assert(dp::quantize_multiplier(0.0) == dp::quantized_multiplier{0, 0});
static_assert(dp::quantize_multiplier(0x1.0p-40) == dp::quantized_multiplier{0, 0});
static_assert(dp::quantize_multiplier(0x1.0p40) == dp::quantized_multiplier{2147483647, 30});
static_assert(dp::quantize_multiplier(1.0 - 0x1.0p-40) == dp::quantized_multiplier{1 << 30, 1});  // rounds up to 1
static_assert(dp::multiply_by_quantized_multiplier(12345, 1 << 30, 1) == 12345);  // the identity
static_assert(dp::saturating_rounding_doubling_high_mul(INT32_MIN, INT32_MIN) == INT32_MAX);
static_assert(dp::saturating_rounding_doubling_high_mul(3, 1 << 30) == 2);    // 1.5 -> 2
static_assert(dp::saturating_rounding_doubling_high_mul(-3, 1 << 30) == -1);  // -1.5 -> -1 (gemmlowp)
static_assert(dp::rounding_divide_by_power_of_two(3, 1) == 2);
static_assert(dp::rounding_divide_by_power_of_two(-3, 1) == -2);  // ties away from zero
static_assert(dp::rounding_divide_by_power_of_two(-5, 2) == -1);

// --- random data ---------------------------------------------------------------------------------
int pick(rng& r, int lo, int hi) { return lo + static_cast<int>(r.below(static_cast<std::uint64_t>(hi - lo + 1))); }
bool coin(rng& r) { return r.below(2) == 1; }
fused_activation random_activation(rng& r) { return static_cast<fused_activation>(pick(r, 0, 2)); }

/// Elements of an operand's buffer: `extent` pixels of `stride` elements, the operand's channels
/// from `first` (a channel slice when stride > extent.c).
template <class T>
struct buffer {
    shape extent{};
    int stride = 0;
    int first = 0;
    std::vector<T> data;

    [[nodiscard]] int pixels() const { return extent.h * extent.w; }
    [[nodiscard]] T at(int p, int c) const { return data[static_cast<std::size_t>(p * stride + first + c)]; }
    /// The operand's channels alone (NHWC).
    [[nodiscard]] std::vector<T> packed() const {
        std::vector<T> v;
        for (int p = 0; p < pixels(); ++p)
            for (int c = 0; c < extent.c; ++c) v.push_back(at(p, c));
        return v;
    }
};

template <class T, class Gen>
buffer<T> make_buffer(rng& r, shape s, bool slice, Gen&& gen) {
    buffer<T> b;
    b.extent = s;
    b.first = slice ? pick(r, 0, 3) : 0;
    b.stride = slice ? s.c + b.first + pick(r, 1, 3) : s.c;
    b.data.resize(static_cast<std::size_t>(b.pixels() * b.stride));
    for (auto& v : b.data) v = gen();
    return b;
}

buffer<float> random_floats(rng& r, shape s, bool slice = false) {
    return make_buffer<float>(r, s, slice, [&] { return static_cast<float>(r.uniform(-1.0, 1.0)); });
}
buffer<std::int8_t> random_bytes(rng& r, shape s, bool slice = false) {
    return make_buffer<std::int8_t>(r, s, slice, [&] { return static_cast<std::int8_t>(pick(r, -128, 127)); });
}

/// The float view of int8 data: scale * (q - zero).
buffer<float> dequantize(const buffer<std::int8_t>& b, double scale, int zero) {
    buffer<float> f{b.extent, b.stride, b.first, {}};
    for (const std::int8_t q : b.data) f.data.push_back(static_cast<float>(scale * (q - zero)));
    return f;
}

bool close(double a, double b, double tolerance = 1e-5) { return std::abs(a - b) <= tolerance * std::max(1.0, std::abs(b)); }

// --- running one step in a fresh arena, with a canary -----------------------------------------------
struct layout_options {
    bool in_place = false;
    int over = 0;                ///< the input the output overwrites
    std::uint32_t scratch = 0;   ///< scratch bytes (the contract's)
    std::uint32_t weights_at = 3;
    std::uint32_t params_at = 2;
};

/// Runs kernel on step `s` whose inputs hold `inputs` (their extents, strides and first channels),
/// in an arena where every byte the step may not write holds a pattern; checks the pattern after
/// the run and returns the output. weights and params start at options.weights_at / params_at.
template <class T, class W, class P, class Kernel>
std::vector<T> run_one(Kernel kernel, dp::step s, const std::vector<const buffer<T>*>& inputs, const std::vector<W>& weights,
                       const std::vector<P>& params, layout_options opt = {}) {
    constexpr std::uint32_t margin = 64;
    auto aligned = [](std::size_t n) { return static_cast<std::uint32_t>((n + 3) / 4 * 4); };
    std::uint32_t at = margin;
    std::vector<std::uint32_t> region(inputs.size());
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        const buffer<T>& b = *inputs[i];
        region[i] = at;
        s.in[i] = dp::operand{at + static_cast<std::uint32_t>(b.first) * static_cast<std::uint32_t>(sizeof(T)), b.extent, b.stride};
        at += aligned(b.data.size() * sizeof(T)) + margin;
    }
    const std::size_t out_bytes = s.out.extent.size() * sizeof(T);
    s.out.pixel_stride = s.out.extent.c;
    s.in_place = opt.in_place;
    if (opt.in_place) {
        const buffer<T>& b = *inputs[static_cast<std::size_t>(opt.over)];
        REQUIRE(b.first == 0);
        REQUIRE(b.stride == b.extent.c);
        REQUIRE(b.data.size() * sizeof(T) == out_bytes);
        s.out.offset = region[static_cast<std::size_t>(opt.over)];
    } else {
        s.out.offset = at;
        at += aligned(out_bytes) + margin;
    }
    s.scratch_offset = at;
    s.scratch_bytes = opt.scratch;
    at += aligned(opt.scratch) + margin;
    s.weights = opt.weights_at;
    s.params = opt.params_at;

    std::vector<std::uint32_t> words(at / 4, 0xA5C3E17BU);
    auto* arena = reinterpret_cast<std::byte*>(words.data());
    for (std::size_t i = 0; i < inputs.size(); ++i)
        std::memcpy(arena + region[i], inputs[i]->data.data(), inputs[i]->data.size() * sizeof(T));
    const std::vector<std::uint32_t> before = words;
    std::vector<W> w(opt.weights_at, W{});
    w.insert(w.end(), weights.begin(), weights.end());
    std::vector<P> p(opt.params_at, P{});
    p.insert(p.end(), params.begin(), params.end());

    kernel(s, w.data(), p.data(), arena);

    const auto* old = reinterpret_cast<const std::byte*>(before.data());
    std::size_t stray = 0;
    for (std::uint32_t b = 0; b < at; ++b) {
        const bool output = b >= s.out.offset && b < s.out.offset + out_bytes;
        const bool scratch = b >= s.scratch_offset && b < s.scratch_offset + s.scratch_bytes;
        if (!output && !scratch && arena[b] != old[b]) ++stray;
    }
    CHECK(stray == 0);
    std::vector<T> y(s.out.extent.size());
    std::memcpy(y.data(), arena + s.out.offset, out_bytes);
    return y;
}

// --- convolution cases ----------------------------------------------------------------------------
enum class conv_family {
    square,  ///< conv2d / depthwise_conv2d: k x k, groups (incl. depthwise with a multiplier), any stride, pads
    window,  ///< asymmetric_conv2d / dilated_depthwise_conv2d: groups 1 or depthwise with multiplier 1
    general  ///< everything at once: rectangular, dilated, grouped, multiplier
};

struct conv_case {
    shape in{};
    shape out{};
    op_window window{};
    fused_activation activation = fused_activation::none;
    bool slice = false;
    conv_family family = conv_family::general;

    [[nodiscard]] int taps() const { return window.kernel_h * window.kernel_w; }
    [[nodiscard]] int in_per_group() const { return in.c / window.groups; }
    [[nodiscard]] int out_per_group() const { return out.c / window.groups; }
    [[nodiscard]] int filter() const { return taps() * in_per_group(); }
    [[nodiscard]] std::size_t weight_count() const { return static_cast<std::size_t>(out.c * filter()); }
    [[nodiscard]] bool depthwise() const { return in_per_group() == 1 && window.groups > 1; }
    /// The contract's scratch (cost/lower.hpp): one window (float) or two int16 columns (int8)
    /// for a non-depthwise window of more than one tap.
    [[nodiscard]] std::uint32_t scratch(std::size_t element) const {
        if (depthwise() || taps() == 1) return 0;
        return static_cast<std::uint32_t>(element == 1 ? 2 * filter() * 2 : filter() * 4);
    }
};

conv_case random_conv(rng& r, conv_family family) {
    conv_case c;
    c.family = family;
    c.activation = random_activation(r);
    c.slice = r.below(3) == 0;
    int kh = 1, kw = 1, dilation = 1, stride = pick(r, 1, 2), groups = 1, in_c = 1, out_c = 1;
    if (family == conv_family::square) {
        kh = kw = std::array{1, 3, 5}[r.below(3)];
        stride = pick(r, 1, 3);
        groups = pick(r, 1, 3);
        const int cg = pick(r, 1, 4);
        in_c = groups * cg;
        out_c = groups * pick(r, 1, 4);
        if (coin(r)) {  // depthwise with a multiplier
            groups = in_c = pick(r, 2, 6);
            out_c = in_c * pick(r, 1, 3);
        }
    } else if (family == conv_family::window) {
        kh = std::array{1, 2, 3, 5}[r.below(4)];
        kw = std::array{1, 3, 5}[r.below(3)];
        dilation = pick(r, 1, 3);
        if (coin(r)) {
            groups = in_c = out_c = pick(r, 2, 6);
        } else {
            in_c = pick(r, 1, 6);
            out_c = pick(r, 1, 7);
        }
    } else {
        kh = pick(r, 1, 4);
        kw = pick(r, 1, 4);
        dilation = pick(r, 1, 3);
        stride = pick(r, 1, 3);
        groups = pick(r, 1, 4);
        in_c = groups * pick(r, 1, 3);
        out_c = groups * pick(r, 1, 3);
    }
    c.in = shape{pick(r, 1, 9), pick(r, 1, 9), in_c};
    c.out = shape{same_extent(c.in.h, stride), same_extent(c.in.w, stride), out_c};
    // Pads: "same" or anything up to the dilated extent (the square family keeps a 1x1 stride-1
    // window unpadded, the case the training kernel multiplies without im2col).
    // The general family pads a 1x1 window too (outputs of the bias alone).
    const bool direct = family == conv_family::square && kh == 1 && stride == 1;
    const int extra = family == conv_family::general ? 1 : 0;
    const int pad_top = direct ? 0 : coin(r) ? same_pad_before(c.in.h, (kh - 1) * dilation + 1, stride) : pick(r, 0, (kh - 1) * dilation + extra);
    const int pad_left = direct ? 0 : coin(r) ? same_pad_before(c.in.w, (kw - 1) * dilation + 1, stride) : pick(r, 0, (kw - 1) * dilation + extra);
    c.window = op_window{kh, kw, stride, dilation, groups, pad_top, pad_left};
    return c;
}

dp::step conv_step(const conv_case& c) {
    dp::step s;
    s.type = op_type::conv;
    s.activation = c.activation;
    s.window = c.window;
    s.out.extent = c.out;
    return s;
}

template <class T>
void apply_activation(std::vector<T>& y, fused_activation a) {
    if (a == fused_activation::relu) kernels::relu_forward(y.size(), y.data(), y.data());
    if (a == fused_activation::relu6) kernels::relu6_forward(y.size(), y.data(), y.data());
}

/// The training interpreter's result (conv2d_forward on the case's geometry).
std::vector<float> training_conv(const conv_case& c, const std::vector<float>& x, const std::vector<float>& w,
                                 const std::vector<float>& bias) {
    std::vector<float> y(c.out.size());
    const conv_geometry g{c.window, c.in, c.out};
    std::vector<float> col(std::max<std::size_t>(g.col_size(), 1)), scratch(g.weight_count());
    kernels::conv2d_forward(g, 1, x.data(), w.data(), bias.data(), y.data(), col.data(), scratch.data());
    apply_activation(y, c.activation);
    return y;
}

/// Calls f(oc, input channel, weight index, input pixel) for every tap of output (oh, ow) inside
/// the image: the definition of the convolution, written out.
template <class F>
void for_each_term(const conv_case& c, int oh, int ow, int oc, F&& f) {
    const int grp = oc / c.out_per_group();
    for (int i = 0; i < c.window.kernel_h; ++i)
        for (int j = 0; j < c.window.kernel_w; ++j) {
            const int ih = oh * c.window.stride - c.window.pad_top + i * c.window.dilation;
            const int iw = ow * c.window.stride - c.window.pad_left + j * c.window.dilation;
            if (ih < 0 || ih >= c.in.h || iw < 0 || iw >= c.in.w) continue;
            for (int ci = 0; ci < c.in_per_group(); ++ci)
                f(grp * c.in_per_group() + ci, ((oc * c.window.kernel_h + i) * c.window.kernel_w + j) * c.in_per_group() + ci,
                  ih * c.in.w + iw);
        }
}

/// The convolution in double, straight from its definition.
std::vector<double> direct_conv(const conv_case& c, const buffer<float>& x, const std::vector<float>& w, const std::vector<float>& bias) {
    std::vector<double> y;
    for (int oh = 0; oh < c.out.h; ++oh)
        for (int ow = 0; ow < c.out.w; ++ow)
            for (int oc = 0; oc < c.out.c; ++oc) {
                double acc = bias[static_cast<std::size_t>(oc)];
                for_each_term(c, oh, ow, oc, [&](int ic, int wi, int p) { acc += double{x.at(p, ic)} * w[static_cast<std::size_t>(wi)]; });
                if (c.activation != fused_activation::none) acc = std::max(acc, 0.0);
                if (c.activation == fused_activation::relu6) acc = std::min(acc, 6.0);
                y.push_back(acc);
            }
    return y;
}

std::vector<float> random_vector(rng& r, std::size_t n, double lo = -1.0, double hi = 1.0) {
    std::vector<float> v(n);
    for (auto& e : v) e = static_cast<float>(r.uniform(lo, hi));
    return v;
}

// --- int8 quantisation of a step ---------------------------------------------------------------------
struct quantization {
    double scale = 1.0;
    int zero = 0;
};

/// The int8 clamp of a fused activation on an output of quantisation q.
std::pair<int, int> activation_range(fused_activation a, quantization q) {
    if (a == fused_activation::none) return {-128, 127};
    const int lo = std::max(-128, q.zero);
    if (a == fused_activation::relu) return {lo, 127};
    return {lo, std::min(127, q.zero + static_cast<int>(std::lround(6.0 / q.scale)))};
}

/// The real value of int8 output v, and the float result f clamped to the real range of [lo, hi]:
/// they differ by at most one quantisation step.
void check_within_one_step(const std::vector<std::int8_t>& v, const std::vector<float>& f, quantization q, int lo, int hi) {
    REQUIRE(v.size() == f.size());
    std::size_t off = 0;
    for (std::size_t i = 0; i < v.size(); ++i) {
        const double real = q.scale * (v[i] - q.zero);
        const double expected = std::clamp(static_cast<double>(f[i]), q.scale * (lo - q.zero), q.scale * (hi - q.zero));
        if (std::abs(real - expected) > q.scale * (1.0 + 1e-4)) ++off;
    }
    CHECK(off == 0);
}

/// An output quantisation covering the values of f.
quantization covering(rng& r, const std::vector<float>& f) {
    double m = 1e-3;
    for (const float v : f) m = std::max(m, static_cast<double>(std::abs(v)));
    return {m / 110.0, pick(r, -10, 10)};
}

std::int8_t saturate(std::int32_t v, int lo = -128, int hi = 127) { return static_cast<std::int8_t>(std::clamp(v, lo, hi)); }

} // namespace

// =================================================================================================
TEST_CASE("fixed point: the requantisation factor and the rounded product", "[deploy][kernels]") {
    rng r(11);
    for (int i = 0; i < 20000; ++i) {
        const double real = std::exp(r.uniform(std::log(1e-6), std::log(100.0)));
        const dp::quantized_multiplier q = dp::quantize_multiplier(real);
        REQUIRE(q.multiplier >= (1 << 30));
        REQUIRE(q.shift >= -31);
        REQUIRE(q.shift <= 30);
        CHECK(std::abs(std::ldexp(static_cast<double>(q.multiplier), q.shift - 31) - real) <= real * 0x1.0p-30);
        const auto bound = static_cast<std::int32_t>(std::min(1e9, 2e9 / std::max(real, 1.0)) / (q.shift > 0 ? std::ldexp(1.0, q.shift) : 1.0));
        const auto x = static_cast<std::int32_t>(r.uniform(-bound, bound));
        const double exact = static_cast<double>(x) * static_cast<double>(q.multiplier) * std::ldexp(1.0, q.shift - 31);
        // Two roundings (the high multiply, then the shift): within one of the exact product.
        CHECK(std::abs(dp::multiply_by_quantized_multiplier(x, q.multiplier, q.shift) - exact) <= 1.0);
    }
    // The rounded mean of average(): with the identity factor it is TF Lite's (ties away from zero).
    for (int i = 0; i < 20000; ++i) {
        const int count = pick(r, 1, 1024);
        const int sum = pick(r, -255 * count, 255 * count);
        const int tflite = (sum >= 0 ? sum + count / 2 : sum - count / 2) / count;
        CHECK(dp::average(sum, count, dp::average_headroom(count), 1 << 30, 1) == tflite);
        const double real = r.uniform(0.3, 3.0);
        const dp::quantized_multiplier q = dp::quantize_multiplier(real);
        CHECK(std::abs(dp::average(sum, count, dp::average_headroom(count), q.multiplier, q.shift) -
                       real * sum / count) <= 0.5 + 1e-3);
    }
}

TEST_CASE("fixed point: scaling (one rounding) equals the rounded doubling high multiply, then the rounding shift",
          "[deploy][kernels]") {
    // The definition: TF Lite's two steps, written out.
    auto definition = [](std::int32_t x, std::int32_t m, int shift) {
        const int left = shift > 0 ? shift : 0;
        const auto shifted = static_cast<std::int32_t>(static_cast<std::uint32_t>(x) << left);
        return dp::rounding_divide_by_power_of_two(dp::saturating_rounding_doubling_high_mul(shifted, m), shift > 0 ? 0 : -shift);
    };
    constexpr std::array<std::int32_t, 13> edges{0, 1, -1, 3, -3, INT32_MIN, INT32_MAX, INT32_MIN + 1, INT32_MAX - 1, 1 << 30, -(1 << 30), (1 << 30) + 1, -(1 << 30) - 1};
    rng r(13);
    std::size_t off = 0;
    for (int shift = -31; shift <= 30; ++shift) {
        for (const std::int32_t x : edges)
            for (const std::int32_t m : edges) off += dp::scaling(m, shift)(x) == definition(x, m, shift) ? 0 : 1;
        for (int i = 0; i < 4000; ++i) {
            auto x = static_cast<std::int32_t>(r.below(std::uint64_t{1} << 32));
            auto m = static_cast<std::int32_t>(r.below(std::uint64_t{1} << 32));
            if (i % 3 == 1) x >>= pick(r, 0, 31);                                                            // small sums
            if (i % 3 == 2) m = static_cast<std::int32_t>((1U << 30) + static_cast<std::uint32_t>(r.below(1U << 30)));  // a factor's multiplier
            if (i % 5 == 0) x = pick(r, -4096, 4096);                                                        // ties
            off += dp::scaling(m, shift)(x) == definition(x, m, shift) ? 0 : 1;
            off += dp::multiply_by_quantized_multiplier(x, m, shift) == definition(x, m, shift) ? 0 : 1;
        }
    }
    CHECK(off == 0);
}

TEST_CASE("float32 conv equals the training kernels: square, grouped, depthwise with multiplier, strided, padded",
          "[deploy][kernels]") {
    rng r(21);
    for (const conv_family family : {conv_family::square, conv_family::window, conv_family::general}) {
        for (int trial = 0; trial < 120; ++trial) {
            const conv_case c = random_conv(r, family);
            const buffer<float> x = random_floats(r, c.in, c.slice);
            const std::vector<float> w = random_vector(r, c.weight_count());
            const std::vector<float> bias = random_vector(r, static_cast<std::size_t>(c.out.c));
            const std::vector<float> y = run_one<float>(dp::float32::conv, conv_step(c), {&x}, w, bias, {false, 0, c.scratch(4)});
            const std::vector<double> exact = direct_conv(c, x, w, bias);
            INFO("family " << static_cast<int>(family) << " in " << c.in.h << "x" << c.in.w << "x" << c.in.c << " out c " << c.out.c
                           << " kernel " << c.window.kernel_h << "x" << c.window.kernel_w << " stride " << c.window.stride
                           << " dilation " << c.window.dilation << " groups " << c.window.groups << " pads " << c.window.pad_top
                           << "," << c.window.pad_left << " slice " << c.slice);
            std::size_t off = 0;
            for (std::size_t i = 0; i < y.size(); ++i) off += close(y[i], exact[i]) ? 0 : 1;
            CHECK(off == 0);
            const std::vector<float> truth = training_conv(c, x.packed(), w, bias);
            off = 0;
            for (std::size_t i = 0; i < y.size(); ++i) off += close(y[i], truth[i]) ? 0 : 1;
            CHECK(off == 0);
        }
    }
}

TEST_CASE("int8 conv equals the integer definition and the float kernel within one step", "[deploy][kernels]") {
    rng r(31);
    for (int trial = 0; trial < 300; ++trial) {
        const conv_case c = random_conv(r, static_cast<conv_family>(trial % 3));
        const quantization in{r.uniform(0.01, 0.05), pick(r, -20, 20)};
        const buffer<std::int8_t> x = random_bytes(r, c.in, c.slice);
        std::vector<std::int8_t> w(c.weight_count());
        for (auto& v : w) v = static_cast<std::int8_t>(pick(r, -127, 127));
        std::vector<double> weight_scale(static_cast<std::size_t>(c.out.c));
        std::vector<std::int32_t> bias(static_cast<std::size_t>(c.out.c));
        for (auto& s : weight_scale) s = r.uniform(0.002, 0.01);
        for (auto& b : bias) b = pick(r, -3000, 3000);
        // The float network this stands for.
        std::vector<float> wf(w.size()), bf(bias.size());
        for (std::size_t i = 0; i < w.size(); ++i) wf[i] = static_cast<float>(weight_scale[i / static_cast<std::size_t>(c.filter())] * w[i]);
        for (std::size_t o = 0; o < bias.size(); ++o) bf[o] = static_cast<float>(in.scale * weight_scale[o] * bias[o]);
        const buffer<float> xf = dequantize(x, in.scale, in.zero);
        const std::vector<float> yf = run_one<float>(dp::float32::conv, conv_step(c), {&xf}, wf, bf, {false, 0, c.scratch(4)});
        const quantization out = covering(r, yf);
        const auto [lo, hi] = activation_range(c.activation, out);
        std::vector<std::int32_t> params{in.zero, out.zero, lo, hi};
        params.insert(params.end(), bias.begin(), bias.end());
        std::vector<std::int32_t> multiplier, shift;
        for (const double s : weight_scale) {
            const dp::quantized_multiplier q = dp::quantize_multiplier(in.scale * s / out.scale);
            multiplier.push_back(q.multiplier);
            shift.push_back(q.shift);
        }
        params.insert(params.end(), multiplier.begin(), multiplier.end());
        params.insert(params.end(), shift.begin(), shift.end());
        REQUIRE(params.size() == dp::param_layout::count(op_type::conv, precision::int8, c.out.c));

        const std::vector<std::int8_t> y = run_one<std::int8_t>(dp::int8::conv, conv_step(c), {&x}, w, params, {false, 0, c.scratch(1)});
        // The integer definition.
        std::vector<std::int8_t> expected;
        for (int oh = 0; oh < c.out.h; ++oh)
            for (int ow = 0; ow < c.out.w; ++ow)
                for (int oc = 0; oc < c.out.c; ++oc) {
                    std::int32_t acc = bias[static_cast<std::size_t>(oc)];
                    for_each_term(c, oh, ow, oc, [&](int ic, int wi, int p) { acc += (x.at(p, ic) - in.zero) * w[static_cast<std::size_t>(wi)]; });
                    const auto o = static_cast<std::size_t>(oc);
                    expected.push_back(saturate(dp::multiply_by_quantized_multiplier(acc, multiplier[o], shift[o]) + out.zero, lo, hi));
                }
        CHECK(y == expected);
        check_within_one_step(y, yf, out, lo, hi);
    }
}

TEST_CASE("depthwise conv in place equals out of place (1x1 element-wise, k x k through one plane)", "[deploy][kernels]") {
    rng r(41);
    for (int trial = 0; trial < 60; ++trial) {
        conv_case c;
        const int k = trial % 3 == 0 ? 1 : std::array{3, 5, 9}[r.below(3)];  // 9x9: more taps than a block holds
        const int dilation = k == 1 ? 1 : pick(r, 1, 2);
        c.in = shape{pick(r, 1, 8), pick(r, 1, 8), pick(r, 1, 6)};
        c.out = c.in;
        const int pad = k == 1 ? 0 : same_pad_before(c.in.h, (k - 1) * dilation + 1, 1);
        c.window = op_window{k, k, 1, dilation, c.in.c, pad, same_pad_before(c.in.w, (k - 1) * dilation + 1, 1)};
        c.activation = random_activation(r);
        if (c.in.c == 1) c.window.groups = 1;  // one channel: an ordinary convolution, never in place
        if (c.window.groups == 1) continue;
        INFO("in " << c.in.h << "x" << c.in.w << "x" << c.in.c << " kernel " << k << " dilation " << dilation);
        // The plane of scratch the cost model gives an in-place depthwise step (none for 1x1, which needs none).
        const auto plane = static_cast<std::uint32_t>(k == 1 ? 0 : c.out.h * c.out.w);
        {
            const buffer<float> x = random_floats(r, c.in);
            const std::vector<float> w = random_vector(r, c.weight_count());
            const std::vector<float> b = random_vector(r, static_cast<std::size_t>(c.out.c));
            const auto apart = run_one<float>(dp::float32::conv, conv_step(c), {&x}, w, b);
            const auto over = run_one<float>(dp::float32::conv, conv_step(c), {&x}, w, b, {true, 0, plane * 4});
            CHECK(apart == over);
        }
        {
            const buffer<std::int8_t> x = random_bytes(r, c.in);
            std::vector<std::int8_t> w(c.weight_count());
            for (auto& v : w) v = static_cast<std::int8_t>(pick(r, -127, 127));
            std::vector<std::int32_t> params{pick(r, -5, 5), pick(r, -5, 5), -128, 127};
            for (int o = 0; o < c.out.c; ++o) params.push_back(pick(r, -500, 500));
            for (int o = 0; o < c.out.c; ++o) params.push_back(dp::quantize_multiplier(r.uniform(0.001, 0.02)).multiplier);
            for (int o = 0; o < c.out.c; ++o) params.push_back(dp::quantize_multiplier(r.uniform(0.001, 0.02)).shift);
            const auto apart = run_one<std::int8_t>(dp::int8::conv, conv_step(c), {&x}, w, params);
            const auto over = run_one<std::int8_t>(dp::int8::conv, conv_step(c), {&x}, w, params, {true, 0, plane});
            CHECK(apart == over);
        }
    }
}

TEST_CASE("depthwise: the plane schedule (Cortex-M) equals the block schedule (SIMD hosts), in place or not",
          "[deploy][kernels]") {
#if NASCENT_RUNTIME_VECTOR
    rng r(45);
    for (int trial = 0; trial < 100; ++trial) {
        const bool in_place = coin(r);
        const int kh = pick(r, 1, 5), kw = pick(r, 1, 5), dilation = pick(r, 1, 2), stride = in_place ? 1 : pick(r, 1, 2);
        const int c = pick(r, 2, 40), multiplier = in_place ? 1 : pick(r, 1, 2);
        dp::step s;
        s.type = op_type::conv;
        s.in[0] = dp::operand{0, shape{pick(r, 1, 9), pick(r, 1, 9), c}, c};
        s.out.extent = shape{same_extent(s.in[0].extent.h, stride), same_extent(s.in[0].extent.w, stride), c * multiplier};
        s.out.pixel_stride = s.out.extent.c;
        s.window = op_window{kh, kw, stride, dilation, c, pick(r, 0, (kh - 1) * dilation), pick(r, 0, (kw - 1) * dilation)};
        const dp::detail::conv_geometry g = dp::detail::conv_geometry_of(s);
        INFO("in " << g.in.h << "x" << g.in.w << "x" << c << " kernel " << kh << "x" << kw << " in place " << in_place);
        const auto taps = static_cast<std::size_t>(kh * kw);
        // float32
        {
            const std::vector<float> x = random_vector(r, g.in.size()), w = random_vector(r, taps * static_cast<std::size_t>(g.out.c));
            const std::vector<float> bias = random_vector(r, static_cast<std::size_t>(g.out.c));
            auto first = [&](int oc) { return bias[static_cast<std::size_t>(oc)]; };
            auto finish = [](int, float v) { return v; };
            std::vector<float> planes = x, blocks = x, plane(g.out.size());
            if (!in_place) planes.assign(g.out.size(), 0.0F), blocks = planes;
            dp::detail::depthwise_planes(g, in_place ? planes.data() : x.data(), w.data(), 0.0F, first, finish,
                                         planes.data(), plane.data(), in_place);
            REQUIRE(dp::detail::depthwise_blocks(g, in_place ? blocks.data() : x.data(), w.data(), 0.0F, first, finish, blocks.data(),
                                                 plane.data(), in_place));
            for (std::size_t i = 0; i < planes.size(); ++i) CHECK(close(planes[i], blocks[i]));
        }
        // int8: exactly
        {
            std::vector<std::int8_t> x(g.in.size()), w(taps * static_cast<std::size_t>(g.out.c)), plane(g.out.size());
            for (auto& v : x) v = static_cast<std::int8_t>(pick(r, -128, 127));
            for (auto& v : w) v = static_cast<std::int8_t>(pick(r, -127, 127));
            const std::int32_t z = pick(r, -20, 20);
            auto first = [](int) { return std::int32_t{0}; };
            auto finish = [](int oc, std::int32_t v) { return saturate(v / 64 + oc); };
            std::vector<std::int8_t> planes = x, blocks = x;
            if (!in_place) planes.assign(g.out.size(), 0), blocks = planes;
            dp::detail::depthwise_planes(g, in_place ? planes.data() : x.data(), w.data(), z, first, finish, planes.data(), plane.data(), in_place);
            REQUIRE(dp::detail::depthwise_blocks(g, in_place ? blocks.data() : x.data(), w.data(), z, first, finish, blocks.data(),
                                                 plane.data(), in_place));
            CHECK(planes == blocks);
        }
    }
#else
    SUCCEED("this host runs the plane schedule only");
#endif
}

TEST_CASE("dense equals the training kernel and the integer definition", "[deploy][kernels]") {
    rng r(51);
    for (int trial = 0; trial < 60; ++trial) {
        // A feature vector, or (a slice of) a 3-D activation read in NHWC order.
        const bool image = trial % 3 == 0;
        const shape in = image ? shape{pick(r, 1, 3), pick(r, 1, 3), pick(r, 1, 5)} : shape{1, 1, pick(r, 1, 70)};
        const bool slice = image && coin(r);
        const int units = pick(r, 1, 13);
        const fused_activation act = random_activation(r);
        dp::step s;
        s.type = op_type::dense;
        s.activation = act;
        s.out.extent = shape{1, 1, units};
        const auto features = static_cast<int>(in.size());
        {
            const buffer<float> x = random_floats(r, in, slice);
            const std::vector<float> w = random_vector(r, static_cast<std::size_t>(units * features));
            const std::vector<float> b = random_vector(r, static_cast<std::size_t>(units));
            const auto y = run_one<float>(dp::float32::dense, s, {&x}, w, b);
            std::vector<float> truth(static_cast<std::size_t>(units));
            const std::vector<float> xp = x.packed();
            kernels::dense_forward(1, features, units, xp.data(), w.data(), b.data(), truth.data());
            apply_activation(truth, act);
            for (std::size_t i = 0; i < y.size(); ++i) CHECK(close(y[i], truth[i]));
        }
        {
            const quantization qin{r.uniform(0.01, 0.05), pick(r, -20, 20)};
            const buffer<std::int8_t> x = random_bytes(r, in, slice);
            std::vector<std::int8_t> w(static_cast<std::size_t>(units * features));
            for (auto& v : w) v = static_cast<std::int8_t>(pick(r, -127, 127));
            std::vector<double> ws(static_cast<std::size_t>(units));
            std::vector<std::int32_t> bias(static_cast<std::size_t>(units));
            for (auto& v : ws) v = r.uniform(0.002, 0.01);
            for (auto& v : bias) v = pick(r, -3000, 3000);
            std::vector<float> wf(w.size()), bf(bias.size());
            for (std::size_t i = 0; i < w.size(); ++i) wf[i] = static_cast<float>(ws[i / static_cast<std::size_t>(features)] * w[i]);
            for (std::size_t o = 0; o < bias.size(); ++o) bf[o] = static_cast<float>(qin.scale * ws[o] * bias[o]);
            const buffer<float> xf = dequantize(x, qin.scale, qin.zero);
            const auto yf = run_one<float>(dp::float32::dense, s, {&xf}, wf, bf);
            const quantization out = covering(r, yf);
            const auto [lo, hi] = activation_range(act, out);
            std::vector<std::int32_t> params{qin.zero, out.zero, lo, hi};
            params.insert(params.end(), bias.begin(), bias.end());
            std::vector<dp::quantized_multiplier> q;
            for (const double v : ws) q.push_back(dp::quantize_multiplier(qin.scale * v / out.scale));
            for (const auto& m : q) params.push_back(m.multiplier);
            for (const auto& m : q) params.push_back(m.shift);
            const auto y = run_one<std::int8_t>(dp::int8::dense, s, {&x}, w, params);
            const std::vector<std::int8_t> xp = x.packed();
            std::vector<std::int8_t> expected;
            for (int u = 0; u < units; ++u) {
                std::int32_t acc = bias[static_cast<std::size_t>(u)];
                for (int f = 0; f < features; ++f)
                    acc += (xp[static_cast<std::size_t>(f)] - qin.zero) * w[static_cast<std::size_t>(u * features + f)];
                const auto& m = q[static_cast<std::size_t>(u)];
                expected.push_back(saturate(dp::multiply_by_quantized_multiplier(acc, m.multiplier, m.shift) + out.zero, lo, hi));
            }
            CHECK(y == expected);
            check_within_one_step(y, yf, out, lo, hi);
        }
    }
}

TEST_CASE("int8 conv and dense with many channels and every requantisation form equal the integer definition",
          "[deploy][kernels]") {
    // Chunks of 32 filters, blocks of 16 lanes, odd counts; shifts of every sign (the kernels'
    // short form covers [-24, -2]); any zero points; the scratch the cost model gives (two windows
    // of bytes, not the contract's four).
    rng r(37);
    auto random_params = [&](int c, bool wild, std::vector<std::int32_t>& multiplier, std::vector<std::int32_t>& shift) {
        std::vector<std::int32_t> p{pick(r, -128, 127), pick(r, -128, 127), pick(r, -128, 127), pick(r, -128, 127)};
        if (p[2] > p[3]) std::swap(p[2], p[3]);
        if (coin(r)) p[2] = -128, p[3] = 127;
        for (int o = 0; o < c; ++o) p.push_back(wild && coin(r) ? static_cast<std::int32_t>(r.below(std::uint64_t{1} << 32)) : pick(r, -40000, 40000));
        multiplier.clear();
        shift.clear();
        for (int o = 0; o < c; ++o) {
            auto m = static_cast<std::int32_t>((1U << 30) + static_cast<std::uint32_t>(r.below(1U << 30)));
            if (wild && r.below(8) == 0) m = -m;
            multiplier.push_back(m);
            shift.push_back(wild ? pick(r, -31, 3) : pick(r, -16, -2));
        }
        p.insert(p.end(), multiplier.begin(), multiplier.end());
        p.insert(p.end(), shift.begin(), shift.end());
        return p;
    };
    for (int trial = 0; trial < 160; ++trial) {
        conv_case c;
        const int k = std::array{1, 1, 3, 3, 5, 2}[r.below(6)];
        const int groups = trial % 4 == 3 ? pick(r, 2, 3) : 1;
        c.in = shape{pick(r, 1, 7), pick(r, 1, 7), groups * pick(r, 1, k == 1 ? 40 : 12)};
        c.out.c = groups * pick(r, 1, 80 / groups);
        const int stride = pick(r, 1, 2), dilation = k == 1 ? 1 : pick(r, 1, 2);
        c.out.h = same_extent(c.in.h, stride);
        c.out.w = same_extent(c.in.w, stride);
        const int extent = (k - 1) * dilation + 1;
        c.window = op_window{k, k, stride, dilation, groups, pick(r, 0, extent - 1), pick(r, 0, extent - 1)};
        c.slice = r.below(3) == 0;
        INFO("in " << c.in.h << "x" << c.in.w << "x" << c.in.c << " out c " << c.out.c << " kernel " << k << " stride " << stride << " dilation "
                   << dilation << " groups " << groups);
        const buffer<std::int8_t> x = random_bytes(r, c.in, c.slice);
        std::vector<std::int8_t> w(c.weight_count());
        for (auto& v : w) v = static_cast<std::int8_t>(pick(r, -128, 127));
        std::vector<std::int32_t> multiplier, shift;
        const std::vector<std::int32_t> params = random_params(c.out.c, trial % 2 == 1, multiplier, shift);
        const std::int32_t z_in = params[0], z_out = params[1], lo = params[2], hi = params[3];
        const auto scratch = static_cast<std::uint32_t>(c.taps() > 1 ? 2 * c.filter() : 0);
        const auto y = run_one<std::int8_t>(dp::int8::conv, conv_step(c), {&x}, w, params, {false, 0, scratch});
        std::vector<std::int8_t> expected;
        for (int oh = 0; oh < c.out.h; ++oh)
            for (int ow = 0; ow < c.out.w; ++ow)
                for (int oc = 0; oc < c.out.c; ++oc) {
                    std::int32_t acc = 0;
                    for_each_term(c, oh, ow, oc, [&](int ic, int wi, int p) { acc += (x.at(p, ic) - z_in) * w[static_cast<std::size_t>(wi)]; });
                    const auto o = static_cast<std::size_t>(oc);
                    acc = static_cast<std::int32_t>(static_cast<std::uint32_t>(acc) + static_cast<std::uint32_t>(params[4 + o]));
                    expected.push_back(saturate(dp::multiply_by_quantized_multiplier(acc, multiplier[o], shift[o]) + z_out, lo, hi));
                }
        CHECK(y == expected);
    }
    for (int trial = 0; trial < 60; ++trial) {
        const bool image = coin(r);
        const shape in = image ? shape{pick(r, 1, 3), pick(r, 1, 3), pick(r, 1, 40)} : shape{1, 1, pick(r, 1, 600)};
        const bool slice = image && coin(r);
        const int units = pick(r, 1, 100);
        dp::step s;
        s.type = op_type::dense;
        s.out.extent = shape{1, 1, units};
        const auto features = static_cast<int>(in.size());
        const buffer<std::int8_t> x = random_bytes(r, in, slice);
        std::vector<std::int8_t> w(static_cast<std::size_t>(units * features));
        for (auto& v : w) v = static_cast<std::int8_t>(pick(r, -128, 127));
        std::vector<std::int32_t> multiplier, shift;
        const std::vector<std::int32_t> params = random_params(units, trial % 2 == 1, multiplier, shift);
        const auto y = run_one<std::int8_t>(dp::int8::dense, s, {&x}, w, params);
        const std::vector<std::int8_t> xp = x.packed();
        std::vector<std::int8_t> expected;
        for (int u = 0; u < units; ++u) {
            auto acc = static_cast<std::uint32_t>(params[4 + static_cast<std::size_t>(u)]);
            for (int f = 0; f < features; ++f)
                acc += static_cast<std::uint32_t>((xp[static_cast<std::size_t>(f)] - params[0]) * w[static_cast<std::size_t>(u * features + f)]);
            const auto o = static_cast<std::size_t>(u);
            expected.push_back(saturate(dp::multiply_by_quantized_multiplier(static_cast<std::int32_t>(acc), multiplier[o], shift[o]) + params[1], params[2], params[3]));
        }
        CHECK(y == expected);
    }
}

TEST_CASE("pools equal the training kernels and the integer definition", "[deploy][kernels]") {
    rng r(61);
    for (int trial = 0; trial < 150; ++trial) {
        const shape in{pick(r, 1, 9), pick(r, 1, 9), pick(r, 1, 7)};
        const int kernel = pick(r, 1, 4);
        const padding pad = coin(r) || in.h < kernel || in.w < kernel ? padding::same : padding::valid;
        const pool2d_geometry g = pool2d_geometry_for(in, kernel, pick(r, 1, 3), pad);
        const bool slice = coin(r);
        const int kind = trial % 3;  // max, avg, global
        dp::step s;
        s.type = kind == 0 ? op_type::max_pool : kind == 1 ? op_type::avg_pool : op_type::global_avg_pool;
        s.window = op_window{kernel, kernel, g.stride, 1, 1, g.pad_top, g.pad_left};
        s.out.extent = kind == 2 ? shape{1, 1, in.c} : g.out;
        INFO("in " << in.h << "x" << in.w << "x" << in.c << " kernel " << kernel << " stride " << g.stride << " kind " << kind);
        auto float_kernel = kind == 0 ? dp::float32::max_pool : kind == 1 ? dp::float32::avg_pool : dp::float32::global_avg_pool;
        auto int8_kernel = kind == 0 ? dp::int8::max_pool : kind == 1 ? dp::int8::avg_pool : dp::int8::global_avg_pool;
        // float32 against the training kernels
        const buffer<float> x = random_floats(r, in, slice);
        const auto y = run_one<float>(float_kernel, s, {&x}, std::vector<float>{}, std::vector<float>{});
        const std::vector<float> xp = x.packed();
        std::vector<float> truth(s.out.extent.size());
        std::vector<std::int32_t> argmax(truth.size());
        if (kind == 0) kernels::max_pool2d_forward(g, 1, xp.data(), truth.data(), argmax.data());
        if (kind == 1) kernels::avg_pool2d_forward(g, 1, xp.data(), truth.data());
        if (kind == 2) kernels::global_avg_pool_forward(in, 1, xp.data(), truth.data());
        for (std::size_t i = 0; i < y.size(); ++i) CHECK(close(y[i], truth[i]));
        // int8: rescaled (or the identity) and clamped
        const quantization qin{r.uniform(0.01, 0.05), pick(r, -20, 20)};
        const bool identity = coin(r);
        const quantization out = identity ? qin : quantization{qin.scale * r.uniform(0.7, 1.6), pick(r, -20, 20)};
        const dp::quantized_multiplier m = identity ? dp::identity_multiplier : dp::quantize_multiplier(qin.scale / out.scale);
        const int lo = coin(r) ? -128 : std::max(-128, out.zero), hi = 127;
        const std::vector<std::int32_t> params{qin.zero, out.zero, lo, hi, m.multiplier, m.shift};
        const buffer<std::int8_t> xq = random_bytes(r, in, slice);
        const auto yq = run_one<std::int8_t>(int8_kernel, s, {&xq}, std::vector<std::int8_t>{}, params);
        std::vector<std::int8_t> expected;
        const int count_max = kind == 2 ? in.h * in.w : kernel * kernel;
        for (int p = 0; p < static_cast<int>(s.out.extent.size() / static_cast<std::size_t>(in.c)); ++p)
            for (int c = 0; c < in.c; ++c) {
                int h0 = 0, h1 = in.h, w0 = 0, w1 = in.w;
                if (kind != 2) {
                    const int oh = p / g.out.w, ow = p % g.out.w;
                    h0 = g.row_begin(oh), h1 = g.row_end(oh), w0 = g.col_begin(ow), w1 = g.col_end(ow);
                }
                std::int32_t best = -128, sum = 0;
                for (int ih = h0; ih < h1; ++ih)
                    for (int iw = w0; iw < w1; ++iw) {
                        best = std::max<std::int32_t>(best, xq.at(ih * in.w + iw, c));
                        sum += xq.at(ih * in.w + iw, c) - qin.zero;
                    }
                const std::int32_t count = (h1 - h0) * (w1 - w0);
                std::int32_t v = 0;
                if (kind == 0) {
                    v = dp::multiply_by_quantized_multiplier(best - qin.zero, m.multiplier, m.shift);
                } else if (identity) {
                    v = (sum >= 0 ? sum + count / 2 : sum - count / 2) / count;  // TF Lite's rounded mean
                } else {
                    v = dp::average(sum, count, dp::average_headroom(count_max), m.multiplier, m.shift);
                }
                expected.push_back(saturate(v + out.zero, lo, hi));
            }
        CHECK(yq == expected);
        const buffer<float> xf = dequantize(xq, qin.scale, qin.zero);
        const auto yf = run_one<float>(float_kernel, s, {&xf}, std::vector<float>{}, std::vector<float>{});
        check_within_one_step(yq, yf, out, lo, hi);
    }
}

TEST_CASE("add, relu and relu6 equal the training kernels and TF Lite's integer arithmetic, also in place",
          "[deploy][kernels]") {
    rng r(71);
    for (int trial = 0; trial < 90; ++trial) {
        const shape sh{pick(r, 1, 6), pick(r, 1, 6), pick(r, 1, 9)};
        const int kind = trial % 3;  // add, relu, relu6
        const bool slice = r.below(3) == 0;
        dp::step s;
        s.type = kind == 0 ? op_type::add : kind == 1 ? op_type::relu : op_type::relu6;
        s.activation = kind == 0 ? random_activation(r) : fused_activation::none;
        s.out.extent = sh;
        const fused_activation act = kind == 0 ? s.activation : kind == 1 ? fused_activation::relu : fused_activation::relu6;
        auto float_kernel = kind == 0 ? dp::float32::add : kind == 1 ? dp::float32::relu : dp::float32::relu6;
        auto int8_kernel = kind == 0 ? dp::int8::add : kind == 1 ? dp::int8::relu : dp::int8::relu6;
        const int inputs = kind == 0 ? 2 : 1;
        // float32
        const buffer<float> a = random_floats(r, sh, slice), b = random_floats(r, sh, slice && coin(r));
        std::vector<const buffer<float>*> fin{&a, &b};
        fin.resize(static_cast<std::size_t>(inputs));
        const auto y = run_one<float>(float_kernel, s, fin, std::vector<float>{}, std::vector<float>{});
        std::vector<float> truth(sh.size());
        const std::vector<float> ap = a.packed(), bp = b.packed();
        if (kind == 0) kernels::add_forward(truth.size(), ap.data(), bp.data(), truth.data());
        else truth = ap;
        apply_activation(truth, act);
        CHECK(y == truth);
        // int8
        const quantization qa{r.uniform(0.01, 0.05), pick(r, -20, 20)}, qb{r.uniform(0.01, 0.05), pick(r, -20, 20)};
        const buffer<std::int8_t> xa = random_bytes(r, sh, slice), xb = random_bytes(r, sh, slice && coin(r));
        std::vector<const buffer<std::int8_t>*> qin{&xa, &xb};
        qin.resize(static_cast<std::size_t>(inputs));
        const buffer<float> fa = dequantize(xa, qa.scale, qa.zero), fb = dequantize(xb, qb.scale, qb.zero);
        std::vector<const buffer<float>*> fq{&fa, &fb};
        fq.resize(static_cast<std::size_t>(inputs));
        const auto yf = run_one<float>(float_kernel, s, fq, std::vector<float>{}, std::vector<float>{});
        const bool identity = kind != 0 && coin(r);
        const quantization out = identity ? qa : kind == 0 ? covering(r, yf) : quantization{qa.scale * r.uniform(0.7, 1.6), pick(r, -20, 20)};
        const auto [lo, hi] = activation_range(act, out);
        std::vector<std::int32_t> params;
        std::vector<std::int8_t> expected;
        if (kind == 0) {
            // TF Lite's quantised add: inputs on a common scale of twice the larger input scale.
            const int left = 20;
            const double twice = 2.0 * std::max(qa.scale, qb.scale);
            const auto ma = dp::quantize_multiplier(qa.scale / twice), mb = dp::quantize_multiplier(qb.scale / twice);
            const auto mo = dp::quantize_multiplier(twice / ((1 << left) * out.scale));
            params = {qa.zero, qb.zero, out.zero, lo, hi, left, ma.multiplier, ma.shift, mb.multiplier, mb.shift, mo.multiplier, mo.shift};
            for (int p = 0; p < sh.h * sh.w; ++p)
                for (int c = 0; c < sh.c; ++c) {
                    const std::int32_t va = dp::multiply_by_quantized_multiplier((xa.at(p, c) - qa.zero) * (1 << left), ma.multiplier, ma.shift);
                    const std::int32_t vb = dp::multiply_by_quantized_multiplier((xb.at(p, c) - qb.zero) * (1 << left), mb.multiplier, mb.shift);
                    expected.push_back(saturate(dp::multiply_by_quantized_multiplier(va + vb, mo.multiplier, mo.shift) + out.zero, lo, hi));
                }
        } else {
            const auto m = identity ? dp::identity_multiplier : dp::quantize_multiplier(qa.scale / out.scale);
            params = {qa.zero, out.zero, lo, hi, m.multiplier, m.shift};
            for (int p = 0; p < sh.h * sh.w; ++p)
                for (int c = 0; c < sh.c; ++c)
                    expected.push_back(saturate(dp::multiply_by_quantized_multiplier(xa.at(p, c) - qa.zero, m.multiplier, m.shift) + out.zero, lo, hi));
        }
        const auto yq = run_one<std::int8_t>(int8_kernel, s, qin, std::vector<std::int8_t>{}, params);
        CHECK(yq == expected);
        check_within_one_step(yq, yf, out, lo, hi);
        // In place over each input that has the output's layout.
        for (int over = 0; over < inputs; ++over) {
            if (fin[static_cast<std::size_t>(over)]->stride != sh.c) continue;
            CHECK(run_one<float>(float_kernel, s, fin, std::vector<float>{}, std::vector<float>{}, {true, over}) == y);
            if (qin[static_cast<std::size_t>(over)]->stride != sh.c) continue;
            CHECK(run_one<std::int8_t>(int8_kernel, s, qin, std::vector<std::int8_t>{}, params, {true, over}) == yq);
        }
    }
}

/// The kernels of an element-wise op type whose int8 kernel is a lookup table: float32 equals the
/// training kernel `truth_of` on values spanning -5..5, int8 (the table deploy::quantize fills)
/// is within one step of float32 on the dequantised input; both also in place.
template <op_type Type, class TrainingForward>
void check_lookup_table_op(rng& r, TrainingForward truth_of) {
    constexpr auto float_kernel = nascent::runtime::kernel<Type, precision::float32>::run;
    constexpr auto int8_kernel = nascent::runtime::kernel<Type, precision::int8>::run;
    for (int trial = 0; trial < 40; ++trial) {
        const shape sh{pick(r, 1, 6), pick(r, 1, 6), pick(r, 1, 9)};
        const bool slice = r.below(3) == 0;
        dp::step s;
        s.type = Type;
        s.out.extent = sh;
        buffer<float> a = random_floats(r, sh, slice);
        for (auto& v : a.data) v *= 5.0F;
        const auto y = run_one<float>(float_kernel, s, {&a}, std::vector<float>{}, std::vector<float>{});
        const std::vector<float> ap = a.packed();
        std::vector<float> truth(sh.size());
        truth_of(truth.size(), ap.data(), truth.data());
        CHECK(y == truth);
        if (a.stride == sh.c) CHECK(run_one<float>(float_kernel, s, {&a}, std::vector<float>{}, std::vector<float>{}, {true, 0}) == y);
        const quantization in{r.uniform(0.02, 0.06), pick(r, -20, 20)};
        const buffer<std::int8_t> x = random_bytes(r, sh, slice);
        const buffer<float> xf = dequantize(x, in.scale, in.zero);
        const auto yf = run_one<float>(float_kernel, s, {&xf}, std::vector<float>{}, std::vector<float>{});
        const quantization out = covering(r, yf);
        std::vector<std::int32_t> params(dp::param_layout::count(Type, precision::int8, sh.c), 0);
        REQUIRE(params.size() == 64);
        REQUIRE(dp::detail::fill_lookup_table(Type, {static_cast<float>(in.scale), in.zero}, {static_cast<float>(out.scale), out.zero},
                                              params.data()));
        const auto yq = run_one<std::int8_t>(int8_kernel, s, {&x}, std::vector<std::int8_t>{}, params);
        check_within_one_step(yq, yf, {static_cast<float>(out.scale), out.zero}, -128, 127);
        if (x.stride == sh.c) CHECK(run_one<std::int8_t>(int8_kernel, s, {&x}, std::vector<std::int8_t>{}, params, {true, 0}) == yq);
    }
}

TEST_CASE("hard_swish equals the training kernel; int8 (its lookup table) within one step, also in place",
          "[deploy][kernels]") {
    rng r(75);
    check_lookup_table_op<op_type::hard_swish>(r, [](std::size_t n, const float* x, float* y) { kernels::hard_swish_forward(n, x, y); });
}

TEST_CASE("hard_sigmoid equals the training kernel; int8 (its lookup table) within one step, also in place",
          "[deploy][kernels]") {
    rng r(76);
    check_lookup_table_op<op_type::hard_sigmoid>(r, [](std::size_t n, const float* x, float* y) { kernels::hard_sigmoid_forward(n, x, y); });
}

TEST_CASE("zero, concat and channel_shuffle equal the training kernels; shuffle in place through one pixel",
          "[deploy][kernels]") {
    rng r(81);
    for (int trial = 0; trial < 60; ++trial) {
        const shape sa{pick(r, 1, 6), pick(r, 1, 6), pick(r, 1, 7)};
        const shape sb{sa.h, sa.w, pick(r, 1, 7)};
        // zero (with a stride: the output's extent is all that counts)
        {
            dp::step s;
            s.type = op_type::zero;
            s.window.stride = pick(r, 1, 2);
            s.out.extent = shape{same_extent(sa.h, s.window.stride), same_extent(sa.w, s.window.stride), sa.c};
            const buffer<float> x = random_floats(r, sa);
            CHECK(run_one<float>(dp::float32::zero, s, {&x}, std::vector<float>{}, std::vector<float>{}) ==
                  std::vector<float>(s.out.extent.size(), 0.0F));
            const buffer<std::int8_t> xq = random_bytes(r, sa);
            const int z = pick(r, -128, 127);
            CHECK(run_one<std::int8_t>(dp::int8::zero, s, {&xq}, std::vector<std::int8_t>{}, std::vector<std::int32_t>{z}) ==
                  std::vector<std::int8_t>(s.out.extent.size(), static_cast<std::int8_t>(z)));
        }
        // concat of (slices of) two buffers
        {
            dp::step s;
            s.type = op_type::concat;
            s.out.extent = shape{sa.h, sa.w, sa.c + sb.c};
            const buffer<float> a = random_floats(r, sa, coin(r)), b = random_floats(r, sb, coin(r));
            std::vector<float> truth(s.out.extent.size());
            const std::vector<float> ap = a.packed(), bp = b.packed();
            const auto px = static_cast<std::size_t>(sa.h * sa.w);
            kernels::copy_channels(px, ap.data(), sa.c, 0, truth.data(), s.out.extent.c, 0, sa.c);
            kernels::copy_channels(px, bp.data(), sb.c, 0, truth.data(), s.out.extent.c, sa.c, sb.c);
            CHECK(run_one<float>(dp::float32::concat, s, {&a, &b}, std::vector<float>{}, std::vector<float>{}) == truth);
            // int8: each input requantised to the output's parameters (or copied: the identity)
            const quantization qa{r.uniform(0.01, 0.05), pick(r, -20, 20)}, qb{r.uniform(0.01, 0.05), pick(r, -20, 20)};
            const bool identity = coin(r);
            const quantization out = identity ? qa : quantization{r.uniform(0.01, 0.05), pick(r, -20, 20)};
            const auto ma = identity ? dp::identity_multiplier : dp::quantize_multiplier(qa.scale / out.scale);
            const auto mb = dp::quantize_multiplier(qb.scale / out.scale);
            const std::vector<std::int32_t> params{qa.zero, qb.zero, out.zero, ma.multiplier, ma.shift, mb.multiplier, mb.shift};
            REQUIRE(params.size() == dp::param_layout::count(op_type::concat, precision::int8, s.out.extent.c));
            const buffer<std::int8_t> xa = random_bytes(r, sa, coin(r)), xb = random_bytes(r, sb, coin(r));
            std::vector<std::int8_t> expected;
            for (int p = 0; p < sa.h * sa.w; ++p) {
                for (int c = 0; c < sa.c; ++c)
                    expected.push_back(saturate(dp::multiply_by_quantized_multiplier(xa.at(p, c) - qa.zero, ma.multiplier, ma.shift) + out.zero));
                for (int c = 0; c < sb.c; ++c)
                    expected.push_back(saturate(dp::multiply_by_quantized_multiplier(xb.at(p, c) - qb.zero, mb.multiplier, mb.shift) + out.zero));
            }
            const auto yq = run_one<std::int8_t>(dp::int8::concat, s, {&xa, &xb}, std::vector<std::int8_t>{}, params);
            CHECK(yq == expected);
            const buffer<float> fa = dequantize(xa, qa.scale, qa.zero), fb = dequantize(xb, qb.scale, qb.zero);
            const auto yf = run_one<float>(dp::float32::concat, s, {&fa, &fb}, std::vector<float>{}, std::vector<float>{});
            check_within_one_step(yq, yf, out, -128, 127);
        }
        // channel_shuffle, out of place and in place (one pixel of scratch, as the cost model gives)
        {
            const int groups = pick(r, 2, 4);
            const shape sh{sa.h, sa.w, groups * pick(r, 1, 4)};
            dp::step s;
            s.type = op_type::channel_shuffle;
            s.window.groups = groups;
            s.out.extent = sh;
            const auto px = static_cast<std::size_t>(sh.h * sh.w);
            const buffer<float> x = random_floats(r, sh, coin(r));
            std::vector<float> truth(sh.size());
            const std::vector<float> xp = x.packed();
            kernels::channel_shuffle_forward(px, sh.c, groups, xp.data(), truth.data());
            const auto pixel = static_cast<std::uint32_t>(sh.c);
            CHECK(run_one<float>(dp::float32::channel_shuffle, s, {&x}, std::vector<float>{}, std::vector<float>{}, {false, 0, pixel * 4}) == truth);
            const buffer<float> dense_x = random_floats(r, sh);
            const std::vector<float> dp_ = dense_x.packed();
            kernels::channel_shuffle_forward(px, sh.c, groups, dp_.data(), truth.data());
            CHECK(run_one<float>(dp::float32::channel_shuffle, s, {&dense_x}, std::vector<float>{}, std::vector<float>{}, {true, 0, pixel * 4}) == truth);
            const buffer<std::int8_t> xq = random_bytes(r, sh);
            std::vector<std::int8_t> tq(sh.size());
            kernels::channel_shuffle_forward(px, sh.c, groups, xq.data.data(), tq.data());
            CHECK(run_one<std::int8_t>(dp::int8::channel_shuffle, s, {&xq}, std::vector<std::int8_t>{}, std::vector<std::int32_t>{}, {false, 0, pixel}) == tq);
            CHECK(run_one<std::int8_t>(dp::int8::channel_shuffle, s, {&xq}, std::vector<std::int8_t>{}, std::vector<std::int32_t>{}, {true, 0, pixel}) == tq);
        }
    }
}

// --- whole programs -----------------------------------------------------------------------------------
namespace {

/// Every op type: a stem with a folded batch norm, a residual (in-place depthwise, add in place),
/// a standalone batch norm (1x1 depthwise in place, fused relu), ShuffleNetV2's split unit
/// (channel split, identity half read by the concatenation, shuffle in place), a split whose
/// branch is a residual (an add reading a channel slice), a pool and a standalone relu, a choice of
/// a grouped or an asymmetric strided convolution, branches of zero and a dilated depthwise
/// convolution, average pooling, a depthwise multiplier, global pooling and a classifier.
using program_net = sequential<
    conv2d<8, 3>, batch_norm, relu,
    residual<sequential<conv2d<8, 1>, batch_norm, relu6, depthwise_conv2d<3>, batch_norm>>, batch_norm, relu,
    blocks::shufflenet_v2<8, 8, 3, 1>,
    channel_split<residual<depthwise_conv2d<3>>, sequential<conv2d<4, 1>, relu>>,
    max_pool2d<2>, relu,
    choice<conv2d<16, 3, 2, 2>, asymmetric_conv2d<16, 1, 3, 2>>,
    branches<zero<1>, dilated_depthwise_conv2d<3, 2>>,
    avg_pool2d<3, 1, padding::same>, depthwise_conv2d<3, 1, 2>, global_avg_pool, dense<10>>;
constexpr shape program_input{12, 12, 3};

/// Parameters an int8 program can run with: modest factors, so that values stay inside the range.
std::vector<std::int32_t> int8_params(rng& r, std::span<const dp::step> steps, std::uint32_t count) {
    std::vector<std::int32_t> p(count, 0);
    for (const dp::step& s : steps) {
        std::int32_t* q = p.data() + s.params;
        const int c = s.out.extent.c;
        const int zero = pick(r, -10, 10);
        switch (s.type) {
        case op_type::conv:
        case op_type::dense: {
            const int window = s.type == op_type::dense ? static_cast<int>(s.in[0].extent.size())
                                                        : s.window.kernel_h * s.window.kernel_w * s.in[0].extent.c / s.window.groups;
            q[0] = pick(r, -10, 10);
            q[1] = zero;
            q[2] = s.activation == fused_activation::none ? -128 : zero;
            q[3] = s.activation == fused_activation::relu6 ? zero + 60 : 127;
            for (int o = 0; o < c; ++o) {
                q[4 + o] = pick(r, -2000, 2000);
                const auto m = dp::quantize_multiplier(r.uniform(0.5, 2.0) / (std::sqrt(window) * 60.0));
                q[4 + c + o] = m.multiplier;
                q[4 + 2 * c + o] = m.shift;
            }
            break;
        }
        case op_type::add: {
            const auto ma = dp::quantize_multiplier(r.uniform(0.2, 0.5)), mb = dp::quantize_multiplier(r.uniform(0.2, 0.5));
            const auto mo = dp::quantize_multiplier(r.uniform(1.0, 2.0) / (1 << 20));
            const std::int32_t lo = s.activation == fused_activation::none ? -128 : zero;
            const std::int32_t v[] = {pick(r, -10, 10), pick(r, -10, 10), zero, lo, 127, 20, ma.multiplier, ma.shift,
                                      mb.multiplier, mb.shift, mo.multiplier, mo.shift};
            std::copy(std::begin(v), std::end(v), q);
            break;
        }
        case op_type::max_pool:
        case op_type::avg_pool:
        case op_type::global_avg_pool:
        case op_type::relu:
        case op_type::relu6: {
            const auto m = dp::quantize_multiplier(r.uniform(0.8, 1.25));
            const bool activation = s.type == op_type::relu || s.type == op_type::relu6;
            const std::int32_t v[] = {pick(r, -10, 10), zero, activation ? zero : -128, s.type == op_type::relu6 ? zero + 60 : 127,
                                      m.multiplier, m.shift};
            std::copy(std::begin(v), std::end(v), q);
            break;
        }
        case op_type::zero: q[0] = zero; break;
        case op_type::concat: {
            const auto ma = dp::quantize_multiplier(r.uniform(0.8, 1.25)), mb = dp::quantize_multiplier(r.uniform(0.8, 1.25));
            const std::int32_t v[] = {pick(r, -10, 10), pick(r, -10, 10), zero, ma.multiplier, ma.shift, mb.multiplier, mb.shift};
            std::copy(std::begin(v), std::end(v), q);
            break;
        }
        default: break;
        }
    }
    return p;
}

/// Runs `prog` (compiled from g and plan) in one arena as planned, and the same steps with every
/// tensor in a buffer of its own (nothing shared, nothing in place); every step's output must agree.
template <class T, class W, class P, std::size_t N>
void check_program(const dp::program<N>& prog, const cost::graph& g, const cost::memory_plan& plan, const std::vector<W>& weights,
                   const std::vector<P>& params, const std::vector<T>& image) {
    constexpr std::size_t e = sizeof(T);
    // The planned arena.
    std::vector<std::uint32_t> words((prog.arena_bytes + 3) / 4 + 1, 0xDEADBEEFU);
    auto* arena = reinterpret_cast<std::byte*>(words.data());
    std::memcpy(dp::input<T>(prog, arena), image.data(), image.size() * e);
    std::vector<std::vector<std::byte>> seen;
    std::size_t calls = 0;
    const dp::run_status status = dp::run(prog, weights.data(), params.data(), arena, [&](std::size_t i, const dp::step& s, const std::byte* a) {
        CHECK(i == calls++);
        CHECK(s == prog.steps[i]);
        seen.emplace_back(a + s.out.offset, a + s.out.offset + s.out.extent.size() * e);
    });
    REQUIRE(status == dp::run_status::ok);
    REQUIRE(calls == N);
    // Separate buffers: tensor t at its own offset, the scratch after them all.
    std::vector<std::uint32_t> own(g.tensors.size());
    std::uint32_t at = 0;
    for (std::size_t t = 0; t < g.tensors.size(); ++t) {
        own[t] = at;
        at += static_cast<std::uint32_t>(cost::aligned_bytes(g.tensors[t].extent.size() * e)) + 16;
    }
    dp::program<N> apart = prog;
    for (std::size_t s = 0; s < N; ++s) {
        const cost::op_node& o = g.ops[static_cast<std::size_t>(plan.order[s])];
        dp::step& st = apart.steps[s];
        for (int i = 0; i < o.input_count(); ++i)
            st.in[i].offset = own[static_cast<std::size_t>(o.inputs[i])] + static_cast<std::uint32_t>(o.channel_offset[i]) * static_cast<std::uint32_t>(e);
        st.out.offset = own[static_cast<std::size_t>(o.output)];
        st.in_place = false;
        st.scratch_offset = at;
        st.scratch_bytes = static_cast<std::uint32_t>(o.scratch_bytes);
    }
    apart.input.offset = own[0];
    apart.output.offset = own[static_cast<std::size_t>(g.output)];
    std::vector<std::uint32_t> separate((at + 65536) / 4, 0);
    auto* sep = reinterpret_cast<std::byte*>(separate.data());
    std::memcpy(dp::input<T>(apart, sep), image.data(), image.size() * e);
    REQUIRE(dp::run(apart, weights.data(), params.data(), sep) == dp::run_status::ok);
    for (std::size_t s = 0; s < N; ++s) {
        const dp::step& st = apart.steps[s];
        const std::vector<std::byte> expected(sep + st.out.offset, sep + st.out.offset + st.out.extent.size() * e);
        INFO("step " << s << " of type " << static_cast<int>(st.type));
        CHECK(seen[s] == expected);
    }
    const std::size_t n = prog.output.extent.size();
    CHECK(std::memcmp(dp::output<T>(prog, arena), dp::output<T>(apart, sep), n * e) == 0);
    CHECK(dp::argmax(prog, arena) == dp::argmax(apart, sep));
}

template <precision P, std::size_t Choice>
void check_program_net(rng& r) {
    static constexpr std::array<int, 1> arch{static_cast<int>(Choice)};
    const auto prog = dp::compile_architecture<program_net, program_input, P, arch>();
    constexpr std::size_t steps = std::remove_cvref_t<decltype(prog)>::step_count;
    const cost::graph g = cost::lower<program_net>(program_input, P, std::span<const int>(arch));
    const cost::memory_plan plan = cost::plan(g);
    REQUIRE(dp::compile<steps>(g, plan, P) == prog);
    // Every op type, several in place.
    int in_place = 0;
    std::array<bool, 12> types{};
    for (const dp::step& s : prog.steps) {
        in_place += s.in_place ? 1 : 0;
        types[static_cast<std::size_t>(s.type)] = true;
    }
    CHECK(in_place >= 4);
    for (const op_type t : {op_type::conv, op_type::dense, op_type::max_pool, op_type::avg_pool, op_type::global_avg_pool,
                            op_type::add, op_type::relu, op_type::zero, op_type::concat, op_type::channel_shuffle})
        CHECK(types[static_cast<std::size_t>(t)]);
    if constexpr (P == precision::float32) {
        const std::vector<float> w = random_vector(r, prog.weight_count, -0.5, 0.5);
        const std::vector<float> p = random_vector(r, prog.param_count, -0.2, 0.2);
        check_program<float>(prog, g, plan, w, p, random_vector(r, program_input.size()));
        // The wrong element type is refused before anything runs.
        std::vector<std::uint32_t> words(prog.arena_bytes / 4 + 2);
        auto* arena = reinterpret_cast<std::byte*>(words.data());
        const std::vector<std::int8_t> wq(prog.weight_count);
        const std::vector<std::int32_t> pq(prog.param_count);
        CHECK(dp::run(prog, wq.data(), pq.data(), arena) == dp::run_status::wrong_precision);
        CHECK(dp::run(prog, w.data(), p.data(), arena + 1) == dp::run_status::misaligned_arena);
        CHECK(dp::input<std::int8_t>(prog, arena) == nullptr);
        CHECK(dp::output<std::int8_t>(prog, arena) == nullptr);
    } else {
        std::vector<std::int8_t> w(prog.weight_count);
        for (auto& v : w) v = static_cast<std::int8_t>(pick(r, -127, 127));
        const std::vector<std::int32_t> p = int8_params(r, prog.steps, prog.param_count);
        std::vector<std::int8_t> image(program_input.size());
        for (auto& v : image) v = static_cast<std::int8_t>(pick(r, -128, 127));
        check_program<std::int8_t>(prog, g, plan, w, p, image);
        std::vector<std::uint32_t> words(prog.arena_bytes / 4 + 2);
        const std::vector<float> wf(prog.weight_count), pf(prog.param_count);
        CHECK(dp::run(prog, wf.data(), pf.data(), reinterpret_cast<std::byte*>(words.data())) == dp::run_status::wrong_precision);
    }
}

} // namespace

/// What each step of a program must satisfy for its kernel: operand shapes that agree with the op
/// type, the parameter counts of param_layout, every operand and scratch inside the arena.
template <std::size_t N>
void check_well_formed(const dp::program<N>& p) {
    const std::size_t e = element_bytes(p.element);
    // Inside the arena; a whole buffer (not a channel slice) starts on a word.
    auto inside = [&](const dp::operand& o) {
        const auto stride = static_cast<std::size_t>(o.pixel_stride > 0 ? o.pixel_stride : o.extent.c);
        const std::size_t end = (static_cast<std::size_t>(o.extent.h * o.extent.w) - 1) * stride + static_cast<std::size_t>(o.extent.c);
        const bool slice = stride != static_cast<std::size_t>(o.extent.c);
        return o.offset + end * e <= p.arena_bytes && (slice || o.offset % 4 == 0);
    };
    for (std::size_t i = 0; i < N; ++i) {
        const dp::step& s = p.steps[i];
        INFO("step " << i << " of type " << static_cast<int>(s.type));
        const shape a = s.in[0].extent, b = s.in[1].extent, y = s.out.extent;
        CHECK(inside(s.in[0]));
        CHECK(inside(s.out));
        CHECK(s.scratch_offset + s.scratch_bytes <= p.arena_bytes);
        CHECK(s.param_count == dp::param_layout::count(s.type, p.element, y.c));
        if (s.in_place) CHECK((s.out.offset == s.in[0].offset || (s.type == op_type::add && s.out.offset == s.in[1].offset)));
        switch (s.type) {
        case op_type::conv:
            CHECK(a.c % s.window.groups == 0);
            CHECK(y.c % s.window.groups == 0);
            CHECK(s.weight_count == static_cast<std::uint32_t>(y.c * s.window.kernel_h * s.window.kernel_w * (a.c / s.window.groups)));
            break;
        case op_type::dense: CHECK(s.weight_count == static_cast<std::uint32_t>(y.c) * a.size()); break;
        case op_type::add:
            CHECK(inside(s.in[1]));
            CHECK(a == y);
            CHECK(b == y);
            break;
        case op_type::concat:
            CHECK(inside(s.in[1]));
            CHECK(a.c + b.c == y.c);
            CHECK((a.h == y.h && a.w == y.w && b.h == y.h && b.w == y.w));
            break;
        case op_type::relu:
        case op_type::relu6:
        case op_type::channel_shuffle: CHECK(a == y); break;
        case op_type::max_pool:
        case op_type::avg_pool:
        case op_type::global_avg_pool: CHECK(a.c == y.c); break;
        default: break;
        }
    }
}

// Includes a channel_split whose branch is `identity`: the concatenation reads that half in place.
TEST_CASE("compiled programs are well formed: shapes agree with each op, operands inside the arena",
          "[deploy][kernels][program]") {
    static constexpr std::array<int, 1> arch{0};
    check_well_formed(dp::compile_architecture<program_net, program_input, precision::float32, arch>());
    check_well_formed(dp::compile_architecture<program_net, program_input, precision::int8, arch>());
}

TEST_CASE("whole programs: the planned arena (shared buffers, in place) computes what separate buffers do",
          "[deploy][kernels][program]") {
    rng r(91);
    for (int repeat = 0; repeat < 3; ++repeat) {
        check_program_net<precision::float32, 0>(r);
        check_program_net<precision::float32, 1>(r);
        check_program_net<precision::int8, 0>(r);
        check_program_net<precision::int8, 1>(r);
    }
}

} // namespace test_deploy_kernels
