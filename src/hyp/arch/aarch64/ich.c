/* GICv3 virtual CPU interface registers (ICH_*_EL2) of this CPU. List registers and active
 * priority registers the CPU does not implement (ICH_VTR_EL2) are UNDEFINED to access: the
 * core must stay within ICH_VTR_EL2, and a request beyond it is a hypervisor bug (panic). */
#include <hal.h>
#include <arm64/ich.h>
#include <arm64/sysreg_el2.h>

#define ICH_READ(name)                                                                             \
	({                                                                                         \
		uint64_t _v;                                                                       \
		__asm__ volatile("mrs %0, " #name : "=r"(_v));                                     \
		_v;                                                                                \
	})
#define ICH_WRITE(name, v) __asm__ volatile("msr " #name ", %0" : : "r"((uint64_t)(v)))

/* X(enum, register name): the read-only ICH registers, then the read-write ones. */
#define ICH_RO_REGS(X)                                                                             \
	X(GZ_ICH_VTR, ich_vtr_el2)                                                                 \
	X(GZ_ICH_MISR, ich_misr_el2)                                                               \
	X(GZ_ICH_EISR, ich_eisr_el2)                                                               \
	X(GZ_ICH_ELRSR, ich_elrsr_el2)
#define ICH_RW_REGS(X)                                                                             \
	X(GZ_ICH_HCR, ich_hcr_el2)                                                                 \
	X(GZ_ICH_VMCR, ich_vmcr_el2)                                                               \
	X(GZ_ICH_AP0R0, ich_ap0r0_el2)                                                             \
	X(GZ_ICH_AP0R1, ich_ap0r1_el2)                                                             \
	X(GZ_ICH_AP0R2, ich_ap0r2_el2)                                                             \
	X(GZ_ICH_AP0R3, ich_ap0r3_el2)                                                             \
	X(GZ_ICH_AP1R0, ich_ap1r0_el2)                                                             \
	X(GZ_ICH_AP1R1, ich_ap1r1_el2)                                                             \
	X(GZ_ICH_AP1R2, ich_ap1r2_el2)                                                             \
	X(GZ_ICH_AP1R3, ich_ap1r3_el2)                                                             \
	X(GZ_ICH_LR0 + 0, ich_lr0_el2)                                                             \
	X(GZ_ICH_LR0 + 1, ich_lr1_el2)                                                             \
	X(GZ_ICH_LR0 + 2, ich_lr2_el2)                                                             \
	X(GZ_ICH_LR0 + 3, ich_lr3_el2)                                                             \
	X(GZ_ICH_LR0 + 4, ich_lr4_el2)                                                             \
	X(GZ_ICH_LR0 + 5, ich_lr5_el2)                                                             \
	X(GZ_ICH_LR0 + 6, ich_lr6_el2)                                                             \
	X(GZ_ICH_LR0 + 7, ich_lr7_el2)                                                             \
	X(GZ_ICH_LR0 + 8, ich_lr8_el2)                                                             \
	X(GZ_ICH_LR0 + 9, ich_lr9_el2)                                                             \
	X(GZ_ICH_LR0 + 10, ich_lr10_el2)                                                           \
	X(GZ_ICH_LR0 + 11, ich_lr11_el2)                                                           \
	X(GZ_ICH_LR0 + 12, ich_lr12_el2)                                                           \
	X(GZ_ICH_LR0 + 13, ich_lr13_el2)                                                           \
	X(GZ_ICH_LR0 + 14, ich_lr14_el2)                                                           \
	X(GZ_ICH_LR0 + 15, ich_lr15_el2)

/* Is @reg implemented on this CPU? LRs up to ListRegs; AP<n>R<m> for m < 2^(PRIbits-5). */
static bool ich_implemented(enum gz_ich_reg reg)
{
	uint64_t vtr = ICH_READ(ich_vtr_el2);
	unsigned lrs = (unsigned)GZ_FIELD_GET(ARCH_ICH_VTR_LISTREGS, vtr) + 1U;
	unsigned pribits = (unsigned)GZ_FIELD_GET(ARCH_ICH_VTR_PRIBITS, vtr) + 1U;
	unsigned naprs = pribits >= 7 ? 4U : pribits == 6 ? 2U : 1U;

	if (reg >= GZ_ICH_LR0 && reg <= GZ_ICH_LR15)
		return (unsigned)(reg - GZ_ICH_LR0) < lrs;
	if (reg >= GZ_ICH_AP0R0 && reg <= GZ_ICH_AP0R3)
		return (unsigned)(reg - GZ_ICH_AP0R0) < naprs;
	if (reg >= GZ_ICH_AP1R0 && reg <= GZ_ICH_AP1R3)
		return (unsigned)(reg - GZ_ICH_AP1R0) < naprs;
	return reg < GZ_ICH_NR_REGS;
}

uint64_t gz_hal_ich_read(enum gz_ich_reg reg)
{
	if (!ich_implemented(reg))
		gz_hal_panic("ich_read: register not implemented by this CPU (ICH_VTR_EL2)");
	switch ((int)reg) {
#define READ_CASE(e, name)                                                                         \
	case e:                                                                                    \
		return ICH_READ(name);
		ICH_RO_REGS(READ_CASE)
		ICH_RW_REGS(READ_CASE)
#undef READ_CASE
	}
	gz_hal_panic("ich_read: bad register");
}

void gz_hal_ich_write(enum gz_ich_reg reg, uint64_t val)
{
	if (!ich_implemented(reg))
		gz_hal_panic("ich_write: register not implemented by this CPU (ICH_VTR_EL2)");
	switch ((int)reg) {
#define WRITE_CASE(e, name)                                                                        \
	case e:                                                                                    \
		ICH_WRITE(name, val);                                                              \
		__asm__ volatile("isb");                                                           \
		return;
		ICH_RW_REGS(WRITE_CASE)
#undef WRITE_CASE
	}
	gz_hal_panic("ich_write: register is read-only or unknown");
}
