// nascent/data/idx.hpp - reader for IDX files, the container of MNIST and Fashion-MNIST.
//
// An IDX file is a big-endian header - two zero bytes, a type code, the rank, then
// `rank` uint32 extents - followed by the elements in row-major order. read_idx()
// reads the file plain or gzip-compressed (zlib tells them apart by themselves) and
// supports the unsigned-byte type 0x08, the only one the image datasets use, with
// rank 1 to 4. Every bad input - a missing or unreadable file, a wrong magic number,
// an implausible rank, a truncated header or payload, bytes after the payload, a
// corrupt gzip stream - throws nascent::error naming the file and the problem.
#pragma once

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>
#include <system_error>
#include <vector>

#include <zlib.h>

#include "nascent/core/error.hpp"
#include "nascent/core/text.hpp"

namespace nascent {

/// The contents of one IDX file of unsigned bytes.
struct idx_array {
    std::vector<std::uint32_t> dims; ///< extents, outermost first
    std::vector<std::uint8_t> data;  ///< elements, row-major

    /// Number of elements: the product of `dims` (0 when `dims` is empty).
    [[nodiscard]] std::size_t count() const noexcept {
        if (dims.empty()) return 0;
        std::size_t total = 1;
        for (const std::uint32_t d : dims) total *= d;
        return total;
    }
};

namespace detail {

/// Owns a gzFile opened for reading; closes it on destruction.
class gz_reader {
public:
    explicit gz_reader(const std::filesystem::path& path) : file_(gzopen(path.string().c_str(), "rb")) {}
    ~gz_reader() {
        if (file_ != nullptr) gzclose(file_);
    }
    gz_reader(const gz_reader&) = delete;
    gz_reader& operator=(const gz_reader&) = delete;

    [[nodiscard]] bool is_open() const noexcept { return file_ != nullptr; }
    [[nodiscard]] gzFile get() const noexcept { return file_; }

private:
    gzFile file_;
};

inline std::string idx_where(const std::filesystem::path& path) { return "IDX file '" + path.string() + "': "; }

inline std::string hex_string(std::uint64_t value, int digits) {
    static constexpr char hex_digits[] = "0123456789ABCDEF";
    std::string text = "0x";
    for (int i = digits - 1; i >= 0; --i) text += hex_digits[(value >> (4U * static_cast<unsigned>(i))) & 0xFU];
    return text;
}

inline std::string dims_string(const std::vector<std::uint32_t>& dims) {
    std::string text;
    for (std::size_t i = 0; i < dims.size(); ++i) {
        if (i != 0) text += 'x';
        text += std::to_string(dims[i]);
    }
    return text;
}

/// Throws if zlib recorded an error on `file` (a failed read, a corrupt or cut-off gzip stream).
inline void check_gz(gzFile file, const std::filesystem::path& path) {
    int code = Z_OK;
    const char* message = gzerror(file, &code);
    if (code == Z_OK) return;
    std::string detail = message != nullptr && *message != '\0' ? message : "unknown zlib error";
    // zlib puts the file name in front; the message names it already.
    const std::string prefix = path.string() + ": ";
    if (detail.compare(0, prefix.size(), prefix) == 0) detail.erase(0, prefix.size());
    if (code == Z_ERRNO) throw error(idx_where(path) + "read error (" + detail + ")");
    if (code == Z_MEM_ERROR) throw error(idx_where(path) + "out of memory while decompressing");
    throw error(idx_where(path) + "corrupt gzip stream (gzread: " + detail + ")");
}

/// Reads until `size` bytes are in `out` or the file ends; returns how many were read.
inline std::size_t gz_read_some(gzFile file, std::uint8_t* out, std::size_t size, const std::filesystem::path& path) {
    constexpr std::size_t max_chunk = std::size_t{1} << 30U;
    std::size_t got = 0;
    while (got < size) {
        const auto chunk = static_cast<unsigned>(std::min(size - got, max_chunk));
        const int n = gzread(file, out + got, chunk);
        check_gz(file, path);
        if (n < 0) throw error(idx_where(path) + "corrupt gzip stream (gzread failed)");
        if (n == 0) break;
        got += static_cast<std::size_t>(n);
    }
    return got;
}

} // namespace detail

/// Reads the IDX file at `path` (plain or gzip-compressed); see the top of this header.
[[nodiscard]] inline idx_array read_idx(const std::filesystem::path& path) {
    using detail::idx_where;
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec);
    if (ec && ec != std::errc::no_such_file_or_directory && ec != std::errc::not_a_directory) {
        throw error(idx_where(path) + "cannot access file (" + ec.message() + ")");
    }
    if (!std::filesystem::exists(status)) throw error(idx_where(path) + "file not found");
    if (std::filesystem::is_directory(status)) throw error(idx_where(path) + "is a directory, not a file");

    errno = 0;
    const detail::gz_reader reader(path);
    if (!reader.is_open()) {
        const int err = errno;
        throw error(idx_where(path) + "cannot open file for reading" +
                    (err != 0 ? string_of(" (", std::generic_category().message(err), ")") : std::string{}));
    }
    gzFile file = reader.get();
    gzbuffer(file, 1U << 17U);

    // Magic number: 0x00 0x00 <type code> <rank>.
    std::uint8_t magic[4] = {};
    const std::size_t magic_got = detail::gz_read_some(file, magic, 4, path);
    if (magic_got < 4) {
        throw error(idx_where(path) + "truncated header: expected at least 4 bytes, found " +
                    std::to_string(magic_got));
    }
    const std::uint64_t magic_value = (std::uint64_t{magic[0]} << 24U) | (std::uint64_t{magic[1]} << 16U) |
                                      (std::uint64_t{magic[2]} << 8U) | std::uint64_t{magic[3]};
    if (magic[0] != 0 || magic[1] != 0) {
        throw error(idx_where(path) + "wrong magic number " + detail::hex_string(magic_value, 8) +
                    ": an IDX file starts with two zero bytes, a type code and the rank");
    }
    const std::uint8_t type = magic[2];
    const char* type_name = nullptr;
    switch (type) {
    case 0x08: type_name = "unsigned byte"; break;
    case 0x09: type_name = "signed byte"; break;
    case 0x0B: type_name = "int16"; break;
    case 0x0C: type_name = "int32"; break;
    case 0x0D: type_name = "float32"; break;
    case 0x0E: type_name = "float64"; break;
    default:
        throw error(idx_where(path) + "wrong magic number " + detail::hex_string(magic_value, 8) + ": unknown type code " +
                    detail::hex_string(type, 2));
    }
    if (type != 0x08) {
        throw error(idx_where(path) + "unsupported type code " + detail::hex_string(type, 2) + " (" + type_name +
                    "); only 0x08 (unsigned byte) is supported");
    }
    const unsigned rank = magic[3];
    if (rank == 0 || rank > 4) {
        throw error(idx_where(path) + "implausible rank " + std::to_string(rank) + " (expected 1 to 4)");
    }

    // Extents: rank big-endian uint32.
    std::uint8_t extent_bytes[16] = {};
    const std::size_t extent_size = 4 * std::size_t{rank};
    const std::size_t extent_got = detail::gz_read_some(file, extent_bytes, extent_size, path);
    if (extent_got < extent_size) {
        throw error(idx_where(path) + "truncated header: rank " + std::to_string(rank) + " needs " +
                    std::to_string(4 + extent_size) + " header bytes, found " + std::to_string(4 + extent_got));
    }
    idx_array result;
    result.dims.resize(rank);
    for (unsigned i = 0; i < rank; ++i) {
        const std::uint8_t* b = extent_bytes + 4 * std::size_t{i};
        result.dims[i] = (std::uint32_t{b[0]} << 24U) | (std::uint32_t{b[1]} << 16U) | (std::uint32_t{b[2]} << 8U) |
                         std::uint32_t{b[3]};
    }
    std::size_t expected = 1;
    bool too_large = false;
    if (std::find(result.dims.begin(), result.dims.end(), 0U) != result.dims.end()) {
        expected = 0;
    } else {
        constexpr auto limit = static_cast<std::size_t>(std::numeric_limits<std::ptrdiff_t>::max());
        for (const std::uint32_t d : result.dims) {
            if (expected > limit / d) too_large = true;
            else expected *= d;
        }
    }
    if (too_large) {
        throw error(idx_where(path) + "implausible dimensions " + detail::dims_string(result.dims) +
                    " (more elements than memory can hold)");
    }

    // Payload. The buffer grows while data arrives, so a corrupt header that claims a huge
    // extent fails as truncated instead of allocating everything up front.
    std::size_t got = 0;
    result.data.resize(std::min(expected, std::size_t{1} << 22U));
    for (;;) {
        got += detail::gz_read_some(file, result.data.data() + got, result.data.size() - got, path);
        if (got < result.data.size() || result.data.size() == expected) break;
        result.data.resize(std::min(expected, 2 * result.data.size()));
    }
    if (got < expected) {
        throw error(idx_where(path) + "truncated data: dimensions " + detail::dims_string(result.dims) +
                    " need " + std::to_string(expected) + " bytes, found " + std::to_string(got));
    }

    // Nothing may follow the payload.
    std::size_t trailing = 0;
    std::uint8_t scratch[4096];
    for (;;) {
        const std::size_t n = detail::gz_read_some(file, scratch, sizeof scratch, path);
        trailing += n;
        if (n < sizeof scratch) break;
    }
    if (trailing != 0) {
        throw error(idx_where(path) + std::to_string(trailing) + " trailing bytes after the " +
                    std::to_string(expected) + " bytes of data (dimensions " + detail::dims_string(result.dims) +
                    ")");
    }
    return result;
}

} // namespace nascent
