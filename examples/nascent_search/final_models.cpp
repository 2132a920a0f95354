// final_models.cpp - the picks after the search, the time they share, testing and export (final_models.hpp).
#include "final_models.hpp"

#include <cmath>

#include <nascent/core/text.hpp>
#include <nascent/deploy/export.hpp>
#include <nascent/cost/exits.hpp>
#include <nascent/runtime/run.hpp>
#include <nascent/search/pareto_report.hpp>

#include "firmware.hpp"
#include "report.hpp"
#include "spaces.hpp"

namespace nascent_search {

using namespace nascent;

namespace {

void append_normalised(std::vector<float>& out, const image_dataset& data, std::size_t i, const normalization& norm) {
    const std::uint8_t* p = data.image(i);
    for (std::size_t k = 0; k < data.sample.size(); ++k) out.push_back((static_cast<float>(p[k]) / 255.0F - norm.mean[0]) / norm.stddev[0]);
}

/// What the float and the int8 program did over the test split: right answers, and where the int8
/// program's inputs left (an early-exit program stops at its first sure exit; another has one exit).
struct test_outcome {
    std::size_t float_right = 0, int8_right = 0;
    std::vector<std::size_t> int8_exits;  ///< images leaving at each exit, the final one last
};

test_outcome test_programs(const job& j, const deploy::build_result& d, const normalization& norm) {
    const deploy::runtime_program& fp = d.float_program;
    const deploy::runtime_program& qp = d.int8_program;
    const deploy::float_parameters& f = d.float_params;
    const deploy::quantized_parameters& q = d.int8_params;
    std::vector<float> float_arena(fp.arena_bytes / 4 + 1);
    std::vector<std::int32_t> int8_arena(qp.arena_bytes / 4 + 1);
    auto* fa = reinterpret_cast<std::byte*>(float_arena.data());
    auto* qa = reinterpret_cast<std::byte*>(int8_arena.data());
    test_outcome t;
    t.int8_exits.assign(cost::exit_figures_of(d.int8_graph).size(), 0);
    std::vector<float> image;
    for (std::size_t i = 0; i < j.test.size(); ++i) {
        image.clear();
        append_normalised(image, j.test, i, norm);
        std::copy(image.begin(), image.end(), deploy::input<float>(fp, fa));
        std::int8_t* qin = deploy::input<std::int8_t>(qp, qa);
        for (std::size_t k = 0; k < image.size(); ++k) qin[k] = q.input.quantize(image[k]);
        const deploy::exit_run rf = deploy::run_to_exit(fp, f.weights.data(), f.params.data(), fa);
        const deploy::exit_run rq = deploy::run_to_exit(qp, q.weights.data(), q.params.data(), qa);
        if (rf.status != deploy::run_status::ok || rq.status != deploy::run_status::ok) throw job_error("a deploy program refused to run");
        t.float_right += deploy::argmax_at<float>(rf.logits, fa) == j.test.labels[i] ? 1U : 0U;
        t.int8_right += deploy::argmax_at<std::int8_t>(rq.logits, qa) == j.test.labels[i] ? 1U : 0U;
        ++t.int8_exits.at(rq.exit);
    }
    return t;
}

/// The chosen model's firmware (firmware.hpp), when the program can build it and the model is a
/// static single-exit network. A tool that fails is logged, and the model is kept without its
/// firmware figures.
void firmware_of(job& j, final_model& m, const deploy::build_result& d, const deploy::model_metadata& meta, bool early_exits) {
    if (j.options.firmware_images == 0) return;
    if (!firmware_available()) {
        j.log.line("firmware: not built (this program was built without arm-none-eabi-g++ or qemu-system-arm)");
        return;
    }
    if (early_exits || j.options.incremental != incremental_kind::off) {
        j.log.line("firmware: not built for %s models (examples/firmware/early_exit.cpp and learn.cpp are theirs)",
                   early_exits ? "early-exit" : "incremental");
        return;
    }
    try {
        m.firmware = build_and_run_firmware(j, m.name, d, meta);
    } catch (const job_error& e) {  // the trained model and its header stay: the job goes on without firmware figures
        j.log.line("%s", e.what());
        return;
    }
    const firmware_figures& f = m.firmware;
    j.log.line("firmware: %s: text %zu, data %zu, bss %zu B; arena high-water mark %zu of %zu B; %.0f instructions per inference; "
               "%zu of %zu predictions as the host's (%s)",
               m.name.c_str(), f.text, f.data, f.bss, f.high_water, f.arena, f.instructions_per_inference, f.agreeing, f.images,
               (j.out / "firmware").c_str());
}

} // namespace

augmentation final_augmentation(const job_options& o) {
    return o.augment_shift > 0 ? augmentation{.max_shift = o.augment_shift, .horizontal_flip = true} : augmentation{};
}

std::vector<float> calibration_images(const job& j, const normalization& norm) {
    const std::size_t calibration = std::min(j.options.calibration, j.train_all.size());
    std::vector<float> images;
    for (std::size_t i = j.train_all.size() - calibration; i < j.train_all.size(); ++i) append_normalised(images, j.train_all, i, norm);
    return images;
}

/// The models still to train (one per architecture) share the time left in proportion to their
/// planned work, an epoch of another model costing in proportion to its MACs; each model also
/// needs about a minute for its timing run, tests and export.
int epochs_within_limit(const job& j, const final_pick& p, double epoch_seconds, const std::vector<final_pick>& picks) {
    constexpr double per_model_seconds = 60.0;
    const auto& history = j.state.history;
    const auto macs_of = [&](const final_pick& q) { return static_cast<double>(std::max<std::size_t>(history[q.index].costs.macs, 1)); };
    const double mine = p.epochs * epoch_seconds + per_model_seconds;
    double planned = 0.0;
    std::vector<std::string> counted;
    for (const final_pick& q : picks) {
        const std::string arch = to_text(history[q.index].arch);
        const bool trained = std::any_of(j.state.finals.begin(), j.state.finals.end(), [&](const final_model& m) { return m.architecture == arch; });
        if (trained || std::find(counted.begin(), counted.end(), arch) != counted.end()) continue;
        counted.push_back(arch);
        planned += q.epochs * epoch_seconds * macs_of(q) / macs_of(p) + per_model_seconds;
    }
    const double left = 60.0 * j.options.time_limit_minutes - j.elapsed_total();
    const double budget = planned <= left ? mine : left * mine / std::max(planned, 1e-3);
    const int fit = static_cast<int>(std::floor((budget - per_model_seconds) / std::max(epoch_seconds, 1e-3)));
    return std::clamp(fit, 1, p.epochs);
}

final_model test_and_export(job& j, const final_pick& p, const deploy::build_result& d, const normalization& norm, int epochs,
                            clock_type::time_point started) {
    const search::evaluated& e = j.state.history[p.index];
    final_model m;
    m.name = p.name;
    m.why = p.why;
    m.architecture = to_text(e.arch);
    const cost::costs c8 = cost::measure(d.int8_graph);
    m.peak_ram = c8.peak_ram_bytes;
    m.flash = c8.flash_bytes;
    m.macs = c8.macs;
    m.params = c8.params;
    m.search_accuracy = 100.0 * e.accuracy;
    m.latency_ms = cost::estimate(d.int8_graph).milliseconds();
    m.epochs = epochs;
    const test_outcome t = test_programs(j, d, norm);
    const auto n = static_cast<double>(j.test.size());
    m.float_accuracy = 100.0 * static_cast<double>(t.float_right) / n;
    m.int8_accuracy = 100.0 * static_cast<double>(t.int8_right) / n;
    const std::vector<cost::exit_figures> exits = cost::exit_figures_of(d.int8_graph);
    std::vector<double> shares;
    for (const std::size_t c : t.int8_exits) shares.push_back(static_cast<double>(c) / n);
    m.avg_macs = train::average_macs(shares, exits);
    if (exits.size() > 1)
        for (std::size_t e = 0; e < shares.size(); ++e) m.exit_shares += string_of(e == 0 ? "" : "/", search::fixed_text(100.0 * shares[e], 1));

    const deploy::quantized_parameters& q = d.int8_params;
    deploy::model_metadata meta;
    meta.space = string_of("nascent::zoo::", j.space->name);
    meta.architecture = m.architecture;
    meta.decisions = std::vector<int>(e.arch.choices.begin(), e.arch.choices.end());
    meta.costs = c8;
    meta.latency_ms = m.latency_ms;
    meta.mean = {norm.mean[0]};
    meta.stddev = {norm.stddev[0]};
    meta.input_scale = q.input.scale;
    meta.input_zero_point = q.input.zero_point;
    meta.output_scale = q.output.scale;
    meta.output_zero_point = q.output.zero_point;
    meta.float_accuracy = m.float_accuracy;
    meta.int8_accuracy = m.int8_accuracy;
    meta.class_names = j.test.class_names;
    const std::filesystem::path header = j.out / "models" / (p.name + ".hpp");
    deploy::write_model_header(header, p.name, d.int8_program, std::span<const std::int8_t>(q.weights), std::span<const std::int32_t>(q.params), meta);
    if (p.name == "model") firmware_of(j, m, d, meta, exits.size() > 1);
    m.seconds = job::seconds_since(started);
    if (exits.size() > 1)
        j.log.line("final: %s: early exits, int8 on the test images: leaving at each exit %s %%, avg_macs %.0f of %zu", p.name.c_str(),
                   m.exit_shares.c_str(), m.avg_macs, exits.back().macs_to_exit());
    j.log.line("final: %s: test accuracy float %.2f%%, int8 %.2f%%; wrote %s (%s)", p.name.c_str(), m.float_accuracy, m.int8_accuracy,
               header.c_str(), minutes(m.seconds).c_str());
    return m;
}

namespace {

/// search::post_search over the candidates the space's final part admits; indices into the history.
std::vector<std::size_t> admitted_post_search(const job& j, const cost::budget& limits, const search::post_search_options& how) {
    const auto admissible = j.space->finals->admissible;
    if (admissible == nullptr) return search::post_search(j.state.history, limits, how);
    std::vector<search::evaluated> pool;
    std::vector<std::size_t> index;
    for (std::size_t i = 0; i < j.state.history.size(); ++i)
        if (admissible(j, j.state.history[i].arch)) {
            pool.push_back(j.state.history[i]);
            index.push_back(i);
        }
    std::vector<std::size_t> chosen = search::post_search(pool, limits, how);
    for (std::size_t& c : chosen) c = index[c];
    return chosen;
}

} // namespace

void final_models(job& j) {
    const job_options& o = j.options;
    std::vector<final_pick> picks;
    search::post_search_options how;
    how.count = std::max<std::size_t>(o.select_count, 1);
    how.prefer = o.select;
    how.robust_alpha = o.objective_settings.robust_alpha;
    const std::vector<std::size_t> chosen = admitted_post_search(j, o.budget, how);
    if (chosen.empty()) throw job_error("the search evaluated no candidate within the budgets");
    for (std::size_t i = 0; i < chosen.size(); ++i)
        picks.push_back({chosen[i], i == 0 ? std::string("model") : string_of("model_", i + 1), string_of("post-search (", name_of(o.select), ")"),
                         o.final_epochs});
    for (const std::size_t ram : o.also_ram) {
        cost::budget tight = o.budget;
        tight.ram_bytes = std::min(ram, *o.budget.ram_bytes);
        const std::vector<std::size_t> best = admitted_post_search(j, tight, {.count = 1, .prefer = search::preference::accuracy});
        if (best.empty()) {
            j.log.line("no candidate within %zu bytes of peak RAM was evaluated", ram);
            continue;
        }
        picks.push_back({best[0], string_of("model_ram", ram), string_of("most accurate within ", ram, " B of RAM"), std::max(o.also_epochs, 1)});
    }
    const image_dataset final_train = o.final_images > 0 ? subset(j.train_all, 0, std::min(o.final_images, j.train_all.size())) : j.train_all;
    for (const final_pick& p : picks) {
        const bool done = std::any_of(j.state.finals.begin(), j.state.finals.end(), [&](const final_model& m) { return m.name == p.name; });
        if (done) continue;
        // an architecture picked twice is trained once: the later pick refers to the earlier model
        const auto same = std::find_if(j.state.finals.begin(), j.state.finals.end(),
                                       [&](const final_model& m) { return m.architecture == to_text(j.state.history[p.index].arch); });
        if (same != j.state.finals.end()) {
            final_model copy = *same;
            copy.why = string_of(p.why, " (the same architecture as ", same->name, ")");
            copy.name = p.name;
            copy.firmware = {};  // the firmware is the chosen model's alone
            j.log.line("final: %s is %s again", p.name.c_str(), same->name.c_str());
            j.state.finals.push_back(std::move(copy));
        } else {
            j.state.finals.push_back(j.space->finals->train_and_export(j, p, final_train, picks));
        }
        write_state(j.out, j.state);
    }
    write_summary(j);
}

} // namespace nascent_search
