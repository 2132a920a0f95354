// Checks of int8 quantisation shared by the deploy_quantize tests: a small network of every op
// type, the int8 program against the float program on random images, the ranges of the
// quantised parameters, and check_zoo_space<Space> over random architectures of a space.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#include <nascent/cost/plan.hpp>
#include <nascent/deploy/build.hpp>
#include <nascent/deploy/compile.hpp>
#include <nascent/deploy/fixed.hpp>
#include <nascent/deploy/quantize.hpp>
#include <nascent/nn/extract.hpp>
#include <nascent/nn/blocks.hpp>
#include <nascent/nn/supernet.hpp>
#include <nascent/runtime/run.hpp>

#include "batch_norms.hpp"
#include "test_helpers.hpp"

namespace nascent::testing::quantize_checks {

/// Every op type of the deploy kernels: conv (folded batch norm, fused relu and relu6), depthwise,
/// residual add, max pool, standalone relu, branches (concat), average pool, channel shuffle,
/// standalone batch norm (fused relu6), global average pool, dense.
using small_net = sequential<conv2d<8, 3>, batch_norm, relu,
                             residual<sequential<depthwise_conv2d<3>, batch_norm, relu6, conv2d<8, 1>, batch_norm>>,
                             max_pool2d<2>, relu,
                             branches<sequential<conv2d<4, 1>, batch_norm, relu>, sequential<avg_pool2d<3, 1, padding::same>, conv2d<6, 1>>>,
                             channel_shuffle<2>, batch_norm, relu6, global_avg_pool, dense<10>>;
inline constexpr shape small_input{12, 12, 3};
inline constexpr std::array<int, 0> no_decisions{};

inline std::vector<float> random_images(std::size_t count, shape in, rng& random) {
    std::vector<float> v(count * in.size());
    for (auto& x : v) x = static_cast<float>(random.uniform(-1.0, 1.0));
    return v;
}

/// Outputs of the float program and of the int8 program (dequantised) on each image.
struct outputs {
    std::vector<float> real;
    std::vector<float> int8;
};

template <std::size_t N, std::size_t M>
outputs run_both(const deploy::program<N>& fp, const deploy::program<M>& qp, const deploy::float_parameters& f,
                 const deploy::quantized_parameters& q, std::span<const float> images) {
    outputs o;
    std::vector<std::uint32_t> fa(fp.arena_bytes / 4 + 1), qa(qp.arena_bytes / 4 + 1);
    auto* farena = reinterpret_cast<std::byte*>(fa.data());
    auto* qarena = reinterpret_cast<std::byte*>(qa.data());
    const std::size_t in_size = fp.input.extent.size();
    const std::size_t out_size = fp.output.extent.size();
    for (std::size_t n = 0; n < images.size() / in_size; ++n) {
        const std::span<const float> image = images.subspan(n * in_size, in_size);
        std::copy(image.begin(), image.end(), deploy::input<float>(fp, farena));
        REQUIRE(deploy::run(fp, f.weights.data(), f.params.data(), farena) == deploy::run_status::ok);
        q.quantize_input(image, deploy::input<std::int8_t>(qp, qarena));
        REQUIRE(deploy::run(qp, q.weights.data(), q.params.data(), qarena) == deploy::run_status::ok);
        const float* y = deploy::output<float>(fp, farena);
        const std::int8_t* z = deploy::output<std::int8_t>(qp, qarena);
        for (std::size_t i = 0; i < out_size; ++i) {
            o.real.push_back(y[i]);
            o.int8.push_back(q.dequantize_output(z[i]));
        }
    }
    return o;
}

/// Largest difference relative to the largest float output.
inline double relative_error(const outputs& o) {
    double scale = 0.0, diff = 0.0;
    for (std::size_t i = 0; i < o.real.size(); ++i) {
        scale = std::max(scale, std::abs(static_cast<double>(o.real[i])));
        diff = std::max(diff, std::abs(static_cast<double>(o.real[i]) - static_cast<double>(o.int8[i])));
    }
    return diff / scale;
}

/// Share of images whose largest output is the same in both programs.
inline double argmax_agreement(const outputs& o, std::size_t classes) {
    std::size_t same = 0;
    const std::size_t n = o.real.size() / classes;
    for (std::size_t i = 0; i < n; ++i) {
        const auto a = std::max_element(o.real.begin() + i * classes, o.real.begin() + (i + 1) * classes);
        const auto b = std::max_element(o.int8.begin() + i * classes, o.int8.begin() + (i + 1) * classes);
        same += (a - o.real.begin()) - (b - o.int8.begin()) == 0 ? 1 : 0;
    }
    return static_cast<double>(same) / static_cast<double>(n);
}

/// Every int8 parameter of program p is in the range its kernel expects.
template <std::size_t N>
void check_ranges(const deploy::program<N>& p, const deploy::quantized_parameters& q) {
    namespace at = deploy::param_layout;
    auto zero_point = [](std::int32_t z) { return z >= -128 && z <= 127; };
    auto factor = [](std::int32_t m, std::int32_t s) {
        return (m == 0 || (m >= (std::int32_t{1} << 30) && m <= std::numeric_limits<std::int32_t>::max())) && s >= -31 && s <= 30;
    };
    REQUIRE(q.weights.size() == p.weight_count);
    REQUIRE(q.params.size() == p.param_count);
    for (const deploy::step& s : p.steps) {
        const std::int32_t* v = q.params.data() + s.params;
        INFO("step of type " << static_cast<int>(s.type));
        switch (s.type) {
        case op_type::conv:
        case op_type::dense: {
            CHECK(zero_point(v[at::z_in]));
            CHECK(zero_point(v[at::z_out]));
            CHECK(-128 <= v[at::act_min]);
            CHECK(v[at::act_min] <= v[at::act_max]);
            CHECK(v[at::act_max] <= 127);
            if (s.activation != fused_activation::none) CHECK(v[at::act_min] == v[at::z_out]);  // the clamp at real 0
            const int c = s.out.extent.c;
            const std::size_t per_channel = s.weight_count / static_cast<std::size_t>(c);
            for (int k = 0; k < c; ++k) {
                CHECK(factor(v[at::channels_begin + c + k], v[at::channels_begin + 2 * c + k]));
                int largest = 0;
                for (std::size_t i = 0; i < per_channel; ++i)
                    largest = std::max(largest, std::abs(static_cast<int>(q.weights[s.weights + static_cast<std::size_t>(k) * per_channel + i])));
                CHECK(largest == 127);  // symmetric per channel: the largest weight takes the full range
            }
            break;
        }
        case op_type::add:
            CHECK(zero_point(v[at::add::z_a]));
            CHECK(zero_point(v[at::add::z_b]));
            CHECK(zero_point(v[at::add::z_out]));
            CHECK(v[at::add::left_shift] == 20);
            CHECK(factor(v[at::add::multiplier_a], v[at::add::shift_a]));
            CHECK(factor(v[at::add::multiplier_b], v[at::add::shift_b]));
            CHECK(factor(v[at::add::multiplier_out], v[at::add::shift_out]));
            break;
        case op_type::max_pool:
            CHECK(v[at::z_in] == v[at::z_out]);  // keeps its input's parameters
            CHECK(v[at::rescale::multiplier] == deploy::identity_multiplier.multiplier);
            CHECK(v[at::rescale::shift] == deploy::identity_multiplier.shift);
            [[fallthrough]];
        case op_type::avg_pool:
        case op_type::global_avg_pool:
        case op_type::relu:
        case op_type::relu6:
            CHECK(zero_point(v[at::z_in]));
            CHECK(zero_point(v[at::z_out]));
            CHECK(v[at::act_min] <= v[at::act_max]);
            CHECK(factor(v[at::rescale::multiplier], v[at::rescale::shift]));
            if (s.type == op_type::relu || s.type == op_type::relu6) CHECK(v[at::act_min] == v[at::z_out]);
            break;
        case op_type::concat:
            CHECK(zero_point(v[at::concat::z_a]));
            CHECK(zero_point(v[at::concat::z_b]));
            CHECK(zero_point(v[at::concat::z_out]));
            CHECK(factor(v[at::concat::multiplier_a], v[at::concat::shift_a]));
            CHECK(factor(v[at::concat::multiplier_b], v[at::concat::shift_b]));
            break;
        case op_type::zero: CHECK(zero_point(v[0])); break;
        default: break;
        }
    }
    for (const auto& t : q.tensors) {
        CHECK(t.scale > 0.0F);
        CHECK(zero_point(t.zero_point));
        CHECK(t.dequantize(static_cast<std::int8_t>(t.zero_point)) == 0.0F);  // 0 is exact
    }
}

/// Extracts and quantises random architectures of Space (random weights, calibrated on random
/// images) and compares the int8 program with the float program on other random images.
template <class Space>
void check_zoo_space(shape in, int architectures, std::uint64_t seed, double tolerance) {
    nn::model<Space, float> model(in, seed);
    rng random(seed + 1);
    make_batch_norms_nontrivial(model, in, random, 8);
    for (int i = 0; i < architectures; ++i) {
        const architecture a = space::sample<Space>(in, random);
        INFO("architecture " << to_text(a));
        const std::vector<float> calibration = random_images(32, in, random);
        const std::vector<float> test = random_images(8, in, random);
        const deploy::build_result b = deploy::build(model, a.view(), calibration);
        check_ranges(b.int8_program, b.int8_params);
        const outputs o = run_both(b.float_program, b.int8_program, b.float_params, b.int8_params, test);
        INFO(b.float_graph.ops.size() << " ops; relative error " << relative_error(o) << ", argmax agreement " << argmax_agreement(o, 10));
        CHECK(relative_error(o) < tolerance);
    }
}

} // namespace nascent::testing::quantize_checks
