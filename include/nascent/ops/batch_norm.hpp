// nascent/ops/batch_norm.hpp - batch normalisation (training kernels: nn/kernels/batch_norm.hpp).
//
// Per channel: y = gamma * (x - mean) / sqrt(var + eps) + beta. In training
// the mean and (biased) variance come from the batch and update running
// averages with `momentum` (running = (1 - m) * running + m * batch, the
// running variance unbiased), as PyTorch does. In inference the running
// averages are used; the deploy path folds them into the previous convolution.
#pragma once

#include <cstddef>

#include "nascent/core/shape.hpp"

namespace nascent {

struct batch_norm final {
    static constexpr double epsilon = 1e-5;
    static constexpr double momentum = 0.1;

    [[nodiscard]] static constexpr bool accepts(shape in) noexcept { return in.valid(); }
    [[nodiscard]] static constexpr shape output(shape in) noexcept { return in; }
    /// Trainable scale and shift; the running statistics are state, not parameters.
    [[nodiscard]] static constexpr std::size_t params(shape in) noexcept { return 2U * static_cast<std::size_t>(in.c); }
    [[nodiscard]] static constexpr std::size_t macs(shape in) noexcept { return in.size(); }
};

} // namespace nascent
