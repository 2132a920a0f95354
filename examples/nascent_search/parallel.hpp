// parallel.hpp - a search job's candidates judged in parallel: --jobs N processes on this machine,
// and the ranks of mpirun, on this machine or on several.
//
//   mpi_session mpi(argc, argv);                     // MPI only when mpirun started the program
//   if (mpi.rank() > 0) return serve_candidates(j);  // ranks 1..N-1: judge what rank 0 sends
//   judge = parallel_judge(j, std::move(judge));     // rank 0: each generation spread out
//
// A strategy hands the judge a whole generation (nascent/search/batch_scoring.hpp), shared out
// by expected work (each candidate's MACs, longest first): with mpirun over the ranks, rank 0
// included, in shares fixed in advance (nascent/search/work_shares.hpp), and within a rank over
// --jobs processes forked from it, each taking the next candidate when it is free
// (nascent/search/process_pool.hpp). Every rank runs the program with the same
// arguments and loads the dataset itself (--dataset must name it on every machine); only rank 0
// reads and writes the output folder. Rank 0 trains or loads the supernet and sends its weights
// to the others. Each candidate's result depends on that candidate alone (the training judge is
// seeded by the architecture, the supernet judge restores the weights it recalibrates), so the
// archive is that of one process with the same seed. A process or rank that fails or dies ends
// the run with a message that says where; the folder then holds the last completed iteration,
// and --resume continues from there (with or without mpirun, with any --jobs).
#pragma once

#include <memory>
#include <string>

#include "job.hpp"

namespace nascent_search {

/// MPI for the program's lifetime when mpirun (or another MPI launcher) started it; otherwise one
/// rank, 0, and no MPI at all.
class mpi_session {
public:
    mpi_session(int& argc, char**& argv);
    ~mpi_session();
    mpi_session(const mpi_session&) = delete;
    mpi_session& operator=(const mpi_session&) = delete;

    [[nodiscard]] int rank() const noexcept { return rank_; }
    [[nodiscard]] int size() const noexcept { return size_; }
    /// Ends every rank now with `status` (after rank 0 failed while the others wait for it).
    [[noreturn]] void abort(int status) const;

private:
    int rank_ = 0;
    int size_ = 1;
    bool started_ = false;
};

/// `local`, wrapped so that each batch is judged by --jobs processes and, under mpirun, by every
/// rank. On rank 0 with more than one rank, sends the supernet's weights to the other ranks first.
std::unique_ptr<candidate_judge> parallel_judge(job& j, std::unique_ptr<candidate_judge> local);

/// The program of an MPI rank above 0: loads the data, receives the supernet, judges its share of
/// every batch rank 0 sends until rank 0 stops it; returns the exit status.
int serve_candidates(job& j);

/// What to print if the program is stopped by a signal now (SIGINT, SIGTERM, SIGHUP: mpirun sends
/// SIGTERM to every rank when one of them dies): where the run was and how to continue.
void set_interruption_note(const std::string& note);
/// Installs the handler that prints that note.
void print_note_when_interrupted();

} // namespace nascent_search
