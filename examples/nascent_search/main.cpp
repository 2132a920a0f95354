// nascent_search - constrained neural architecture search from the command line.
//
//   nascent_search                                   # the default job: mu-NAS's Fashion-MNIST budgets
//   nascent_search --strategy aging --max-ram 16384 --out run-16k
//   nascent_search --config job.json --seed 3        # flags override the file
//   nascent_search --out run-16k --resume            # continue after an interruption
//   nascent_search --quick                           # a smoke run of about two minutes
//   nascent_search --report run-16k                  # redraw its tables, plots and summary from its state
//   nascent_search --jobs 2                          # two processes judge each generation
//   mpirun -np 8 --hostfile hosts nascent_search ... # eight ranks on several machines (parallel.hpp)
//
// See --help for every option, and docs/search_program.md for the output folder and the layout.
#include <cstdio>
#include <exception>
#include <optional>

#include "job.hpp"
#include "options.hpp"
#include "parallel.hpp"
#include "report.hpp"
#include "spaces.hpp"

int main(int argc, char** argv) {
    using namespace nascent_search;
    std::optional<mpi_session> mpi;
    // A usage error is the same on every rank: rank 0 says it, and all end. A failure once the
    // ranks work together ends them all (the others would wait for rank 0 for ever).
    bool together = false;
    const auto fail = [&](const char* what, int status) {
        const int rank = mpi ? mpi->rank() : 0;
        if (rank == 0) std::fprintf(stderr, "nascent_search: %s\n", what);
        else if (together) std::fprintf(stderr, "nascent_search (MPI rank %d): %s\n", rank, what);
        if (together && mpi->size() > 1) mpi->abort(status);
        return status;
    };
    try {
        mpi.emplace(argc, argv);
        bool help = false;
        const job_options options = parse_command_line(argc, argv, help);
        if (help) {
            if (mpi->rank() == 0) std::fputs(help_text(argv[0]).c_str(), stdout);
            return 0;
        }
        job j(options, space_program_of(options.space, options.incremental));
        if (options.report) return mpi->rank() == 0 ? report_folder(j) : 0;
        together = true;
        if (mpi->rank() > 0) return serve_candidates(j);
        print_note_when_interrupted();
        return run_job(j);
    } catch (const job_error& e) {
        return fail(e.what(), e.status);
    } catch (const std::exception& e) {
        return fail(e.what(), 1);
    }
}
