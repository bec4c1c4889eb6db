/* The virtualization-cost benchmark guest: times, with the virtual counter and many
 * iterations, the operations whose cost a hypervisor decides (hypercall, MMIO exits,
 * vGIC accesses, virtual interrupts, IPIs, the virtual timer, stage-2 fault-in) and prints
 * one greppable line per operation:
 *   bench: <name> median=<ticks> min=<ticks> max=<ticks> n=<samples> mean=<ticks>
 * (the mean for operations whose cost comes in kinds, such as a stage-2 fault served by the
 * hypervisor or by the host; one outlier of the host's scheduler moves it a lot)
 * Freestanding, EL1, QEMU virt memory map (RAM at 1 GiB, at least 128 MiB; PL011 at
 * 0x09000000; GICv3 distributor 0x08000000, redistributors 0x080A0000; a plain MMIO device
 * without an in-kernel handler at 0x0b000000, gzvmm's --testdev). Two vCPUs for the IPI
 * figures; with one, those lines are skipped. Ends with PSCI SYSTEM_OFF. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UART_BASE	      0x09000000UL
#define GICD_BASE	      0x08000000UL
#define GICR_BASE	      0x080A0000UL
#define GICR_STRIDE	      0x20000UL
#define GICR_SGI_OFF	      0x10000UL
#define TESTDEV_BASE	      0x0b000000UL
#define VIRTIO_MMIO_BASE      0x0a000000UL /* the first of virt's 32 virtio-mmio transports */
#define VIRTIO_MMIO_DEVICE_ID 0x008
#define RAM_BASE	      0x40000000UL

#define GICD_CTLR	0x0000
#define GICD_TYPER	0x0004
#define GICD_CTLR_RWP	(1U << 31)
#define GICD_CTLR_ARE	(1U << 4)
#define GICD_CTLR_GRP1	(1U << 1)
#define GICR_WAKER	0x0014
#define GICR_WAKER_PS	(1U << 1)
#define GICR_WAKER_CA	(1U << 2)
#define GICR_IGROUPR0	0x0080
#define GICR_ISENABLER0 0x0100
#define GICR_IPRIORITYR 0x0400
#define INTID_SPURIOUS	1023U

#define SGI_SELF   1U
#define SGI_IPI	   2U
#define SGI_PONG   3U /* vCPU 1's answer in the ping-pong */
#define PPI_VTIMER 27U

#define SMCCC_VERSION	       0x80000000UL
#define SMCCC_YIELDING_UNKNOWN 0x4b000000UL /* bit 31 clear: a yielding call; nobody serves it */
/* Vendor-hypervisor UID query: both KVM and gzhyp answer it at once from a constant, the
 * smallest round trip through the hypervisor (unimplemented vendor calls would go to the
 * VMM on gzhyp, and any other owner means more work). */
#define SMCCC_VENDOR_HYP_UID 0x8600ff01UL
#define PSCI_VERSION	     0x84000000UL
#define PSCI_CPU_ON	     0xc4000003UL
#define PSCI_SYSTEM_OFF	     0x84000008UL

/* Fresh RAM for the fault-in figure: 64 MiB into RAM, far above the image (RAM >= 128 MiB). */
#define FRESH_BASE (RAM_BASE + (64UL << 20))
#define PAGE_SIZE  4096UL

/* Samples per operation; a build may lower them (-DN_FAST=.. -DN_SLOW=..) for slow
 * platforms such as the simulator under callgrind. */
#ifndef N_FAST
#define N_FAST 1000U
#endif
#ifndef N_SLOW
#define N_SLOW 300U
#endif
#define N_MAX 1000U
_Static_assert(N_FAST <= N_MAX && N_SLOW <= N_MAX && N_SLOW > 0, "sample counts");

#define read_sysreg(r)                                                                             \
	({                                                                                         \
		uint64_t __v;                                                                      \
		__asm__ volatile("mrs %0, " #r : "=r"(__v)::"memory");                             \
		__v;                                                                               \
	})
#define write_sysreg(r, v) __asm__ volatile("msr " #r ", %0" ::"r"((uint64_t)(v)) : "memory")
#define isb()		   __asm__ volatile("isb" ::: "memory")
#define dsb()		   __asm__ volatile("dsb sy" ::: "memory")

extern void bench_secondary_entry(void);

/* Device accesses as single plain loads/stores (no pairs, no writeback): a hypervisor
 * emulates an MMIO access from its syndrome, which only such instructions carry. */
static inline uint32_t r32(uint64_t a)
{
	uint32_t v;

	__asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(a) : "memory");
	return v;
}
static inline void w32(uint64_t a, uint32_t v)
{
	__asm__ volatile("str %w0, [%1]" ::"rZ"(v), "r"(a) : "memory");
}

/* The counter read is ordered after everything before it (isb), as in Linux's get_cycles
 * for measurement. */
static inline uint64_t now(void)
{
	isb();
	return read_sysreg(cntvct_el0);
}

static uint64_t hvc(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fn;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;

	__asm__ volatile("hvc #0"
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
			 :
			 : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14",
			   "x15", "x16", "x17", "memory");
	return x0;
}

/* ---- console: blind PL011 data-register writes (a virtual UART never fills) ---- */
static void putc_(char c)
{
	if (c == '\n')
		w32(UART_BASE, '\r');
	w32(UART_BASE, (uint32_t)(unsigned char)c);
}

static void puts_(const char *s)
{
	while (*s)
		putc_(*s++);
}

static void putu(uint64_t v)
{
	char b[24];
	int i = 0;

	do {
		b[i++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (i)
		putc_(b[--i]);
}

static void putx(uint64_t v)
{
	int i;

	puts_("0x");
	for (i = 60; i > 0 && !((v >> i) & 0xf); i -= 4)
		;
	for (; i >= 0; i -= 4)
		putc_("0123456789abcdef"[(v >> i) & 0xf]);
}

__attribute__((noreturn)) static void system_off(void)
{
	hvc(PSCI_SYSTEM_OFF, 0, 0, 0);
	for (;;)
		__asm__ volatile("wfi");
}

void bench_unexpected(uint64_t kind, uint64_t esr, uint64_t elr, uint64_t far)
{
	puts_("bench: error unexpected exception kind=");
	putu(kind);
	puts_(" esr=");
	putx(esr);
	puts_(" elr=");
	putx(elr);
	puts_(" far=");
	putx(far);
	putc_('\n');
	system_off();
}

/* ---- GICv3 ---- */
static unsigned ncpus_online = 1;

static void gicd_wait_rwp(void)
{
	while (r32(GICD_BASE + GICD_CTLR) & GICD_CTLR_RWP)
		;
}

static void gic_dist_init(void)
{
	w32(GICD_BASE + GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_GRP1);
	gicd_wait_rwp();
}

static void gic_cpu_init(unsigned cpu)
{
	uint64_t rd = GICR_BASE + cpu * GICR_STRIDE;
	uint64_t sgi = rd + GICR_SGI_OFF;
	unsigned i;

	w32(rd + GICR_WAKER, r32(rd + GICR_WAKER) & ~GICR_WAKER_PS);
	while (r32(rd + GICR_WAKER) & GICR_WAKER_CA)
		;
	w32(sgi + GICR_IGROUPR0, 0xffffffffU);
	for (i = 0; i < 32; i += 4)
		w32(sgi + GICR_IPRIORITYR + i, 0xa0a0a0a0U);
	w32(sgi + GICR_ISENABLER0,
	    (1U << SGI_SELF) | (1U << SGI_IPI) | (1U << SGI_PONG) | (1U << PPI_VTIMER));
	dsb();
	write_sysreg(s3_0_c12_c12_5, read_sysreg(s3_0_c12_c12_5) | 1); /* ICC_SRE_EL1.SRE */
	isb();
	write_sysreg(s3_0_c4_c6_0, 0xff); /* ICC_PMR_EL1 */
	write_sysreg(s3_0_c12_c12_3, 0);  /* ICC_BPR1_EL1 */
	write_sysreg(s3_0_c12_c12_7, 1);  /* ICC_IGRPEN1_EL1 */
	isb();
}

static inline uint32_t icc_iar1(void)
{
	return (uint32_t)read_sysreg(s3_0_c12_c12_0);
}
static inline void icc_eoir1(uint32_t intid)
{
	write_sysreg(s3_0_c12_c12_1, intid);
}
static inline void icc_sgi1r(unsigned intid, unsigned target_cpu)
{
	write_sysreg(s3_0_c12_c11_5, ((uint64_t)intid << 24) | (1UL << target_cpu));
	isb();
}

/* ---- shared state with the interrupt handlers and the second vCPU ---- */
static volatile uint64_t irq_stamp;
static volatile uint32_t irq_seen;
static volatile bool cpu1_pong; /* vCPU 1's handler answers SGI_IPI with SGI_PONG */
static volatile uint32_t cpu1_ready;
static volatile uint32_t cpu1_wfi; /* the IPI target sleeps in WFI instead of spinning */

void bench_irq(uint64_t kind)
{
	uint64_t t = now();
	uint32_t intid = icc_iar1();

	(void)kind;
	if (intid == INTID_SPURIOUS)
		return;
	if (intid == PPI_VTIMER)
		write_sysreg(cntv_ctl_el0, 0); /* one shot: the level would fire again */
	icc_eoir1(intid);
	if (intid == SGI_IPI && cpu1_pong) {
		icc_sgi1r(SGI_PONG, 0);
		return;
	}
	irq_stamp = t;
	dsb();
	irq_seen = intid;
	dsb();
}

/* ---- statistics ---- */
static uint64_t samples[N_MAX];

static void sort(uint64_t *a, unsigned n)
{
	/* Shell sort: no recursion, no allocation, fast enough for a thousand samples. */
	unsigned gap, i, j;

	for (gap = n / 2; gap; gap /= 2)
		for (i = gap; i < n; i++) {
			uint64_t v = a[i];

			for (j = i; j >= gap && a[j - gap] > v; j -= gap)
				a[j] = a[j - gap];
			a[j] = v;
		}
}

static void report(const char *name, unsigned n)
{
	uint64_t sum = 0;

	for (unsigned i = 0; i < n; i++)
		sum += samples[i];
	sort(samples, n);
	puts_("bench: ");
	puts_(name);
	puts_(" median=");
	putu(samples[n / 2]);
	puts_(" min=");
	putu(samples[0]);
	puts_(" max=");
	putu(samples[n - 1]);
	puts_(" n=");
	putu(n);
	puts_(" mean=");
	putu(sum / n);
	putc_('\n');
}

/* ---- the operations ---- */
static void bench_null(void)
{
	unsigned i;

	for (i = 0; i < N_FAST; i++) {
		uint64_t t0 = now();
		uint64_t t1 = now();

		samples[i] = t1 - t0;
	}
	report("null", N_FAST);
}

static void bench_hvc(const char *name, uint64_t fn)
{
	unsigned i;

	for (i = 0; i < N_FAST; i++) {
		uint64_t t0 = now();

		hvc(fn, 0, 0, 0);
		samples[i] = now() - t0;
	}
	report(name, N_FAST);
}

static void bench_mmio_read(const char *name, uint64_t addr)
{
	unsigned i;

	for (i = 0; i < N_FAST; i++) {
		uint64_t t0 = now();

		(void)r32(addr);
		samples[i] = now() - t0;
	}
	report(name, N_FAST);
}

static void bench_mmio_write(const char *name, uint64_t addr)
{
	unsigned i;

	for (i = 0; i < N_FAST; i++) {
		uint64_t t0 = now();

		w32(addr, i);
		samples[i] = now() - t0;
	}
	report(name, N_FAST);
}

/* Self-SGI with interrupts masked: the send (a trapped ICC_SGI1R_EL1 write) and, apart,
 * the acknowledge + EOI of the now-pending virtual interrupt. */
static void bench_virq(void)
{
	unsigned i, n_ack = 0, bad = 0;
	static uint64_t send[N_MAX];

	for (i = 0; i < N_FAST; i++) {
		uint64_t t0, t1, t2;
		uint32_t intid;
		unsigned spins = 0;

		t0 = now();
		icc_sgi1r(SGI_SELF, 0);
		t1 = now();
		do {
			intid = icc_iar1();
		} while (intid == INTID_SPURIOUS && ++spins < 1000000U);
		if (intid == INTID_SPURIOUS) {
			bad++;
			continue;
		}
		icc_eoir1(intid);
		t2 = now();
		send[n_ack] = t1 - t0;
		samples[n_ack++] = t2 - t1;
	}
	if (bad || n_ack == 0) {
		puts_("bench: error virq: self-SGI never became pending, lost=");
		putu(bad);
		putc_('\n');
		if (!n_ack)
			return;
	}
	report("virq_ack_eoi", n_ack);
	for (i = 0; i < n_ack; i++)
		samples[i] = send[i];
	report("sgi_send", n_ack);
}

static bool wait_irq(uint32_t intid, uint64_t limit_ticks)
{
	uint64_t t0 = now();

	while (irq_seen != intid)
		if (now() - t0 > limit_ticks)
			return false;
	return true;
}

/* CVAL to handler entry: the timer fires at CVAL; the handler stamps the counter first. */
static void bench_vtimer(const char *name, bool sleep, unsigned n)
{
	uint64_t freq = read_sysreg(cntfrq_el0);
	uint64_t delta = freq / 2000; /* 500 us: well past the arming code */
	unsigned i, got = 0;

	__asm__ volatile("msr daifclr, #2" ::: "memory");
	for (i = 0; i < n; i++) {
		uint64_t cval;

		irq_seen = 0;
		dsb();
		cval = now() + delta;
		write_sysreg(cntv_cval_el0, cval);
		write_sysreg(cntv_ctl_el0, 1); /* ENABLE, not masked */
		isb();
		if (sleep) {
			while (irq_seen != PPI_VTIMER && now() < cval + freq)
				__asm__ volatile("wfi");
		}
		if (!wait_irq(PPI_VTIMER, freq)) {
			puts_("bench: error vtimer: no interrupt within 1 s\n");
			break;
		}
		samples[got++] = irq_stamp - cval;
	}
	__asm__ volatile("msr daifset, #2" ::: "memory");
	write_sysreg(cntv_ctl_el0, 0);
	if (got)
		report(name, got);
}

/* First touch of never-used RAM pages: each store takes a stage-2 fault that the
 * hypervisor (and host) must serve by allocating and mapping a page. */
static void bench_s2fault(void)
{
	unsigned i;
	uint64_t base = FRESH_BASE;

	for (i = 0; i < N_SLOW; i++) {
		volatile uint64_t *p = (volatile uint64_t *)(base + i * PAGE_SIZE);
		uint64_t t0 = now();

		*p = i;
		samples[i] = now() - t0;
	}
	report("s2fault", N_SLOW);
	/* The same pages again: mapped now, the pure access cost for comparison. */
	for (i = 0; i < N_SLOW; i++) {
		volatile uint64_t *p = (volatile uint64_t *)(base + i * PAGE_SIZE);
		uint64_t t0 = now();

		*p = i + 1;
		samples[i] = now() - t0;
	}
	report("s2mapped", N_SLOW);
}

/* SGI from vCPU 0 to vCPU 1 until vCPU 1's handler runs (stamped there; one virtual
 * counter for the VM). With @pong, the ping-pong third-party benchmarks measure: vCPU 1's
 * handler answers with an SGI back and vCPU 0's handler stamps the round trip. */
static void bench_ipi(const char *name, bool target_sleeps, bool pong)
{
	uint64_t freq = read_sysreg(cntfrq_el0);
	uint32_t until = pong ? SGI_PONG : SGI_IPI;
	unsigned i, got = 0;

	cpu1_wfi = target_sleeps;
	cpu1_pong = pong;
	dsb();
	/* Let vCPU 1 settle into its new waiting mode. */
	{
		uint64_t t = now();

		while (now() - t < freq / 100)
			;
	}
	if (pong)
		__asm__ volatile("msr daifclr, #2" ::: "memory");
	for (i = 0; i < N_SLOW; i++) {
		uint64_t t0;

		irq_seen = 0;
		dsb();
		t0 = now();
		icc_sgi1r(SGI_IPI, 1);
		if (!wait_irq(until, freq)) {
			puts_("bench: error ");
			puts_(name);
			puts_(": no interrupt within 1 s\n");
			break;
		}
		samples[got++] = irq_stamp - t0;
	}
	__asm__ volatile("msr daifset, #2" ::: "memory");
	cpu1_pong = false;
	dsb();
	if (got)
		report(name, got);
}

static void cpu1_main(void)
{
	gic_cpu_init(1);
	__asm__ volatile("msr daifclr, #2" ::: "memory");
	cpu1_ready = 1;
	dsb();
	for (;;) {
		if (cpu1_wfi)
			__asm__ volatile("wfi");
	}
}

static bool start_cpu1(void)
{
	uint64_t freq = read_sysreg(cntfrq_el0);
	uint64_t t0;
	int64_t r = (int64_t)hvc(PSCI_CPU_ON, 1, (uint64_t)bench_secondary_entry, 1);

	if (r != 0) {
		puts_("bench: note no second vCPU (PSCI CPU_ON returned ");
		putu((uint64_t)-r);
		puts_("), IPI figures skipped\n");
		return false;
	}
	t0 = now();
	while (!cpu1_ready)
		if (now() - t0 > 5 * freq) {
			puts_("bench: error vCPU 1 did not come up\n");
			return false;
		}
	return true;
}

void bench_cpu_main(unsigned cpu)
{
	if (cpu != 0)
		cpu1_main();

	puts_("bench: start cntfrq=");
	putu(read_sysreg(cntfrq_el0));
	puts_(" psci=");
	putx(hvc(PSCI_VERSION, 0, 0, 0));
	puts_(" midr=");
	putx(read_sysreg(midr_el1));
	putc_('\n');
	gic_dist_init();
	gic_cpu_init(0);

	bench_null();
	bench_hvc("hvc_smccc_version", SMCCC_VERSION);
	bench_hvc("hvc_psci_version", PSCI_VERSION);
	bench_hvc("world_switch", SMCCC_VENDOR_HYP_UID);
	bench_mmio_read("mmio_exit_read", TESTDEV_BASE);
	bench_mmio_write("mmio_exit_write", TESTDEV_BASE + 4);
	bench_mmio_read("mmio_gicd_typer", GICD_BASE + GICD_TYPER);
	/* What a stranger's benchmark does: an SMCCC call nobody implements (a yielding call),
	 * and the first virtio-mmio transport's DeviceID (the hypervisor answers it once the VMM
	 * declared it constant; KVM's VMM serves it in user space). */
	bench_hvc("hvc_unimplemented", SMCCC_YIELDING_UNKNOWN);
	bench_mmio_read("mmio_virtio_id", VIRTIO_MMIO_BASE + VIRTIO_MMIO_DEVICE_ID);
	bench_virq();
	bench_vtimer("vtimer", false, N_SLOW);
	bench_vtimer("vtimer_wfi", true, N_SLOW);
	bench_s2fault();
	if (start_cpu1()) {
		ncpus_online = 2;
		bench_ipi("ipi", false, false);
		bench_ipi("ipi_wfi", true, false);
		bench_ipi("ipi_pingpong", false, true);
	}
	puts_("bench: done cpus=");
	putu(ncpus_online);
	putc_('\n');
	system_off();
}
