// Structured pruning on Fashion-MNIST (nascent/prune/, docs/pruning.md).
//
// A wide architecture of the μNAS space (nascent::zoo::munas) is trained, then pruned one
// width step at a time until it meets a flash and a peak-RAM target at int8: each step
// ranks the filters of one convolution by the L1 norm of their weights, moves the strongest
// to the front, drops the weakest by choosing the next narrower width (24 -> 16 -> 8), and
// fine-tunes. Which convolution a step narrows: the one that loses the least L1 mass per
// share of the exceeded budget it saves (prune::prune_to_target).
//
// The architecture: a first block of two 3x3 convolutions of 24 filters (the first at
// stride 2), two more blocks each of a 2x2 max pool and two 3x3 convolutions of 24, global
// average pooling, a hidden dense layer of 24 and the classifier. Six prunable widths.
//
// Prints, after each step, the architecture's widths, its parameters, flash and peak RAM at
// int8 (cost::of, the figures of the deployed network) and its test accuracy right after
// pruning, after re-estimating the batch-norm statistics of the pruned network on a few
// training batches (search::recalibrate: the layers after a pruned one see other inputs
// than their statistics were gathered on) and after fine-tuning; with --out, writes the
// table as markdown. Fine-tuning after step k reads images [(k - 1) N, k N) of the
// training set (N = --finetune-limit, wrapping around), so successive steps see new images.
//
// usage: prune_fashion_mnist [options]
//   --epochs N            epochs of the first training (3)
//   --finetune-epochs N   epochs of fine-tuning after each step (1)
//   --train-limit N       train on the first N images only (0: all 60000)
//   --finetune-limit N    images of each fine-tuning (20000; 0: the whole training set)
//   --test-limit N        evaluate on the first N test images only (0: all 10000)
//   --threads N           OpenBLAS threads (2)
//   --seed N              seed of initialisation and shuffling (1)
//   --lr R                peak learning rate of the first training (0.05)
//   --finetune-lr R       peak learning rate of each fine-tuning (0.01)
//   --flash-target B      flash bound at int8 in bytes (10000)
//   --ram-target B        peak RAM bound at int8 in bytes (4000)
//   --arch TEXT           the architecture to start from, in text form (default: the one above)
//   --scratch-epochs N    also train the final architecture from scratch for N epochs on the whole
//                         training set, for comparison (0: not done)
//   --out PATH            write the table to PATH (markdown)
//   --min-accuracy A      exit with status 1 when the final accuracy is below A (in percent)
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include <nascent/nascent.hpp>
#include <nascent/search/recalibrate.hpp>
#include <nascent/prune/to_target.hpp>
#include <nascent/prune/width_slots.hpp>
#include <nascent/zoo/munas.hpp>

namespace {

using namespace nascent;
using space_type = zoo::munas;

struct options {
    int epochs = 3;
    int finetune_epochs = 1;
    std::size_t train_limit = 0;
    std::size_t finetune_limit = 20000;
    std::size_t test_limit = 0;
    int threads = 2;
    std::uint64_t seed = 1;
    double lr = 0.05;
    double finetune_lr = 0.01;
    std::size_t flash_target = 10000;
    std::size_t ram_target = 4000;
    std::string arch;
    int scratch_epochs = 0;
    std::string out;
    double min_accuracy = 0.0;
};

options parse(int argc, char** argv) {
    options o;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        auto value = [&]() -> const char* {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "%s needs a value\n", arg.c_str());
                std::exit(2);
            }
            return argv[++i];
        };
        auto count = [&] { return static_cast<std::size_t>(std::strtoull(value(), nullptr, 10)); };
        if (arg == "--epochs") o.epochs = std::atoi(value());
        else if (arg == "--finetune-epochs") o.finetune_epochs = std::atoi(value());
        else if (arg == "--train-limit") o.train_limit = count();
        else if (arg == "--finetune-limit") o.finetune_limit = count();
        else if (arg == "--test-limit") o.test_limit = count();
        else if (arg == "--threads") o.threads = std::atoi(value());
        else if (arg == "--seed") o.seed = std::strtoull(value(), nullptr, 10);
        else if (arg == "--lr") o.lr = std::atof(value());
        else if (arg == "--finetune-lr") o.finetune_lr = std::atof(value());
        else if (arg == "--flash-target") o.flash_target = count();
        else if (arg == "--ram-target") o.ram_target = count();
        else if (arg == "--arch") o.arch = value();
        else if (arg == "--scratch-epochs") o.scratch_epochs = std::atoi(value());
        else if (arg == "--out") o.out = value();
        else if (arg == "--min-accuracy") o.min_accuracy = std::atof(value());
        else {
            std::fprintf(stderr,
                         "usage: %s [--epochs N] [--finetune-epochs N] [--train-limit N] [--finetune-limit N]\n"
                         "          [--test-limit N] [--threads N] [--seed N] [--lr R] [--finetune-lr R] [--flash-target B]\n"
                         "          [--ram-target B] [--arch TEXT] [--scratch-epochs N] [--out PATH]\n"
                         "          [--min-accuracy PERCENT]\n",
                         argv[0]);
            std::exit(arg == "--help" ? 0 : 2);
        }
    }
    if (o.epochs < 1 || o.finetune_epochs < 1) {
        std::fprintf(stderr, "--epochs and --finetune-epochs must be positive\n");
        std::exit(2);
    }
    return o;
}

/// The default architecture: see the top of the file. Slot numbers follow zoo/munas.hpp
/// (a block takes 25 slots, a later block 44 with its own 2 first; depth-first order).
architecture wide_architecture() {
    std::vector<int> c(space::decisions<space_type>, 0);
    // First block: no pre-pool; stride 2, 3x3 of 24; a second 3x3 of 24; no third layer.
    c[0] = 1;
    c[2] = 1, c[8] = 0, c[9] = 2;
    c[13] = 0, c[14] = 0, c[15] = 2;
    c[19] = 1;
    // Second and third blocks (plain): max pool, 3x3 of 24, 3x3 of 24, no third layer.
    for (const int base : {25, 69}) {
        c[base + 0] = 0, c[base + 1] = 0;                    // present, plain
        c[base + 2] = 0, c[base + 3] = 0;                    // max pool
        c[base + 4] = 0, c[base + 5] = 0, c[base + 6] = 2;   // stride 1, 3x3 of 24
        c[base + 15] = 0, c[base + 16] = 0, c[base + 17] = 2;  // 3x3 of 24
        c[base + 21] = 1;
    }
    c[113] = 1;              // no fourth block
    c[157] = 0, c[158] = 1;  // one hidden dense layer
    return architecture{c};
}

/// The widths of the architecture's elastic slots, in network order: "24-24-16-...".
std::string widths_of(nn::model<space_type>& model, const architecture& a) {
    std::string s;
    for (const prune::width_slot& w : prune::width_slots(model, a)) {
        if (!s.empty()) s += '-';
        s += std::to_string(w.width());
    }
    return s;
}

struct row {
    std::string pruned;  ///< what the step did
    std::string widths;
    cost::costs costs;
    double after_pruning = -1.0;  ///< test accuracy right after pruning (-1: not a pruning step)
    double recalibrated = -1.0;   ///< and with its batch-norm statistics re-estimated
    double after_tuning = 0.0;    ///< after (fine-)tuning
    double seconds = 0.0;
};

/// "87.65%", or a dash for no value.
std::string percent(double v) {
    if (v < 0) return "—";
    char text[16];
    std::snprintf(text, sizeof text, "%.2f%%", 100.0 * v);
    return text;
}

} // namespace

int main(int argc, char** argv) try {
    const options opt = parse(argc, argv);
    blas::set_threads(opt.threads);
    if (const std::string_view hint = blas::kernel_warning(); !hint.empty()) std::fprintf(stderr, "note: %s\n", hint.data());

    image_dataset training = load_fashion_mnist(split::train);
    image_dataset test = load_fashion_mnist(split::test);
    if (opt.train_limit > 0 && opt.train_limit < training.size()) training = subset(training, 0, opt.train_limit);
    if (opt.test_limit > 0 && opt.test_limit < test.size()) test = subset(test, 0, opt.test_limit);
    const normalization norm = standardization_of(training);
    const shape input = training.sample;

    const architecture start = checked<space_type>(opt.arch.empty() ? wide_architecture() : architecture_from_text(opt.arch), input);
    nn::model<space_type> model(input, opt.seed);
    constexpr auto int8 = cost::precision::int8;

    auto tune_model = [&](nn::model<space_type>& m, const architecture& a, const image_dataset& data, int epochs, double lr) {
        train::sgd<float> optimizer(m.parameters(), {.momentum = 0.9, .weight_decay = 5e-5});
        train::fit_options settings;
        settings.epochs = epochs;
        settings.batch_size = 128;
        settings.seed = opt.seed;
        settings.architecture = a.choices;
        settings.log = nullptr;
        return train::fit(m, optimizer, train::cosine_lr{.rate = lr}, data, test, norm, settings);
    };
    auto tune = [&](const architecture& a, const image_dataset& data, int epochs, double lr) {
        return tune_model(model, a, data, epochs, lr);
    };
    const std::size_t per_step = opt.finetune_limit > 0 ? std::min(opt.finetune_limit, training.size()) : training.size();
    auto slice = [&](std::size_t step) {
        std::size_t first = (step - 1) * per_step % training.size();
        if (first + per_step > training.size()) first = 0;
        return subset(training, first, per_step);
    };

    std::vector<row> rows;
    {
        std::printf("training %s on %zu images for %d epochs\n", widths_of(model, start).c_str(), training.size(), opt.epochs);
        std::fflush(stdout);
        const train::fit_report r = tune(start, training, opt.epochs, opt.lr);
        row first{"trained", widths_of(model, start), cost::of<space_type>(input, int8, start.view())};
        first.after_tuning = r.last().test_accuracy;
        first.seconds = r.seconds;
        rows.push_back(first);
        std::printf("  %s: flash %zu B, peak RAM %zu B, test accuracy %s (%.0f s)\n", first.widths.c_str(),
                    first.costs.flash_bytes, first.costs.peak_ram_bytes, percent(first.after_tuning).c_str(), r.seconds);
    }

    prune::prune_target target;
    if (opt.flash_target > 0) target.budget.flash_bytes = opt.flash_target;  // 0: no bound
    if (opt.ram_target > 0) target.budget.ram_bytes = opt.ram_target;
    target.budget.precision = int8;
    const prune::prune_result result = prune::prune_to_target(model, start, target, [&](const prune::prune_step& s) {
        row r{string_of("slot ", s.slot, ": ", s.from_width, " → ", s.to_width), widths_of(model, s.after), s.costs};
        r.after_pruning = train::evaluate(model, test, norm, 256, s.after.choices).accuracy;
        (void)search::recalibrate(model, s.after, training, norm);
        r.recalibrated = train::evaluate(model, test, norm, 256, s.after.choices).accuracy;
        const train::fit_report f = tune(s.after, slice(rows.size()), opt.finetune_epochs, opt.finetune_lr);
        r.after_tuning = f.last().test_accuracy;
        r.seconds = f.seconds;
        rows.push_back(r);
        std::printf("  %s (%s): flash %zu B, peak RAM %zu B, test accuracy %s pruned, %s recalibrated, %s fine-tuned (%.0f s)\n",
                    r.widths.c_str(), r.pruned.c_str(), s.costs.flash_bytes, s.costs.peak_ram_bytes,
                    percent(r.after_pruning).c_str(), percent(r.recalibrated).c_str(), percent(r.after_tuning).c_str(),
                    f.seconds);
        std::fflush(stdout);
    });

    std::string table = string_of("Widths of the six convolutions in network order; flash and peak RAM of the deployed network at "
                               "int8; target flash ≤ ", opt.flash_target, " B, peak RAM ≤ ", opt.ram_target, " B.\n\n");
    table += "| step | pruned | widths | params | flash int8 (B) | peak RAM int8 (B) | test acc. pruned | "
             "+ BN recalibrated | + fine-tuned |\n"
             "|---:|---|---|---:|---:|---:|---:|---:|---:|\n";
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const row& r = rows[i];
        table += string_of("| ", i, " | ", r.pruned, " | ", r.widths, " | ", r.costs.params, " | ", r.costs.flash_bytes, " | ",
                        r.costs.peak_ram_bytes, " | ", percent(r.after_pruning), " | ", percent(r.recalibrated), " | ",
                        percent(r.after_tuning), " |\n");
    }
    table += string_of("\n", result.reached ? "Target reached" : string_of("Target not reached (", result.stopped, ")"),
                    "; final architecture ", to_text(result.arch), "\n");
    if (opt.scratch_epochs > 0) {
        nn::model<space_type> fresh(input, opt.seed);
        const train::fit_report r = tune_model(fresh, result.arch, training, opt.scratch_epochs, opt.lr);
        table += string_of("\nThe final architecture trained from scratch for ", opt.scratch_epochs, " epochs on ", training.size(),
                        " images: test accuracy ", percent(r.last().test_accuracy), "\n");
    }
    std::printf("\n%s", table.c_str());
    if (!opt.out.empty()) {
        std::ofstream(opt.out) << table;
        std::printf("table written to %s\n", opt.out.c_str());
    }
    const double final_accuracy = 100.0 * rows.back().after_tuning;
    if (final_accuracy < opt.min_accuracy) {
        std::fprintf(stderr, "final test accuracy %.2f%% is below the required %.2f%%\n", final_accuracy, opt.min_accuracy);
        return 1;
    }
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
}
