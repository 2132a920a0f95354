// Hardware-aware architecture search on Fashion-MNIST over the ProxylessNAS space (nascent::zoo::proxylessnas).
//
// 1. Trains one weight-sharing supernet per sampling mode (SPOS uniform, FairNAS strict
//    fairness, DARTS, Gumbel soft, Gumbel hard) and reports its loss, accuracy and time.
// 2. Searches: random search and evolution over the uniform (SPOS) supernet, under the RAM
//    target as a hard constraint; the differentiable search (DARTS) without and with the
//    hardware loss on peak RAM; the Gumbel supernets' derived architectures as well.
// 3. For every architecture found: its accuracy with inherited weights (batch-norm statistics
//    recalibrated on training batches) on the validation split and on the test set, its accuracy
//    when trained from scratch for a few epochs, and its costs (parameters, MACs, peak RAM and
//    flash at int8).
// 4. Prints markdown tables of all this and writes them to --out.
//
// The images after the first --train-limit training images (--validation of them) are the
// search's validation split; the test set is only used to report. FairNAS trains m = 7 paths
// per weight update; it gets as many forward/backward passes as SPOS (a seventh of the updates).
//
// usage: search_fashion_mnist [options]
//   --space-epochs N     epochs of the supernets that run every option (DARTS, Gumbel soft) (2)
//   --path-epochs N      epochs of the single-path supernets (SPOS, FairNAS, Gumbel hard), whose epoch
//                        costs about a fifth of a mixed one's (5); FairNAS gets SPOS's passes, see below
//   --train-limit N      training images for the supernets and the scratch training (10000)
//   --validation N       validation images for the search, taken after the training images (2000)
//   --test-limit N       report on the first N test images (0: all 10000)
//   --threads N          OpenBLAS threads (2)
//   --seed N             seed of everything (1)
//   --ram-target BYTES   peak RAM target at int8 (16384)
//   --hw-weight W        weight of the hardware loss (5)
//   --alpha-lr R         learning rate of the architecture parameters (0.01)
//   --lr R               peak learning rate of the supernets' weights (0.1)
//   --samples N          random search: candidates (40)
//   --population N       evolution: population (12)
//   --generations N      evolution: generations (4)
//   --scratch-epochs N   epochs of training from scratch (2)
//   --mode M             all | uniform | fair | darts | gumbel_soft | gumbel_hard | random | evolution | differentiable
//   --out PATH           write the tables to PATH (markdown)
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nascent/nascent.hpp>
#include <nascent/nn/supernet.hpp>
#include <nascent/search/differentiable.hpp>
#include <nascent/search/evaluator.hpp>
#include <nascent/search/evolution.hpp>
#include <nascent/search/random_search.hpp>
#include <nascent/search/supernet_training.hpp>
#include <nascent/zoo/proxylessnas.hpp>

namespace {

using namespace nascent;
using search_space = zoo::proxylessnas;
using supernet = nn::model<search_space, float>;

struct options {
    int space_epochs = 2;
    int path_epochs = 5;
    std::size_t train_limit = 10000;
    std::size_t validation = 2000;
    std::size_t test_limit = 0;
    int threads = 2;
    std::uint64_t seed = 1;
    std::size_t ram_target = 16384;
    double hw_weight = 5.0;
    double alpha_lr = 0.01;
    double lr = 0.1;
    std::size_t samples = 40;
    std::size_t population = 12;
    std::size_t generations = 4;
    int scratch_epochs = 2;
    std::string mode = "all";
    std::string out;
};

[[noreturn]] void usage(const char* program, int status) {
    std::fprintf(status == 0 ? stdout : stderr,
                 "usage: %s [--space-epochs N] [--path-epochs N] [--train-limit N] [--validation N] [--test-limit N] [--threads N] [--seed N]\n"
                 "          [--ram-target BYTES] [--hw-weight W] [--alpha-lr R] [--lr R] [--samples N] [--population N]\n"
                 "          [--generations N] [--scratch-epochs N]\n"
                 "          [--mode all|uniform|fair|darts|gumbel_soft|gumbel_hard|random|evolution|differentiable] [--out PATH]\n",
                 program);
    std::exit(status);
}

options parse(int argc, char** argv) {
    options o;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--help") usage(argv[0], 0);
        auto value = [&]() -> const char* {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "%s needs a value\n", arg.c_str());
                std::exit(2);
            }
            return argv[++i];
        };
        auto count = [&] { return static_cast<std::size_t>(std::strtoull(value(), nullptr, 10)); };
        if (arg == "--space-epochs") o.space_epochs = std::atoi(value());
        else if (arg == "--path-epochs") o.path_epochs = std::atoi(value());
        else if (arg == "--train-limit") o.train_limit = count();
        else if (arg == "--validation") o.validation = count();
        else if (arg == "--test-limit") o.test_limit = count();
        else if (arg == "--threads") o.threads = std::atoi(value());
        else if (arg == "--seed") o.seed = std::strtoull(value(), nullptr, 10);
        else if (arg == "--ram-target") o.ram_target = count();
        else if (arg == "--hw-weight") o.hw_weight = std::atof(value());
        else if (arg == "--alpha-lr") o.alpha_lr = std::atof(value());
        else if (arg == "--lr") o.lr = std::atof(value());
        else if (arg == "--samples") o.samples = count();
        else if (arg == "--population") o.population = count();
        else if (arg == "--generations") o.generations = count();
        else if (arg == "--scratch-epochs") o.scratch_epochs = std::atoi(value());
        else if (arg == "--mode") o.mode = value();
        else if (arg == "--out") o.out = value();
        else usage(argv[0], 2);
    }
    const std::vector<std::string_view> modes{"all", "uniform", "fair", "darts", "gumbel_soft", "gumbel_hard", "random",
                                              "evolution", "differentiable"};
    bool known = false;
    for (const auto m : modes) known = known || m == o.mode;
    if (!known) {
        std::fprintf(stderr, "unknown --mode '%s'\n", o.mode.c_str());
        usage(argv[0], 2);
    }
    if (o.space_epochs < 1 || o.path_epochs < 1 || o.scratch_epochs < 1 || o.train_limit == 0 || o.validation == 0 || o.ram_target == 0) {
        std::fprintf(stderr, "epochs, --train-limit, --validation and --ram-target must be positive\n");
        std::exit(2);
    }
    return o;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string fixed(double v, int decimals) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*f", decimals, v);
    return buffer;
}

std::string percent(double fraction) { return fixed(100.0 * fraction, 2); }

std::string duration(double s) {
    if (s < 59.95) return concat(fixed(s, 1), " s");
    const long whole = std::lround(s);
    return concat(whole / 60, " min ", whole % 60, " s");
}

/// One trained supernet.
struct supernet_row {
    search::supernet_mode mode{};
    search::supernet_report report;
    std::string derived;        ///< bilevel modes: the architecture of largest alphas
    std::size_t derived_ram = 0;
};

/// One architecture found by a search.
struct found_row {
    std::string method;
    std::string supernet;
    architecture arch;
    cost::costs costs;
    double validation_accuracy = 0.0;  ///< inherited weights, recalibrated, on the validation split
    double inherited_test = 0.0;       ///< inherited weights, recalibrated, on the test set
    double scratch_test = 0.0;         ///< trained from scratch, on the test set
    double search_seconds = 0.0;
    double scratch_seconds = 0.0;
    std::size_t evaluated = 0;         ///< candidates evaluated by the search
    std::size_t rejected = 0;          ///< candidates rejected by the constraints
    std::string note;
};

class demonstration {
public:
    explicit demonstration(const options& o) : opt_(o) {
        const image_dataset full = load_fashion_mnist(split::train);
        require(o.train_limit + o.validation <= full.size(),
                concat("--train-limit + --validation must not exceed the ", full.size(), " training images"));
        train_ = subset(full, 0, o.train_limit);
        validation_ = subset(full, o.train_limit, o.validation);
        test_ = load_fashion_mnist(split::test);
        if (o.test_limit > 0 && o.test_limit < test_.size()) test_ = subset(test_, 0, o.test_limit);
        norm_ = standardization_of(train_);
        limits_.max_peak_ram_bytes = o.ram_target;
    }

    void run() {
        const auto start = std::chrono::steady_clock::now();
        const std::string& m = opt_.mode;
        const bool all = m == "all";
        std::printf("space: ProxylessNAS (nascent::zoo::proxylessnas), %zu decisions, %.3g architectures; input 28x28x1\n",
                    search_space::decisions, std::pow(10.0, search_space::size().log10));
        std::printf("data: %zu training, %zu validation, %zu test images; RAM target %zu B at int8\n\n", train_.size(),
                    validation_.size(), test_.size(), opt_.ram_target);

        // The uniform supernet serves random search and evolution.
        if (all || m == "uniform" || m == "random" || m == "evolution") {
            supernet model(train_.sample, opt_.seed);
            supernets_.push_back(train_single_path(model, search::supernet_mode::uniform));
            if (all || m == "random") run_random(model);
            if (all || m == "evolution") run_evolution(model);
        }
        if (all || m == "fair") {
            supernet model(train_.sample, opt_.seed);
            supernets_.push_back(train_single_path(model, search::supernet_mode::fair));
        }
        if (all || m == "darts" || m == "differentiable") run_differentiable(search::supernet_mode::darts, false);
        if (all || m == "differentiable") run_differentiable(search::supernet_mode::darts, true);
        if (all || m == "gumbel_soft") run_differentiable(search::supernet_mode::gumbel_soft, false);
        if (all || m == "gumbel_hard") run_differentiable(search::supernet_mode::gumbel_hard, false);

        for (auto& row : found_) train_from_scratch(row);
        total_seconds_ = seconds_since(start);
        const std::string report = tables();
        std::printf("\n%s", report.c_str());
        if (!opt_.out.empty()) {
            io::write_file_atomically(opt_.out, report);
            std::printf("tables written to %s\n", opt_.out.c_str());
        }
    }

private:
    search::supernet_options supernet_settings(search::supernet_mode mode) const {
        search::supernet_options o;
        o.mode = mode;
        const bool single_path = mode == search::supernet_mode::uniform || mode == search::supernet_mode::fair ||
                                 mode == search::supernet_mode::gumbel_hard;
        o.epochs = single_path ? opt_.path_epochs : opt_.space_epochs;
        o.batch_size = 128;
        o.seed = opt_.seed;
        o.learning_rate = opt_.lr;
        o.alpha_learning_rate = opt_.alpha_lr;
        o.log = stdout;
        return o;
    }

    search::evaluator_options evaluator_settings() const {
        return {.recalibration_batches = 4, .batch_size = 250, .validation_limit = 0};
    }

    supernet_row train_single_path(supernet& model, search::supernet_mode mode) {
        supernet_row row;
        row.mode = mode;
        search::supernet_options o = supernet_settings(mode);
        if (mode == search::supernet_mode::fair) {
            // FairNAS trains m paths per update: give it the forward/backward passes of SPOS's epochs, not m times as many.
            rng unused;
            const auto m = static_cast<std::size_t>(search::fair_sampler<search_space>(train_.sample, unused).group_size());
            o.max_steps = std::max<std::size_t>(1, train_.size() / o.batch_size * static_cast<std::size_t>(o.epochs) / m);
        }
        row.report = search::train_supernet<search_space>(model, train_, norm_, o);
        return row;
    }

    /// Inherited-weight accuracy of `row.arch` on the test set (the supernet still holds its weights).
    void report_inherited(supernet& model, found_row& row) {
        search::supernet_evaluator on_test(model, train_, test_, norm_, evaluator_settings());
        row.inherited_test = on_test(row.arch).accuracy;
    }

    found_row from_result(const char* method, const char* supernet_name, const search::search_result& r) {
        found_row row;
        row.method = method;
        row.supernet = supernet_name;
        row.arch = r.best;
        row.costs = r.costs;
        row.validation_accuracy = r.accuracy;
        row.search_seconds = r.seconds;
        row.evaluated = r.history.size();
        row.rejected = r.rejected;
        return row;
    }

    void run_random(supernet& model) {
        search::supernet_evaluator judge(model, train_, validation_, norm_, evaluator_settings());
        const auto r = search::random_search<search_space>(train_.sample, judge, limits_,
                                                    {.samples = opt_.samples, .seed = opt_.seed, .log = stdout});
        found_row row = from_result("random search", "uniform (SPOS)", r);
        row.note = concat(judge.evaluations(), " evaluations");
        report_inherited(model, row);
        found_.push_back(std::move(row));
    }

    void run_evolution(supernet& model) {
        search::supernet_evaluator judge(model, train_, validation_, norm_, evaluator_settings());
        search::evolution_options o;
        o.population = opt_.population;
        o.generations = opt_.generations;
        o.tournament = 4;
        o.seed = opt_.seed;
        o.log = stdout;
        const auto r = search::evolution<search_space>(train_.sample, judge, limits_, o);
        found_row row = from_result("evolution (aging)", "uniform (SPOS)", r);
        row.note = concat(judge.evaluations(), " evaluations, ", judge.cache_hits(), " from the cache");
        report_inherited(model, row);
        found_.push_back(std::move(row));
    }

    void run_differentiable(search::supernet_mode mode, bool hardware) {
        supernet model(train_.sample, opt_.seed);
        search::supernet_evaluator judge(model, train_, validation_, norm_, evaluator_settings());
        search::differentiable_options o;
        o.training = supernet_settings(mode);
        o.log = stdout;
        search::constraints limits;  // plain: no constraint, to show where the search lands by itself
        if (hardware) {
            o.training.hardware = {cost::metric::peak_ram_bytes, static_cast<double>(opt_.ram_target), opt_.hw_weight,
                                   cost::precision::int8};
            limits = limits_;
        }
        const auto r = search::differentiable_search(model, train_, norm_, judge, limits, o);
        supernet_row s;
        s.mode = mode;
        s.report = r.training;
        s.derived = to_text(r.derived);
        s.derived_ram = r.derived_costs.peak_ram_bytes;
        if (!hardware) supernets_.push_back(s);
        else hardware_supernet_ = s;

        const std::string method = concat(hardware ? "DARTS + hardware loss" : search::name(mode));
        found_row row = from_result(method.c_str(), search::name(mode), r);
        if (hardware) {
            row.supernet = concat(search::name(mode), ", RAM loss (target ", opt_.ram_target, " B, weight ", fixed(opt_.hw_weight, 1), ")");
            row.note = r.repairs == 0 ? std::string("derived within the target, no repair")
                                      : concat("derived ", r.derived_costs.peak_ram_bytes, " B, repaired in ", r.repairs, " changes");
        } else {
            row.note = "no constraint";
        }
        report_inherited(model, row);
        found_.push_back(std::move(row));
    }

    void train_from_scratch(found_row& row) {
        std::printf("\ntraining %s's architecture %s from scratch (%d epochs)\n", row.method.c_str(), to_text(row.arch).c_str(),
                    opt_.scratch_epochs);
        supernet model(train_.sample, opt_.seed + 1000);
        train::sgd<float> optimizer(model.parameters(), {.momentum = 0.9, .weight_decay = 5e-5});
        train::fit_options fit_opt;
        fit_opt.epochs = opt_.scratch_epochs;
        fit_opt.batch_size = 128;
        fit_opt.seed = opt_.seed;
        fit_opt.architecture = row.arch.choices;
        const train::fit_report report = train::fit(model, optimizer, train::cosine_lr{.rate = 0.05}, train_, test_, norm_, fit_opt);
        row.scratch_test = report.last().test_accuracy;
        row.scratch_seconds = report.seconds;
    }

    std::string tables() const {
        std::string s;
        s += concat("Fashion-MNIST, ProxylessNAS space (nascent::zoo::proxylessnas, ", search_space::decisions, " decisions); ",
                    train_.size(), " training, ", validation_.size(), " validation, ", test_.size(), " test images; ",
                    opt_.scratch_epochs, " epochs from scratch; seed ", opt_.seed, "; ", opt_.threads,
                    " OpenBLAS threads; total time ", duration(total_seconds_), ".\n\n");
        if (!supernets_.empty() || hardware_supernet_) {
            s += "| supernet | epochs | weight updates | paths trained | last epoch's loss | its train accuracy (%) | time | derived architecture | "
                 "its peak RAM (B) |\n";
            s += "|---|---|---|---|---|---|---|---|---|\n";
            auto line = [&](const supernet_row& r, const std::string& label) {
                const auto& last = r.report.epochs.back();
                s += concat("| ", label, " | ", r.report.epochs.size(), " | ", r.report.steps, " | ", r.report.paths_trained, " | ", fixed(last.loss, 3), " | ", percent(last.accuracy), " | ", duration(r.report.seconds),
                            " | ", r.derived.empty() ? std::string("—") : concat("`", r.derived, "`"), " | ",
                            r.derived.empty() ? std::string("—") : concat(r.derived_ram), " |\n");
            };
            for (const auto& r : supernets_) line(r, search::name(r.mode));
            if (hardware_supernet_) line(*hardware_supernet_, concat(search::name(hardware_supernet_->mode), " + RAM loss"));
            s += "\n";
        }
        if (!found_.empty()) {
            s += concat("| search | supernet | architecture | inherited, validation (%) | inherited, test (%) | from scratch, test (%) "
                        "| params | MACs | peak RAM int8 (B) | flash int8 (B) | RAM target ", opt_.ram_target,
                        " B | search time | notes |\n");
            s += "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
            for (const auto& r : found_) {
                const bool within = r.costs.peak_ram_bytes <= opt_.ram_target;
                s += concat("| ", r.method, " | ", r.supernet, " | `", to_text(r.arch), "` | ", percent(r.validation_accuracy), " | ",
                            percent(r.inherited_test), " | ", percent(r.scratch_test), " | ", r.costs.params, " | ", r.costs.macs,
                            " | ", r.costs.peak_ram_bytes, " | ", r.costs.flash_bytes, " | ", within ? "within" : "**exceeds**",
                            " | ", duration(r.search_seconds), " | ", r.note, " |\n");
            }
            s += "\n";
        }
        return s;
    }

    options opt_;
    image_dataset train_, validation_, test_;
    normalization norm_;
    search::constraints limits_;
    std::vector<supernet_row> supernets_;
    std::optional<supernet_row> hardware_supernet_;
    std::vector<found_row> found_;
    double total_seconds_ = 0.0;
};

} // namespace

int main(int argc, char** argv) try {
    const options opt = parse(argc, argv);
    nascent::blas::set_threads(opt.threads);
    if (const std::string_view hint = nascent::blas::kernel_warning(); !hint.empty())
        std::fprintf(stderr, "note: %s\n", hint.data());
    demonstration(opt).run();
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
}
