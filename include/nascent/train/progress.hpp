// nascent/train/progress.hpp - a one-line progress bar for training on stderr.
//
// Shows epoch, batch, running loss and accuracy, images per second and the
// time left. It draws only when stderr is a terminal (so logs and CI output
// stay clean) and at most ten times a second.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <string>

#include <unistd.h>

namespace nascent::train {

class progress_bar {
public:
    using clock = std::chrono::steady_clock;

    /// `enabled` false silences it; by default it draws when stderr is a terminal.
    progress_bar(int epochs, std::size_t batches_per_epoch, bool enabled = ::isatty(STDERR_FILENO) != 0)
        : epochs_(epochs), batches_(batches_per_epoch), enabled_(enabled), start_(clock::now()) {}

    [[nodiscard]] bool enabled() const noexcept { return enabled_; }

    /// Reports batch `batch` (1-based) of epoch `epoch` (1-based) done.
    void update(int epoch, std::size_t batch, double loss, double accuracy, double images_per_second) {
        if (!enabled_) return;
        const auto now = clock::now();
        if (batch != batches_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
        last_draw_ = now;
        const double elapsed = std::chrono::duration<double>(now - start_).count();
        const double done = static_cast<double>(epoch - 1) * static_cast<double>(batches_) + static_cast<double>(batch);
        const double total = static_cast<double>(epochs_) * static_cast<double>(batches_);
        const double eta = done > 0 ? elapsed * (total - done) / done : 0.0;
        constexpr int width = 24;
        const int filled = static_cast<int>(width * static_cast<double>(batch) / static_cast<double>(batches_));
        std::string bar(static_cast<std::size_t>(filled), '#');
        bar.resize(width, '.');
        std::fprintf(stderr, "\repoch %d/%d [%s] %zu/%zu loss %.4f acc %.2f%% %.0f img/s ETA %s   ", epoch, epochs_,
                     bar.c_str(), batch, batches_, loss, 100.0 * accuracy, images_per_second, format_duration(eta).c_str());
        std::fflush(stderr);
    }

    /// Ends the current line (call at the end of an epoch).
    void finish_line() {
        if (!enabled_) return;
        std::fputc('\n', stderr);
        std::fflush(stderr);
    }

    /// "1h02m03s", "4m05s" or "6s".
    [[nodiscard]] static std::string format_duration(double seconds) {
        const auto s = static_cast<long>(seconds + 0.5);
        char text[32];
        if (s >= 3600) {
            std::snprintf(text, sizeof text, "%ldh%02ldm%02lds", s / 3600, (s / 60) % 60, s % 60);
        } else if (s >= 60) {
            std::snprintf(text, sizeof text, "%ldm%02lds", s / 60, s % 60);
        } else {
            std::snprintf(text, sizeof text, "%lds", s);
        }
        return text;
    }

private:
    int epochs_;
    std::size_t batches_;
    bool enabled_;
    clock::time_point start_;
    clock::time_point last_draw_{};
};

} // namespace nascent::train
