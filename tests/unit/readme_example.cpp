// The search-space example of README.md compiles and does what the text says.
#include <catch2/catch.hpp>

#include <nascent/cost/costs.hpp>
#include <nascent/nn/supernet.hpp>

// The file's names live in a namespace of their own: the tests compile in unity groups.
namespace test_readme_example {

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
using my = space::bound<my_space, shape{28, 28, 1}>;   // checks valid_space, or one sentence saying why not
static_assert(my::decisions == 6);                      // per layer: block or skip, and a kernel
} // namespace

TEST_CASE("the README's search-space example runs", "[docs]") {
    rng random(1);
    my::architecture a = my::sample(random);                // only my's operators and interpreters take it
    auto costs = cost::of<my>(precision::int8, a);
    nn::model<my> supernet(/*seed=*/1);                     // weight sharing over all of them
    CHECK(costs.peak_ram_bytes > 0);
    CHECK(my::size().count == 64);  // (3 kernels + skip)^3
    CHECK(supernet.architecture_parameters().size() == 6);

    // The same figures as the untyped calls that name the shape each time.
    rng again(1);
    const architecture untyped = space::sample<my_space>(shape{28, 28, 1}, again);
    CHECK(a.untyped() == untyped);
    CHECK(costs == cost::of<my_space>(shape{28, 28, 1}, cost::precision::int8, untyped.view()));
    CHECK(supernet.input_shape() == shape{28, 28, 1});
    static_assert(std::is_same_v<nn::model<my>::network, my_space>);
    static_assert(std::is_same_v<decltype(supernet.derive()), my::architecture>);
}

} // namespace test_readme_example
