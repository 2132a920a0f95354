// report.hpp - the tables and summary of a search job in its output folder.
//
//   write_tables(j);   // candidates.csv, iterations.csv, pareto.csv, pareto.svg, progress.svg (after every iteration)
//   write_summary(j);  // summary.md and the log: the final models, the search's Pareto front
//   report_folder(j);  // --report: all of them again from the folder's state, running nothing
#pragma once

#include <cstddef>
#include <vector>

#include "job.hpp"

namespace nascent_search {

/// The feasible Pareto front of the history (error against peak RAM and flash), indices into it.
std::vector<std::size_t> current_front(const job& j);

void write_tables(const job& j);

void write_summary(job& j);

/// Reads the state of j.out (finished or interrupted), measures the candidates' costs again and
/// writes the tables, the plots and the summary, which it also prints; changes nothing else.
/// Throws job_error when the folder's state cannot be read or is of another search.
int report_folder(job& j);

} // namespace nascent_search
