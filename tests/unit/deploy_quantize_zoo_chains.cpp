// Post-training int8 quantisation on the zoo (μNAS and mcu_cnn, and deploy::build): the int8 program follows the float
// program on random images. The zoo spaces are split over files so that no translation unit
// instantiates them all.
#include <catch2/catch.hpp>

#include <nascent/zoo/mcu_cnn.hpp>
#include <nascent/zoo/munas.hpp>

#include "quantize_checks.hpp"

using namespace nascent;
using namespace nascent::testing::quantize_checks;

TEST_CASE("build: the programs and parameters of lower, plan, compile, extract and quantize by hand", "[deploy][quantize][build]") {
    constexpr shape in{28, 28, 1};
    nn::model<zoo::munas, float> model(in, 5);
    rng random(6);
    testing::make_batch_norms_nontrivial(model, in, random, 8);
    const architecture a = space::sample<zoo::munas>(in, random);
    const std::vector<float> calibration = random_images(16, in, random);
    const deploy::build_result b = deploy::build(model, a.view(), calibration);

    const cost::graph float_graph = cost::lower<zoo::munas>(in, precision::float32, a.view());
    const cost::graph int8_graph = cost::lower<zoo::munas>(in, precision::int8, a.view());
    const cost::memory_plan plan = cost::plan(float_graph);
    const auto fp = deploy::compile<deploy::dynamic_steps>(float_graph, plan, precision::float32);
    const auto qp = deploy::compile<deploy::dynamic_steps>(int8_graph, cost::plan(int8_graph), precision::int8);
    const deploy::float_parameters f = nn::extract(model, float_graph, a.view());
    const deploy::quantized_parameters q = deploy::quantize(float_graph, plan, fp, f, calibration);
    CHECK(b.float_program == fp);
    CHECK(b.int8_program == qp);
    CHECK(b.float_params.weights == f.weights);
    CHECK(b.float_params.params == f.params);
    CHECK(b.int8_params.weights == q.weights);
    CHECK(b.int8_params.params == q.params);
    CHECK(b.int8_params.tensors == q.tensors);
    CHECK(b.float_graph.ops.size() == float_graph.ops.size());
    CHECK(cost::measure(b.int8_graph).peak_ram_bytes == cost::measure(int8_graph).peak_ram_bytes);
}

TEST_CASE("quantize: random architectures of μNAS and mcu_cnn", "[deploy][quantize]") {
    constexpr shape fashion{28, 28, 1};
    check_zoo_space<zoo::munas>(fashion, 3, 9, 0.2);
    check_zoo_space<zoo::mcu_cnn>(fashion, 3, 10, 0.2);
}
