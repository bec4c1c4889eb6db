/* Calls to the firmware's PSCI (SMC conduit, SMCCC register convention): gzhyp powers the
 * machine off with SYSTEM_OFF and starts secondary CPUs with CPU_ON. */
#include <gzabi/guest_calls.h>

#include "el2.h"

int64_t gz_psci_fw_call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fn;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;

	/* SMCCC 1.0 firmware may clobber x4-x17. */
	__asm__ volatile("smc #0"
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
			 :
			 : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14",
			   "x15", "x16", "x17", "memory");
	return (int64_t)x0;
}

int64_t gz_psci_cpu_on(uint64_t mpidr, uint64_t entry_pa, uint64_t context)
{
	return gz_psci_fw_call(GZ_PSCI_CPU_ON_64, mpidr, entry_pa, context);
}

void gz_psci_system_off(void)
{
	gz_psci_fw_call(GZ_PSCI_SYSTEM_OFF, 0, 0, 0);
}
