/*
 * Test mode ("gz.test=guest gz.image=ADDR,SIZE [gz.vcpus=N]"): with no host OS, gzhyp plays
 * the host driver and a tiny VMM. Everything goes through the hypercall ABI the driver uses
 * (gz_hostcall_dispatch): PROBE, CREATE_VM, ENABLE_CAP(IDLE), MEMREGION_PURPOSE and
 * SET_MEMREGION donating host memory, CREATE_DEVICE for the vGIC, CREATE_VCPU with a shared
 * run block, SET_ONE_REG for the boot vCPU, then RUN. The guest image (a raw binary QEMU's
 * generic loader put at ADDR) becomes the guest's RAM content at IPA 0x40080000.
 *
 * The "VMM" serves MMIO exits with the device models gzvmm uses (src/dev): a PL011 (its
 * output framed by marker lines so a test can cut out exactly what the guest printed; no
 * input, no interrupt line) and the scratch register file of the test guests; an access to
 * anything else gets a synchronous external abort, as under gzvmm. Each physical CPU runs
 * its share of the vCPUs, the one that has run least first (guestsched.c); a 1 ms
 * preemption tick (the EL2 physical timer) makes a running guest exit with GZVM_EXIT_IRQ when
 * other vCPUs wait. IDLE exits sleep until the vtimer deadline the hwstate reports or an IPI
 * exit; SYSTEM_EVENT ends the run. "gz.entry_delay_us=N" stalls every RUN that long before it
 * enters the guest, as a loaded machine stalls an emulated CPU. A run fails when the guest
 * makes no progress for "gz.stall_s=N" seconds (10 by default; watch()), however long it
 * takes otherwise, and the report tells a stall from a starved run (samples of the last
 * seconds: RUNs and ticks per vCPU and CPU against the progress).
 *
 * Playing the host, the test mode reaches host memory (the image, the guest's RAM before it
 * is donated, the descriptors and run blocks) through the host window (mmu.c), never through
 * gzhyp's own map: the core sees only what the hypercalls share with it, as with a real host.
 */
#include <uapi/linux/gzvm.h>
#include <gzdev/pl011.h>
#include <gzdev/testdev.h>
#include <gzhyp/hostcall.h>
#include <gzabi/hvc.h>
#include <gzhyp/lib.h>
#include <gzhyp/log.h>
#include <gzabi/status.h>
#include <gzhyp/vcpu.h>
#include <gzhyp/vm.h>
#include <hal.h>
#include <arm64/gicv3.h>
#include <arm64/sysreg_el2.h>

#include "el2.h"
#include "guestsched.h"

/* Guest platform (the simulator's and tests/guests' memory map). */
#define TM_RAM_IPA     0x40000000UL
#define TM_RAM_SIZE    0x8000000UL /* 128 MiB */
#define TM_LOAD_OFFSET 0x80000UL
#define TM_UART_IPA    0x09000000UL
#define TM_UART_SIZE   0x1000UL
#define TM_GICD_IPA    0x08000000UL
#define TM_GICR_IPA    0x080a0000UL
#define TM_PSTATE_BOOT (PSR_MODE_EL1h | PSR_DAIF)
#define TM_MAX_VCPUS   8
#define TM_VM_TYPE     0 /* the Linux VM type, the only one */

/* Host memory the test mode uses, carved from RAM after the image (2 MiB aligned). */
#define TM_WORK_SIZE	0x1000000UL /* hypervisor working memory: store + pool */
#define TM_SCRATCH_SIZE 0x200000UL  /* run blocks, descriptors (host-owned) */
#define TM_ALIGN	0x200000UL

#define TM_VIRTIO_DEVICE_ID   0x0a000008UL /* virt's first virtio-mmio transport, DeviceID */
#define TM_SLICE_US	      1000
#define TM_MAX_ENTRY_DELAY_US 100000
/* A stall is TM_STALL_S (gz.stall_s) without guest progress (progress()), not a run that
 * outlasts a wall clock limit: on a loaded machine QEMU's CPU threads get a fraction of a
 * host CPU and a healthy run takes many times longer, but it keeps moving. Well below
 * tests/qemu's limit, so a stall reports its state. */
#define TM_STALL_S	 10
#define TM_MAX_STALL_S	 60
#define TM_SAMPLES	 8 /* one-second progress samples the stall report shows */
#define TM_SMCCC_UNKNOWN ((uint64_t)-1)

struct tm_vcpu {
	uint16_t idx;
	struct gzvm_vcpu_run *run;
	gz_pa_t run_pa;
	uint64_t runs; /* RUN calls, and the reason of the last exit (stall reports) */
	uint32_t last_exit;
	uint64_t last_pc; /* the PC after its last RUN, and how many RUNs ended at a new one */
	uint64_t pc_moves;
	uint64_t progress;    /* exits in the core that were not preemption ticks (progress()) */
	struct gz_vcpu *core; /* the core's vCPU: its exit count */
	uint64_t core_exits;  /* ... when the current RUN started */
};

/* A progress sample (the stall report prints the last TM_SAMPLES): what the guest did in the
 * second before @ms, told apart from what the host did (entries, ticks). A starved run shows
 * few RUNs and ticks per second but progress in each sample; a stalled one shows RUNs and
 * ticks at full rate and no progress. */
struct tm_sample {
	uint64_t ms, progress, console, ticks[2];
	uint64_t runs[TM_MAX_VCPUS], pc_moves[TM_MAX_VCPUS];
};

static struct {
	uint16_t vm;
	unsigned nr, npcpus;
	struct tm_vcpu cpu[TM_MAX_VCPUS];
	struct gz_guestsched_vcpu sched[TM_MAX_VCPUS]; /* owned by the vCPU's physical CPU */
	volatile uint64_t wake_gen;
	volatile bool ready;
	volatile unsigned pcpus_done;
	volatile unsigned fp_checked; /* CPUs that checked every run's FP/SIMD switch */
	volatile uint64_t fp_runs;    /* runs whose FP/SIMD switch was checked */
	gz_lock_t dev_lock;	      /* the devices: vCPUs on two CPUs may touch them at once */
	struct gzdev_pl011 uart;
	struct gzdev_testdev testdev;
	volatile bool off;
	uint32_t event;
	uint64_t exits[16], unhandled_mmio, ticks_armed;
	uint64_t entry_delay; /* counter ticks (gz.entry_delay_us) */
	/* per physical CPU: the vCPU in RUN (-1: none) and the counter when it went in */
	volatile int running[GZ_EL2_MAX_CPUS];
	volatile uint64_t run_since[GZ_EL2_MAX_CPUS];
	uint64_t console_bytes;
	uint64_t t0; /* counter when the guest started */
	/* the stall watch (CPU 0): the progress count and when it last moved; the samples */
	uint64_t stall_s, seen_progress, progress_at, next_sample;
	unsigned nr_samples;
	struct tm_sample samples[TM_SAMPLES];
} tm;

static int64_t hostcall(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
			uint64_t *r1)
{
	struct gz_smccc_regs r = {{fn, a1, a2, a3, a4, 0, 0, 0}};

	gz_hostcall_dispatch(&r);
	if (r1)
		*r1 = r.a[1];
	return (int64_t)r.a[0];
}

static uint64_t load(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

/* Guest progress: every exit the core counted that was not a preemption tick or another
 * host interrupt ending a RUN (an MMIO access, a PSCI or GIC call, a WFI, an SGI, a trapped
 * register...). A vCPU spinning through its slices makes none; a guest whose vCPUs all wait
 * on one that is stuck makes none at all. */
static uint64_t progress(void)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < tm.nr; i++)
		n += load(&tm.cpu[i].progress);
	return n;
}

static void print_samples(void)
{
	unsigned n = tm.nr_samples < TM_SAMPLES ? tm.nr_samples : TM_SAMPLES;

	gz_printf("test: the last %u seconds (per vCPU: RUNs / RUNs that ended at a new PC):\n", n);
	for (unsigned k = tm.nr_samples - n; k < tm.nr_samples; k++) {
		const struct tm_sample *c = &tm.samples[k % TM_SAMPLES];

		gz_printf("test:  %6lu ms: progress %lu, console %lu bytes, ticks %lu %lu, vcpus",
			  c->ms, c->progress, c->console, c->ticks[0], c->ticks[1]);
		for (unsigned i = 0; i < tm.nr; i++)
			gz_printf(" %lu/%lu", c->runs[i], c->pc_moves[i]);
		gz_printf("\n");
	}
}

static __attribute__((noreturn)) void fail(const char *what, int64_t st)
{
	static volatile bool failed;

	/* One report: another CPU that fails too (the same deadline) waits for the exit. */
	if (__atomic_exchange_n(&failed, true, __ATOMIC_SEQ_CST))
		for (;;)
			__asm__ volatile("wfe");
	gz_printf("\ntest: guest run failed: %s (%ld)\n", what, (long)st);
	gz_printf("test: exits: mmio %lu hypercall %lu irq %lu idle %lu ipi %lu gz %lu\n",
		  tm.exits[GZVM_EXIT_MMIO & 0xf], tm.exits[GZVM_EXIT_HYPERCALL & 0xf],
		  tm.exits[GZVM_EXIT_IRQ & 0xf], tm.exits[GZVM_EXIT_IDLE & 0xf],
		  tm.exits[GZVM_EXIT_IPI & 0xf], tm.exits[GZVM_EXIT_GZ & 0xf]);
	/* Where each CPU is: a CPU whose vCPU has been in RUN for seconds never got its
	 * preemption tick back. */
	for (unsigned i = 0; i < tm.npcpus; i++)
		gz_printf("test: cpu%u: vcpu %d in RUN for %lu ms, %lu ticks, %lu host irqs\n", i,
			  tm.running[i],
			  tm.running[i] < 0
			      ? 0
			      : (gz_hal_cntpct() - tm.run_since[i]) * 1000 / gz_hal_cntfrq(),
			  gz_el2_percpu[i].timer_irqs, gz_el2_percpu[i].irqs);
	for (unsigned i = 0; i < tm.nr; i++) {
		/* Where the guest is (a vCPU in RUN right now answers BUSY: all ones). */
		uint64_t pc = ~0UL, pstate = ~0UL, elr = ~0UL;
		uint64_t t = gz_hvc_tuple(tm.vm, (uint16_t)i);

		hostcall(GZ_HVC_GET_ONE_REG, t, GZVM_REG_CORE_PC, 0, 0, &pc);
		hostcall(GZ_HVC_GET_ONE_REG, t, GZVM_REG_CORE_PSTATE, 0, 0, &pstate);
		hostcall(GZ_HVC_GET_ONE_REG, t, GZVM_REG_CORE_ELR_EL1, 0, 0, &elr);
		struct gz_vcpu *v = gz_vcpu_get(gz_vm_get(tm.vm), i);
		const struct gz_guestsched_vcpu *s = &tm.sched[i];

		gz_printf("test: vcpu %u on cpu%u: %s (wake at %lu, gen %lu of %lu), %lu runs "
			  "(%lu ms), %lu exits in the core (%lu fast), last exit 0x%x, pc 0x%lx "
			  "pstate 0x%lx elr_el1 0x%lx\n",
			  i, s->pcpu, s->sleep ? "sleeping" : "runnable", s->wake_at, s->sleep_gen,
			  tm.wake_gen, tm.cpu[i].runs, s->vtime * 1000 / gz_hal_cntfrq(),
			  v ? v->nr_exits : 0, v ? v->nr_fast_exits : 0, tm.cpu[i].last_exit, pc,
			  pstate, elr);
	}
	print_samples();
	gz_el2_exit(GZ_EL2_EXIT_FAIL);
}

static bool in_ram(uint64_t base, uint64_t size)
{
	const struct gz_el2_platform *p = &gz_el2_platform;

	for (unsigned i = 0; i < p->nr_mem; i++)
		if (base >= p->mem_base[i] && size <= p->mem_size[i] &&
		    base - p->mem_base[i] <= p->mem_size[i] - size)
			return true;
	return false;
}

static bool overlaps(uint64_t a, uint64_t as, uint64_t b, uint64_t bs)
{
	return a < b + bs && b < a + as;
}

static uint64_t get_reg(struct tm_vcpu *c, uint64_t id)
{
	uint64_t v;
	int64_t st = hostcall(GZ_HVC_GET_ONE_REG, gz_hvc_tuple(tm.vm, c->idx), id, 0, 0, &v);

	if (st)
		fail("GET_ONE_REG", st);
	return v;
}

static void set_reg(struct tm_vcpu *c, uint64_t id, uint64_t v)
{
	int64_t st = hostcall(GZ_HVC_SET_ONE_REG, gz_hvc_tuple(tm.vm, c->idx), id, v, 0, NULL);

	if (st)
		fail("SET_ONE_REG", st);
}

/* ---- the "VMM": devices ------------------------------------------------------------- */

static void uart_tx(void *ctx, uint8_t byte)
{
	(void)ctx;
	gz_hal_console_putc((char)byte);
	tm.console_bytes++; /* under dev_lock */
}

/* One MMIO exit against the devices; false when none of them claims the access. */
static bool dev_access(uint64_t addr, unsigned size, bool write, uint64_t *val)
{
	bool claimed = true;

	gz_hal_lock(&tm.dev_lock);
	if (addr >= TM_UART_IPA && addr - TM_UART_IPA < TM_UART_SIZE) {
		if (write)
			gzdev_pl011_write(&tm.uart, addr - TM_UART_IPA, size, *val);
		else
			*val = gzdev_pl011_read(&tm.uart, addr - TM_UART_IPA, size);
	} else if (addr >= GZDEV_TESTDEV_BASE &&
		   gzdev_testdev_claims(addr - GZDEV_TESTDEV_BASE, size)) {
		if (write)
			gzdev_testdev_write(&tm.testdev, addr - GZDEV_TESTDEV_BASE, size, *val);
		else
			*val = gzdev_testdev_read(&tm.testdev, addr - GZDEV_TESTDEV_BASE, size);
	} else {
		claimed = false;
	}
	gz_hal_unlock(&tm.dev_lock);
	return claimed;
}

static void mmio(struct tm_vcpu *c)
{
	struct gzvm_vcpu_run *run = c->run;
	uint64_t addr = run->mmio.phys_addr, size = run->mmio.size, val = 0;

	if (size == 0 || size > 8) {
		tm.unhandled_mmio++;
		return;
	}
	if (run->mmio.is_write)
		gz_memcpy(&val, (const void *)run->mmio.data, size);
	if (!dev_access(addr, (unsigned)size, run->mmio.is_write, &val)) {
		tm.unhandled_mmio++;
		/* An access no device claims: the next RUN makes it a synchronous external abort
		 * (opengz's MMIO completion, docs/abi.md), as gzvmm does. */
		run->mmio.completion = GZVM_MMIO_COMPLETE_EXT_ABORT;
		return;
	}
	if (!run->mmio.is_write)
		gz_memcpy((void *)run->mmio.data, &val, 8);
}

/* ---- setup through the hypercall ABI ---------------------------------------------------- */

struct tm_layout {
	uint64_t work, scratch, ram, image, image_size;
	uint8_t *scratch_va; /* the scratch area in the host window, open for the whole run */
};

/* The host window address of @pa in the scratch area. */
static void *scratch(const struct tm_layout *l, uint64_t pa)
{
	return l->scratch_va + (pa - l->scratch);
}

static void plan(struct tm_layout *l, uint64_t dtb_pa)
{
	const char *v = gz_el2_bootarg_value("gz.image");
	const char *comma = NULL;
	uint64_t end = GZ_ALIGN_UP((uint64_t)(uintptr_t)_end, TM_ALIGN);
	char addr[24];
	size_t n;

	if (!v)
		fail("no gz.image=ADDR,SIZE on the command line", GZ_ERR_INVALID_ARGS);
	for (const char *s = v; *s && *s != ' '; s++)
		if (*s == ',')
			comma = s;
	n = comma ? (size_t)(comma - v) : 0;
	if (!comma || n == 0 || n >= sizeof(addr))
		fail("gz.image wants ADDR,SIZE", GZ_ERR_INVALID_ARGS);
	gz_memcpy(addr, v, n);
	addr[n] = 0;
	if (!gz_el2_parse_u64(addr, &l->image) || !gz_el2_parse_u64(comma + 1, &l->image_size) ||
	    l->image_size == 0 || l->image_size > TM_RAM_SIZE - TM_LOAD_OFFSET ||
	    !in_ram(l->image, l->image_size))
		fail("gz.image is not a range of RAM that fits the guest", GZ_ERR_INVALID_ARGS);
	/* work, scratch and guest RAM after the image, each clear of the DTB and the image */
	for (;;) {
		l->work = end;
		l->scratch = l->work + TM_WORK_SIZE;
		l->ram = l->scratch + TM_SCRATCH_SIZE;
		if (!in_ram(l->work, l->ram + TM_RAM_SIZE - l->work))
			fail("not enough RAM (the test mode needs about 160 MiB after gzhyp)",
			     GZ_ERR_NO_MEMORY);
		if (overlaps(l->work, l->ram + TM_RAM_SIZE - l->work, l->image, l->image_size)) {
			end = GZ_ALIGN_UP(l->image + l->image_size, TM_ALIGN);
			continue;
		}
		if (overlaps(l->work, l->ram + TM_RAM_SIZE - l->work, dtb_pa, TM_ALIGN)) {
			end = GZ_ALIGN_UP(dtb_pa + TM_ALIGN, TM_ALIGN);
			continue;
		}
		break;
	}
}

static void create_device(const struct tm_layout *l, uint64_t page, uint32_t type, uint64_t addr,
			  uint64_t size)
{
	struct gzvm_create_device *d = scratch(l, page);
	int64_t st;

	gz_memset(d, 0, sizeof(*d));
	d->dev_type = type;
	d->dev_addr = addr;
	d->dev_reg_size = size;
	st = hostcall(GZ_HVC_CREATE_DEVICE, tm.vm, page, 0, 0, NULL);
	if (st)
		fail("CREATE_DEVICE", st);
}

/* The image goes into the memory the host is about to donate, then out of the cache: the
 * guest starts with its MMU (and caches) off. Both windows close before the donation. */
static void load_image(const struct tm_layout *l)
{
	uint8_t *ram = gz_el2_host_window_open(l->ram, TM_RAM_SIZE, true);
	const uint8_t *image = gz_el2_host_window_open(l->image, l->image_size, false);

	if (!ram || !image)
		fail("host window on the guest RAM and image", GZ_ERR_NO_MEMORY);
	gz_memset(ram, 0, TM_LOAD_OFFSET);
	gz_memcpy(ram + TM_LOAD_OFFSET, image, l->image_size);
	gz_hal_dcache_clean_inval(ram, TM_RAM_SIZE);
	gz_hal_icache_inval_all();
	gz_el2_host_window_close(l->image, l->image_size);
	gz_el2_host_window_close(l->ram, TM_RAM_SIZE);
}

static void setup(struct tm_layout *l)
{
	struct gz_core_config cfg = {0};
	struct gzvm_memory_region_ranges *rr;
	uint64_t r1, hyp_base = GZ_ALIGN_DOWN((uint64_t)(uintptr_t)_text, GZ_PAGE_SIZE);
	uint64_t desc = l->scratch, dev = l->scratch + GZVM_MEMREGION_BUF_SIZE;
	uint64_t blocks = dev + GZ_PAGE_SIZE;
	int64_t st;

	cfg.mem.hyp_base = hyp_base;
	cfg.mem.hyp_size = GZ_ALIGN_UP((uint64_t)(uintptr_t)_end, GZ_PAGE_SIZE) - hyp_base;
	cfg.mem.work_base = l->work;
	cfg.mem.work_size = TM_WORK_SIZE;
	cfg.mem.host_vmid = 0;
	st = gz_core_init(&cfg);
	if (st)
		fail("gz_core_init", st);
	gz_el2_mmu_pool_ready();
	l->scratch_va = gz_el2_host_window_open(l->scratch, TM_SCRATCH_SIZE, true);
	if (!l->scratch_va)
		fail("host window on the scratch area", GZ_ERR_NO_MEMORY);

	st = hostcall(GZ_HVC_PROBE, GZ_DRV_VERSION_MAJOR, GZ_DRV_VERSION_MINOR, GZ_DRV_VERSION_SUB,
		      0, &r1);
	if (st)
		fail("PROBE", st);
	st = hostcall(GZ_HVC_CREATE_VM, TM_VM_TYPE, 0, 0, 0, &r1);
	if (st)
		fail("CREATE_VM", st);
	tm.vm = (uint16_t)r1;
	st = hostcall(GZ_HVC_ENABLE_CAP, tm.vm, GZVM_CAP_ENABLE_IDLE, 0, 0, NULL);
	if (st)
		fail("ENABLE_CAP(IDLE)", st);
	/* The DeviceID of an empty first virtio-mmio transport (0), as gzvmm declares it: the
	 * benchmark guest reads it and gzhyp answers; this VMM has no virtio device. */
	st = hostcall(GZ_HVC_ENABLE_CAP, tm.vm, GZVM_CAP_OPENGZ_MMIO_CONST, TM_VIRTIO_DEVICE_ID,
		      sizeof(uint32_t), NULL);
	if (st)
		fail("ENABLE_CAP(OPENGZ_MMIO_CONST)", st);

	load_image(l);

	st = hostcall(GZ_HVC_MEMREGION_PURPOSE, tm.vm, TM_RAM_IPA, TM_RAM_SIZE,
		      GZVM_USER_MEM_REGION_GUEST_MEM, NULL);
	if (st)
		fail("MEMREGION_PURPOSE", st);
	rr = scratch(l, desc);
	gz_memset(rr, 0, GZVM_MEMREGION_BUF_SIZE);
	rr->slot = 0;
	rr->constituent_cnt = 1;
	rr->total_pages = TM_RAM_SIZE / GZ_PAGE_SIZE;
	rr->gpa = TM_RAM_IPA;
	rr->constituents[0].address = l->ram;
	rr->constituents[0].pg_cnt = (uint32_t)(TM_RAM_SIZE / GZ_PAGE_SIZE);
	st = hostcall(GZ_HVC_SET_MEMREGION, tm.vm, GZVM_MEMREGION_BUF_SIZE, desc, 0, NULL);
	if (st)
		fail("SET_MEMREGION", st);

	create_device(l, dev, GZVM_DEV_TYPE_ARM_VGIC_V3_DIST, TM_GICD_IPA, ARCH_GICD_SIZE);
	create_device(l, dev, GZVM_DEV_TYPE_ARM_VGIC_V3_REDIST, TM_GICR_IPA,
		      ARCH_GICR_STRIDE * tm.nr);

	for (unsigned i = 0; i < tm.nr; i++) {
		struct tm_vcpu *c = &tm.cpu[i];

		c->idx = (uint16_t)i;
		c->run_pa = blocks + (uint64_t)i * GZVM_VCPU_RUN_MAP_SIZE;
		c->run = scratch(l, c->run_pa);
		gz_memset(c->run, 0, GZVM_VCPU_RUN_MAP_SIZE);
		st = hostcall(GZ_HVC_CREATE_VCPU, gz_hvc_tuple(tm.vm, (uint16_t)i), c->run_pa, 0, 0,
			      NULL);
		if (st)
			fail("CREATE_VCPU", st);
		c->core = gz_vcpu_get(gz_vm_get(tm.vm), i);
	}
	set_reg(&tm.cpu[0], GZVM_REG_CORE_PC, TM_RAM_IPA + TM_LOAD_OFFSET);
	set_reg(&tm.cpu[0], GZVM_REG_CORE_PSTATE, TM_PSTATE_BOOT);
	set_reg(&tm.cpu[0], GZVM_REG_CORE_X(0), 0);
}

/* ---- the run loop ----------------------------------------------------------------------- */

/* Every IPI exit bumps the wake generation; a vCPU sleeps only while the generation is the
 * one its RUN started under, so a wake racing with its IDLE exit (from the other physical
 * CPU) is never lost. */
static void wake_all(void)
{
	__atomic_fetch_add(&tm.wake_gen, 1, __ATOMIC_SEQ_CST);
}

static void count(uint64_t *ctr)
{
	__atomic_fetch_add(ctr, 1, __ATOMIC_RELAXED);
}

static void handle_exit(struct tm_vcpu *c, uint32_t reason, uint64_t gen)
{
	uint64_t wake_at;
	struct gzvm_vcpu_run *run = c->run;
	struct gzvm_vcpu_hwstate *hw = (void *)((uint8_t *)run + GZVM_VCPU_HWSTATE_OFFSET);

	count(&tm.exits[reason & 0xf]);
	switch (reason) {
	case GZVM_EXIT_MMIO:
		mmio(c);
		break;
	case GZVM_EXIT_HYPERCALL:
		/* A guest call the hypervisor forwards: this VMM implements none. */
		run->hypercall.args[0] = TM_SMCCC_UNKNOWN;
		break;
	case GZVM_EXIT_IRQ:
	case GZVM_EXIT_GZ:
		break;
	case GZVM_EXIT_IPI:
		wake_all();
		break;
	case GZVM_EXIT_IDLE:
		wake_at = hw->vtimer_migrate ? gz_hal_cntpct() + hw->vtimer_delay : 0;
		if (wake_at == 0 && hw->vtimer_migrate)
			wake_at = 1;
		gz_guestsched_sleep(&tm.sched[c->idx], gen, wake_at);
		break;
	case GZVM_EXIT_SYSTEM_EVENT:
		tm.event = run->system_event.type;
		__atomic_store_n(&tm.off, true, __ATOMIC_SEQ_CST);
		break;
	case GZVM_EXIT_INTERNAL_ERROR:
		gz_printf("\ntest: internal error exit: suberror %u data %lx %lx %lx %lx\n",
			  run->internal.suberror, (uint64_t)run->internal.data[0],
			  (uint64_t)run->internal.data[1], (uint64_t)run->internal.data[2],
			  (uint64_t)run->internal.data[3]);
		fail("INTERNAL_ERROR exit", GZ_ERR_GENERIC);
	case GZVM_EXIT_EXCEPTION:
		gz_printf("\ntest: exception exit %u at gpa 0x%lx\n", run->exception.exception,
			  (uint64_t)run->exception.fault_gpa);
		fail("EXCEPTION exit (memory is fully populated)", GZ_ERR_GENERIC);
	default:
		gz_printf("\ntest: exit reason 0x%x\n", reason);
		fail("unexpected exit", GZ_ERR_GENERIC);
	}
}

/* Each vCPU's FP/SIMD state goes in and out with its context; gzhyp keeps none of its own
 * (it never uses FP/SIMD). Before every run the CPU's FP/SIMD registers get a pattern no
 * guest sets (FPCR: flush-to-zero, round towards zero); after the run the vCPU's saved FPCR
 * must be its own, not the pattern, or the entry did not load the guest's state. */
#define TM_FP_POISON_FPCR 0x01c00000U
#define TM_REG_FPCR	  GZVM_REG_CORE_ID(GZVM_REG_SIZE_U32, fp_regs.fpcr)

static void fp_pattern(struct gz_fpsimd *f, unsigned pcpu)
{
	for (unsigned i = 0; i < 32; i++) {
		f->v[i][0] = 0x0123456789abcdefULL * (i + 1) ^ pcpu;
		f->v[i][1] = 0xfedcba9876543210ULL ^ ((uint64_t)i << 32);
	}
	f->fpsr = 0x08000000U; /* QC */
	f->fpcr = TM_FP_POISON_FPCR;
}

/* gz.entry_delay_us: the stall a loaded machine puts between the pick and the guest entry
 * (not the vCPU's run time). It lasts until the EL2 timer, if it fell due meanwhile, has
 * raised its interrupt, as a descheduled QEMU thread finds it raised when it resumes. */
static void entry_stall(void)
{
	uint64_t end = gz_hal_cntpct() + tm.entry_delay, give_up = end + gz_hal_cntfrq() / 10;

	while (gz_hal_cntpct() < end ||
	       (gz_el2_tick_due() && !gz_hal_host_irq_pending() && gz_hal_cntpct() < give_up))
		__asm__ volatile("yield");
}

static void store(uint64_t *p, uint64_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELAXED);
}

/* After a RUN of @c that ended with @reason: the statistics the stall watch reads. */
static void account(struct tm_vcpu *c, uint32_t reason)
{
	uint64_t pc = get_reg(c, GZVM_REG_CORE_PC);
	uint64_t exits = c->core ? c->core->nr_exits - c->core_exits : 0;

	/* Every exit the core saw in this RUN but a preemption tick (or another host
	 * interrupt) that ended it. */
	if (reason == GZVM_EXIT_IRQ && exits)
		exits--;
	store(&c->progress, c->progress + exits);
	store(&c->runs, c->runs + 1);
	if (pc != c->last_pc)
		store(&c->pc_moves, c->pc_moves + 1);
	c->last_pc = pc;
	c->last_exit = reason;
}

/* CPU 0 samples the progress every second and ends the run once there was none for
 * TM_STALL_S; the other CPUs only report (a stall seen from both ends in one report). */
static void watch(unsigned pcpu, uint64_t now)
{
	uint64_t freq = gz_hal_cntfrq(), p;
	struct tm_sample *c;

	if (pcpu != 0 || now < tm.next_sample)
		return;
	tm.next_sample = now + freq;
	p = progress();
	if (p != tm.seen_progress) {
		tm.seen_progress = p;
		tm.progress_at = now;
	}
	c = &tm.samples[tm.nr_samples++ % TM_SAMPLES];
	c->ms = (now - tm.t0) * 1000 / freq;
	c->progress = p;
	c->console = load(&tm.console_bytes);
	for (unsigned i = 0; i < 2; i++)
		c->ticks[i] = i < tm.npcpus ? load(&gz_el2_percpu[i].timer_irqs) : 0;
	for (unsigned i = 0; i < tm.nr; i++) {
		c->runs[i] = load(&tm.cpu[i].runs);
		c->pc_moves[i] = load(&tm.cpu[i].pc_moves);
	}
	if (now - tm.progress_at >= tm.stall_s * freq) {
		gz_printf("\ntest: no guest progress for %lu s (gz.stall_s)", tm.stall_s);
		fail("the guest made no progress", GZ_ERR_BUSY);
	}
}

/* Physical CPU @pcpu runs its vCPUs (index % pCPUs) until the VM powers off. */
static void run_vm(unsigned pcpu)
{
	static struct gz_fpsimd poison[GZ_EL2_MAX_CPUS] __attribute__((aligned(16)));
	uint64_t freq = gz_hal_cntfrq(), slice = freq / (1000000 / TM_SLICE_US);
	struct gz_guestsched_cpu sched = {.id = pcpu, .last = tm.nr - 1};

	fp_pattern(&poison[pcpu], pcpu);
	while (!__atomic_load_n(&tm.off, __ATOMIC_SEQ_CST)) {
		uint64_t r1, gen = __atomic_load_n(&tm.wake_gen, __ATOMIC_SEQ_CST);
		int i = gz_guestsched_pick(&sched, tm.sched, tm.nr, gz_hal_cntpct(), gen);
		int64_t st;

		watch(pcpu, gz_hal_cntpct());
		if (i < 0) {
			/* All of ours sleep: until a deadline or another CPU's wake. */
			__asm__ volatile("yield");
			continue;
		}
		/* Other vCPUs (runnable, sleeping on a deadline, or to be kicked by a wake from
		 * the other CPU) need the running one to come back now and then: the entry into
		 * the guest arms the tick (vcpu_run.c). */
		if (tm.nr > 1) {
			gz_el2_this_cpu()->entry_slice = slice;
			count(&tm.ticks_armed);
		}
		gen = __atomic_load_n(&tm.wake_gen, __ATOMIC_SEQ_CST);
		gz_el2_fpsimd_load(&poison[pcpu]);
		if (tm.entry_delay)
			entry_stall();
		tm.cpu[i].core_exits = tm.cpu[i].core ? tm.cpu[i].core->nr_exits : 0;
		tm.run_since[pcpu] = gz_hal_cntpct();
		tm.running[pcpu] = i;
		st = hostcall(GZ_HVC_RUN, gz_hvc_tuple(tm.vm, (uint16_t)i), 0, 0, 0, &r1);
		tm.running[pcpu] = -1;
		gz_guestsched_ran(&tm.sched[i], gz_hal_cntpct() - tm.run_since[pcpu]);
		gz_el2_this_cpu()->entry_slice = 0; /* a RUN that did not enter the guest */
		gz_el2_irq_drain();
		gz_el2_tick_arm(0);
		if (st)
			fail("RUN", st);
		account(&tm.cpu[i], (uint32_t)r1);
		if ((uint32_t)get_reg(&tm.cpu[i], TM_REG_FPCR) == TM_FP_POISON_FPCR)
			fail("a vCPU came back with the CPU's FP/SIMD state, not its own",
			     GZ_ERR_BAD_STATE);
		__atomic_fetch_add(&tm.fp_runs, 1UL, __ATOMIC_RELAXED);
		handle_exit(&tm.cpu[i], (uint32_t)r1, gen);
	}
	__atomic_fetch_add(&tm.fp_checked, 1U, __ATOMIC_RELAXED);
}

/* With no guest loaded, a host interrupt (the EL2 timer, PPI 26) must reach the host's own
 * GIC CPU interface directly: before the first run HCR_EL2 has IMO/FMO clear, so nothing
 * routes it through a guest exit (later the last guest's HCR_EL2 stays loaded between runs;
 * its IMO/FMO route EL1's interrupts only, and gzhyp at EL2 acknowledges the physical
 * ones). Returns false when it did not arrive within 5 s: the check is whether
 * it comes, not how soon (QEMU delivers timer interrupts from its main thread, which a loaded
 * machine deschedules for a long time: 200 ms were missed at a load average above 10). */
static bool host_irq_check(void)
{
	struct gz_el2_percpu *pc = gz_el2_this_cpu();
	uint64_t hcr = gz_sysreg_read(hcr_el2), before = pc->timer_irqs;
	uint64_t end = gz_hal_cntpct() + 5 * gz_hal_cntfrq();

	gz_el2_tick_arm(gz_hal_cntfrq() / 10000); /* 100 us */
	while (pc->timer_irqs == before && gz_hal_cntpct() < end)
		gz_el2_irq_drain();
	gz_el2_tick_arm(0);
	gz_printf("test: host interrupt check: EL2 timer PPI 26 %s by the host, HCR_EL2=0x%lx "
		  "(IMO %s, FMO %s)\n",
		  pc->timer_irqs != before ? "taken" : "NOT taken", hcr,
		  (hcr & HCR_IMO) ? "set" : "clear", (hcr & HCR_FMO) ? "set" : "clear");
	return pc->timer_irqs != before && !(hcr & (HCR_IMO | HCR_FMO));
}

/* Cost of the eager FP/SIMD switch (one save and one load of Q0-Q31, FPSR, FPCR), measured
 * on this CPU: the world switch loads the guest's on entry and saves it on exit. */
static uint64_t fpsimd_ns(void)
{
	static struct gz_fpsimd a __attribute__((aligned(16)));
	const unsigned n = 2000;
	uint64_t t0 = gz_hal_cntpct(), t;

	for (unsigned i = 0; i < n; i++) {
		gz_el2_fpsimd_save(&a);
		gz_el2_fpsimd_load(&a);
	}
	t = gz_hal_cntpct() - t0;
	return t * 1000000000UL / gz_hal_cntfrq() / n;
}

/* A secondary CPU in test mode: run its share of the vCPUs once the VM exists. */
void gz_el2_guest_secondary(unsigned cpu)
{
	while (!__atomic_load_n(&tm.ready, __ATOMIC_ACQUIRE))
		__asm__ volatile("yield");
	if (cpu < tm.npcpus)
		run_vm(cpu);
	__atomic_fetch_add(&tm.pcpus_done, 1U, __ATOMIC_RELEASE);
}

void gz_el2_guest_test(unsigned online)
{
	const char *v = gz_el2_bootarg_value("gz.vcpus");
	struct gz_el2_percpu *pc = gz_el2_this_cpu();
	struct tm_layout l;
	uint64_t n = 1, p = online, delay_us = 0, t0, t1, wait, nexits = 0;

	if (v && (!gz_el2_parse_u64(v, &n) || n < 1 || n > TM_MAX_VCPUS))
		fail("gz.vcpus wants 1..8", GZ_ERR_INVALID_ARGS);
	v = gz_el2_bootarg_value("gz.pcpus");
	if (v && (!gz_el2_parse_u64(v, &p) || p < 1 || p > online))
		fail("gz.pcpus wants 1..(online cpus)", GZ_ERR_INVALID_ARGS);
	tm.nr = (unsigned)n;
	gzdev_pl011_init(&tm.uart, uart_tx, NULL, NULL);
	tm.npcpus = (unsigned)(p < n ? p : n);
	v = gz_el2_bootarg_value("gz.entry_delay_us");
	if (v && (!gz_el2_parse_u64(v, &delay_us) || delay_us > TM_MAX_ENTRY_DELAY_US))
		fail("gz.entry_delay_us wants 0..100000", GZ_ERR_INVALID_ARGS);
	tm.entry_delay = delay_us * gz_hal_cntfrq() / 1000000;
	tm.stall_s = TM_STALL_S;
	v = gz_el2_bootarg_value("gz.stall_s");
	if (v &&
	    (!gz_el2_parse_u64(v, &tm.stall_s) || tm.stall_s < 1 || tm.stall_s > TM_MAX_STALL_S))
		fail("gz.stall_s wants 1..60", GZ_ERR_INVALID_ARGS);
	for (unsigned i = 0; i < GZ_EL2_MAX_CPUS; i++)
		tm.running[i] = -1;
	if (!gz_el2_gic_ready)
		fail("the test mode needs the physical GIC (preemption, host interrupts)",
		     GZ_ERR_NOT_SUPPORTED);
	plan(&l, gz_el2_platform.dtb_pa);
	gz_printf("test: guest image 0x%lx (%lu bytes), %u vcpus on %u cpus, RAM at host 0x%lx, "
		  "work 0x%lx\n",
		  l.image, l.image_size, tm.nr, tm.npcpus, l.ram, l.work);
	setup(&l);
	for (unsigned i = 0; i < tm.nr; i++)
		tm.sched[i].pcpu = i % tm.npcpus;
	if (!host_irq_check())
		fail("a host interrupt did not reach the host directly", GZ_ERR_BAD_STATE);
	gz_printf("test: fpsimd save+load %lu ns (eager switch)\n", fpsimd_ns());
	if (delay_us)
		gz_printf("test: every RUN enters the guest %lu us late (gz.entry_delay_us), the "
			  "preemption slice is %u us\n",
			  delay_us, TM_SLICE_US);
	gz_printf("test: vm %u created through the hypercall ABI; running\n", tm.vm);
	gz_printf("@@guest-console-begin@@\n");
	t0 = gz_hal_cntpct();
	tm.t0 = tm.progress_at = t0;
	tm.next_sample = t0 + gz_hal_cntfrq();
	__atomic_store_n(&tm.ready, true, __ATOMIC_RELEASE);
	run_vm(0);
	/* The other CPUs see the power-off at their next exit (a tick at the latest). */
	wait = gz_hal_cntpct() + gz_hal_cntfrq();
	while (__atomic_load_n(&tm.pcpus_done, __ATOMIC_ACQUIRE) + 1 < online &&
	       gz_hal_cntpct() < wait)
		__asm__ volatile("yield");
	t1 = gz_hal_cntpct();
	gz_printf("@@guest-console-end@@\n");
	for (unsigned i = 0; i < 16; i++)
		nexits += tm.exits[i];
	gz_printf("test: system event %u after %lu ms; exits: mmio %lu hypercall %lu irq %lu "
		  "idle %lu ipi %lu gz %lu; cpu0 host irqs %lu (ticks %lu, %lu armed on all); "
		  "unhandled mmio %lu\n",
		  tm.event, (t1 - t0) * 1000 / gz_hal_cntfrq(), tm.exits[GZVM_EXIT_MMIO & 0xf],
		  tm.exits[GZVM_EXIT_HYPERCALL & 0xf], tm.exits[GZVM_EXIT_IRQ & 0xf],
		  tm.exits[GZVM_EXIT_IDLE & 0xf], tm.exits[GZVM_EXIT_IPI & 0xf],
		  tm.exits[GZVM_EXIT_GZ & 0xf], pc->irqs, pc->timer_irqs, tm.ticks_armed,
		  tm.unhandled_mmio);
	gz_printf("test: vCPU FP/SIMD state switched with its context on %u cpus (%lu runs)\n",
		  tm.fp_checked, tm.fp_runs);
	for (unsigned i = 0; i < tm.npcpus; i++)
		gz_printf("test: cpu%u: %lu kicks sent, %lu irq exits handled at EL2\n", i,
			  gz_el2_percpu[i].kicks_sent, gz_el2_percpu[i].irqs_consumed);
	gz_printf("test: %lu exits to the host, %lu us of run time per exit on average\n", nexits,
		  nexits ? (t1 - t0) * 1000000 / gz_hal_cntfrq() / nexits : 0);
	if (tm.pcpus_done + 1 < online)
		fail("a secondary cpu did not leave its run loop", GZ_ERR_BUSY);
	gz_el2_exit(tm.event == GZVM_SYSTEM_EVENT_SHUTDOWN ? GZ_EL2_EXIT_OK : GZ_EL2_EXIT_FAIL);
}
