// The first test images as a C++ header a firmware embeds, for the exporters of examples/.
//
//   io::write_file_atomically(out / "fashion_images.hpp", exported_images::header(test, 16, "fashion_images"));
//   // namespace fashion_images { count; pixels[count][784]; labels[count]; }
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nascent/core/text.hpp>
#include <nascent/data/dataset.hpp>

namespace exported_images {

/// A header defining namespace `name` with the first `count` images of `data` and their labels.
inline std::string header(const nascent::image_dataset& data, std::size_t count, std::string_view name) {
    using nascent::string_of;
    std::string out = string_of("// ", name, ".hpp - the first ", count, " Fashion-MNIST test images, exported by nascent.\n",
                                "#pragma once\n\n#include <cstdint>\n\nnamespace ", name, " {\n\n", "inline constexpr int count = ", count,
                                ";\n\n", "inline constexpr std::uint8_t pixels[count][", data.sample.size(), "] = {\n");
    for (std::size_t i = 0; i < count; ++i) {
        out += "    {";
        const std::uint8_t* p = data.image(i);
        for (std::size_t k = 0; k < data.sample.size(); ++k)
            out += string_of(k % static_cast<std::size_t>(data.sample.w) == 0 ? "\n     " : "", int{p[k]}, ',');
        out += "},\n";
    }
    out += "};\n\ninline constexpr std::uint8_t labels[count] = {";
    for (std::size_t i = 0; i < count; ++i) out += string_of(i == 0 ? "" : ", ", int{data.labels[i]});
    return out + string_of("};\n\n} // namespace ", name, "\n");
}

} // namespace exported_images
