// Post-training int8 quantisation: the int8 program follows the float program on random
// inputs, for a small network of every op type (the zoo spaces: deploy_quantize_zoo_*.cpp); zero points,
// clamps, multipliers and shifts are in range.
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
#include <nascent/runtime/run.hpp>

#include "quantize_checks.hpp"
#include "test_helpers.hpp"

// The file's names live in a namespace of their own: the tests compile in unity groups.
namespace test_deploy_quantize {

using namespace nascent;
using namespace nascent::testing::quantize_checks;

TEST_CASE("quantize: the quantisation of a range holds 0 exactly", "[deploy][quantize]") {
    const deploy::tensor_quantization relu_like = deploy::quantization_of_range(0.0F, 5.1F);
    CHECK(relu_like.zero_point == -128);
    CHECK(relu_like.scale == Approx(5.1 / 255));
    CHECK(relu_like.quantize(0.0F) == -128);
    CHECK(relu_like.quantize(5.1F) == 127);
    CHECK(relu_like.quantize(100.0F) == 127);  // saturates
    const deploy::tensor_quantization negative = deploy::quantization_of_range(-2.0F, -1.0F);  // widened to [-2, 0]
    CHECK(negative.zero_point == 127);
    CHECK(negative.dequantize(127) == 0.0F);
    const deploy::tensor_quantization both = deploy::quantization_of_range(-1.0F, 3.0F);
    CHECK(both.scale == Approx(4.0 / 255));
    CHECK(both.zero_point == -64);  // -128 + 1 / (4 / 255) = -64.25
    CHECK(both.dequantize(both.quantize(0.0F)) == 0.0F);
    CHECK(std::abs(both.dequantize(both.quantize(1.234F)) - 1.234F) <= both.scale / 2);
    const deploy::tensor_quantization empty = deploy::quantization_of_range(0.0F, 0.0F);
    CHECK(empty.scale > 0.0F);
    CHECK(empty.dequantize(empty.quantize(0.0F)) == 0.0F);
}

TEST_CASE("quantize: the int8 program of a small network of every op type follows the float program",
          "[deploy][quantize]") {
    nn::model<small_net, float> model(small_input, 3);
    rng random(4);
    testing::make_batch_norms_nontrivial(model, small_input, random, 8);
    const deploy::float_parameters f = nn::extract(model);
    const std::vector<float> calibration = random_images(64, small_input, random);
    const std::vector<float> test = random_images(32, small_input, random);

    const deploy::quantized_parameters q = deploy::quantize_architecture<small_net, small_input, no_decisions>(f, calibration);
    using float_net = deploy::fixed<small_net, small_input, precision::float32>;
    using int8_net = deploy::fixed<small_net, small_input, precision::int8>;
    check_ranges(int8_net::program, q);
    const outputs o = run_both(float_net::program, int8_net::program, f, q, test);
    INFO("relative error " << relative_error(o) << ", argmax agreement " << argmax_agreement(o, 10));
    CHECK(relative_error(o) < 0.1);
    CHECK(argmax_agreement(o, 10) >= 0.9);

    // The same through the graph, the plan and a program compiled at run time.
    const cost::graph g = cost::lower<small_net>(small_input, precision::float32);
    const cost::memory_plan plan = cost::plan(g);
    const auto fp = deploy::compile<float_net::program.step_count>(g, plan, precision::float32);
    const deploy::quantized_parameters same = deploy::quantize(g, plan, fp, f, calibration);
    CHECK(same.weights == q.weights);
    CHECK(same.params == q.params);
    CHECK(same.input == q.input);
    CHECK(same.output == q.output);

    // The network type runs them: its classification is the int8 program's.
    int8_net::arena arena;
    q.quantize_input(std::span<const float>(test).first(small_input.size()), int8_net::input(arena));
    const int label = int8_net::classify(arena, q.weights.data(), q.params.data());
    CHECK(label == static_cast<int>(std::max_element(o.int8.begin(), o.int8.begin() + 10) - o.int8.begin()));
}

TEST_CASE("quantize: the int8 program of a network with hard_swish and hard_sigmoid follows the float program", "[deploy][quantize]") {
    using net = sequential<conv2d<8, 3, 1, 1, true>, batch_norm, hard_swish, depthwise_conv2d<3>, hard_sigmoid, global_avg_pool, dense<10>>;
    static constexpr shape in{8, 8, 1};
    nn::model<net, float> model(in, 5);
    rng random(6);
    testing::make_batch_norms_nontrivial(model, in, random, 8);
    const deploy::float_parameters f = nn::extract(model);
    const std::vector<float> calibration = random_images(64, in, random);
    const std::vector<float> test = random_images(32, in, random);
    const deploy::quantized_parameters q = deploy::quantize_architecture<net, in, no_decisions>(f, calibration);
    using float_net = deploy::fixed<net, in, precision::float32>;
    using int8_net = deploy::fixed<net, in, precision::int8>;
    static_assert(std::count_if(int8_net::program.steps.begin(), int8_net::program.steps.end(),
                                [](const deploy::step& s) { return s.type == op_type::hard_swish; }) == 1);
    static_assert(std::count_if(int8_net::program.steps.begin(), int8_net::program.steps.end(),
                                [](const deploy::step& s) { return s.type == op_type::hard_sigmoid; }) == 1);
    check_ranges(int8_net::program, q);
    const outputs o = run_both(float_net::program, int8_net::program, f, q, test);
    INFO("relative error " << relative_error(o) << ", argmax agreement " << argmax_agreement(o, 10));
    CHECK(relative_error(o) < 0.1);
    CHECK(argmax_agreement(o, 10) >= 0.9);

    // The network type links the kernel because its program uses it; a run that leaves it out refuses the step.
    constexpr std::uint32_t hard_swish_bit = std::uint32_t{1} << static_cast<unsigned>(op_type::hard_swish);
    static_assert((deploy::types_of(int8_net::program) & hard_swish_bit) != 0U);
    static_assert((deploy::types_of(deploy::fixed<small_net, small_input, precision::int8>::program) & hard_swish_bit) == 0U);
    int8_net::arena arena;
    q.quantize_input(std::span<const float>(test).first(in.size()), int8_net::input(arena));
    const int label = int8_net::classify(arena, q.weights.data(), q.params.data());
    CHECK(label == static_cast<int>(std::max_element(o.int8.begin(), o.int8.begin() + 10) - o.int8.begin()));
    q.quantize_input(std::span<const float>(test).first(in.size()), int8_net::input(arena));
    CHECK(deploy::run<~hard_swish_bit>(int8_net::program, q.weights.data(), q.params.data(), arena.bytes) ==
          deploy::run_status::unknown_step);
}

TEST_CASE("quantize: a program of another graph or plan is refused", "[deploy][quantize]") {
    nn::model<small_net, float> model(small_input, 3);
    const deploy::float_parameters f = nn::extract(model);
    const cost::graph g = cost::lower<small_net>(small_input, precision::float32);
    const cost::memory_plan plan = cost::plan(g);
    const auto fp = deploy::compile<deploy::fixed<small_net, small_input, precision::float32>::program.step_count>(g, plan, precision::float32);
    cost::memory_plan shuffled = plan;
    std::swap(shuffled.order.front(), shuffled.order.back());  // a convolution and the dense layer
    rng random(1);
    const std::vector<float> images = random_images(2, small_input, random);
    CHECK_THROWS_WITH(deploy::calibrate(g, shuffled, fp, f, images), Catch::Contains("compile the program from this graph and plan"));
    CHECK_THROWS_WITH(deploy::calibrate(g, plan, fp, f, std::span<const float>(images).first(5)),
                      Catch::Contains("not a whole number of images"));
    deploy::float_parameters short_weights = f;
    short_weights.weights.pop_back();
    CHECK_THROWS_WITH(deploy::calibrate(g, plan, fp, short_weights, images), Catch::Contains("weights"));
}

} // namespace test_deploy_quantize
