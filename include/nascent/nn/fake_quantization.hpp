// nascent/nn/fake_quantization.hpp - quantisation-aware training: the training network sees int8 rounding.
//
//   nn::fake_quantization q;                       // the state of the fine-tuning
//   train::fit_options o;  o.quantization = &q;    // weights and activations are fake-quantised
//   train::fit(model, optimiser, schedule, train, test, norm, o);
//   // then deploy::build (or nn::extract and deploy::quantize) as after any training
//
// What the int8 program (deploy/quantize.hpp) rounds, the training pass rounds too, with the same
// scheme (runtime/quantization_scheme.hpp), so the weights learn to live with it:
// - weights: before each forward pass the weights of every convolution and dense layer (the
//   parameters named "weight") are replaced by their per-output-channel symmetric int8 values,
//   scale = max |w[c]| / 127, exactly as deploy::quantize rounds them; the gradient is taken
//   there and applied to the float "master" weights, which are put back before the optimiser
//   steps (the straight-through estimator). Per-channel symmetric rounding does not change when
//   a channel is multiplied by a constant, so rounding the weights before batch norm is folded
//   into them rounds them as the folded weights are rounded (a kernel chosen from the centre of
//   a larger elastic one is the exception: its scale comes from the whole kernel here).
// - activations: the output of every relu and relu6 (the tensors an int8 program stores after
//   a fused activation) is rounded to 256 levels of its range, per tensor and asymmetric with
//   deploy's scale and zero point. In training the range follows the batches' minimum and
//   maximum as an exponential moving average; in evaluation it is frozen. The gradient passes
//   where the value is inside the range and is zero where it was clipped.
// The ranges are kept per activation in the order a pass meets them, so one fake_quantization
// belongs to one model and one architecture.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <utility>
#include <vector>

#include "nascent/autograd/parameter.hpp"
#include "nascent/autograd/tape.hpp"
#include "nascent/runtime/quantization_scheme.hpp"

namespace nascent::nn {

/// The range of one activation tensor, and the int8 grid it defines.
struct activation_range {
    double lo = 0.0;
    double hi = 0.0;
    bool seen = false;

    /// The scale and zero point of [lo, hi] (runtime/quantization_scheme.hpp's quantization_of_range).
    [[nodiscard]] std::pair<double, double> grid() const noexcept {
        const deploy::tensor_quantization q = deploy::quantization_of_range(lo, hi);
        return {static_cast<double>(q.scale), static_cast<double>(q.zero_point)};
    }
};

struct fake_quantization {
    bool weights = true;       ///< round the weights of convolutions and dense layers
    bool activations = true;   ///< round the outputs of relu and relu6
    double momentum = 0.05;    ///< weight of a new batch in the moving ranges
    std::vector<activation_range> ranges;  ///< per activation, in pass order
    std::size_t next = 0;                  ///< the activation the pass meets next

    /// Call before each forward pass.
    void begin_pass() noexcept { next = 0; }
};

/// w rounded per output channel (the first dimension) as deploy::quantize rounds weights:
/// symmetric int8 in [-127, 127], scale max |w[c]| / 127.
template <class T>
void round_weights_per_channel(T* w, std::size_t channels, std::size_t per_channel) noexcept {
    for (std::size_t c = 0; c < channels; ++c) {
        T* wc = w + c * per_channel;
        const double scale = deploy::weight_scale(wc, per_channel);
        for (std::size_t i = 0; i < per_channel; ++i) wc[i] = static_cast<T>(deploy::weight_level(static_cast<double>(wc[i]), scale) * scale);
    }
}

/// While alive, the weights of `params` hold their rounded values; restore() (or the
/// destructor) puts the float masters back, keeping the gradients computed at the rounded ones.
template <class T>
class rounded_weights {
public:
    explicit rounded_weights(const std::vector<parameter<T>*>& params) {
        for (parameter<T>* p : params) {
            if (p->name != "weight" || p->value.dimension() < 2) continue;
            saved_.emplace_back(p, std::vector<T>(p->value.begin(), p->value.end()));
            const std::size_t channels = p->value.shape()[0];
            round_weights_per_channel(p->value.data(), channels, p->value.size() / channels);
        }
    }
    rounded_weights(const rounded_weights&) = delete;
    rounded_weights& operator=(const rounded_weights&) = delete;
    ~rounded_weights() { restore(); }

    void restore() noexcept {
        for (auto& [p, master] : saved_) std::copy(master.begin(), master.end(), p->value.begin());
        saved_.clear();
    }

private:
    std::vector<std::pair<parameter<T>*, std::vector<T>>> saved_;
};

/// Records x rounded to the int8 grid of the next activation range of `q` (see the top of the
/// file). In training the range first moves towards this batch's.
template <class T>
var fake_quantize_activation(tape<T>& t, var x, fake_quantization& q, bool training) {
    if (q.next == q.ranges.size()) q.ranges.emplace_back();
    activation_range& r = q.ranges[q.next++];
    const auto& xv = t.value(x);  // valid until the next record
    const std::size_t n = xv.size();
    if (training) {
        const auto [lo_it, hi_it] = std::minmax_element(xv.begin(), xv.end());
        const double lo = n > 0 ? static_cast<double>(*lo_it) : 0.0;
        const double hi = n > 0 ? static_cast<double>(*hi_it) : 0.0;
        if (!r.seen) {
            r.lo = lo;
            r.hi = hi;
            r.seen = true;
        } else {
            r.lo += q.momentum * (lo - r.lo);
            r.hi += q.momentum * (hi - r.hi);
        }
    }
    if (!r.seen) return x;  // evaluation before any training pass: nothing to round to
    const deploy::tensor_quantization grid = deploy::quantization_of_range(r.lo, r.hi);
    const auto scale = static_cast<double>(grid.scale);
    const auto zero = static_cast<double>(grid.zero_point);
    // values that round onto the end levels are not clipped
    const double lowest = (-128.5 - zero) * scale;
    const double highest = (127.5 - zero) * scale;
    const var y = t.record(xv.shape(), t.requires_grad(x), [x, lowest, highest](tape<T>& tp, var self) {
        bool accumulate = true;
        T* dx = tp.grad_target(x, accumulate);
        const T* in = tp.value(x).data();
        const T* dy = tp.grad(self).data();
        const std::size_t count = tp.value(self).size();
        for (std::size_t i = 0; i < count; ++i) {
            const double v = static_cast<double>(in[i]);
            const T g = v >= lowest && v <= highest ? dy[i] : T{0};
            dx[i] = accumulate ? dx[i] + g : g;
        }
    });
    const T* in = t.value(x).data();
    T* out = t.value(y).data();
    for (std::size_t i = 0; i < n; ++i) {
        out[i] = static_cast<T>((grid.level(static_cast<double>(in[i])) - zero) * scale);
    }
    return y;
}

} // namespace nascent::nn
