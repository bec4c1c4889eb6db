/* Semihosting exit: QEMU (-semihosting) ends with gzhyp's status as its exit code, so a
 * test can hand the status straight to CTest. Without semihosting the HLT is an undefined
 * instruction; gz_el2_trap recognises the probe address, skips the HLT and sets
 * gz_semihost_missing, and the caller falls back to PSCI SYSTEM_OFF. */
#include <arm64/semihost.h>

#include "el2.h"

volatile uint64_t gz_semihost_probe_pc;
volatile bool gz_semihost_missing;

void gz_semihost_exit(unsigned status)
{
	static volatile uint64_t block[2];
	register uint64_t x0 __asm__("x0") = SEMIHOST_SYS_EXIT_EXTENDED;
	register uint64_t x1 __asm__("x1") = (uint64_t)(uintptr_t)block;
	uint64_t tmp;

	block[0] = SEMIHOST_ADP_STOPPED_APPLICATION_EXIT;
	block[1] = status;
	__asm__ volatile("adr %[t], 1f\n\t"
			 "str %[t], [%[probe]]\n\t"
			 "1: hlt #" GZ_STR(SEMIHOST_HLT_IMM)
			 : [t] "=&r"(tmp), "+r"(x0)
			 : "r"(x1), [probe] "r"(&gz_semihost_probe_pc)
			 : "memory");
	gz_semihost_probe_pc = 0;
}
