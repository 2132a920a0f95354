// The search-space example of README.md compiles and does what the text says.
#include <catch2/catch.hpp>

#include <nascent/cost/costs.hpp>
#include <nascent/nn/supernet.hpp>

using namespace nascent;

namespace {
template <int K>
using dw = depthwise_conv2d<K, 1>;
using my_space = sequential<conv2d<8, 3, 2>, batch_norm, relu,
                            repeat<3, choice<residual<sequential<conv2d<24, 1>, batch_norm, relu6,
                                                                 elastic_kernel<dw, 3, 5, 7>, batch_norm, relu6,
                                                                 conv2d<8, 1>, batch_norm>>,
                                             identity>>,
                            global_avg_pool, dense<10>>;
static_assert(valid_space<my_space, shape{28, 28, 1}>);  // or one sentence saying why not
static_assert(space::decisions<my_space> == 6);          // per layer: block or skip, and a kernel
} // namespace

TEST_CASE("the README's search-space example runs", "[docs]") {
    rng random(1);
    architecture a = space::sample<my_space>(shape{28, 28, 1}, random);
    auto costs = cost::of<my_space>(shape{28, 28, 1}, cost::precision::int8, a.view());
    nn::model<my_space> supernet(shape{28, 28, 1}, 1);  // weight sharing over all of them
    CHECK(costs.peak_ram_bytes > 0);
    CHECK(space::size<my_space>().count == 64);  // (3 kernels + skip)^3
    CHECK(supernet.architecture_parameters().size() == 6);
}
