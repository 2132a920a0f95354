// The search job on nascent::zoo::mcu_cnn.
#include <nascent/zoo/mcu_cnn.hpp>

#include "job.hpp"
#include "spaces.hpp"

int nascent_search::run_mcu_cnn(const job_options& options) { return run_job<nascent::zoo::mcu_cnn>(options, "mcu_cnn"); }
