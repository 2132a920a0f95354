// nascent/search/pareto_report.hpp - the Pareto front of a search as CSV and as an SVG plot.
//
//   const search::nsga2_result r = search::nsga2<space>(in, judge, limits, o);
//   search::write_pareto_csv("front.csv", r.history, r.front);
//   search::write_pareto_svg("front.svg", r.history, r.front, {.title = "NSGA-II, 8 KiB of RAM"});
//   const std::string svg = search::pareto_svg(r.history, r.front);   // the same text, in memory
//
// `candidates` is any strategy's history, `front` the indices into it to highlight. The CSV has the
// header `architecture,accuracy,peak_ram_bytes,flash_bytes,macs` and one row per member of `front`,
// in its order. The SVG is self-contained, with three panels (accuracy against peak RAM, flash and
// MACs; groups id="panel-ram", id="panel-flash" and id="panel-macs") of every candidate, the front
// highlighted and joined by a step line. Files are written atomically (io::write_file_atomically). A front index out
// of range, or a panel smaller than 120 x 100 pixels, throws nascent::error.
#pragma once

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "nascent/core/error.hpp"
#include "nascent/core/text.hpp"
#include "nascent/io/atomic_file.hpp"
#include "nascent/search/result.hpp"
#include "nascent/space/architecture.hpp"

namespace nascent::search {

struct pareto_plot_options {
    std::string title = "Pareto front";  ///< above the panels (empty: none)
    int panel_width = 400;               ///< pixels per panel
    int panel_height = 300;
};

/// The shortest decimal text that reads back as `v` (the tables' accuracies).
[[nodiscard]] inline std::string shortest_text(double v) {
    char buffer[64];
    const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
    if (ec != std::errc{}) return string_of(v);
    return std::string(buffer, end);
}

/// `v` with `decimals` digits after the point.
[[nodiscard]] inline std::string fixed_text(double v, int decimals) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*f", decimals, v);
    return buffer;
}

namespace detail {

inline double title_height(const pareto_plot_options& o) { return o.title.empty() ? 0.0 : 28.0; }

inline void check_front(std::span<const evaluated> candidates, std::span<const std::size_t> front, const char* who) {
    for (const std::size_t i : front)
        require(i < candidates.size(), string_of(who, ": front index ", i, " is out of the ", candidates.size(), " candidates"));
}

inline std::string shortest(double v) { return shortest_text(v); }
inline std::string fixed(double v, int decimals) { return fixed_text(v, decimals); }

inline std::string xml_escape(std::string_view text) {
    std::string out;
    for (const char c : text) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&apos;"; break;
        default: out.push_back(c);
        }
    }
    return out;
}

/// Round ticks covering [low, high]: a step of 1, 2 or 5 times a power of ten giving about
/// `target` intervals, and the axis range widened to whole steps.
struct axis {
    double low = 0.0, high = 1.0, step = 0.2;
    int decimals = 1;

    static axis covering(double low, double high, int target = 5) {
        if (!(high > low)) {
            const double pad = std::abs(low) > 0 ? std::abs(low) * 0.1 : 1.0;
            low -= pad;
            high += pad;
        }
        const double raw = (high - low) / target;
        const double power = std::pow(10.0, std::floor(std::log10(raw)));
        const double fraction = raw / power;
        const double step = (fraction <= 1.0 ? 1.0 : fraction <= 2.0 ? 2.0 : fraction <= 5.0 ? 5.0 : 10.0) * power;
        axis a;
        a.step = step;
        a.low = std::floor(low / step + 1e-9) * step;
        a.high = std::ceil(high / step - 1e-9) * step;
        a.decimals = std::max(0, -static_cast<int>(std::floor(std::log10(step) + 1e-9)));
        return a;
    }
    [[nodiscard]] std::vector<double> ticks() const {
        std::vector<double> t;
        const auto count = static_cast<long>(std::llround((high - low) / step));
        for (long k = 0; k <= count; ++k) t.push_back(low + static_cast<double>(k) * step);
        return t;
    }
};

/// The plot area of a panel at (left, top) of width x height pixels, and the pixel of a value on
/// each axis.
struct plot_area {
    double left, x0, x1, y0, y1;  ///< y0: the bottom of the area
    axis ax, ay;

    plot_area(double left_, double top, double width, double height, axis x, axis y)
        : left(left_), x0(left_ + 58), x1(left_ + width - 14), y0(top + height - 44), y1(top + 10), ax(x), ay(y) {}
    [[nodiscard]] double px(double v) const { return x0 + (v - ax.low) / (ax.high - ax.low) * (x1 - x0); }
    [[nodiscard]] double py(double v) const { return y0 - (v - ay.low) / (ay.high - ay.low) * (y0 - y1); }
};

/// The opening of a self-contained SVG document of the size given, on white, with `title` centred
/// above the panels (none when empty).
inline std::string svg_open(double width, double height, const std::string& title) {
    std::string s = string_of("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"", fixed(width, 0), "\" height=\"", fixed(height, 0),
                              "\" viewBox=\"0 0 ", fixed(width, 0), " ", fixed(height, 0), "\" font-family=\"sans-serif\" font-size=\"11\">\n");
    s += string_of("<rect width=\"", fixed(width, 0), "\" height=\"", fixed(height, 0), "\" fill=\"white\"/>\n");
    if (!title.empty())
        s += string_of("<text x=\"", fixed(width / 2, 1), "\" y=\"19\" text-anchor=\"middle\" font-size=\"14\">", xml_escape(title), "</text>\n");
    return s;
}

/// Opens a panel's group `id` and draws its frame, the ticks of both axes and their labels.
inline void svg_frame(std::string& s, const plot_area& a, const char* id, const char* x_label, const char* y_label) {
    s += string_of("<g class=\"panel\" id=\"", id, "\">\n");
    s += string_of("<rect x=\"", fixed(a.x0, 1), "\" y=\"", fixed(a.y1, 1), "\" width=\"", fixed(a.x1 - a.x0, 1), "\" height=\"",
                   fixed(a.y0 - a.y1, 1), "\" fill=\"none\" stroke=\"#444\"/>\n");
    for (const double t : a.ax.ticks()) {
        const double x = a.px(t);
        s += string_of("<line x1=\"", fixed(x, 1), "\" y1=\"", fixed(a.y0, 1), "\" x2=\"", fixed(x, 1), "\" y2=\"", fixed(a.y0 + 4, 1),
                       "\" stroke=\"#444\"/>\n");
        s += string_of("<text x=\"", fixed(x, 1), "\" y=\"", fixed(a.y0 + 16, 1), "\" text-anchor=\"middle\">", fixed(t, a.ax.decimals),
                       "</text>\n");
    }
    for (const double t : a.ay.ticks()) {
        const double y = a.py(t);
        s += string_of("<line x1=\"", fixed(a.x0 - 4, 1), "\" y1=\"", fixed(y, 1), "\" x2=\"", fixed(a.x0, 1), "\" y2=\"", fixed(y, 1),
                       "\" stroke=\"#444\"/>\n");
        s += string_of("<text x=\"", fixed(a.x0 - 7, 1), "\" y=\"", fixed(y + 4, 1), "\" text-anchor=\"end\">", fixed(t, a.ay.decimals),
                       "</text>\n");
    }
    s += string_of("<text x=\"", fixed((a.x0 + a.x1) / 2, 1), "\" y=\"", fixed(a.y0 + 36, 1), "\" text-anchor=\"middle\">", x_label, "</text>\n");
    s += string_of("<text x=\"", fixed(a.left + 14, 1), "\" y=\"", fixed((a.y0 + a.y1) / 2, 1),
                   "\" text-anchor=\"middle\" transform=\"rotate(-90 ", fixed(a.left + 14, 1), " ", fixed((a.y0 + a.y1) / 2, 1), ")\">", y_label,
                   "</text>\n");
}

/// One panel: accuracy (%) against the figure `x_of` of each candidate.
template <class Figure>
void svg_panel(std::string& s, std::span<const evaluated> candidates, std::span<const std::size_t> front, Figure x_of,
               const char* id, const char* x_label, double left, double top, double width, double height) {
    double xl = 0, xh = 1, yl = 0, yh = 100;
    if (!candidates.empty()) {
        xl = xh = x_of(candidates[0]);
        yl = yh = 100.0 * candidates[0].accuracy;
        for (const auto& c : candidates) {
            xl = std::min(xl, x_of(c)), xh = std::max(xh, x_of(c));
            yl = std::min(yl, 100.0 * c.accuracy), yh = std::max(yh, 100.0 * c.accuracy);
        }
    }
    const plot_area area(left, top, width, height, axis::covering(xl, xh), axis::covering(yl, yh));
    auto px = [&](double v) { return area.px(v); };
    auto py = [&](double v) { return area.py(v); };
    svg_frame(s, area, id, x_label, "accuracy (%)");

    std::vector<bool> on_front(candidates.size(), false);
    for (const std::size_t i : front) on_front[i] = true;
    auto circle = [&](std::size_t i, bool highlighted) {
        const evaluated& c = candidates[i];
        s += string_of("<circle cx=\"", fixed(px(x_of(c)), 1), "\" cy=\"", fixed(py(100.0 * c.accuracy), 1), "\" r=\"",
                    highlighted ? "3.5" : "2.5", "\" fill=\"", highlighted ? "#d62728" : "#a0a0a0", "\"><title>",
                    xml_escape(to_text(c.arch)), ": accuracy ", fixed(100.0 * c.accuracy, 2), " %, peak RAM ", c.costs.peak_ram_bytes,
                    " B, flash ", c.costs.flash_bytes, " B, MACs ", c.costs.macs, "</title></circle>\n");
    };
    for (std::size_t i = 0; i < candidates.size(); ++i)
        if (!on_front[i]) circle(i, false);

    // the step line: the best accuracy of the front at each figure
    std::vector<std::size_t> members;
    for (std::size_t i = 0; i < candidates.size(); ++i)
        if (on_front[i]) members.push_back(i);
    std::stable_sort(members.begin(), members.end(), [&](std::size_t a, std::size_t b) {
        const double xa = x_of(candidates[a]), xb = x_of(candidates[b]);
        return xa < xb || (xa == xb && candidates[a].accuracy > candidates[b].accuracy);
    });
    std::string path;
    double best = 0.0;
    for (const std::size_t i : members) {
        const double x = px(x_of(candidates[i])), y = py(100.0 * candidates[i].accuracy);
        if (path.empty()) {
            path = string_of("M", fixed(x, 1), " ", fixed(y, 1));
            best = candidates[i].accuracy;
        } else if (candidates[i].accuracy > best) {
            path += string_of(" H", fixed(x, 1), " V", fixed(y, 1));
            best = candidates[i].accuracy;
        }
    }
    if (!path.empty()) s += string_of("<path class=\"front-line\" d=\"", path, "\" fill=\"none\" stroke=\"#d62728\" stroke-width=\"1.5\"/>\n");
    for (const std::size_t i : members) circle(i, true);
    s += "</g>\n";
}

} // namespace detail

/// The front as CSV: a header line, then one row per member of `front` (docs/search.md, "Multi-objective search").
/// Throws nascent::error on an index out of `candidates`.
[[nodiscard]] inline std::string pareto_csv(std::span<const evaluated> candidates, std::span<const std::size_t> front) {
    detail::check_front(candidates, front, "pareto_csv");
    std::string s = "architecture,accuracy,peak_ram_bytes,flash_bytes,macs\n";
    for (const std::size_t i : front) {
        const evaluated& c = candidates[i];
        s += string_of(to_text(c.arch), ',', detail::shortest(c.accuracy), ',', c.costs.peak_ram_bytes, ',', c.costs.flash_bytes, ',',
                    c.costs.macs, '\n');
    }
    return s;
}

/// The three-panel SVG plot of `candidates` with `front` highlighted (docs/search.md, "Multi-objective search").
/// Throws nascent::error on an index out of `candidates` or a panel smaller than 120 x 100 pixels.
[[nodiscard]] inline std::string pareto_svg(std::span<const evaluated> candidates, std::span<const std::size_t> front,
                                            const pareto_plot_options& options = {}) {
    detail::check_front(candidates, front, "pareto_svg");
    require(options.panel_width >= 120 && options.panel_height >= 100, "pareto_svg: panels must be at least 120 x 100 pixels");
    const double title_height = detail::title_height(options);
    const double w = options.panel_width, h = options.panel_height;
    std::string s = detail::svg_open(3 * w, h + title_height, options.title);
    auto ram = [](const evaluated& c) { return static_cast<double>(c.costs.peak_ram_bytes); };
    auto flash = [](const evaluated& c) { return static_cast<double>(c.costs.flash_bytes); };
    detail::svg_panel(s, candidates, front, ram, "panel-ram", "peak RAM (bytes)", 0.0, title_height, w, h);
    auto macs = [](const evaluated& c) { return static_cast<double>(c.costs.macs); };
    detail::svg_panel(s, candidates, front, flash, "panel-flash", "flash (bytes)", w, title_height, w, h);
    detail::svg_panel(s, candidates, front, macs, "panel-macs", "MACs", 2 * w, title_height, w, h);
    s += "</svg>\n";
    return s;
}

/// Writes pareto_csv(candidates, front) to `path`, atomically.
inline void write_pareto_csv(const std::filesystem::path& path, std::span<const evaluated> candidates, std::span<const std::size_t> front) {
    io::write_file_atomically(path, pareto_csv(candidates, front));
}

/// Writes pareto_svg(candidates, front, options) to `path`, atomically.
inline void write_pareto_svg(const std::filesystem::path& path, std::span<const evaluated> candidates, std::span<const std::size_t> front,
                             const pareto_plot_options& options = {}) {
    io::write_file_atomically(path, pareto_svg(candidates, front, options));
}

} // namespace nascent::search
