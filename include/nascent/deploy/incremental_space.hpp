// nascent/deploy/incremental_space.hpp - the search space of a whole incremental model: an
// extractor space's architecture, where to cut it, the classifier's width and the buffer's size.
//
//     using space = deploy::incremental_space<zoo::mcu_cnn>;         // incremental_choices by default
//     const architecture a = space::sample<space>(in, random);       // any strategy of search/ takes it
//     const cost::costs c = cost::of<space>(in, precision::int8, a.view());  // the whole model on a device
//     const deploy::incremental_decision d = space::decode(a.view()); // d.extractor, d.cut_back, ...
//
// An architecture is the extractor space's decisions followed by three more: the cut (0: before
// the classifier head, k: k layer boundaries earlier, the earliest boundary when the network has
// fewer), the classifier's hidden width (0: one dense layer) and the buffer's capacity, each an
// index into the Choices' lists. Its figures are those of the incremental model on a device:
// peak_ram_bytes is learning::ram_of() (extractor arena, classifier weights, gradients, optimiser
// state, activations, buffer: training included), flash_bytes the extractor's int8 weights and
// parameters and the initial classifier, MACs and parameters those of the kept steps and the
// classifier. A search under a cost::budget therefore bounds the whole model, as
// static_assert(model::ram_bytes <= budget) does on the device.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "nascent/core/error.hpp"
#include "nascent/core/text.hpp"
#include "nascent/cost/costs.hpp"
#include "nascent/cost/lower.hpp"
#include "nascent/cost/plan.hpp"
#include "nascent/deploy/compile.hpp"
#include "nascent/deploy/incremental.hpp"
#include "nascent/space/node.hpp"

namespace nascent::deploy {

/// The default options of the three decisions, and the learning rule every candidate uses.
struct incremental_choices {
    static constexpr std::array<int, 3> cuts{0, 1, 2};           ///< layer boundaries before the head cut
    static constexpr std::array<int, 3> hidden{0, 32, 64};       ///< classifier hidden width (0: one layer)
    static constexpr std::array<int, 5> buffers{0, 10, 25, 50, 100};  ///< buffer capacity in samples
    static constexpr int classes = 10;
    static constexpr learning::replacement policy = learning::replacement::class_balanced;
    static constexpr learning::learning_settings learning{.learning_rate = 0.05F, .momentum = 0.5F, .epochs = 1, .batch = 4};
};

/// One architecture of an incremental_space, read back.
struct incremental_decision {
    std::vector<int> extractor;  ///< the extractor space's architecture
    int cut_back = 0;            ///< layer boundaries before the head cut
    std::uint32_t hidden = 0;    ///< classifier hidden width
    std::uint32_t buffer = 0;    ///< buffer capacity
};

/// The step count of the cut `cut_back` layer boundaries before the head cut of `p` (the earliest
/// boundary when `p` has fewer).
[[nodiscard]] inline std::size_t cut_before_head(const runtime_program& p, int cut_back) {
    require(cut_back >= 0, "cut_before_head: the cut is counted back from the head, from 0");
    const std::size_t head = head_cut(p);
    std::vector<std::size_t> cuts;
    for (const std::size_t k : feature_cuts(p))
        if (k <= head) cuts.push_back(k);
    const std::size_t back = std::min<std::size_t>(static_cast<std::size_t>(cut_back), cuts.size() - 1);
    return cuts[cuts.size() - 1 - back];
}

/// The configuration of an incremental model over `features` int8 features quantised as `q`.
template <class Choices = incremental_choices>
[[nodiscard]] constexpr learning::incremental_config incremental_config_of(std::uint32_t features, std::uint32_t hidden,
                                                                          std::uint32_t buffer, const tensor_quantization& q = {}) {
    return {.classifier = {features, hidden, static_cast<std::uint32_t>(Choices::classes)}, .buffer_capacity = buffer, .policy = Choices::policy,
            .learning = Choices::learning, .feature_scale = q.scale, .feature_zero_point = q.zero_point, .seed = 7};
}

/// An extractor space `Extractor` with the cut, classifier width and buffer size of an incremental
/// model (see the top of this file). A space combinator: every search strategy takes it.
template <class Extractor, class Choices = incremental_choices>
struct incremental_space {
    using extractor_space = Extractor;
    using choices = Choices;
    static constexpr std::size_t extractor_decisions = space::decisions<Extractor>;
    static constexpr std::size_t decisions = extractor_decisions + 3;
    static constexpr std::array<int, 3> added{static_cast<int>(Choices::cuts.size()), static_cast<int>(Choices::hidden.size()),
                                              static_cast<int>(Choices::buffers.size())};

    static constexpr void write_options(int* out) noexcept {
        space::write_options<Extractor>(out);
        for (std::size_t k = 0; k < 3; ++k) out[extractor_decisions + k] = added[k];
    }
    [[nodiscard]] static constexpr space_size size() noexcept {
        return space::size<Extractor>() * space_size::of(static_cast<std::uint64_t>(added[0] * added[1] * added[2]));
    }
    [[nodiscard]] static constexpr trace_result trace(shape in, decision_cursor& c) noexcept {
        trace_result t = space::trace<Extractor>(in, c);
        for (const int n : added) {
            const int v = c.take();
            if (t.ok() && (v < 0 || v >= n)) t = {in, problem::decision_out_of_range};
        }
        return t;
    }
    [[nodiscard]] static constexpr problem check(shape in) noexcept { return space::check<Extractor>(in); }
    static constexpr void canonicalize(int* arch, bool active) noexcept {
        space::canonicalize<Extractor>(arch, active);
        if (!active)
            for (std::size_t k = 0; k < 3; ++k) arch[extractor_decisions + k] = 0;
    }

    /// The parts of architecture `arch` (one value per decision).
    [[nodiscard]] static incremental_decision decode(std::span<const int> arch) {
        require(arch.size() == decisions, describe(problem::wrong_decision_count));
        const auto extra = arch.subspan(extractor_decisions);
        for (std::size_t k = 0; k < 3; ++k)
            require(extra[k] >= 0 && extra[k] < added[k], describe(problem::decision_out_of_range));
        return {std::vector<int>(arch.begin(), arch.begin() + extractor_decisions), Choices::cuts[static_cast<std::size_t>(extra[0])],
                static_cast<std::uint32_t>(Choices::hidden[static_cast<std::size_t>(extra[1])]),
                static_cast<std::uint32_t>(Choices::buffers[static_cast<std::size_t>(extra[2])])};
    }
    /// The architecture of extractor architecture `extractor` with decision indices `cut`, `hidden`, `buffer`.
    [[nodiscard]] static architecture encode(std::span<const int> extractor, int cut, int hidden, int buffer) {
        require(extractor.size() == extractor_decisions, describe(problem::wrong_decision_count));
        architecture a{std::vector<int>(extractor.begin(), extractor.end())};
        a.choices.insert(a.choices.end(), {cut, hidden, buffer});
        return a;
    }

    /// The architecture of decision `d`; throws when a value of `d` is not among the Choices'.
    [[nodiscard]] static architecture encode(const incremental_decision& d) {
        const auto index = [](const auto& list, int value, const char* what) {
            for (std::size_t k = 0; k < list.size(); ++k)
                if (list[k] == value) return static_cast<int>(k);
            throw error(string_of("incremental_space: ", value, " is not one of the ", what, " choices"));
        };
        return encode(d.extractor, index(Choices::cuts, d.cut_back, "cut"), index(Choices::hidden, static_cast<int>(d.hidden), "hidden width"),
                      index(Choices::buffers, static_cast<int>(d.buffer), "buffer"));
    }

    /// The figures of the incremental model of `arch` on a device (see the top of this file); the
    /// extractor is int8 whatever `p` says, as the device runs it.
    [[nodiscard]] static cost::costs figures(shape in, precision p, std::span<const int> arch) {
        (void)p;
        const incremental_decision d = decode(arch);
        const cost::graph g = cost::lower<Extractor>(in, precision::int8, d.extractor);
        const cost::memory_plan plan = cost::plan(g);
        const runtime_program full = compile<dynamic_steps>(g, plan, precision::int8);
        const std::size_t steps = cut_before_head(full, d.cut_back);
        const runtime_program kept = cut_program(full, steps);
        const learning::incremental_config c = incremental_config_of<Choices>(static_cast<std::uint32_t>(kept.output.extent.size()), d.hidden, d.buffer);
        cost::costs r;
        for (std::size_t k = 0; k < steps; ++k) {
            const cost::op_node& op = g.ops[static_cast<std::size_t>(plan.order[k])];
            r.params += op.params;
            r.macs += op.macs;
            r.activations += op.output_extent.size();
            r.largest_tensor_bytes = std::max(r.largest_tensor_bytes, g.tensors[static_cast<std::size_t>(op.output)].bytes);
        }
        const std::size_t classifier_macs = d.hidden == 0 ? std::size_t{c.classifier.features} * c.classifier.classes
                                                          : std::size_t{c.classifier.features} * d.hidden + std::size_t{d.hidden} * c.classifier.classes;
        r.params += c.classifier.weight_count();
        r.macs += classifier_macs;
        r.activations += c.classifier.activation_count();
        r.flash_bytes = kept.weight_count + 4 * (std::size_t{kept.param_count} + c.classifier.weight_count());
        r.peak_ram_bytes = learning::ram_of(c, kept.arena_bytes).total;
        r.schedule_peak_bytes = r.peak_ram_bytes;
        return r;
    }
};

} // namespace nascent::deploy
