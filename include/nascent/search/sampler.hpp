// nascent/search/sampler.hpp - which single paths of a supernet to train (SPOS, FairNAS).
//
// uniform_sampler draws each path uniformly among the valid architectures
// (SPOS). fair_sampler implements FairNAS's strict fairness: paths come in
// groups of m (the largest option count of any decision); within a group every
// option of every decision with m options is used exactly once, and a decision
// with k < m options uses each option floor(m/k) or ceil(m/k) times. The
// group's gradients are accumulated before one weight update, as FairNAS does.
#pragma once

#include <algorithm>
#include <cstddef>
#include <numeric>
#include <vector>

#include "nascent/core/error.hpp"
#include "nascent/core/random.hpp"
#include "nascent/core/shape.hpp"
#include "nascent/space/architecture.hpp"

namespace nascent::search {

/// SPOS: one uniformly drawn valid path per step.
template <class Space>
class uniform_sampler {
public:
    uniform_sampler(shape in, rng& random) : in_(in), random_(&random) {}
    /// Paths for the next update (one).
    [[nodiscard]] std::vector<architecture> next_group() { return {space::sample<Space>(in_, *random_)}; }

private:
    shape in_;
    rng* random_;
};

/// FairNAS strict fairness: groups of m paths covering every option of every decision.
template <class Space>
class fair_sampler {
public:
    fair_sampler(shape in, rng& random) : in_(in), random_(&random) {
        for (const int o : options_) group_ = std::max(group_, o);
    }
    /// The number of paths per group (m).
    [[nodiscard]] int group_size() const noexcept { return group_; }

    /// The next group of m paths. Each decision's column is a shuffled sequence that uses every
    /// option equally often; groups with an invalid path are redrawn.
    [[nodiscard]] std::vector<architecture> next_group() {
        for (int attempt = 0; attempt < space::max_attempts; ++attempt) {
            std::vector<architecture> group(static_cast<std::size_t>(group_),
                                            architecture{std::vector<int>(options_.size(), 0)});
            for (std::size_t d = 0; d < options_.size(); ++d) {
                std::vector<int> column(static_cast<std::size_t>(group_));
                for (int s = 0; s < group_; ++s) column[static_cast<std::size_t>(s)] = s % options_[d];
                random_->shuffle(column.begin(), column.end());
                for (int s = 0; s < group_; ++s) group[static_cast<std::size_t>(s)].choices[d] = column[static_cast<std::size_t>(s)];
            }
            const bool valid = std::all_of(group.begin(), group.end(), [&](const architecture& a) {
                return space::validate<Space>(in_, a.view()) == problem::none;
            });
            if (valid) return group;
        }
        throw error("fair_sampler: no group of valid paths found; the space has options that are valid only in combination");
    }

private:
    static constexpr auto options_ = space::options<Space>();
    shape in_;
    rng* random_;
    int group_ = 1;
};

} // namespace nascent::search
