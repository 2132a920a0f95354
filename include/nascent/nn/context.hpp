// nascent/nn/context.hpp - what a forward pass of the training interpreter needs.
//
// The mode belongs to the pass, not to the ops: batch norm reads `training`
// to choose batch statistics or running averages, dropout to choose a mask
// or the identity.
//
// In a supernet the pass also says which candidate runs (`sampling`):
// - single_path: every decision is read from `decisions`, one slot after
//   another in space order (space/node.hpp); without an architecture the
//   cursor reads 0, the first option everywhere;
// - mixed: every option runs and the outputs are summed, weighted by the
//   softmax of the decision's architecture parameters (DARTS);
// - gumbel_soft: weighted by softmax((alpha + Gumbel noise) / temperature) (FBNet);
// - gumbel_hard: only the option of largest perturbed weight runs, its output
//   scaled by a weight whose value is 1 and whose gradient is the soft
//   weight's (straight-through, GDAS).
// Combinators pass the context on to their members in slot order, so the
// cursor advances by itself.
//
// With `layers` set, every layer with weights appends what it ran (a layer_record)
// as it runs: nn/extract.hpp reads a trained network's weights that way.
// Without it the pass costs one pointer test per layer more.
//
// With `exits` set, every early exit of the pass (space/early_exit.hpp) runs its head and appends
// its logits, in the order the exits run; without it the heads are skipped.
//
// With `quantization` set, relu and relu6 round their outputs to an int8 grid
// (quantisation-aware training, nn/fake_quantization.hpp).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "nascent/autograd/tape.hpp"
#include "nascent/core/op_type.hpp"
#include "nascent/core/random.hpp"
#include "nascent/core/shape.hpp"
#include "nascent/nn/fake_quantization.hpp"
#include "nascent/space/node.hpp"

namespace nascent::nn {

enum class sampling { single_path, mixed, gumbel_soft, gumbel_hard };

/// One layer with weights as a pass ran it, with copies of the values it used.
template <class T>
struct layer_record {
    enum class layer : std::uint8_t { convolution, dense, batch_norm };
    layer kind = layer::convolution;
    shape in{};             ///< the input it read (a supernet layer may read a smaller one than it was built for)
    shape out{};
    op_window window{};     ///< convolution: kernel, stride, dilation, groups, padding
    std::vector<T> weight;  ///< convolution [out][kernel_h][kernel_w][in / groups]; dense [units][features];
                            ///< batch norm: gamma
    std::vector<T> bias;    ///< convolution, dense: the bias (empty: none); batch norm: beta
    std::vector<T> mean;    ///< batch norm: running mean
    std::vector<T> var;     ///< batch norm: running variance
    double epsilon = 0.0;   ///< batch norm: y = gamma (x - mean) / sqrt(var + epsilon) + beta
};

template <class T>
struct context {
    tape<T>& graph;
    bool training = true;
    rng* random = nullptr;  ///< needed by stochastic ops (dropout, Gumbel noise) in training
    sampling mode = sampling::single_path;
    decision_cursor decisions{};  ///< single_path: the architecture being run
    double temperature = 1.0;     ///< Gumbel-softmax temperature
    std::vector<layer_record<T>>* layers = nullptr;  ///< when set: the layers with weights, in the order they ran
    /// After an elastic width chose fewer channels than it has (single path or hard pick): of
    /// the `masked_tensor_channels` channels flowing on, those from `unmasked_channels` on are
    /// zero by construction, as if absent. Layers that keep channels apart (depthwise
    /// convolution, pools, activations, add) keep them zero; a batch norm, whose shift would
    /// make them non-zero, keeps them zero too; a layer that mixes channels clears this (0: no
    /// channel masked).
    int unmasked_channels = 0;
    int masked_tensor_channels = 0;
    /// When set: activations are rounded as an int8 program rounds them (quantisation-aware
    /// training, nn/fake_quantization.hpp); the weights are rounded by whoever runs the pass.
    fake_quantization* quantization = nullptr;
    std::vector<var>* exits = nullptr;  ///< when set: the logits of every early exit the pass met, in order
};

/// An activation's output `y`, rounded as an int8 program stores it when the pass asks for
/// quantisation-aware training (ctx.quantization), else `y` itself.
template <class T>
var stored_activation(context<T>& ctx, var y) {
    if (ctx.quantization == nullptr || !ctx.quantization->activations) return y;
    return fake_quantize_activation(ctx.graph, y, *ctx.quantization, ctx.training);
}

/// Carries ctx's channel mask across a layer with weights from `in_c` to `out_c` channels: a
/// depthwise layer (each output channel reads one input channel) keeps it, any other clears it.
template <class T>
void pass_channel_mask(context<T>& ctx, int in_c, int out_c, bool depthwise) noexcept {
    if (depthwise && ctx.unmasked_channels > 0 && ctx.masked_tensor_channels == in_c && out_c % in_c == 0) {
        ctx.unmasked_channels *= out_c / in_c;
        ctx.masked_tensor_channels = out_c;
    } else {
        ctx.unmasked_channels = 0;
        ctx.masked_tensor_channels = 0;
    }
}

/// Appends a layer's record to ctx.layers (call only when it is set).
template <class T>
void record_layer(context<T>& ctx, typename layer_record<T>::layer kind, shape in, shape out, op_window window,
                  std::span<const T> weight, std::span<const T> bias) {
    layer_record<T> r;
    r.kind = kind;
    r.in = in;
    r.out = out;
    r.window = window;
    r.weight.assign(weight.begin(), weight.end());
    r.bias.assign(bias.begin(), bias.end());
    ctx.layers->push_back(std::move(r));
}

} // namespace nascent::nn
