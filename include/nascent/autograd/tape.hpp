// nascent/autograd/tape.hpp - the reverse-mode automatic differentiation tape.
//
// A forward pass records one node per op: its output value and a backward
// function. `backward(root)` seeds d(root) = 1 and runs the recorded backward
// functions in reverse order; each reads the gradient of its own output and
// accumulates (+=) into the gradients of its inputs and of the parameters it
// used. Gradients are created, zeroed, on first use.
//
// Nodes are kept between steps: `reset()` forgets the recording but keeps the
// buffers, so a training loop that records the same network again reuses all
// storage (no allocation after the first step). Node references stay valid
// while recording (the nodes live in a deque).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <vector>

#include "nascent/autograd/tensor.hpp"
#include "nascent/core/error.hpp"

namespace nascent {

/// A handle to a node of a tape.
struct var {
    std::uint32_t index = 0;
};

template <class T>
class tape {
public:
    using backward_fn = std::function<void(tape&, var self)>;

    /// Records a node of the given shape. With `requires_grad` false (or gradients disabled)
    /// no backward function is kept. The value is left uninitialised unless the storage is new.
    var record(const tensor_shape& shape, bool requires_grad, backward_fn backward = {}) {
        if (used_ == nodes_.size()) nodes_.emplace_back();
        node& n = nodes_[used_];
        ensure_shape(n.value, shape);
        n.requires_grad = requires_grad && grad_enabled_;
        n.has_grad = false;
        n.backward = n.requires_grad ? std::move(backward) : backward_fn{};
        return var{static_cast<std::uint32_t>(used_++)};
    }

    /// A leaf holding a copy of `value`; `requires_grad` makes its gradient available after backward.
    var leaf(const tensor<T>& value, bool requires_grad = false) {
        const var v = record(value.shape(), requires_grad);
        std::copy(value.begin(), value.end(), nodes_[v.index].value.begin());
        return v;
    }

    [[nodiscard]] tensor<T>& value(var v) noexcept { return at(v).value; }
    [[nodiscard]] const tensor<T>& value(var v) const noexcept { return nodes_[v.index].value; }
    [[nodiscard]] bool requires_grad(var v) const noexcept { return nodes_[v.index].requires_grad; }

    /// Gradient of the root with respect to node v; created zero-filled on first use in a backward pass.
    [[nodiscard]] tensor<T>& grad(var v) {
        node& n = at(v);
        if (!n.has_grad) {
            ensure_shape(n.grad, n.value.shape());
            std::fill(n.grad.begin(), n.grad.end(), T{0});
            n.has_grad = true;
        }
        return n.grad;
    }
    /// Where a backward function that writes every entry of d(root)/d(v) puts it. When no
    /// contribution has arrived yet the zero-fill is skipped and `accumulate` is false: the
    /// caller must then assign (=) instead of adding (+=). Saves a pass over memory.
    [[nodiscard]] T* grad_target(var v, bool& accumulate) {
        node& n = at(v);
        accumulate = n.has_grad;
        if (!n.has_grad) {
            ensure_shape(n.grad, n.value.shape());
            n.has_grad = true;
        }
        return n.grad.data();
    }

    /// True when some backward function has written d(root)/d(v).
    [[nodiscard]] bool has_grad(var v) const noexcept { return nodes_[v.index].has_grad; }

    /// Per-node storage an op keeps for its backward pass (xhat, probabilities, masks...).
    [[nodiscard]] std::vector<T>& saved(var v) noexcept { return at(v).saved; }
    [[nodiscard]] std::vector<std::int32_t>& saved_indices(var v) noexcept { return at(v).saved_indices; }

    /// Scratch memory shared by all ops, valid until the next call.
    [[nodiscard]] T* scratch(std::size_t count) {
        if (scratch_.size() < count) scratch_.resize(count);
        return scratch_.data();
    }

    /// Runs the backward pass from `root`, whose gradient is seeded with ones.
    void backward(var root) {
        require(root.index < used_, "tape::backward: the root is not a node of this recording");
        if (!requires_grad(root)) return;
        auto& seed = grad(root);
        std::fill(seed.begin(), seed.end(), T{1});
        for (std::size_t i = root.index + 1; i-- > 0;) {
            node& n = nodes_[i];
            if (n.requires_grad && n.has_grad && n.backward) n.backward(*this, var{static_cast<std::uint32_t>(i)});
        }
    }

    /// Forgets the recording, keeps the storage.
    void reset() noexcept { used_ = 0; }

    /// Number of nodes recorded since the last reset.
    [[nodiscard]] std::size_t size() const noexcept { return used_; }

    /// With gradients disabled (evaluation), nodes keep no backward function and need no saved data.
    void enable_grad(bool enabled) noexcept { grad_enabled_ = enabled; }
    [[nodiscard]] bool grad_enabled() const noexcept { return grad_enabled_; }

private:
    struct node {
        tensor<T> value;
        tensor<T> grad;
        std::vector<T> saved;
        std::vector<std::int32_t> saved_indices;
        backward_fn backward;
        bool requires_grad = false;
        bool has_grad = false;
    };

    node& at(var v) noexcept { return nodes_[v.index]; }

    std::deque<node> nodes_;
    std::size_t used_ = 0;
    std::vector<T> scratch_;
    bool grad_enabled_ = true;
};

} // namespace nascent
