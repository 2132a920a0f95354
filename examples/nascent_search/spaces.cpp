// spaces.cpp - the table of the spaces' programs (spaces.hpp).
#include "spaces.hpp"

#include <nascent/core/text.hpp>

namespace nascent_search {

using nascent::string_of;

const space_program& space_program_of(space_kind k, incremental_kind m) {
    if (m != incremental_kind::off) {
        // adapted: the whole incremental model is the space; attach: the static space, then a classifier
        static const space_program adapted{"mcu_cnn", &mcu_cnn_incremental_search, &mcu_cnn_incremental_evaluate, &mcu_cnn_incremental_final};
        static const space_program attach{"mcu_cnn", &mcu_cnn_search, &mcu_cnn_evaluate, &mcu_cnn_attach_final};
        if (k != space_kind::mcu_cnn)
            throw job_error(string_of("--incremental ", name_of(m), " is available for the space mcu_cnn, not ", name_of(k)), 2);
        return m == incremental_kind::adapted ? adapted : attach;
    }
    static const space_program programs[] = {
        {"mcu_cnn", &mcu_cnn_search, &mcu_cnn_evaluate, &mcu_cnn_final},
        {"munas", &munas_search, &munas_evaluate, &munas_final},
        {"proxylessnas", &proxylessnas_search, &proxylessnas_evaluate, &proxylessnas_final},
        {"fbnet", &fbnet_search, &fbnet_evaluate, &fbnet_final},
        {"spos", &spos_search, &spos_evaluate, &spos_final},
        {"single_path_nas", &single_path_nas_search, &single_path_nas_evaluate, &single_path_nas_final},
        {"darts", &darts_search, &darts_evaluate, &darts_final},
        {"mcu_cnn_exits", &mcu_cnn_exits_search, &mcu_cnn_exits_evaluate, &mcu_cnn_exits_final},
    };
    return programs[static_cast<int>(k)];  // the order of space_kind
}

} // namespace nascent_search
