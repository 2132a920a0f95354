// nascent/search/process_pool.hpp - judges a batch of candidates in parallel processes (POSIX fork).
//
//   search::process_pool_evaluator pool(judge, 2, [&](const architecture& a) { return double(macs_of(a)); });
//   search::nsga2_step<space>(in, pool, limits, o, state);  // each generation judged by 2 processes
//
// evaluate_all (batch_scoring.hpp) forks a process for every worker but the first (this process
// is the first) and schedules the candidates as a list, longest expected work first (equal work
// without a work function): worker w starts with the w-th longest, then each worker that is done
// takes the longest left, from a counter the processes share. A forked process is a copy of the
// caller, with its own evaluator, model and data: nothing is shared but the counter, so an
// evaluator that changes its model while it judges (batch-norm recalibration, a cache) needs no
// locking, and the results are those of one process judging the candidates one by one whenever
// each result depends on its candidate alone. A process sends its results through a pipe and
// exits; what it learnt on the way (a cache) stays with it. A process that dies or throws makes
// evaluate_all throw nascent::error naming it and the cause, once every process has been reaped.
// Linux and other POSIX systems only; a host tool, not for the device.
#pragma once

#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <functional>
#include <new>
#include <numeric>
#include <span>
#include <string>
#include <vector>

#include "nascent/core/error.hpp"
#include "nascent/core/text.hpp"
#include "nascent/search/batch_scoring.hpp"
#include "nascent/search/result.hpp"

namespace nascent::search {

namespace detail {

/// One result as it crosses the pipe; `index` == failed_index announces an error message instead.
struct piped_result {
    std::uint64_t index = 0;
    double loss = 0.0;
    double accuracy = 0.0;
    std::uint64_t samples = 0;
    double robustness = -1.0;
    double average_macs = -1.0;
};
inline constexpr std::uint64_t failed_index = ~std::uint64_t{0};

/// Writes all of `bytes` to `fd`; false when the pipe is gone.
inline bool write_fully(int fd, const void* bytes, std::size_t n) {
    const auto* p = static_cast<const char*>(bytes);
    while (n > 0) {
        const ssize_t w = ::write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return false;
        p += w;
        n -= static_cast<std::size_t>(w);
    }
    return true;
}

/// Everything `fd` delivers until its writer closes it.
inline std::string read_to_end(int fd) {
    std::string all;
    char buffer[4096];
    for (;;) {
        const ssize_t r = ::read(fd, buffer, sizeof buffer);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return all;
        all.append(buffer, static_cast<std::size_t>(r));
    }
}

/// Waits for `pid`; its wait status.
inline int reap(pid_t pid) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    return status;
}

/// How a process ended, from its wait status, when that is a failure ("" when it exited with 0).
inline std::string failure_of(int status) {
    if (WIFSIGNALED(status)) return string_of("was killed by signal ", WTERMSIG(status), " (", ::strsignal(WTERMSIG(status)), ")");
    if (WIFEXITED(status) && WEXITSTATUS(status) != 0) return string_of("exited with status ", WEXITSTATUS(status));
    return "";
}

} // namespace detail

/// A batch evaluator over `Evaluator` (any architecture evaluator, kept by reference) that judges
/// each batch in `processes` processes.
template <class Evaluator>
class process_pool_evaluator {
public:
    /// Expected work of judging a candidate (e.g. its MACs), used to balance the shares.
    using work_function = std::function<double(const architecture&)>;

    process_pool_evaluator(Evaluator& evaluate, std::size_t processes, work_function work = {})
        : evaluate_(&evaluate), processes_(processes), work_(std::move(work)) {
        require(processes > 0, "process_pool_evaluator: at least one process is needed");
    }

    /// One candidate, in this process.
    train::evaluation operator()(const architecture& a) { return detail::score(*evaluate_, a); }

    /// Every candidate of `batch`, in order, judged by up to `processes` processes.
    std::vector<train::evaluation> evaluate_all(std::span<const architecture> batch) {
        const std::size_t workers = std::min(processes_, batch.size());
        std::vector<train::evaluation> scores(batch.size());
        if (workers <= 1) {
            for (std::size_t i = 0; i < batch.size(); ++i) scores[i] = detail::score(*evaluate_, batch[i]);
            return scores;
        }
        std::vector<double> work(batch.size(), 1.0);
        if (work_)
            for (std::size_t i = 0; i < batch.size(); ++i) work[i] = work_(batch[i]);
        schedule plan(work, workers);

        std::vector<child> children;
        std::vector<bool> got(batch.size(), false);
        std::fflush(nullptr);  // nothing buffered is written twice
        try {
            for (std::size_t w = 1; w < workers; ++w) children.push_back(start(batch, plan, w));
            for (std::size_t i = plan.first(0); i != plan.done; i = plan.next()) {
                scores[i] = detail::score(*evaluate_, batch[i]);
                got[i] = true;
            }
        } catch (...) {
            for (const child& c : children) {
                ::kill(c.pid, SIGKILL);
                ::close(c.fd);
                (void)detail::reap(c.pid);
            }
            throw;
        }

        std::string failure;
        for (std::size_t w = 0; w < children.size(); ++w) {
            const std::string bytes = detail::read_to_end(children[w].fd);
            ::close(children[w].fd);
            const int status = detail::reap(children[w].pid);
            const std::string who = string_of("evaluation process ", w + 2, " of ", workers, " (pid ", children[w].pid, ") ");
            const std::string message = received(bytes, scores, got);
            const std::string ended = detail::failure_of(status);
            if (!failure.empty()) continue;
            if (!message.empty()) failure = who + "failed: " + message;
            else if (!ended.empty()) failure = who + ended;
        }
        require(failure.empty(), "process_pool_evaluator: " + failure);
        for (std::size_t i = 0; i < batch.size(); ++i)
            require(got[i], string_of("process_pool_evaluator: no result for candidate ", i, " of the batch"));
        return scores;
    }

    [[nodiscard]] std::size_t processes() const noexcept { return processes_; }

private:
    struct child {
        pid_t pid;
        int fd;  ///< read end of its pipe
    };

    /// The list schedule of a batch: candidates by decreasing work; worker w's first is the w-th,
    /// then each takes the next from a counter in memory the forked processes share.
    class schedule {
    public:
        static constexpr std::size_t done = ~std::size_t{0};

        schedule(std::span<const double> work, std::size_t workers) : order_(work.size()) {
            std::iota(order_.begin(), order_.end(), std::size_t{0});
            std::stable_sort(order_.begin(), order_.end(), [&](std::size_t a, std::size_t b) { return work[a] > work[b]; });
            void* shared = ::mmap(nullptr, sizeof(counter), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
            require(shared != MAP_FAILED, string_of("process_pool_evaluator: no shared memory: ", std::strerror(errno)));
            next_ = new (shared) counter(workers);
        }
        ~schedule() {
            next_->~counter();
            ::munmap(next_, sizeof(counter));
        }
        schedule(const schedule&) = delete;
        schedule& operator=(const schedule&) = delete;

        /// Worker w's first candidate (done when the batch is smaller).
        [[nodiscard]] std::size_t first(std::size_t w) const { return w < order_.size() ? order_[w] : done; }
        /// The longest candidate no worker has taken yet (done when none is left).
        [[nodiscard]] std::size_t next() {
            const std::size_t k = next_->fetch_add(1);
            return k < order_.size() ? order_[k] : done;
        }

    private:
        using counter = std::atomic<std::size_t>;
        static_assert(counter::is_always_lock_free, "the shared counter must work across processes");
        std::vector<std::size_t> order_;
        counter* next_ = nullptr;
    };

    /// Forks worker w, which judges its candidates of `plan` and pipes the results back.
    child start(std::span<const architecture> batch, schedule& plan, std::size_t w) {
        int fds[2];
        require(::pipe(fds) == 0, string_of("process_pool_evaluator: no pipe: ", std::strerror(errno)));
        const pid_t pid = ::fork();
        if (pid < 0) {
            const int e = errno;
            ::close(fds[0]);
            ::close(fds[1]);
            throw error(string_of("process_pool_evaluator: cannot fork: ", std::strerror(e)));
        }
        if (pid == 0) {
            ::close(fds[0]);
            judge_and_exit(fds[1], batch, plan, w);
        }
        ::close(fds[1]);
        return {pid, fds[0]};
    }

    /// In the forked process: judges worker w's candidates, writes each result, and ends the process.
    [[noreturn]] void judge_and_exit(int fd, std::span<const architecture> batch, schedule& plan, std::size_t w) {
        int status = 0;
        try {
            for (std::size_t i = plan.first(w); i != schedule::done; i = plan.next()) {
                const train::evaluation e = detail::score(*evaluate_, batch[i]);
                const detail::piped_result r{i, e.loss, e.accuracy, e.samples, e.robustness, e.average_macs};
                if (!detail::write_fully(fd, &r, sizeof r)) ::_exit(3);
            }
        } catch (const std::exception& e) {
            const std::string what = e.what();
            const detail::piped_result r{detail::failed_index, 0.0, 0.0, what.size(), 0.0, 0.0};
            (void)detail::write_fully(fd, &r, sizeof r);
            (void)detail::write_fully(fd, what.data(), what.size());
            status = 1;
        } catch (...) {
            status = 2;
        }
        ::close(fd);
        ::_exit(status);  // no destructors, no atexit handlers, no flush of the parent's buffers
    }

    /// Stores the results in `bytes`; the child's error message ("" when none).
    static std::string received(const std::string& bytes, std::vector<train::evaluation>& scores, std::vector<bool>& got) {
        std::size_t at = 0;
        while (at + sizeof(detail::piped_result) <= bytes.size()) {
            detail::piped_result r;
            std::memcpy(&r, bytes.data() + at, sizeof r);
            at += sizeof r;
            if (r.index == detail::failed_index) return bytes.substr(at, static_cast<std::size_t>(r.samples));
            if (r.index >= scores.size()) return string_of("a result for candidate ", r.index, " of a batch of ", scores.size());
            train::evaluation& e = scores[r.index];
            e.loss = r.loss;
            e.accuracy = r.accuracy;
            e.samples = static_cast<std::size_t>(r.samples);
            e.robustness = r.robustness;
            e.average_macs = r.average_macs;
            got[r.index] = true;
        }
        return "";
    }

    Evaluator* evaluate_;
    std::size_t processes_;
    work_function work_;
};

} // namespace nascent::search
