// nascent/deploy/parameters.hpp - the float parameter arrays a float program reads.
//
//     const deploy::float_parameters f = nn::extract(model, arch);   // nn/extract.hpp
//     deploy::run(float_program, f.weights.data(), f.params.data(), arena);
// Numbered in the graph's op order, laid out as the float32 kernels read them (runtime/float/).
// Host side (vectors): the input of calibration and quantisation (deploy/quantize.hpp).
#pragma once

#include <vector>

namespace nascent::deploy {

/// The parameter arrays of a float program (runtime/program.hpp), in the graph's op order.
struct float_parameters {
    std::vector<float> weights;
    std::vector<float> params;
};

} // namespace nascent::deploy
