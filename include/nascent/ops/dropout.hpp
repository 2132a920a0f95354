// nascent/ops/dropout.hpp - inverted dropout: in training each element is kept with
// probability 1 - p and scaled by 1 / (1 - p); in inference it is the identity.
// `PercentDropped` is p in percent (a template argument must be an integer or structural).
#pragma once

#include "nascent/ops/shape_preserving.hpp"

namespace nascent {

template <int PercentDropped>
struct dropout final : shape_preserving {
    static_assert(PercentDropped >= 0 && PercentDropped < 100, "dropout<PercentDropped> needs 0 <= p < 100");
    static constexpr double rate = PercentDropped / 100.0;
};

} // namespace nascent
