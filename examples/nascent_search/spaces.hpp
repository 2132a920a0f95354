// spaces.hpp - the spaces the search program knows, by name.
//
// Each space's job is compiled in a translation unit of its own (space_<name>.cpp), so the
// spaces build in parallel and a change to one rebuilds only its unit.
#pragma once

#include <string>
#include <vector>


namespace nascent_search {

struct job_options;

struct known_space {
    const char* name;
    int (*run)(const job_options&);
};

int run_mcu_cnn(const job_options&);
int run_munas(const job_options&);
int run_proxylessnas(const job_options&);
int run_fbnet(const job_options&);
int run_spos(const job_options&);
int run_single_path_nas(const job_options&);
int run_darts(const job_options&);

inline const std::vector<known_space>& known_spaces() {
    static const std::vector<known_space> spaces = {
        {"mcu_cnn", run_mcu_cnn}, {"munas", run_munas},   {"proxylessnas", run_proxylessnas}, {"fbnet", run_fbnet},
        {"spos", run_spos},       {"single_path_nas", run_single_path_nas}, {"darts", run_darts},
    };
    return spaces;
}

inline std::vector<std::string> space_names() {
    std::vector<std::string> names;
    for (const auto& s : known_spaces()) names.emplace_back(s.name);
    return names;
}

} // namespace nascent_search
