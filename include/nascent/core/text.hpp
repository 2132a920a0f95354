// nascent/core/text.hpp - building messages from pieces.
//
// string_of("read ", n, " of ", total, " bytes") appends each piece in turn:
// strings and characters as they are, integers and floating-point numbers
// through std::to_string. Appending in place also sidesteps GCC 12's false
// -Wrestrict warning on `"literal" + std::string` (GCC bug 105329).
#pragma once

#include <concepts>
#include <string>
#include <string_view>
#include <type_traits>

namespace nascent {

namespace detail {

inline void append_piece(std::string& out, std::string_view piece) { out.append(piece); }
inline void append_piece(std::string& out, char piece) { out.push_back(piece); }
template <class Number>
    requires(std::is_arithmetic_v<Number> && !std::same_as<Number, char> && !std::same_as<Number, bool>)
void append_piece(std::string& out, Number piece) {
    out.append(std::to_string(piece));
}

} // namespace detail

/// The pieces, one after another, as a string.
template <class... Pieces>
[[nodiscard]] std::string string_of(const Pieces&... pieces) {
    std::string out;
    (detail::append_piece(out, pieces), ...);
    return out;
}

} // namespace nascent
