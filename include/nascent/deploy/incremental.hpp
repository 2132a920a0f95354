// nascent/deploy/incremental.hpp - host side of incremental on-device learning: cut a trained int8
// network into a feature extractor, pre-train its classifier, run the same learner as the device,
// and write the header a firmware includes.
//
//     const deploy::build_result b = deploy::build(model, arch, calibration);       // deploy/build.hpp
//     const deploy::extractor e = deploy::cut_extractor(b, deploy::head_cut(b.int8_program));
//     learning::incremental_config c{.classifier = {e.feature_count(), 0, 10}, .buffer_capacity = 100, ...};
//     c.feature_scale = e.features.scale;  c.feature_zero_point = e.features.zero_point;
//     deploy::incremental_host model(e, c, deploy::initial_classifier(c.classifier, 1));
//     write an image into model.input();  model.learn(label);   // or model.predict()
//     model.ram().total;                                        // its RAM on a device, training included
//     deploy::write_incremental_header("model.hpp", "model", e, c, model.weights(), meta);
//
// A cut after `steps` steps keeps those steps of the int8 program, their weights and parameters
// (renumbered from 0), and the plan's offsets: its arena is the full program's, trimmed to the last
// byte a kept step touches. The extractor's output is the int8 tensor of the last kept step, with
// its quantisation. incremental_host runs learning::learner (runtime/learning/learner.hpp) on
// vectors: it computes what learning::incremental_model<extractor, config> computes on a device,
// bit for bit when both are compiled with -ffp-contract=off (docs/learning.md).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "nascent/core/error.hpp"
#include "nascent/core/random.hpp"
#include "nascent/core/text.hpp"
#include "nascent/deploy/build.hpp"
#include "nascent/deploy/export.hpp"
#include "nascent/io/atomic_file.hpp"
#include "nascent/runtime/learning/checksum.hpp"
#include "nascent/runtime/learning/incremental_model.hpp"
#include "nascent/runtime/quantization_scheme.hpp"
#include "nascent/runtime/run.hpp"

namespace nascent::deploy {

/// The frozen part of an incremental model: an int8 program and its parameters.
struct extractor {
    runtime_program program;
    std::vector<std::int8_t> weights;
    std::vector<std::int32_t> params;
    tensor_quantization features;  ///< of the program's output

    [[nodiscard]] std::uint32_t feature_count() const noexcept { return static_cast<std::uint32_t>(program.output.extent.size()); }
};

namespace detail {

/// One past the last arena byte operand `o` covers, for elements of `bytes` bytes.
[[nodiscard]] constexpr std::size_t operand_end(const operand& o, std::size_t bytes) noexcept {
    const auto pixels = static_cast<std::size_t>(o.extent.h) * static_cast<std::size_t>(o.extent.w);
    if (pixels == 0 || o.extent.c == 0) return o.offset;
    return o.offset + ((pixels - 1) * static_cast<std::size_t>(o.pixel_stride) + static_cast<std::size_t>(o.extent.c)) * bytes;
}

/// The operands step `s` reads: two for an add or a concatenation, one otherwise.
[[nodiscard]] constexpr int inputs_of(const step& s) noexcept { return s.type == op_type::add || s.type == op_type::concat ? 2 : 1; }

} // namespace detail

/// The step counts after which `p` can be cut (1 to its step count): the last kept step's output
/// is contiguous and is the only tensor the kept steps pass to the dropped ones, so the cut is
/// a layer boundary of the network.
[[nodiscard]] inline std::vector<std::size_t> feature_cuts(const runtime_program& p) {
    std::vector<std::size_t> cuts;
    const std::size_t n = p.steps.size();
    for (std::size_t k = 1; k <= n; ++k) {
        const operand& out = p.steps[k - 1].out;
        if (out.pixel_stride != out.extent.c) continue;
        bool boundary = true;
        for (std::size_t j = k; j < n && boundary; ++j) {
            const step& s = p.steps[j];
            for (int i = 0; i < detail::inputs_of(s); ++i) {
                const operand& in = s.in[i];
                if (in.offset == out.offset && in.extent.size() == out.extent.size()) continue;  // the cut's output (maybe flattened)
                bool made_after_cut = false;
                for (std::size_t m = k; m < j; ++m) made_after_cut = made_after_cut || p.steps[m].out.offset == in.offset;
                bool made_before_cut = false;
                for (std::size_t m = 0; m + 1 < k; ++m) made_before_cut = made_before_cut || p.steps[m].out.offset == in.offset;
                if (!made_after_cut && (made_before_cut || in.offset == p.input.offset)) boundary = false;
            }
        }
        if (boundary) cuts.push_back(k);
    }
    return cuts;
}

/// The cut before the program's last dense step (its classifier head): the steps up to the
/// tensor that head reads. Throws when the program has no dense step or cannot be cut there.
[[nodiscard]] inline std::size_t head_cut(const runtime_program& p) {
    std::size_t k = p.steps.size();
    while (k > 0 && p.steps[k - 1].type != op_type::dense) --k;
    require(k > 1, "head_cut: the program has no dense step after a first step, so it has no classifier head to cut off");
    const std::size_t cut = k - 1;
    const std::vector<std::size_t> cuts = feature_cuts(p);
    // the head may read the tensor flattened: the same bytes under another extent
    const operand& read = p.steps[k - 1].in[0];
    const operand& made = p.steps[cut - 1].out;
    require(std::find(cuts.begin(), cuts.end(), cut) != cuts.end() && read.offset == made.offset && read.extent.size() == made.extent.size(),
            string_of("head_cut: the last dense step (step ", k - 1, ") does not read the output of the step before it"));
    return cut;
}

/// The program of the first `steps` steps of int8 program `p` (see the top of this file): the
/// steps' weights and parameters renumbered from 0, the arena trimmed to the last byte a kept step
/// touches. Weights are not copied (cut_extractor does that); the figures of a cut need only this.
template <std::size_t N>
[[nodiscard]] runtime_program cut_program(const program<N>& p, std::size_t steps) {
    require(p.element == precision::int8, "cut_extractor: the extractor is cut from an int8 program");
    require(steps >= 1 && steps <= p.steps.size(),
            string_of("cut_extractor: a cut after ", steps, " steps; the program has ", p.steps.size()));
    const operand& out = p.steps[steps - 1].out;
    require(out.pixel_stride == out.extent.c, string_of("cut_extractor: the output of step ", steps - 1, " is a channel slice; cut elsewhere"));
    runtime_program c;
    c.element = precision::int8;
    c.input = p.input;
    c.output = out;
    std::size_t end = detail::operand_end(p.input, 1);
    for (std::size_t k = 0; k < steps; ++k) {
        step s = p.steps[k];
        s.weights = s.weight_count == 0 ? 0 : c.weight_count;
        s.params = s.param_count == 0 ? 0 : c.param_count;
        c.weight_count += s.weight_count;
        c.param_count += s.param_count;
        for (int i = 0; i < detail::inputs_of(s); ++i) end = std::max(end, detail::operand_end(s.in[i], 1));
        end = std::max({end, detail::operand_end(s.out, 1), std::size_t{s.scratch_offset} + s.scratch_bytes});
        c.steps.push_back(s);
    }
    c.arena_bytes = static_cast<std::uint32_t>(end);
    return c;
}

/// The extractor made of the first `steps` steps of an int8 program (see the top of this file).
template <std::size_t N>
[[nodiscard]] extractor cut_extractor(const program<N>& p, std::span<const std::int8_t> weights, std::span<const std::int32_t> params,
                                      const tensor_quantization& features, std::size_t steps) {
    require(weights.size() == p.weight_count && params.size() == p.param_count,
            "cut_extractor: the weights and parameters are not the program's");
    extractor e;
    e.program = cut_program(p, steps);
    e.features = features;
    for (std::size_t k = 0; k < steps; ++k) {
        const step& s = p.steps[k];
        e.weights.insert(e.weights.end(), weights.begin() + s.weights, weights.begin() + s.weights + s.weight_count);
        e.params.insert(e.params.end(), params.begin() + s.params, params.begin() + s.params + s.param_count);
    }
    return e;
}

/// The extractor of the first `steps` steps of a build's int8 program, its output quantised as
/// the quantiser decided for that tensor.
[[nodiscard]] inline extractor cut_extractor(const build_result& b, std::size_t steps) {
    require(steps >= 1 && steps <= b.int8_plan.order.size(), string_of("cut_extractor: a cut after ", steps, " steps; the program has ",
                                                                        b.int8_plan.order.size()));
    const auto op = static_cast<std::size_t>(b.int8_plan.order[steps - 1]);
    const auto tensor = static_cast<std::size_t>(b.int8_graph.ops[op].output);
    return cut_extractor(b.int8_program, std::span<const std::int8_t>(b.int8_params.weights),
                         std::span<const std::int32_t>(b.int8_params.params), b.int8_params.tensors.at(tensor), steps);
}

/// A classifier's starting weights: uniform in +-sqrt(6 / (in + out)) per layer (Glorot), biases 0.
[[nodiscard]] inline std::vector<float> initial_classifier(const learning::classifier_shape& s, std::uint64_t seed) {
    require(s.valid(), "initial_classifier: a classifier needs features and at least two classes");
    std::vector<float> w(s.weight_count(), 0.0F);
    rng random(seed);
    auto layer = [&](std::size_t at, std::uint32_t inputs, std::uint32_t outputs) {
        const double bound = std::sqrt(6.0 / static_cast<double>(inputs + outputs));
        for (std::size_t i = 0; i < std::size_t{inputs} * outputs; ++i) w[at + i] = static_cast<float>(random.uniform(-bound, bound));
        return at + std::size_t{inputs} * outputs + outputs;
    };
    if (s.hidden == 0) {
        layer(0, s.features, s.classes);
    } else {
        layer(layer(0, s.features, s.hidden), s.hidden, s.classes);
    }
    return w;
}

/// An incremental model on the host: the device's learner over vectors, with the extractor run
/// by the same kernels. Its state is what a device's incremental_model<...>::state holds.
class incremental_host {
public:
    incremental_host(extractor e, const learning::incremental_config& c, std::vector<float> initial_weights)
        : extractor_(std::move(e)), config_(c), initial_(std::move(initial_weights)) {
        if (const char* p = c.problem()) throw error(string_of("incremental model: ", p));
        require(c.classifier.features == extractor_.feature_count(),
                string_of("incremental model: the classifier reads ", c.classifier.features, " features, the extractor gives ",
                          extractor_.feature_count()));
        require(initial_.size() == c.classifier.weight_count(),
                string_of("incremental model: ", initial_.size(), " initial classifier weights, the classifier has ",
                          c.classifier.weight_count()));
        weights_.resize(initial_.size());
        gradients_.resize(initial_.size());
        velocity_.resize(c.uses_momentum() ? initial_.size() : 0);
        activations_.resize(c.classifier.activation_count());
        features_.resize(std::size_t{c.buffer_capacity} * c.classifier.features);
        labels_.resize(c.buffer_capacity);
        arena_.resize(extractor_.program.arena_bytes);
        reset();
    }
    incremental_host(const incremental_host&) = delete;  // the learner points into this object
    incremental_host& operator=(const incremental_host&) = delete;

    /// Back to the initial classifier and an empty buffer.
    void reset() { learner().reset(initial_.data()); }

    /// Where the next image goes: the extractor's int8 input.
    [[nodiscard]] std::int8_t* input() noexcept { return reinterpret_cast<std::int8_t*>(arena_.data() + extractor_.program.input.offset); }
    /// Runs the extractor on input(); returns its int8 features.
    const std::int8_t* extract() {
        require(deploy::run(extractor_.program, extractor_.weights.data(), extractor_.params.data(), arena_.data()) == run_status::ok,
                "incremental model: the extractor refused to run");
        return reinterpret_cast<const std::int8_t*>(arena_.data() + extractor_.program.output.offset);
    }
    /// The class of the image in input().
    int predict() { return learner().predict(extract()); }
    /// Learns the image in input() as `label`.
    learning::learn_status learn(int label) {
        if (label < 0 || label >= static_cast<int>(config_.classifier.classes)) return learner().learn(nullptr, label);
        return learner().learn(extract(), label);
    }
    /// The same, from features already extracted.
    int predict_features(const std::int8_t* q) { return learner().predict(q); }
    learning::learn_status learn_features(const std::int8_t* q, int label) { return learner().learn(q, label); }

    [[nodiscard]] learning::learner learner() noexcept {
        return learning::learner(config_, {weights_.data(), gradients_.data(), velocity_.empty() ? nullptr : velocity_.data(), activations_.data()},
                                 {features_.data(), labels_.data(), &buffer_counters_}, &counters_);
    }
    [[nodiscard]] const std::vector<float>& weights() const noexcept { return weights_; }
    [[nodiscard]] const learning::incremental_config& config() const noexcept { return config_; }
    [[nodiscard]] const class extractor& feature_extractor() const noexcept { return extractor_; }
    [[nodiscard]] const learning::learner_counters& counters() const noexcept { return counters_; }
    [[nodiscard]] const learning::buffer_counters& buffer_counters() const noexcept { return buffer_counters_; }
    /// The RAM the same model takes on a device (learning::ram_of).
    [[nodiscard]] learning::ram_figures ram() const noexcept { return learning::ram_of(config_, extractor_.program.arena_bytes); }
    /// Flash on a device: the extractor's weights and parameters, the initial classifier.
    [[nodiscard]] std::size_t flash_bytes() const noexcept {
        return extractor_.weights.size() + 4 * (extractor_.params.size() + initial_.size());
    }

private:
    extractor extractor_;
    learning::incremental_config config_;
    std::vector<float> initial_;
    std::vector<float> weights_, gradients_, velocity_, activations_;
    std::vector<std::int8_t> features_;
    std::vector<std::uint8_t> labels_;
    learning::buffer_counters buffer_counters_{};
    learning::learner_counters counters_{};
    std::vector<std::byte> arena_;
};

/// Pre-trains a classifier on the host: `epochs` passes of mini-batch SGD over int8 features
/// (`samples` rows of s.features, dequantised with `q`) and their labels, in an order shuffled
/// by `seed`, with the device's arithmetic (learning::classifier). Returns the weights.
[[nodiscard]] inline std::vector<float> fit_classifier(std::vector<float> weights, const learning::classifier_shape& s,
                                                       const tensor_quantization& q, std::span<const std::int8_t> features,
                                                       std::span<const std::uint8_t> labels, int epochs, float rate,
                                                       std::uint32_t batch, std::uint64_t seed) {
    require(weights.size() == s.weight_count(), "fit_classifier: the weights are not the classifier's");
    require(features.size() == labels.size() * s.features, "fit_classifier: one label per row of features");
    require(batch > 0 && rate > 0.0F, "fit_classifier: the batch and the rate are positive");
    std::vector<float> gradients(weights.size(), 0.0F);
    std::vector<float> activations(s.activation_count(), 0.0F);
    const learning::classifier c(s, {weights.data(), gradients.data(), nullptr, activations.data()});
    std::vector<std::size_t> order(labels.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    rng random(seed);
    for (int e = 0; e < epochs; ++e) {
        for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[random.below(i)]);
        std::uint32_t in_batch = 0;
        for (const std::size_t i : order) {
            require(labels[i] < s.classes, string_of("fit_classifier: label ", int{labels[i]}, " of sample ", i, " is not a class"));
            const std::int8_t* row = features.data() + i * s.features;
            for (std::uint32_t k = 0; k < s.features; ++k) c.input()[k] = q.dequantize(row[k]);
            c.forward();
            c.backward(labels[i]);
            if (++in_batch == batch) {
                c.update(rate, 0.0F, in_batch);
                in_batch = 0;
            }
        }
        if (in_batch > 0) c.update(rate, 0.0F, in_batch);
    }
    return weights;
}

/// What an incremental model's header says besides its arrays.
struct incremental_metadata {
    model_metadata model;         ///< space, architecture, normalisation, input quantisation, class names
    std::size_t cut_steps = 0;    ///< steps of the full program the extractor keeps
    double accuracy = -1;         ///< percent of the initial model on held-out images (negative: not measured)
};

namespace detail {

inline const char* replacement_name(learning::replacement r) {
    return r == learning::replacement::fifo ? "fifo" : r == learning::replacement::reservoir ? "reservoir" : "class_balanced";
}

} // namespace detail

/// The text of an incremental model's header:
///     namespace <name> {
///     inline constexpr nascent::deploy::program<N> extractor{...};
///     alignas(4) inline constexpr std::int8_t extractor_weights[] = {...};
///     alignas(4) inline constexpr std::int32_t extractor_params[] = {...};
///     inline constexpr std::int8_t input_of_pixel[256] = {...};
///     inline constexpr nascent::deploy::learning::incremental_config config{...};
///     alignas(4) inline constexpr float classifier_weights[] = {...};
///     using model = nascent::deploy::learning::incremental_model<extractor, config>;
///     namespace metadata { ... checksum ... }
///     }
/// The header checks itself when compiled: the array sizes against the program and the
/// configuration, and the checksum of the arrays (learning/checksum.hpp).
[[nodiscard]] inline std::string incremental_header(std::string_view name, const extractor& e, const learning::incremental_config& c,
                                                    std::span<const float> classifier_weights, const incremental_metadata& meta) {
    require(detail::is_identifier(name), string_of("incremental_header: '", name, "' is not a C++ identifier"));
    if (const char* p = c.problem()) throw error(string_of("incremental_header: ", p));
    require(c.classifier.features == e.feature_count(), "incremental_header: the classifier does not read the extractor's features");
    require(classifier_weights.size() == c.classifier.weight_count(), "incremental_header: the classifier weights are not the classifier's");
    require(e.weights.size() == e.program.weight_count && e.params.size() == e.program.param_count,
            "incremental_header: the extractor's arrays are not its program's");
    const model_metadata& m = meta.model;
    const std::vector<std::int8_t> table = input_of_pixel<std::int8_t>(m);
    const std::vector<std::int8_t> w = e.weights.empty() ? std::vector<std::int8_t>{0} : e.weights;
    const std::vector<std::int32_t> p = e.params.empty() ? std::vector<std::int32_t>{0} : e.params;
    const std::uint32_t sum = learning::checksum(w.data(), w.size(), p.data(), p.size(), classifier_weights.data(), classifier_weights.size());
    const learning::ram_figures ram = learning::ram_of(c, e.program.arena_bytes);
    std::string out = string_of("// ", name, ".hpp - an incremental model exported by nascent: a frozen int8 extractor, a float32\n",
                                "// classifier that learns on the device, a buffer of samples.\n//\n// space: ", m.space,
                                "\n// architecture: ", m.architecture, ", cut after ", meta.cut_steps, " steps\n// RAM ", ram.total,
                                " bytes (training included), flash ", e.weights.size() + 4 * (e.params.size() + classifier_weights.size()),
                                " bytes\n");
    out += string_of("#pragma once\n\n#include <cstdint>\n\n#include \"nascent/runtime/learning/checksum.hpp\"\n",
                     "#include \"nascent/runtime/learning/incremental_model.hpp\"\n\nnamespace ", name, " {\n\n");
    out += string_of("inline constexpr auto extractor = ", program_source(e.program), ";\n\n");
    out += string_of("alignas(4) inline constexpr std::int8_t extractor_weights[", w.size(), "] = {",
                     detail::array_text(std::span<const std::int8_t>(w), 24), "};\n\n");
    out += string_of("alignas(4) inline constexpr std::int32_t extractor_params[", p.size(), "] = {",
                     detail::array_text(std::span<const std::int32_t>(p), 12), "};\n\n");
    out += string_of("/// The extractor's input for pixel value v (0..255) of channel c: input_of_pixel[c * 256 + v].\n",
                     "inline constexpr std::int8_t input_of_pixel[", table.size(), "] = {",
                     detail::array_text(std::span<const std::int8_t>(table), 24), "};\n\n");
    const learning::learning_settings& l = c.learning;
    out += string_of("inline constexpr nascent::deploy::learning::incremental_config config{\n    {", c.classifier.features, "U, ",
                     c.classifier.hidden, "U, ", c.classifier.classes, "U},\n    ", c.buffer_capacity,
                     "U,\n    nascent::deploy::learning::replacement::", detail::replacement_name(c.policy), ",\n    {",
                     detail::float_text(l.learning_rate), ", ", detail::float_text(l.momentum), ", ", l.epochs, "U, ", l.batch, "U},\n    ",
                     detail::float_text(c.feature_scale), ", ", c.feature_zero_point, ",\n    ", c.seed, "U};\n\n");
    out += string_of("/// The classifier before any learning on the device.\nalignas(4) inline constexpr float classifier_weights[",
                     classifier_weights.size(), "] = {", detail::array_text(classifier_weights, 8), "};\n\n");
    out += "/// The incremental model: state type, reset(), input(), learn(), predict().\n"
           "using model = nascent::deploy::learning::incremental_model<extractor, config>;\n\n";
    out += string_of("namespace metadata {\n", "inline constexpr const char* space = ", detail::quoted(m.space), ";\n",
                     "inline constexpr const char* architecture = ", detail::quoted(m.architecture), ";\n",
                     "inline constexpr std::uint32_t cut_steps = ", meta.cut_steps, "U;  // steps of the full program kept\n",
                     "inline constexpr double accuracy = ", detail::double_text(meta.accuracy), ";  // percent, negative: not measured\n",
                     "inline constexpr std::uint32_t ram_bytes = ", ram.total, "U;\n",
                     "inline constexpr float input_scale = ", detail::float_text(m.input_scale), ";\n",
                     "inline constexpr int input_zero_point = ", m.input_zero_point, ";\n",
                     "/// FNV-1a of extractor_weights, extractor_params and classifier_weights (learning/checksum.hpp).\n",
                     "inline constexpr std::uint32_t checksum = ", sum, "U;\n} // namespace metadata\n\n");
    out += detail::class_names_text(m.class_names);
    out += string_of("static_assert(sizeof extractor_weights == ", w.size(), " && extractor.weight_count <= sizeof extractor_weights &&\n",
                     "              sizeof extractor_params / 4 == ", p.size(), " && extractor.param_count <= sizeof extractor_params / 4,\n",
                     "              \"", name, ".hpp: the extractor's arrays do not match its program: the header is corrupt\");\n");
    out += string_of("static_assert(sizeof classifier_weights / sizeof(float) == model::classifier_weight_count,\n",
                     "              \"", name, ".hpp: the classifier weights do not match the configuration: the header is corrupt\");\n");
    out += string_of("static_assert(nascent::deploy::learning::checksum(extractor_weights, extractor_params, classifier_weights) == ",
                     "metadata::checksum,\n              \"", name, ".hpp: the arrays do not match their checksum: the header is corrupt\");\n\n");
    out += string_of("} // namespace ", name, '\n');
    return out;
}

/// Writes incremental_header() to `path` atomically (a temporary file, then a rename).
inline void write_incremental_header(const std::filesystem::path& path, std::string_view name, const extractor& e,
                                     const learning::incremental_config& c, std::span<const float> classifier_weights,
                                     const incremental_metadata& meta) {
    io::write_file_atomically(path, incremental_header(name, e, c, classifier_weights, meta));
}

} // namespace nascent::deploy
