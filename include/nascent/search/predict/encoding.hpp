// nascent/search/predict/encoding.hpp - an architecture as a feature vector for the predictors.
//
//   search::predict::encoder<space> encode(in);                   // one-hot decisions only
//   std::vector<double> row = encode(arch);                       // encode.dimension() numbers
//   search::predict::encoder<space> with_costs(in, {.costs = true});
//   row = with_costs(arch);                                       // the same, then 3 cost features
//
// Each decision slot of the space with two or more options gets one column per
// option: 1 in the column of the option taken, 0 in the others. A slot that is
// inactive for the architecture (inside an option it did not choose,
// space::active_slots) has all its columns 0, so two architectures that differ
// only in slots that do not matter get the same row, as their canonical forms
// are equal. A slot with a single option carries no information and has no
// column. The one-hot part's length, `encoder<Space>::one_hot_dimension`, is
// known from the space at compile time; `offset(slot)` is a slot's first column.
//
// With `costs` set, three columns follow: log(1 + peak RAM bytes),
// log(1 + flash bytes) and log(1 + MACs) of the cost model (cost::of at
// `precision`), each mapped linearly so that the least and the largest value
// over `calibration` random architectures of the space (drawn with `seed` when
// the encoder is made) become 0 and 1. Figures outside that range map a little
// outside [0, 1]; the scale stays fixed, so the rows of one encoder compare.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "nascent/core/error.hpp"
#include "nascent/core/random.hpp"
#include "nascent/core/shape.hpp"
#include "nascent/core/text.hpp"
#include "nascent/cost/costs.hpp"
#include "nascent/space/architecture.hpp"

namespace nascent::search::predict {

struct encoding_options {
    bool costs = false;                                 ///< append the normalised log peak RAM, flash and MACs
    cost::precision precision = cost::precision::int8;  ///< of the cost features
    std::size_t calibration = 64;                       ///< random architectures that set the cost features' scale
    std::uint64_t seed = 1;                             ///< of the calibration draws
};

/// Maps architectures of `Space` on inputs of one shape to feature vectors.
template <class Space>
class encoder {
    static constexpr std::size_t slots = space::decisions<Space>;

    static constexpr std::array<std::size_t, slots + 1> offsets() noexcept {
        std::array<std::size_t, slots + 1> at{};
        if constexpr (slots > 0) {
            constexpr auto opts = space::options<Space>();
            for (std::size_t i = 0; i < slots; ++i) at[i + 1] = at[i] + (opts[i] >= 2 ? static_cast<std::size_t>(opts[i]) : 0);
        }
        return at;
    }
    static constexpr std::array<std::size_t, slots + 1> offsets_ = offsets();

public:
    /// Columns of the one-hot part: the options of every slot that has two or more.
    static constexpr std::size_t one_hot_dimension = offsets_[slots];
    /// Columns of the cost part when it is on.
    static constexpr std::size_t cost_dimension = 3;

    explicit encoder(shape in, const encoding_options& options = {}) : in_(in), options_(options) {
        if (!options_.costs) return;
        require(options_.calibration > 0, "encoder: the cost features need at least one calibration architecture");
        rng random(options_.seed);
        for (std::size_t k = 0; k < cost_dimension; ++k) low_[k] = HUGE_VAL, high_[k] = -HUGE_VAL;
        for (std::size_t i = 0; i < options_.calibration; ++i) {
            const architecture a = space::sample<Space>(in_, random);
            const auto logs = log_figures(cost::of<Space>(in_, options_.precision, a.view()));
            for (std::size_t k = 0; k < cost_dimension; ++k) {
                low_[k] = std::min(low_[k], logs[k]);
                high_[k] = std::max(high_[k], logs[k]);
            }
        }
    }

    /// Length of every row: the one-hot part, and the cost part when it is on.
    [[nodiscard]] std::size_t dimension() const noexcept { return one_hot_dimension + (options_.costs ? cost_dimension : 0); }
    /// First column of slot `slot` (a slot with one option has none: its offset equals the next slot's).
    [[nodiscard]] static constexpr std::size_t offset(std::size_t slot) noexcept { return offsets_[slot]; }
    [[nodiscard]] const encoding_options& options() const noexcept { return options_; }
    [[nodiscard]] shape input() const noexcept { return in_; }

    /// The row of architecture `a` (checked against the space; its figures measured when the cost part is on).
    [[nodiscard]] std::vector<double> operator()(const architecture& a) const {
        const architecture c = checked<Space>(a, in_);
        if (!options_.costs) return one_hot(c);
        return with_costs(c, cost::of<Space>(in_, options_.precision, c.view()));
    }

    /// The row of architecture `a` whose figures at the encoder's precision are `figures` (not measured again).
    [[nodiscard]] std::vector<double> operator()(const architecture& a, const cost::costs& figures) const {
        const architecture c = checked<Space>(a, in_);
        return options_.costs ? with_costs(c, figures) : one_hot(c);
    }

private:
    static std::array<double, cost_dimension> log_figures(const cost::costs& c) noexcept {
        return {std::log1p(static_cast<double>(c.peak_ram_bytes)), std::log1p(static_cast<double>(c.flash_bytes)),
                std::log1p(static_cast<double>(c.macs))};
    }

    /// `a` is canonical and valid.
    std::vector<double> one_hot(const architecture& a) const {
        std::vector<double> row(dimension(), 0.0);
        if constexpr (slots > 0) {
            const std::vector<bool> active = space::active_slots<Space>(a);
            for (std::size_t i = 0; i < slots; ++i)
                if (active[i] && offsets_[i + 1] > offsets_[i]) row[offsets_[i] + static_cast<std::size_t>(a[i])] = 1.0;
        }
        return row;
    }

    std::vector<double> with_costs(const architecture& a, const cost::costs& figures) const {
        std::vector<double> row = one_hot(a);
        const auto logs = log_figures(figures);
        for (std::size_t k = 0; k < cost_dimension; ++k) {
            const double span = high_[k] - low_[k];
            row[one_hot_dimension + k] = span > 0.0 ? (logs[k] - low_[k]) / span : 0.0;
        }
        return row;
    }

    shape in_;
    encoding_options options_;
    std::array<double, cost_dimension> low_{};
    std::array<double, cost_dimension> high_{};
};

} // namespace nascent::search::predict
