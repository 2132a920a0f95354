// Gradients of whole composed networks: the backward pass follows from the composition.
#include <catch2/catch.hpp>

#include <vector>

#include <nascent/autograd/gradcheck.hpp>
#include <nascent/nn/activation.hpp>
#include <nascent/nn/batch_norm.hpp>
#include <nascent/nn/conv2d.hpp>
#include <nascent/nn/dense.hpp>
#include <nascent/nn/elementwise.hpp>
#include <nascent/nn/loss.hpp>
#include <nascent/nn/model.hpp>
#include <nascent/nn/pooling.hpp>
#include <nascent/nn/sequential.hpp>

#include "test_helpers.hpp"

// The file's names live in a namespace of their own: the tests compile in unity groups.
namespace test_gradcheck_networks {

using namespace nascent;

namespace {

/// Gradient check of model<Net, double> under softmax cross-entropy, in training mode.
template <class Net>
gradcheck_result check_network(shape in, int batch, std::uint64_t seed) {
    nn::model<Net, double> model(in, seed);
    rng random(seed + 1);
    std::vector<int> labels;
    const int classes = model.output_shape().c;
    for (int n = 0; n < batch; ++n) labels.push_back(static_cast<int>(random.below(static_cast<std::uint64_t>(classes))));
    // Perturb the batch-norm scale and shift away from 1 and 0 so that their gradients matter.
    for (auto* p : model.parameters())
        if (!p->decay)
            for (auto& v : p->value) v += random.uniform(-0.3, 0.3);
    auto params = model.parameters();
    return gradcheck(
        [&](tape<double>& t, std::span<const var> x) {
            rng dropout_random(42);
            nn::context<double> ctx{t, true, &dropout_random};
            return nn::softmax_cross_entropy(t, model.forward(ctx, x[0]), labels);
        },
        {testing::random_tensor(batch_shape(batch, in), random)}, std::span<parameter<double>* const>(params),
        {.step = 1e-6, .tolerance = 1e-6});
}

using reference_like = sequential<conv2d<4, 3>, batch_norm, relu, max_pool2d<2>, conv2d<6, 3, 2>, batch_norm, relu,
                                  flatten, dense<5>>;

using mobile_like = sequential<conv2d<4, 3, 2, 1, true>, relu6,
                               residual<sequential<conv2d<8, 1>, batch_norm, relu6, depthwise_conv2d<3>, batch_norm, relu6,
                                                   conv2d<4, 1>, batch_norm>>,
                               depthwise_conv2d<5, 2, 2>, avg_pool2d<3, 1, padding::same>, conv2d<6, 1, 1, 2>,
                               global_avg_pool, dropout<30>, dense<3>>;

} // namespace

TEST_CASE("a conv-bn-relu-pool-dense network passes the gradient check", "[gradcheck][network]") {
    const auto r = check_network<reference_like>({8, 8, 2}, 3, 1);
    INFO("worst: " << r.worst_entry << " error " << r.worst_error);
    REQUIRE(r.checked > 500);
    REQUIRE(r.passed);
}

TEST_CASE("a residual, depthwise, grouped network with dropout passes the gradient check", "[gradcheck][network]") {
    const auto r = check_network<mobile_like>({8, 8, 3}, 2, 2);
    INFO("worst: " << r.worst_entry << " error " << r.worst_error);
    REQUIRE(r.checked > 300);
    REQUIRE(r.passed);
}

} // namespace test_gradcheck_networks
