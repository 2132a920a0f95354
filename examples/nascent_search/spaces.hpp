// spaces.hpp - the spaces the search program knows.
//
//   const space_program& p = space_program_of(space_kind::mcu_cnn);
//
// Each space's program is one translation unit of its own, space_<name>.cpp, that fills its three
// parts: search (the strategies and the cost model), evaluation (the supernet and the candidates'
// training) and final (the final training and the deploy programs). The evaluation and final
// parts instantiate mostly the same code (the space's trainable network, its training loop), so
// one unit compiles it once. A new space: an enumerator in options.hpp, its unit, one line below
// and one in spaces.cpp. A space's incremental mode (--incremental) has a unit of its own:
// space_<name>_incremental.cpp.
#pragma once

#include "job.hpp"
#include "options.hpp"

namespace nascent_search {

#define NASCENT_SEARCH_SPACE_PARTS(space)              \
    extern const space_search_part space##_search;     \
    extern const space_evaluation_part space##_evaluate; \
    extern const space_final_part space##_final;

NASCENT_SEARCH_SPACE_PARTS(mcu_cnn)
NASCENT_SEARCH_SPACE_PARTS(munas)
NASCENT_SEARCH_SPACE_PARTS(proxylessnas)
NASCENT_SEARCH_SPACE_PARTS(fbnet)
NASCENT_SEARCH_SPACE_PARTS(spos)
NASCENT_SEARCH_SPACE_PARTS(single_path_nas)
NASCENT_SEARCH_SPACE_PARTS(darts)
NASCENT_SEARCH_SPACE_PARTS(mcu_cnn_exits)

// incremental models over mcu_cnn (deploy::incremental_space<zoo::mcu_cnn>), and the final part of
// the attach mode (a static mcu_cnn network with a classifier attached)
NASCENT_SEARCH_SPACE_PARTS(mcu_cnn_incremental)
extern const space_final_part mcu_cnn_attach_final;

#undef NASCENT_SEARCH_SPACE_PARTS

/// The program of space `k` in incremental mode `m`; a usage error for a space without one.
const space_program& space_program_of(space_kind k, incremental_kind m = incremental_kind::off);

} // namespace nascent_search
