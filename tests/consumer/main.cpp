// A program outside nascent's tree: builds a small network from the installed headers,
// checks its shape at compile time and runs one training step.
#include <cstdio>
#include <vector>

#include <nascent/nascent.hpp>

using net = nascent::sequential<nascent::conv2d<4, 3>, nascent::relu, nascent::global_avg_pool, nascent::dense<3>>;
static_assert(net::output(nascent::shape{8, 8, 1}) == nascent::shape{1, 1, 3});

int main() {
    nascent::nn::model<net> model({8, 8, 1}, 1);
    nascent::tape<float> graph;
    nascent::nn::context<float> ctx{graph};
    nascent::tensor<float> x({2, 8, 8, 1});
    x.fill(0.5f);
    const std::vector<int> labels{0, 2};
    const auto loss = nascent::nn::softmax_cross_entropy(graph, model.forward(ctx, graph.leaf(x)), labels);
    graph.backward(loss);
    std::printf("consumer: %zu parameters, loss %.4f\n", model.parameter_count(), static_cast<double>(graph.value(loss)(0, 0, 0, 0)));
    return model.parameter_count() == 4 * 9 + 3 * 4 + 3 ? 0 : 1;
}
