/* idregs: the ID registers as the hypervisor tells them (HCR_EL2.TID3 traps every read): the
 * AArch64 view opengz sanitises (EL0/EL1 AArch64 only, no EL2/EL3, the GICv3 system
 * registers, the debug unit and PMU it offers, the VM's IPA size as PARange; no SVE, pointer
 * authentication, MTE...), AArch32 and unallocated encodings reading as zero, and a write to
 * an ID register UNDEFINED. The same on every CPU model both worlds run (Cortex-A72). */
#include "common/guest.h"

static volatile unsigned undefs;

void guest_sync(struct frame *f, unsigned kind)
{
	uint64_t esr = read_sysreg(esr_el1);

	printf_("exception kind %u EC %lx\n", kind, esr >> 26);
	undefs++;
	f->elr += 4;
}

#define SHOW(name, reg) printf_("%s %lx\n", name, read_sysreg(reg))

void guest_main(unsigned cpu)
{
	(void)cpu;
	SHOW("ID_AA64PFR0_EL1", S3_0_C0_C4_0);
	SHOW("ID_AA64PFR1_EL1", S3_0_C0_C4_1);
	SHOW("ID_AA64ZFR0_EL1", S3_0_C0_C4_4);
	SHOW("ID_AA64DFR0_EL1", S3_0_C0_C5_0);
	SHOW("ID_AA64DFR1_EL1", S3_0_C0_C5_1);
	SHOW("ID_AA64AFR0_EL1", S3_0_C0_C5_4);
	SHOW("ID_AA64ISAR0_EL1", S3_0_C0_C6_0);
	SHOW("ID_AA64ISAR1_EL1", S3_0_C0_C6_1);
	SHOW("ID_AA64ISAR2_EL1", S3_0_C0_C6_2);
	SHOW("ID_AA64MMFR0_EL1", S3_0_C0_C7_0);
	SHOW("ID_AA64MMFR1_EL1", S3_0_C0_C7_1);
	SHOW("ID_AA64MMFR2_EL1", S3_0_C0_C7_2);
	SHOW("ID_PFR0_EL1 (AArch32)", S3_0_C0_C1_0);
	SHOW("ID_ISAR0_EL1 (AArch32)", S3_0_C0_C2_0);
	SHOW("MVFR0_EL1 (AArch32)", S3_0_C0_C3_0);
	SHOW("unallocated S3_0_C0_C7_7", S3_0_C0_C7_7);
	write_sysreg(S3_0_C0_C5_0, 0);
	printf_("after a write: ID_AA64DFR0_EL1 %lx, %u undefined\n", read_sysreg(S3_0_C0_C5_0),
		undefs);
}
