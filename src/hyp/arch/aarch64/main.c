/*
 * gzhyp's boot path at EL2: banner, platform from the DTB QEMU (or a boot loader) handed
 * over, HAL self-test, secondary CPUs through PSCI CPU_ON, then the run's status. What it
 * prints is a stable, greppable record ("dtb: ...", "smp: ...", "gzhyp: exit status=N") that
 * tests/qemu reads. The command line may ask for a fault on purpose ("gz.test=brk",
 * "gz.test=dabt", "gz.test=panic") so tests can prove the failure paths.
 */
#include <hal.h>
#include <gzhyp/fdt.h>
#include <gzabi/guest_calls.h>
#include <gzhyp/lib.h>
#include <gzhyp/log.h>
#include <arm64/sysreg_el2.h>

#include "el2.h"

_Static_assert(GZ_EL2_PSCI_SYSTEM_OFF_ASM == GZ_PSCI_SYSTEM_OFF, "head.S PSCI SYSTEM_OFF id");

struct gz_el2_percpu gz_el2_percpu[GZ_EL2_MAX_CPUS];
bool gz_el2_gic_ready;
static volatile unsigned cpus_online;

static void percpu_enter(unsigned id, uint64_t mpidr)
{
	struct gz_el2_percpu *pc = &gz_el2_percpu[id];

	pc->id = id;
	pc->mpidr = mpidr & MPIDR_AFF_MASK;
	__asm__ volatile("msr tpidr_el2, %0" ::"r"(pc));
}

static unsigned current_el(void)
{
	uint64_t v;

	__asm__ volatile("mrs %0, CurrentEL" : "=r"(v));
	return (unsigned)((v >> CURRENTEL_EL_SHIFT) & CURRENTEL_EL_MASK);
}

/* Does the command line carry the word @word (space separated)? */
bool gz_el2_bootarg(const char *word)
{
	const char *s = gz_el2_platform.bootargs;
	size_t n = gz_strlen(word);

	while (s && *s) {
		while (*s == ' ')
			s++;
		if (gz_strncmp(s, word, n) == 0 && (s[n] == 0 || s[n] == ' '))
			return true;
		while (*s && *s != ' ')
			s++;
	}
	return false;
}

/* The value of @key= in the command line @s, or NULL. */
static const char *value_in(const char *s, const char *key)
{
	size_t n = gz_strlen(key);

	while (s && *s) {
		while (*s == ' ')
			s++;
		if (gz_strncmp(s, key, n) == 0 && s[n] == '=')
			return s + n + 1;
		while (*s && *s != ' ')
			s++;
	}
	return NULL;
}

const char *gz_el2_bootarg_value(const char *key)
{
	return value_in(gz_el2_platform.bootargs, key);
}

size_t gz_el2_bootarg_scrub(char *s, const char *key)
{
	char *v = (char *)value_in(s, key);
	size_t n = 0;

	while (v && v[n] && v[n] != ' ')
		v[n++] = '*';
	return n;
}

/* A decimal or 0x-hexadecimal number ending at a space, comma or the end of the string. */
bool gz_el2_parse_u64(const char *s, uint64_t *v)
{
	unsigned base = 10, digits = 0;
	uint64_t x = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	for (; *s && *s != ' ' && *s != ','; s++, digits++) {
		unsigned d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			return false;
		if (x > (UINT64_MAX - d) / base)
			return false;
		x = x * base + d;
	}
	*v = x;
	return digits > 0;
}

static void print_platform(void)
{
	const struct gz_el2_platform *p = &gz_el2_platform;
	uint64_t total = 0;

	for (unsigned i = 0; i < p->nr_mem; i++) {
		gz_printf("dtb: memory[%u] base=0x%lx size=0x%lx\n", i, p->mem_base[i],
			  p->mem_size[i]);
		total += p->mem_size[i];
	}
	gz_printf("dtb: memory total=%lu MiB\n", total >> 20);
	gz_printf("dtb: cpus=%u\n", p->nr_cpus);
	for (unsigned i = 0; i < p->nr_cpus && i < GZ_EL2_MAX_CPUS; i++)
		gz_printf("dtb: cpu[%u] mpidr=0x%lx\n", i, p->cpu_mpidr[i]);
	gz_printf("dtb: gicv3 gicd=0x%lx size=0x%lx gicr=0x%lx size=0x%lx\n", p->gicd_base,
		  p->gicd_size, p->gicr_base, p->gicr_size);
	gz_printf("dtb: uart pl011=0x%lx\n", p->uart_base);
	gz_printf("dtb: bootargs=\"%s\"\n", p->bootargs ? p->bootargs : "");
}

/* The CPUs this build can run: the DTB's, up to GZ_EL2_MAX_CPUS. */
static unsigned usable_cpus(void)
{
	unsigned n = gz_el2_platform.nr_cpus;

	return n < GZ_EL2_MAX_CPUS ? n : GZ_EL2_MAX_CPUS;
}

/* Starts every other usable CPU of the DTB through PSCI CPU_ON and waits (bounded) for it. */
static unsigned start_secondaries(void)
{
	const struct gz_el2_platform *p = &gz_el2_platform;
	unsigned next_id = 1;

	cpus_online = 1;
	if (p->nr_cpus > GZ_EL2_MAX_CPUS)
		gz_printf("smp: the DTB lists %u cpus; this build runs %u\n", p->nr_cpus,
			  GZ_EL2_MAX_CPUS);
	if (!p->cpus_psci) {
		gz_printf("smp: cpus lack enable-method \"psci\"; staying on one cpu\n");
		return 1;
	}
	for (unsigned i = 0; i < usable_cpus(); i++) {
		uint64_t mpidr = p->cpu_mpidr[i], deadline;
		int64_t rc;

		if (mpidr == gz_el2_percpu[0].mpidr)
			continue;
		if (next_id >= GZ_EL2_MAX_CPUS)
			break;
		gz_el2_percpu[next_id].mpidr = mpidr;
		rc = gz_psci_cpu_on(mpidr, (uint64_t)(uintptr_t)gz_el2_secondary_entry, next_id);
		if (rc != 0) {
			gz_printf("smp: CPU_ON mpidr=0x%lx failed: %ld\n", mpidr, (long)rc);
			continue;
		}
		deadline = gz_hal_cntpct() + gz_hal_cntfrq(); /* one second */
		while (!gz_el2_percpu[next_id].online && gz_hal_cntpct() < deadline)
			__asm__ volatile("yield");
		if (!gz_el2_percpu[next_id].online) {
			gz_printf("smp: cpu%u mpidr=0x%lx did not come up\n", next_id, mpidr);
			continue;
		}
		next_id++;
	}
	return __atomic_load_n(&cpus_online, __ATOMIC_ACQUIRE);
}

void gz_el2_secondary_main(uint64_t cpu, uint64_t mpidr)
{
	struct gz_el2_percpu *pc = &gz_el2_percpu[cpu];

	percpu_enter((unsigned)cpu, mpidr);
	gz_el2_mmu_enable_cpu();
	gz_el2_vcpu_init_cpu();
	if (gz_el2_gic_ready && gz_el2_gic_init_cpu() < 0)
		gz_printf("smp: cpu%u: no redistributor for mpidr=0x%lx\n", (unsigned)cpu, mpidr);
	__asm__ volatile("msr daifclr, #" GZ_STR(DAIF_ASYNC_BIT));
	gz_printf("smp: cpu%u online at EL%u mpidr=0x%lx\n", gz_hal_cpu_id(), current_el(),
		  pc->mpidr);
	__atomic_fetch_add(&cpus_online, 1U, __ATOMIC_RELEASE);
	__atomic_store_n(&pc->online, true, __ATOMIC_RELEASE);
	if (gz_el2_bootarg("gz.test=guest"))
		gz_el2_guest_secondary((unsigned)cpu);
	if (gz_el2_bootarg("gz.test=host"))
		gz_el2_host_secondary((unsigned)cpu);
	/* Nothing to run yet: give the CPU back to the firmware. */
	gz_psci_fw_call(GZ_PSCI_CPU_OFF, 0, 0, 0);
	for (;;)
		__asm__ volatile("wfi");
}

void gz_el2_main(uint64_t dtb_pa, uint64_t mpidr, uint64_t load_pa, uint64_t link_pa)
{
	const struct gz_el2_platform *p = &gz_el2_platform;
	unsigned online;
	int rc;

	percpu_enter(0, mpidr);
	/* Vectors are in place: let SErrors reach them (IRQ/FIQ stay masked, no GIC setup). */
	__asm__ volatile("msr daifclr, #" GZ_STR(DAIF_ASYNC_BIT));
	gz_printf("\ngzhyp %s (opengz) booting\n", GZ_VERSION);
	gz_printf("gzhyp: CurrentEL=%u\n", current_el());
	if (load_pa != link_pa) {
		gz_printf("gzhyp: error: loaded at 0x%lx, linked for 0x%lx\n", load_pa, link_pa);
		gz_el2_exit(GZ_EL2_EXIT_FAIL);
	}
	gz_printf("gzhyp: image 0x%lx-0x%lx dtb=0x%lx\n", (uint64_t)(uintptr_t)_text,
		  (uint64_t)(uintptr_t)_end, dtb_pa);

	rc = gz_el2_platform_init((const void *)(uintptr_t)dtb_pa);
	gz_el2_platform.dtb_pa = dtb_pa;
	if (rc < 0) {
		gz_printf("gzhyp: error: boot DTB at 0x%lx unusable (%s): %s\n", dtb_pa,
			  gz_el2_platform_stage, gz_fdt_strerror(rc));
		gz_el2_exit(GZ_EL2_EXIT_FAIL);
	}
	gz_pl011_set_base(p->uart_base);
	print_platform();
	gz_printf("timer: cntfrq=%lu Hz\n", gz_hal_cntfrq());

	if (gz_el2_hal_selftest() < 0)
		gz_el2_exit(GZ_EL2_EXIT_FAIL);
	if (gz_el2_mmu_init() < 0)
		gz_el2_exit(GZ_EL2_EXIT_FAIL);
	gz_el2_mmu_enable_cpu();
	if (gz_el2_mmu_selftest() < 0)
		gz_el2_exit(GZ_EL2_EXIT_FAIL);
	gz_el2_vcpu_init_cpu();
	/* A DTB may name a GIC the machine does not have: reported, and only what needs host
	 * interrupts (the guest test mode) refuses to run then. */
	gz_el2_gic_ready = gz_el2_gic_init() == 0 && gz_el2_gic_init_cpu() == 0;
	if (!gz_el2_gic_ready)
		gz_printf("gic: no GICv3 redistributor answers at 0x%lx: no host interrupts\n",
			  p->gicr_base);

	online = start_secondaries();
	gz_printf("smp: %u of %u cpus online\n", online, usable_cpus());

	if (gz_el2_bootarg("gz.test=brk")) {
		gz_printf("test: taking a BRK exception on purpose\n");
		__asm__ volatile("brk #0x4711");
	}
	if (gz_el2_bootarg("gz.test=dabt")) {
		/* With alignment checking on, a misaligned load is a data abort (alignment
		 * fault) with FAR_EL2 = the address. */
		uint64_t addr = p->mem_base[0] + 1, v, sctlr;

		gz_printf("test: misaligned load from 0x%lx on purpose\n", addr);
		__asm__ volatile("mrs %0, sctlr_el2" : "=r"(sctlr));
		__asm__ volatile("msr sctlr_el2, %0\n\tisb" ::"r"(sctlr | SCTLR_ELX_A));
		__asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(addr) : "memory");
		__asm__ volatile("msr sctlr_el2, %0\n\tisb" ::"r"(sctlr));
		gz_printf("test: the load did not fault (0x%lx)\n", v);
	}
	if (gz_el2_bootarg("gz.test=guest"))
		gz_el2_guest_test(online);
	if (gz_el2_bootarg("gz.test=host"))
		gz_el2_host_boot();
	if (gz_el2_bootarg("gz.test=panic"))
		gz_hal_panic("panic requested on the command line");

	gz_el2_exit(online == usable_cpus() ? GZ_EL2_EXIT_OK : GZ_EL2_EXIT_FAIL);
}

/* Not at EL2: QEMU without virtualization=on starts us at EL1. The console and semihosting
 * work there; PSCI is reached with HVC in that configuration. */
void gz_el2_wrong_el(uint64_t el, uint64_t dtb_pa)
{
	gz_printf("\ngzhyp %s (opengz) booting\n", GZ_VERSION);
	gz_printf("gzhyp: CurrentEL=%lu\n", el);
	gz_printf("gzhyp: error: not running at EL2 (CurrentEL=%lu, dtb=0x%lx); a hypervisor "
		  "needs EL2 (QEMU: -M virt,virtualization=on)\n",
		  el, dtb_pa);
	gz_printf("gzhyp: exit status=%u (not at EL2)\n", GZ_EL2_EXIT_FAIL);
	gz_semihost_exit(GZ_EL2_EXIT_FAIL);
	{
		register uint64_t x0 __asm__("x0") = GZ_PSCI_SYSTEM_OFF;

		__asm__ volatile("hvc #0" : "+r"(x0)::"memory");
	}
	for (;;)
		__asm__ volatile("wfi");
}
