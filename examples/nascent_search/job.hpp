// job.hpp - what the parts of a search job share: the settings, the state, the data, the log,
// and the functions of the space being searched.
//
//   job j(options, space_program_of(options.space));
//   return run_job(j);   // job.cpp: checks, search, final models, report
//
// The parts, one concern each: options (options.hpp), the output folder and resume (folder.hpp),
// the search loop (search_loop.hpp), the final models (final_models.hpp), the report
// (report.hpp). Only the functions of `space_program` know the space's type; each space defines
// them in one translation unit, space_<name>.cpp (see spaces.hpp).
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <nascent/data/dataset.hpp>
#include <nascent/data/normalization.hpp>
#include <nascent/cost/budget.hpp>
#include <nascent/search/result.hpp>
#include <nascent/train/evaluate.hpp>

#include "folder.hpp"
#include "options.hpp"

namespace nascent_search {

using clock_type = std::chrono::steady_clock;

/// Judges candidates: inherited supernet weights, or a short training from scratch. A strategy
/// hands it a whole generation through evaluate_all (nascent/search/batch_scoring.hpp), which
/// --jobs and mpirun spread over processes (parallel.hpp).
class candidate_judge {
public:
    virtual ~candidate_judge() = default;
    virtual nascent::train::evaluation operator()(const nascent::architecture& a) = 0;
    /// Every candidate of `batch`, in order; here one after the other.
    virtual std::vector<nascent::train::evaluation> evaluate_all(std::span<const nascent::architecture> batch) {
        std::vector<nascent::train::evaluation> scores;
        for (const nascent::architecture& a : batch) scores.push_back((*this)(a));
        return scores;
    }
};

struct space_program;

/// One search job.
struct job {
    job(job_options o, const space_program& s) : options(std::move(o)), space(&s), out(options.out) {}

    job_options options;
    const space_program* space;
    std::filesystem::path out;
    job_state state;
    job_log log;
    nascent::image_dataset train_all, test, search_train, validation;
    nascent::normalization norm;  ///< of the search's training images
    // incremental modes: search_train holds the known classes only, validation all classes
    // (adapted) or the known ones (attach)
    nascent::image_dataset known;   ///< the images an incremental candidate's initial classifier is fitted on
    nascent::image_dataset stream;  ///< the labelled samples the device learns, from train_all[stream_first, ...)
    std::size_t stream_first = 0;   ///< the search and the final training use the images before it
    clock_type::time_point start = clock_type::now();
    double resumed_seconds = 0.0;  ///< search time of the runs before a resume

    /// Time of this job, counting a resumed search's earlier search time.
    [[nodiscard]] double elapsed_total() const { return seconds_since(start) + resumed_seconds; }
    static double seconds_since(clock_type::time_point t) { return std::chrono::duration<double>(clock_type::now() - t).count(); }
};

/// "12.3 min".
std::string minutes(double seconds);

/// The predictor chosen on the candidates so far and its cross-validated Kendall tau.
struct predictor_choice {
    std::string name;  ///< "" when none
    double tau = 0.0;
};

/// A model to train after the search: the candidate (index into the history), the stem of its
/// header, why it was picked, and its planned epochs.
struct final_pick {
    std::size_t index = 0;
    std::string name;
    std::string why;
    int epochs = 0;
};

/// What the program does with a space's type, one function per use, in three parts, all defined in
/// the space's translation unit (spaces.hpp lists the spaces).
struct space_search_part {  ///< search_loop.hpp
    std::size_t decisions;
    nascent::cost::costs (*costs)(const nascent::architecture&, const nascent::cost::budget&);
    void (*check_budget)(const job&);  ///< throws job_error when nothing in the space fits the budget
    void (*search_step)(job&, std::size_t iteration, candidate_judge&);
    predictor_choice (*predictor_on_history)(const job&);
};
struct space_evaluation_part {  ///< evaluation.hpp
    std::unique_ptr<candidate_judge> (*make_judge)(job&);
    void (*differentiable_search)(job&);
};
struct space_final_part {  ///< final_models.hpp
    final_model (*train_and_export)(job&, const final_pick&, const nascent::image_dataset& train_set, const std::vector<final_pick>& picks);
    /// Whether a candidate may be picked (null: every candidate within the budgets may).
    bool (*admissible)(const job&, const nascent::architecture&) = nullptr;
};
struct space_program {
    const char* name;
    const space_search_part* search;
    const space_evaluation_part* evaluation;
    const space_final_part* finals;
};

/// Loads Fashion-MNIST and makes the job's splits and normalisation (job_error when it cannot).
void load_job_data(job& j);

/// Runs the job; returns the exit status.
int run_job(job& j);

} // namespace nascent_search
