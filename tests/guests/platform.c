/* platform: the corners of the virtual platform: PSCI discovery (FEATURES, AFFINITY_INFO,
 * the SMC32 CPU_ON, PSCI over SMC), GIC distributor and redistributor identification and
 * pending/enable registers, a physical-timer access (the emulated timer, off out of reset;
 * the ptimer guest tests it), WFE, and a store pair to a device (no instruction syndrome, so
 * nothing can emulate it: the VMM gives the guest an external abort). */
#include "common/guest.h"

static volatile unsigned up;
static volatile unsigned aborts;

void guest_sync(struct frame *f, unsigned kind)
{
	uint64_t esr = read_sysreg(esr_el1);

	printf_("abort kind %u EC %lx ISS %lx\n", kind, esr >> 26, esr & 0x1ffffff);
	aborts++;
	f->elr += 4;
}

static uint64_t smc(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fn;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;

	__asm__ volatile("smc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
	return x0;
}

void guest_main(unsigned cpu)
{
	uint64_t rd = GICR_BASE, v;

	if (cpu != 0) {
		up = 1;
		hvc(PSCI_CPU_OFF, 0, 0, 0);
		for (;;)
			wfi();
	}
	printf_("PSCI_FEATURES(CPU_ON) %ld, (0x12345) %ld\n",
		(int64_t)hvc(PSCI_FEATURES, PSCI_CPU_ON, 0, 0),
		(int64_t)hvc(PSCI_FEATURES, 0x12345, 0, 0));
	printf_("AFFINITY_INFO cpu 1: %ld, cpu 9: %ld\n",
		(int64_t)hvc(GZ_PSCI_AFFINITY_INFO_64, 1, 0, 0),
		(int64_t)hvc(GZ_PSCI_AFFINITY_INFO_64, 9, 0, 0));
	printf_("PSCI_VERSION over SMC: %lx\n", smc(PSCI_VERSION, 0, 0, 0));
	printf_("CPU_ON32 cpu 1: %ld\n",
		(int64_t)hvc(GZ_PSCI_CPU_ON_32, 1, (uint32_t)(uint64_t)secondary_entry, 1));
	while (!up)
		__asm__ volatile("wfe");
	printf_("GICD_TYPER %x GICD_IIDR %x GICD_PIDR2 %x\n", r32(GICD_BASE + 4),
		r32(GICD_BASE + 8), r32(GICD_BASE + 0xffe8));
	printf_("GICR_TYPER %lx GICR_WAKER %x\n", r64(rd + 8), r32(rd + 0x14));
	w32(rd + 0x10100, 0x3); /* ISENABLER0: SGI 0, 1 */
	w32(rd + 0x10180, 0x1); /* ICENABLER0: SGI 0 */
	w32(rd + 0x10200, 0x4); /* ISPENDR0: SGI 2 */
	printf_("enabled %x pending %x\n", r32(rd + 0x10100), r32(rd + 0x10200));
	w32(rd + 0x10280, 0x4); /* ICPENDR0 */
	printf_("pending after clear %x\n", r32(rd + 0x10280));
	/* Trapped to the hypervisor, which emulates the physical timer: off out of reset. */
	v = 0x5555;
	__asm__ volatile("mrs %0, cntp_ctl_el0" : "+r"(v));
	printf_("CNTP_CTL_EL0 %lx\n", v);
	__asm__ volatile("stp %0, %0, [%1]" ::"r"(1UL), "r"(0x0b000000UL) : "memory");
	printf_("%u aborts\n", aborts);
}
