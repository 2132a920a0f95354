// The search job on nascent::zoo::fbnet.
#include <nascent/zoo/fbnet.hpp>

#include "job.hpp"
#include "spaces.hpp"

int nascent_search::run_fbnet(const job_options& options) { return run_job<nascent::zoo::fbnet>(options, "fbnet"); }
