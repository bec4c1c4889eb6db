/* The recording fake HAL for unit tests: fake physical memory at a PA distinct from its host
 * address, an ordered log of every maintenance, barrier, lock and ICH operation, a console
 * capture, a settable counter and a scriptable vCPU run. */
#ifndef FAKE_HAL_H
#define FAKE_HAL_H

#include <hal.h>

#define FAKE_PHYS_BASE 0x40000000ULL

enum fake_op_kind {
	FAKE_OP_TLBI_IPA,
	FAKE_OP_TLBI_VMID,
	FAKE_OP_TLBI_ALL,
	FAKE_OP_TLBI_EL2_VA,
	FAKE_OP_DSB,
	FAKE_OP_ISB,
	FAKE_OP_DCACHE,
	FAKE_OP_ICACHE,
	FAKE_OP_ICH_WRITE,
	FAKE_OP_VCPU_RUN,
	FAKE_OP_VCPU_KICK, /* a: the kicked context's address, b: its run_cpu */
	FAKE_OP_FAST_EXIT, /* an exit gz_exit_fast completed inside a run */
};

struct fake_op {
	enum fake_op_kind kind;
	uint64_t a; /* vmid, va, ich register */
	uint64_t b; /* ipa, length, value */
	uint64_t c; /* level */
};

#define FAKE_OP_LOG_MAX 65536

/* Reset everything; physical memory of @phys_size bytes (0: 64 MiB) at FAKE_PHYS_BASE,
 * zero-filled, with @nr_lrs list registers reported by ICH_VTR (0: 4). */
void fake_hal_reset(uint64_t phys_size, unsigned nr_lrs);
/* From now on a reset to the same size keeps the fake memory mapped and as it is (not
 * zeroed): a machine set up for every fuzz input then costs no page faults. The caller
 * clears whatever the next machine could read. fake_hal_teardown still releases it. */
void fake_hal_keep_phys(bool keep);
/* Make gz_hal_phys_region report these @n regions (at most 16; reset restores the default
 * single region covering the whole fake memory). Regions outside the fake memory exist for
 * the core's bookkeeping only: gz_hal_pa_to_va returns NULL there. */
void fake_hal_set_phys_regions(const gz_pa_t *base, const uint64_t *size, unsigned n);
/* gzhyp's own mappings (gz_hal_hyp_map/unmap, gz_hal_fixmap): is the page at @pa mapped for
 * gzhyp, how many pages are, how many calls were made since reset. A hyp_unmap of a page
 * that is not mapped aborts the test; a nested fixmap panics. With @fails set (reset:
 * clear), gz_hal_hyp_map of fake memory answers GZ_ERR_NO_MEMORY and maps nothing. */
bool fake_hal_hyp_mapped(gz_pa_t pa);
uint64_t fake_hal_hyp_mapped_pages(void);
void fake_hal_hyp_calls(uint64_t *maps, uint64_t *unmaps, uint64_t *fixmaps);
bool fake_hal_fixmap_busy(void);
void fake_hal_set_hyp_map_fails(bool fails);
/* Pages gz_hal_host_access was told the host lost, and got back, since reset (not in the op
 * log). */
void fake_hal_host_access_pages(uint64_t *lost, uint64_t *got);
/* Release the fake physical memory (call at the end of a test group). */
void fake_hal_teardown(void);

/* The operation log. Once FAKE_OP_LOG_MAX is reached further ops are counted, not kept. */
size_t fake_hal_nr_ops(void);
const struct fake_op *fake_hal_op(size_t i);
void fake_hal_clear_ops(void);
/* Index of the first op of @kind at or after @from, or (size_t)-1. */
size_t fake_hal_find_op(enum fake_op_kind kind, size_t from);
size_t fake_hal_count_ops(enum fake_op_kind kind);

/* Called with each op as it is recorded, so a test can check the state the op saw (e.g. a
 * descriptor is already invalid when its TLBI is issued); NULL: none. Reset clears it. */
typedef void (*fake_op_hook_fn)(const struct fake_op *op, void *arg);
void fake_hal_set_op_hook(fake_op_hook_fn fn, void *arg);

/* Called before every lock is taken (@acquire true) and after every release (false), so a
 * test can play another CPU at exactly that point (a race between check and use); the
 * hook may itself take and release locks, as long as it leaves each as it found it. NULL:
 * none. Reset clears it. */
typedef void (*fake_lock_hook_fn)(gz_lock_t *lock, bool acquire, void *arg);
void fake_hal_set_lock_hook(fake_lock_hook_fn fn, void *arg);

/* Locks currently held (balance check). */
int fake_hal_locks_held(void);

/* Console capture (NUL-terminated) and clearing it. */
const char *fake_hal_console(void);
void fake_hal_console_clear(void);

/* Counter and CPU identity. */
void fake_hal_set_cntpct(uint64_t v);
/* Halt polling: gz_hal_idle_poll_max answers @max_ticks (reset: 0, no polling) and every
 * counter read advances the counter by @step; the hook (reset: none) runs on each read with
 * the value returned, to play an interrupt arriving while the core polls. */
void fake_hal_set_idle_poll(uint64_t max_ticks, uint64_t step);
void fake_hal_set_cntpct_hook(void (*fn)(uint64_t now, void *arg), void *arg);
/* What gz_hal_host_irq_pending answers (reset: false). */
void fake_hal_set_host_irq(bool pending);
void fake_hal_set_cntfrq(uint64_t hz);
void fake_hal_set_cpu_id(unsigned id);
/* The CPU's AArch64 ID register @enc as gz_hal_cpu_id_reg reports it (0 after reset). */
void fake_hal_set_cpu_id_reg(uint32_t enc, uint64_t val);

/* ICH register file as the core left it. */
uint64_t fake_hal_ich(enum gz_ich_reg r);
void fake_hal_set_ich(enum gz_ich_reg r, uint64_t v);
/* How often the core read ICH register @r since the reset (reads are not recorded ops). */
unsigned fake_hal_ich_reads(enum gz_ich_reg r);

/* vCPU run: the handler plays the guest. Without one, run returns a FAIL_ENTRY exit. */
typedef int (*fake_run_fn)(struct gz_cpu_ctx *ctx, struct gz_exit_record *exit, void *arg);
void fake_hal_set_run_handler(fake_run_fn fn, void *arg);
/* The exit fast path as a real HAL offers it (hal.h): with @fast set (the core's
 * gz_exit_fast; reset: none), run offers each synchronous exit of a context with fast_exits
 * set to it and, when taken, plays the guest again without returning. */
typedef bool (*fake_fast_fn)(struct gz_cpu_ctx *ctx, const struct gz_exit_record *exit);
void fake_hal_set_fast_path(fake_fast_fn fast);
/* What gz_hal_vcpu_irq_consumed answers after the next runs (reset: false): a run handler
 * sets it to play an IRQ exit gzhyp handled itself (virtual timer, maintenance, kick). */
void fake_hal_set_irq_consumed(bool consumed);

/* Panic: by default the test fails; when armed, panic longjmps back to the caller. */
#include <setjmp.h>
extern jmp_buf *fake_hal_panic_jmp;
const char *fake_hal_last_panic(void);
/* In a CMocka test: run @stmt expecting gz_hal_panic with a message containing @msg (the
 * test fails otherwise), coming back through the test's jmp_buf @jb. */
#define FAKE_EXPECT_PANIC(jb, stmt, msg)                                                           \
	do {                                                                                       \
		if (setjmp(jb) == 0) {                                                             \
			fake_hal_panic_jmp = &(jb);                                                \
			stmt;                                                                      \
			fail_msg("no panic: " #stmt);                                              \
		}                                                                                  \
		fake_hal_panic_jmp = NULL;                                                         \
		assert_non_null(strstr(fake_hal_last_panic(), msg));                               \
	} while (0)

#endif
