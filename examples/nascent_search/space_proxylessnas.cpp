// The search job on nascent::zoo::proxylessnas.
#include <nascent/zoo/proxylessnas.hpp>

#include "job.hpp"
#include "spaces.hpp"

int nascent_search::run_proxylessnas(const job_options& options) { return run_job<nascent::zoo::proxylessnas>(options, "proxylessnas"); }
