// nascent/io/atomic_file.hpp - writing a file so that it is either complete or untouched.
//
// write_file_atomically(path, bytes) writes to a temporary file in the same
// folder, flushes it to disk and renames it over `path`. A crash or a full disk
// leaves the previous file as it was; readers never see half a file.
#pragma once

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>

#include <fcntl.h>
#include <unistd.h>

#include "nascent/core/error.hpp"

namespace nascent::io {

inline void write_file_atomically(const std::filesystem::path& path, std::string_view bytes) {
    const std::filesystem::path temporary = path.string() + ".tmp." + std::to_string(::getpid());
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) throw error("cannot write '" + path.string() + "': " + std::strerror(errno));
    auto fail = [&](const char* what) {
        const std::string reason = std::strerror(errno);
        ::close(fd);
        std::filesystem::remove(temporary);
        throw error("cannot write '" + path.string() + "' (" + what + "): " + reason);
    };
    std::size_t written = 0;
    while (written < bytes.size()) {
        const ::ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
        if (n < 0) {
            if (errno == EINTR) continue;
            fail("write");
        }
        written += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0) fail("fsync");
    if (::close(fd) != 0) {
        std::filesystem::remove(temporary);
        throw error("cannot write '" + path.string() + "' (close): " + std::strerror(errno));
    }
    std::error_code ec;
    std::filesystem::rename(temporary, path, ec);
    if (ec) {
        std::filesystem::remove(temporary);
        throw error("cannot write '" + path.string() + "' (rename): " + ec.message());
    }
}

} // namespace nascent::io
