// parallel.cpp - --jobs processes and MPI ranks judging a job's candidates (parallel.hpp).
//
// The MPI protocol, all on MPI_COMM_WORLD, rank 0 the root:
// 1. broadcast the supernet's weights file: its size (uint64, 0 for a training judge), its bytes;
// 2. per batch: broadcast {candidates, length} (int64), then the batch (int32): for each
//    candidate its rank, its number of choices, the choices; every rank above 0 sends rank 0 its
//    results in batch order (tag 1: five doubles each), or its error message (tag 2);
// 3. a batch of -1 candidates: stop.
#include "parallel.hpp"

#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

#include <nascent/core/text.hpp>
#include <nascent/nn/kernels/gemm.hpp>
#include <nascent/search/process_pool.hpp>
#include <nascent/search/work_shares.hpp>

#ifdef NASCENT_SEARCH_MPI
#include <mpi.h>
#endif

namespace nascent_search {

using namespace nascent;

namespace {

/// Expected work of judging `a`: its MACs (one more, so that none is free).
double work_of(const job& j, const architecture& a) { return static_cast<double>(j.space->search->costs(a, j.options.budget).macs) + 1.0; }

/// OpenBLAS threads of each of --jobs processes: an equal part of --threads, at least one.
int threads_per_process(const job_options& o) { return std::max(1, o.threads / static_cast<int>(std::max<std::size_t>(o.jobs, 1))); }

/// --jobs N: each batch judged by N processes forked from this one.
class pooled_judge final : public candidate_judge {
public:
    pooled_judge(const job& j, std::unique_ptr<candidate_judge> local)
        : local_(std::move(local)), pool_(*local_, j.options.jobs, [&j](const architecture& a) { return work_of(j, a); }),
          threads_(j.options.threads), threads_each_(threads_per_process(j.options)) {}

    train::evaluation operator()(const architecture& a) override { return (*local_)(a); }

    std::vector<train::evaluation> evaluate_all(std::span<const architecture> batch) override {
        blas::set_threads(threads_each_);  // the forked processes inherit it
        try {
            std::vector<train::evaluation> scores = pool_.evaluate_all(batch);
            blas::set_threads(threads_);
            return scores;
        } catch (...) {
            blas::set_threads(threads_);
            throw;
        }
    }

private:
    std::unique_ptr<candidate_judge> local_;
    search::process_pool_evaluator<candidate_judge> pool_;
    int threads_;
    int threads_each_;
};

std::unique_ptr<candidate_judge> pooled(const job& j, std::unique_ptr<candidate_judge> local) {
    if (j.options.jobs <= 1) return local;
    return std::make_unique<pooled_judge>(j, std::move(local));
}

/// A launcher's variables: this process is one of several MPI ranks.
bool started_by_mpi_launcher() {
    for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "MV2_COMM_WORLD_SIZE"})
        if (std::getenv(name) != nullptr) return true;
    return false;
}

// the note the signal handler prints: two buffers, the handler reads the one `note_current` names
char note_buffers[2][768];
volatile sig_atomic_t note_current = -1;
pid_t noting_process = 0;  // the program's process: forked judges end without a word

extern "C" void on_interruption(int signal_number) {
    if (::getpid() != noting_process) ::_exit(128 + signal_number);
    const int at = note_current;
    const char* prefix = "\nnascent_search: stopped by a signal";
    (void)!::write(STDERR_FILENO, prefix, std::strlen(prefix));
    if (at >= 0) {
        (void)!::write(STDERR_FILENO, ": ", 2);
        (void)!::write(STDERR_FILENO, note_buffers[at], std::strlen(note_buffers[at]));
    }
    (void)!::write(STDERR_FILENO, "\n", 1);
    ::_exit(128 + signal_number);
}

#ifdef NASCENT_SEARCH_MPI

const mpi_session* the_session = nullptr;

/// The job's candidates flattened for the broadcast: rank, length, choices of each.
std::vector<std::int32_t> flatten(std::span<const architecture> batch, const std::vector<std::size_t>& rank_of) {
    std::vector<std::int32_t> flat;
    for (std::size_t i = 0; i < batch.size(); ++i) {
        flat.push_back(static_cast<std::int32_t>(rank_of[i]));
        flat.push_back(static_cast<std::int32_t>(batch[i].size()));
        flat.insert(flat.end(), batch[i].choices.begin(), batch[i].choices.end());
    }
    return flat;
}

std::vector<double> doubles_of(const std::vector<train::evaluation>& scores) {
    std::vector<double> d;
    for (const train::evaluation& e : scores)
        d.insert(d.end(), {e.loss, e.accuracy, static_cast<double>(e.samples), e.robustness, e.average_macs});
    return d;
}

train::evaluation evaluation_of(const double* d) {
    train::evaluation e;
    e.loss = d[0];
    e.accuracy = d[1];
    e.samples = static_cast<std::size_t>(d[2]);
    e.robustness = d[3];
    e.average_macs = d[4];
    return e;
}

constexpr int results_tag = 1;
constexpr int failure_tag = 2;

// MPI's blocking calls spin while they wait; a rank waits for most of a run (for rank 0 to train
// the supernet, for the slowest share), so these poll every millisecond and leave the core free.
void pause_briefly() {
    const timespec one_millisecond{0, 1000000};
    ::nanosleep(&one_millisecond, nullptr);
}

/// MPI_Bcast from rank 0 that sleeps while it waits.
void broadcast(void* data, int count, MPI_Datatype type) {
    MPI_Request request;
    MPI_Ibcast(data, count, type, 0, MPI_COMM_WORLD, &request);
    for (int done = 0;;) {
        MPI_Test(&request, &done, MPI_STATUS_IGNORE);
        if (done) return;
        pause_briefly();
    }
}

/// MPI_Probe that sleeps while it waits.
MPI_Status probe(int source) {
    MPI_Status status;
    for (int found = 0;;) {
        MPI_Iprobe(source, MPI_ANY_TAG, MPI_COMM_WORLD, &found, &status);
        if (found) return status;
        pause_briefly();
    }
}

/// Rank 0's judge under mpirun: each batch over every rank (each rank's share over its --jobs).
class distributed_judge final : public candidate_judge {
public:
    distributed_judge(const job& j, std::unique_ptr<candidate_judge> local, int ranks) : j_(&j), local_(std::move(local)), ranks_(ranks) {}
    ~distributed_judge() override {
        std::int64_t header[2] = {-1, 0};  // stop
        broadcast(header, 2, MPI_INT64_T);
    }

    train::evaluation operator()(const architecture& a) override { return (*local_)(a); }

    std::vector<train::evaluation> evaluate_all(std::span<const architecture> batch) override {
        std::vector<double> work;
        for (const architecture& a : batch) work.push_back(work_of(*j_, a));
        const std::vector<std::size_t> rank_of = search::share_out(work, static_cast<std::size_t>(ranks_));
        std::vector<std::int32_t> flat = flatten(batch, rank_of);
        std::int64_t header[2] = {static_cast<std::int64_t>(batch.size()), static_cast<std::int64_t>(flat.size())};
        broadcast(header, 2, MPI_INT64_T);
        broadcast(flat.data(), static_cast<int>(flat.size()), MPI_INT32_T);

        std::vector<train::evaluation> scores(batch.size());
        const std::vector<std::size_t> mine = search::share_of(rank_of, 0);
        std::vector<architecture> own;
        for (const std::size_t i : mine) own.push_back(batch[i]);
        const std::vector<train::evaluation> own_scores = local_->evaluate_all(own);
        for (std::size_t k = 0; k < mine.size(); ++k) scores[mine[k]] = own_scores[k];

        std::string failure;
        for (int r = 1; r < ranks_; ++r) {
            const MPI_Status status = probe(r);
            int count = 0;
            if (status.MPI_TAG == failure_tag) {
                MPI_Get_count(&status, MPI_CHAR, &count);
                std::string message(static_cast<std::size_t>(count), '\0');
                MPI_Recv(message.data(), count, MPI_CHAR, r, failure_tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
                if (failure.empty()) failure = string_of("MPI rank ", r, " of ", ranks_, " failed: ", message);
                continue;
            }
            MPI_Get_count(&status, MPI_DOUBLE, &count);
            std::vector<double> d(static_cast<std::size_t>(count));
            MPI_Recv(d.data(), count, MPI_DOUBLE, r, results_tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            const std::vector<std::size_t> theirs = search::share_of(rank_of, static_cast<std::size_t>(r));
            if (d.size() != 5 * theirs.size()) {
                if (failure.empty()) failure = string_of("MPI rank ", r, " sent ", d.size() / 5, " results for ", theirs.size(), " candidates");
                continue;
            }
            for (std::size_t k = 0; k < theirs.size(); ++k) scores[theirs[k]] = evaluation_of(d.data() + 5 * k);
        }
        if (!failure.empty()) throw nascent::error(failure);
        return scores;
    }

private:
    const job* j_;
    std::unique_ptr<candidate_judge> local_;
    int ranks_;
};

/// Rank 0: the supernet's weights file (empty for a training judge) to every rank.
void send_weights(const job& j) {
    std::string bytes;
    const std::filesystem::path weights = j.out / "supernet.weights";
    if (j.options.evaluation == evaluation_kind::supernet && std::filesystem::exists(weights)) {
        std::ifstream in(weights, std::ios::binary);
        bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        if (!in && !in.eof()) throw job_error(string_of("cannot read ", weights.string(), " to send it to the other ranks"));
    }
    std::uint64_t size = bytes.size();
    broadcast(&size, 1, MPI_UINT64_T);
    if (size > 0) broadcast(bytes.data(), static_cast<int>(size), MPI_BYTE);
}

/// Ranks above 0: the weights rank 0 sends, written to a private folder that becomes the job's output.
std::filesystem::path receive_weights(job& j, int rank) {
    std::uint64_t size = 0;
    broadcast(&size, 1, MPI_UINT64_T);
    if (size == 0) return {};
    std::string bytes(static_cast<std::size_t>(size), '\0');
    broadcast(bytes.data(), static_cast<int>(size), MPI_BYTE);
    std::string pattern = (std::filesystem::temp_directory_path() / string_of("nascent_search_rank", rank, "_XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr) throw job_error(string_of("rank ", rank, ": cannot make a folder for the supernet: ", std::strerror(errno)));
    const std::filesystem::path folder = pattern;
    std::ofstream(folder / "supernet.weights", std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    j.out = folder;
    j.state.supernet_trained = true;  // the judge loads the weights instead of training them
    return folder;
}

#endif  // NASCENT_SEARCH_MPI

} // namespace

mpi_session::mpi_session(int& argc, char**& argv) {
    if (!started_by_mpi_launcher()) return;
#ifdef NASCENT_SEARCH_MPI
    MPI_Init(&argc, &argv);
    started_ = true;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    the_session = this;
#else
    (void)argc;
    (void)argv;
    const char* size = std::getenv("OMPI_COMM_WORLD_SIZE");
    if (size != nullptr && std::atoi(size) > 1)
        throw job_error("started by mpirun, but this nascent_search was built without MPI: install libopenmpi-dev and build it again");
#endif
}

mpi_session::~mpi_session() {
#ifdef NASCENT_SEARCH_MPI
    if (started_) {
        the_session = nullptr;
        MPI_Finalize();
    }
#endif
}

void mpi_session::abort(int status) const {
#ifdef NASCENT_SEARCH_MPI
    if (started_ && size_ > 1) MPI_Abort(MPI_COMM_WORLD, status);
#endif
    std::exit(status);
}

std::unique_ptr<candidate_judge> parallel_judge(job& j, std::unique_ptr<candidate_judge> local) {
    local = pooled(j, std::move(local));
#ifdef NASCENT_SEARCH_MPI
    if (the_session != nullptr && the_session->size() > 1) {
        send_weights(j);
        j.log.line("parallel: %d MPI ranks judge each generation, %zu process%s each", the_session->size(), j.options.jobs,
                   j.options.jobs == 1 ? "" : "es");
        return std::make_unique<distributed_judge>(j, std::move(local), the_session->size());
    }
#endif
    if (j.options.jobs > 1) j.log.line("parallel: %zu processes judge each generation, %d OpenBLAS thread%s each", j.options.jobs,
                                       threads_per_process(j.options), threads_per_process(j.options) == 1 ? "" : "s");
    return local;
}

int serve_candidates(job& j) {
#ifdef NASCENT_SEARCH_MPI
    const int rank = the_session->rank();
    if (std::freopen("/dev/null", "w", stdout) == nullptr) return 1;  // rank 0 speaks for the run
    blas::set_threads(j.options.threads);
    load_job_data(j);
    const std::filesystem::path folder = receive_weights(j, rank);
    std::unique_ptr<candidate_judge> judge = pooled(j, j.space->evaluation->make_judge(j));
    if (!folder.empty()) std::filesystem::remove_all(folder);
    for (;;) {
        std::int64_t header[2] = {0, 0};
        broadcast(header, 2, MPI_INT64_T);
        if (header[0] < 0) return 0;
        std::vector<std::int32_t> flat(static_cast<std::size_t>(header[1]));
        broadcast(flat.data(), static_cast<int>(flat.size()), MPI_INT32_T);
        std::vector<architecture> mine;
        for (std::size_t at = 0; at < flat.size();) {
            const int owner = flat[at];
            const auto n = static_cast<std::size_t>(flat[at + 1]);
            if (owner == rank) mine.push_back(architecture{std::vector<int>(flat.begin() + static_cast<long>(at) + 2, flat.begin() + static_cast<long>(at + 2 + n))});
            at += 2 + n;
        }
        try {
            const std::vector<double> d = doubles_of(judge->evaluate_all(mine));
            MPI_Send(d.data(), static_cast<int>(d.size()), MPI_DOUBLE, 0, results_tag, MPI_COMM_WORLD);
        } catch (const std::exception& e) {
            const std::string message = e.what();
            MPI_Send(message.data(), static_cast<int>(message.size()), MPI_CHAR, 0, failure_tag, MPI_COMM_WORLD);
        }
    }
#else
    (void)j;
    return 1;
#endif
}

void set_interruption_note(const std::string& note) {
    const int next = note_current == 0 ? 1 : 0;
    const std::size_t n = std::min(note.size(), sizeof note_buffers[next] - 1);
    std::memcpy(note_buffers[next], note.data(), n);
    note_buffers[next][n] = '\0';
    note_current = next;
}

void print_note_when_interrupted() {
    noting_process = ::getpid();
    struct sigaction action {};
    action.sa_handler = on_interruption;
    sigemptyset(&action.sa_mask);
    for (const int s : {SIGINT, SIGTERM, SIGHUP}) ::sigaction(s, &action, nullptr);
}

} // namespace nascent_search
