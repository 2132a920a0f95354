// Training throughput of the reference CNN, nascent against libtorch, in one process.
//
//   conv3x3*16 - bn - relu - maxpool2 - conv3x3*32 - bn - relu - maxpool2 - flatten - dense10
//
// Both train on the same Fashion-MNIST batches with SGD (momentum 0.9) on one thread.
// Rounds alternate between the two so that machine noise hits both alike; the
// figure per library is the median over rounds of images per second.
//
// usage: bench_train_throughput [--rounds N] [--steps N] [--batches 64,128]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <torch/torch.h>

#include <nascent/nascent.hpp>

namespace {

using clock_type = std::chrono::steady_clock;

using reference_cnn = nascent::sequential<
    nascent::conv2d<16, 3>, nascent::batch_norm, nascent::relu, nascent::max_pool2d<2>,
    nascent::conv2d<32, 3>, nascent::batch_norm, nascent::relu, nascent::max_pool2d<2>,
    nascent::flatten, nascent::dense<10>>;

struct batch_data {
    nascent::tensor<float> images;  // NHWC
    std::vector<int> labels;
};

std::vector<batch_data> load_batches(std::size_t batch_size, std::size_t count) {
    const auto train = nascent::load_fashion_mnist(nascent::split::train);
    const auto norm = nascent::standardization_of(train);
    nascent::rng random(7);
    nascent::batcher<float> batches(train, batch_size, norm, true, true, random);
    std::vector<batch_data> result;
    batches.start_epoch();
    batch_data b;
    while (result.size() < count && batches.next(b.images, b.labels)) result.push_back(b);
    return result;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

struct nascent_runner {
    nascent::nn::model<reference_cnn> model{nascent::shape{28, 28, 1}, 1};
    nascent::train::sgd<float> optimizer{model.parameters(), {.momentum = 0.9}};
    nascent::tape<float> graph;
    nascent::rng random{1};

    void step(const batch_data& b) {
        nascent::nn::context<float> ctx{graph, true, &random};
        graph.reset();
        optimizer.zero_grad();
        const auto logits = model.forward(ctx, graph.leaf(b.images));
        const auto loss = nascent::nn::softmax_cross_entropy(graph, logits, std::span<const int>(b.labels));
        graph.backward(loss);
        optimizer.step(0.01);
    }
};

struct torch_runner {
    torch::nn::Sequential net{
        torch::nn::Conv2d(torch::nn::Conv2dOptions(1, 16, 3).padding(1).bias(false)), torch::nn::BatchNorm2d(16),
        torch::nn::ReLU(), torch::nn::MaxPool2d(2),
        torch::nn::Conv2d(torch::nn::Conv2dOptions(16, 32, 3).padding(1).bias(false)), torch::nn::BatchNorm2d(32),
        torch::nn::ReLU(), torch::nn::MaxPool2d(2), torch::nn::Flatten(), torch::nn::Linear(32 * 7 * 7, 10)};
    torch::optim::SGD optimizer{net->parameters(), torch::optim::SGDOptions(0.01).momentum(0.9)};
    std::vector<torch::Tensor> images, labels;

    explicit torch_runner(const std::vector<batch_data>& batches) {
        for (const auto& b : batches) {
            const auto n = static_cast<long>(b.labels.size());
            // NHWC -> NCHW (one channel: same memory order)
            images.push_back(torch::from_blob(const_cast<float*>(b.images.data()), {n, 1, 28, 28}, torch::kFloat32).clone());
            std::vector<long> l(b.labels.begin(), b.labels.end());
            labels.push_back(torch::from_blob(l.data(), {n}, torch::kLong).clone());
        }
        net->train();
    }
    void step(std::size_t i) {
        optimizer.zero_grad();
        auto loss = torch::nn::functional::cross_entropy(net->forward(images[i]), labels[i]);
        loss.backward();
        optimizer.step();
    }
};

template <class Step>
double images_per_second(Step&& step, std::size_t steps, std::size_t batch_size) {
    const auto start = clock_type::now();
    for (std::size_t s = 0; s < steps; ++s) step(s);
    const double seconds = std::chrono::duration<double>(clock_type::now() - start).count();
    return static_cast<double>(steps * batch_size) / seconds;
}

} // namespace

int main(int argc, char** argv) {
    int rounds = 5;
    std::size_t steps = 40;
    std::vector<std::size_t> batch_sizes{64, 128};
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string arg = argv[i];
        if (arg == "--rounds") rounds = std::atoi(argv[i + 1]);
        else if (arg == "--steps") steps = std::strtoull(argv[i + 1], nullptr, 10);
        else if (arg == "--batches") {
            batch_sizes.clear();
            std::string list = argv[i + 1];
            for (std::size_t p = 0; p < list.size();) {
                const auto q = list.find(',', p);
                batch_sizes.push_back(std::stoul(list.substr(p, q - p)));
                p = q == std::string::npos ? list.size() : q + 1;
            }
        }
    }
    torch::set_num_threads(1);
    nascent::blas::set_threads(1);
    std::printf("training throughput, reference CNN, 1 thread, median of %d rounds of %zu steps\n", rounds, steps);
    std::printf("%6s %16s %16s %8s\n", "batch", "nascent img/s", "libtorch img/s", "ratio");
    for (const std::size_t batch_size : batch_sizes) {
        const auto batches = load_batches(batch_size, steps);
        nascent_runner ours;
        torch_runner theirs(batches);
        for (std::size_t s = 0; s < 3; ++s) {  // warm-up
            ours.step(batches[s]);
            theirs.step(s);
        }
        std::vector<double> a, b;
        for (int r = 0; r < rounds; ++r) {
            a.push_back(images_per_second([&](std::size_t s) { ours.step(batches[s % batches.size()]); }, steps, batch_size));
            b.push_back(images_per_second([&](std::size_t s) { theirs.step(s % batches.size()); }, steps, batch_size));
        }
        const double ma = median(a), mb = median(b);
        std::printf("%6zu %16.0f %16.0f %8.2f\n", batch_size, ma, mb, ma / mb);
    }
    return 0;
}
