// report.hpp - the tables and summary of a search job in its output folder.
//
//   write_tables(j);   // candidates.csv, iterations.csv, pareto.csv, pareto.svg (after every iteration)
//   write_summary(j);  // summary.md and the log: the final models, the search's Pareto front
#pragma once

#include <cstddef>
#include <vector>

#include "job.hpp"

namespace nascent_search {

/// The feasible Pareto front of the history (error against peak RAM and flash), indices into it.
std::vector<std::size_t> current_front(const job& j);

void write_tables(const job& j);

void write_summary(job& j);

} // namespace nascent_search
