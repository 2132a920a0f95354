// job.hpp - a whole search job on one space: search, select, train, quantise, export.
//
//   return nascent_search::run_job<nascent::zoo::mcu_cnn>(options, "mcu_cnn");
//
// 1. Checks before anything is written: the output folder (empty, or a state to resume with
//    the same settings), the dataset, and that the budgets admit some architecture.
// 2. Evaluation: "supernet" trains a weight-sharing supernet (uniform single-path sampling)
//    on the training images minus the validation ones and judges a candidate by its inherited
//    weights after batch-norm recalibration; "train" trains each candidate from scratch for
//    --candidate-epochs. Both judge on the held-out validation images, never on the test set.
// 3. Search, one iteration at a time, the state saved after each (state.hpp). Iteration 0 is
//    the first population; the random numbers of iteration k come from (seed, k) alone, so a
//    resumed search repeats the uninterrupted one.
// 4. Post-search selection (--select), plus the most accurate candidate within each --also-ram.
// 5. Each pick is trained from scratch on the training split, run as float and int8 deploy
//    programs over the whole test split, and exported as a model header; the table goes to
//    the terminal and to summary.md.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <unistd.h>
#include <unordered_set>
#include <vector>

#include <nascent/nascent.hpp>
#include <nascent/deploy/export.hpp>
#include <nascent/deploy/extract.hpp>
#include <nascent/deploy/quantize.hpp>
#include <nascent/deploy/run.hpp>
#include <nascent/search/bayesian_optimization.hpp>
#include <nascent/search/differentiable.hpp>
#include <nascent/search/evaluator.hpp>
#include <nascent/search/nsga2.hpp>
#include <nascent/search/pareto_report.hpp>
#include <nascent/search/post_search.hpp>
#include <nascent/search/predict/adaptive.hpp>
#include <nascent/search/predict/encoding.hpp>
#include <nascent/search/predict/predictor.hpp>
#include <nascent/search/supernet_training.hpp>

#include "options.hpp"
#include "state.hpp"

namespace nascent_search {

using namespace nascent;
using clock_type = std::chrono::steady_clock;

/// The log: every line to stdout and appended to log.txt.
class job_log {
public:
    void open(const std::filesystem::path& path) {
        file_ = std::fopen(path.c_str(), "a");
        if (file_ == nullptr) throw job_error(concat("cannot write '", path.string(), "'"));
    }
    ~job_log() {
        if (file_ != nullptr) std::fclose(file_);
    }
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

inline std::string minutes(double seconds) {
    char b[32];
    std::snprintf(b, sizeof b, "%.1f min", seconds / 60.0);
    return b;
}

template <class Space>
class search_job {
public:
    static constexpr shape input = job_input;

    search_job(job_options options, std::string space_name) : o_(std::move(options)), space_name_(std::move(space_name)) {
        limits_.max_peak_ram_bytes = o_.max_ram;
        limits_.max_flash_bytes = o_.max_flash;
        limits_.max_macs = o_.max_macs;
        per_iteration_ = o_.per_iteration > 0 ? o_.per_iteration : o_.population;
    }

    int run() {
        start_ = clock_type::now();
        prepare_folder();
        load_data();
        check_budget();
        begin_folder();
        if (o_.evaluation == "supernet") prepare_supernet();
        if (!state_.search_done) search();
        final_models();
        return 0;
    }

private:
    // ---- 1. checks and the folder ------------------------------------------------------------
    void prepare_folder() {
        out_ = o_.out;
        if (o_.resume) {
            state_ = read_state(out_);
            for (auto& e : state_.history) e.costs = search::costs_of<Space>(input, limits_, e.arch);  // the state holds no costs; every new candidate comes with them
            resumed_seconds_ = state_.search_seconds;
            if (state_.fingerprint != fingerprint(o_))
                throw job_error(concat("cannot resume: '", (out_ / "state.json").string(),
                                       "' belongs to a search with other settings; its settings were ", state_.fingerprint.dump(),
                                       " (use the same settings, or another --out)"));
            return;
        }
        if (std::filesystem::exists(out_) && !std::filesystem::is_empty(out_))
            throw job_error(concat("the output folder '", out_.string(), "' is not empty: resume it with --resume, or choose another --out"));
        state_.fingerprint = fingerprint(o_);
    }

    void load_data() {
        const std::filesystem::path dir = o_.dataset.empty() ? fashion_mnist_dir() : std::filesystem::path(o_.dataset);
        try {
            train_all_ = load_fashion_mnist(split::train, dir);
            test_ = load_fashion_mnist(split::test, dir);
        } catch (const std::exception& e) {
            throw job_error(concat("cannot load Fashion-MNIST from '", dir.string(), "': ", e.what()));
        }
        if (o_.validation >= train_all_.size()) throw job_error(concat("--validation must be below the ", train_all_.size(), " training images"));
        const std::size_t available = train_all_.size() - o_.validation;
        const std::size_t n = o_.search_images > 0 ? std::min(o_.search_images, available) : available;
        search_train_ = subset(train_all_, 0, n);
        validation_ = subset(train_all_, available, o_.validation);
        norm_ = standardization_of(search_train_);
    }

    void check_budget() {
        rng random(o_.seed);
        try {
            (void)search::sample_feasible<Space>(input, limits_, random);
        } catch (const error& e) {
            throw job_error(concat("impossible budget for space ", space_name_, ": ", e.what()));
        }
    }

    void begin_folder() {
        std::filesystem::create_directories(out_ / "models");
        log_.open(out_ / "log.txt");
        io::write_file_atomically(out_ / "config.json", to_json(o_).dump(2) + "\n");
        blas::set_threads(o_.threads);
        log_.line("nascent search: space %s (%zu decisions), strategy %s, evaluation %s, predictor %s, seed %llu", space_name_.c_str(),
                  space::decisions<Space>, o_.strategy.c_str(), o_.evaluation.c_str(), o_.predictor.c_str(),
                  static_cast<unsigned long long>(o_.seed));
        log_.line("budgets: %s, error <= %.1f%%; %zu training, %zu validation, %zu test images; output %s%s",
                  search::describe(limits_).c_str(), 100.0 * o_.max_error, search_train_.size(), validation_.size(), test_.size(),
                  out_.c_str(), o_.resume ? " (resumed)" : "");
    }

    void save() {
        write_state(out_, state_);
        write_tables();
    }

    // ---- 2. evaluation ---------------------------------------------------------------------------
    void prepare_supernet() {
        supernet_.emplace(input, o_.seed);
        const std::filesystem::path weights = out_ / "supernet.weights";
        if (state_.supernet_trained) {
            try {
                nn::load(*supernet_, weights);
            } catch (const std::exception& e) {
                throw job_error(concat("cannot resume: ", e.what()));
            }
            log_.line("supernet: weights loaded from %s", weights.c_str());
        } else {
            search::supernet_options so;
            so.mode = search::supernet_mode::uniform;
            so.epochs = std::max(o_.supernet_epochs, 1);
            so.seed = o_.seed;
            so.learning_rate = o_.learning_rate;
            so.log = log_.file();
            const auto t = clock_type::now();
            const search::supernet_report r = search::train_supernet<Space>(*supernet_, search_train_, norm_, so);
            nn::save(*supernet_, weights);
            state_.supernet_trained = true;
            write_state(out_, state_);
            log_.line("supernet: %d epochs, %zu paths trained, last loss %.3f, train accuracy %.2f%%, %s", so.epochs, r.paths_trained,
                      r.epochs.back().loss, 100.0 * r.epochs.back().accuracy, minutes(seconds_since(t)).c_str());
        }
        judge_.emplace(*supernet_, search_train_, validation_, norm_, search::evaluator_options{.recalibration_batches = 4});
    }

    train::evaluation evaluate(const architecture& a) {
        if (judge_) return (*judge_)(a);
        // a short training from scratch, seeded by the run's seed and the architecture
        nn::model<Space> model(input, o_.seed ^ hash_value(a));
        train::sgd<float> optimiser(model.parameters(), {.momentum = 0.9, .weight_decay = 5e-5});
        train::fit_options fo;
        fo.epochs = std::max(o_.candidate_epochs, 1);
        fo.seed = o_.seed;
        fo.architecture = std::vector<int>(a.choices.begin(), a.choices.end());
        fo.progress = false;
        fo.log = nullptr;
        (void)train::fit(model, optimiser, train::cosine_lr{.rate = o_.learning_rate}, search_train_, subset(validation_, 0, 1), norm_, fo);
        return train::evaluate(model, validation_, norm_, 256, a.view());
    }

    // ---- 3. search -------------------------------------------------------------------------------
    void search() {
        const auto evaluator = [this](const architecture& a) { return evaluate(a); };
        const std::size_t last = o_.strategy == "differentiable" ? 0 : o_.iterations;
        double iteration_seconds = 0.0;
        while (state_.iteration < static_cast<long>(last)) {
            if (state_.iteration >= 0 && state_.search_seconds >= 60.0 * o_.search_minutes) {
                log_.line("search: stopped after iteration %ld, the search time of %s is used", state_.iteration,
                          minutes(60.0 * o_.search_minutes).c_str());
                break;
            }
            const auto t = clock_type::now();
            const auto k = static_cast<std::size_t>(state_.iteration + 1);
            const std::size_t before = state_.history.size();
            if (o_.strategy == "nsga2") nsga2_iteration(k, evaluator);
            else if (o_.strategy == "bo") bo_iteration(k, evaluator);
            else if (o_.strategy == "differentiable") differentiable_iteration();
            else evolutionary_iteration(k, evaluator);
            iteration_seconds = seconds_since(t);
            state_.search_seconds += iteration_seconds;
            state_.iteration = static_cast<long>(k);
            close_iteration(k, state_.history.size() - before, last);
            save();
            if (state_.history.size() == before && k > 0) {
                log_.line("search: iteration %zu found nothing new to evaluate; the space is exhausted", k);
                break;
            }
        }
        state_.search_done = true;
        save();
    }

    template <class Evaluator>
    void nsga2_iteration(std::size_t k, Evaluator& evaluator) {
        search::nsga2_options no;
        no.population = o_.population;
        no.generations = o_.iterations;
        no.offspring = per_iteration_;
        no.reject_infeasible = true;
        no.seed = o_.seed;
        no.log = log_.file();
        if (k == 0) {
            search::nsga2_state s = search::nsga2_start<Space>(input, evaluator, limits_, no);
            from_nsga2(std::move(s));
            return;
        }
        search::nsga2_state s = to_nsga2();
        search::nsga2_step<Space>(input, evaluator, limits_, no, s);
        from_nsga2(std::move(s));
    }

    search::nsga2_state to_nsga2() const {
        search::nsga2_state s;
        s.generation = static_cast<std::size_t>(state_.iteration);
        s.history = state_.history;
        const std::vector<cost::metric> metrics{cost::metric::peak_ram_bytes, cost::metric::flash_bytes};
        for (const auto& e : s.history) s.points.push_back(search::point_of(e, metrics, limits_));
        s.population = state_.population;
        s.nadir = state_.nadir;
        s.rejected = state_.rejected;
        s.generations = state_.generations;
        return s;
    }

    void from_nsga2(search::nsga2_state s) {
        state_.history = std::move(s.history);
        state_.population = std::move(s.population);
        state_.nadir = std::move(s.nadir);
        state_.rejected = s.rejected;
        state_.generations = std::move(s.generations);
    }

    template <class Evaluator>
    void bo_iteration(std::size_t k, Evaluator& evaluator) {
        search::bayesian_options bo;
        bo.initial = o_.population;
        bo.iterations = k * per_iteration_;
        bo.seed = o_.seed;
        bo.log = log_.file();
        search::search_result so_far;
        so_far.history = state_.history;
        const search::search_result r = k == 0 ? search::bayesian_optimization<Space>(input, evaluator, limits_, bo)
                                               : search::resume_bayesian_optimization<Space>(input, evaluator, limits_, so_far, bo);
        state_.history = r.history;
    }

    void differentiable_iteration() {
        nn::model<Space> model(input, o_.seed);
        search::differentiable_options d;
        d.training.mode = search::supernet_mode::darts;
        d.training.epochs = std::max(o_.supernet_epochs, 1);
        d.training.seed = o_.seed;
        d.training.hardware = {cost::metric::peak_ram_bytes, static_cast<double>(o_.max_ram) / 2.0, 2.0};
        d.log = log_.file();
        search::supernet_evaluator judge(model, search_train_, validation_, norm_, {.recalibration_batches = 4});
        const search::differentiable_result r = search::differentiable_search(model, search_train_, norm_, judge, limits_, d);
        state_.history = r.history;
    }

    /// random, aging and evolution: a batch of new feasible candidates, pre-screened by the predictor.
    template <class Evaluator>
    void evolutionary_iteration(std::size_t k, Evaluator& evaluator) {
        rng random = search::nsga2_rng(o_.seed, k);
        std::unordered_set<architecture> seen;
        for (const auto& e : state_.history) seen.insert(e.arch);
        const bool first = k == 0;
        const std::size_t wanted = first ? o_.population : per_iteration_;
        const bool screened = !first && o_.predictor != "none" && state_.history.size() >= 8;
        const std::size_t bred = screened ? wanted * std::max<std::size_t>(o_.screen, 1) : wanted;

        // parents: aging reads the most recent `population` candidates, evolution the best ones
        std::vector<std::size_t> parents;
        if (!first && o_.strategy != "random") {
            std::vector<std::size_t> order(state_.history.size());
            for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
            if (o_.strategy == "evolution")
                std::stable_sort(order.begin(), order.end(),
                                 [&](std::size_t a, std::size_t b) { return state_.history[a].accuracy > state_.history[b].accuracy; });
            else
                std::reverse(order.begin(), order.end());
            order.resize(std::min(order.size(), o_.population));
            parents = std::move(order);
        }
        auto tournament = [&](std::size_t size) -> const architecture& {
            std::size_t best = parents[static_cast<std::size_t>(random.below(parents.size()))];
            for (std::size_t i = 1; i < size; ++i) {
                const std::size_t c = parents[static_cast<std::size_t>(random.below(parents.size()))];
                if (state_.history[c].accuracy > state_.history[best].accuracy) best = c;
            }
            return state_.history[best].arch;
        };

        std::vector<architecture> pool;
        std::size_t failures = 0;
        while (pool.size() < bred && failures < 2000) {
            architecture child;
            if (parents.empty()) {
                child = space::sample<Space>(input, random);
            } else if (o_.strategy == "aging") {
                child = space::mutate<Space>(tournament(std::max<std::size_t>(o_.sample_size, 1)), input, random);
            } else {
                child = tournament(4);
                if (random.uniform() < 0.5) child = space::crossover<Space>(child, tournament(4), input, random);
                child = space::mutate<Space>(child, input, random);
            }
            if (seen.contains(child) || !search::satisfies(search::costs_of<Space>(input, limits_, child), limits_)) {
                ++failures;
                continue;
            }
            seen.insert(child);
            pool.push_back(std::move(child));
        }
        if (screened && pool.size() > wanted) {
            search::predict::encoder<Space> encode(input);
            search::predict::adaptive_predictor model(adaptive_settings());
            const search::predict::training_data seen_data = search::predict::training_set(state_.history, encode);
            model.fit(seen_data.features, seen_data.accuracy);
            pool = search::predict::screen(model, pool, wanted, encode);
        }
        for (auto& a : pool) {
            const train::evaluation e = evaluator(a);
            search::evaluated entry{a, search::costs_of<Space>(input, limits_, a), e.accuracy, e.loss, k};
            search::detail::log_candidate(log_.file(), o_.strategy.c_str(), state_.history.size() + 1, entry);
            state_.history.push_back(std::move(entry));
        }
    }

    [[nodiscard]] search::predict::adaptive_options adaptive_settings() const {
        search::predict::adaptive_options a;
        a.seed = o_.seed;
        if (o_.predictor == "rbf") a.kinds = {search::predict::predictor_kind::rbf};
        if (o_.predictor == "gp") a.kinds = {search::predict::predictor_kind::gaussian_process};
        if (o_.predictor == "mlp") a.kinds = {search::predict::predictor_kind::mlp};
        return a;
    }

    /// The statistics of iteration k over the whole archive, logged with a progress line.
    void close_iteration(std::size_t k, std::size_t evaluated, std::size_t last) {
        iteration_stats s;
        s.iteration = k;
        s.evaluated = evaluated;
        s.total = state_.history.size();
        const std::vector<cost::metric> metrics{cost::metric::peak_ram_bytes, cost::metric::flash_bytes};
        std::vector<search::point> points;
        for (const auto& e : state_.history) {
            points.push_back(search::point_of(e, metrics, limits_));
            if (points.back().feasible()) {
                ++s.feasible;
                s.best_accuracy = std::max(s.best_accuracy, e.accuracy);
            }
        }
        const std::vector<std::size_t> front = search::pareto_front(points);
        s.front = front.size();
        const std::vector<double> nadir{1.0, static_cast<double>(o_.max_ram), static_cast<double>(o_.max_flash)};
        s.hypervolume = front.empty() ? 0.0 : search::normalized_hypervolume(points, front, nadir);
        if (o_.predictor != "none" && state_.history.size() >= 10) {
            search::predict::encoder<Space> encode(input);
            search::predict::adaptive_predictor model(adaptive_settings());
            const search::predict::training_data data = search::predict::training_set(state_.history, encode);
            model.fit(data.features, data.accuracy);
            s.predictor = search::predict::describe(model.report().chosen);
            s.predictor_tau = model.report().tau(model.report().chosen);
        }
        s.seconds = state_.search_seconds;
        state_.iterations.push_back(s);
        const double per = state_.search_seconds / static_cast<double>(k + 1);
        const double left = std::min(per * static_cast<double>(last - std::min(last, k)),
                                     std::max(0.0, 60.0 * o_.search_minutes - state_.search_seconds));
        log_.line("[search] iteration %zu/%zu  candidates %zu (+%zu)  best feasible %.2f%%  front %zu  hypervolume %.4f  predictor %s "
                  "tau %.3f  elapsed %s  ETA %s",
                  k, last, s.total, s.evaluated, 100.0 * s.best_accuracy, s.front, s.hypervolume, s.predictor.empty() ? "-" : s.predictor.c_str(),
                  s.predictor_tau, minutes(seconds_since(start_)).c_str(), minutes(left).c_str());
    }

    void write_tables() {
        std::string c = "index,iteration,architecture,accuracy,loss,peak_ram_bytes,flash_bytes,macs,params,feasible\n";
        for (std::size_t i = 0; i < state_.history.size(); ++i) {
            const auto& e = state_.history[i];
            c += concat(i, ',', e.generation, ',', to_text(e.arch), ',', search::detail::shortest(e.accuracy), ',',
                        search::detail::shortest(e.loss), ',', e.costs.peak_ram_bytes, ',', e.costs.flash_bytes, ',', e.costs.macs, ',',
                        e.costs.params, ',', search::satisfies(e.costs, limits_) ? 1 : 0, '\n');
        }
        io::write_file_atomically(out_ / "candidates.csv", c);
        std::string t = "iteration,evaluated,total,feasible,best_accuracy,front,hypervolume,predictor,predictor_tau,seconds\n";
        for (const auto& s : state_.iterations)
            t += concat(s.iteration, ',', s.evaluated, ',', s.total, ',', s.feasible, ',', search::detail::shortest(s.best_accuracy), ',',
                        s.front, ',', search::detail::shortest(s.hypervolume), ',', s.predictor, ',',
                        search::detail::shortest(s.predictor_tau), ',', search::detail::fixed(s.seconds, 1), '\n');
        io::write_file_atomically(out_ / "iterations.csv", t);
        const std::vector<std::size_t> front = current_front();
        search::write_pareto_csv(out_ / "pareto.csv", state_.history, front);
        search::write_pareto_svg(out_ / "pareto.svg", state_.history, front,
                                 {.title = concat(space_name_, ", ", o_.strategy, ": ", search::describe(limits_))});
    }

    [[nodiscard]] std::vector<std::size_t> current_front() const {
        const std::vector<cost::metric> metrics{cost::metric::peak_ram_bytes, cost::metric::flash_bytes};
        std::vector<search::point> points;
        for (const auto& e : state_.history) points.push_back(search::point_of(e, metrics, limits_));
        return search::pareto_front(points);
    }

    // ---- 4 and 5. selection, final training, export ------------------------------------------
    struct pick {
        std::size_t index;
        std::string name;
        std::string why;
        int epochs;
    };

    void final_models() {
        std::vector<pick> picks;
        const std::vector<std::size_t> chosen =
            search::post_search(state_.history, limits_, {.count = std::max<std::size_t>(o_.select_count, 1),
                                                          .prefer = search::preference_from_name(o_.select)});
        if (chosen.empty()) throw job_error("the search evaluated no candidate within the budgets");
        for (std::size_t i = 0; i < chosen.size(); ++i)
            picks.push_back({chosen[i], i == 0 ? std::string("model") : concat("model_", i + 1), concat("post-search (", o_.select, ")"),
                             o_.final_epochs});
        for (const std::size_t ram : o_.also_ram) {
            search::constraints tight = limits_;
            tight.max_peak_ram_bytes = std::min(ram, o_.max_ram);
            const std::vector<std::size_t> best =
                search::post_search(state_.history, tight, {.count = 1, .prefer = search::preference::accuracy});
            if (best.empty()) {
                log_.line("no candidate within %zu bytes of peak RAM was evaluated", ram);
                continue;
            }
            picks.push_back({best[0], concat("model_ram", ram), concat("most accurate within ", ram, " B of RAM"), std::max(o_.also_epochs, 1)});
        }
        const image_dataset final_train =
            o_.final_images > 0 ? subset(train_all_, 0, std::min(o_.final_images, train_all_.size())) : train_all_;
        final_norm_ = standardization_of(final_train);
        for (const pick& p : picks) {
            const bool done = std::any_of(state_.finals.begin(), state_.finals.end(), [&](const final_model& m) { return m.name == p.name; });
            if (done) continue;
            // an architecture picked twice is trained once: the later pick refers to the earlier model
            const auto same = std::find_if(state_.finals.begin(), state_.finals.end(),
                                           [&](const final_model& m) { return m.architecture == to_text(state_.history[p.index].arch); });
            if (same != state_.finals.end()) {
                final_model copy = *same;
                copy.why = concat(p.why, " (the same architecture as ", same->name, ")");
                copy.name = p.name;
                log_.line("final: %s is %s again", p.name.c_str(), same->name.c_str());
                state_.finals.push_back(std::move(copy));
            } else {
                state_.finals.push_back(train_and_export(p, final_train, picks));
            }
            write_state(out_, state_);
        }
        summary();
    }

    /// Epochs that fit in what is left of --time-limit for pick `p`, whose epoch takes `epoch_seconds`.
    /// The models still to train (one per architecture) share the time left in proportion to their
    /// planned work, an epoch of another model costing in proportion to its MACs; each model also
    /// needs about a minute for its timing run, tests and export.
    int epochs_within_limit(const pick& p, double epoch_seconds, const std::vector<pick>& picks) const {
        constexpr double per_model_seconds = 60.0;
        const auto macs_of = [&](const pick& q) { return static_cast<double>(std::max<std::size_t>(state_.history[q.index].costs.macs, 1)); };
        const double mine = p.epochs * epoch_seconds + per_model_seconds;
        double planned = 0.0;
        std::vector<std::string> counted;
        for (const pick& q : picks) {
            const std::string arch = to_text(state_.history[q.index].arch);
            const bool trained = std::any_of(state_.finals.begin(), state_.finals.end(), [&](const final_model& m) { return m.architecture == arch; });
            if (trained || std::find(counted.begin(), counted.end(), arch) != counted.end()) continue;
            counted.push_back(arch);
            planned += q.epochs * epoch_seconds * macs_of(q) / macs_of(p) + per_model_seconds;
        }
        const double left = 60.0 * o_.time_limit_minutes - elapsed_total();
        const double budget = planned <= left ? mine : left * mine / std::max(planned, 1e-3);
        const int fit = static_cast<int>(std::floor((budget - per_model_seconds) / std::max(epoch_seconds, 1e-3)));
        return std::clamp(fit, 1, p.epochs);
    }

    final_model train_and_export(const pick& p, const image_dataset& train_set, const std::vector<pick>& picks) {
        const search::evaluated& e = state_.history[p.index];
        const std::vector<int> arch(e.arch.choices.begin(), e.arch.choices.end());
        const auto t = clock_type::now();
        const augmentation augment = o_.augment_shift > 0 ? augmentation{.max_shift = o_.augment_shift, .horizontal_flip = true} : augmentation{};
        // an estimate of one epoch from a short timed run, to keep within the time limit: the
        // second of two passes over 1,024 images (the first pays for allocation and warm-up)
        double epoch_seconds = 0.0;
        {
            nn::model<Space> probe(input, o_.seed);
            train::sgd<float> opt(probe.parameters(), {.momentum = 0.9});
            train::fit_options fo;
            fo.epochs = 2;
            fo.architecture = arch;
            fo.progress = false;
            fo.log = nullptr;
            fo.augment = augment;
            const std::size_t n = std::min<std::size_t>(1024, train_set.size());
            const train::fit_report r =
                train::fit(probe, opt, train::constant_lr{.rate = 0.01}, subset(train_set, 0, n), subset(validation_, 0, 1), final_norm_, fo);
            epoch_seconds = r.last().seconds * static_cast<double>(train_set.size()) / static_cast<double>(n);
        }
        const int epochs = epochs_within_limit(p, epoch_seconds, picks);
        log_.line("final: %s = %s (%s): RAM %zu B, flash %zu B, %zu MACs; %d epochs on %zu images (about %s each)%s", p.name.c_str(),
                  to_text(e.arch).c_str(), p.why.c_str(), e.costs.peak_ram_bytes, e.costs.flash_bytes, e.costs.macs, epochs, train_set.size(),
                  minutes(epoch_seconds).c_str(), epochs < p.epochs ? " (fewer, to keep within --time-limit)" : "");

        nn::model<Space> model(input, o_.seed);
        train::sgd<float> optimiser(model.parameters(), {.momentum = 0.9, .weight_decay = 5e-5});
        train::fit_options fo;
        fo.epochs = epochs;
        fo.seed = o_.seed;
        fo.architecture = arch;
        fo.progress = ::isatty(STDERR_FILENO) != 0;
        fo.log = log_.file();
        fo.augment = augment;
        (void)train::fit(model, optimiser, train::cosine_lr{.rate = o_.learning_rate}, train_set, subset(test_, 0, 1000), final_norm_, fo);

        // float and int8 deploy programs of the architecture, compiled at run time
        const cost::graph g = cost::lower<Space>(input, precision::float32, e.arch.view());
        const cost::graph g8 = cost::lower<Space>(input, precision::int8, e.arch.view());
        const cost::memory_plan plan = cost::plan(g);
        const cost::memory_plan plan8 = cost::plan(g8);
        const deploy::runtime_program fp = deploy::compile<deploy::dynamic_steps>(g, plan, precision::float32);
        const deploy::runtime_program qp = deploy::compile<deploy::dynamic_steps>(g8, plan8, precision::int8);
        const deploy::float_parameters f = deploy::extract(model, g, e.arch.view());
        const std::size_t calibration = std::min(o_.calibration, train_all_.size());
        std::vector<float> images;
        for (std::size_t i = train_all_.size() - calibration; i < train_all_.size(); ++i) append_normalised(images, train_all_, i);
        const deploy::quantized_parameters q = deploy::quantize(g, plan, fp, f, images);

        final_model m;
        m.name = p.name;
        m.why = p.why;
        m.architecture = to_text(e.arch);
        const cost::costs c8 = cost::measure(g8);
        m.peak_ram = c8.peak_ram_bytes;
        m.flash = c8.flash_bytes;
        m.macs = c8.macs;
        m.params = c8.params;
        m.search_accuracy = 100.0 * e.accuracy;
        m.latency_ms = cost::estimate(g8).milliseconds();
        m.epochs = epochs;
        const auto [float_right, int8_right] = test_programs(fp, f, qp, q);
        m.float_accuracy = 100.0 * static_cast<double>(float_right) / static_cast<double>(test_.size());
        m.int8_accuracy = 100.0 * static_cast<double>(int8_right) / static_cast<double>(test_.size());

        deploy::model_metadata meta;
        meta.space = concat("nascent::zoo::", space_name_);
        meta.architecture = m.architecture;
        meta.decisions = arch;
        meta.costs = c8;
        meta.latency_ms = m.latency_ms;
        meta.mean = {final_norm_.mean[0]};
        meta.stddev = {final_norm_.stddev[0]};
        meta.input_scale = q.input.scale;
        meta.input_zero_point = q.input.zero_point;
        meta.output_scale = q.output.scale;
        meta.output_zero_point = q.output.zero_point;
        meta.float_accuracy = m.float_accuracy;
        meta.int8_accuracy = m.int8_accuracy;
        meta.class_names = test_.class_names;
        deploy::write_model_header(out_ / "models" / (p.name + ".hpp"), p.name, qp, std::span<const std::int8_t>(q.weights),
                                   std::span<const std::int32_t>(q.params), meta);
        m.seconds = seconds_since(t);
        log_.line("final: %s: test accuracy float %.2f%%, int8 %.2f%%; wrote %s (%s)", p.name.c_str(), m.float_accuracy, m.int8_accuracy,
                  (out_ / "models" / (p.name + ".hpp")).c_str(), minutes(m.seconds).c_str());
        return m;
    }

    void append_normalised(std::vector<float>& out, const image_dataset& data, std::size_t i) const {
        const std::uint8_t* p = data.image(i);
        for (std::size_t k = 0; k < data.sample.size(); ++k) out.push_back((static_cast<float>(p[k]) / 255.0F - final_norm_.mean[0]) / final_norm_.stddev[0]);
    }

    /// Correct answers of the float and the int8 program over the test split.
    std::pair<std::size_t, std::size_t> test_programs(const deploy::runtime_program& fp, const deploy::float_parameters& f,
                                                      const deploy::runtime_program& qp, const deploy::quantized_parameters& q) const {
        std::vector<float> float_arena(fp.arena_bytes / 4 + 1);
        std::vector<std::int32_t> int8_arena(qp.arena_bytes / 4 + 1);
        auto* fa = reinterpret_cast<std::byte*>(float_arena.data());
        auto* qa = reinterpret_cast<std::byte*>(int8_arena.data());
        std::size_t float_right = 0, int8_right = 0;
        std::vector<float> image;
        for (std::size_t i = 0; i < test_.size(); ++i) {
            image.clear();
            append_normalised(image, test_, i);
            std::copy(image.begin(), image.end(), deploy::input<float>(fp, fa));
            std::int8_t* qin = deploy::input<std::int8_t>(qp, qa);
            for (std::size_t k = 0; k < image.size(); ++k) qin[k] = q.input.quantize(image[k]);
            if (deploy::run(fp, f.weights.data(), f.params.data(), fa) != deploy::run_status::ok ||
                deploy::run(qp, q.weights.data(), q.params.data(), qa) != deploy::run_status::ok)
                throw job_error("a deploy program refused to run");
            float_right += deploy::argmax(fp, fa) == test_.labels[i] ? 1U : 0U;
            int8_right += deploy::argmax(qp, qa) == test_.labels[i] ? 1U : 0U;
        }
        return {float_right, int8_right};
    }

    void summary() {
        std::string s = concat("# nascent search: ", space_name_, ", ", o_.strategy, "\n\n", "Budgets: ", search::describe(limits_), ", error <= ",
                               search::detail::fixed(100.0 * o_.max_error, 1), "%. Candidates evaluated: ", state_.history.size(),
                               "; search time ", minutes(state_.search_seconds), ".\n\n",
                               "| model | architecture | selected as | search accuracy (%) | test float (%) | test int8 (%) | peak RAM (B) | flash (B) | MACs | est. Cortex-M4 latency (ms) | epochs | error within budget |\n",
                               "|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (const final_model& m : state_.finals)
            s += concat("| ", m.name, " | `", m.architecture, "` | ", m.why, " | ", search::detail::fixed(m.search_accuracy, 2), " | ",
                        search::detail::fixed(m.float_accuracy, 2), " | ", search::detail::fixed(m.int8_accuracy, 2), " | ", m.peak_ram, " | ",
                        m.flash, " | ", m.macs, " | ", search::detail::fixed(m.latency_ms, 1), " | ", m.epochs, " | ",
                        100.0 - m.int8_accuracy <= 100.0 * o_.max_error ? "yes" : "no", " |\n");
        s += "\nPareto front of the search (feasible, error against peak RAM and flash; search-time accuracy):\n\n"
             "| architecture | accuracy (%) | peak RAM (B) | flash (B) | MACs |\n|---|---|---|---|---|\n";
        std::vector<std::size_t> front = current_front();
        std::sort(front.begin(), front.end(), [&](std::size_t a, std::size_t b) {
            return state_.history[a].costs.peak_ram_bytes < state_.history[b].costs.peak_ram_bytes;
        });
        for (const std::size_t i : front) {
            const auto& e = state_.history[i];
            s += concat("| `", to_text(e.arch), "` | ", search::detail::fixed(100.0 * e.accuracy, 2), " | ", e.costs.peak_ram_bytes, " | ",
                        e.costs.flash_bytes, " | ", e.costs.macs, " |\n");
        }
        s += concat("\nTotal time ", minutes(elapsed_total()), ".\n");
        io::write_file_atomically(out_ / "summary.md", s);
        log_.line("%s", s.c_str());
    }

    static double seconds_since(clock_type::time_point t) { return std::chrono::duration<double>(clock_type::now() - t).count(); }
    /// Time of this job, counting a resumed search's earlier search time.
    double elapsed_total() const { return seconds_since(start_) + resumed_seconds_; }

    job_options o_;
    std::string space_name_;
    search::constraints limits_;
    std::size_t per_iteration_ = 0;
    std::filesystem::path out_;
    job_state state_;
    job_log log_;
    image_dataset train_all_, test_, search_train_, validation_;
    normalization norm_, final_norm_;
    std::optional<nn::model<Space>> supernet_;
    std::optional<search::supernet_evaluator<nn::model<Space>>> judge_;
    clock_type::time_point start_;
    double resumed_seconds_ = 0.0;
};

/// Runs the job of `options` on Space; returns the exit status.
template <class Space>
int run_job(const job_options& options, const std::string& space_name) {
    search_job<Space> job(options, space_name);
    return job.run();
}

} // namespace nascent_search
