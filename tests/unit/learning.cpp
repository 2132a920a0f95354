// On-device learning (runtime/learning/, deploy/incremental.hpp): the exponential, the classifier's
// gradients against the training library's autograd, the update rule, the buffer's policies, the
// refusal of a bad label, the RAM figure against the state type, and cutting a network into an
// extractor.
#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <set>
#include <vector>

#include <nascent/core/random.hpp>
#include <nascent/deploy/build.hpp>
#include <nascent/deploy/fixed.hpp>
#include <nascent/deploy/incremental.hpp>
#include <nascent/nn/activation.hpp>
#include <nascent/nn/dense.hpp>
#include <nascent/nn/extract.hpp>
#include <nascent/nn/loss.hpp>
#include <nascent/nn/model.hpp>
#include <nascent/nn/pooling.hpp>
#include <nascent/nn/conv2d.hpp>
#include <nascent/nn/batch_norm.hpp>
#include <nascent/nn/sequential.hpp>
#include <nascent/ops/global_avg_pool.hpp>
#include <nascent/runtime/learning/incremental_model.hpp>

// The file's names live in a namespace of their own: the tests compile in unity groups.
namespace test_learning {

using namespace nascent;
namespace learning = nascent::deploy::learning;

namespace {

/// The classifier's gradient after one backward pass against the autograd of nn::model<Net>.
template <class Net>
void check_against_autograd(learning::classifier_shape s, std::uint64_t seed) {
    nn::model<Net, double> reference(shape{1, 1, static_cast<int>(s.features)}, seed);
    std::vector<float> w;
    for (auto* p : reference.parameters())
        for (double& v : p->value) {
            v = static_cast<double>(static_cast<float>(v + 0.1));  // nonzero biases; exact in float
            w.push_back(static_cast<float>(v));
        }
    REQUIRE(w.size() == s.weight_count());
    std::vector<float> g(w.size(), 0.0F), a(s.activation_count(), 0.0F);
    const learning::classifier c(s, {w.data(), g.data(), nullptr, a.data()});
    rng random(seed + 1);
    std::vector<double> x(s.features);
    for (std::uint32_t i = 0; i < s.features; ++i) {
        x[i] = static_cast<double>(static_cast<float>(random.uniform(-2, 2)));
        c.input()[i] = static_cast<float>(x[i]);
    }
    const int label = 2;
    c.forward();
    c.backward(label);

    tape<double> t;
    tensor<double> input(batch_shape(1, shape{1, 1, static_cast<int>(s.features)}));
    std::copy(x.begin(), x.end(), input.data());
    const var in = t.leaf(input, false);
    nn::context<double> ctx{t, true, nullptr};
    const std::array<int, 1> labels{label};
    const var loss = nn::softmax_cross_entropy(t, reference.forward(ctx, in), labels);
    t.backward(loss);
    std::size_t k = 0;
    double worst = 0;
    for (auto* p : reference.parameters())
        for (const double d : p->grad) worst = std::max(worst, std::abs(d - static_cast<double>(g[k++])) / (1e-3 + std::abs(d)));
    CHECK(worst < 1e-4);
}

/// A buffer of `capacity` samples of one feature each, and its memory.
struct small_buffer {
    std::vector<std::int8_t> features;
    std::vector<std::uint8_t> labels;
    learning::buffer_counters counters{};
    learning::sample_buffer buffer;
    small_buffer(std::uint32_t capacity, std::uint32_t classes, learning::replacement policy, std::uint32_t seed)
        : features(capacity), labels(capacity),
          buffer({features.data(), labels.data(), &counters}, capacity, 1, classes, policy, seed) {
        buffer.reset();
    }
    void offer(int value, int label) {
        const auto v = static_cast<std::int8_t>(value);
        buffer.insert(&v, static_cast<std::uint8_t>(label));
    }
};

// A small int8 extractor known at compile time: conv, relu, global pool (8 features).
using tiny_extractor_space = sequential<conv2d<8, 3, 2>, relu, global_avg_pool>;
using tiny_extractor = deploy::fixed<tiny_extractor_space, shape{8, 8, 1}, precision::int8>;

constexpr learning::incremental_config tiny_config{
    .classifier = {8, 0, 4}, .buffer_capacity = 5, .policy = learning::replacement::fifo, .learning = {0.1F, 0.0F, 1, 2}};
constexpr learning::incremental_config tiny_config_momentum{
    .classifier = {8, 6, 4}, .buffer_capacity = 3, .policy = learning::replacement::reservoir, .learning = {0.1F, 0.9F, 2, 1}};

} // namespace

TEST_CASE("exp_of is within 2e-7 of e^x and softmax sums to one", "[learning]") {
    double worst = 0;
    for (double x = -86.99; x <= 88.0; x += 0.0137) {
        const auto xf = static_cast<float>(x);
        const double exact = std::exp(static_cast<double>(xf));
        worst = std::max(worst, std::abs(static_cast<double>(learning::exp_of(xf)) - exact) / exact);
    }
    CHECK(worst < 2e-7);
    CHECK(learning::exp_of(-100.0F) == 0.0F);
    CHECK(learning::exp_of(0.0F) == 1.0F);
    const float z[4] = {1.0F, -3.0F, 20.0F, 0.5F};
    float p[4];
    learning::softmax(z, p, 4);
    CHECK(std::abs(p[0] + p[1] + p[2] + p[3] - 1.0F) < 1e-6F);
    CHECK(p[2] > 0.99F);
}

TEST_CASE("the classifier's backward equals the training library's autograd", "[learning]") {
    SECTION("one dense layer") { check_against_autograd<sequential<dense<5>>>({7, 0, 5}, 3); }
    SECTION("two dense layers with a ReLU") { check_against_autograd<sequential<dense<6>, relu, dense<5>>>({7, 6, 5}, 4); }
}

TEST_CASE("update is SGD on the mean gradient, with momentum when asked", "[learning]") {
    const learning::classifier_shape s{1, 0, 2};  // 2 weights, 2 biases
    std::vector<float> w{1.0F, 2.0F, 0.0F, 0.0F}, g{4.0F, 8.0F, 2.0F, -2.0F}, v(4, 0.0F), a(s.activation_count());
    const learning::classifier c(s, {w.data(), g.data(), v.data(), a.data()});
    c.update(0.5F, 0.9F, 2);  // mean gradient {2, 4, 1, -1}; v = g; w -= 0.5 v
    CHECK(w == std::vector<float>{0.0F, 0.0F, -0.5F, 0.5F});
    CHECK(g == std::vector<float>(4, 0.0F));
    g = {2.0F, 0.0F, 0.0F, 0.0F};
    c.update(1.0F, 0.5F, 1);  // v0 = 0.5 * 2 + 2 = 3
    CHECK(v[0] == 3.0F);
    CHECK(w[0] == -3.0F);
}

TEST_CASE("the buffer keeps what its policy says", "[learning]") {
    SECTION("fifo: the latest samples") {
        small_buffer b(4, 3, learning::replacement::fifo, 1);
        for (int i = 0; i < 10; ++i) b.offer(i, i % 3);
        CHECK(b.counters.size == 4);
        std::vector<int> kept(b.features.begin(), b.features.end());
        std::sort(kept.begin(), kept.end());
        CHECK(kept == std::vector<int>{6, 7, 8, 9});
    }
    SECTION("reservoir: each sample of the stream with probability capacity / n") {
        std::vector<int> kept(50, 0);
        for (std::uint32_t seed = 1; seed <= 2000; ++seed) {
            small_buffer b(10, 2, learning::replacement::reservoir, seed * 2654435761U);
            for (int i = 0; i < 50; ++i) b.offer(i, 0);
            for (const std::int8_t f : b.features) ++kept[static_cast<std::size_t>(f)];
        }
        for (const int k : kept) CHECK(std::abs(k - 400) < 80);  // 2000 * 10 / 50, about 4.5 sigma
    }
    SECTION("class_balanced: a rare class keeps its samples") {
        small_buffer b(20, 2, learning::replacement::class_balanced, 1);
        for (int i = 0; i < 90; ++i) b.offer(i, 0);
        for (int i = 0; i < 10; ++i) b.offer(100 + i, 1);
        const auto ones = std::count(b.labels.begin(), b.labels.end(), std::uint8_t{1});
        CHECK(ones == 10);
        std::vector<int> zeros;  // the latest class-0 samples stay
        for (std::size_t s = 0; s < 20; ++s)
            if (b.labels[s] == 0) zeros.push_back(b.features[s]);
        std::sort(zeros.begin(), zeros.end());
        CHECK(zeros == std::vector<int>{80, 81, 82, 83, 84, 85, 86, 87, 88, 89});
    }
    SECTION("capacity 0 keeps nothing") {
        small_buffer b(0, 2, learning::replacement::fifo, 1);
        b.offer(1, 0);
        CHECK(b.counters.size == 0);
        CHECK(b.counters.offered == 1);
    }
}

TEST_CASE("the RAM figure is the state's size, part by part", "[learning]") {
    using model = learning::incremental_model<tiny_extractor::program, tiny_config>;
    STATIC_REQUIRE(model::ram_bytes == sizeof(model::state));
    STATIC_REQUIRE(model::part_bytes(learning::ram_part::extractor_arena) == tiny_extractor::arena_bytes);
    STATIC_REQUIRE(model::part_bytes(learning::ram_part::classifier_weights) == 4 * (8 * 4 + 4));
    STATIC_REQUIRE(model::part_bytes(learning::ram_part::optimiser_state) == 0);
    STATIC_REQUIRE(model::part_bytes(learning::ram_part::activations) == 4 * (8 + 4));
    STATIC_REQUIRE(model::part_bytes(learning::ram_part::buffer) >= 5 * 9);
    STATIC_REQUIRE(learning::assert_ram_fits<model, 4096>);
    using with_momentum = learning::incremental_model<tiny_extractor::program, tiny_config_momentum>;
    STATIC_REQUIRE(with_momentum::ram_bytes == sizeof(with_momentum::state));
    STATIC_REQUIRE(with_momentum::part_bytes(learning::ram_part::optimiser_state) == 4 * (8 * 6 + 6 + 6 * 4 + 4));
    STATIC_REQUIRE(with_momentum::ram.total == learning::ram_of(tiny_config_momentum, tiny_extractor::arena_bytes).total);
}

TEST_CASE("a label outside the classes is refused and counted, and changes nothing", "[learning]") {
    using model = learning::incremental_model<tiny_extractor::program, tiny_config>;
    static model::state state;
    const std::vector<float> initial = deploy::initial_classifier(tiny_config.classifier, 1);
    const std::vector<std::int8_t> weights(tiny_extractor::weight_count, 3);
    std::vector<std::int32_t> params(tiny_extractor::param_count, 0);
    model::reset(state, initial.data());
    std::fill(model::input(state), model::input(state) + tiny_extractor::input_size, std::int8_t{5});
    REQUIRE(model::learn(state, weights.data(), params.data(), 1) == learning::learn_status::learned);
    model::state before;
    std::memcpy(&before, &state, sizeof state);
    CHECK(model::learn(state, weights.data(), params.data(), 4) == learning::learn_status::refused_label);
    CHECK(model::learn(state, weights.data(), params.data(), -1) == learning::learn_status::refused_label);
    CHECK(state.counters.refused == 2);
    CHECK(state.counters.learned == 1);
    CHECK(std::memcmp(&before.buffer, &state.buffer, sizeof state.buffer) == 0);
    CHECK(std::memcmp(before.features.values, state.features.values, sizeof state.features.values) == 0);
    CHECK(std::memcmp(before.weights, state.weights, sizeof state.weights) == 0);
}

TEST_CASE("a cut network computes what the whole network computes up to the cut", "[learning]") {
    using net = sequential<conv2d<6, 3>, batch_norm, relu, max_pool2d<2>, conv2d<8, 3>, batch_norm, relu, global_avg_pool, dense<4>>;
    nn::model<net, float> model(shape{10, 10, 1}, 5);
    rng random(7);
    std::vector<float> images(20 * 100);
    for (float& v : images) v = static_cast<float>(random.uniform(-1, 1));
    const deploy::build_result b = deploy::build(model, {}, images);
    const std::size_t cut = deploy::head_cut(b.int8_program);
    CHECK(b.int8_program.steps[cut].type == op_type::dense);
    const deploy::extractor e = deploy::cut_extractor(b, cut);
    CHECK(e.feature_count() == 8);
    CHECK(e.program.steps.size() == cut);
    CHECK(e.program.arena_bytes <= b.int8_program.arena_bytes);
    CHECK(e.weights.size() < b.int8_params.weights.size());
    for (std::size_t image = 0; image < 20; ++image) {
        std::vector<std::byte> full(b.int8_program.arena_bytes), part(e.program.arena_bytes);
        std::vector<std::int8_t> seen;
        b.int8_params.quantize_input(std::span<const float>(images.data() + image * 100, 100),
                                     deploy::input<std::int8_t>(b.int8_program, full.data()));
        std::memcpy(part.data() + e.program.input.offset, full.data() + b.int8_program.input.offset, 100);
        deploy::run(b.int8_program, b.int8_params.weights.data(), b.int8_params.params.data(), full.data(),
                    [&](std::size_t k, const deploy::step& s, const std::byte* arena) {
                        if (k + 1 == cut) seen.assign(reinterpret_cast<const std::int8_t*>(arena + s.out.offset),
                                                      reinterpret_cast<const std::int8_t*>(arena + s.out.offset) + 8);
                    });
        REQUIRE(deploy::run(e.program, e.weights.data(), e.params.data(), part.data()) == deploy::run_status::ok);
        const auto* features = deploy::output<std::int8_t>(e.program, part.data());
        CHECK(std::vector<std::int8_t>(features, features + 8) == seen);
    }
    CHECK_THROWS_WITH(deploy::cut_extractor(b, 0), Catch::Contains("a cut after 0 steps"));
    CHECK_THROWS_WITH(deploy::cut_extractor(b, 99), Catch::Contains("the program has"));
}

TEST_CASE("cuts are layer boundaries: none inside a residual block", "[learning]") {
    using net = sequential<conv2d<4, 3>, relu, residual<sequential<conv2d<4, 3>, relu, conv2d<4, 3>>>, global_avg_pool, dense<3>>;
    const cost::graph g = cost::lower<net>(shape{6, 6, 1}, precision::int8);
    const deploy::runtime_program p = deploy::compile<deploy::dynamic_steps>(g, cost::plan(g), precision::int8);
    const std::vector<std::size_t> cuts = deploy::feature_cuts(p);
    // steps: conv, conv(inside), conv(inside), add, pool, dense (relus fused)
    for (std::size_t k = 0; k < p.steps.size(); ++k) INFO(k << ": " << op_type_name(p.steps[k].type));
    CHECK(std::find(cuts.begin(), cuts.end(), std::size_t{2}) == cuts.end());
    CHECK(std::find(cuts.begin(), cuts.end(), std::size_t{1}) != cuts.end());
    CHECK(std::find(cuts.begin(), cuts.end(), p.steps.size() - 1) != cuts.end());
}

TEST_CASE("the host learner learns new classes from its buffer and TinyOL from the latest sample", "[learning]") {
    // Features of four classes around four corners; the classifier starts knowing none of them.
    const learning::classifier_shape s{4, 0, 4};
    rng random(11);
    auto sample = [&](int label, std::int8_t* f) {
        for (int k = 0; k < 4; ++k) f[k] = static_cast<std::int8_t>((k == label ? 60 : -20) + static_cast<int>(random.uniform(-25, 25)));
    };
    for (const std::uint32_t capacity : {0U, 16U}) {
        learning::incremental_config c{.classifier = s, .buffer_capacity = capacity, .policy = learning::replacement::class_balanced,
                                       .learning = {0.05F, 0.5F, 2, 4}, .feature_scale = 0.05F, .feature_zero_point = 0};
        std::vector<float> w(s.weight_count()), g(w.size()), v(w.size()), a(s.activation_count());
        std::vector<std::int8_t> bf(capacity * 4);
        std::vector<std::uint8_t> bl(capacity);
        learning::buffer_counters bc;
        learning::learner_counters lc;
        const learning::learner l(c, {w.data(), g.data(), v.data(), a.data()}, {bf.data(), bl.data(), &bc}, &lc);
        const std::vector<float> zero(w.size(), 0.0F);
        l.reset(zero.data());
        std::int8_t f[4];
        for (int i = 0; i < 80; ++i) {
            sample(i % 4, f);
            REQUIRE(l.learn(f, i % 4) == learning::learn_status::learned);
        }
        int correct = 0;
        for (int i = 0; i < 400; ++i) {
            sample(i % 4, f);
            correct += l.predict(f) == i % 4 ? 1 : 0;
        }
        INFO("capacity " << capacity);
        CHECK(correct > 380);
        CHECK(lc.learned == 80);
        CHECK(bc.size == capacity);
    }
}

TEST_CASE("the host model and the device type learn the same stream to the same bits", "[learning]") {
    using model = learning::incremental_model<tiny_extractor::program, tiny_config_momentum>;
    static model::state state;
    rng random(3);
    std::vector<std::int8_t> weights(tiny_extractor::weight_count);
    for (std::int8_t& w : weights) w = static_cast<std::int8_t>(random.below(255));
    std::vector<std::int32_t> params(tiny_extractor::param_count, 0);
    const deploy::program<deploy::dynamic_steps> p{tiny_extractor::program.element,
                                                   {tiny_extractor::program.steps.begin(), tiny_extractor::program.steps.end()},
                                                   tiny_extractor::program.arena_bytes, tiny_extractor::program.input,
                                                   tiny_extractor::program.output, tiny_extractor::program.weight_count,
                                                   tiny_extractor::program.param_count};
    // zero points 0, the full int8 range, multiplier 1/2 and a right shift (conv: of 5 bits; pool: none)
    for (const deploy::step& s : p.steps) {
        std::int32_t* q = params.data() + s.params;
        q[2] = -128;
        q[3] = 127;
        if (s.type == op_type::conv) {
            const int c = s.out.extent.c;
            for (int o = 0; o < c; ++o) {
                q[4 + o] = static_cast<std::int32_t>(random.below(200)) - 100;
                q[4 + c + o] = std::int32_t{1} << 30;
                q[4 + 2 * c + o] = -5;
            }
        } else {
            q[4] = std::int32_t{1} << 30;
            q[5] = 1;
        }
    }
    const std::vector<float> initial = deploy::initial_classifier(tiny_config_momentum.classifier, 2);
    deploy::incremental_host host(deploy::extractor{p, weights, params, {tiny_config_momentum.feature_scale, 0}}, tiny_config_momentum,
                                  initial);
    model::reset(state, initial.data());
    for (int i = 0; i < 40; ++i) {
        for (std::size_t k = 0; k < tiny_extractor::input_size; ++k) {
            const auto v = static_cast<std::int8_t>(static_cast<int>(random.below(256)) - 128);
            model::input(state)[k] = v;
            host.input()[k] = v;
        }
        if (i % 2 == 0) {
            REQUIRE(host.learn(i % 4) == model::learn(state, weights.data(), params.data(), i % 4));
        } else {
            REQUIRE(host.predict() == model::predict(state, weights.data(), params.data()));
        }
    }
    CHECK(std::memcmp(host.weights().data(), state.weights, sizeof state.weights) == 0);
    CHECK(host.ram().total == model::ram_bytes);
    CHECK(host.buffer_counters().offered == 20);
    // the features vary from image to image (the stream is not trivial)
    std::set<std::vector<std::int8_t>> distinct;
    for (int i = 0; i < 5; ++i) {
        for (std::size_t k = 0; k < tiny_extractor::input_size; ++k) host.input()[k] = static_cast<std::int8_t>(random.below(256) - 128);
        const std::int8_t* f = host.extract();
        distinct.emplace(f, f + 8);
    }
    CHECK(distinct.size() == 5);
}

TEST_CASE("the incremental header checks itself and refuses what does not match", "[learning]") {
    deploy::extractor e;
    e.program.element = precision::int8;
    e.program.output = {0, shape{1, 1, 8}, 8};
    e.program.arena_bytes = 8;
    const learning::incremental_config c = tiny_config;
    const std::vector<float> w = deploy::initial_classifier(c.classifier, 1);
    const std::string h = deploy::incremental_header("tiny", e, c, w, {});
    CHECK(h.find("using model = nascent::deploy::learning::incremental_model<extractor, config>;") != std::string::npos);
    CHECK(h.find("nascent::deploy::learning::checksum(extractor_weights, extractor_params, classifier_weights) == metadata::checksum") !=
          std::string::npos);
    CHECK(h.find("nascent::deploy::learning::replacement::fifo") != std::string::npos);
    CHECK_THROWS_WITH(deploy::incremental_header("1tiny", e, c, w, {}), Catch::Contains("not a C++ identifier"));
    CHECK_THROWS_WITH(deploy::incremental_header("tiny", e, c, std::vector<float>(3), {}),
                      Catch::Contains("classifier weights are not the classifier's"));
    learning::incremental_config wrong = c;
    wrong.classifier.features = 7;
    CHECK_THROWS_WITH(deploy::incremental_header("tiny", e, wrong, deploy::initial_classifier(wrong.classifier, 1), {}),
                      Catch::Contains("does not read the extractor's features"));
    wrong = c;
    wrong.learning.batch = 0;
    CHECK_THROWS_WITH(deploy::incremental_header("tiny", e, wrong, w, {}), Catch::Contains("the learning batch is empty"));
    CHECK_THROWS_WITH(deploy::incremental_host(e, wrong, w), Catch::Contains("the learning batch is empty"));
}

} // namespace test_learning
