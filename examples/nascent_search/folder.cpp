// folder.cpp - the output folder and its state (folder.hpp).
#include "folder.hpp"

#include <fstream>
#include <sstream>

#include <nascent/core/text.hpp>
#include <nascent/io/atomic_file.hpp>
#include <nascent/space/architecture.hpp>

namespace nascent_search {

using nascent::string_of;

namespace {

constexpr const char* state_format = "nascent-search-state";
constexpr int state_version = 1;

nlohmann::json to_json(const iteration_stats& s) {
    return {{"iteration", s.iteration}, {"evaluated", s.evaluated}, {"total", s.total}, {"feasible", s.feasible},
            {"best_accuracy", s.best_accuracy}, {"front", s.front}, {"hypervolume", s.hypervolume}, {"predictor", s.predictor},
            {"predictor_tau", s.predictor_tau}, {"seconds", s.seconds}};
}

nlohmann::json to_json(const firmware_figures& f) {
    return {{"images", f.images}, {"agreeing", f.agreeing}, {"correct", f.correct}, {"text", f.text}, {"data", f.data}, {"bss", f.bss},
            {"high_water", f.high_water}, {"arena", f.arena}, {"instructions_per_inference", f.instructions_per_inference}};
}

nlohmann::json to_json(const final_model& m) {
    return {{"name", m.name}, {"why", m.why}, {"architecture", m.architecture}, {"peak_ram", m.peak_ram}, {"flash", m.flash},
            {"macs", m.macs}, {"params", m.params}, {"search_accuracy", m.search_accuracy}, {"float_accuracy", m.float_accuracy},
            {"int8_accuracy", m.int8_accuracy}, {"latency_ms", m.latency_ms}, {"adapted_accuracy", m.adapted_accuracy},
            {"corrupted_accuracy", m.corrupted_accuracy}, {"perturbed_accuracy", m.perturbed_accuracy}, {"sharpness", m.sharpness},
            {"avg_macs", m.avg_macs}, {"exit_shares", m.exit_shares}, {"epochs", m.epochs},
            {"seconds", m.seconds}, {"firmware", to_json(m.firmware)}};
}

std::string state_text(const job_state& s) {
    nlohmann::json j;
    j["format"] = state_format;
    j["version"] = state_version;
    j["fingerprint"] = s.fingerprint;
    j["supernet_trained"] = s.supernet_trained;
    j["iteration"] = s.iteration;
    j["search_done"] = s.search_done;
    j["search_seconds"] = s.search_seconds;
    nlohmann::json h = nlohmann::json::array();
    for (const auto& e : s.history)
        h.push_back({{"arch", nascent::to_text(e.arch)}, {"accuracy", e.accuracy}, {"loss", e.loss}, {"generation", e.generation},
                     {"robustness", e.robustness}, {"average_macs", e.average_macs}});
    j["history"] = h;
    j["population"] = s.population;
    j["nadir"] = s.nadir;
    nlohmann::json g = nlohmann::json::array();
    for (const auto& x : s.generations)
        g.push_back({{"generation", x.generation}, {"evaluated", x.evaluated}, {"total_evaluated", x.total_evaluated},
                     {"rejected", x.rejected}, {"duplicates", x.duplicates}, {"feasible", x.feasible}, {"front", x.front},
                     {"hypervolume", x.hypervolume}});
    j["generations"] = g;
    j["rejected"] = s.rejected;
    nlohmann::json it = nlohmann::json::array();
    for (const auto& x : s.iterations) it.push_back(to_json(x));
    j["iterations"] = it;
    nlohmann::json f = nlohmann::json::array();
    for (const auto& x : s.finals) f.push_back(to_json(x));
    j["finals"] = f;
    return j.dump(1) + "\n";
}

} // namespace

/// Reads the state of `folder`; throws job_error naming what is wrong (missing, not JSON, not a
/// state, another version, fields missing or of the wrong type).
job_state read_state(const std::filesystem::path& folder, const char* purpose) {
    const std::filesystem::path path = folder / "state.json";
    std::ifstream in(path);
    if (!in) throw job_error(string_of("cannot ", purpose, ": '", path.string(), "' does not exist (not a search folder, or no iteration finished)"));
    std::stringstream text;
    text << in.rdbuf();
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text.str());
    } catch (const nlohmann::json::exception& e) {
        throw job_error(string_of("cannot ", purpose, ": '", path.string(), "' is corrupt (not valid JSON: ", e.what(), ")"));
    }
    if (!j.is_object() || !j.contains("format") || j["format"] != state_format)
        throw job_error(string_of("cannot ", purpose, ": '", path.string(), "' is not a nascent search state"));
    if (j.value("version", 0) != state_version)
        throw job_error(string_of("cannot ", purpose, ": '", path.string(), "' has state version ", j.value("version", 0), ", this program reads ",
                                        state_version));
    job_state s;
    try {
        s.fingerprint = j.at("fingerprint");
        s.supernet_trained = j.at("supernet_trained").get<bool>();
        s.iteration = j.at("iteration").get<long>();
        s.search_done = j.at("search_done").get<bool>();
        s.search_seconds = j.at("search_seconds").get<double>();
        for (const auto& e : j.at("history")) {
            nascent::search::evaluated x;
            x.arch = nascent::architecture_from_text(e.at("arch").get<std::string>());
            x.accuracy = e.at("accuracy").get<double>();
            x.loss = e.at("loss").get<double>();
            x.generation = e.at("generation").get<std::size_t>();
            x.robustness = e.value("robustness", -1.0);
            x.average_macs = e.value("average_macs", -1.0);
            s.history.push_back(std::move(x));
        }
        s.population = j.at("population").get<std::vector<std::size_t>>();
        s.nadir = j.at("nadir").get<std::vector<double>>();
        for (const auto& x : j.at("generations")) {
            nascent::search::nsga2_generation g;
            g.generation = x.at("generation").get<std::size_t>();
            g.evaluated = x.at("evaluated").get<std::size_t>();
            g.total_evaluated = x.at("total_evaluated").get<std::size_t>();
            g.rejected = x.at("rejected").get<std::size_t>();
            g.duplicates = x.at("duplicates").get<std::size_t>();
            g.feasible = x.at("feasible").get<std::size_t>();
            g.front = x.at("front").get<std::vector<std::size_t>>();
            g.hypervolume = x.at("hypervolume").get<double>();
            s.generations.push_back(std::move(g));
        }
        s.rejected = j.at("rejected").get<std::size_t>();
        for (const auto& x : j.at("iterations")) {
            iteration_stats t;
            t.iteration = x.at("iteration").get<std::size_t>();
            t.evaluated = x.at("evaluated").get<std::size_t>();
            t.total = x.at("total").get<std::size_t>();
            t.feasible = x.at("feasible").get<std::size_t>();
            t.best_accuracy = x.at("best_accuracy").get<double>();
            t.front = x.at("front").get<std::size_t>();
            t.hypervolume = x.at("hypervolume").get<double>();
            t.predictor = x.at("predictor").get<std::string>();
            t.predictor_tau = x.at("predictor_tau").get<double>();
            t.seconds = x.at("seconds").get<double>();
            s.iterations.push_back(std::move(t));
        }
        for (const auto& x : j.at("finals")) {
            final_model m;
            m.name = x.at("name").get<std::string>();
            m.why = x.at("why").get<std::string>();
            m.architecture = x.at("architecture").get<std::string>();
            m.peak_ram = x.at("peak_ram").get<std::size_t>();
            m.flash = x.at("flash").get<std::size_t>();
            m.macs = x.at("macs").get<std::size_t>();
            m.params = x.at("params").get<std::size_t>();
            m.search_accuracy = x.at("search_accuracy").get<double>();
            m.float_accuracy = x.at("float_accuracy").get<double>();
            m.int8_accuracy = x.at("int8_accuracy").get<double>();
            m.latency_ms = x.at("latency_ms").get<double>();
            m.adapted_accuracy = x.value("adapted_accuracy", -1.0);
            m.corrupted_accuracy = x.value("corrupted_accuracy", -1.0);
            m.perturbed_accuracy = x.value("perturbed_accuracy", -1.0);
            m.sharpness = x.value("sharpness", -1.0);
            m.avg_macs = x.value("avg_macs", -1.0);
            m.exit_shares = x.value("exit_shares", std::string());
            m.epochs = x.at("epochs").get<int>();
            m.seconds = x.at("seconds").get<double>();
            if (x.contains("firmware")) {
                const nlohmann::json& fw = x.at("firmware");
                firmware_figures& f = m.firmware;
                f.images = fw.at("images").get<std::size_t>();
                f.agreeing = fw.at("agreeing").get<std::size_t>();
                f.correct = fw.at("correct").get<std::size_t>();
                f.text = fw.at("text").get<std::size_t>();
                f.data = fw.at("data").get<std::size_t>();
                f.bss = fw.at("bss").get<std::size_t>();
                f.high_water = fw.at("high_water").get<std::size_t>();
                f.arena = fw.at("arena").get<std::size_t>();
                f.instructions_per_inference = fw.at("instructions_per_inference").get<double>();
            }
            s.finals.push_back(std::move(m));
        }
    } catch (const std::exception& e) {
        throw job_error(string_of("cannot ", purpose, ": '", path.string(), "' is corrupt (", e.what(), ")"));
    }
    for (const std::size_t i : s.population)
        if (i >= s.history.size()) throw job_error(string_of("cannot ", purpose, ": '", path.string(), "' is corrupt (a population index is out of the history)"));
    return s;
}

void write_state(const std::filesystem::path& folder, const job_state& s) {
    nascent::io::write_file_atomically(folder / "state.json", state_text(s));
}


job_state prepare_folder(const job_options& options) {
    const std::filesystem::path out = options.out;
    if (options.resume) {
        job_state state = read_state(out);
        if (state.fingerprint != fingerprint(options))
            throw job_error(string_of("cannot resume: '", (out / "state.json").string(),
                                   "' belongs to a search with other settings; its settings were ", state.fingerprint.dump(),
                                   " (use the same settings, or another --out)"));
        return state;
    }
    if (std::filesystem::exists(out) && !std::filesystem::is_empty(out))
        throw job_error(string_of("the output folder '", out.string(), "' is not empty: resume it with --resume, or choose another --out"));
    job_state state;
    state.fingerprint = fingerprint(options);
    return state;
}

void job_log::open(const std::filesystem::path& path) {
    file_ = std::fopen(path.c_str(), "a");
    if (file_ == nullptr) throw job_error(string_of("cannot write '", path.string(), "'"));
}

} // namespace nascent_search
