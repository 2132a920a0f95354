// expect-error: use of deleted function .*architecture_of<Space>::architecture_of\(const nascent::architecture_of<Other>&\) \[with Other = nascent::space::bound<.*conv2d<8, 3.* Space = nascent::space::bound<.*conv2d<16, 3
// An architecture of one bound space handed where another space's is expected does not compile:
// the two spaces have the same number of decisions, so untyped slots would pass unnoticed.
#include <nascent/cost/costs.hpp>
#include <nascent/space/bound.hpp>

using namespace nascent;

using narrow = space::bound<sequential<choice<conv2d<8, 3>, conv2d<8, 5>>, global_avg_pool, dense<10>>, shape{28, 28, 1}>;
using wide = space::bound<sequential<choice<conv2d<16, 3>, conv2d<16, 5>>, global_avg_pool, dense<10>>, shape{28, 28, 1}>;
static_assert(narrow::decisions == wide::decisions);

cost::costs figures_of_the_wrong_space() {
    rng random(1);
    const narrow::architecture a = narrow::sample(random);
    return cost::of<wide>(precision::int8, a);
}
