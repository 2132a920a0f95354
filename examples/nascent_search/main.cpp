// nascent_search - constrained neural architecture search from the command line.
//
//   nascent_search                                   # the default job: mu-NAS's Fashion-MNIST budgets
//   nascent_search --strategy aging --max-ram 16384 --out run-16k
//   nascent_search --config job.json --seed 3        # flags override the file
//   nascent_search --out run-16k --resume            # continue after an interruption
//   nascent_search --quick                           # a smoke run of about two minutes
//   nascent_search --report run-16k                  # redraw its tables, plots and summary from its state
//
// See --help for every option, and docs/search_program.md for the output folder and the layout.
#include <cstdio>
#include <exception>

#include "job.hpp"
#include "options.hpp"
#include "report.hpp"
#include "spaces.hpp"

int main(int argc, char** argv) {
    using namespace nascent_search;
    try {
        bool help = false;
        const job_options options = parse_command_line(argc, argv, help);
        if (help) {
            std::fputs(help_text(argv[0]).c_str(), stdout);
            return 0;
        }
        job j(options, space_program_of(options.space, options.incremental));
        return options.report ? report_folder(j) : run_job(j);
    } catch (const job_error& e) {
        std::fprintf(stderr, "nascent_search: %s\n", e.what());
        return e.status;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "nascent_search: %s\n", e.what());
        return 1;
    }
}
