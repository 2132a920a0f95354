// search_loop.cpp - the iterations of a search job, their statistics and checkpoints (search_loop.hpp).
#include "search_loop.hpp"

#include <algorithm>

#include <nascent/core/text.hpp>
#include <nascent/search/hypervolume.hpp>
#include <nascent/search/pareto.hpp>

#include "parallel.hpp"
#include "report.hpp"
#include "spaces.hpp"

namespace nascent_search {

using namespace nascent;

namespace {

/// The statistics of iteration k over the whole archive, logged with a progress line.
void close_iteration(job& j, std::size_t k, std::size_t evaluated, std::size_t last) {
    const job_options& o = j.options;
    iteration_stats s;
    s.iteration = k;
    s.evaluated = evaluated;
    s.total = j.state.history.size();
    std::vector<search::point> points;
    for (const auto& e : j.state.history) {
        points.push_back(search::point_of(e, o.objectives, o.objective_settings, o.budget));
        if (points.back().feasible()) {
            ++s.feasible;
            s.best_accuracy = std::max(s.best_accuracy, e.accuracy);
        }
    }
    const std::vector<std::size_t> front = search::pareto_front(points);
    s.front = front.size();
    const std::vector<double> nadir = search::nadir_of(o.objectives, o.budget, j.state.history, o.objective_settings);
    s.hypervolume = front.empty() ? 0.0 : search::normalized_hypervolume(points, front, nadir);
    const predictor_choice p = j.space->search->predictor_on_history(j);
    s.predictor = p.name;
    s.predictor_tau = p.tau;
    s.seconds = j.state.search_seconds;
    j.state.iterations.push_back(s);
    const double per = j.state.search_seconds / static_cast<double>(k + 1);
    const double left = std::min(per * static_cast<double>(last - std::min(last, k)), std::max(0.0, 60.0 * o.search_minutes - j.state.search_seconds));
    j.log.line("[search] iteration %zu/%zu  candidates %zu (+%zu)  best feasible %.2f%%  front %zu  hypervolume %.4f  predictor %s "
               "tau %.3f  elapsed %s  ETA %s",
               k, last, s.total, s.evaluated, 100.0 * s.best_accuracy, s.front, s.hypervolume, s.predictor.empty() ? "-" : s.predictor.c_str(),
               s.predictor_tau, minutes(job::seconds_since(j.start)).c_str(), minutes(left).c_str());
}

void save(const job& j) {
    write_state(j.out, j.state);
    write_tables(j);
}

} // namespace

std::optional<search::predict::adaptive_options> predictor_settings(const job_options& o) {
    if (o.predictor == predictor_kind::none) return std::nullopt;
    search::predict::adaptive_options a;
    a.seed = o.seed;
    if (o.predictor == predictor_kind::rbf) a.kinds = {search::predict::predictor_kind::rbf};
    if (o.predictor == predictor_kind::gp) a.kinds = {search::predict::predictor_kind::gaussian_process};
    if (o.predictor == predictor_kind::mlp) a.kinds = {search::predict::predictor_kind::mlp};
    return a;
}

search::nsga2_options nsga2_settings(const job& j) {
    search::nsga2_options no;
    no.population = j.options.population;
    no.generations = j.options.iterations;
    no.offspring = j.options.batch();
    no.objectives = j.options.objectives;
    no.settings = j.options.objective_settings;
    no.constraints = j.options.constraints;
    no.reject_infeasible = no.constraints == search::constraint_handling::domination;
    no.seed = j.options.seed;
    no.log = j.log.file();
    return no;
}

search::nsga2_state nsga2_state_of(const job& j) {
    search::nsga2_state s;
    s.generation = static_cast<std::size_t>(j.state.iteration);
    s.history = j.state.history;
    for (const auto& e : s.history) s.points.push_back(search::point_of(e, j.options.objectives, j.options.objective_settings, j.options.budget));
    s.population = j.state.population;
    s.nadir = j.state.nadir;
    s.rejected = j.state.rejected;
    s.generations = j.state.generations;
    return s;
}

void keep_nsga2_state(job& j, search::nsga2_state s) {
    j.state.history = std::move(s.history);
    j.state.population = std::move(s.population);
    j.state.nadir = std::move(s.nadir);
    j.state.rejected = s.rejected;
    j.state.generations = std::move(s.generations);
}

search::bayesian_options bayesian_settings(const job& j) {
    search::bayesian_options bo;
    bo.initial = j.options.population;
    bo.per_step = j.options.batch();
    bo.seed = j.options.seed;
    bo.log = j.log.file();
    return bo;
}

search::batch_options batch_settings(const job& j) {
    const job_options& o = j.options;
    search::batch_options b;
    b.kind = o.strategy == strategy_kind::random      ? search::batch_kind::random
             : o.strategy == strategy_kind::evolution ? search::batch_kind::evolution
                                                      : search::batch_kind::aging;
    b.population = o.population;
    b.per_step = o.batch();
    b.sample_size = o.sample_size;
    b.predictor = predictor_settings(o);
    b.screen = o.screen;
    b.seed = o.seed;
    b.log = j.log.file();
    return b;
}

void search(job& j, candidate_judge& judge) {
    const job_options& o = j.options;
    const bool differentiable = o.strategy == strategy_kind::differentiable;
    const std::size_t last = differentiable ? 0 : o.iterations;
    while (j.state.iteration < static_cast<long>(last)) {
        if (j.state.iteration >= 0 && j.state.search_seconds >= 60.0 * o.search_minutes) {
            j.log.line("search: stopped after iteration %ld, the search time of %s is used", j.state.iteration, minutes(60.0 * o.search_minutes).c_str());
            break;
        }
        const auto t = clock_type::now();
        const auto k = static_cast<std::size_t>(j.state.iteration + 1);
        const std::size_t before = j.state.history.size();
        const std::string saved = k == 0 ? std::string("no iteration yet") : string_of("iteration ", k - 1);
        set_interruption_note(string_of("the search was in iteration ", k, "; ", j.out.string(), " holds ", saved, ": continue with --resume"));
        try {
            if (differentiable) j.space->evaluation->differentiable_search(j);
            else j.space->search->search_step(j, k, judge);
        } catch (const job_error&) {
            throw;
        } catch (const nascent::error& e) {
            // a judging process failed or died (parallel.hpp): the folder is as after the last iteration
            throw job_error(string_of("iteration ", k, ": ", e.what(), "; ", j.out.string(), " holds ", saved, ": continue with --resume"));
        }
        j.state.search_seconds += job::seconds_since(t);
        j.state.iteration = static_cast<long>(k);
        close_iteration(j, k, j.state.history.size() - before, last);
        save(j);
        if (j.state.history.size() == before && k > 0) {
            j.log.line("search: iteration %zu found nothing new to evaluate; the space is exhausted", k);
            break;
        }
    }
    j.state.search_done = true;
    save(j);
}

} // namespace nascent_search
