// nascent/runtime/kernel_contract.hpp - every op type a program holds must have a kernel.
//
//     template <> struct runtime::kernel<op_type::relu, precision::int8> {   // next to the kernel's code
//         static constexpr auto run = &int8::relu;                  // run(step, weights, params, arena)
//         static constexpr auto param_count = &int8::relu_param_count;  // parameters of a step of C channels
//     };
//     static_assert(runtime::has_kernel<op_type::relu, precision::int8>);
//     static_assert(runtime::kernels_exist<my_program>);   // a program<N> constant: its every step's type
//
// runtime::kernel<Type, P> is the customisation point: the header of each kernel specialises
// it for the op type and precision it runs. The runner (run.hpp) and the parameter rule
// (kernel_rules.hpp) read these specialisations, so a kernel is registered nowhere else.
// kernels_exist<Program> checks the steps of a compiled program and, when one has no kernel,
// stops compilation with one sentence naming the op type and precision (in the instantiation
// of no_kernel<Type, P>). Freestanding: includes only core/.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "nascent/core/op_type.hpp"

namespace nascent::runtime {

/// The kernel that runs op type `Type` at precision `P`: specialised by the kernel's header,
/// with a static `run` (a function pointer taking the step, weights, params, arena) and a static
/// `param_count` (a function pointer: the parameters of a step of `c` output channels).
template <op_type Type, precision P>
struct kernel;

/// Op type `Type` has a kernel at precision `P`.
template <op_type Type, precision P>
concept has_kernel = requires { sizeof(kernel<Type, P>); } && requires(int c) {
    kernel<Type, P>::run;
    { kernel<Type, P>::param_count(c) } -> std::same_as<std::uint32_t>;
};

namespace detail {

template <class F, std::size_t... I>
constexpr void with_op_type(op_type t, F& f, std::index_sequence<I...>) {
    ((static_cast<std::size_t>(t) == I ? f.template operator()<static_cast<op_type>(I)>() : (void)0), ...);
}

} // namespace detail

/// Calls f.template operator()<T>() with the op type T equal to the run-time value t: how the
/// rules that read runtime::kernel specialisations dispatch. A value no enumerator names (a
/// step read from a damaged header) calls nothing.
template <class F>
constexpr void with_op_type(op_type t, F&& f) {
    detail::with_op_type(t, f, std::make_index_sequence<op_type_count>{});
}

namespace detail {

template <precision P>
constexpr bool kernel_of_value(op_type type) noexcept {
    bool found = false;
    runtime::with_op_type(type, [&]<op_type T>() { found = has_kernel<T, P>; });
    return found;
}

/// The first step type of `program` without a kernel at precision P.
struct missing_kernel {
    bool missing = false;
    op_type type{};
};
template <precision P, class Program>
constexpr missing_kernel first_type_without_kernel(const Program& program) noexcept {
    for (const auto& s : program.steps)
        if (!kernel_of_value<P>(s.type)) return {true, s.type};
    return {};
}

/// Stops compilation with one sentence when op type `Type` has no kernel at precision `P`.
template <bool Missing, op_type Type, precision P>
struct no_kernel {
    static_assert(!Missing, "nascent: the program holds an op type (named in the instantiation above) with no runtime "
                            "kernel at its precision: include the kernel's header, or specialise runtime::kernel<Type, P> "
                            "next to the kernel (nascent/runtime/kernel_contract.hpp)");
    static constexpr bool value = !Missing;
};

template <const auto& Program, precision P>
constexpr bool kernels_exist_at() noexcept {
    constexpr missing_kernel m = first_type_without_kernel<P>(Program);
    return no_kernel<m.missing, m.type, P>::value;
}

} // namespace detail

/// True when every step of the program constant `Program` (a program<N>: steps with a
/// `type`, and its `element` precision) has a kernel; otherwise compilation stops naming the type.
template <const auto& Program>
inline constexpr bool kernels_exist = [] {
    if constexpr (Program.element == precision::int8) return detail::kernels_exist_at<Program, precision::int8>();
    else return detail::kernels_exist_at<Program, precision::float32>();
}();

} // namespace nascent::runtime
