// nascent/train/schedule.hpp - learning-rate schedules.
//
// A schedule maps (step, total_steps) to a learning rate; steps count from 0.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numbers>

namespace nascent::train {

/// The same rate at every step.
struct constant_lr {
    double rate = 0.01;
    [[nodiscard]] double operator()(std::size_t /*step*/, std::size_t /*total*/) const noexcept { return rate; }
};

/// rate * gamma^(step / step_size): a drop by `gamma` every `step_size` steps.
struct step_lr {
    double rate = 0.1;
    double gamma = 0.1;
    std::size_t step_size = 1000;
    [[nodiscard]] double operator()(std::size_t step, std::size_t /*total*/) const noexcept {
        return rate * std::pow(gamma, static_cast<double>(step / (step_size == 0 ? 1 : step_size)));
    }
};

/// Linear warm-up over `warmup` steps, then a half cosine from `rate` down to `final_rate`
/// at the last step (SGDR without restarts).
struct cosine_lr {
    double rate = 0.1;
    double final_rate = 0.0;
    std::size_t warmup = 0;
    [[nodiscard]] double operator()(std::size_t step, std::size_t total) const noexcept {
        if (step < warmup) return rate * static_cast<double>(step + 1) / static_cast<double>(warmup);
        const double span = total > warmup + 1 ? static_cast<double>(total - warmup - 1) : 1.0;
        const double progress = std::min(1.0, static_cast<double>(step - warmup) / span);
        return final_rate + 0.5 * (rate - final_rate) * (1.0 + std::cos(std::numbers::pi * progress));
    }
};

} // namespace nascent::train
