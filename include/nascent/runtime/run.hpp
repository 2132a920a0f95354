// nascent/runtime/run.hpp - running a program: its steps in order, over one arena.
//
//     alignas(4) std::byte arena[prog.arena_bytes];
//     std::memcpy(deploy::input<float>(prog, arena), image, sizeof image);
//     if (deploy::run(prog, weights, params, arena) != deploy::run_status::ok) ...;
//     const std::size_t label = deploy::argmax(prog, arena);
//
// run() executes the steps with the kernels of the program's precision: the runtime::kernel
// specialisations of runtime/float/kernels.hpp and runtime/int8/kernels.hpp; the weight and parameter arrays
// are laid out as runtime/program.hpp says. An observer, when given, is called after every
// step with (step index, step, arena): calibration records each step's output range with it.
// The default observer is an empty struct and compiles to nothing.
//
// Freestanding: no heap, no exceptions; a wrong call is reported by the returned status.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "nascent/runtime/exit_gate.hpp"
#include "nascent/runtime/float/kernels.hpp"
#include "nascent/runtime/int8/kernels.hpp"
#include "nascent/runtime/program.hpp"

namespace nascent::deploy {

enum class run_status : std::uint8_t {
    ok,
    wrong_precision,   ///< the program's element type differs from the weights' (float32 vs int8)
    misaligned_arena,  ///< the arena does not start at a multiple of 4 bytes
    unknown_step       ///< a step of a type no kernel runs (batch_norm: deploy::compile never emits it)
};

/// The observer that observes nothing (run's default).
struct no_observer {
    constexpr void operator()(std::size_t, const step&, const std::byte*) const noexcept {}
};

/// The storage type of a precision: float for float32, std::int8_t for int8.
template <class T>
inline constexpr bool is_element = std::is_same_v<T, float> || std::is_same_v<T, std::int8_t>;

template <class T>
[[nodiscard]] constexpr precision precision_of() noexcept {
    static_assert(is_element<T>, "deploy: elements are float (float32 programs) or std::int8_t (int8 programs)");
    return std::is_same_v<T, float> ? precision::float32 : precision::int8;
}

/// The op types of program p, bit t for op_type t: run<types_of(p)> links only their optional kernels.
template <std::size_t N>
[[nodiscard]] constexpr std::uint32_t types_of(const program<N>& p) noexcept {
    std::uint32_t types = 0;
    for (const step& s : p.steps) types |= std::uint32_t{1} << static_cast<unsigned>(s.type);
    return types;
}

namespace detail {

/// A kernel's entry point: void(step, weights, params, arena).
template <class W, class P>
using kernel_entry = void (*)(const step&, const W*, const P*, std::byte*) noexcept;

template <op_type T, precision Element, std::uint32_t Linked, class W, class P>
constexpr kernel_entry<W, P> linked_kernel() noexcept {
    if constexpr (((Linked >> static_cast<unsigned>(T)) & 1U) != 0U && runtime::has_kernel<T, Element>) return runtime::kernel<T, Element>::run;
    else return nullptr;
}

/// The kernels of precision Element by op type: those of runtime::kernel's specialisations whose
/// type is in `Linked`, null for the others (so a firmware links only the kernels its program uses).
template <precision Element, std::uint32_t Linked, class W, class P, std::size_t... T>
constexpr std::array<kernel_entry<W, P>, sizeof...(T)> kernel_table(std::index_sequence<T...>) noexcept {
    return {linked_kernel<static_cast<op_type>(T), Element, Linked, W, P>()...};
}

/// Runs step `s` with the kernel of its type; false for a type no linked kernel runs (batch_norm,
/// which deploy::compile turns into a 1x1 depthwise conv, or a type left out of `Linked`).
template <std::uint32_t Linked, class W, class P>
bool run_step(const step& s, const W* weights, const P* params, std::byte* arena) noexcept {
    static constexpr auto kernels = kernel_table<precision_of<W>(), Linked, W, P>(std::make_index_sequence<op_type_count>{});
    const auto t = static_cast<std::size_t>(s.type);
    if (t >= kernels.size() || kernels[t] == nullptr) return false;
    kernels[t](s, weights, params, arena);
    return true;
}

template <std::uint32_t Linked, class W, class P, class Observer>
run_status run_steps(const step* steps, std::size_t count, precision element, const W* weights, const P* params,
                     std::byte* arena, Observer& observe) {
    if (element != precision_of<W>()) return run_status::wrong_precision;
    if (reinterpret_cast<std::uintptr_t>(arena) % 4U != 0U) return run_status::misaligned_arena;
    for (std::size_t i = 0; i < count; ++i) {
        if (!run_step<Linked>(steps[i], weights, params, arena)) return run_status::unknown_step;
        if constexpr (!std::is_same_v<std::remove_cvref_t<Observer>, no_observer>) observe(i, steps[i], static_cast<const std::byte*>(arena));
    }
    return run_status::ok;
}

} // namespace detail

/// Runs float32 program `p`: weights and params are its arrays (p.weight_count and
/// p.param_count floats), arena holds p.arena_bytes bytes from a 4-byte boundary with the input
/// written at p.input.offset. observe(step index, step, arena) is called after every step.
/// Returns wrong_precision for an int8 program and misaligned_arena, before running anything.
/// `Linked` (types_of) limits the kernels linked; a step of a type left out is unknown_step.
template <std::uint32_t Linked = ~std::uint32_t{0}, std::size_t N, class Observer = no_observer>
run_status run(const program<N>& p, const float* weights, const float* params, std::byte* arena, Observer&& observe = {}) {
    return detail::run_steps<Linked>(p.steps.data(), p.steps.size(), p.element, weights, params, arena, observe);
}

/// Runs int8 program `p`: int8 weights and int32 params (param_layout), as the float32 overload.
template <std::uint32_t Linked = ~std::uint32_t{0}, std::size_t N, class Observer = no_observer>
run_status run(const program<N>& p, const std::int8_t* weights, const std::int32_t* params, std::byte* arena,
               Observer&& observe = {}) {
    return detail::run_steps<Linked>(p.steps.data(), p.steps.size(), p.element, weights, params, arena, observe);
}

/// Where run_to_exit stopped: the exit (0 for the first early exit; the early exits' count for
/// the network's own output) and the operand holding that exit's logits.
struct exit_run {
    run_status status = run_status::ok;
    std::size_t exit = 0;
    operand logits{};
    std::size_t steps_run = 0;
};

/// Runs `p` as run() does but stops after the first exit gate that leaves (runtime/exit_gate.hpp):
/// the early-exit network's inference. A program without gates runs whole, its output exit 0.
template <std::uint32_t Linked = ~std::uint32_t{0}, std::size_t N, class W, class P>
exit_run run_to_exit(const program<N>& p, const W* weights, const P* params, std::byte* arena) {
    exit_run r;
    if (p.element != precision_of<W>()) return {run_status::wrong_precision};
    if (reinterpret_cast<std::uintptr_t>(arena) % 4U != 0U) return {run_status::misaligned_arena};
    for (std::size_t i = 0; i < p.steps.size(); ++i) {
        const step& s = p.steps[i];
        if (!detail::run_step<Linked>(s, weights, params, arena)) return {run_status::unknown_step, r.exit, {}, i};
        if (s.type != op_type::exit_gate) continue;
        if (gate_leaves(s, arena)) return {run_status::ok, r.exit, s.in[1], i + 1};
        ++r.exit;
    }
    r.logits = p.output;
    r.steps_run = p.steps.size();
    return r;
}

/// Index of the largest of the int8 or float elements at `o` (the first on ties).
template <class T>
[[nodiscard]] std::size_t argmax_at(const operand& o, const std::byte* arena) noexcept {
    const T* y = reinterpret_cast<const T*>(arena + o.offset);
    std::size_t best = 0;
    for (std::size_t i = 1; i < o.extent.size(); ++i) best = y[i] > y[best] ? i : best;
    return best;
}

/// Where the network input goes (p.input.extent.size() elements, NHWC); nullptr when T is not
/// the program's element type.
template <class T, std::size_t N>
[[nodiscard]] T* input(const program<N>& p, std::byte* arena) noexcept {
    return p.element == precision_of<T>() ? reinterpret_cast<T*>(arena + p.input.offset) : nullptr;
}

/// The network output after run() (p.output.extent.size() elements, NHWC); nullptr when T is
/// not the program's element type.
template <class T, std::size_t N>
[[nodiscard]] const T* output(const program<N>& p, const std::byte* arena) noexcept {
    return p.element == precision_of<T>() ? reinterpret_cast<const T*>(arena + p.output.offset) : nullptr;
}

/// Index of the largest output element (the first on ties): the predicted class. int8 outputs
/// compare as stored, which orders them as their real values (the scale is positive).
template <std::size_t N>
[[nodiscard]] std::size_t argmax(const program<N>& p, const std::byte* arena) noexcept {
    const std::size_t n = p.output.extent.size();
    std::size_t best = 0;
    if (p.element == precision::float32) {
        const float* y = output<float>(p, arena);
        for (std::size_t i = 1; i < n; ++i) best = y[i] > y[best] ? i : best;
    } else {
        const std::int8_t* y = output<std::int8_t>(p, arena);
        for (std::size_t i = 1; i < n; ++i) best = y[i] > y[best] ? i : best;
    }
    return best;
}

} // namespace nascent::deploy
