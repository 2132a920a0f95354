// job.cpp - a whole search job: checks, search, final models (job.hpp).
//
// 1. Checks before anything is written: the output folder (empty, or a state to resume with the
//    same settings), the dataset, and that the budgets admit some architecture.
// 2. The judge of candidates (evaluation.hpp), spread over --jobs processes or MPI ranks
//    (parallel.hpp), then the search (search_loop.hpp).
// 3. Post-search selection, final training, deploy programs, export (final_models.hpp); the
//    report (report.hpp).
#include <algorithm>
#include <cstdio>

#include <nascent/core/text.hpp>
#include <nascent/data/class_subsets.hpp>
#include <nascent/data/fashion_mnist.hpp>
#include <nascent/io/atomic_file.hpp>
#include <nascent/nn/kernels/gemm.hpp>

#include "final_models.hpp"
#include "job.hpp"
#include "parallel.hpp"
#include "search_loop.hpp"
#include "spaces.hpp"

namespace nascent_search {

using namespace nascent;

std::string minutes(double seconds) {
    char b[32];
    std::snprintf(b, sizeof b, "%.1f min", seconds / 60.0);
    return b;
}

void load_job_data(job& j) {
    const job_options& o = j.options;
    const std::filesystem::path dir = o.dataset.empty() ? fashion_mnist_dir() : std::filesystem::path(o.dataset);
    try {
        j.train_all = load_fashion_mnist(split::train, dir);
        j.test = load_fashion_mnist(split::test, dir);
    } catch (const std::exception& e) {
        throw job_error(string_of("cannot load Fashion-MNIST from '", dir.string(), "': ", e.what()));
    }
    if (o.test_images > 0 && o.test_images < j.test.size()) j.test = subset(j.test, 0, o.test_images);
    if (o.validation >= j.train_all.size()) throw job_error(string_of("--validation must be below the ", j.train_all.size(), " training images"));
    const std::size_t available = j.train_all.size() - o.validation;
    const std::size_t n = o.search_images > 0 ? std::min(o.search_images, available) : available;
    j.search_train = subset(j.train_all, 0, n);
    j.validation = subset(j.train_all, available, o.validation);
    if (o.incremental != incremental_kind::off) {
        // the device's stream comes from the end of the search images; the extractor learns the
        // known classes of the images before it
        try {
            j.stream = stream_of(subset(j.train_all, 0, available), 0, j.train_all.classes, o.per_class, o.seed, &j.stream_first);
        } catch (const std::exception& e) {
            throw job_error(string_of("--per-class ", o.per_class, ": ", e.what()));
        }
        j.search_train = classes_of(subset(j.train_all, 0, std::min(n, j.stream_first)), 0, o.known_classes);
        j.known = subset(j.search_train, 0, std::min<std::size_t>(1000, j.search_train.size()));
        j.validation = o.incremental == incremental_kind::adapted ? subset(j.validation, 0, std::min(o.judge_images, j.validation.size()))
                                                                  : classes_of(j.validation, 0, o.known_classes);
        if (j.search_train.size() == 0 || j.validation.size() == 0) throw job_error("no training or validation images of the known classes");
    }
    j.norm = standardization_of(j.search_train);
}

namespace {

void begin_folder(job& j) {
    const job_options& o = j.options;
    std::filesystem::create_directories(j.out / "models");
    j.log.open(j.out / "log.txt");
    io::write_file_atomically(j.out / "config.json", to_json(o).dump(2) + "\n");
    blas::set_threads(o.threads);
    j.log.line("nascent search: space %s (%zu decisions), strategy %s, evaluation %s, predictor %s, seed %llu", j.space->name,
               j.space->search->decisions, name_of(o.strategy), name_of(o.evaluation), name_of(o.predictor),
               static_cast<unsigned long long>(o.seed));
    j.log.line("budgets: %s, error <= %.1f%%; %zu training, %zu validation, %zu test images; output %s%s", search::describe(o.budget).c_str(),
               100.0 * o.max_error, j.search_train.size(), j.validation.size(), j.test.size(), j.out.c_str(), o.resume ? " (resumed)" : "");
    if (o.incremental != incremental_kind::off)
        j.log.line("incremental (%s): the extractor learns classes 0-%d; the device learns %zu labelled samples of each of the %d classes%s",
                   name_of(o.incremental), o.known_classes - 1, o.per_class, j.train_all.classes,
                   o.incremental == incremental_kind::adapted ? "; a candidate is judged after learning them, the budgets bound the whole model"
                                                              : "; candidates are judged as static networks, a classifier is attached to the final ones");
}

} // namespace

int run_job(job& j) {
    j.start = clock_type::now();
    j.state = prepare_folder(j.options);
    if (j.options.resume) {
        for (auto& e : j.state.history) e.costs = j.space->search->costs(e.arch, j.options.budget);  // the state holds no costs
        j.resumed_seconds = j.state.search_seconds;
    }
    load_job_data(j);
    j.space->search->check_budget(j);
    begin_folder(j);
    std::unique_ptr<candidate_judge> judge = parallel_judge(j, j.space->evaluation->make_judge(j));
    if (!j.state.search_done) search(j, *judge);
    judge.reset();  // the other MPI ranks stop here
    set_interruption_note(string_of("the search is done and saved in ", j.out.string(), ", the final models were being trained: continue with --resume"));
    final_models(j);
    return 0;
}

} // namespace nascent_search
