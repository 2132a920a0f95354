// expect-error: no_kernel<true, nascent::op_type::max_pool, nascent::precision::int8>.*static assertion failed: nascent: the program holds an op type \(named in the instantiation above\) with no runtime kernel
// A program whose op type has no kernel at its precision: the kernel contract names the op type
// and the precision. Here every int8 kernel registers but the max pool's.
#include <nascent/deploy/fixed.hpp>
#include <nascent/deploy/run.hpp>
#include <nascent/runtime/kernel_contract.hpp>

using namespace nascent;

#define REGISTER(type)                                                                        \
    template <>                                                                               \
    struct nascent::runtime::kernel<nascent::op_type::type, nascent::precision::int8> {      \
        static constexpr auto run = &nascent::deploy::int8::type;                            \
    };
REGISTER(conv)
REGISTER(dense)
REGISTER(avg_pool)
REGISTER(global_avg_pool)
REGISTER(add)
REGISTER(relu)
REGISTER(relu6)
REGISTER(zero)
REGISTER(concat)
REGISTER(channel_shuffle)

using net = deploy::fixed<sequential<conv2d<8, 3>, batch_norm, relu, max_pool2d<2>, flatten, dense<10>>, shape{28, 28, 1},
                          precision::int8>;
static_assert(runtime::kernels_exist<net::program>);
