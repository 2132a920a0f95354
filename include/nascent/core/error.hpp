// nascent/core/error.hpp - the one exception type of the host-side library.
//
// Host code (training, data, search) reports bad input by throwing
// nascent::error with a message that says what was wrong and where. The
// deploy path never throws.
#pragma once

#include <stdexcept>
#include <string>

namespace nascent {

class error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Throws nascent::error(message) unless `condition` holds.
inline void require(bool condition, const std::string& message) {
    if (!condition) throw error(message);
}

} // namespace nascent
