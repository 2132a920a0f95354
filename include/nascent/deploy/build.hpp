// nascent/deploy/build.hpp - a trained model's float and int8 programs with their parameters, in one call.
//
//     #include "nascent/deploy/build.hpp"
//     #include "nascent/nn/extract.hpp"                  // extract() of nn::model
//     const deploy::build_result b = deploy::build(model, arch, calibration_images);
//     deploy::run(b.float_program, b.float_params.weights.data(), b.float_params.params.data(), arena);
//     deploy::run(b.int8_program, b.int8_params.weights.data(), b.int8_params.params.data(), arena8);
//     deploy::write_model_header("model.hpp", "model", b.int8_program, b.int8_params.weights, b.int8_params.params, meta);
//
// The sequence it runs, for the model's space and input shape and architecture `arch`: lower
// (cost/lower.hpp) at float32 and int8, plan each graph (cost/plan.hpp), compile both programs
// (deploy/compile.hpp), extract the float parameters from the model, calibrate the float program
// on `calibration` (normalised NHWC images, one after another) and quantise (deploy/quantize.hpp).
// The programs are sized at run time (deploy/runtime_program.hpp); a fixed<Space, ...> of the
// same architecture compiles the same programs at compile time and runs the same parameters.
//
// The model is any trained network whose weights `extract(model, graph, arch)` finds by
// argument-dependent lookup and which names its space `Model::network` and its input shape
// `model.input_shape()`: nn::model with nn/extract.hpp. This header includes no training code.
#pragma once

#include <span>
#include <utility>

#include "nascent/core/shape.hpp"
#include "nascent/cost/graph.hpp"
#include "nascent/cost/lower.hpp"
#include "nascent/cost/lower_blocks.hpp"
#include "nascent/cost/plan.hpp"
#include "nascent/deploy/compile.hpp"
#include "nascent/deploy/exits.hpp"
#include "nascent/deploy/parameters.hpp"
#include "nascent/deploy/quantize.hpp"
#include "nascent/deploy/runtime_program.hpp"

namespace nascent::deploy {

/// Both programs of an architecture, their graphs and plans, and their parameters.
struct build_result {
    cost::graph float_graph;
    cost::graph int8_graph;
    cost::memory_plan float_plan;
    cost::memory_plan int8_plan;
    runtime_program float_program;
    runtime_program int8_program;
    float_parameters float_params;    ///< the float program's weights and params
    quantized_parameters int8_params; ///< the int8 program's, and the input and output quantisation
};

/// The programs of architecture `arch` of space `Space` on inputs of shape `input`, with the float
/// parameters `weights` (extracted from a model; the graph's op order) quantised on `calibration`.
template <class Space>
[[nodiscard]] build_result build(shape input, std::span<const int> arch, float_parameters weights, std::span<const float> calibration) {
    build_result b;
    b.float_graph = cost::lower<Space>(input, precision::float32, arch);
    b.int8_graph = cost::lower<Space>(input, precision::int8, arch);
    b.float_plan = cost::plan(b.float_graph);
    b.int8_plan = cost::plan(b.int8_graph);
    b.float_program = compile<dynamic_steps>(b.float_graph, b.float_plan, precision::float32);
    b.int8_program = compile<dynamic_steps>(b.int8_graph, b.int8_plan, precision::int8);
    b.float_params = std::move(weights);
    b.int8_params = quantize(b.float_graph, b.float_plan, b.float_program, b.float_params, calibration);
    return b;
}

/// The programs of architecture `arch` of the trained `model` (its space and input shape), its
/// weights extracted (extract(model, graph, arch), found by argument-dependent lookup: include
/// nn/extract.hpp for nn::model) and quantised on `calibration`. An early-exit network's gates
/// get `exit_thresholds`, one per early exit (empty: 1 each, leaving only when certain).
template <class Model>
[[nodiscard]] build_result build(Model& model, std::span<const int> arch, std::span<const float> calibration,
                                 std::span<const double> exit_thresholds = {}) {
    using space_type = typename Model::network;
    const shape input = model.input_shape();
    const cost::graph g = cost::lower<space_type>(input, precision::float32, arch);
    float_parameters weights = extract(model, g, arch);
    if (!exit_thresholds.empty()) set_exit_thresholds(g, weights, exit_thresholds);
    return build<space_type>(input, arch, std::move(weights), calibration);
}

} // namespace nascent::deploy
