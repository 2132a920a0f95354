// The search job on nascent::zoo::darts.
#include <nascent/zoo/darts.hpp>

#include "job.hpp"
#include "spaces.hpp"

int nascent_search::run_darts(const job_options& options) { return run_job<nascent::zoo::darts>(options, "darts"); }
