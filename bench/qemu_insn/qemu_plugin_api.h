/* Declarations of the part of QEMU's TCG plugin API (QEMU 7.2, plugin API version 1) that
 * nascent's instruction counter uses. Debian's QEMU supports plugins but installs no
 * qemu-plugin.h; these declarations follow QEMU 7.2's include/qemu/qemu-plugin.h, whose
 * functions the qemu-system-* binaries export for plugins loaded with `-plugin file.so`.
 *
 * Later QEMU releases (API version 2 and up) removed the *_exec_inline functions used here in
 * favour of *_per_vcpu variants and raised the minimum version, so that they refuse a plugin
 * built on this header when loading it. */
#ifndef NASCENT_QEMU_PLUGIN_API_H
#define NASCENT_QEMU_PLUGIN_API_H

#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define QEMU_PLUGIN_EXPORT __attribute__((visibility("default")))

typedef uint64_t qemu_plugin_id_t;

/* The plugin tells QEMU which API it was built against. */
extern QEMU_PLUGIN_EXPORT int qemu_plugin_version;
#define QEMU_PLUGIN_VERSION 1

typedef struct qemu_info_t {
  const char *target_name; /* e.g. "arm" */
  struct {
    int min;
    int cur;
  } version; /* API versions this QEMU supports */
  bool system_emulation;
  union {
    struct {
      int smp_vcpus;
      int max_vcpus;
    } system;
  };
} qemu_info_t;

/* Called once when the plugin is loaded; argv holds the "key=value" options given after the
 * file name in -plugin. Returns 0 on success. */
QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc,
                                           char **argv);

typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);

struct qemu_plugin_tb;   /* a translation block being translated */
struct qemu_plugin_insn; /* one guest instruction of such a block */

enum qemu_plugin_cb_flags {
  QEMU_PLUGIN_CB_NO_REGS,
  QEMU_PLUGIN_CB_R_REGS,
  QEMU_PLUGIN_CB_RW_REGS,
};

enum qemu_plugin_op {
  QEMU_PLUGIN_INLINE_ADD_U64,
};

typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);

/* Called whenever QEMU translates a block of guest code; instrumentation registered from it
 * runs each time the translated code executes. */
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);

size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);

/* Inline operations: generated code adds imm to *ptr, without a call (not atomic: exact with
 * one vCPU, which every Cortex-M board has). */
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb, enum qemu_plugin_op op,
                                              void *ptr, uint64_t imm);
void qemu_plugin_register_vcpu_insn_exec_inline(struct qemu_plugin_insn *insn,
                                                enum qemu_plugin_op op, void *ptr, uint64_t imm);

/* A call each time the instruction executes, before it executes. */
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn,
                                            qemu_plugin_vcpu_udata_cb_t cb,
                                            enum qemu_plugin_cb_flags flags, void *userdata);

/* Called when QEMU exits (also when the guest ends through semihosting). */
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb,
                                    void *userdata);

/* Writes through QEMU's log; it reaches stderr unless -D redirects the log to a file. */
void qemu_plugin_outs(const char *string);

#ifdef __cplusplus
}
#endif

#endif /* NASCENT_QEMU_PLUGIN_API_H */
