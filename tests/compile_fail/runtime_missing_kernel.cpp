// expect-error: no_kernel<true, nascent::op_type::batch_norm, nascent::precision::int8>.*static assertion failed: nascent: the program holds an op type \(named in the instantiation above\) with no runtime kernel at its precision
// A program holding an op type that has no kernel at its precision: the kernel contract names
// the op type and the precision. batch_norm has no kernel (deploy::compile folds it into a
// convolution), so a program that still holds one is refused.
#include <array>
#include <cstdint>

#include <nascent/core/op_type.hpp>
#include <nascent/runtime/kernel_contract.hpp>

using namespace nascent;

template <>
struct nascent::runtime::kernel<op_type::conv, precision::int8> {
    static void run() {}
    static constexpr std::uint32_t param_count(int) { return 0; }
};

struct step {
    op_type type;
};
struct program {
    precision element;
    std::array<step, 2> steps;
};
constexpr program unfolded{precision::int8, {{{op_type::conv}, {op_type::batch_norm}}}};
static_assert(runtime::kernels_exist<unfolded>);
