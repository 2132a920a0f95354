// options.cpp - parsing the settings of a search job (options.hpp).
#include "options.hpp"

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

#include <nascent/core/text.hpp>

namespace nascent_search {

using nascent::string_of;

namespace {

template <class E>
struct named {
    E value;
    const char* name;
};

constexpr std::array<named<space_kind>, 8> space_names{{{space_kind::mcu_cnn, "mcu_cnn"},
                                                         {space_kind::munas, "munas"},
                                                         {space_kind::proxylessnas, "proxylessnas"},
                                                         {space_kind::fbnet, "fbnet"},
                                                         {space_kind::spos, "spos"},
                                                         {space_kind::single_path_nas, "single_path_nas"},
                                                         {space_kind::darts, "darts"},
                                                         {space_kind::mcu_cnn_exits, "mcu_cnn_exits"}}};
constexpr std::array<named<strategy_kind>, 6> strategy_names{{{strategy_kind::nsga2, "nsga2"},
                                                               {strategy_kind::aging, "aging"},
                                                               {strategy_kind::evolution, "evolution"},
                                                               {strategy_kind::random, "random"},
                                                               {strategy_kind::bo, "bo"},
                                                               {strategy_kind::differentiable, "differentiable"}}};
constexpr std::array<named<evaluation_kind>, 2> evaluation_names{{{evaluation_kind::supernet, "supernet"}, {evaluation_kind::train, "train"}}};
constexpr std::array<named<sampling_kind>, 2> sampling_names{{{sampling_kind::uniform, "uniform"}, {sampling_kind::fair, "fair"}}};
constexpr std::array<named<predictor_kind>, 5> predictor_names{{{predictor_kind::none, "none"},
                                                                 {predictor_kind::rbf, "rbf"},
                                                                 {predictor_kind::gp, "gp"},
                                                                 {predictor_kind::mlp, "mlp"},
                                                                 {predictor_kind::adaptive, "adaptive"}}};
constexpr std::array<named<nascent::search::preference>, 7> preference_names{{{nascent::search::preference::accuracy, "accuracy"},
                                                                              {nascent::search::preference::top1_robust, "top1_robust"},
                                                                              {nascent::search::preference::peak_ram, "ram"},
                                                                              {nascent::search::preference::flash, "flash"},
                                                                              {nascent::search::preference::macs, "macs"},
                                                                              {nascent::search::preference::params, "params"},
                                                                              {nascent::search::preference::tradeoff, "tradeoff"}}};
constexpr std::array<named<nascent::search::constraint_handling>, 2> constraint_names{
    {{nascent::search::constraint_handling::domination, "domination"}, {nascent::search::constraint_handling::adaptive_penalty, "adaptive"}}};
constexpr std::array<named<incremental_kind>, 3> incremental_names{
    {{incremental_kind::off, "off"}, {incremental_kind::adapted, "adapted"}, {incremental_kind::attach, "attach"}}};

template <class E>
constexpr const auto& table_of() {
    if constexpr (std::is_same_v<E, space_kind>) return space_names;
    else if constexpr (std::is_same_v<E, strategy_kind>) return strategy_names;
    else if constexpr (std::is_same_v<E, evaluation_kind>) return evaluation_names;
    else if constexpr (std::is_same_v<E, sampling_kind>) return sampling_names;
    else if constexpr (std::is_same_v<E, predictor_kind>) return predictor_names;
    else if constexpr (std::is_same_v<E, incremental_kind>) return incremental_names;
    else if constexpr (std::is_same_v<E, nascent::search::constraint_handling>) return constraint_names;
    else return preference_names;
}

template <class E>
const char* name_in_table(E value) {
    for (const auto& n : table_of<E>())
        if (n.value == value) return n.name;
    return "?";
}

/// The enum value named `text`; a usage error listing the names otherwise.
template <class E>
E parse_name(const char* what, const std::string& text) {
    std::string list;
    for (const auto& n : table_of<E>()) {
        if (text == n.name) return n.value;
        list += string_of(list.empty() ? "" : ", ", n.name);
    }
    throw job_error(string_of("unknown ", what, " '", text, "' (expected one of: ", list, ")"), 2);
}

/// One setting: its name, what its value looks like, its help, and how to set and print it.
struct option_spec {
    const char* name;
    const char* value;  ///< "" for a switch
    const char* help;
    std::function<void(job_options&, const std::string&)> set;
    std::function<nlohmann::json(const job_options&)> get;
};


std::uint64_t parse_unsigned(const std::string& name, const std::string& text) {
    std::size_t used = 0;
    unsigned long long v = 0;
    try {
        if (!text.empty() && text[0] == '-') throw std::invalid_argument("negative");
        v = std::stoull(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used == 0 || used != text.size()) throw job_error(string_of("--", name, " needs a whole number, not '", text, "'"), 2);
    return v;
}

double parse_number(const std::string& name, const std::string& text) {
    std::size_t used = 0;
    double v = 0;
    try {
        v = std::stod(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used == 0 || used != text.size() || !(v >= 0.0)) throw job_error(string_of("--", name, " needs a number >= 0, not '", text, "'"), 2);
    return v;
}

bool parse_switch(const std::string& name, const std::string& text) {
    if (text == "true" || text == "1" || text == "yes") return true;
    if (text == "false" || text == "0" || text == "no") return false;
    throw job_error(string_of("--", name, " is true or false, not '", text, "'"), 2);
}

const std::vector<option_spec>& option_specs();

const option_spec& find_spec(std::string_view name) {
    for (const option_spec& spec : option_specs())
        if (name == spec.name) return spec;
    throw job_error(string_of("unknown option '", name, "' (see --help)"), 2);
}

/// A JSON value as the text a flag would carry.
std::string flag_text(const std::string& name, const nlohmann::json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
    if (v.is_number_unsigned() || v.is_number_integer()) return v.dump();
    if (v.is_number_float()) return v.dump();
    if (v.is_array()) {
        std::string s;
        for (const auto& e : v) s += (s.empty() ? "" : ",") + flag_text(name, e);
        return s;
    }
    throw job_error(string_of("config: \"", name, "\" has a value of the wrong kind: ", v.dump()), 2);
}

/// Every setting, in the order --help lists them.
const std::vector<option_spec>& option_specs() {
    using J = nlohmann::json;
    static const std::vector<option_spec> specs = {
        {"space", "NAME", "search space (a zoo space; see the list below)",
         [](job_options& o, const std::string& v) { o.space = parse_name<space_kind>("space", v); },
         [](const job_options& o) { return J(name_of(o.space)); }},
        {"strategy", "NAME", "nsga2 (multi-objective), aging (regularised evolution, as mu-NAS), evolution (tournament, elitist), "
                             "random, bo (Bayesian optimisation), differentiable (DARTS with a RAM loss)",
         [](job_options& o, const std::string& v) { o.strategy = parse_name<strategy_kind>("strategy", v); },
         [](const job_options& o) { return J(name_of(o.strategy)); }},
        {"evaluation", "HOW", "supernet (weights inherited from a trained supernet) or train (a short training from scratch per candidate)",
         [](job_options& o, const std::string& v) { o.evaluation = parse_name<evaluation_kind>("evaluation", v); },
         [](const job_options& o) { return J(name_of(o.evaluation)); }},
        {"predictor", "KIND", "accuracy predictor that pre-screens children (aging, evolution, random): none, rbf, gp, mlp, "
                              "adaptive (the best by cross-validated Kendall tau)",
         [](job_options& o, const std::string& v) { o.predictor = parse_name<predictor_kind>("predictor", v); },
         [](const job_options& o) { return J(name_of(o.predictor)); }},
        {"screen", "N", "with a predictor: children bred per child evaluated",
         [](job_options& o, const std::string& v) { o.screen = parse_unsigned("screen", v); }, [](const job_options& o) { return J(o.screen); }},
        {"objectives", "LIST", "nsga2: the figures to minimise, error or top1_robust with any of ram, flash, macs, params, activations, "
                               "tiny_ml, avg_macs",
         [](job_options& o, const std::string& v) {
             try {
                 o.objectives = nascent::search::objectives_named(v);
             } catch (const nascent::error& e) {
                 throw job_error(string_of("--objectives: ", e.what()), 2);
             }
         },
         [](const job_options& o) { return J(nascent::search::names_of(o.objectives)); }},
        {"constraints", "HOW", "nsga2: domination (a candidate within the budget beats one over it) or adaptive (NACHOS's penalty on "
                               "each bounded objective, weighted by the share of the population over its bound)",
         [](job_options& o, const std::string& v) { o.constraints = parse_name<nascent::search::constraint_handling>("constraint handling", v); },
         [](const job_options& o) { return J(name_of(o.constraints)); }},
        {"pmax", "MILLIONS", "tiny_ml: parameters beyond which CNAS's penalty applies",
         [](job_options& o, const std::string& v) { o.objective_settings.tiny_ml.params_max = parse_number("pmax", v); },
         [](const job_options& o) { return J(o.objective_settings.tiny_ml.params_max); }},
        {"mmax", "MILLIONS", "tiny_ml: MACs beyond which the penalty applies",
         [](job_options& o, const std::string& v) { o.objective_settings.tiny_ml.macs_max = parse_number("mmax", v); },
         [](const job_options& o) { return J(o.objective_settings.tiny_ml.macs_max); }},
        {"amax", "MILLIONS", "tiny_ml: activations beyond which the penalty applies",
         [](job_options& o, const std::string& v) { o.objective_settings.tiny_ml.activations_max = parse_number("amax", v); },
         [](const job_options& o) { return J(o.objective_settings.tiny_ml.activations_max); }},
        {"wp", "W", "tiny_ml: weight of the parameters",
         [](job_options& o, const std::string& v) { o.objective_settings.tiny_ml.params_weight = parse_number("wp", v); },
         [](const job_options& o) { return J(o.objective_settings.tiny_ml.params_weight); }},
        {"wm", "W", "tiny_ml: weight of the MACs",
         [](job_options& o, const std::string& v) { o.objective_settings.tiny_ml.macs_weight = parse_number("wm", v); },
         [](const job_options& o) { return J(o.objective_settings.tiny_ml.macs_weight); }},
        {"wa", "W", "tiny_ml: weight of the activations",
         [](job_options& o, const std::string& v) { o.objective_settings.tiny_ml.activations_weight = parse_number("wa", v); },
         [](const job_options& o) { return J(o.objective_settings.tiny_ml.activations_weight); }},
        {"penalty", "FACTOR", "tiny_ml: the factor on each excess over pmax, mmax, amax",
         [](job_options& o, const std::string& v) { o.objective_settings.tiny_ml.penalty = parse_number("penalty", v); },
         [](const job_options& o) { return J(o.objective_settings.tiny_ml.penalty); }},
        {"robust-alpha", "A", "top1_robust: alpha top1 + (1 - alpha) robustness, the weight of the clean accuracy",
         [](job_options& o, const std::string& v) { o.objective_settings.robust_alpha = parse_number("robust-alpha", v); },
         [](const job_options& o) { return J(o.objective_settings.robust_alpha); }},
        {"flatness-draws", "N", "top1_robust: multiplicative weight perturbations each candidate is judged under",
         [](job_options& o, const std::string& v) { o.flatness_draws = static_cast<int>(parse_unsigned("flatness-draws", v)); },
         [](const job_options& o) { return J(o.flatness_draws); }},
        {"flatness-sigma", "S", "top1_robust and --ood-images: relative size of the weight perturbations",
         [](job_options& o, const std::string& v) { o.flatness_sigma = parse_number("flatness-sigma", v); },
         [](const job_options& o) { return J(o.flatness_sigma); }},
        {"dataset", "DIR", "Fashion-MNIST folder (default: $NASCENT_FASHION_MNIST_DIR, else /usr/share/datasets/fashion-mnist)",
         [](job_options& o, const std::string& v) { o.dataset = v; }, [](const job_options& o) { return J(o.dataset); }},
        {"out", "DIR", "output folder: state, candidates, statistics, log, Pareto front, exported models",
         [](job_options& o, const std::string& v) { o.out = v; }, [](const job_options& o) { return J(o.out); }},
        {"resume", "", "continue the search in --out from its last completed iteration",
         [](job_options& o, const std::string& v) { o.resume = parse_switch("resume", v); }, [](const job_options& o) { return J(o.resume); }},
        {"max-ram", "BYTES", "peak RAM budget (activation arena, int8)",
         [](job_options& o, const std::string& v) { o.budget.ram_bytes = parse_unsigned("max-ram", v); }, [](const job_options& o) { return J(*o.budget.ram_bytes); }},
        {"max-flash", "BYTES", "flash budget (int8 weights and parameters)",
         [](job_options& o, const std::string& v) { o.budget.flash_bytes = parse_unsigned("max-flash", v); },
         [](const job_options& o) { return J(*o.budget.flash_bytes); }},
        {"max-macs", "N", "multiply-accumulates per inference",
         [](job_options& o, const std::string& v) { o.budget.macs = parse_unsigned("max-macs", v); }, [](const job_options& o) { return J(*o.budget.macs); }},
        {"max-params", "N", "trainable parameters",
         [](job_options& o, const std::string& v) { o.budget.params = parse_unsigned("max-params", v); },
         [](const job_options& o) { return J(*o.budget.params); }},
        {"max-activations", "N", "activations (CNAS's: every layer's output elements, summed)",
         [](job_options& o, const std::string& v) { o.budget.activations = parse_unsigned("max-activations", v); },
         [](const job_options& o) { return J(*o.budget.activations); }},
        {"max-exit-macs", "N,...", "early-exit spaces: MACs up to each early exit and of its head, in exit order (NACHOS; empty: unbounded)",
         [](job_options& o, const std::string& v) {
             o.budget.exit_macs = {};
             std::stringstream in(v);
             std::size_t k = 0;
             for (std::string part; std::getline(in, part, ',');) {
                 if (part.empty()) continue;
                 if (k >= nascent::cost::bounded_exits)
                     throw job_error(string_of("--max-exit-macs bounds at most ", nascent::cost::bounded_exits, " exits"), 2);
                 o.budget.exit_macs[k++] = parse_unsigned("max-exit-macs", part);
             }
         },
         [](const job_options& o) {
             J bounds = J::array();
             for (const nascent::cost::limit& l : o.budget.exit_macs)
                 if (l) bounds.push_back(*l);
             return bounds;
         }},
        {"exit-accuracy-drop", "FRACTION", "early-exit spaces: the validation accuracy the exits' thresholds may cost against the final exit",
         [](job_options& o, const std::string& v) { o.exit_accuracy_drop = parse_number("exit-accuracy-drop", v); },
         [](const job_options& o) { return J(o.exit_accuracy_drop); }},
        {"max-error", "FRACTION", "test error the final model should stay within (reported, and preferred in the selection)",
         [](job_options& o, const std::string& v) { o.max_error = parse_number("max-error", v); },
         [](const job_options& o) { return J(o.max_error); }},
        {"also-ram", "BYTES,...", "also train the most accurate candidate within each of these peak RAM budgets (empty: none)",
         [](job_options& o, const std::string& v) {
             o.also_ram.clear();
             std::stringstream in(v);
             for (std::string part; std::getline(in, part, ',');)
                 if (!part.empty()) o.also_ram.push_back(parse_unsigned("also-ram", part));
         },
         [](const job_options& o) { return J(o.also_ram); }},
        {"firmware-images", "N", "when built with the cross compiler and QEMU: the chosen model's Cortex-M4 firmware classifies "
                                  "this many test images in QEMU (mps2-an386), its sizes, arena and instructions go into the summary (0: none)",
         [](job_options& o, const std::string& v) { o.firmware_images = parse_unsigned("firmware-images", v); },
         [](const job_options& o) { return J(o.firmware_images); }},
        {"seed", "N", "seed of every random choice",
         [](job_options& o, const std::string& v) { o.seed = parse_unsigned("seed", v); }, [](const job_options& o) { return J(o.seed); }},
        {"population", "N", "candidates of the first iteration, and the population of the evolutionary strategies",
         [](job_options& o, const std::string& v) { o.population = parse_unsigned("population", v); },
         [](const job_options& o) { return J(o.population); }},
        {"iterations", "N", "iterations after the first population (generations of nsga2)",
         [](job_options& o, const std::string& v) { o.iterations = parse_unsigned("iterations", v); },
         [](const job_options& o) { return J(o.iterations); }},
        {"per-iteration", "N", "candidates evaluated per iteration (0: the population size)",
         [](job_options& o, const std::string& v) { o.per_iteration = parse_unsigned("per-iteration", v); },
         [](const job_options& o) { return J(o.per_iteration); }},
        {"sample-size", "N", "aging evolution: members drawn per parent",
         [](job_options& o, const std::string& v) { o.sample_size = parse_unsigned("sample-size", v); },
         [](const job_options& o) { return J(o.sample_size); }},
        {"search-minutes", "MIN", "stop searching at the first iteration boundary after this many minutes",
         [](job_options& o, const std::string& v) { o.search_minutes = parse_number("search-minutes", v); },
         [](const job_options& o) { return J(o.search_minutes); }},
        {"time-limit", "MIN", "the whole job's limit: the final training is shortened to fit when it would not",
         [](job_options& o, const std::string& v) { o.time_limit_minutes = parse_number("time-limit", v); },
         [](const job_options& o) { return J(o.time_limit_minutes); }},
        {"validation", "N", "training images held out to judge candidates",
         [](job_options& o, const std::string& v) { o.validation = parse_unsigned("validation", v); },
         [](const job_options& o) { return J(o.validation); }},
        {"search-images", "N", "training images for the supernet or the candidates (0: all but the validation images)",
         [](job_options& o, const std::string& v) { o.search_images = parse_unsigned("search-images", v); },
         [](const job_options& o) { return J(o.search_images); }},
        {"incremental", "MODE",
         "off (static networks), adapted (search whole incremental models, scored after on-device learning) or attach (search a "
         "static network on the known classes, then attach a classifier and a buffer)",
         [](job_options& o, const std::string& v) { o.incremental = parse_name<incremental_kind>("incremental mode", v); },
         [](const job_options& o) { return J(name_of(o.incremental)); }},
        {"known-classes", "N", "incremental: the classes [0, N) the extractor is trained on; the device learns the others",
         [](job_options& o, const std::string& v) { o.known_classes = static_cast<int>(parse_unsigned("known-classes", v)); },
         [](const job_options& o) { return J(o.known_classes); }},
        {"per-class", "N", "incremental: labelled samples of each class the device learns from",
         [](job_options& o, const std::string& v) { o.per_class = parse_unsigned("per-class", v); },
         [](const job_options& o) { return J(o.per_class); }},
        {"judge-images", "N", "incremental: held-out images each candidate is judged on after learning",
         [](job_options& o, const std::string& v) { o.judge_images = parse_unsigned("judge-images", v); },
         [](const job_options& o) { return J(o.judge_images); }},
        {"prune-flash", "BYTES", "incremental: L1-prune each final network to this int8 flash before cutting it (0: no pruning)",
         [](job_options& o, const std::string& v) { o.prune_flash = parse_unsigned("prune-flash", v); },
         [](const job_options& o) { return J(o.prune_flash); }},
        {"supernet-epochs", "N", "evaluation supernet: epochs of supernet training",
         [](job_options& o, const std::string& v) { o.supernet_epochs = static_cast<int>(parse_unsigned("supernet-epochs", v)); },
         [](const job_options& o) { return J(o.supernet_epochs); }},
        {"supernet-sampling", "KIND", "evaluation supernet: paths sampled in its training, uniform (SPOS) or fair (FairNAS: every "
                                      "option of every decision once per step)",
         [](job_options& o, const std::string& v) { o.supernet_sampling = parse_name<sampling_kind>("supernet sampling", v); },
         [](const job_options& o) { return J(name_of(o.supernet_sampling)); }},
        {"candidate-epochs", "N", "evaluation train: epochs of each candidate's training",
         [](job_options& o, const std::string& v) { o.candidate_epochs = static_cast<int>(parse_unsigned("candidate-epochs", v)); },
         [](const job_options& o) { return J(o.candidate_epochs); }},
        {"final-epochs", "N", "epochs of the chosen architecture's training from scratch",
         [](job_options& o, const std::string& v) { o.final_epochs = static_cast<int>(parse_unsigned("final-epochs", v)); },
         [](const job_options& o) { return J(o.final_epochs); }},
        {"also-epochs", "N", "epochs of the models of --also-ram",
         [](job_options& o, const std::string& v) { o.also_epochs = static_cast<int>(parse_unsigned("also-epochs", v)); },
         [](const job_options& o) { return J(o.also_epochs); }},
        {"augment-shift", "N", "final training: each image shifted by up to N pixels at random and mirrored with probability 1/2 (0: neither)",
         [](job_options& o, const std::string& v) { o.augment_shift = static_cast<int>(parse_unsigned("augment-shift", v)); },
         [](const job_options& o) { return J(o.augment_shift); }},
        {"final-images", "N", "training images of the final training (0: the whole training split)",
         [](job_options& o, const std::string& v) { o.final_images = parse_unsigned("final-images", v); },
         [](const job_options& o) { return J(o.final_images); }},
        {"test-images", "N", "final models: measured on the first N images of the test split (0: all of it; fewer for smoke runs)",
         [](job_options& o, const std::string& v) { o.test_images = parse_unsigned("test-images", v); },
         [](const job_options& o) { return J(o.test_images); }},
        {"calibration", "N", "training images that calibrate the int8 quantisation",
         [](job_options& o, const std::string& v) { o.calibration = parse_unsigned("calibration", v); },
         [](const job_options& o) { return J(o.calibration); }},
        {"learning-rate", "R", "peak learning rate (SGD with momentum 0.9, cosine decay) of every training",
         [](job_options& o, const std::string& v) { o.learning_rate = parse_number("learning-rate", v); },
         [](const job_options& o) { return J(o.learning_rate); }},
        {"ood-images", "N", "final models: test images whose corrupted copies (12 corruptions, 5 severities) give the mean "
                            "corrupted accuracy, and on which the flatness is measured (0: neither)",
         [](job_options& o, const std::string& v) { o.ood_images = parse_unsigned("ood-images", v); },
         [](const job_options& o) { return J(o.ood_images); }},
        {"sam", "RHO", "final training: sharpness-aware minimisation with this radius (0: plain SGD; docs/robustness.md)",
         [](job_options& o, const std::string& v) { o.sam_radius = parse_number("sam", v); },
         [](const job_options& o) { return J(o.sam_radius); }},
        {"select", "PREFERENCE", "post-search choice of the model to train: accuracy, top1_robust, ram, flash, macs, params, tradeoff",
         [](job_options& o, const std::string& v) { o.select = parse_name<nascent::search::preference>("preference", v); },
         [](const job_options& o) { return J(name_of(o.select)); }},
        {"select-count", "N", "architectures picked by --select and trained in full",
         [](job_options& o, const std::string& v) { o.select_count = parse_unsigned("select-count", v); },
         [](const job_options& o) { return J(o.select_count); }},
        {"threads", "N", "OpenBLAS threads",
         [](job_options& o, const std::string& v) { o.threads = static_cast<int>(parse_unsigned("threads", v)); },
         [](const job_options& o) { return J(o.threads); }},
        {"jobs", "N", "processes that judge each iteration's candidates together on this machine, each with an equal part of "
                      "--threads (at least 1); under mpirun, per rank (results as with 1)",
         [](job_options& o, const std::string& v) { o.jobs = parse_unsigned("jobs", v); },
         [](const job_options& o) { return J(o.jobs); }},
    };
    return specs;
}

/// The settings of --quick: a whole job in about two minutes on two cores.
void apply_quick(job_options& o) {
    o.quick = true;
    o.validation = 1000;
    o.search_images = 6000;
    o.population = 8;
    o.iterations = 2;
    o.supernet_epochs = 1;
    o.final_epochs = 1;
    o.also_epochs = 1;
    o.final_images = 6000;
    o.test_images = 2000;
    o.calibration = 200;
    o.firmware_images = 4;
    o.search_minutes = 2.0;
    o.time_limit_minutes = 3.0;
    o.per_class = 10;
    o.judge_images = 500;
}

} // namespace

const char* name_of(space_kind k) { return name_in_table(k); }
const char* name_of(strategy_kind k) { return name_in_table(k); }
const char* name_of(evaluation_kind k) { return name_in_table(k); }
const char* name_of(sampling_kind k) { return name_in_table(k); }
const char* name_of(predictor_kind k) { return name_in_table(k); }
const char* name_of(incremental_kind k) { return name_in_table(k); }
const char* name_of(nascent::search::preference p) { return name_in_table(p); }
const char* name_of(nascent::search::constraint_handling c) { return name_in_table(c); }

std::vector<space_kind> all_spaces() {
    std::vector<space_kind> all;
    for (const auto& n : space_names) all.push_back(n.value);
    return all;
}

/// The --help text.
std::string help_text(const char* program) {
    std::string s = string_of(
        "usage: ", program, " [--config FILE] [--quick] [--OPTION VALUE ...]\n",
        "       ", program, " --report FOLDER\n\n",
        "Searches a space of networks for Fashion-MNIST under microcontroller budgets, trains the chosen\n",
        "architecture in full, quantises it to int8 and exports it as a C++ header. Every OPTION is also a\n",
        "key of the JSON config file; flags override the file.\n\n",
        "  --config FILE          JSON object of settings, e.g. {\"strategy\": \"aging\", \"max-ram\": 16384}\n",
        "  --quick                small settings for a smoke run (about 2 minutes); later flags still apply\n",
        "  --report FOLDER        redraw the tables, plots and summary of the search in FOLDER from its state\n",
        "                         (finished or interrupted), running nothing; no other option\n",
        "  --help                 this text\n");
    for (const option_spec& spec : option_specs()) {
        std::string left = string_of("  --", spec.name, *spec.value ? " " : "", spec.value);
        if (left.size() < 25) left.resize(25, ' ');
        else left += "\n" + std::string(25, ' ');
        const nlohmann::json def = spec.get(job_options{});
        // the help and the default, wrapped at 100 columns under the help column
        std::string text = string_of(spec.help, " [default ", def.dump(), "]");
        std::string line = left;
        std::size_t at = 0;
        while (at < text.size()) {
            std::size_t end = text.find(' ', at);
            if (end == std::string::npos) end = text.size();
            const std::string word = text.substr(at, end - at);
            if (line.size() > 25 && line.size() + word.size() >= 100) {
                s += line + "\n";
                line = std::string(25, ' ');
            }
            line += (line.size() > 25 && line.back() != ' ' ? " " : "") + word;
            at = end + 1;
        }
        s += line + "\n";
    }
    s += "\nspaces:";
    for (const space_kind k : all_spaces()) s += string_of(" ", name_of(k));
    s += "\n\nExit status: 0 done; 1 failure (missing dataset, impossible budget, unusable state folder, ...); 2 bad usage.\n";
    return s;
}

/// Applies the JSON object of `path` to `o`.
static void apply_config_file(job_options& o, const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in) throw job_error(string_of("cannot read the config file '", path.string(), "'"), 2);
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        throw job_error(string_of("the config file '", path.string(), "' is not valid JSON: ", e.what()), 2);
    }
    if (!j.is_object()) throw job_error(string_of("the config file '", path.string(), "' must hold a JSON object"), 2);
    // "quick" first: its small settings are defaults the file's other keys override, whatever
    // their order in the file (nlohmann::json iterates the keys sorted)
    if (j.contains("quick") && j["quick"] == true) apply_quick(o);
    for (const auto& [key, value] : j.items()) {
        if (key == "quick") continue;
        try {
            find_spec(key).set(o, flag_text(key, value));
        } catch (const job_error& e) {
            throw job_error(string_of("config file '", path.string(), "': ", e.what()), 2);
        }
    }
}

/// The settings of the search in `folder` (its config.json), to report on it.
static job_options options_of_folder(const std::filesystem::path& folder) {
    const std::filesystem::path config = folder / "config.json";
    if (!std::filesystem::is_regular_file(config))
        throw job_error(string_of("cannot report on '", folder.string(), "': it has no config.json (not a search folder)"));
    job_options o;
    try {
        apply_config_file(o, config);
    } catch (const job_error& e) {
        throw job_error(string_of("cannot report on '", folder.string(), "': ", e.what()));  // an unusable folder, not bad usage
    }
    o.out = folder.string();
    o.resume = false;
    o.report = true;
    return o;
}

/// The settings of a command line (argv[1..]); throws job_error on bad usage. `help` is set by --help.
job_options parse_command_line(int argc, char** argv, bool& help) {
    job_options o;
    help = false;
    std::vector<std::string> args(argv + 1, argv + argc);
    if (std::find(args.begin(), args.end(), "--report") != args.end()) {
        if (args.size() != 2 || args[0] != "--report") throw job_error("--report takes one output folder and no other option", 2);
        return options_of_folder(args[1]);
    }
    // first the config file and --quick, then every other flag in order
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--help" || args[i] == "-h") {
            help = true;
            return o;
        }
        if (args[i] == "--config") {
            if (i + 1 >= args.size()) throw job_error("--config needs a file", 2);
            o.config = args[i + 1];
            apply_config_file(o, o.config);
        }
    }
    for (const auto& a : args)
        if (a == "--quick") apply_quick(o);
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--quick") continue;
        if (a == "--config") {
            ++i;
            continue;
        }
        if (a.rfind("--", 0) != 0) throw job_error(string_of("unexpected argument '", a, "' (see --help)"), 2);
        std::string name = a.substr(2);
        std::string value;
        if (const auto eq = name.find('='); eq != std::string::npos) {
            value = name.substr(eq + 1);
            name.resize(eq);
        } else {
            const option_spec& spec = find_spec(name);
            if (*spec.value == '\0') {
                value = "true";
            } else {
                if (i + 1 >= args.size()) throw job_error(string_of("--", name, " needs a value (", spec.value, ")"), 2);
                value = args[++i];
            }
        }
        find_spec(name).set(o, value);
    }
    if (o.population == 0) throw job_error("--population must be at least 1", 2);
    if (o.final_epochs == 0) throw job_error("--final-epochs must be at least 1", 2);
    if (o.augment_shift >= job_input.h || o.augment_shift >= job_input.w)
        throw job_error(string_of("--augment-shift must be below ", job_input.w, ", the images' extent"), 2);
    if (o.threads == 0) throw job_error("--threads must be at least 1", 2);
    if (o.jobs == 0) throw job_error("--jobs must be at least 1", 2);
    if (o.validation == 0) throw job_error("--validation must be at least 1", 2);
    if (o.known_classes < 2 || o.known_classes > 9) throw job_error("--known-classes must be between 2 and 9", 2);
    if (o.incremental != incremental_kind::off && (o.per_class == 0 || o.judge_images == 0))
        throw job_error("--per-class and --judge-images must be at least 1", 2);
    if (o.strategy != strategy_kind::nsga2 && o.objectives != job_options{}.objectives)
        throw job_error(string_of("--objectives needs --strategy nsga2: ", name_of(o.strategy), " maximises the accuracy alone"), 2);
    if (o.strategy != strategy_kind::nsga2 && o.constraints != job_options{}.constraints)
        throw job_error("--constraints needs --strategy nsga2", 2);
    if (o.space == space_kind::mcu_cnn_exits && o.strategy == strategy_kind::differentiable)
        throw job_error("--strategy differentiable cannot search early exits (an exit is chosen, not mixed): use another strategy", 2);
    if (o.space == space_kind::mcu_cnn_exits && o.sam_radius > 0.0)
        throw job_error("--sam: sharpness-aware training of an early-exit network's joint loss is not supported", 2);
    if (o.space == space_kind::mcu_cnn_exits && nascent::search::needs_robustness(o.objectives))
        throw job_error("--objectives top1_robust is not measured for early-exit networks (the robustness of an exit policy)", 2);
    if (nascent::search::needs_robustness(o.objectives) && o.flatness_draws == 0)
        throw job_error("--objectives top1_robust needs --flatness-draws of at least 1", 2);
    if (o.objective_settings.robust_alpha > 1.0) throw job_error("--robust-alpha must be between 0 and 1", 2);
    if (o.select == nascent::search::preference::top1_robust && !nascent::search::needs_robustness(o.objectives))
        throw job_error("--select top1_robust needs top1_robust among the --objectives (candidates are judged without it otherwise)", 2);
    if (o.incremental != incremental_kind::off && o.strategy == strategy_kind::differentiable)
        throw job_error("--incremental needs a strategy that evaluates candidates one by one, not differentiable", 2);
    return o;
}

/// The settings as a JSON object (what config.json in the output folder holds).
nlohmann::json to_json(const job_options& o) {
    nlohmann::json j = nlohmann::json::object();
    for (const option_spec& spec : option_specs()) j[spec.name] = spec.get(o);
    j["quick"] = o.quick;
    return j;
}

/// The settings that decide a search's results: a resumed search must have the same ones.
nlohmann::json fingerprint(const job_options& o) {
    nlohmann::json j = to_json(o);
    for (const char* free : {"out", "resume", "dataset", "threads", "jobs", "search-minutes", "time-limit", "firmware-images"}) j.erase(free);
    return j;
}

} // namespace nascent_search
