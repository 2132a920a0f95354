// options.hpp - the settings of a search job, parsed once: defaults, a JSON config file, flags.
//
//   bool help = false;
//   const job_options o = parse_command_line(argc, argv, help);  // throws job_error (status 2) on bad usage
//   if (o.strategy == strategy_kind::aging) ...;  o.budget.ram_bytes;  to_json(o);  // what config.json holds
//
// Every setting has one name, used both as a flag (--max-ram 64000) and as a key of the JSON
// config file ({"max-ram": 64000}). The order of precedence: the defaults (mu-NAS's
// Fashion-MNIST setting), then --config FILE, then --quick (small settings for a smoke run),
// then the other flags in the order given. Unknown names and bad values are errors
// (job_error with exit status 2) before anything is read or written. Names of spaces,
// strategies, evaluations, predictors and preferences become enums here and nowhere else.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include <nascent/core/error.hpp>
#include <nascent/core/shape.hpp>
#include <nascent/cost/budget.hpp>
#include <nascent/search/nsga2.hpp>
#include <nascent/search/objective.hpp>
#include <nascent/search/post_search.hpp>

namespace nascent_search {

/// The shape of the job's images (Fashion-MNIST).
inline constexpr nascent::shape job_input{28, 28, 1};

/// An error the program reports in one line and exits with `status` (1: failure, 2: usage).
struct job_error : nascent::error {
    job_error(const std::string& what, int status_ = 1) : nascent::error(what), status(status_) {}
    int status;
};

enum class space_kind { mcu_cnn, munas, proxylessnas, fbnet, spos, single_path_nas, darts, mcu_cnn_exits };
enum class strategy_kind { nsga2, aging, evolution, random, bo, differentiable };
enum class evaluation_kind { supernet, train };
/// How the judge's supernet samples paths while it trains: uniformly (SPOS), or with strict
/// fairness (FairNAS: each step trains every option of every decision once).
enum class sampling_kind { uniform, fair };
enum class predictor_kind { none, rbf, gp, mlp, adaptive };
/// What the job's models are: static networks (off), incremental models searched whole and scored
/// after on-device learning (adapted), or static networks searched on the pre-training classes
/// with a classifier attached afterwards (attach, the baseline of adapted).
enum class incremental_kind { off, adapted, attach };

/// The names the options use ("mcu_cnn", "nsga2", "supernet", "adaptive", "ram", ...).
const char* name_of(space_kind);
const char* name_of(strategy_kind);
const char* name_of(evaluation_kind);
const char* name_of(sampling_kind);
const char* name_of(predictor_kind);
const char* name_of(incremental_kind);
const char* name_of(nascent::search::preference);
const char* name_of(nascent::search::constraint_handling);
/// Every space, in the order --help lists them.
std::vector<space_kind> all_spaces();

struct job_options {
    // what to search
    space_kind space = space_kind::mcu_cnn;
    strategy_kind strategy = strategy_kind::nsga2;
    evaluation_kind evaluation = evaluation_kind::supernet;  ///< supernet (inherited weights) or train (short training from scratch)
    predictor_kind predictor = predictor_kind::adaptive;
    std::size_t screen = 4;               ///< predictor: children bred per child evaluated
    /// nsga2: what it minimises (docs/search.md, "Objectives"), and how it ranks candidates over a bound
    std::vector<nascent::search::objective> objectives{nascent::search::objective::error, nascent::search::objective::peak_ram_bytes,
                                                       nascent::search::objective::flash_bytes};
    nascent::search::constraint_handling constraints = nascent::search::constraint_handling::domination;
    nascent::search::objective_settings objective_settings{};  ///< CNAS's tiny_ml settings, FlatNAS's alpha
    int flatness_draws = 3;               ///< top1_robust: weight perturbations per candidate
    double flatness_sigma = 0.05;         ///< top1_robust: their relative size
    std::size_t ood_images = 0;           ///< final models: test images of the corrupted test sets and the flatness (0: not measured)
    double exit_accuracy_drop = 0.005;    ///< early-exit spaces: the accuracy the exits' thresholds may cost on validation images
    // incremental models (docs/learning.md, "Searching the incremental model")
    incremental_kind incremental = incremental_kind::off;
    int known_classes = 5;                ///< the extractor and the initial classifier learn classes [0, known_classes)
    std::size_t per_class = 20;           ///< labelled samples per class the device learns
    std::size_t judge_images = 1000;      ///< held-out images each incremental candidate is judged on
    std::size_t prune_flash = 0;          ///< final models: L1-prune the network to this flash before cutting it (0: no pruning)
    // where
    std::string dataset;                  ///< Fashion-MNIST folder (empty: $NASCENT_FASHION_MNIST_DIR or Debian's)
    std::string out = "nascent-run";
    bool resume = false;
    bool report = false;              ///< --report FOLDER: redraw FOLDER's tables, plots and summary from its state
    // budgets (mu-NAS, Fashion-MNIST), measured at int8
    nascent::cost::budget budget{.ram_bytes = 64000, .flash_bytes = 64000, .macs = 30000000};
    double max_error = 0.10;
    std::vector<std::size_t> also_ram{16384, 4096};  ///< also train the best found within these RAM budgets
    // search
    std::uint64_t seed = 1;
    std::size_t population = 24;
    std::size_t iterations = 12;      ///< after the first population
    std::size_t per_iteration = 0;    ///< candidates evaluated per iteration (0: the population size)
    std::size_t sample_size = 6;      ///< aging evolution: tournament size
    double search_minutes = 25.0;     ///< the search stops at the first iteration boundary after this
    double time_limit_minutes = 60.0; ///< the whole job; a warning when the estimate exceeds it
    // evaluation
    std::size_t validation = 5000;    ///< held-out training images that judge candidates
    std::size_t search_images = 0;    ///< training images for the supernet or candidates (0: all but validation)
    int supernet_epochs = 4;
    sampling_kind supernet_sampling = sampling_kind::uniform;
    int candidate_epochs = 1;         ///< evaluation "train": epochs of each candidate
    // final training
    int final_epochs = 30;
    int also_epochs = 20;
    int augment_shift = 2;            ///< final training: random shifts up to this many pixels, and mirror images (0: neither)
    std::size_t final_images = 0;     ///< 0: the whole training split
    std::size_t test_images = 0;      ///< final models: the first this many test images (0: the whole test split)
    std::size_t calibration = 1000;
    std::size_t firmware_images = 20;  ///< test images the chosen model's Cortex-M4 firmware classifies in QEMU (0: no firmware)
    double learning_rate = 0.05;
    double sam_radius = 0.0;          ///< final training: sharpness-aware minimisation's radius (0: plain SGD)
    nascent::search::preference select = nascent::search::preference::accuracy;  ///< post-search preference
    std::size_t select_count = 1;
    int threads = 2;
    std::size_t jobs = 1;             ///< processes judging each iteration's candidates (parallel.hpp)
    bool quick = false;
    std::string config;

    /// Candidates evaluated per iteration after the first.
    [[nodiscard]] std::size_t batch() const noexcept { return per_iteration > 0 ? per_iteration : population; }
};

/// The settings of a command line (argv[1..]); throws job_error on bad usage. `help` is set by --help.
job_options parse_command_line(int argc, char** argv, bool& help);

/// The --help text.
std::string help_text(const char* program);

/// The settings as a JSON object (what config.json in the output folder holds).
nlohmann::json to_json(const job_options& o);

/// The settings that decide a search's results: a resumed search must have the same ones.
nlohmann::json fingerprint(const job_options& o);

} // namespace nascent_search
