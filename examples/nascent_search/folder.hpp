// folder.hpp - the output folder of a search job: its checks, its resumable state, its log.
//
//   job_state s = prepare_folder(options);   // refuses a non-empty folder, or a state of other settings
//   ...; write_state(folder, s);             // after every iteration and every final model
//
// The folder (every file written atomically: a temporary file, then a rename):
//   config.json      the settings of the run
//   state.json       everything a resumed run reads: the candidates evaluated, the strategy's
//                    population, the statistics of each iteration, the finished final models
//   candidates.csv   one row per evaluated candidate (architecture, costs, accuracy)
//   iterations.csv   one row per iteration (candidates, best feasible accuracy, front, hypervolume,
//                    the predictor's rank correlation)
//   pareto.csv, pareto.svg   the feasible Pareto front (error, peak RAM, flash)
//   supernet.weights the trained supernet (evaluation "supernet")
//   models/*.hpp     the exported int8 models; summary.md their table
//   log.txt          what the run printed (appended)
// A state file carries a format name, a version and the fingerprint of the settings that decide
// the results; resuming with a different one, or from a file that is not a state, is refused
// before anything is written. The state holds no costs: they are measured again on resume.
#pragma once

#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <nascent/search/nsga2.hpp>
#include <nascent/search/result.hpp>

#include "options.hpp"

namespace nascent_search {

/// What one iteration of the search left behind.
struct iteration_stats {
    std::size_t iteration = 0;
    std::size_t evaluated = 0;        ///< candidates evaluated in it
    std::size_t total = 0;            ///< candidates evaluated so far
    std::size_t feasible = 0;         ///< of them, within the budgets
    double best_accuracy = 0.0;       ///< best feasible accuracy so far (search-time figure)
    std::size_t front = 0;            ///< feasible Pareto front size (error, RAM, flash)
    double hypervolume = 0.0;         ///< of that front, normalised by the budgets
    std::string predictor;            ///< the predictor chosen on the candidates so far ("" when none)
    double predictor_tau = 0.0;       ///< its cross-validated Kendall tau
    double seconds = 0.0;             ///< wall time of the search so far
};

/// What the firmware of a model did (images == 0: not built).
struct firmware_figures {
    std::size_t images = 0;          ///< test images embedded and classified
    std::size_t agreeing = 0;        ///< of them, predicted as the host's int8 program predicts
    std::size_t correct = 0;         ///< of them, predicted right
    std::size_t text = 0, data = 0, bss = 0;  ///< bytes (arm-none-eabi-size)
    std::size_t high_water = 0;      ///< the arena's measured high-water mark, bytes
    std::size_t arena = 0;           ///< the arena's compile-time size, bytes
    double instructions_per_inference = 0.0;  ///< mean over the images, between the markers
};

/// A model trained after the search.
struct final_model {
    std::string name;                 ///< file stem of its header
    std::string why;                  ///< which selection picked it
    std::string architecture;
    std::size_t peak_ram = 0, flash = 0, macs = 0, params = 0;
    double search_accuracy = 0.0;
    double float_accuracy = 0.0;      ///< test, percent
    double int8_accuracy = 0.0;
    double latency_ms = 0.0;          ///< estimated, Cortex-M4 at 168 MHz
    double adapted_accuracy = -1.0;   ///< incremental models: test, percent, after on-device learning
                                      ///< (int8_accuracy: before it); negative for static models
    double corrupted_accuracy = -1.0; ///< --ood-images: float, percent, mean over the corrupted test sets (negative: not measured)
    double perturbed_accuracy = -1.0; ///< --ood-images: float, percent, under weight perturbations
    double sharpness = -1.0;          ///< --ood-images: loss increase under them
    double avg_macs = -1.0;           ///< EDANAS's avg_macs of the int8 program on the test split (its MACs without exits)
    std::string exit_shares;          ///< early exits: percent of the test images leaving at each exit, "68.8/7.2/24.0"
    firmware_figures firmware;        ///< its Cortex-M4 firmware in QEMU (the first model only; images 0: not built)
    int epochs = 0;
    double seconds = 0.0;
};

struct job_state {
    nlohmann::json fingerprint;       ///< fingerprint(options) of the search
    bool supernet_trained = false;
    long iteration = -1;              ///< the last completed iteration (-1: none)
    bool search_done = false;
    double search_seconds = 0.0;
    std::vector<nascent::search::evaluated> history;  ///< costs are recomputed on load
    std::vector<std::size_t> population;              ///< nsga2's population (indices into history)
    std::vector<double> nadir;
    std::vector<nascent::search::nsga2_generation> generations;
    std::size_t rejected = 0;
    std::vector<iteration_stats> iterations;
    std::vector<final_model> finals;
};

/// The state to start from: an empty one for a new search (the folder must be empty or absent), or
/// the folder's state when options.resume (same fingerprint). Throws job_error naming what is wrong;
/// writes nothing.
job_state prepare_folder(const job_options& options);

/// Reads the state of `folder`; throws job_error naming what is wrong (missing, not JSON, not a
/// state, another version, fields missing or of the wrong type) and what could not be done
/// (`purpose`: "resume", "report").
job_state read_state(const std::filesystem::path& folder, const char* purpose = "resume");

void write_state(const std::filesystem::path& folder, const job_state& s);

/// The log: every line to stdout and appended to log.txt.
class job_log {
public:
    job_log() = default;
    job_log(const job_log&) = delete;
    job_log& operator=(const job_log&) = delete;
    ~job_log() {
        if (file_ != nullptr) std::fclose(file_);
    }
    void open(const std::filesystem::path& path);
    template <class... A>
    void line(const char* format, A... args) {
        std::printf(format, args...);
        std::printf("\n");
        std::fflush(stdout);
        if (file_ != nullptr) {
            std::fprintf(file_, format, args...);
            std::fprintf(file_, "\n");
            std::fflush(file_);
        }
    }
    [[nodiscard]] std::FILE* file() const noexcept { return file_; }

private:
    std::FILE* file_ = nullptr;
};

} // namespace nascent_search
