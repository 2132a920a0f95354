// What the incremental examples share (export_incremental.cpp, incremental_scenarios.cpp): the CNN
// whose extractor they cut, and training it on a subset of Fashion-MNIST's classes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include <nascent/data/class_subsets.hpp>
#include <nascent/deploy/build.hpp>
#include <nascent/deploy/incremental.hpp>
#include <nascent/deploy/incremental_task.hpp>
#include <nascent/nascent.hpp>
#include <nascent/nn/extract.hpp>

namespace incremental_fashion {

using namespace nascent;

/// Two strided convolutions, a third one, a global pool and a dense head.
template <int Features>
using cnn = sequential<conv2d<16, 3, 2>, batch_norm, relu, conv2d<32, 3, 2>, batch_norm, relu, conv2d<Features, 3>, batch_norm, relu,
                       global_avg_pool, dense<10>>;
inline constexpr shape image_shape{28, 28, 1};

/// A trained network's int8 build and the normalisation of its training images.
struct trained {
    deploy::build_result build;
    normalization norm;
};

/// Trains network `Net` on `data` for `epochs` epochs and builds its int8 program, calibrated on
/// the last 500 images of `data`.
template <class Net>
trained train_network(const image_dataset& data, int epochs, std::uint64_t seed) {
    trained t;
    t.norm = standardization_of(data);
    nn::model<Net> model(image_shape, seed);
    train::sgd<float> optimiser(model.parameters(), {.momentum = 0.9, .weight_decay = 5e-5});
    train::fit_options settings;
    settings.epochs = epochs;
    settings.batch_size = 64;
    settings.seed = seed;
    settings.progress = false;
    settings.log = nullptr;
    (void)train::fit(model, optimiser, train::cosine_lr{.rate = 0.05}, data, subset(data, 0, 256), t.norm, settings);
    std::vector<float> calibration;
    const std::size_t count = std::min<std::size_t>(500, data.size());
    for (std::size_t i = data.size() - count; i < data.size(); ++i)
        for (std::size_t k = 0; k < data.sample.size(); ++k)
            calibration.push_back((static_cast<float>(data.image(i)[k]) / 255.0F - t.norm.mean[0]) / t.norm.stddev[0]);
    t.build = deploy::build(model, {}, calibration);
    return t;
}

/// The header metadata of an extractor trained with `norm`.
inline deploy::model_metadata metadata_of(const trained& t, const image_dataset& data, const char* space) {
    deploy::model_metadata m;
    m.space = space;
    m.architecture = "fixed";
    m.mean = {t.norm.mean[0]};
    m.stddev = {t.norm.stddev[0]};
    m.input_scale = t.build.int8_params.input.scale;
    m.input_zero_point = t.build.int8_params.input.zero_point;
    m.class_names = data.class_names;
    return m;
}

} // namespace incremental_fashion
