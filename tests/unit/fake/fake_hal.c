/* Recording fake HAL used by unit tests and fuzz targets (see fake_hal.h). */
#define _GNU_SOURCE
#include "fake_hal.h"

#include <arm64/idreg.h>
#include <gzabi/status.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static uint8_t *phys_mem;
/* Regions reported instead of the whole fake memory (fake_hal_set_phys_regions). */
#define FAKE_MAX_REGIONS 16
static gz_pa_t region_base[FAKE_MAX_REGIONS];
static uint64_t region_size[FAKE_MAX_REGIONS];
static unsigned nr_regions;
static uint64_t phys_size;
static bool keep_phys; /* fake_hal_keep_phys */
/* gzhyp's own mappings: one byte per page of the fake memory (1: mapped for gzhyp) */
static uint8_t *hyp_mapped;
static uint64_t hyp_map_calls, hyp_unmap_calls, fixmap_calls;
static bool fixmap_busy, hyp_map_fails;
static struct fake_op ops[FAKE_OP_LOG_MAX];
static size_t nr_ops;
static int locks_held;
static char console[1 << 16];
static size_t console_len;
static uint64_t cntpct, cntfrq = 62500000;
static uint64_t cntpct_step, idle_poll_max;
static void (*cntpct_hook)(uint64_t now, void *arg);
static void *cntpct_hook_arg;
static bool host_irq;
static unsigned cpu_id;
static uint64_t id_aa64[ID_AA64_NR];
static uint64_t ich[GZ_ICH_NR_REGS];
static unsigned ich_reads[GZ_ICH_NR_REGS];
static fake_run_fn run_fn;
static fake_fast_fn fast_fn;
static bool irq_consumed;
static bool entry_kicked; /* the last gz_hal_vcpu_run found a kick at its entry (hal.h) */
static void *run_arg;
static const char *last_panic;
jmp_buf *fake_hal_panic_jmp;
static fake_op_hook_fn op_hook;
static void *op_hook_arg;
static fake_lock_hook_fn lock_hook;
static void *lock_hook_arg;

void fake_hal_teardown(void)
{
	if (phys_mem)
		munmap(phys_mem, phys_size);
	free(hyp_mapped);
	hyp_mapped = NULL;
	phys_mem = NULL;
	phys_size = 0;
}

static uint64_t host_access[2]; /* gz_hal_host_access's pages: lost, got back */

void fake_hal_keep_phys(bool keep)
{
	keep_phys = keep;
}

void fake_hal_reset(uint64_t size, unsigned nr_lrs)
{
	host_access[0] = host_access[1] = 0;
	size = size ? size : 64ULL << 20;
	nr_regions = 0;
	if (keep_phys && phys_mem && phys_size == size) {
		memset(hyp_mapped, 0, phys_size >> GZ_PAGE_SHIFT);
	} else {
		fake_hal_teardown();
		phys_size = size;
		/* Lazily backed, so large fake memories cost only what a test touches. */
		phys_mem = mmap(NULL, phys_size, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (phys_mem == MAP_FAILED) {
			perror("fake_hal: mmap");
			abort();
		}
		hyp_mapped = calloc(phys_size >> GZ_PAGE_SHIFT, 1);
		if (!hyp_mapped)
			abort();
	}
	hyp_map_calls = hyp_unmap_calls = fixmap_calls = 0;
	fixmap_busy = hyp_map_fails = false;
	nr_ops = 0;
	locks_held = 0;
	console_len = 0;
	console[0] = 0;
	cntpct = 0;
	cntpct_step = idle_poll_max = 0;
	cntpct_hook = NULL;
	cntpct_hook_arg = NULL;
	host_irq = false;
	cntfrq = 62500000;
	cpu_id = 0;
	memset(id_aa64, 0, sizeof(id_aa64));
	memset(ich, 0, sizeof(ich));
	memset(ich_reads, 0, sizeof(ich_reads));
	/* ICH_VTR_EL2: ListRegs = n-1 in [4:0], PRIbits-1 = 4 in [31:29], IDbits 0 (16). */
	ich[GZ_ICH_VTR] = ((uint64_t)4 << 29) | ((nr_lrs ? nr_lrs : 4) - 1);
	run_fn = NULL;
	fast_fn = NULL;
	irq_consumed = false;
	entry_kicked = false;
	run_arg = NULL;
	last_panic = NULL;
	fake_hal_panic_jmp = NULL;
	op_hook = NULL;
	op_hook_arg = NULL;
	lock_hook = NULL;
	lock_hook_arg = NULL;
}

static void record(enum fake_op_kind k, uint64_t a, uint64_t b, uint64_t c)
{
	if (nr_ops < FAKE_OP_LOG_MAX)
		ops[nr_ops] = (struct fake_op){k, a, b, c};
	nr_ops++;
	if (op_hook) {
		struct fake_op op = {k, a, b, c};

		op_hook(&op, op_hook_arg);
	}
}

void fake_hal_set_op_hook(fake_op_hook_fn fn, void *arg)
{
	op_hook = fn;
	op_hook_arg = arg;
}

void fake_hal_set_lock_hook(fake_lock_hook_fn fn, void *arg)
{
	lock_hook = fn;
	lock_hook_arg = arg;
}

size_t fake_hal_nr_ops(void)
{
	return nr_ops;
}

const struct fake_op *fake_hal_op(size_t i)
{
	return i < nr_ops && i < FAKE_OP_LOG_MAX ? &ops[i] : NULL;
}

void fake_hal_clear_ops(void)
{
	nr_ops = 0;
}

size_t fake_hal_find_op(enum fake_op_kind kind, size_t from)
{
	for (size_t i = from; i < nr_ops && i < FAKE_OP_LOG_MAX; i++)
		if (ops[i].kind == kind)
			return i;
	return (size_t)-1;
}

size_t fake_hal_count_ops(enum fake_op_kind kind)
{
	size_t n = 0;

	for (size_t i = 0; i < nr_ops && i < FAKE_OP_LOG_MAX; i++)
		n += ops[i].kind == kind;
	return n;
}

int fake_hal_locks_held(void)
{
	return locks_held;
}

const char *fake_hal_console(void)
{
	return console;
}

void fake_hal_console_clear(void)
{
	console_len = 0;
	console[0] = 0;
}

void fake_hal_set_cntpct(uint64_t v)
{
	cntpct = v;
}

void fake_hal_set_cntfrq(uint64_t hz)
{
	cntfrq = hz;
}

void fake_hal_set_cpu_id_reg(uint32_t enc, uint64_t val)
{
	if (ID_AA64_IS(enc))
		id_aa64[ID_AA64_INDEX(enc)] = val;
}

uint64_t gz_hal_cpu_id_reg(uint32_t enc)
{
	return ID_AA64_IS(enc) ? id_aa64[ID_AA64_INDEX(enc)] : 0;
}

void fake_hal_set_cpu_id(unsigned id)
{
	cpu_id = id;
}

uint64_t fake_hal_ich(enum gz_ich_reg r)
{
	return ich[r];
}

void fake_hal_set_ich(enum gz_ich_reg r, uint64_t v)
{
	ich[r] = v;
}

unsigned fake_hal_ich_reads(enum gz_ich_reg r)
{
	return ich_reads[r];
}

void fake_hal_set_fast_path(fake_fast_fn fast)
{
	fast_fn = fast;
}

void fake_hal_set_run_handler(fake_run_fn fn, void *arg)
{
	run_fn = fn;
	run_arg = arg;
}

void fake_hal_set_irq_consumed(bool consumed)
{
	irq_consumed = consumed;
}

bool gz_hal_vcpu_irq_consumed(void)
{
	return irq_consumed || entry_kicked;
}

void gz_hal_vcpu_kick(const struct gz_cpu_ctx *ctx)
{
	record(FAKE_OP_VCPU_KICK, (uint64_t)(uintptr_t)ctx, ctx->run_cpu, 0);
}

void gz_hal_vcpu_kick_settle(void)
{
}

const char *fake_hal_last_panic(void)
{
	return last_panic;
}

/* ---- the HAL ---- */

void gz_hal_tlbi_ipa(uint16_t vmid, gz_ipa_t ipa, unsigned level)
{
	record(FAKE_OP_TLBI_IPA, vmid, ipa, level);
}

void gz_hal_tlbi_vmid(uint16_t vmid)
{
	record(FAKE_OP_TLBI_VMID, vmid, 0, 0);
}

void gz_hal_tlbi_all_vmids(void)
{
	record(FAKE_OP_TLBI_ALL, 0, 0, 0);
}

void gz_hal_tlbi_el2_va(uint64_t va)
{
	record(FAKE_OP_TLBI_EL2_VA, va, 0, 0);
}

void gz_hal_dsb(void)
{
	record(FAKE_OP_DSB, 0, 0, 0);
}

void gz_hal_isb(void)
{
	record(FAKE_OP_ISB, 0, 0, 0);
}

void gz_hal_dcache_clean_inval(const void *va, size_t len)
{
	record(FAKE_OP_DCACHE, (uintptr_t)va, len, 0);
}

void gz_hal_icache_inval_all(void)
{
	record(FAKE_OP_ICACHE, 0, 0, 0);
}

void gz_hal_host_access(gz_pa_t pa, uint64_t nr, bool accessible)
{
	(void)pa;
	host_access[accessible] += nr;
}

void fake_hal_host_access_pages(uint64_t *lost, uint64_t *got)
{
	*lost = host_access[false];
	*got = host_access[true];
}

void *gz_hal_pa_to_va(gz_pa_t pa)
{
	if (!phys_mem || pa < FAKE_PHYS_BASE || pa - FAKE_PHYS_BASE >= phys_size)
		return NULL;
	return phys_mem + (pa - FAKE_PHYS_BASE);
}

gz_pa_t gz_hal_va_to_pa(const void *va)
{
	const uint8_t *p = va;

	if (!phys_mem || p < phys_mem || p >= phys_mem + phys_size) {
		fprintf(stderr, "fake_hal: va_to_pa(%p) outside fake physical memory\n", va);
		abort();
	}
	return FAKE_PHYS_BASE + (uint64_t)(p - phys_mem);
}

/* Pages of [pa, pa + nr) in the fake memory? */
static bool fake_ram(gz_pa_t pa, uint64_t nr)
{
	return phys_mem && nr && pa >= FAKE_PHYS_BASE && nr <= (phys_size >> GZ_PAGE_SHIFT) &&
	       ((pa - FAKE_PHYS_BASE) >> GZ_PAGE_SHIFT) <= (phys_size >> GZ_PAGE_SHIFT) - nr;
}

int gz_hal_hyp_map(gz_pa_t pa, uint64_t nr)
{
	hyp_map_calls++;
	if (!GZ_IS_ALIGNED(pa, GZ_PAGE_SIZE) || !fake_ram(pa, nr))
		return GZ_ERR_OUT_OF_RANGE;
	if (hyp_map_fails)
		return GZ_ERR_NO_MEMORY;
	memset(hyp_mapped + ((pa - FAKE_PHYS_BASE) >> GZ_PAGE_SHIFT), 1, nr);
	return GZ_OK;
}

/* Unmapping what is not mapped is a bookkeeping bug of the core: the test fails. */
void gz_hal_hyp_unmap(gz_pa_t pa, uint64_t nr)
{
	hyp_unmap_calls++;
	for (uint64_t i = 0; i < nr; i++)
		if (!fake_hal_hyp_mapped(pa + (i << GZ_PAGE_SHIFT))) {
			fprintf(stderr,
				"fake_hal: hyp_unmap(0x%llx) of a page gzhyp does not map\n",
				(unsigned long long)(pa + (i << GZ_PAGE_SHIFT)));
			abort();
		}
	memset(hyp_mapped + ((pa - FAKE_PHYS_BASE) >> GZ_PAGE_SHIFT), 0, nr);
}

void *gz_hal_fixmap(gz_pa_t pa)
{
	if (fixmap_busy || !GZ_IS_ALIGNED(pa, GZ_PAGE_SIZE))
		gz_hal_panic("fake_hal: fixmap nested or misaligned");
	if (!fake_ram(pa, 1))
		return NULL;
	fixmap_calls++;
	fixmap_busy = true;
	return gz_hal_pa_to_va(pa);
}

void gz_hal_fixunmap(void *va)
{
	if (!fixmap_busy || !GZ_IS_ALIGNED((uintptr_t)va, GZ_PAGE_SIZE))
		gz_hal_panic("fake_hal: fixunmap without a fixmap");
	fixmap_busy = false;
}

bool fake_hal_hyp_mapped(gz_pa_t pa)
{
	return fake_ram(GZ_ALIGN_DOWN(pa, GZ_PAGE_SIZE), 1) &&
	       hyp_mapped[(pa - FAKE_PHYS_BASE) >> GZ_PAGE_SHIFT];
}

uint64_t fake_hal_hyp_mapped_pages(void)
{
	uint64_t n = 0;

	for (uint64_t i = 0; phys_mem && i < (phys_size >> GZ_PAGE_SHIFT); i++)
		n += hyp_mapped[i];
	return n;
}

void fake_hal_hyp_calls(uint64_t *maps, uint64_t *unmaps, uint64_t *fixmaps)
{
	*maps = hyp_map_calls;
	*unmaps = hyp_unmap_calls;
	*fixmaps = fixmap_calls;
}

bool fake_hal_fixmap_busy(void)
{
	return fixmap_busy;
}

void fake_hal_set_hyp_map_fails(bool fails)
{
	hyp_map_fails = fails;
}

void fake_hal_set_phys_regions(const gz_pa_t *base, const uint64_t *size, unsigned n)
{
	nr_regions = n < FAKE_MAX_REGIONS ? n : FAKE_MAX_REGIONS;
	for (unsigned i = 0; i < nr_regions; i++) {
		region_base[i] = base[i];
		region_size[i] = size[i];
	}
}

bool gz_hal_phys_region(unsigned idx, gz_pa_t *base, uint64_t *size)
{
	if (nr_regions) {
		if (idx >= nr_regions)
			return false;
		*base = region_base[idx];
		*size = region_size[idx];
		return true;
	}
	if (idx != 0 || !phys_mem)
		return false;
	*base = FAKE_PHYS_BASE;
	*size = phys_size;
	return true;
}

int gz_hal_vcpu_run(struct gz_cpu_ctx *ctx, struct gz_exit_record *exit)
{
	/* The context counts as loaded from here (an op hook's kick lands before the look). */
	record(FAKE_OP_VCPU_RUN, 0, 0, 0);
	entry_kicked = gz_hal_ctx_kicked(ctx);
	if (entry_kicked) {
		exit->kind = GZ_EXIT_KIND_IRQ;
		return 0;
	}
	if (!run_fn) {
		exit->kind = GZ_EXIT_KIND_FAIL_ENTRY;
		return -1;
	}
	for (;;) {
		int r = run_fn(ctx, exit, run_arg);

		if (r != 0 || exit->kind != GZ_EXIT_KIND_SYNC || !fast_fn || !ctx->fast_exits ||
		    !fast_fn(ctx, exit))
			return r;
		record(FAKE_OP_FAST_EXIT, 0, 0, 0);
	}
}

uint64_t gz_hal_ich_read(enum gz_ich_reg reg)
{
	if (reg >= GZ_ICH_NR_REGS)
		return 0;
	ich_reads[reg]++;
	return ich[reg];
}

void gz_hal_ich_write(enum gz_ich_reg reg, uint64_t val)
{
	record(FAKE_OP_ICH_WRITE, reg, val, 0);
	if (reg < GZ_ICH_NR_REGS && reg != GZ_ICH_VTR)
		ich[reg] = val;
}

uint64_t gz_hal_cntpct(void)
{
	uint64_t now = cntpct;

	cntpct += cntpct_step;
	if (cntpct_hook)
		cntpct_hook(now, cntpct_hook_arg);
	return now;
}

uint64_t gz_hal_idle_poll_max(void)
{
	return idle_poll_max;
}

bool gz_hal_host_irq_pending(void)
{
	return host_irq;
}

void fake_hal_set_idle_poll(uint64_t max_ticks, uint64_t step)
{
	idle_poll_max = max_ticks;
	cntpct_step = step;
}

void fake_hal_set_cntpct_hook(void (*fn)(uint64_t now, void *arg), void *arg)
{
	cntpct_hook = fn;
	cntpct_hook_arg = arg;
}

void fake_hal_set_host_irq(bool pending)
{
	host_irq = pending;
}

uint64_t gz_hal_cntfrq(void)
{
	return cntfrq;
}

void gz_hal_console_putc(char c)
{
	if (console_len + 1 < sizeof(console)) {
		console[console_len++] = c;
		console[console_len] = 0;
	}
}

unsigned gz_hal_cpu_id(void)
{
	return cpu_id;
}

void gz_hal_lock(gz_lock_t *lock)
{
	if (lock_hook)
		lock_hook(lock, true, lock_hook_arg);
	if (lock->next != lock->owner) {
		fprintf(stderr, "fake_hal: lock %p taken twice (deadlock on hardware)\n",
			(void *)lock);
		abort();
	}
	lock->next++;
	locks_held++;
}

void gz_hal_unlock(gz_lock_t *lock)
{
	if (lock->next == lock->owner) {
		fprintf(stderr, "fake_hal: unlock of free lock %p\n", (void *)lock);
		abort();
	}
	lock->owner++;
	locks_held--;
	if (lock_hook)
		lock_hook(lock, false, lock_hook_arg);
}

void gz_hal_panic(const char *msg)
{
	last_panic = msg;
	if (fake_hal_panic_jmp)
		longjmp(*fake_hal_panic_jmp, 1);
	fprintf(stderr, "gz_hal_panic: %s\n", msg);
	abort();
}
