// Incremental learning on a Cortex-M4: an exported incremental model (examples/export_incremental.cpp)
// learns new classes from a labelled stream embedded in flash, and reports its accuracy on held-out
// images before and after. The host ran the same learner on the same stream and wrote the text this
// firmware must print (learn_expected.txt): predictions, and so floats, are the host's.
//
// The model's state is filled with a pattern first; at the end the highest byte of each part that
// differs from it is that part's high-water mark, printed where the host printed the compile-time
// figure. The first inference, the first learning step (one sample in the buffer) and the last (the
// buffer full, when the stream is longer than the buffer) run between instruction-counting markers.
// Exit code: 0, or 1 when the extractor refuses to run.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "incremental_model.hpp"
#include "learning_stream.hpp"
#include "nascent/platform/bench_markers.hpp"
#include "nascent/platform/semihosting.hpp"

namespace {

using model = incremental_model::model;
namespace learning = nascent::deploy::learning;
namespace semihosting = nascent::firmware::semihosting;

static_assert(model::ram_bytes <= 64 * 1024, "the incremental model fits 64 KB of RAM, training included");
static_assert(learning::assert_ram_fits<model, 64 * 1024>);
static_assert(learning_stream::stream_count > static_cast<int>(model::buffer_capacity), "the last learning step runs with the buffer full");

model::state state;  // .bss: all of the model's RAM
constexpr unsigned char fill_pattern = 0xA5;

void load(const std::uint8_t* pixels) {
    std::int8_t* in = model::input(state);
    for (std::size_t i = 0; i < model::extractor::input_size; ++i) in[i] = incremental_model::input_of_pixel[pixels[i]];
}

/// Bytes from `first` up to the last one that differs from the fill pattern.
std::uint32_t high_water_mark(const void* first, std::size_t bytes) {
    const auto* p = static_cast<const unsigned char*>(first);
    for (std::size_t i = bytes; i-- > 0;)
        if (p[i] != fill_pattern) return static_cast<std::uint32_t>(i + 1);
    return 0;
}

int held_out_right(semihosting::console& out, bool counted) {
    int right = 0;
    for (int i = 0; i < learning_stream::held_out_count; ++i) {
        load(learning_stream::held_out_pixels[i]);
        if (counted && i == 0) nascent_bench_begin();
        const int k = model::predict(state, incremental_model::extractor_weights, incremental_model::extractor_params);
        if (counted && i == 0) nascent_bench_end();
        if (k < 0) {
            out.text("the extractor refused to run").line();
            semihosting::exit(1);
        }
        right += k == learning_stream::held_out_labels[i] ? 1 : 0;
    }
    return right;
}

} // namespace

int main() {
    semihosting::console out;
    std::memset(static_cast<void*>(&state), fill_pattern, sizeof state);  // the state is plain bytes and floats
    model::reset(state, incremental_model::classifier_weights);
    out.text("nascent learning firmware: ").dec(learning_stream::stream_count).text(" samples to learn, ")
        .dec(learning_stream::held_out_count).text(" held-out images").line();
    out.text("before: ").dec(held_out_right(out, true)).text(" of ").dec(learning_stream::held_out_count).text(" held-out images right").line();
    for (int i = 0; i < learning_stream::stream_count; ++i) {
        load(learning_stream::stream_pixels[i]);
        // counted: the first step (one sample in the buffer) and the last (the buffer full)
        const bool counted = i == 0 || i + 1 == learning_stream::stream_count;
        if (counted) nascent_bench_begin();
        const learning::learn_status s =
            model::learn(state, incremental_model::extractor_weights, incremental_model::extractor_params, learning_stream::stream_labels[i]);
        if (counted) nascent_bench_end();
        if (s != learning::learn_status::learned) {
            out.text("sample ").dec(i).text(" was not learned").line();
            semihosting::exit(1);
        }
    }
    load(learning_stream::stream_pixels[0]);
    const bool refused = model::learn(state, incremental_model::extractor_weights, incremental_model::extractor_params, 10) ==
                         learning::learn_status::refused_label;
    out.text("refused: ").dec(refused && state.counters.refused == 1 ? 1 : 0).line();
    out.text("after: ").dec(held_out_right(out, false)).text(" of ").dec(learning_stream::held_out_count).text(" held-out images right").line();

    out.text("extractor arena: ").dec(high_water_mark(state.arena.bytes, sizeof state.arena.bytes)).text(" bytes").line();
    out.text("classifier weights: ").dec(high_water_mark(state.weights, sizeof state.weights)).text(" bytes").line();
    out.text("gradients: ").dec(high_water_mark(state.gradients, sizeof state.gradients)).text(" bytes").line();
    out.text("optimiser state: ").dec(model::velocity_count == 0 ? 0U : high_water_mark(state.velocity.data(), 4 * model::velocity_count))
        .text(" bytes").line();
    out.text("classifier activations: ").dec(high_water_mark(state.activations, sizeof state.activations)).text(" bytes").line();
    const std::uint32_t samples = high_water_mark(state.features.data(), model::buffer_capacity * model::feature_count);
    const std::uint32_t labels = high_water_mark(state.labels.data(), model::buffer_capacity);
    out.text("buffer samples: ").dec(samples + labels).text(" bytes").line();
    out.text("ram: ").dec(static_cast<std::uint32_t>(model::ram_bytes)).text(" bytes").line();
    semihosting::exit(0);
}
