// firmware.cpp - the chosen model's firmware, built and run in QEMU (firmware.hpp).
#include "firmware.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include <nascent/core/text.hpp>
#include <nascent/io/atomic_file.hpp>
#include <nascent/runtime/run.hpp>

#include "../exported_images.hpp"

#ifdef NASCENT_SEARCH_FIRMWARE
#include "firmware_tools.hpp"
#endif

namespace nascent_search {

using namespace nascent;

#ifdef NASCENT_SEARCH_FIRMWARE

bool firmware_available() { return true; }

namespace {

/// `p` between single quotes for the shell.
std::string quoted(const std::string& p) {
    std::string s = "'";
    for (const char c : p) s += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return s + "'";
}

std::string read_text(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

/// Runs `command` with its output in `log`; throws job_error naming `what` and the log on failure.
std::string run_tool(const char* what, const std::string& command, const std::filesystem::path& log) {
    const int status = std::system((command + " < /dev/null > " + quoted(log.string()) + " 2>&1").c_str());
    if (status != 0) throw job_error(string_of("firmware: ", what, " failed (status ", status, "); its output is in ", log.string()));
    return read_text(log);
}

/// The address nm gives the symbol `name`, as "0x..." ("" when absent).
std::string address_of(const std::string& nm_output, const std::string& name) {
    std::istringstream in(nm_output);
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string address, kind, symbol;
        if (fields >> address >> kind >> symbol && symbol == name) return "0x" + address;
    }
    return "";
}

/// The host's int8 predictions for the first `count` test images, fed through the header's pixel table.
std::vector<int> host_predictions(const job& j, std::size_t count, const deploy::build_result& d, const deploy::model_metadata& meta) {
    const deploy::runtime_program& qp = d.int8_program;
    const deploy::quantized_parameters& q = d.int8_params;
    const std::vector<std::int8_t> table = deploy::input_of_pixel<std::int8_t>(meta);
    std::vector<std::int32_t> arena(qp.arena_bytes / 4 + 1);
    auto* a = reinterpret_cast<std::byte*>(arena.data());
    std::vector<int> predictions;
    for (std::size_t i = 0; i < count; ++i) {
        std::int8_t* in = deploy::input<std::int8_t>(qp, a);
        const std::uint8_t* pixels = j.test.image(i);
        for (std::size_t k = 0; k < j.test.sample.size(); ++k) in[k] = table[pixels[k]];
        const deploy::exit_run r = deploy::run_to_exit(qp, q.weights.data(), q.params.data(), a);
        if (r.status != deploy::run_status::ok) throw job_error("firmware: the host's int8 program refused to run");
        predictions.push_back(deploy::argmax_at<std::int8_t>(r.logits, a));
    }
    return predictions;
}

} // namespace

firmware_figures build_and_run_firmware(job& j, const std::string& name, const deploy::build_result& d, const deploy::model_metadata& meta) {
    firmware_figures f;
    const std::size_t count = std::min(j.options.firmware_images, j.test.size());
    if (count == 0) return f;
    const std::filesystem::path dir = j.out / "firmware";
    std::filesystem::create_directories(dir);
    io::write_file_atomically(dir / "fashion_images.hpp", exported_images::header(j.test, count, "fashion_images"));
    io::write_file_atomically(dir / "fashion_model.hpp",
                              string_of("// The exported model under the name examples/firmware/classify.cpp uses.\n#pragma once\n\n#include \"../models/",
                                        name, ".hpp\"\n\nnamespace fashion_model = ::", name, ";\n"));

    const std::string include = firmware_tools::include;
    const std::string platform = include + "/nascent/platform";
    const std::filesystem::path elf = dir / "firmware.elf";
    run_tool("cross-compiling", string_of(quoted(firmware_tools::gxx), " ", firmware_tools::flags, " -I", quoted(dir.string()), " -I",
                                          quoted(include), " ", quoted(firmware_tools::source), " ", quoted(platform + "/mps2_an386/startup.cpp"),
                                          " ", quoted(platform + "/bench_markers.cpp"), " ", firmware_tools::link_flags, " -T ",
                                          quoted(platform + "/mps2_an386/linker.ld"), " -o ", quoted(elf.string())),
             dir / "build.txt");

    // text, data, bss: the second line of arm-none-eabi-size's Berkeley format
    std::istringstream size(run_tool("arm-none-eabi-size", string_of(quoted(firmware_tools::size), " ", quoted(elf.string())), dir / "size.txt"));
    std::string header;
    std::getline(size, header);
    if (!(size >> f.text >> f.data >> f.bss)) throw job_error(string_of("firmware: cannot read ", (dir / "size.txt").string()));

    const std::string symbols = run_tool("arm-none-eabi-nm", string_of(quoted(firmware_tools::nm), " ", quoted(elf.string())), dir / "nm.txt");
    const std::string begin = address_of(symbols, "nascent_bench_begin"), end = address_of(symbols, "nascent_bench_end");
    if (begin.empty() || end.empty()) throw job_error(string_of("firmware: no instruction markers in ", elf.string()));
    const std::filesystem::path counts = dir / "instructions.txt";
    const std::string output =
        run_tool("running in QEMU", string_of("timeout 600 ", quoted(firmware_tools::qemu), " -M mps2-an386 -nographic -semihosting -kernel ",
                                              quoted(elf.string()), " -plugin ", quoted(string_of(firmware_tools::plugin, ",begin=", begin, ",end=", end,
                                                                                                 ",out=", counts.string()))),
                 dir / "run.txt");

    // the firmware's lines: "image i: label l, predicted p", then "arena: high-water mark h of a bytes"
    const std::vector<int> host = host_predictions(j, count, d, meta);
    std::istringstream lines(output);
    std::string line;
    while (std::getline(lines, line)) {
        std::size_t i = 0, h = 0, a = 0;
        int label = 0, predicted = 0;
        if (std::sscanf(line.c_str(), "image %zu: label %d, predicted %d", &i, &label, &predicted) == 3 && i < count) {
            ++f.images;
            f.agreeing += predicted == host[i] ? 1U : 0U;
            f.correct += predicted == label ? 1U : 0U;
        } else if (std::sscanf(line.c_str(), "arena: high-water mark %zu of %zu bytes", &h, &a) == 2) {
            f.high_water = h;
            f.arena = a;
        }
    }
    if (f.images != count) throw job_error(string_of("firmware: ", f.images, " of ", count, " images classified; its output is in ", (dir / "run.txt").string()));
    std::istringstream report(read_text(counts));
    double regions = 0.0, sum = 0.0;
    while (std::getline(report, line)) {
        char key[32] = {};
        double value = 0.0;
        if (std::sscanf(line.c_str(), "nascent-insn: %31s %lf", key, &value) != 2) continue;
        if (std::string(key) == "regions") regions = value;
        if (std::string(key) == "region-sum") sum = value;
    }
    if (regions != static_cast<double>(count)) throw job_error(string_of("firmware: the instruction counts in ", counts.string(), " are not one per image"));
    f.instructions_per_inference = (sum - 2.0 * regions) / regions;  // each region counts the two marker instructions
    return f;
}

#else

bool firmware_available() { return false; }

firmware_figures build_and_run_firmware(job&, const std::string&, const deploy::build_result&, const deploy::model_metadata&) { return {}; }

#endif

} // namespace nascent_search
