// nascent/runtime/learning/classifier.hpp - a float32 classifier of one or two dense layers that
// learns on the device: forward, backward (softmax cross-entropy) and SGD with optional momentum.
//
//     const classifier_shape s{.features = 64, .hidden = 0, .classes = 10};   // one dense layer
//     float w[s.weight_count()], g[s.weight_count()], a[s.activation_count()];
//     classifier c{s, {w, g, nullptr, a}};      // no momentum: no velocity array
//     copy features into c.input();  c.forward();  c.backward(label);  c.update(0.01F, 0.0F, 1);
//
// Weights, one layer after the other, as the float32 dense kernel reads them
// (runtime/float/dense.hpp): W1 [hidden][features], b1 [hidden], W2 [classes][hidden], b2 [classes]
// (one layer: W [classes][features], b [classes]). A hidden layer has a ReLU.
// Activations: input [features], hidden [hidden], hidden gradient [hidden], logits [classes]
// (the logits become probabilities, then their gradient, during backward).
// Every sum runs in index order, starting from the bias, so a host and a device compute the same
// floats (with -ffp-contract=off; learning/softmax.hpp).
//
// Freestanding: no heap, no exceptions; the memory is the caller's.
#pragma once

#include <cstddef>
#include <cstdint>

#include "nascent/runtime/learning/softmax.hpp"

namespace nascent::deploy::learning {

/// The sizes of a classifier; a structural type.
struct classifier_shape {
    std::uint32_t features = 0;  ///< inputs (the extractor's output elements)
    std::uint32_t hidden = 0;    ///< units of the hidden layer; 0: one dense layer
    std::uint32_t classes = 0;

    [[nodiscard]] constexpr bool valid() const noexcept { return features > 0 && classes > 1; }
    /// Floats of the weights and biases (also of the gradients, and of the velocity with momentum).
    [[nodiscard]] constexpr std::uint32_t weight_count() const noexcept {
        return hidden == 0 ? features * classes + classes : features * hidden + hidden + hidden * classes + classes;
    }
    /// Floats of the activations: input, hidden and its gradient, logits.
    [[nodiscard]] constexpr std::uint32_t activation_count() const noexcept { return features + 2 * hidden + classes; }
    /// Multiply-accumulates of one forward pass.
    [[nodiscard]] constexpr std::uint32_t macs() const noexcept {
        return hidden == 0 ? features * classes : features * hidden + hidden * classes;
    }
    friend constexpr bool operator==(const classifier_shape&, const classifier_shape&) = default;
};

/// Where a classifier's floats live (the caller owns them).
struct classifier_memory {
    float* weights = nullptr;      ///< weight_count()
    float* gradients = nullptr;    ///< weight_count(), accumulated by backward, zeroed by update
    float* velocity = nullptr;     ///< weight_count() with momentum; null without
    float* activations = nullptr;  ///< activation_count()
};

namespace detail {

/// y[o] = b[o] + sum_i W[o][i] x[i] (W [outputs][inputs], b right after W), ReLU when asked.
constexpr void dense_forward(const float* w, const float* x, float* y, std::uint32_t inputs, std::uint32_t outputs,
                             bool relu) noexcept {
    const float* b = w + static_cast<std::size_t>(inputs) * outputs;
    for (std::uint32_t o = 0; o < outputs; ++o) {
        const float* row = w + static_cast<std::size_t>(o) * inputs;
        float sum = b[o];
        for (std::uint32_t i = 0; i < inputs; ++i) sum += row[i] * x[i];
        y[o] = relu && sum < 0.0F ? 0.0F : sum;
    }
}

/// Accumulates the gradients of W and b for output gradient dy and input x.
constexpr void dense_weight_gradient(float* g, const float* x, const float* dy, std::uint32_t inputs,
                                     std::uint32_t outputs) noexcept {
    float* gb = g + static_cast<std::size_t>(inputs) * outputs;
    for (std::uint32_t o = 0; o < outputs; ++o) {
        float* row = g + static_cast<std::size_t>(o) * inputs;
        for (std::uint32_t i = 0; i < inputs; ++i) row[i] += dy[o] * x[i];
        gb[o] += dy[o];
    }
}

} // namespace detail

/// A classifier over memory the caller owns.
class classifier {
public:
    constexpr classifier(classifier_shape s, classifier_memory m) noexcept : shape_(s), memory_(m) {}

    [[nodiscard]] constexpr const classifier_shape& shape() const noexcept { return shape_; }
    /// The input features (write them before forward()).
    [[nodiscard]] constexpr float* input() const noexcept { return memory_.activations; }
    [[nodiscard]] constexpr float* hidden() const noexcept { return memory_.activations + shape_.features; }
    [[nodiscard]] constexpr float* logits() const noexcept { return memory_.activations + shape_.features + 2 * shape_.hidden; }

    /// Computes the logits of input(); returns them.
    constexpr const float* forward() const noexcept {
        const std::uint32_t f = shape_.features;
        const std::uint32_t h = shape_.hidden;
        const std::uint32_t c = shape_.classes;
        if (h == 0) {
            detail::dense_forward(memory_.weights, input(), logits(), f, c, false);
        } else {
            detail::dense_forward(memory_.weights, input(), hidden(), f, h, true);
            detail::dense_forward(memory_.weights + second_layer(), hidden(), logits(), h, c, false);
        }
        return logits();
    }

    /// The class of the largest logit after forward() (the first of equal ones).
    [[nodiscard]] constexpr int predicted() const noexcept {
        const float* z = logits();
        std::uint32_t best = 0;
        for (std::uint32_t k = 1; k < shape_.classes; ++k)
            if (z[k] > z[best]) best = k;
        return static_cast<int>(best);
    }

    /// After forward(): accumulates into the gradients the gradient of the cross-entropy of
    /// softmax(logits) against `label` (0 <= label < classes; the caller checks). The logits
    /// are overwritten.
    constexpr void backward(std::uint32_t label) const noexcept {
        const std::uint32_t f = shape_.features;
        const std::uint32_t h = shape_.hidden;
        const std::uint32_t c = shape_.classes;
        float* d = logits();
        softmax(d, d, c);
        d[label] -= 1.0F;  // d logits = p - one_hot(label)
        if (h == 0) {
            detail::dense_weight_gradient(memory_.gradients, input(), d, f, c);
            return;
        }
        const float* w2 = memory_.weights + second_layer();
        detail::dense_weight_gradient(memory_.gradients + second_layer(), hidden(), d, h, c);
        float* dh = hidden() + h;
        for (std::uint32_t j = 0; j < h; ++j) {
            float sum = 0.0F;
            for (std::uint32_t k = 0; k < c; ++k) sum += w2[static_cast<std::size_t>(k) * h + j] * d[k];
            dh[j] = hidden()[j] > 0.0F ? sum : 0.0F;
        }
        detail::dense_weight_gradient(memory_.gradients, input(), dh, f, h);
    }

    /// One SGD step with the mean of the gradients of `samples` backward passes, then zeroes
    /// them: v = momentum * v + g; w -= rate * v (without momentum, w -= rate * g).
    constexpr void update(float rate, float momentum, std::uint32_t samples) const noexcept {
        const float scale = 1.0F / static_cast<float>(samples);
        const std::uint32_t n = shape_.weight_count();
        for (std::uint32_t i = 0; i < n; ++i) {
            float g = memory_.gradients[i] * scale;
            if (memory_.velocity != nullptr) {
                memory_.velocity[i] = momentum * memory_.velocity[i] + g;
                g = memory_.velocity[i];
            }
            memory_.weights[i] -= rate * g;
            memory_.gradients[i] = 0.0F;
        }
    }

private:
    /// Index of W2 in the weights.
    [[nodiscard]] constexpr std::size_t second_layer() const noexcept {
        return static_cast<std::size_t>(shape_.features) * shape_.hidden + shape_.hidden;
    }

    classifier_shape shape_;
    classifier_memory memory_;
};

} // namespace nascent::deploy::learning
