// The search space of whole incremental models (deploy/incremental_space.hpp): its decisions, its
// figures against the model a build really makes, a search within a budget, and bad input.
#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <vector>

#include <nascent/core/random.hpp>
#include <nascent/data/class_subsets.hpp>
#include <nascent/deploy/build.hpp>
#include <nascent/nn/extract.hpp>
#include <nascent/deploy/incremental_space.hpp>
#include <nascent/deploy/incremental_task.hpp>
#include <nascent/nn/model.hpp>
#include <nascent/search/batch_evolution.hpp>
#include <nascent/search/constraints.hpp>
#include <nascent/zoo/mcu_cnn.hpp>

// The file's names live in a namespace of their own: the tests compile in unity groups.
namespace test_zoo_incremental_search {

using namespace nascent;
namespace learning = nascent::deploy::learning;
using incremental = deploy::incremental_space<zoo::mcu_cnn>;
using choices = deploy::incremental_choices;

namespace {

constexpr shape image{28, 28, 1};

std::vector<float> noise_images(std::size_t count, std::uint64_t seed) {
    rng random(seed);
    std::vector<float> x(count * image.size());
    for (float& v : x) v = static_cast<float>(random.uniform(-1.0, 1.0));
    return x;
}

} // namespace

TEST_CASE("an incremental space is its extractor's decisions and three more", "[incremental_search]") {
    STATIC_REQUIRE(space::decisions<incremental> == space::decisions<zoo::mcu_cnn> + 3);
    constexpr auto options = space::options<incremental>();
    CHECK(options[space::decisions<zoo::mcu_cnn>] == static_cast<int>(choices::cuts.size()));
    CHECK(options[space::decisions<zoo::mcu_cnn> + 2] == static_cast<int>(choices::buffers.size()));
    rng random(3);
    const architecture a = space::sample<incremental>(image, random);
    const deploy::incremental_decision d = incremental::decode(a.view());
    CHECK(d.extractor.size() == space::decisions<zoo::mcu_cnn>);
    CHECK(incremental::encode(d) == a);
    // a gene past its options is a problem of the architecture, as any decision is
    architecture bad = a;
    bad.choices.back() = static_cast<int>(choices::buffers.size());
    CHECK(space::validate<incremental>(image, bad.view()) == problem::decision_out_of_range);
    CHECK_THROWS_WITH(incremental::decode(bad.view()), Catch::Contains("picks an option"));
    deploy::incremental_decision odd = d;
    odd.buffer = 7;
    CHECK_THROWS_WITH(incremental::encode(odd), Catch::Contains("7 is not one of the buffer choices"));
}

TEST_CASE("an incremental architecture's figures are those of the model its build makes", "[incremental_search]") {
    rng random(11);
    const std::vector<float> calibration = noise_images(4, 5);
    int checked = 0;
    for (int k = 0; k < 6; ++k) {
        const architecture a = space::sample<incremental>(image, random);
        const deploy::incremental_decision d = incremental::decode(a.view());
        nn::model<zoo::mcu_cnn> model(image, 100 + static_cast<std::uint64_t>(k));
        const deploy::build_result b = deploy::build(model, d.extractor, calibration);
        const std::size_t steps = deploy::cut_before_head(b.int8_program, d.cut_back);
        const deploy::extractor e = deploy::cut_extractor(b, steps);
        const learning::incremental_config c = deploy::incremental_config_of(e.feature_count(), d.hidden, d.buffer, e.features);
        const deploy::incremental_host host(e, c, deploy::initial_classifier(c.classifier, 1));
        const cost::costs f = cost::of<incremental>(image, precision::int8, a.view());
        CAPTURE(to_text(a));
        CHECK(f.peak_ram_bytes == host.ram().total);
        CHECK(f.flash_bytes == host.flash_bytes());
        // the whole model takes more RAM than the extractor alone, and no more flash than the static network plus its classifier
        CHECK(f.peak_ram_bytes > e.program.arena_bytes);
        ++checked;
    }
    CHECK(checked == 6);
}

TEST_CASE("the cut counts layer boundaries back from the head and stops at the earliest", "[incremental_search]") {
    const architecture a{std::vector<int>(space::decisions<zoo::mcu_cnn>, 0)};
    const cost::graph g = cost::lower<zoo::mcu_cnn>(image, precision::int8, a.view());
    const deploy::runtime_program p = deploy::compile<deploy::dynamic_steps>(g, cost::plan(g), precision::int8);
    const std::size_t head = deploy::head_cut(p);
    CHECK(deploy::cut_before_head(p, 0) == head);
    const std::size_t one_back = deploy::cut_before_head(p, 1);
    CHECK(one_back < head);
    const std::vector<std::size_t> cuts = deploy::feature_cuts(p);
    CHECK(deploy::cut_before_head(p, 1000) == cuts.front());
    CHECK_THROWS_WITH(deploy::cut_before_head(p, -1), Catch::Contains("counted back from the head"));
}

TEST_CASE("a search over incremental models keeps the whole model within the budget", "[incremental_search]") {
    const cost::budget limits{.ram_bytes = 64000, .flash_bytes = 64000};
    // a judge that prefers big buffers, so that the search presses against the RAM bound
    const auto judge = [](const architecture& a) {
        const deploy::incremental_decision d = incremental::decode(a.view());
        return train::evaluation{.loss = 0.0, .accuracy = static_cast<double>(d.buffer) / 100.0, .samples = 1};
    };
    search::batch_options o{.kind = search::batch_kind::aging, .population = 8, .per_step = 8, .seed = 2};
    search::batch_state s = search::batch_start<incremental>(image, judge, limits, o);
    search::batch_step<incremental>(image, judge, limits, o, s);
    REQUIRE(s.history.size() >= 12);
    bool some_static_network_alone_would_have_fitted_smaller = false;
    for (const search::evaluated& e : s.history) {
        const cost::costs whole = cost::of<incremental>(image, precision::int8, e.arch.view());
        CHECK(search::satisfies(whole, limits));
        const cost::costs network = cost::of<zoo::mcu_cnn>(image, precision::int8, incremental::decode(e.arch.view()).extractor);
        some_static_network_alone_would_have_fitted_smaller |= network.peak_ram_bytes < whole.peak_ram_bytes;
    }
    CHECK(some_static_network_alone_would_have_fitted_smaller);
    // an impossible budget is refused with the smallest figures seen
    rng random(1);
    CHECK_THROWS_WITH(search::sample_feasible<incremental>(image, cost::budget{.ram_bytes = 1000}, random),
                      Catch::Contains("no architecture within the constraints"));
}

TEST_CASE("class subsets and streams, and their bad input", "[incremental_search]") {
    image_dataset data;
    data.sample = {1, 1, 1};
    data.classes = 3;
    for (int i = 0; i < 30; ++i) {
        data.pixels.push_back(static_cast<std::uint8_t>(i));
        data.labels.push_back(static_cast<std::uint8_t>(i % 3));
    }
    const image_dataset two = classes_of(data, 1, 3);
    CHECK(two.size() == 20);
    CHECK(two.labels[0] == 1);
    std::size_t first = 0;
    const image_dataset stream = stream_of(data, 0, 3, 4, 9, &first);
    CHECK(stream.size() == 12);
    CHECK(first == 18);  // the last 12 images, 4 of each class
    std::vector<int> per_class(3, 0);
    for (const std::uint8_t y : stream.labels) ++per_class[y];
    CHECK(per_class == std::vector<int>{4, 4, 4});
    CHECK_THROWS_WITH(stream_of(data, 0, 3, 11, 9), Catch::Contains("fewer than 11 images of some class"));
    CHECK_THROWS_WITH(pick(data, {30}), Catch::Contains("image 30 of a dataset of 30"));
}

TEST_CASE("the class-incremental task refuses what it cannot run", "[incremental_search]") {
    nn::model<zoo::mcu_cnn> model(image, 1);
    const architecture a{std::vector<int>(space::decisions<zoo::mcu_cnn>, 0)};
    const deploy::build_result b = deploy::build(model, a.view(), noise_images(2, 1));
    const deploy::extractor e = deploy::cut_extractor(b, deploy::head_cut(b.int8_program));
    image_dataset images;
    images.sample = image;
    images.classes = 10;
    images.pixels.assign(2 * image.size(), 0);
    images.labels = {0, 1};
    const std::vector<std::int8_t> table(256, 0);
    CHECK_THROWS_WITH(deploy::features_of(e, std::vector<std::int8_t>(100, 0), images), Catch::Contains("a pixel table of 100 entries"));
    const learning::incremental_config c = deploy::incremental_config_of(e.feature_count(), 0, 10, e.features);
    CHECK_THROWS_WITH(deploy::run_class_incremental(e, c, table, {.known = &images, .stream = &images}), Catch::Contains("needs its three datasets"));
    const deploy::incremental_outcome r = deploy::run_class_incremental(e, c, table, {.known = &images, .stream = &images, .held_out = &images});
    CHECK(r.counters.learned == 2);
    CHECK(r.ram.total == learning::ram_of(c, e.program.arena_bytes).total);
}

} // namespace test_zoo_incremental_search
