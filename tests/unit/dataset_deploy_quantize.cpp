// Post-training int8 quantisation on the real Fashion-MNIST: a small CNN trained briefly keeps
// its accuracy when its fixed network runs in int8 (within one point of the float program).
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include <nascent/data/fashion_mnist.hpp>
#include <nascent/data/normalization.hpp>
#include <nascent/deploy/fixed.hpp>
#include <nascent/deploy/quantize.hpp>
#include <nascent/nn/extract.hpp>
#include <nascent/nn/supernet.hpp>
#include <nascent/train/evaluate.hpp>
#include <nascent/train/fit.hpp>
#include <nascent/train/schedule.hpp>
#include <nascent/train/sgd.hpp>

// The file's names live in a namespace of their own: the tests compile in unity groups.
namespace test_dataset_deploy_quantize {

using namespace nascent;

namespace {

using small_cnn = sequential<conv2d<8, 3>, batch_norm, relu, max_pool2d<2>, conv2d<16, 3>, batch_norm, relu, max_pool2d<2>,
                             flatten, dense<10>>;
constexpr shape fashion{28, 28, 1};
constexpr std::array<int, 0> no_decisions{};
using float_net = deploy::fixed<small_cnn, fashion, precision::float32>;
using int8_net = deploy::fixed<small_cnn, fashion, precision::int8>;

/// Images [first, first + count) of `data`, normalised, one after another.
std::vector<float> normalised(const image_dataset& data, std::size_t first, std::size_t count, const normalization& norm) {
    std::vector<float> out;
    out.reserve(count * data.sample.size());
    for (std::size_t i = first; i < first + count; ++i) {
        const std::uint8_t* p = data.image(i);
        for (std::size_t k = 0; k < data.sample.size(); ++k)
            out.push_back((static_cast<float>(p[k]) / 255.0F - norm.mean[0]) / norm.stddev[0]);
    }
    return out;
}

/// Accuracy (percent) of the float and int8 programs on the whole test split, and how often they agree.
struct program_accuracy {
    double float_percent = 0, int8_percent = 0, agree_percent = 0;
};

program_accuracy program_accuracy_on(const image_dataset& test, const std::vector<float>& images, const deploy::float_parameters& f,
                                     const deploy::quantized_parameters& q) {
    static float_net::arena float_arena;
    static int8_net::arena int8_arena;
    std::size_t float_right = 0, int8_right = 0, agree = 0;
    const std::size_t count = test.size();
    for (std::size_t i = 0; i < count; ++i) {
        const float* image = images.data() + i * fashion.size();
        std::copy(image, image + fashion.size(), float_net::input(float_arena));
        const int a = float_net::classify(float_arena, f.weights.data(), f.params.data());
        q.quantize_input(std::span<const float>(image, fashion.size()), int8_net::input(int8_arena));
        const int b = int8_net::classify(int8_arena, q.weights.data(), q.params.data());
        float_right += a == test.labels[i] ? 1 : 0;
        int8_right += b == test.labels[i] ? 1 : 0;
        agree += a == b ? 1 : 0;
    }
    const auto percent = [&](std::size_t k) { return 100.0 * static_cast<double>(k) / static_cast<double>(count); };
    return {percent(float_right), percent(int8_right), percent(agree)};
}

} // namespace

TEST_CASE("quantize: a CNN trained on Fashion-MNIST keeps its accuracy in int8", "[dataset][deploy][quantize]") {
    const image_dataset train_all = load_fashion_mnist(split::train);
    const image_dataset test = load_fashion_mnist(split::test);
    const image_dataset train_part = subset(train_all, 0, 20000);
    const normalization norm = standardization_of(train_part);

    nn::model<small_cnn> model(fashion, 1);
    train::sgd<float> optimiser(model.parameters(), {.momentum = 0.9, .weight_decay = 5e-5});
    train::fit_options options;
    options.epochs = 1;
    options.batch_size = 64;
    options.progress = false;
    options.log = nullptr;
    (void)train::fit(model, optimiser, train::cosine_lr{.rate = 0.05}, train_part, subset(test, 0, 256), norm, options);

    const deploy::float_parameters f = nn::extract(model);
    const std::vector<float> calibration = normalised(train_all, 30000, 500, norm);  // training images, not trained on
    const deploy::quantized_parameters q = deploy::quantize_architecture<small_cnn, fashion, no_decisions>(f, calibration);

    const std::vector<float> images = normalised(test, 0, test.size(), norm);
    const program_accuracy ptq = program_accuracy_on(test, images, f, q);
    const double float_accuracy = ptq.float_percent;
    const double int8_accuracy = ptq.int8_percent;
    const train::evaluation reference = train::evaluate(model, test, norm);
    WARN("Fashion-MNIST, " << test.size() << " test images: training network " << 100.0 * reference.accuracy << "%, float program "
                           << float_accuracy << "%, int8 program " << int8_accuracy << "%, same class " << ptq.agree_percent << "%");
    CHECK(std::abs(float_accuracy - 100.0 * reference.accuracy) < 0.1);  // extraction is exact
    CHECK(float_accuracy > 80.0);
    CHECK(std::abs(float_accuracy - int8_accuracy) <= 1.0);

    // Quantisation-aware fine-tuning: one more epoch with int8 rounding in the pass, then the
    // same post-training quantisation. The rounded training network predicts what the int8
    // program computes, and the int8 program keeps the float program's accuracy.
    nn::fake_quantization rounding;
    train::sgd<float> tuner(model.parameters(), {.momentum = 0.9, .weight_decay = 5e-5});
    options.quantization = &rounding;
    (void)train::fit(model, tuner, train::cosine_lr{.rate = 0.01}, subset(train_all, 20000, 10000), subset(test, 0, 256), norm, options);
    CHECK(rounding.ranges.size() == 2);  // the two relus
    const deploy::float_parameters f_qat = nn::extract(model);
    const deploy::quantized_parameters q_qat = deploy::quantize_architecture<small_cnn, fashion, no_decisions>(f_qat, calibration);
    const program_accuracy qat = program_accuracy_on(test, images, f_qat, q_qat);
    const train::evaluation rounded_network = train::evaluate(model, test, norm, 256, {}, &rounding);
    WARN("after quantisation-aware fine-tuning: rounded training network " << 100.0 * rounded_network.accuracy << "%, float program "
                                                                           << qat.float_percent << "%, int8 program " << qat.int8_percent
                                                                           << "%, same class " << qat.agree_percent << "%");
    CHECK(std::abs(qat.float_percent - qat.int8_percent) <= 1.0);
    CHECK(std::abs(100.0 * rounded_network.accuracy - qat.int8_percent) <= 0.5);
    CHECK(qat.int8_percent >= int8_accuracy - 0.3);
}

} // namespace test_dataset_deploy_quantize
