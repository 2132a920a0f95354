// nascent/nn/serialize.hpp - saving and loading a model's weights and state.
//
// save(model, path) writes every parameter and buffer (batch-norm statistics)
// in the model's visiting order, atomically. load(model, path) reads them back
// into a model of the same architecture. A file that is missing, not a nascent
// weights file, of an unknown version, truncated, corrupt (checksum) or made for
// another architecture raises nascent::error naming the file and the problem,
// and leaves the model exactly as it was: everything is checked before
// anything is copied.
//
// Format (little-endian): "NASCENTW", u32 version (1), u32 scalar bytes (4 or 8),
// u32 entry count; per entry: u32 name length, name ("<index>.<name>"), u32 kind
// (0 parameter, 1 buffer), u32 rank, u64 extents[rank], the values; then a u32
// CRC-32 of every byte before it. Float and double files load into either.
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <zlib.h>

#include "nascent/autograd/parameter.hpp"
#include "nascent/core/error.hpp"
#include "nascent/core/text.hpp"
#include "nascent/io/atomic_file.hpp"

namespace nascent::nn {

static_assert(std::endian::native == std::endian::little, "the weights format is written for little-endian hosts");

namespace detail {

inline constexpr char weights_magic[8] = {'N', 'A', 'S', 'C', 'E', 'N', 'T', 'W'};
inline constexpr std::uint32_t weights_version = 1;

/// One saved tensor, as read from a file before it is checked against a model.
struct saved_tensor {
    std::string name;
    std::uint32_t kind = 0;
    std::vector<std::size_t> shape;
    std::vector<double> values;
};

template <class U>
void put(std::string& out, U v) {
    char bytes[sizeof(U)];
    std::memcpy(bytes, &v, sizeof(U));
    out.append(bytes, sizeof(U));
}

/// Bounds-checked reading of a byte buffer; running past the end is a truncated file.
class reader {
public:
    reader(const std::string& bytes, std::string where) : bytes_(bytes), where_(std::move(where)) {}

    template <class U>
    U get(const char* what) {
        need(sizeof(U), what);
        U v;
        std::memcpy(&v, bytes_.data() + at_, sizeof(U));
        at_ += sizeof(U);
        return v;
    }
    std::string text(std::size_t n, const char* what) {
        need(n, what);
        std::string s = bytes_.substr(at_, n);
        at_ += n;
        return s;
    }
    [[nodiscard]] std::size_t position() const noexcept { return at_; }
    [[nodiscard]] std::size_t remaining() const noexcept { return bytes_.size() - at_; }

private:
    void need(std::size_t n, const char* what) const {
        if (bytes_.size() - at_ < n)
            throw error(where_ + "truncated file: it ends inside " + what + " (at byte " + std::to_string(at_) + " of " +
                        std::to_string(bytes_.size()) + ")");
    }
    const std::string& bytes_;
    std::string where_;
    std::size_t at_ = 0;
};

template <class T, class Model>
std::vector<saved_tensor> describe(Model& model) {
    std::vector<saved_tensor> entries;
    auto add = [&](const std::string& name, std::uint32_t kind, const xt::xarray<T>& value) {
        saved_tensor e;
        e.name = std::to_string(entries.size()) + "." + name;
        e.kind = kind;
        e.shape.assign(value.shape().begin(), value.shape().end());
        entries.push_back(std::move(e));
    };
    for (auto* p : model.parameters()) add(p->name, 0, p->value);
    for (auto* b : model.buffers()) add(b->name, 1, b->value);
    return entries;
}

inline std::string shape_text(const std::vector<std::size_t>& shape) {
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) s += string_of(i > 0 ? "x" : "", shape[i]);
    s += ']';
    return s;
}

} // namespace detail

/// Writes the model's parameters and buffers to `path` (atomically: the old file stays intact on failure).
template <class Model>
void save(Model& model, const std::filesystem::path& path) {
    using T = typename Model::scalar;
    std::string out;
    out.append(detail::weights_magic, sizeof detail::weights_magic);
    detail::put<std::uint32_t>(out, detail::weights_version);
    detail::put<std::uint32_t>(out, static_cast<std::uint32_t>(sizeof(T)));
    auto params = model.parameters();
    auto buffers = model.buffers();
    detail::put<std::uint32_t>(out, static_cast<std::uint32_t>(params.size() + buffers.size()));
    std::size_t index = 0;
    auto write_entry = [&](const std::string& name, std::uint32_t kind, const xt::xarray<T>& value) {
        const std::string qualified = std::to_string(index++) + "." + name;
        detail::put<std::uint32_t>(out, static_cast<std::uint32_t>(qualified.size()));
        out += qualified;
        detail::put<std::uint32_t>(out, kind);
        detail::put<std::uint32_t>(out, static_cast<std::uint32_t>(value.dimension()));
        for (const auto extent : value.shape()) detail::put<std::uint64_t>(out, extent);
        out.append(reinterpret_cast<const char*>(value.data()), value.size() * sizeof(T));
    };
    for (auto* p : params) write_entry(p->name, 0, p->value);
    for (auto* b : buffers) write_entry(b->name, 1, b->value);
    const auto crc = static_cast<std::uint32_t>(
        ::crc32(0L, reinterpret_cast<const Bytef*>(out.data()), static_cast<uInt>(out.size())));
    detail::put<std::uint32_t>(out, crc);
    io::write_file_atomically(path, out);
}

/// Reads weights saved by save() into `model`. On any error the model is unchanged.
template <class Model>
void load(Model& model, const std::filesystem::path& path) {
    using T = typename Model::scalar;
    const std::string where = "weights file '" + path.string() + "': ";
    std::ifstream in(path, std::ios::binary);
    if (!in) throw error(where + "cannot open it (missing or unreadable)");
    const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};

    detail::reader r(bytes, where);
    if (r.text(sizeof detail::weights_magic, "the magic number") != std::string(detail::weights_magic, sizeof detail::weights_magic))
        throw error(where + "not a nascent weights file (wrong magic number)");
    const auto version = r.get<std::uint32_t>("the version");
    if (version != detail::weights_version)
        throw error(where + "version " + std::to_string(version) + " is not supported (this build reads version " +
                    std::to_string(detail::weights_version) + ")");
    const auto scalar_bytes = r.get<std::uint32_t>("the scalar size");
    if (scalar_bytes != 4 && scalar_bytes != 8)
        throw error(where + "scalar size " + std::to_string(scalar_bytes) + " is neither float (4) nor double (8)");
    const auto count = r.get<std::uint32_t>("the entry count");

    std::vector<detail::saved_tensor> entries;
    for (std::uint32_t i = 0; i < count; ++i) {
        detail::saved_tensor e;
        const auto name_length = r.get<std::uint32_t>("an entry name length");
        if (name_length > 4096) throw error(where + "corrupt entry " + std::to_string(i) + " (name of " + std::to_string(name_length) + " bytes)");
        e.name = r.text(name_length, "an entry name");
        e.kind = r.get<std::uint32_t>("an entry kind");
        const auto rank = r.get<std::uint32_t>("an entry rank");
        if (rank > 8) throw error(where + "corrupt entry '" + e.name + "' (rank " + std::to_string(rank) + ")");
        std::size_t size = 1;
        for (std::uint32_t d = 0; d < rank; ++d) {
            const auto extent = r.get<std::uint64_t>("an entry shape");
            if (extent > r.remaining()) throw error(where + "truncated file or corrupt shape in entry '" + e.name + "'");
            e.shape.push_back(static_cast<std::size_t>(extent));
            size *= static_cast<std::size_t>(extent);
        }
        if (size > r.remaining() / scalar_bytes)
            throw error(where + "truncated file: entry '" + e.name + "' needs " + std::to_string(size * scalar_bytes) +
                        " bytes of values, " + std::to_string(r.remaining()) + " remain");
        e.values.resize(size);
        for (auto& v : e.values)
            v = scalar_bytes == 4 ? static_cast<double>(r.get<float>("the values")) : r.get<double>("the values");
        entries.push_back(std::move(e));
    }
    const std::size_t body = r.position();
    const auto stored_crc = r.get<std::uint32_t>("the checksum");
    if (r.remaining() != 0) throw error(where + std::to_string(r.remaining()) + " unexpected bytes after the checksum");
    const auto crc = static_cast<std::uint32_t>(::crc32(0L, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(body)));
    if (crc != stored_crc) throw error(where + "checksum mismatch: the file is corrupt");

    const auto expected = detail::describe<T>(model);
    if (entries.size() != expected.size())
        throw error(where + "it holds " + std::to_string(entries.size()) + " tensors, the model has " +
                    std::to_string(expected.size()) + ": it was saved from another architecture");
    for (std::size_t i = 0; i < entries.size(); ++i) {
        if (entries[i].name != expected[i].name || entries[i].kind != expected[i].kind || entries[i].shape != expected[i].shape)
            throw error(where + "tensor " + std::to_string(i) + " is '" + entries[i].name + "' " +
                        detail::shape_text(entries[i].shape) + ", the model expects '" + expected[i].name + "' " +
                        detail::shape_text(expected[i].shape) + ": it was saved from another architecture");
    }
    // Everything checked: copy.
    std::size_t i = 0;
    auto assign = [&](xt::xarray<T>& value) {
        std::transform(entries[i].values.begin(), entries[i].values.end(), value.begin(), [](double v) { return static_cast<T>(v); });
        ++i;
    };
    for (auto* p : model.parameters()) assign(p->value);
    for (auto* b : model.buffers()) assign(b->value);
}

} // namespace nascent::nn
