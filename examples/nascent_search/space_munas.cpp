// The search job on nascent::zoo::munas.
#include <nascent/zoo/munas.hpp>

#include "job.hpp"
#include "spaces.hpp"

int nascent_search::run_munas(const job_options& options) { return run_job<nascent::zoo::munas>(options, "munas"); }
