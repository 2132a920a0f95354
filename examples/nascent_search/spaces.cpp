// spaces.cpp - the table of the spaces' programs (spaces.hpp).
#include "spaces.hpp"

namespace nascent_search {

const space_program& space_program_of(space_kind k) {
    static const space_program programs[] = {
        {"mcu_cnn", &mcu_cnn_search, &mcu_cnn_evaluate, &mcu_cnn_final},
        {"munas", &munas_search, &munas_evaluate, &munas_final},
        {"proxylessnas", &proxylessnas_search, &proxylessnas_evaluate, &proxylessnas_final},
        {"fbnet", &fbnet_search, &fbnet_evaluate, &fbnet_final},
        {"spos", &spos_search, &spos_evaluate, &spos_final},
        {"single_path_nas", &single_path_nas_search, &single_path_nas_evaluate, &single_path_nas_final},
        {"darts", &darts_search, &darts_evaluate, &darts_final},
    };
    return programs[static_cast<int>(k)];  // the order of space_kind
}

} // namespace nascent_search
