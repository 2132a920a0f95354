// report.cpp - the tables and summary of a search job (report.hpp).
#include "report.hpp"

#include <algorithm>

#include <nascent/core/text.hpp>
#include <nascent/io/atomic_file.hpp>
#include <nascent/search/constraints.hpp>
#include <nascent/search/nsga2.hpp>
#include <nascent/search/pareto_report.hpp>
#include <nascent/search/progress_plot.hpp>

#include "spaces.hpp"

namespace nascent_search {

using namespace nascent;
using search::fixed_text;
using search::shortest_text;

std::vector<std::size_t> current_front(const job& j) {
    std::vector<search::point> points;
    for (const auto& e : j.state.history)
        points.push_back(search::point_of(e, j.options.objectives, j.options.objective_settings, j.options.budget));
    return search::pareto_front(points);
}

void write_tables(const job& j) {
    const auto& history = j.state.history;
    std::string c = "index,iteration,architecture,accuracy,loss,robustness,avg_macs,peak_ram_bytes,flash_bytes,macs,params,activations,feasible\n";
    for (std::size_t i = 0; i < history.size(); ++i) {
        const auto& e = history[i];
        c += string_of(i, ',', e.generation, ',', to_text(e.arch), ',', shortest_text(e.accuracy), ',', shortest_text(e.loss), ',',
                    e.robustness >= 0.0 ? shortest_text(e.robustness) : std::string(), ',',
                    e.average_macs >= 0.0 ? shortest_text(e.average_macs) : std::string(), ',', e.costs.peak_ram_bytes, ',', e.costs.flash_bytes, ',',
                    e.costs.macs, ',', e.costs.params, ',', e.costs.activations, ',',
                    search::satisfies(e.costs, j.options.budget) ? 1 : 0, '\n');
    }
    io::write_file_atomically(j.out / "candidates.csv", c);
    std::string t = "iteration,evaluated,total,feasible,best_accuracy,front,hypervolume,predictor,predictor_tau,seconds\n";
    for (const auto& s : j.state.iterations)
        t += string_of(s.iteration, ',', s.evaluated, ',', s.total, ',', s.feasible, ',', shortest_text(s.best_accuracy), ',', s.front, ',',
                    shortest_text(s.hypervolume), ',', s.predictor, ',', shortest_text(s.predictor_tau), ',', fixed_text(s.seconds, 1), '\n');
    io::write_file_atomically(j.out / "iterations.csv", t);
    const std::vector<std::size_t> front = current_front(j);
    search::write_pareto_csv(j.out / "pareto.csv", history, front);
    const std::string title = string_of(j.space->name, ", ", name_of(j.options.strategy), ": ", search::describe(j.options.budget));
    search::pareto_plot_options plot;
    plot.title = title;
    search::write_pareto_svg(j.out / "pareto.svg", history, front, plot);
    std::vector<search::progress_point> progress;
    for (const auto& s : j.state.iterations)
        progress.push_back({.iteration = s.iteration, .candidates = s.total, .best_accuracy = s.best_accuracy, .hypervolume = s.hypervolume});
    search::write_progress_svg(j.out / "progress.svg", progress, plot);
}

void write_summary(job& j) {
    const job_options& o = j.options;
    const auto& history = j.state.history;
    std::string s = string_of("# nascent search: ", j.space->name, ", ", name_of(o.strategy), "\n\n", "Budgets: ", search::describe(o.budget),
                           ", error <= ", fixed_text(100.0 * o.max_error, 1), "%. Candidates evaluated: ", history.size(), "; search time ",
                           minutes(j.state.search_seconds), ".",
                           o.test_images > 0 ? string_of(" The final models' test figures are on the first ", o.test_images, " test images (at most: the whole split when it is smaller).") : std::string(),
                           "\n\n");
    if (!j.state.search_done)
        s += string_of("The search was interrupted after iteration ", j.state.iteration, " (`--resume` continues it); no final model yet.\n\n");
    else if (j.state.finals.empty())
        s += "The search is done; no final model is finished yet (`--resume` trains them).\n\n";
    if (o.incremental != incremental_kind::off) {
        s += string_of("Incremental models (", name_of(o.incremental), "): the extractor learned classes 0-", o.known_classes - 1, "; the device learns ",
                       o.per_class, " labelled samples of each class; test accuracy on all classes before and after. RAM and flash are the whole "
                       "model's on a device, training included.\n\n",
                       "| model | architecture (extractor, cut, hidden, buffer) | selected as | search score (%) | before learning (%) | after learning (%) | RAM (B) | flash (B) | MACs | epochs |\n",
                       "|---|---|---|---|---|---|---|---|---|---|\n");
        for (const final_model& m : j.state.finals)
            s += string_of("| ", m.name, " | `", m.architecture, "` | ", m.why, " | ", fixed_text(m.search_accuracy, 2), " | ", fixed_text(m.int8_accuracy, 2),
                           " | ", fixed_text(m.adapted_accuracy, 2), " | ", m.peak_ram, " | ", m.flash, " | ", m.macs, " | ", m.epochs, " |\n");
    } else {
        s += "| model | architecture | selected as | search accuracy (%) | test float (%) | test int8 (%) | peak RAM (B) | flash (B) | MACs | est. Cortex-M4 latency (ms) | epochs | error within budget |\n"
             "|---|---|---|---|---|---|---|---|---|---|---|---|\n";
        for (const final_model& m : j.state.finals)
            s += string_of("| ", m.name, " | `", m.architecture, "` | ", m.why, " | ", fixed_text(m.search_accuracy, 2), " | ", fixed_text(m.float_accuracy, 2),
                           " | ", fixed_text(m.int8_accuracy, 2), " | ", m.peak_ram, " | ", m.flash, " | ", m.macs, " | ", fixed_text(m.latency_ms, 1), " | ",
                           m.epochs, " | ", 100.0 - m.int8_accuracy <= 100.0 * o.max_error ? "yes" : "no", " |\n");
        for (const final_model& m : j.state.finals) {
            const firmware_figures& f = m.firmware;
            if (f.images == 0) continue;
            s += string_of("\nFirmware of ", m.name, " (Cortex-M4F, QEMU mps2-an386, the first ", f.images, " test images; firmware/): text ", f.text,
                           " B, data ", f.data, " B, bss ", f.bss, " B; arena high-water mark ", f.high_water, " of ", f.arena,
                           " B (the static figure); ", fixed_text(f.instructions_per_inference, 0), " instructions per inference; ", f.agreeing, " of ",
                           f.images, " predictions as the host's int8 program (", f.correct, " right).\n");
        }
        if (o.space == space_kind::mcu_cnn_exits) {
            s += "\nEarly exits, int8 on the test split (thresholds chosen on the validation images; avg_macs as EDANAS counts it):\n\n"
                 "| model | leaving at each exit, the final one last (%) | avg_macs | MACs, every exit passed |\n|---|---|---|---|\n";
            for (const final_model& m : j.state.finals)
                s += string_of("| ", m.name, " | ", m.exit_shares.empty() ? std::string("no early exit") : m.exit_shares, " | ",
                               fixed_text(m.avg_macs, 0), " | ", m.macs, " |\n");
        }
        if (o.ood_images > 0) {
            s += string_of("\nOut of distribution, float, on the first ", o.ood_images, " test images: the mean over 12 corruptions at 5 severities, "
                           "and the weights perturbed multiplicatively (sigma ", shortest_text(o.flatness_sigma), "):\n\n",
                           "| model | clean, whole test set (%) | mean corrupted (%) | perturbed weights (%) | sharpness |\n|---|---|---|---|---|\n");
            for (const final_model& m : j.state.finals)
                if (m.corrupted_accuracy >= 0.0)
                    s += string_of("| ", m.name, " | ", fixed_text(m.float_accuracy, 2), " | ", fixed_text(m.corrupted_accuracy, 2), " | ",
                                   fixed_text(m.perturbed_accuracy, 2), " | ", fixed_text(m.sharpness, 4), " |\n");
        }
    }
    s += string_of("\nPareto front of the search (feasible; objectives ", search::names_of(o.objectives), "; search-time figures):\n\n",
                   "| architecture | accuracy (%) | perturbed accuracy (%) | avg_macs | peak RAM (B) | flash (B) | MACs |\n|---|---|---|---|---|---|---|\n");
    std::vector<std::size_t> front = current_front(j);
    std::sort(front.begin(), front.end(), [&](std::size_t a, std::size_t b) { return history[a].costs.peak_ram_bytes < history[b].costs.peak_ram_bytes; });
    for (const std::size_t i : front) {
        const auto& e = history[i];
        s += string_of("| `", to_text(e.arch), "` | ", fixed_text(100.0 * e.accuracy, 2), " | ",
                       e.robustness >= 0.0 ? fixed_text(100.0 * e.robustness, 2) : std::string("-"), " | ",
                       e.average_macs >= 0.0 ? fixed_text(e.average_macs, 0) : std::string("-"), " | ", e.costs.peak_ram_bytes, " | ", e.costs.flash_bytes, " | ",
                    e.costs.macs, " |\n");
    }
    double final_seconds = 0.0;
    for (const final_model& m : j.state.finals) final_seconds += m.seconds;
    s += string_of("\nTime: search ", minutes(j.state.search_seconds), ", final models ", minutes(final_seconds), ".\n");
    io::write_file_atomically(j.out / "summary.md", s);
    j.log.line("%s", s.c_str());
}

int report_folder(job& j) {
    j.state = read_state(j.out, "report");
    if (j.state.fingerprint != fingerprint(j.options))
        throw job_error(string_of("cannot report on '", j.out.string(), "': its config.json and state.json are of different searches"));
    for (auto& e : j.state.history) e.costs = j.space->search->costs(e.arch, j.options.budget);  // the state holds no costs
    write_tables(j);
    write_summary(j);
    return 0;
}

} // namespace nascent_search
