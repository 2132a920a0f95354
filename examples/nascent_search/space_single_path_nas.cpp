// The search job on nascent::zoo::single_path_nas.
#include <nascent/zoo/single_path_nas.hpp>

#include "job.hpp"
#include "spaces.hpp"

int nascent_search::run_single_path_nas(const job_options& options) { return run_job<nascent::zoo::single_path_nas>(options, "single_path_nas"); }
