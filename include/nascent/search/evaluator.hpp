// nascent/search/evaluator.hpp - accuracy of an architecture with weights inherited from a supernet.
//
//   search::supernet_evaluator judge(model, calibration, validation, norm, {.recalibration_batches = 4});
//   const train::evaluation e = judge(arch);   // e.accuracy, e.loss
//
// For one architecture: the batch-norm statistics of its path are re-estimated
// on a few training batches (search::recalibrate), then the path runs over the
// validation images in inference mode (train::evaluate). The supernet's own
// statistics are restored afterwards, so evaluating leaves the model as it was
// and the result of an architecture does not depend on what was evaluated
// before it. Results are cached by architecture (its canonical form, hashed):
// asking again costs a hash lookup, which matters for evolution, whose
// children often repeat an earlier candidate. With `flatness_draws`, a result also holds the
// accuracy under that many multiplicative weight perturbations (train::flatness_of, on the same
// recalibrated path and images), the robustness of the top1_robust objective. With
// `exit_accuracy_drop`, a candidate of an early-exit space is judged as EDANAS judges one: its
// thresholds chosen on the validation images, its accuracy and avg_macs under them there.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "nascent/core/error.hpp"
#include "nascent/data/dataset.hpp"
#include "nascent/data/normalization.hpp"
#include "nascent/search/recalibrate.hpp"
#include "nascent/space/architecture.hpp"
#include "nascent/cost/exits.hpp"
#include "nascent/train/early_exit.hpp"
#include "nascent/train/evaluate.hpp"
#include "nascent/train/flatness.hpp"

namespace nascent::search {

struct evaluator_options {
    std::size_t recalibration_batches = 4;  ///< training batches for the batch-norm statistics (0: keep the supernet's)
    std::size_t batch_size = 128;           ///< of the recalibration and of the evaluation
    std::size_t validation_limit = 0;       ///< evaluate on the first N validation images only (0: all)
    /// top1_robust: weight perturbations averaged into each result's robustness (0: not measured)
    int flatness_draws = 0;
    double flatness_sigma = 0.05;           ///< their relative size (train/flatness.hpp)
    std::uint64_t flatness_seed = 1;
    /// Early-exit spaces: when at least 0, the exits' thresholds are chosen on the validation images
    /// within this accuracy drop (train::choose_thresholds), and a result is the policy's accuracy
    /// there with its avg_macs (the loss is not measured). Negative: the final exit alone.
    double exit_accuracy_drop = -1.0;
};

/// Judges architectures of a space with the weights of `Model`, an nn::model of that space.
template <class Model>
class supernet_evaluator {
public:
    using space_type = typename Model::network;

    /// Holds references to the model and both datasets: they must outlive the evaluator.
    supernet_evaluator(Model& model, const image_dataset& calibration, const image_dataset& validation_set,
                       const normalization& norm, evaluator_options options = {})
        : model_(&model), calibration_(&calibration), norm_(&norm), options_(options) {
        require(options.batch_size > 0, "supernet_evaluator: the batch size must be positive");
        require(validation_set.size() > 0, "supernet_evaluator: the validation set is empty");
        require(options.recalibration_batches == 0 || calibration.size() > 0,
                "supernet_evaluator: recalibration needs training images");
        require(options.flatness_draws >= 0, "supernet_evaluator: flatness_draws must not be negative");
        require(options.flatness_draws == 0 || options.exit_accuracy_drop < 0.0,
                "supernet_evaluator: the robustness of an early-exit policy is not measured: flatness_draws or exits, not both");
        const std::size_t n = options.validation_limit > 0 && options.validation_limit < validation_set.size()
                                  ? options.validation_limit
                                  : validation_set.size();
        if (n < validation_set.size()) validation_copy_ = subset(validation_set, 0, n);
        else validation_ = &validation_set;
    }

    /// Accuracy and loss of `a` (checked against the space on the model's input) on the validation images.
    train::evaluation operator()(const architecture& a) {
        const architecture key = checked<space_type>(a, model_->input_shape());
        if (const auto hit = cache_.find(key); hit != cache_.end()) {
            ++hits_;
            return hit->second;
        }
        const train::evaluation result =
            with_recalibrated(*model_, key, *calibration_, *norm_, options_.recalibration_batches, options_.batch_size, [&] {
                if (options_.exit_accuracy_drop >= 0.0) return judge_exits(key);
                if (options_.flatness_draws == 0) return train::evaluate(*model_, validation(), *norm_, options_.batch_size, key.view());
                train::flatness_options f;
                f.sigma = options_.flatness_sigma;
                f.draws = options_.flatness_draws;
                f.seed = options_.flatness_seed;
                f.architecture = key.choices;
                return train::evaluate_with_robustness(*model_, validation(), *norm_, f);
            });
        ++evaluations_;
        cache_.emplace(key, result);
        return result;
    }

    /// Architectures evaluated (cache misses).
    [[nodiscard]] std::size_t evaluations() const noexcept { return evaluations_; }
    /// Requests answered from the cache.
    [[nodiscard]] std::size_t cache_hits() const noexcept { return hits_; }
    /// Architectures in the cache.
    [[nodiscard]] std::size_t cached() const noexcept { return cache_.size(); }
    /// Forgets every result: call it after the supernet's weights change.
    void clear() noexcept { cache_.clear(); }
    /// Images each evaluation runs over.
    [[nodiscard]] std::size_t validation_size() const noexcept { return validation().size(); }

private:
    /// The accuracy and avg_macs of `a`'s exit policy, its thresholds chosen on the validation images.
    train::evaluation judge_exits(const architecture& a) {
        const std::vector<cost::exit_figures> exits = cost::exit_figures_of<space_type>(model_->input_shape(), cost::precision::int8, a.view());
        return train::evaluate_exits(*model_, validation(), *norm_, a.view(), exits, options_.exit_accuracy_drop, nullptr, options_.batch_size);
    }

    [[nodiscard]] const image_dataset& validation() const noexcept {
        return validation_ != nullptr ? *validation_ : validation_copy_;
    }

    Model* model_;
    const image_dataset* calibration_;
    const image_dataset* validation_ = nullptr;  ///< the caller's set, or null for the copy below
    image_dataset validation_copy_;              ///< its first validation_limit images
    const normalization* norm_;
    evaluator_options options_;
    std::unordered_map<architecture, train::evaluation> cache_;
    std::size_t evaluations_ = 0;
    std::size_t hits_ = 0;
};

} // namespace nascent::search
