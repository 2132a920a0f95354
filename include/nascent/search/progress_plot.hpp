// nascent/search/progress_plot.hpp - a search's progress per iteration as an SVG plot.
//
//   std::vector<search::progress_point> p;
//   p.push_back({.iteration = 0, .candidates = 16, .best_accuracy = 0.84, .hypervolume = 0.51});
//   search::write_progress_svg("progress.svg", p, {.title = "NSGA-II, 64 KB"});
//   const std::string svg = search::progress_svg(p);   // the same text, in memory
//
// Two panels against the iteration: the best feasible accuracy so far (group id="panel-accuracy")
// and the hypervolume of the feasible front (id="panel-hypervolume"), each a line through one
// marker per iteration whose tooltip gives the candidates evaluated so far. The SVG is
// self-contained; the file is written atomically. Points must come in increasing iteration order,
// and panels be at least 120 x 100 pixels: nascent::error otherwise.
#pragma once

#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <span>
#include <string>

#include "nascent/core/error.hpp"
#include "nascent/core/text.hpp"
#include "nascent/io/atomic_file.hpp"
#include "nascent/search/pareto_report.hpp"

namespace nascent::search {

/// One iteration of a search.
struct progress_point {
    std::size_t iteration = 0;
    std::size_t candidates = 0;  ///< evaluated so far
    double best_accuracy = 0.0;  ///< best feasible accuracy so far, in [0, 1]
    double hypervolume = 0.0;    ///< of the feasible front
};

namespace detail {

/// One panel: `y_of` of each point against its iteration.
template <class Figure>
void progress_panel(std::string& s, std::span<const progress_point> points, Figure y_of, const char* id, const char* y_label,
                    double left, double top, double width, double height) {
    double xl = 0, xh = 1, yl = 0, yh = 1;
    if (!points.empty()) {
        xl = static_cast<double>(points.front().iteration), xh = static_cast<double>(points.back().iteration);
        yl = yh = y_of(points.front());
        for (const auto& p : points) yl = std::min(yl, y_of(p)), yh = std::max(yh, y_of(p));
    }
    const plot_area area(left, top, width, height, axis::covering(xl, xh), axis::covering(yl, yh));
    auto px = [&](double v) { return area.px(v); };
    auto py = [&](double v) { return area.py(v); };
    svg_frame(s, area, id, "iteration", y_label);

    std::string path;
    for (const auto& p : points)
        path += string_of(path.empty() ? "M" : " L", fixed(px(static_cast<double>(p.iteration)), 1), " ", fixed(py(y_of(p)), 1));
    if (!path.empty()) s += string_of("<path class=\"progress-line\" d=\"", path, "\" fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.5\"/>\n");
    for (const auto& p : points)
        s += string_of("<circle cx=\"", fixed(px(static_cast<double>(p.iteration)), 1), "\" cy=\"", fixed(py(y_of(p)), 1),
                       "\" r=\"3\" fill=\"#1f77b4\"><title>iteration ", p.iteration, ": ", p.candidates, " candidates, best feasible accuracy ",
                       fixed(100.0 * p.best_accuracy, 2), " %, hypervolume ", fixed(p.hypervolume, 4), "</title></circle>\n");
    s += "</g>\n";
}

} // namespace detail

/// The two-panel SVG plot of a search's progress (best feasible accuracy and hypervolume per iteration).
/// Throws nascent::error on points out of iteration order or panels smaller than 120 x 100 pixels.
[[nodiscard]] inline std::string progress_svg(std::span<const progress_point> points, const pareto_plot_options& options = {}) {
    for (std::size_t i = 1; i < points.size(); ++i)
        require(points[i].iteration > points[i - 1].iteration, "progress_svg: the points must come in increasing iteration order");
    require(options.panel_width >= 120 && options.panel_height >= 100, "progress_svg: panels must be at least 120 x 100 pixels");
    const double title_height = detail::title_height(options);
    const double w = options.panel_width, h = options.panel_height;
    std::string s = detail::svg_open(2 * w, h + title_height, options.title);
    auto accuracy = [](const progress_point& p) { return 100.0 * p.best_accuracy; };
    auto hypervolume = [](const progress_point& p) { return p.hypervolume; };
    detail::progress_panel(s, points, accuracy, "panel-accuracy", "best feasible accuracy (%)", 0.0, title_height, w, h);
    detail::progress_panel(s, points, hypervolume, "panel-hypervolume", "hypervolume", w, title_height, w, h);
    s += "</svg>\n";
    return s;
}

/// Writes progress_svg(points, options) to `path`, atomically.
inline void write_progress_svg(const std::filesystem::path& path, std::span<const progress_point> points, const pareto_plot_options& options = {}) {
    io::write_file_atomically(path, progress_svg(points, options));
}

} // namespace nascent::search
