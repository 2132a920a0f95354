// nascent/train/robustness.hpp - accuracy of a trained model on corrupted copies of a test set,
// the out-of-distribution figure of FlatNAS and of the CIFAR-10-C benchmark.
//
//     const train::robustness_report r = train::robustness_of(model, test_set, norm);
//     std::printf("clean %.2f %%, corrupted %.2f %%\n", 100 * r.clean_accuracy, 100 * r.mean_corrupted_accuracy);
//
// Every chosen corruption at every chosen severity (data/corruption.hpp, all twelve at 1 to 5 by
// default) is applied to the whole set with the options' seed, and the model is evaluated on it
// as train::evaluate does (inference mode). The mean is over all (corruption, severity) cells.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "nascent/core/error.hpp"
#include "nascent/data/corruption.hpp"
#include "nascent/data/dataset.hpp"
#include "nascent/data/normalization.hpp"
#include "nascent/train/evaluate.hpp"

namespace nascent::train {

struct robustness_options {
    std::vector<corruption> corruptions{all_corruptions.begin(), all_corruptions.end()};
    std::vector<int> severities{1, 2, 3, 4, 5};
    std::uint64_t seed = 1;         ///< of the corrupted sets
    std::vector<int> architecture;  ///< for a supernet: the path to evaluate
};

struct corrupted_accuracy {
    corruption kind{};
    int severity = 0;
    double accuracy = 0.0;
};

struct robustness_report {
    double clean_accuracy = 0.0;
    std::vector<corrupted_accuracy> cells;  ///< in the order of the options: corruption, then severity
    double mean_corrupted_accuracy = 0.0;   ///< over all cells

    /// The mean accuracy over the severities of corruption `c` (0 when it was not measured).
    [[nodiscard]] double mean_of(corruption c) const noexcept {
        double sum = 0.0;
        std::size_t n = 0;
        for (const corrupted_accuracy& cell : cells)
            if (cell.kind == c) {
                sum += cell.accuracy;
                ++n;
            }
        return n == 0 ? 0.0 : sum / static_cast<double>(n);
    }
};

template <class Model>
robustness_report robustness_of(Model& model, const image_dataset& test, const normalization& norm, const robustness_options& options = {}) {
    require(test.size() > 0, "robustness: the test set is empty");
    require(!options.corruptions.empty() && !options.severities.empty(), "robustness: no corruption or no severity to measure");
    for (const int s : options.severities) check_severity(s);
    const std::span<const int> path(options.architecture);
    robustness_report r;
    r.clean_accuracy = evaluate(model, test, norm, 256, path).accuracy;
    double sum = 0.0;
    for (const corruption c : options.corruptions)
        for (const int severity : options.severities) {
            const double accuracy = evaluate(model, corrupted(test, c, severity, options.seed), norm, 256, path).accuracy;
            r.cells.push_back({c, severity, accuracy});
            sum += accuracy;
        }
    r.mean_corrupted_accuracy = sum / static_cast<double>(r.cells.size());
    return r;
}

} // namespace nascent::train
