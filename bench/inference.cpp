// Host inference time per image at batch 1: nascent's fixed networks (float32 and int8)
// against libtorch, in one process, on one thread.
//
//   reference CNN: conv3x3*16 - bn - relu - maxpool2 - conv3x3*32 - bn - relu - maxpool2 - flatten - dense10
//   ProxylessNAS:  one architecture of zoo::proxylessnas (printed), MBConv blocks of 1x1 and depthwise convs
//
// Both libraries run the same weights: nascent's deploy::fixed network (batch norm folded into
// the convolutions) and a libtorch module written by hand (convolutions with bias, eval mode,
// plain modules, no TorchScript). The float outputs are compared (they agree up to the order of
// float additions). The weights are random (He-scaled normals, small biases); the int8 networks
// quantise them per tensor with fixed activation scales, so their outputs follow the float ones.
// libtorch runs in several ways (autograd guard, memory format, padding); each is timed and the
// fastest is the one the ratio is taken against. libtorch int8 runs on its quantized CPU engine
// (QNNPACK in Debian's build) when it has one.
//
// Rounds alternate between all runners so that machine noise hits them alike; a figure is the
// median over rounds of the mean time per image of a round. Heap allocations are counted with a
// replaced global operator new during the timed rounds. --profile times every step of the nascent
// networks (deploy::run's observer) and every top-level module of libtorch's.
//
// usage: bench_inference [--rounds N] [--images M] [--profile K]
#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <new>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <ATen/native/quantized/PackedParams.h>
#include <torch/torch.h>

#include <nascent/deploy/fixed.hpp>
#include <nascent/runtime/fixed_point.hpp>
#include <nascent/ops/batch_norm.hpp>
#include <nascent/ops/conv2d.hpp>
#include <nascent/ops/dense.hpp>
#include <nascent/ops/flatten.hpp>
#include <nascent/ops/max_pool2d.hpp>
#include <nascent/ops/relu.hpp>
#include <nascent/zoo/proxylessnas.hpp>

// ---- heap allocation counter: every global operator new of the process ----

namespace {
std::atomic<std::size_t> heap_allocations{0};

void* counted_allocation(std::size_t n, std::size_t alignment) {
    heap_allocations.fetch_add(1, std::memory_order_relaxed);
    void* p = nullptr;
    if (alignment <= alignof(std::max_align_t)) p = std::malloc(n == 0 ? 1 : n);
    else if (posix_memalign(&p, alignment, n == 0 ? 1 : n) != 0) p = nullptr;
    if (p == nullptr) throw std::bad_alloc();
    return p;
}
} // namespace

void* operator new(std::size_t n) { return counted_allocation(n, 0); }
void* operator new[](std::size_t n) { return counted_allocation(n, 0); }
void* operator new(std::size_t n, std::align_val_t a) { return counted_allocation(n, static_cast<std::size_t>(a)); }
void* operator new[](std::size_t n, std::align_val_t a) { return counted_allocation(n, static_cast<std::size_t>(a)); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

namespace {

using clock_type = std::chrono::steady_clock;
using nascent::fused_activation;
using nascent::op_type;
using nascent::precision;
using nascent::shape;
namespace deploy = nascent::deploy;

constexpr shape input_shape{28, 28, 1};
constexpr std::size_t input_size = input_shape.size();
constexpr std::size_t image_count = 64;  // distinct inputs, cycled

// ---- the networks ----

using reference_cnn = nascent::sequential<
    nascent::conv2d<16, 3>, nascent::batch_norm, nascent::relu, nascent::max_pool2d<2>,
    nascent::conv2d<32, 3>, nascent::batch_norm, nascent::relu, nascent::max_pool2d<2>,
    nascent::flatten, nascent::dense<10>>;

template <precision P>
using cnn_net = deploy::fixed<reference_cnn, input_shape, P>;

// ProxylessNAS: one choice per searched layer (0 k3e3, 1 k3e6, 2 k5e3, 3 k5e6, 4 k7e3, 5 k7e6, 6 skip).
// 1.64 M MACs: near the median (1.69 M) of random architectures of the space on 28x28x1.
constexpr std::array<int, 7> proxyless_arch{1, 3, 4, 1, 6, 2, 1};

template <precision P, std::size_t... I>
auto proxyless_fixed(std::index_sequence<I...>) -> deploy::fixed<nascent::zoo::proxylessnas, input_shape, P, proxyless_arch[I]...>;
template <precision P>
using proxyless_net = decltype(proxyless_fixed<P>(std::make_index_sequence<proxyless_arch.size()>{}));

// The searched layers of the space: input channels, output channels, stride.
struct searched_layer {
    int in, out, stride;
};
constexpr std::array<searched_layer, 7> proxyless_layers{
    {{8, 12, 1}, {12, 12, 1}, {12, 16, 2}, {16, 16, 1}, {16, 16, 1}, {16, 24, 2}, {24, 24, 1}}};
constexpr int choice_kernel[] = {3, 3, 5, 5, 7, 7};
constexpr int choice_expansion[] = {3, 6, 3, 6, 3, 6};
constexpr int skip_choice = 6;

std::string describe_proxyless() {
    std::string s = "{";
    for (std::size_t i = 0; i < proxyless_arch.size(); ++i) {
        const int a = proxyless_arch[i];
        s += i == 0 ? "" : ", ";
        char layer[16] = "skip";
        if (a != skip_choice)
            std::snprintf(layer, sizeof layer, "k%de%d%s", choice_kernel[a], choice_expansion[a], proxyless_layers[i].stride == 2 ? "/s2" : "");
        s += layer;
    }
    return s + "}";
}

// ---- weights: random float, and their int8 quantisation ----

struct float_parameters {
    std::vector<float> weights, params;
};
struct int8_parameters {
    std::vector<std::int8_t> weights;
    std::vector<std::int32_t> params;
};

[[nodiscard]] bool weighted(const deploy::step& s) { return s.type == op_type::conv || s.type == op_type::dense; }

/// He-scaled normal weights, N(0, 0.05) biases, for every weighted step of float program p.
template <class Program>
float_parameters make_float_parameters(const Program& p, std::mt19937& random) {
    float_parameters r{std::vector<float>(p.weight_count), std::vector<float>(p.param_count)};
    for (const deploy::step& s : p.steps) {
        if (!weighted(s)) continue;
        const double fan_in = static_cast<double>(s.weight_count) / s.out.extent.c;
        std::normal_distribution<float> w(0.0F, static_cast<float>(std::sqrt(2.0 / fan_in)));
        std::normal_distribution<float> b(0.0F, 0.05F);
        for (std::uint32_t i = 0; i < s.weight_count; ++i) r.weights[s.weights + i] = w(random);
        for (std::uint32_t i = 0; i < s.param_count; ++i) r.params[s.params + i] = b(random);
    }
    return r;
}

/// The quantisation of an activation tensor: real = scale * (q - zero), q int8.
struct quantization {
    double scale = 1.0;
    int zero = 0;
};
// Fixed activation scales (the float activations stay within a few units with He weights).
constexpr quantization input_quantization{1.0 / 32, 0};
constexpr quantization linear_quantization{1.0 / 32, 0};           // conv without activation, add
constexpr quantization relu_quantization{1.0 / 32, -128};          // [0, 8)
constexpr quantization relu6_quantization{6.0 / 255, -128};        // [0, 6]: the clamp is relu6
constexpr quantization logits_quantization{1.0 / 8, 0};

[[nodiscard]] quantization output_quantization(const deploy::step& s) {
    if (s.type == op_type::dense) return logits_quantization;
    if (s.activation == fused_activation::relu) return relu_quantization;
    if (s.activation == fused_activation::relu6) return relu6_quantization;
    return linear_quantization;
}

/// Per-tensor symmetric scale of a weight tensor: max |w| / 127.
[[nodiscard]] double weight_scale(const float* w, std::size_t n) {
    float m = 0.0F;
    for (std::size_t i = 0; i < n; ++i) m = std::max(m, std::abs(w[i]));
    return m > 0.0F ? m / 127.0 : 1.0;
}

/// The int8 program q's weights and params (runtime/program.hpp's param_layout) from the float
/// parameters f of float program fp (same graph, so the same weight numbering): weights per
/// tensor, activations with the fixed scales above, TF Lite's add.
template <class Program8, class Program32>
int8_parameters make_int8_parameters(const Program8& q, const Program32& fp, const float_parameters& f) {
    namespace layout = deploy::param_layout;
    int8_parameters r{std::vector<std::int8_t>(q.weight_count), std::vector<std::int32_t>(q.param_count)};
    std::map<std::uint32_t, std::uint32_t> float_params_of;  // weights index -> float step's params index
    for (const deploy::step& s : fp.steps)
        if (weighted(s)) float_params_of[s.weights] = s.params;
    std::map<std::uint32_t, quantization> tensor;  // arena offset -> quantisation of what is there now
    tensor[q.input.offset] = input_quantization;
    for (const deploy::step& s : q.steps) {
        std::int32_t* p = r.params.data() + s.params;
        const quantization in = tensor.at(s.in[0].offset);
        quantization out = in;
        switch (s.type) {
        case op_type::conv:
        case op_type::dense: {
            out = output_quantization(s);
            const float* w = f.weights.data() + s.weights;
            const float* bias = f.params.data() + float_params_of.at(s.weights);
            const double sw = weight_scale(w, s.weight_count);
            for (std::uint32_t i = 0; i < s.weight_count; ++i)
                r.weights[s.weights + i] = static_cast<std::int8_t>(std::clamp(std::nearbyint(w[i] / sw), -127.0, 127.0));
            const int c = s.out.extent.c;
            const auto m = deploy::quantize_multiplier(in.scale * sw / out.scale);
            p[layout::z_in] = in.zero;
            p[layout::z_out] = out.zero;
            p[layout::act_min] = s.activation == fused_activation::none ? -128 : out.zero;
            p[layout::act_max] = 127;
            for (int k = 0; k < c; ++k) {
                p[layout::channels_begin + k] = static_cast<std::int32_t>(std::nearbyint(bias[k] / (in.scale * sw)));
                p[layout::channels_begin + c + k] = m.multiplier;
                p[layout::channels_begin + 2 * c + k] = m.shift;
            }
            break;
        }
        case op_type::max_pool:
        case op_type::global_avg_pool:  // the output keeps the input's quantisation
            p[layout::z_in] = in.zero;
            p[layout::z_out] = in.zero;
            p[layout::act_min] = -128;
            p[layout::act_max] = 127;
            p[layout::rescale::multiplier] = deploy::identity_multiplier.multiplier;
            p[layout::rescale::shift] = deploy::identity_multiplier.shift;
            break;
        case op_type::add: {
            namespace at = layout::add;
            const quantization b = tensor.at(s.in[1].offset);
            out = linear_quantization;
            constexpr int left_shift = 20;
            const double twice_max = 2.0 * std::max(in.scale, b.scale);
            const auto ma = deploy::quantize_multiplier(in.scale / twice_max);
            const auto mb = deploy::quantize_multiplier(b.scale / twice_max);
            const auto mo = deploy::quantize_multiplier(twice_max / (static_cast<double>(1 << left_shift) * out.scale));
            p[at::z_a] = in.zero;
            p[at::z_b] = b.zero;
            p[at::z_out] = out.zero;
            p[at::act_min] = -128;
            p[at::act_max] = 127;
            p[at::left_shift] = left_shift;
            p[at::multiplier_a] = ma.multiplier;
            p[at::shift_a] = ma.shift;
            p[at::multiplier_b] = mb.multiplier;
            p[at::shift_b] = mb.shift;
            p[at::multiplier_out] = mo.multiplier;
            p[at::shift_out] = mo.shift;
            break;
        }
        default:
            std::fprintf(stderr, "bench_inference: no int8 parameters for step type %d\n", static_cast<int>(s.type));
            std::exit(1);
        }
        tensor[s.out.offset] = out;
    }
    return r;
}

// ---- libtorch: the same networks, by hand ----

[[nodiscard]] int same_extent(int in, int stride) { return (in + stride - 1) / stride; }
[[nodiscard]] std::pair<int, int> same_padding(int in, int kernel, int stride) {
    const int total = std::max((same_extent(in, stride) - 1) * stride + kernel - in, 0);
    return {total / 2, total - total / 2};
}

/// A "same"-padded convolution with bias. nascent (as TensorFlow) pads an odd total at the end;
/// `exact` pads such inputs explicitly (an extra op), otherwise the convolution pads kernel / 2
/// on both sides, as one writes it in PyTorch: the same cost, the window shifted by one pixel.
struct same_conv_impl : torch::nn::Module {
    torch::nn::Conv2d conv{nullptr};
    std::vector<std::int64_t> pad;  // left, right, top, bottom, when padded explicitly

    same_conv_impl(int in, int out, int kernel, int stride, int groups, int extent, bool exact) {
        const auto [before, after] = same_padding(extent, kernel, stride);
        const bool explicit_pad = exact && before != after;
        if (explicit_pad) pad = {before, after, before, after};
        conv = register_module("conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, kernel)
                                                             .stride(stride)
                                                             .padding(explicit_pad ? 0 : kernel / 2)
                                                             .groups(groups)
                                                             .bias(true)));
    }
    torch::Tensor forward(torch::Tensor x) {
        if (!pad.empty()) x = at::constant_pad_nd(x, pad, 0.0);
        return conv(x);
    }
};
TORCH_MODULE_IMPL(same_conv, same_conv_impl);

/// MBConv: 1x1 expansion + relu6, depthwise + relu6, 1x1 projection, + input when residual.
struct mbconv_impl : torch::nn::Module {
    same_conv expand{nullptr}, depthwise{nullptr}, project{nullptr};
    bool residual = false;

    mbconv_impl(int in, int out, int kernel, int expansion, int stride, int extent, bool exact) {
        const int mid = in * expansion;
        expand = register_module("expand", same_conv(in, mid, 1, 1, 1, extent, exact));
        depthwise = register_module("depthwise", same_conv(mid, mid, kernel, stride, mid, extent, exact));
        project = register_module("project", same_conv(mid, out, 1, 1, 1, same_extent(extent, stride), exact));
        residual = stride == 1 && in == out;
    }
    torch::Tensor forward(torch::Tensor x) {
        torch::Tensor y = expand(x);
        torch::hardtanh_(y, 0.0, 6.0);
        y = depthwise(y);
        torch::hardtanh_(y, 0.0, 6.0);
        y = project(y);
        if (residual) y += x;
        return y;
    }
};
TORCH_MODULE_IMPL(mbconv, mbconv_impl);

torch::nn::Sequential torch_cnn() {
    using namespace torch::nn;
    return Sequential(Conv2d(Conv2dOptions(1, 16, 3).padding(1)), ReLU(ReLUOptions(true)), MaxPool2d(2),
                      Conv2d(Conv2dOptions(16, 32, 3).padding(1)), ReLU(ReLUOptions(true)), MaxPool2d(2), Flatten(),
                      Linear(32 * 7 * 7, 10));
}

torch::nn::Sequential torch_proxyless(bool exact) {
    using namespace torch::nn;
    Sequential net(same_conv(1, 8, 3, 2, 1, 28, exact), ReLU6(ReLU6Options(true)), mbconv(8, 8, 3, 1, 1, 14, exact));
    int extent = 14;
    for (std::size_t i = 0; i < proxyless_arch.size(); ++i) {
        const int a = proxyless_arch[i];
        const searched_layer& l = proxyless_layers[i];
        if (a == skip_choice) continue;
        net->push_back(mbconv(l.in, l.out, choice_kernel[a], choice_expansion[a], l.stride, extent, exact));
        extent = same_extent(extent, l.stride);
    }
    net->push_back(same_conv(24, 48, 1, 1, 1, extent, exact));
    net->push_back(ReLU6(ReLU6Options(true)));
    net->push_back(AdaptiveAvgPool2d(AdaptiveAvgPool2dOptions(1)));
    net->push_back(Flatten());
    net->push_back(Linear(48, 10));
    return net;
}

/// The Conv2d and Linear modules of a module tree, in registration order.
void weighted_modules(const std::shared_ptr<torch::nn::Module>& m, std::vector<std::shared_ptr<torch::nn::Module>>& out) {
    for (const auto& c : m->children()) {
        if (c->as<torch::nn::Conv2dImpl>() != nullptr || c->as<torch::nn::LinearImpl>() != nullptr) out.push_back(c);
        else weighted_modules(c, out);
    }
}

[[noreturn]] void fail(const std::string& what) {
    std::fprintf(stderr, "bench_inference: %s\n", what.c_str());
    std::exit(1);
}

/// Copies the float parameters of program p into the libtorch network: its weighted modules in
/// order are the program's weighted steps in weight order (the order of the space type).
/// OHWI -> OIHW; dense features from NHWC order (of the tensor before flatten, which the
/// program's dense step reads as a vector) to the NCHW flatten order.
template <class Program>
void load_torch(torch::nn::Sequential& net, const Program& p, const float_parameters& f) {
    std::vector<const deploy::step*> steps;
    std::map<std::uint32_t, shape> written;       // arena offset -> extent of its latest writer
    std::map<const deploy::step*, shape> source;  // dense step -> its input as written (before flatten)
    for (const deploy::step& s : p.steps) {
        if (weighted(s)) steps.push_back(&s);
        if (s.type == op_type::dense) source[&s] = written.at(s.in[0].offset);
        written[s.out.offset] = s.out.extent;
    }
    std::sort(steps.begin(), steps.end(), [](const deploy::step* a, const deploy::step* b) { return a->weights < b->weights; });
    std::vector<std::shared_ptr<torch::nn::Module>> modules;
    weighted_modules(net.ptr(), modules);
    if (modules.size() != steps.size()) fail("libtorch network and program differ in weighted layers");
    torch::NoGradGuard no_grad;
    for (std::size_t i = 0; i < steps.size(); ++i) {
        const deploy::step& s = *steps[i];
        auto* w = const_cast<float*>(f.weights.data() + s.weights);
        auto* b = const_cast<float*>(f.params.data() + s.params);
        const std::int64_t out = s.out.extent.c;
        if (auto* conv = modules[i]->as<torch::nn::Conv2dImpl>()) {
            const std::int64_t in = s.in[0].extent.c / s.window.groups;
            const std::vector<std::int64_t> expected{out, in, s.window.kernel_h, s.window.kernel_w};
            if (s.type != op_type::conv || conv->weight.sizes().vec() != expected || conv->options.stride()->at(0) != s.window.stride ||
                conv->options.groups() != s.window.groups)
                fail("libtorch conv " + std::to_string(i) + " differs from the program's step");
            conv->weight.copy_(torch::from_blob(w, {out, s.window.kernel_h, s.window.kernel_w, in}).permute({0, 3, 1, 2}));
            conv->bias.copy_(torch::from_blob(b, {out}));
        } else {
            auto* linear = modules[i]->as<torch::nn::LinearImpl>();
            const shape x = source.at(&s);  // NHWC, as the arena holds it
            if (s.type != op_type::dense || linear->weight.size(0) != out || linear->weight.size(1) != static_cast<std::int64_t>(x.size()))
                fail("libtorch linear differs from the program's step");
            linear->weight.copy_(torch::from_blob(w, {out, x.h, x.w, x.c}).permute({0, 3, 1, 2}).reshape({out, -1}));
            linear->bias.copy_(torch::from_blob(b, {out}));
        }
    }
    net->eval();
}

// ---- libtorch int8 (its quantized CPU engine) ----

using conv_packed = c10::intrusive_ptr<ConvPackedParamsBase<2>>;
using linear_packed = c10::intrusive_ptr<LinearPackedParamsBase>;

/// quint8 zero point of an int8 quantisation (the same real values).
[[nodiscard]] std::int64_t quint8_zero(const quantization& q) { return q.zero + 128; }

conv_packed pack_conv(const torch::nn::Conv2dImpl& conv) {
    static const auto op = c10::Dispatcher::singleton().findSchemaOrThrow("quantized::conv2d_prepack", "");
    const torch::Tensor w = conv.weight.detach();
    const double sw = weight_scale(w.contiguous().data_ptr<float>(), static_cast<std::size_t>(w.numel()));
    const auto& o = conv.options;
    torch::jit::Stack stack{torch::quantize_per_tensor(w, sw, 0, torch::kQInt8), c10::optional<at::Tensor>(conv.bias.detach()),
                            std::vector<std::int64_t>{o.stride()->at(0), o.stride()->at(1)},
                            std::vector<std::int64_t>{c10::get<torch::ExpandingArray<2>>(o.padding())->at(0),
                                                      c10::get<torch::ExpandingArray<2>>(o.padding())->at(1)},
                            std::vector<std::int64_t>{1, 1}, static_cast<std::int64_t>(o.groups())};
    op.callBoxed(&stack);
    return stack.at(0).toCustomClass<ConvPackedParamsBase<2>>();
}

linear_packed pack_linear(const torch::nn::LinearImpl& linear) {
    static const auto op = c10::Dispatcher::singleton().findSchemaOrThrow("quantized::linear_prepack", "");
    const torch::Tensor w = linear.weight.detach().contiguous();
    const double sw = weight_scale(w.data_ptr<float>(), static_cast<std::size_t>(w.numel()));
    torch::jit::Stack stack{torch::quantize_per_tensor(w, sw, 0, torch::kQInt8), c10::optional<at::Tensor>(linear.bias.detach())};
    op.callBoxed(&stack);
    return stack.at(0).toCustomClass<LinearPackedParamsBase>();
}

/// The quantized network: the float network's layers packed, run by hand.
struct torch_int8_network {
    std::vector<conv_packed> convs;
    linear_packed classifier;
    bool proxyless = false;
    std::vector<bool> residual;  // per MBConv block (proxyless)

    explicit torch_int8_network(torch::nn::Sequential& net, bool is_proxyless) : proxyless(is_proxyless) {
        std::vector<std::shared_ptr<torch::nn::Module>> modules;
        weighted_modules(net.ptr(), modules);
        for (const auto& m : modules) {
            if (auto* conv = m->as<torch::nn::Conv2dImpl>()) convs.push_back(pack_conv(*conv));
            else classifier = pack_linear(*m->as<torch::nn::LinearImpl>());
        }
        for (const auto& m : *net)
            if (auto* block = m.ptr()->as<mbconv_impl>()) residual.push_back(block->residual);
    }

    torch::Tensor forward(const torch::Tensor& x) const {
        static const auto add =
            c10::Dispatcher::singleton().findSchemaOrThrow("quantized::add", "").typed<at::Tensor(at::Tensor, at::Tensor, double, std::int64_t)>();
        const auto q = [](const quantization& z) { return std::pair<double, std::int64_t>{z.scale, quint8_zero(z)}; };
        const auto [r6s, r6z] = q(relu6_quantization);
        const auto [ls, lz] = q(linear_quantization);
        const auto [os, oz] = q(logits_quantization);
        if (!proxyless) {
            const auto [rs, rz] = q(relu_quantization);
            torch::Tensor y = at::max_pool2d(convs[0]->apply_relu(x, rs, rz), {2, 2}, {2, 2}, {0, 0}, {1, 1});
            y = at::max_pool2d(convs[1]->apply_relu(y, rs, rz), {2, 2}, {2, 2}, {0, 0}, {1, 1});
            return classifier->apply(y.contiguous().reshape({1, -1}), os, oz);
        }
        torch::Tensor y = convs[0]->apply_relu(x, r6s, r6z);
        std::size_t c = 1;
        for (const bool res : residual) {
            torch::Tensor t = convs[c++]->apply_relu(y, r6s, r6z);
            t = convs[c++]->apply_relu(t, r6s, r6z);
            t = convs[c++]->apply(t, ls, lz);
            y = res ? add.call(t, y, ls, lz) : t;
        }
        y = convs[c]->apply_relu(y, r6s, r6z);
        y = at::adaptive_avg_pool2d(y, {1, 1});
        return classifier->apply(y.reshape({1, -1}), os, oz);
    }
};

// ---- runners ----

struct runner {
    runner(std::string n, precision e, bool nascent, std::function<void(std::size_t)> f)
        : name(std::move(n)), element(e), is_nascent(nascent), run(std::move(f)) {}

    std::string name;
    precision element;                     // which nascent runner the ratio is taken against
    bool is_nascent = false;
    std::function<void(std::size_t)> run;  // one inference on image i
    std::vector<double> round_us;          // mean µs per image of each round
    std::size_t allocations = 0;           // operator new calls during the timed rounds
    std::size_t inferences = 0;
};

[[nodiscard]] double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

void time_round(runner& r, std::size_t images) {
    const std::size_t before = heap_allocations.load(std::memory_order_relaxed);
    const auto start = clock_type::now();
    for (std::size_t i = 0; i < images; ++i) r.run(i % image_count);
    const double us = std::chrono::duration<double, std::micro>(clock_type::now() - start).count();
    r.allocations += heap_allocations.load(std::memory_order_relaxed) - before;
    r.inferences += images;
    r.round_us.push_back(us / static_cast<double>(images));
}

[[nodiscard]] const char* step_kind(const deploy::step& s, char* buffer, std::size_t size) {
    const auto& w = s.window;
    switch (s.type) {
    case op_type::conv:
        if (w.groups > 1 && s.in[0].extent.c == w.groups) std::snprintf(buffer, size, "dw %dx%d/%d", w.kernel_h, w.kernel_w, w.stride);
        else std::snprintf(buffer, size, "conv %dx%d/%d", w.kernel_h, w.kernel_w, w.stride);
        return buffer;
    case op_type::dense: return "dense";
    case op_type::max_pool: std::snprintf(buffer, size, "max_pool %dx%d", w.kernel_h, w.kernel_w); return buffer;
    case op_type::global_avg_pool: return "global_avg_pool";
    case op_type::add: return "add";
    default: return "other";
    }
}

[[nodiscard]] double step_macs(const deploy::step& s) {
    if (s.type == op_type::conv)
        return static_cast<double>(s.out.extent.size()) * s.window.kernel_h * s.window.kernel_w * (s.in[0].extent.c / s.window.groups);
    if (s.type == op_type::dense) return static_cast<double>(s.out.extent.c) * static_cast<double>(s.in[0].extent.size());
    return 0.0;
}

/// Mean time of every step of a nascent network over `count` inferences (deploy::run's observer).
template <class Net>
void profile_nascent(const char* title, typename Net::arena& arena, const typename Net::element* weights,
                     const typename Net::parameter* params, const std::vector<std::vector<typename Net::element>>& images,
                     std::size_t count) {
    constexpr auto& prog = Net::program;
    std::vector<double> total(prog.steps.size(), 0.0);
    clock_type::time_point last;
    auto observe = [&](std::size_t i, const deploy::step&, const std::byte*) {
        const auto now = clock_type::now();
        total[i] += std::chrono::duration<double, std::micro>(now - last).count();
        last = now;
    };
    for (std::size_t n = 0; n < count; ++n) {
        const auto& image = images[n % images.size()];
        std::copy(image.begin(), image.end(), Net::input(arena));
        last = clock_type::now();
        deploy::run(prog, weights, params, arena.bytes, observe);
    }
    double sum = 0.0;
    for (double& t : total) sum += t /= static_cast<double>(count);
    std::printf("\n%s: %zu steps, %.1f us per image (with the observer), mean of %zu\n", title, prog.steps.size(), sum, count);
    std::printf("  %3s %-14s %-12s %-12s %5s %9s %8s %6s %8s\n", "#", "step", "in", "out", "place", "MACs", "us", "%", "GMAC/s");
    for (std::size_t i = 0; i < prog.steps.size(); ++i) {
        const deploy::step& s = prog.steps[i];
        char kind[32], in[24], out[24];
        std::snprintf(in, sizeof in, "%dx%dx%d", s.in[0].extent.h, s.in[0].extent.w, s.in[0].extent.c);
        std::snprintf(out, sizeof out, "%dx%dx%d", s.out.extent.h, s.out.extent.w, s.out.extent.c);
        const double macs = step_macs(s);
        std::printf("  %3zu %-14s %-12s %-12s %5s %9.0f %8.2f %6.1f", i, step_kind(s, kind, sizeof kind), in, out,
                    s.in_place ? "yes" : "", macs, total[i], 100.0 * total[i] / sum);
        if (macs > 0.0) std::printf(" %8.2f", macs / total[i] / 1000.0);
        std::printf("\n");
    }
}

/// Mean time of every top-level module of a libtorch network over `count` inferences.
void profile_torch(const char* title, torch::nn::Sequential& net, const torch::Tensor& input, std::size_t count) {
    c10::InferenceMode guard;
    std::vector<double> total(net->size(), 0.0);
    for (std::size_t n = 0; n < count; ++n) {
        torch::Tensor x = input;
        std::size_t i = 0;
        for (auto& m : *net) {
            const auto start = clock_type::now();
            x = m.forward(x);
            total[i++] += std::chrono::duration<double, std::micro>(clock_type::now() - start).count();
        }
    }
    double sum = 0.0;
    for (double& t : total) sum += t /= static_cast<double>(count);
    std::printf("\n%s: %zu modules, %.1f us per image, mean of %zu\n", title, total.size(), sum, count);
    std::size_t i = 0;
    for (auto& m : *net) {
        std::string name = m.ptr()->name();
        if (name.rfind("torch::nn::", 0) == 0) name = name.substr(11);
        if (auto* b = m.ptr()->as<mbconv_impl>())
            name += " k" + std::to_string(b->depthwise->conv->options.kernel_size()->at(0)) + " " +
                    std::to_string(b->expand->conv->options.in_channels()) + "->" +
                    std::to_string(b->expand->conv->options.out_channels()) + "->" +
                    std::to_string(b->project->conv->options.out_channels());
        std::printf("  %3zu %-32s %8.2f %6.1f\n", i, name.c_str(), total[i], 100.0 * total[i] / sum);
        ++i;
    }
}

/// How libtorch float32 runs: padding (exact: as nascent), memory format, autograd guard.
struct torch_variant {
    std::string name;
    bool exact, channels_last, inference_mode;
};
struct torch_float {
    torch::nn::Sequential net{nullptr};
    torch::Tensor input, output;
    torch_variant v;
};

struct options {
    int rounds = 21;
    std::size_t images = 100;
    std::size_t profile = 0;
};

/// The median and least over rounds of a runner's µs per image.
struct figure {
    double median = 0.0, least = 0.0;
};
struct summary_row {
    std::string network;
    figure nascent_float, nascent_int8, torch_float, torch_int8;  // torch_float: its fastest variant
    std::string torch_float_variant;
};

/// Builds the runners of one network, times them and prints its table.
template <class NetF, class Net8>
summary_row bench_network(const char* title, bool proxyless, const options& opt, bool torch_int8_available) {
    std::mt19937 random(2024);
    constexpr auto& prog_f = NetF::program;
    constexpr auto& prog_8 = Net8::program;
    const float_parameters f = make_float_parameters(prog_f, random);
    const int8_parameters q = make_int8_parameters(prog_8, prog_f, f);

    // Inputs: standardised pixels ~ N(0, 1), and their int8 quantisation.
    std::vector<std::vector<float>> images_f(image_count, std::vector<float>(input_size));
    std::vector<std::vector<std::int8_t>> images_8(image_count, std::vector<std::int8_t>(input_size));
    std::normal_distribution<float> pixel(0.0F, 1.0F);
    for (std::size_t i = 0; i < image_count; ++i)
        for (std::size_t k = 0; k < input_size; ++k) {
            images_f[i][k] = pixel(random);
            images_8[i][k] = static_cast<std::int8_t>(
                std::clamp(std::nearbyint(images_f[i][k] / input_quantization.scale) + input_quantization.zero, -128.0, 127.0));
        }

    std::printf("\n== %s ==\n", title);
    std::printf("nascent: %zu steps; arena %zu B float32, %zu B int8; flash %zu B float32, %zu B int8; %zu MACs\n",
                prog_f.steps.size(), NetF::arena_bytes, Net8::arena_bytes, NetF::flash_bytes, Net8::flash_bytes, NetF::costs.macs);

    // nascent
    static typename NetF::arena arena_f;
    static typename Net8::arena arena_8;
    std::vector<float> out_f(image_count * 10);
    std::vector<std::int8_t> out_8(image_count * 10);
    for (std::size_t i = 0; i < image_count; ++i) {
        std::copy(images_f[i].begin(), images_f[i].end(), NetF::input(arena_f));
        const float* y = NetF::run(arena_f, f.weights.data(), f.params.data());
        std::copy(images_8[i].begin(), images_8[i].end(), Net8::input(arena_8));
        const std::int8_t* y8 = Net8::run(arena_8, q.weights.data(), q.params.data());
        if (y == nullptr || y8 == nullptr) fail("a nascent network did not run");
        std::copy(y, y + 10, out_f.begin() + static_cast<std::ptrdiff_t>(i * 10));
        std::copy(y8, y8 + 10, out_8.begin() + static_cast<std::ptrdiff_t>(i * 10));
    }

    // libtorch float variants
    std::vector<torch_variant> variants{{"NCHW, no_grad", true, false, false},
                                        {"NCHW, inference_mode", true, false, true},
                                        {"channels-last, inference_mode", true, true, true}};
    if (proxyless) {
        variants.push_back({"NCHW, inference_mode, symmetric pad", false, false, true});
        variants.push_back({"channels-last, inference_mode, symmetric pad", false, true, true});
    }
    std::vector<std::unique_ptr<torch_float>> torch_nets;
    for (const auto& v : variants) {
        auto t = std::make_unique<torch_float>();
        t->v = v;
        t->net = proxyless ? torch_proxyless(v.exact) : torch_cnn();
        load_torch(t->net, prog_f, f);
        t->input = torch::empty({1, 1, input_shape.h, input_shape.w});  // one channel: NCHW is NHWC
        if (v.channels_last) {
            torch::NoGradGuard no_grad;
            for (auto& p : t->net->parameters())
                if (p.dim() == 4) p.set_data(p.contiguous(at::MemoryFormat::ChannelsLast));
            t->input = t->input.contiguous(at::MemoryFormat::ChannelsLast);
        }
        torch_nets.push_back(std::move(t));
    }

    // Agreement: nascent float against libtorch (exact padding), int8 against float.
    double max_logit = 0.0, diff_torch = 0.0, diff_int8 = 0.0;
    int agree_int8 = 0;
    {
        torch::NoGradGuard no_grad;
        for (std::size_t i = 0; i < image_count; ++i) {
            std::memcpy(torch_nets[0]->input.data_ptr<float>(), images_f[i].data(), input_size * sizeof(float));
            const torch::Tensor y = torch_nets[0]->net->forward(torch_nets[0]->input).contiguous();
            std::size_t best_f = 0, best_8 = 0;
            for (std::size_t k = 0; k < 10; ++k) {
                const double a = out_f[i * 10 + k];
                max_logit = std::max(max_logit, std::abs(a));
                diff_torch = std::max(diff_torch, std::abs(a - y.data_ptr<float>()[k]));
                diff_int8 = std::max(diff_int8, std::abs(a - logits_quantization.scale * (out_8[i * 10 + k] - logits_quantization.zero)));
                best_f = out_f[i * 10 + k] > out_f[i * 10 + best_f] ? k : best_f;
                best_8 = out_8[i * 10 + k] > out_8[i * 10 + best_8] ? k : best_8;
            }
            agree_int8 += best_f == best_8 ? 1 : 0;
        }
    }
    std::printf("outputs over %zu inputs: max |logit| %.3f; nascent float32 vs libtorch float32: max |diff| %.2e; "
                "nascent int8 vs float32: max |diff| %.3f, same class %d/%zu\n",
                image_count, max_logit, diff_torch, diff_int8, agree_int8, image_count);

    std::vector<runner> runners;
    runners.emplace_back("nascent float32", precision::float32, true, [&](std::size_t i) {
        std::copy(images_f[i].begin(), images_f[i].end(), NetF::input(arena_f));
        NetF::run(arena_f, f.weights.data(), f.params.data());
    });
    runners.emplace_back("nascent int8", precision::int8, true, [&](std::size_t i) {
        std::copy(images_8[i].begin(), images_8[i].end(), Net8::input(arena_8));
        Net8::run(arena_8, q.weights.data(), q.params.data());
    });
    for (auto& t : torch_nets) {
        torch_float* tp = t.get();
        runners.emplace_back("libtorch float32 " + tp->v.name, precision::float32, false, [tp, &images_f](std::size_t i) {
            std::memcpy(tp->input.data_ptr<float>(), images_f[i].data(), input_size * sizeof(float));
            if (tp->v.inference_mode) {
                c10::InferenceMode guard;
                tp->output = tp->net->forward(tp->input);
            } else {
                torch::NoGradGuard guard;
                tp->output = tp->net->forward(tp->input);
            }
        });
    }

    // libtorch int8: the symmetric-pad float network quantised (QNNPACK pads symmetrically).
    std::unique_ptr<torch_int8_network> tq;
    torch::Tensor q_input, q_output;
    torch::nn::Sequential q_source{nullptr};
    if (torch_int8_available) {
        q_source = proxyless ? torch_proxyless(false) : torch_cnn();
        load_torch(q_source, prog_f, f);
        tq = std::make_unique<torch_int8_network>(q_source, proxyless);
        q_input = at::_empty_affine_quantized({1, 1, input_shape.h, input_shape.w}, at::device(at::kCPU).dtype(at::kQUInt8),
                                              input_quantization.scale, quint8_zero(input_quantization), at::MemoryFormat::ChannelsLast);
        auto copy_input = [&q_input, &images_8](std::size_t i) {
            auto* dst = reinterpret_cast<std::uint8_t*>(q_input.data_ptr<c10::quint8>());
            for (std::size_t k = 0; k < input_size; ++k) dst[k] = static_cast<std::uint8_t>(images_8[i][k] + 128);
        };
        // Agreement with libtorch float32 on the same (symmetric-pad) network, and with nascent
        // int8 where the padding is the same (the reference CNN): the same quantisation, so the
        // int8 logits differ only by rounding.
        double diff = 0.0;
        int agree = 0, diff_nascent = 0;
        for (std::size_t i = 0; i < image_count; ++i) {
            torch::NoGradGuard no_grad;
            copy_input(i);
            torch::Tensor x = torch::from_blob(images_f[i].data(), {1, 1, input_shape.h, input_shape.w});
            const torch::Tensor y = q_source->forward(x).contiguous();
            const torch::Tensor y8 = tq->forward(q_input).contiguous();
            const torch::Tensor yr = y8.dequantize();
            diff = std::max(diff, (y - yr).abs().max().item<double>());
            agree += y.argmax().item<std::int64_t>() == yr.argmax().item<std::int64_t>() ? 1 : 0;
            const auto* raw = reinterpret_cast<const std::uint8_t*>(y8.data_ptr<c10::quint8>());
            for (std::size_t k = 0; k < 10; ++k) diff_nascent = std::max(diff_nascent, std::abs(out_8[i * 10 + k] - (raw[k] - 128)));
        }
        std::printf("libtorch int8 (%s) vs libtorch float32: max |diff| %.3f, same class %d/%zu",
                    c10::toString(at::globalContext().qEngine()).c_str(), diff, agree, image_count);
        if (!proxyless) std::printf("; vs nascent int8: max |diff| %d quantisation steps", diff_nascent);
        std::printf("\n");
        runners.emplace_back("libtorch int8", precision::int8, false, [&, copy_input](std::size_t i) {
            copy_input(i);
            c10::InferenceMode guard;
            q_output = tq->forward(q_input);
        });
    }

    // Warm-up, then rounds alternating between the runners (starting one further each round).
    for (auto& r : runners)
        for (std::size_t i = 0; i < 3 * image_count; ++i) r.run(i % image_count);
    for (int round = 0; round < opt.rounds; ++round)
        for (std::size_t k = 0; k < runners.size(); ++k) time_round(runners[(k + static_cast<std::size_t>(round)) % runners.size()], opt.images);

    const double base_f = median(runners[0].round_us), base_8 = median(runners[1].round_us);
    std::printf("%-62s %9s %9s %9s %14s %13s\n", "runner (us per image)", "median", "min", "max", "libtorch/nasc.",
                "new/inference");
    summary_row row{title, {}, {}, {}, {}, ""};
    for (const auto& r : runners) {
        const double m = median(r.round_us);
        const auto [lo, hi] = std::minmax_element(r.round_us.begin(), r.round_us.end());
        std::printf("%-62s %9.1f %9.1f %9.1f", r.name.c_str(), m, *lo, *hi);
        if (!r.is_nascent) std::printf(" %14.2f", m / (r.element == precision::int8 ? base_8 : base_f));
        else std::printf(" %14s", "");
        std::printf(" %13.1f\n", static_cast<double>(r.allocations) / static_cast<double>(r.inferences));
        const figure fig{m, *lo};
        if (r.is_nascent) (r.element == precision::int8 ? row.nascent_int8 : row.nascent_float) = fig;
        else if (r.element == precision::int8) row.torch_int8 = fig;
        else if (row.torch_float.median == 0.0 || m < row.torch_float.median) {
            row.torch_float = fig;
            row.torch_float_variant = r.name.substr(std::string("libtorch float32 ").size());
        }
    }
    std::printf("nascent heap allocations in the timed rounds: float32 %zu, int8 %zu (over %zu inferences each)\n",
                runners[0].allocations, runners[1].allocations, runners[0].inferences);

    if (opt.profile > 0) {
        profile_nascent<NetF>((std::string(title) + ", nascent float32").c_str(), arena_f, f.weights.data(), f.params.data(),
                              images_f, opt.profile);
        profile_nascent<Net8>((std::string(title) + ", nascent int8").c_str(), arena_8, q.weights.data(), q.params.data(),
                              images_8, opt.profile);
        for (auto& t : torch_nets)
            if (t->v.inference_mode && !t->v.channels_last && t->v.exact) {
                std::memcpy(t->input.data_ptr<float>(), images_f[0].data(), input_size * sizeof(float));
                profile_torch((std::string(title) + ", libtorch float32 " + t->v.name).c_str(), t->net, t->input, opt.profile);
            }
    }
    return row;
}

} // namespace

int main(int argc, char** argv) {
    options opt;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string arg = argv[i];
        if (arg == "--rounds") opt.rounds = std::atoi(argv[i + 1]);
        else if (arg == "--images") opt.images = std::strtoull(argv[i + 1], nullptr, 10);
        else if (arg == "--profile") opt.profile = std::strtoull(argv[i + 1], nullptr, 10);
        else fail("unknown option " + arg + " (--rounds N, --images M, --profile K)");
    }
    at::set_num_threads(1);
    at::set_num_interop_threads(1);
    bool torch_int8 = false;
    for (const auto engine : at::globalContext().supportedQEngines())
        if (engine == at::QEngine::FBGEMM || (engine == at::QEngine::QNNPACK && !torch_int8)) {
            at::globalContext().setQEngine(engine);
            torch_int8 = true;
        }
    std::printf("host inference, batch 1, 1 thread; median of %d rounds of %zu images; libtorch %d.%d, int8 engine: %s\n",
                opt.rounds, opt.images, TORCH_VERSION_MAJOR, TORCH_VERSION_MINOR, torch_int8 ? c10::toString(at::globalContext().qEngine()).c_str() : "none");
    std::printf("ProxylessNAS architecture {%d", proxyless_arch[0]);
    for (std::size_t i = 1; i < proxyless_arch.size(); ++i) std::printf(", %d", proxyless_arch[i]);
    std::printf("}: stem conv3x3/2, mbconv k3e1, %s, conv1x1 48, global pool, dense 10\n", describe_proxyless().c_str());

    std::vector<summary_row> rows;
    rows.push_back(bench_network<cnn_net<precision::float32>, cnn_net<precision::int8>>("reference CNN", false, opt, torch_int8));
    rows.push_back(bench_network<proxyless_net<precision::float32>, proxyless_net<precision::int8>>("ProxylessNAS", true, opt, torch_int8));

    std::printf("\nsummary: us per image, median (least) over rounds; ratio = libtorch / nascent (> 1: nascent faster),\n"
                "of the medians (of the least); libtorch float32: its fastest variant\n");
    std::printf("%-14s %16s %16s %12s %16s %16s %12s   %s\n", "network", "nascent f32", "libtorch f32", "ratio f32", "nascent int8",
                "libtorch int8", "ratio int8", "libtorch float32 variant");
    const auto cell = [](const figure& f) {
        char b[32];
        std::snprintf(b, sizeof b, "%.1f (%.1f)", f.median, f.least);
        return std::string(b);
    };
    const auto ratio = [](const figure& torch, const figure& ours) {
        char b[32];
        std::snprintf(b, sizeof b, "%.2f (%.2f)", torch.median / ours.median, torch.least / ours.least);
        return std::string(b);
    };
    for (const auto& r : rows) {
        const bool int8 = r.torch_int8.median > 0.0;
        std::printf("%-14s %16s %16s %12s %16s %16s %12s   %s\n", r.network.c_str(), cell(r.nascent_float).c_str(),
                    cell(r.torch_float).c_str(), ratio(r.torch_float, r.nascent_float).c_str(), cell(r.nascent_int8).c_str(),
                    int8 ? cell(r.torch_int8).c_str() : "-", int8 ? ratio(r.torch_int8, r.nascent_int8).c_str() : "-",
                    r.torch_float_variant.c_str());
    }
    return 0;
}
