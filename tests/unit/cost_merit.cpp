// Figures of merit: bounds and violations, CNAS's tiny_ml against a hand computation from its
// definition, NACHOS's adaptive penalty; and the figures a budget check reports.
#include <catch2/catch.hpp>

#include <limits>

#include <nascent/cost/budget.hpp>
#include <nascent/cost/costs.hpp>
#include <nascent/cost/merit.hpp>

// The file's names live in a namespace of their own: the tests compile in unity groups.
namespace test_cost_merit {

using namespace nascent;
using cost::constraint;
using cost::precision;

namespace {

using reference_cnn = sequential<conv2d<16, 3>, batch_norm, relu, max_pool2d<2>, conv2d<32, 3>, batch_norm, relu,
                                 max_pool2d<2>, flatten, dense<10>>;
constexpr shape mnist{28, 28, 1};
constexpr cost::costs ref = cost::of<reference_cnn>(mnist, precision::int8);

constexpr bool near(double a, double b) { return a - b <= 1e-9 * (1 + b) && b - a <= 1e-9 * (1 + b); }

constexpr bool same_text(const char* a, const char* b) {
    for (; *a != '\0' && *a == *b; ++a, ++b) {}
    return *a == *b;
}

constexpr cost::costs figures(std::size_t params, std::size_t macs, std::size_t activations, std::size_t ram = 0, std::size_t flash = 0) {
    cost::costs c;
    c.params = params;
    c.macs = macs;
    c.activations = activations;
    c.peak_ram_bytes = ram;
    c.flash_bytes = flash;
    return c;
}

// --- bounds as hard rejection, at compile time ------------------------------------------------------
static_assert(cost::feasible(ref, 0.1, cost::bounds{}));  // the defaults bound nothing
static_assert(cost::feasible(ref, 0.1, cost::bounds{.ram_bytes = 15680, .flash_bytes = 21224}));
static_assert(!cost::feasible(ref, 0.1, cost::bounds{.ram_bytes = 15679}));
static_assert(!cost::feasible(ref, 0.1, cost::bounds{.error = 0.05}));
// 15680 bytes against 10000: 56.8% over; 21224 against 20000: 6.12% over
constexpr cost::constraint_excess over = cost::violations(ref, 0.2, cost::bounds{.ram_bytes = 10000, .flash_bytes = 20000, .error = 0.25});
static_assert(near(over[constraint::ram], 0.568));
static_assert(near(over[constraint::flash], 0.0612));
static_assert(over[constraint::error] == 0 && over[constraint::macs] == 0);
static_assert(over.count() == 2);
static_assert(near(over.total(), 0.568 + 0.0612));
static_assert(near(cost::static_penalty(ref, 0.2, cost::bounds{.ram_bytes = 10000, .flash_bytes = 20000}, 100), 62.92));
static_assert(cost::relative_excess(1, 0) == std::numeric_limits<double>::infinity());
static_assert(cost::relative_excess(0, 0) == 0);

// --- budgets (cost/budget.hpp; the failing checks are tests/compile_fail/cost_over_*_budget.cpp) -----------
constexpr cost::budget_report report = cost::report(cost::lower<reference_cnn>(mnist, precision::int8));
static_assert(report.peak_ram_bytes == ref.peak_ram_bytes && report.flash_bytes == ref.flash_bytes);
// the peak is reached while the first max pool (op 1) runs; the largest tensor is the first conv's output
static_assert(report.peak_op == 1 && same_text(report.peak_op_kind, "max_pool2d"));
static_assert(report.largest_tensor == 1 && report.largest_tensor_bytes == 12544 &&
              same_text(report.largest_tensor_writer, "conv2d"));
// the dense layer holds most of the flash: 15680 weights + 12 bytes for each of 10 outputs
static_assert(report.largest_layer == 4 && report.largest_layer_bytes == 15816 && same_text(report.largest_layer_kind, "dense"));
static_assert(cost::fits<reference_cnn>(mnist, precision::int8, cost::budget{.ram_bytes = 15680, .flash_bytes = 21224}));
static_assert(!cost::fits<reference_cnn>(mnist, precision::int8, cost::budget{.ram_bytes = 15679}));
static_assert(!cost::fits<reference_cnn>(mnist, precision::int8, cost::budget{.flash_bytes = 21127}));
static_assert(cost::fits<reference_cnn>(mnist, precision::int8, cost::budget{}));
static_assert(cost::assert_fits<reference_cnn, mnist, precision::int8, cost::budget{.ram_bytes = 16 * 1024}>::value);

// --- CNAS's tiny_ml -----------------------------------------------------------------------------
// CNAS: wp*(p + penalty*max(0, p - pmax)) + wm*(m + penalty*max(0, m - mmax)) + wa*(a + penalty*max(0, a - amax)),
// figures in millions; defaults pmax 2, mmax 100, amax 5, wp 1, wm 1/40, wa 1, penalty 1e10.
// Within every bound: 1.5 + 80/40 + 4 = 7.5
static_assert(near(cost::tiny_ml(figures(1'500'000, 80'000'000, 4'000'000)), 7.5));
// 120 M MACs, 20 M over mmax: 1.5 + (120 + 1e10 * 20) / 40 + 4 = 5e9 + 8.5
static_assert(near(cost::tiny_ml(figures(1'500'000, 120'000'000, 4'000'000)), 5e9 + 8.5));
// every figure over: params 2.5 (0.5 over), MACs 100.4 (0.4 over), activations 6 (1 over)
static_assert(near(cost::tiny_ml(figures(2'500'000, 100'400'000, 6'000'000)),
                   (2.5 + 1e10 * 0.5) + (100.4 + 1e10 * 0.4) / 40 + (6 + 1e10 * 1)));
// The reference CNN: 0.021 M params (incl. batch norm), 1.05 M MACs, 0.0235 M activations; no bound broken.
static_assert(near(cost::tiny_ml(ref), ref.params / 1e6 + ref.macs / 1e6 / 40 + ref.activations / 1e6));
// Bounds in counts carry over: a 1 M MAC bound breaks, by 0.0506 M MACs
constexpr cost::tiny_ml_settings tight = cost::tiny_ml_settings{}.with_bounds(cost::bounds{.macs = 1'000'000});
static_assert(near(tight.macs_max, 1.0) && tight.params_weight == 1);
static_assert(near(cost::tiny_ml(ref, tight), cost::tiny_ml(ref) + 1e10 * (ref.macs / 1e6 - 1.0) / 40));

// --- NACHOS ------------------------------------------------------------------------------------------
// phi c + (1 - phi) cv, cv = max(0, c - cmax) / |c_worst - cmax|
static_assert(near(cost::nachos_objective(3.5, 2.5, 4.0, 0.5), 0.5 * 3.5 + 0.5 * (1.0 / 1.5)));
static_assert(cost::nachos_objective(2.0, 2.5, 4.0, 0.25) == 0.25 * 2.0);  // feasible: no violation term
static_assert(cost::nachos_objective(3.0, 2.5, 2.5, 0.0) == 0.0);          // worst == bound: cv taken as 0 (as NACHOS)

/// The adaptive penalty used in a constant expression (a std::vector inside).
constexpr double adaptive_macs_objective() {
    cost::adaptive_penalty a(cost::bounds{.macs = 250}, 4);
    for (const std::size_t m : {100U, 200U, 300U, 400U}) a.record(figures(0, m, 0), 0);
    // phi = 2/4 feasible, worst 400: a candidate of 350 MACs: 0.5 * 350 + 0.5 * (100 / 150)
    return a.objective(constraint::macs, figures(0, 350, 0), 0);
}
static_assert(near(adaptive_macs_objective(), 0.5 * 350 + 0.5 * (100.0 / 150.0)));

} // namespace

TEST_CASE("violations and feasibility at run time match the compile-time figures", "[cost][merit]") {
    const cost::costs c = cost::measure(cost::lower<reference_cnn>(mnist, precision::int8));
    const cost::bounds b{.ram_bytes = 10000, .flash_bytes = 20000, .macs = 2'000'000, .params = 25'000, .activations = 20'000, .error = 0.1};
    const cost::constraint_excess v = cost::violations(c, 0.12, b);
    CHECK(v[constraint::ram] == Approx(0.568));
    CHECK(v[constraint::flash] == Approx(0.0612));
    CHECK(v[constraint::macs] == 0);
    CHECK(v[constraint::params] == 0);
    CHECK(v[constraint::activations] == Approx((23530.0 - 20000.0) / 20000.0));
    CHECK(v[constraint::error] == Approx(0.2));
    CHECK(v.count() == 4);
    CHECK_FALSE(cost::feasible(c, 0.12, b));
    CHECK(cost::feasible(c, 0.05, cost::bounds{.ram_bytes = 16000, .error = 0.1}));
    CHECK(c.activations == 23530);
}

TEST_CASE("NACHOS's adaptive penalty follows how often each constraint was broken lately", "[cost][merit]") {
    const cost::bounds b{.ram_bytes = 1000, .flash_bytes = 5000};
    cost::adaptive_penalty a(b, 10);
    const cost::costs over_ram = figures(0, 0, 0, 1500, 100);
    const cost::costs within = figures(0, 0, 0, 800, 100);
    // Before any candidate: everything counts as feasible, no weight.
    CHECK(a.feasible_fraction(constraint::ram) == 1.0);
    CHECK(a.weight(constraint::ram) == 0.0);
    CHECK(a.penalty(over_ram, 0) == 0.0);

    SECTION("most candidates break the RAM bound: its violation dominates") {
        for (int i = 0; i < 8; ++i) a.record(over_ram, 0);
        for (int i = 0; i < 2; ++i) a.record(within, 0);
        CHECK(a.feasible_fraction(constraint::ram) == Approx(0.2));
        CHECK(a.weight(constraint::ram) == Approx(0.8));
        CHECK(a.feasible_fraction(constraint::flash) == 1.0);  // per constraint: flash was never broken
        CHECK(a.weight(constraint::flash) == 0.0);
        CHECK(a.worst(constraint::ram) == 1500);
        // a candidate at 1250 bytes: cv = 250 / 500; penalty = 0.8 * 0.5
        const cost::costs mid = figures(0, 0, 0, 1250, 100);
        CHECK(a.penalty(mid, 0) == Approx(0.4));
        CHECK(a.objective(constraint::ram, mid, 0) == Approx(0.2 * 1250 + 0.8 * 0.5));
        // a feasible candidate has no penalty, and its objective is phi * its figure
        CHECK(a.penalty(within, 0) == 0.0);
        CHECK(a.objective(constraint::ram, within, 0) == Approx(0.2 * 800));
        // beyond the worst seen, the candidate is its own worst: cv = 1
        CHECK(a.penalty(figures(0, 0, 0, 3000, 100), 0) == Approx(0.8));
    }
    SECTION("the window forgets: once recent candidates are feasible the weight falls back") {
        for (int i = 0; i < 10; ++i) a.record(over_ram, 0);
        CHECK(a.weight(constraint::ram) == 1.0);
        for (int i = 0; i < 6; ++i) a.record(within, 0);
        CHECK(a.size() == 10);
        CHECK(a.weight(constraint::ram) == Approx(0.4));
        for (int i = 0; i < 4; ++i) a.record(within, 0);
        CHECK(a.weight(constraint::ram) == 0.0);
        CHECK(a.worst(constraint::ram) == 1000);  // no recent figure above the bound
        CHECK(a.penalty(over_ram, 0) == 0.0);     // nobody breaks it lately: no push, as NACHOS with phi = 1
    }
    SECTION("several constraints add their weighted violations") {
        const cost::costs both = figures(0, 0, 0, 2000, 10000);
        for (int i = 0; i < 5; ++i) a.record(both, 0);
        for (int i = 0; i < 5; ++i) a.record(within, 0);
        // weights 0.5 each; both at their worst: cv = 1 each
        CHECK(a.penalty(both, 0) == Approx(0.5 + 0.5));
        // only RAM over, half way to its worst
        CHECK(a.penalty(figures(0, 0, 0, 1500, 100), 0) == Approx(0.5 * 0.5));
    }
}

} // namespace test_cost_merit
