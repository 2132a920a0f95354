// nascent/deploy/export.hpp - one self-contained C++ header per trained model.
//
// model_header() writes what a firmware (or any program) needs to run a model,
// with nothing but nascent's deploy headers:
//     namespace <name> {
//     inline constexpr nascent::deploy::program<N> program{...};   // steps, arena offsets
//     using network = nascent::deploy::network<program>;           // the fixed type
//     alignas(4) inline constexpr std::int8_t weights[] = {...};   // (float for float models)
//     alignas(4) inline constexpr std::int32_t params[] = {...};
//     inline constexpr std::int8_t input_of_pixel[256] = {...};    // pixel 0..255 -> network input
//     namespace metadata { ... }                                   // architecture, accuracy, costs, normalisation
//     inline constexpr const char* class_names[] = {...};
//     }
// The program is the one deploy::fixed<Space, ...> compiles for the same architecture
// (a test compares them), so the header is the fixed type written out; weights and
// parameters are those of extract() (float) or quantize() (int8).
//
// Every value is written exactly: integers in decimal, floats with the shortest text that
// reads back to the same float. write_model_header() writes the file atomically.
#pragma once

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "nascent/core/error.hpp"
#include "nascent/core/text.hpp"
#include "nascent/cost/costs.hpp"
#include "nascent/runtime/program.hpp"
#include "nascent/io/atomic_file.hpp"

namespace nascent::deploy {

/// What the header says about the model besides its program and weights.
struct model_metadata {
    std::string space;                      ///< the space type, e.g. "nascent::zoo::munas"
    std::string architecture;               ///< the architecture's text form
    std::vector<int> decisions;             ///< the architecture's values (empty for a space without decisions)
    double float_accuracy = -1;             ///< percent on the test split (negative: not measured)
    double int8_accuracy = -1;
    cost::costs costs{};                    ///< the cost model's figures at the program's precision
    double latency_ms = -1;                 ///< estimated Cortex-M4 latency (negative: not estimated)
    std::vector<float> mean{0.0F};          ///< input normalisation per channel: (pixel / 255 - mean) / stddev
    std::vector<float> stddev{1.0F};
    float input_scale = 1.0F;               ///< int8: real input = (q - input_zero_point) * input_scale
    int input_zero_point = 0;
    float output_scale = 1.0F;              ///< int8: real output = (q - output_zero_point) * output_scale
    int output_zero_point = 0;
    std::vector<std::string> class_names;
};

namespace detail {

inline std::string float_text(float v) {
    if (!std::isfinite(v)) throw error("model_header: a weight or parameter is not finite");
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, v);
    std::string s(buffer, result.ptr);
    if (s.find_first_of(".e") == std::string::npos) s += ".0";
    return s + 'F';
}

inline std::string double_text(double v) {
    char buffer[40];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, v);
    std::string s(buffer, result.ptr);
    if (s.find_first_of(".en") == std::string::npos) s += ".0";
    return s;
}

template <class T>
std::string element_text(T v) {
    if constexpr (std::is_floating_point_v<T>) return float_text(static_cast<float>(v));
    else return std::to_string(static_cast<long long>(v));
}

/// Elements separated by commas, about `per_line` a line, indented.
template <class T>
std::string array_text(std::span<const T> values, std::size_t per_line) {
    std::string out;
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i % per_line == 0) out += "\n    ";
        out += element_text(values[i]);
        out += i + 1 < values.size() ? (i % per_line + 1 == per_line ? "," : ", ") : "";
    }
    return out + '\n';
}

inline std::string shape_initializer(shape s) { return string_of('{', s.h, ", ", s.w, ", ", s.c, '}'); }

inline std::string operand_text(const operand& o) {
    return string_of('{', o.offset, "U, ", shape_initializer(o.extent), ", ", o.pixel_stride, '}');
}

inline const char* activation_name(fused_activation a) {
    return a == fused_activation::relu ? "relu" : a == fused_activation::relu6 ? "relu6" : "none";
}

inline std::string step_text(const step& s) {
    const op_window& w = s.window;
    return string_of("        {nascent::op_type::", op_type_name(s.type), ", nascent::fused_activation::", activation_name(s.activation),
                  ", ", s.in_place ? "true" : "false", ",\n         {", operand_text(s.in[0]), ", ", operand_text(s.in[1]), "}, ",
                  operand_text(s.out), ", ", s.scratch_offset, "U, ", s.scratch_bytes, "U,\n         {", w.kernel_h, ", ", w.kernel_w,
                  ", ", w.stride, ", ", w.dilation, ", ", w.groups, ", ", w.pad_top, ", ", w.pad_left, "}, ", s.weights, "U, ",
                  s.weight_count, "U, ", s.params, "U, ", s.param_count, "U}");
}

/// A C++ identifier made of letters, digits and underscores, not starting with a digit.
inline bool is_identifier(std::string_view name) {
    if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    });
}

inline std::string quoted(std::string_view s) {
    std::string out = "\"";
    for (const char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out + '"';
}

/// `inline constexpr const char* class_names[N] = {...};` and a blank line (nothing when `names` is empty).
inline std::string class_names_text(const std::vector<std::string>& names) {
    if (names.empty()) return {};
    std::string out = string_of("inline constexpr const char* class_names[", names.size(), "] = {");
    for (std::size_t i = 0; i < names.size(); ++i) out += (i == 0 ? "" : ", ") + detail::quoted(names[i]);
    return out + "};\n\n";
}

} // namespace detail

/// The program as a C++ initializer of nascent::deploy::program<N>.
template <std::size_t N>
[[nodiscard]] std::string program_source(const program<N>& p) {
    const std::size_t n = p.steps.size();
    std::string out = string_of("nascent::deploy::program<", n, ">{\n    nascent::precision::",
                             p.element == precision::int8 ? "int8" : "float32", ",\n    {{\n");
    for (std::size_t i = 0; i < n; ++i) out += detail::step_text(p.steps[i]) + (i + 1 < n ? ",\n" : "\n");
    out += string_of("    }},\n    ", p.arena_bytes, "U,\n    ", detail::operand_text(p.input), ",\n    ", detail::operand_text(p.output),
                  ",\n    ", p.weight_count, "U,\n    ", p.param_count, "U}");
    return out;
}

/// The network input for each pixel value 0..255 of each channel ([channel][pixel]): the
/// normalised value, quantised with the input's scale and zero point for int8 programs.
template <class T>
[[nodiscard]] std::vector<T> input_of_pixel(const model_metadata& m) {
    require(!m.mean.empty() && m.mean.size() == m.stddev.size(), "model_header: the normalisation needs a mean and a stddev per channel");
    std::vector<T> table;
    for (std::size_t c = 0; c < m.mean.size(); ++c) {
        for (int pixel = 0; pixel < 256; ++pixel) {
            const float x = (static_cast<float>(pixel) / 255.0F - m.mean[c]) / m.stddev[c];
            if constexpr (std::is_floating_point_v<T>) {
                table.push_back(x);
            } else {
                // as deploy::tensor_quantization::quantize rounds
                const double q = std::nearbyint(static_cast<double>(x) / static_cast<double>(m.input_scale)) + m.input_zero_point;
                table.push_back(static_cast<T>(std::clamp(q, -128.0, 127.0)));
            }
        }
    }
    return table;
}

/// The text of the model header (see the top of this file). W and P are the weight and
/// parameter elements: float and float for float programs, int8 and int32 for int8 ones.
template <std::size_t N, class W, class P>
[[nodiscard]] std::string model_header(std::string_view name, const program<N>& p, std::span<const W> weights,
                                       std::span<const P> params, const model_metadata& m) {
    constexpr bool int8 = std::is_same_v<W, std::int8_t>;
    static_assert((int8 && std::is_same_v<P, std::int32_t>) || (std::is_same_v<W, float> && std::is_same_v<P, float>),
                  "model_header: weights and parameters are int8 and int32, or float and float");
    require(detail::is_identifier(name), string_of("model_header: '", name, "' is not a C++ identifier"));
    require((p.element == precision::int8) == int8, "model_header: the weights' type does not match the program's precision");
    require(weights.size() == p.weight_count,
            string_of("model_header: ", weights.size(), " weights given, the program reads ", p.weight_count));
    require(params.size() == p.param_count, string_of("model_header: ", params.size(), " parameters given, the program reads ", p.param_count));
    const char* w_type = int8 ? "std::int8_t" : "float";
    const char* p_type = int8 ? "std::int32_t" : "float";
    const std::vector<W> table = input_of_pixel<W>(m);
    const cost::costs& c = m.costs;
    std::string out = string_of("// ", name, ".hpp - a fixed network exported by nascent, with its weights.\n//\n",
                             "// space: ", m.space, "\n// architecture: ", m.architecture, "\n// precision: ", int8 ? "int8" : "float32",
                             "\n// arena ", p.arena_bytes, " bytes, weights and parameters ",
                             weights.size() * sizeof(W) + params.size() * sizeof(P), " bytes\n");
    out += string_of("#pragma once\n\n#include <array>\n#include <cstdint>\n\n#include \"nascent/runtime/network.hpp\"\n\nnamespace ", name, " {\n\n");
    out += string_of("inline constexpr auto program = ", program_source(p), ";\n\n");
    out += "/// The fixed network: arena type, input(), run(), classify().\nusing network = nascent::deploy::network<program>;\n\n";
    out += string_of("alignas(4) inline constexpr ", w_type, " weights[", std::max<std::size_t>(weights.size(), 1), "] = {",
                  weights.empty() ? std::string("0") : detail::array_text(weights, int8 ? 24 : 8), "};\n\n");
    out += string_of("alignas(4) inline constexpr ", p_type, " params[", std::max<std::size_t>(params.size(), 1), "] = {",
                  params.empty() ? std::string("0") : detail::array_text(params, int8 ? 12 : 8), "};\n\n");
    out += string_of("/// The network input for pixel value v (0..255) of channel c: input_of_pixel[c * 256 + v].\n",
                  "inline constexpr ", w_type, " input_of_pixel[", table.size(), "] = {",
                  detail::array_text(std::span<const W>(table), int8 ? 24 : 8), "};\n\n");
    out += "namespace metadata {\n";
    out += string_of("inline constexpr const char* space = ", detail::quoted(m.space), ";\n");
    out += string_of("inline constexpr const char* architecture = ", detail::quoted(m.architecture), ";\n");
    out += string_of("/// The architecture's values: deploy::fixed_of<space, input, precision, decisions> is this network.\n",
                  "inline constexpr std::array<int, ", m.decisions.size(), "> decisions{",
                  m.decisions.empty() ? std::string() : detail::array_text(std::span<const int>(m.decisions), 24), "};\n");
    out += string_of("inline constexpr double float_accuracy = ", detail::double_text(m.float_accuracy), ";  // percent, negative: not measured\n");
    out += string_of("inline constexpr double int8_accuracy = ", detail::double_text(m.int8_accuracy), ";\n");
    out += string_of("inline constexpr std::uint32_t params = ", c.params, "U;  // trainable scalars\n");
    out += string_of("inline constexpr std::uint32_t macs = ", c.macs, "U;\n");
    out += string_of("inline constexpr std::uint32_t peak_ram_bytes = ", c.peak_ram_bytes, "U;\n");
    out += string_of("inline constexpr std::uint32_t flash_bytes = ", c.flash_bytes, "U;\n");
    out += string_of("inline constexpr double latency_ms = ", detail::double_text(m.latency_ms), ";  // estimated, Cortex-M4 at 168 MHz\n");
    out += string_of("inline constexpr float input_scale = ", detail::float_text(m.input_scale), ";\n");
    out += string_of("inline constexpr int input_zero_point = ", m.input_zero_point, ";\n");
    out += string_of("inline constexpr float output_scale = ", detail::float_text(m.output_scale), ";\n");
    out += string_of("inline constexpr int output_zero_point = ", m.output_zero_point, ";\n");
    out += string_of("inline constexpr float mean[] = {", detail::array_text(std::span<const float>(m.mean), 8), "};\n");
    out += string_of("inline constexpr float stddev[] = {", detail::array_text(std::span<const float>(m.stddev), 8), "};\n");
    out += "} // namespace metadata\n\n";
    out += detail::class_names_text(m.class_names);
    out += string_of("} // namespace ", name, '\n');
    return out;
}

/// Writes model_header() to `path` atomically (a temporary file, then a rename).
template <std::size_t N, class W, class P>
void write_model_header(const std::filesystem::path& path, std::string_view name, const program<N>& p, std::span<const W> weights,
                        std::span<const P> params, const model_metadata& m) {
    io::write_file_atomically(path, model_header(name, p, weights, params, m));
}

} // namespace nascent::deploy
