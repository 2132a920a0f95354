// nascent_qemu_insn: a QEMU TCG plugin that counts executed guest instructions, exactly.
//
//   qemu-system-arm -M mps2-an386 -nographic -semihosting -kernel fw.elf
//                   -plugin nascent_qemu_insn.so[,begin=0x...,end=0x...][,out=file][,show=N]
//
// How it counts: whenever QEMU translates a block of guest code, the plugin attaches to every
// instruction of the block an inline "add 1 to the counter" that the generated code performs
// each time the instruction executes (no call, no sampling). The count depends only on the
// program's path, so two runs of the same image give the same figure; it is the number of
// instructions QEMU executes, not a cycle count (QEMU models no pipeline, caches or wait states).
//
// Regions: with begin=<address> and end=<address> (the addresses of the firmware's
// nascent_bench_begin and nascent_bench_end, from nm; the Thumb bit may be left set), the
// instructions at those two addresses also get a call that reads the counter. A region runs from
// an execution of `begin` to the next execution of `end`; its count is the difference of the two
// readings, i.e. the instructions of the work between the calls plus 2 for the markers
// themselves (the `bx lr` of nascent_bench_begin and the call of nascent_bench_end).
//
// Report (at exit, through QEMU's log on stderr, or to the file given as out=):
//   nascent-insn: total <instructions of the whole run>
//   nascent-insn: regions <n>                      (with markers)
//   nascent-insn: region <i> <instructions>        (the first `show` regions, default 100)
//   nascent-insn: region-min <..> / region-max <..> / region-sum <..>
//   nascent-insn: unbalanced <n>                   (a begin without end or the reverse)
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "qemu_plugin_api.h"

extern "C" {
QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;
}

namespace {

struct counter_state {
  std::uint64_t executed = 0;  // incremented by the generated code

  bool with_regions = false;
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
  bool inside = false;
  std::uint64_t entered_at = 0;
  std::vector<std::uint64_t> regions;
  std::uint64_t unbalanced = 0;

  std::size_t show = 100;
  std::string out_file;
};

// Never destroyed: QEMU calls the exit callback from its own atexit handler, which runs after the
// destructors of a plugin loaded later; a static object with a vector would be gone by then.
counter_state& state = *new counter_state;

void on_begin(unsigned int, void*) {
  if (state.inside) ++state.unbalanced;
  state.inside = true;
  state.entered_at = state.executed;
}

void on_end(unsigned int, void*) {
  if (!state.inside) {
    ++state.unbalanced;
    return;
  }
  state.inside = false;
  state.regions.push_back(state.executed - state.entered_at);
}

void on_translate(qemu_plugin_id_t, qemu_plugin_tb* tb) {
  const std::size_t n = qemu_plugin_tb_n_insns(tb);
  for (std::size_t i = 0; i < n; ++i) {
    qemu_plugin_insn* insn = qemu_plugin_tb_get_insn(tb, i);
    if (state.with_regions) {
      const std::uint64_t address = qemu_plugin_insn_vaddr(insn);
      if (address == state.begin) qemu_plugin_register_vcpu_insn_exec_cb(insn, on_begin, QEMU_PLUGIN_CB_NO_REGS, nullptr);
      if (address == state.end) qemu_plugin_register_vcpu_insn_exec_cb(insn, on_end, QEMU_PLUGIN_CB_NO_REGS, nullptr);
    }
    qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &state.executed, 1);
  }
}

void append(std::string& report, const char* key, std::uint64_t value) {
  char line[96];
  std::snprintf(line, sizeof line, "nascent-insn: %s %" PRIu64 "\n", key, value);
  report += line;
}

void on_exit(qemu_plugin_id_t, void*) {
  std::string report;
  append(report, "total", state.executed);
  if (state.with_regions) {
    append(report, "regions", state.regions.size());
    std::uint64_t min = UINT64_MAX, max = 0, sum = 0;
    for (std::size_t i = 0; i < state.regions.size(); ++i) {
      const std::uint64_t r = state.regions[i];
      if (i < state.show) {
        char key[40];
        std::snprintf(key, sizeof key, "region %zu", i + 1);
        append(report, key, r);
      }
      min = r < min ? r : min;
      max = r > max ? r : max;
      sum += r;
    }
    if (!state.regions.empty()) {
      append(report, "region-min", min);
      append(report, "region-max", max);
      append(report, "region-sum", sum);
    }
    if (state.inside) ++state.unbalanced;
    if (state.unbalanced != 0) append(report, "unbalanced", state.unbalanced);
  }
  if (state.out_file.empty()) {
    qemu_plugin_outs(report.c_str());
    return;
  }
  if (std::FILE* f = std::fopen(state.out_file.c_str(), "w")) {
    std::fputs(report.c_str(), f);
    std::fclose(f);
  } else {
    std::fprintf(stderr, "nascent-insn: cannot write %s\n", state.out_file.c_str());
  }
}

bool parse_address(const char* text, std::uint64_t& address) {
  char* rest = nullptr;
  address = std::strtoull(text, &rest, 0);
  if (rest == text || *rest != '\0') return false;
  address &= ~std::uint64_t{1};  // a Thumb function's symbol has bit 0 set; instructions do not
  return true;
}

}  // namespace

extern "C" QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t* info, int argc,
                                                      char** argv) {
  bool has_begin = false, has_end = false;
  for (int i = 0; i < argc; ++i) {
    const char* arg = argv[i];
    const char* eq = std::strchr(arg, '=');
    const std::string key = eq != nullptr ? std::string(arg, eq) : std::string(arg);
    const char* value = eq != nullptr ? eq + 1 : "";
    bool ok = true;
    if (key == "begin") {
      ok = has_begin = parse_address(value, state.begin);
    } else if (key == "end") {
      ok = has_end = parse_address(value, state.end);
    } else if (key == "out") {
      state.out_file = value;
      ok = !state.out_file.empty();
    } else if (key == "show") {
      char* rest = nullptr;
      state.show = std::strtoull(value, &rest, 10);
      ok = rest != value && *rest == '\0';
    } else {
      ok = false;
    }
    if (!ok) {
      std::fprintf(stderr,
                   "nascent-insn: cannot use option '%s' (expected begin=<address>, end=<address>, "
                   "out=<file>, show=<count>)\n",
                   arg);
      return -1;
    }
  }
  if (has_begin != has_end) {
    std::fprintf(stderr, "nascent-insn: begin= and end= go together\n");
    return -1;
  }
  state.with_regions = has_begin;
  if (info->system_emulation && info->system.smp_vcpus > 1)
    std::fprintf(stderr, "nascent-insn: %d vCPUs; counts are exact with one only\n", info->system.smp_vcpus);

  qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
  qemu_plugin_register_atexit_cb(id, on_exit, nullptr);
  return 0;
}
