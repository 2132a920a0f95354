// The search job on nascent::zoo::spos.
#include <nascent/zoo/spos.hpp>

#include "job.hpp"
#include "spaces.hpp"

int nascent_search::run_spos(const job_options& options) { return run_job<nascent::zoo::spos>(options, "spos"); }
