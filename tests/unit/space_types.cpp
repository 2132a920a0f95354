// Search spaces as types: decision counts, options and sizes at compile time (checked against
// a run-time enumeration), shapes per architecture, problems found at compile time, and
// architectures as values.
#include <catch2/catch.hpp>

#include <set>
#include <type_traits>
#include <unordered_set>

#include <nascent/core/random.hpp>
#include <nascent/cost/costs.hpp>
#include <nascent/ops/batch_norm.hpp>
#include <nascent/ops/conv2d.hpp>
#include <nascent/ops/dense.hpp>
#include <nascent/ops/flatten.hpp>
#include <nascent/ops/global_avg_pool.hpp>
#include <nascent/ops/identity.hpp>
#include <nascent/ops/max_pool2d.hpp>
#include <nascent/ops/relu.hpp>
#include <nascent/ops/zero.hpp>
#include <nascent/space/architecture.hpp>
#include <nascent/space/bound.hpp>
#include <nascent/space/cell.hpp>
#include <nascent/space/check.hpp>
#include <nascent/space/choice.hpp>
#include <nascent/space/elastic.hpp>
#include <nascent/space/optional.hpp>
#include <nascent/space/repeat.hpp>
#include <nascent/space/residual.hpp>
#include <nascent/space/sequential.hpp>

// The file's names live in a namespace of their own: the tests compile in unity groups.
namespace test_space_types {

using namespace nascent;

namespace {

constexpr shape mnist{28, 28, 1};

template <int W>
using conv_w = sequential<conv2d<W, 3>, batch_norm, relu>;
template <int K>
using dw_k = depthwise_conv2d<K, 1>;

// A small space of every combinator: 2 * (3 + 1 + 1) ... counted below.
using layer = choice<conv2d<8, 3>, conv2d<8, 5>, sequential<conv2d<8, 1>, optional<max_pool2d<3, 1, padding::same>>>>;
using small_space = sequential<conv2d<8, 3>, repeat<2, layer>, optional<residual<sequential<elastic_kernel<dw_k, 3, 5>, relu>>>,
                               elastic_width<conv_w, 4, 8, 16>, global_avg_pool, dense<10>>;

// Decisions: layer = 1 + 0 + 0 + 1 = 2, twice = 4; optional = 1 + 1 = 2; width = 1.
static_assert(space::decisions<layer> == 2);
static_assert(space::decisions<small_space> == 7);
static_assert(space::options<small_space>() == std::array<int, 7>{3, 2, 3, 2, 2, 2, 3});
// layer: 1 + 1 + 2 = 4 architectures; repeat: 16; optional(residual(kernel 2)) = 3; width 3.
static_assert(space::size<small_space>().count == 16 * 3 * 3);
static_assert(space::size<small_space>().exact);
static_assert(valid_space<small_space, mnist>);

// Supernet shape: widths at the maximum.
static_assert(small_space::output(mnist) == shape{1, 1, 10});
static_assert(elastic_width<conv_w, 4, 8, 16>::output(shape{7, 7, 3}) == shape{7, 7, 16});

// Problems found at compile time, one per kind.
static_assert(space::static_problem<sequential<conv2d<8, 3>, dense<10>>>(mnist) == problem::dense_needs_vector);
static_assert(space::static_problem<sequential<residual<conv2d<8, 3, 2>>>>(shape{8, 8, 8}) == problem::residual_changes_shape);
// A stride-2 option in a residual fails only for that option: the one-slot probes find it.
static_assert(space::check<residual<choice<conv2d<8, 3>, conv2d<8, 3, 2>>>>(shape{8, 8, 8}) == problem::none);
static_assert(space::static_problem<residual<choice<conv2d<8, 3>, conv2d<8, 3, 2>>>>(shape{8, 8, 8}) ==
              problem::residual_changes_shape);
static_assert(space::static_problem<choice<conv2d<8, 3>, conv2d<16, 3>>>(mnist) == problem::choice_channels_differ);
static_assert(space::static_problem<cell<2, identity, conv2d<4, 3, 2>>>(shape{8, 8, 4}) == problem::cell_shapes_differ);
static_assert(space::static_problem<sequential<max_pool2d<3>, max_pool2d<3>>>(shape{4, 4, 1}) == problem::window_too_large);
static_assert(space::static_problem<conv2d<8, 3, 1, 2>>(shape{4, 4, 3}) == problem::groups_do_not_divide);

// A DARTS-style cell: node j chooses two of j inputs with one of 3 ops each.
using small_cell = cell<3, identity, zero<1>, conv2d<4, 3>>;
static_assert(space::decisions<small_cell> == 12);
// per node: e = 3j edges, e(e+1)/2 unordered pairs: 6 * 21 * 45
static_assert(space::size<small_cell>().count == 6 * 21 * 45);

/// Every slot vector, canonicalised, counted once.
template <class Space>
std::size_t enumerate_distinct() {
    constexpr auto opts = space::options<Space>();
    std::set<std::vector<int>> seen;
    std::vector<int> a(opts.size(), 0);
    for (;;) {
        seen.insert(space::canonical<Space>(architecture{a}).choices);
        std::size_t i = 0;
        while (i < a.size() && ++a[i] == opts[i]) a[i++] = 0;
        if (i == a.size()) break;
    }
    return seen.size();
}

} // namespace

TEST_CASE("space sizes computed at compile time equal a run-time count", "[space]") {
    CHECK(enumerate_distinct<small_space>() == space::size<small_space>().count);
    CHECK(enumerate_distinct<small_cell>() == space::size<small_cell>().count);
    CHECK(enumerate_distinct<layer>() == 4);
    CHECK(space::size<small_space>().log10 == Approx(std::log10(144.0)).epsilon(1e-12));
}

TEST_CASE("a space past 2^64 architectures reports its size as a logarithm", "[space]") {
    using huge = repeat<30, choice<conv2d<8, 3>, conv2d<8, 5>, conv2d<8, 7>, identity, conv2d<8, 1>, dw_k<3>, dw_k<5>>>;
    constexpr space_size s = space::size<huge>();
    static_assert(!s.exact);
    CHECK(s.log10 == Approx(30 * std::log10(7.0)).epsilon(1e-12));
}

TEST_CASE("the shape of each architecture follows its decisions", "[space]") {
    using s = sequential<conv2d<8, 3>, choice<conv2d<8, 3>, conv2d<8, 3, 2>>, elastic_width<conv_w, 4, 8, 16>>;
    CHECK(space::output<s>(mnist, std::vector<int>{0, 0}).out == shape{28, 28, 4});
    CHECK(space::output<s>(mnist, std::vector<int>{1, 2}).out == shape{14, 14, 16});
    CHECK(space::validate<s>(mnist, std::vector<int>{2, 0}) == problem::decision_out_of_range);
    CHECK(space::validate<s>(mnist, std::vector<int>{0}) == problem::wrong_decision_count);
}

TEST_CASE("random architectures are valid and canonical; mutation changes one active decision", "[space]") {
    rng random(7);
    using s = sequential<conv2d<8, 3>, repeat<3, optional<residual<choice<conv2d<8, 3>, conv2d<8, 3, 2>, dw_k<3>>>>>,
                         global_avg_pool, dense<10>>;
    std::unordered_set<architecture> seen;
    for (int i = 0; i < 300; ++i) {
        const architecture a = space::sample<s>(mnist, random);
        REQUIRE(space::validate<s>(mnist, a.view()) == problem::none);
        CHECK(space::canonical<s>(a) == a);
        for (std::size_t k = 0; k < 3; ++k) CHECK(a[2 * k + 1] != 1);  // stride 2 can never sit in a residual
        const architecture m = space::mutate<s>(a, mnist, random);
        CHECK(m != a);
        CHECK(space::validate<s>(mnist, m.view()) == problem::none);
        std::size_t changed = 0;
        for (std::size_t k = 0; k < a.size(); ++k) changed += a[k] != m[k] ? 1 : 0;
        CHECK(changed >= 1);
        CHECK(changed <= 2);  // one slot, plus a nested slot reset when an option is dropped
        const architecture c = space::crossover<s>(a, m, mnist, random);
        CHECK(space::validate<s>(mnist, c.view()) == problem::none);
        seen.insert(a);
    }
    // 3 layers of (skip | conv | dw) = 27 architectures: 300 draws see nearly all
    CHECK(seen.size() >= 25);
    CHECK(seen.size() <= 27);
}

TEST_CASE("architectures round-trip through text and JSON; malformed input is refused", "[space]") {
    const architecture a{{2, 0, 1, 5}};
    CHECK(to_text(a) == "2-0-1-5");
    CHECK(architecture_from_text("2-0-1-5") == a);
    CHECK(to_json(a) == R"({"decisions":[2,0,1,5]})");
    CHECK(architecture_from_json(R"({ "decisions" : [2, 0, 1, 5] })") == a);
    CHECK(architecture_from_text("") == architecture{});
    CHECK_THROWS_WITH(architecture_from_text("2-x-1"), Catch::Contains("expected a non-negative integer"));
    CHECK_THROWS_WITH(architecture_from_text("2--1"), Catch::Contains("expected a non-negative integer"));
    CHECK_THROWS_WITH(architecture_from_text("2,1"), Catch::Contains("expected '-'"));
    CHECK_THROWS_WITH(architecture_from_json(R"({"choices":[1]})"), Catch::Contains("expected {\"decisions\""));
    CHECK_THROWS_WITH(architecture_from_json(R"({"decisions":[1,-2]})"), Catch::Contains("non-negative"));
    using s = sequential<choice<conv2d<8, 3>, conv2d<8, 5>>, global_avg_pool, dense<10>>;
    CHECK_THROWS_WITH(checked<s>(architecture{{2}}, mnist), Catch::Contains("does not have"));
    CHECK_THROWS_WITH(checked<s>(architecture{{0, 1}}, mnist), Catch::Contains("one value per decision"));
    CHECK(std::hash<architecture>{}(a) == std::hash<architecture>{}(architecture_from_text("2-0-1-5")));
    CHECK(std::hash<architecture>{}(a) != std::hash<architecture>{}(architecture{{2, 0, 1, 4}}));
}

TEST_CASE("the cost of an architecture equals the cost of the network it stands for", "[space][cost]") {
    using s = sequential<conv2d<8, 3>, choice<conv2d<8, 3>, conv2d<8, 5, 2>>, elastic_width<conv_w, 4, 8, 16>,
                         optional<max_pool2d<2>>, flatten, dense<10>>;
    using picked = sequential<conv2d<8, 3>, conv2d<8, 5, 2>, conv_w<16>, flatten, dense<10>>;
    const std::vector<int> arch{1, 2, 1};
    for (const auto p : {cost::precision::float32, cost::precision::int8})
        CHECK(cost::of<s>(mnist, p, arch) == cost::of<picked>(mnist, p));
    static_assert(cost::of<s>(mnist, cost::precision::int8, std::array{1, 2, 1}) ==
                  cost::of<picked>(mnist, cost::precision::int8));
    // A cell: node 1 = conv(in) + identity(in); node 2 = zero(node 1) + conv(node 1); out = n1 + n2.
    using c = cell<2, identity, zero<1>, conv2d<4, 3>>;
    const cost::graph g = cost::lower<c>(shape{8, 8, 4}, cost::precision::int8, std::vector<int>{0, 2, 0, 0, 1, 1, 1, 2});
    CHECK(g.ops.size() == 4);  // conv, add, conv, add (the zero edge is left out)
}

TEST_CASE("a bound space names its shape once; its operators give the untyped results, typed", "[space]") {
    using bound = space::bound<small_space, mnist>;
    static_assert(bound::decisions == space::decisions<small_space>);
    static_assert(bound::output() == shape{1, 1, 10});
    static_assert(bound::options() == space::options<small_space>());
    static_assert(bound::size().count == space::size<small_space>().count);
    static_assert(space::bound_space<bound> && !space::bound_space<small_space>);
    static_assert(std::is_same_v<space::unbound_t<bound>, small_space> && std::is_same_v<space::unbound_t<small_space>, small_space>);
    // A typed architecture converts to the untyped one, never to another space's.
    using other = space::bound<small_space, shape{32, 32, 3}>;
    static_assert(std::is_convertible_v<const bound::architecture&, const architecture&>);
    static_assert(!std::is_convertible_v<bound::architecture, other::architecture>);
    static_assert(!std::is_constructible_v<other::architecture, bound::architecture>);
    static_assert(!std::is_convertible_v<architecture, bound::architecture>);

    rng typed(3);
    rng untyped(3);
    for (int i = 0; i < 50; ++i) {
        const bound::architecture a = bound::sample(typed);
        const architecture u = space::sample<small_space>(mnist, untyped);
        REQUIRE(a.untyped() == u);
        CHECK(bound::validate(a.view()) == problem::none);
        const bound::architecture m = bound::mutate(a, typed);
        CHECK(m.untyped() == space::mutate<small_space>(u, mnist, untyped));
        const bound::architecture c = bound::crossover(a, m, typed);
        CHECK(c.untyped() == space::crossover<small_space>(u, m, mnist, untyped));
        CHECK(bound::checked(architecture_from_text(to_text(c))) == c);
        CHECK(cost::of<bound>(precision::int8, c) == cost::of<small_space>(mnist, precision::int8, c.view()));
    }
    CHECK(cost::of<bound>(precision::float32) == cost::of<small_space>(mnist, precision::float32));
    const bound::architecture first = bound::checked(architecture{std::vector<int>(bound::decisions, 0)});
    CHECK(std::hash<bound::architecture>{}(first) == std::hash<architecture>{}(first.untyped()));
    CHECK(to_text(first) == to_text(first.untyped()));
    CHECK_THROWS_AS(bound::checked(architecture{std::vector<int>(3, 0)}), error);
}

} // namespace test_space_types
