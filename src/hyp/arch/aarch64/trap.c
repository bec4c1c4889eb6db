/* C side of the EL2 vectors for traps without a loaded vCPU (a vCPU's go to
 * gz_el2_guest_trap, vcpu_run.c): the semihosting probe, else an unexpected exception:
 * report the syndrome and all registers on the console and power off with
 * GZ_EL2_EXIT_EXCEPTION. */
#include <hal.h>
#include <arm64/esr.h>

#include "el2.h"

/* Nesting of unexpected-exception reports on any CPU: a fault while reporting must not
 * recurse forever. */
static volatile unsigned report_depth;

static const char *const slot_names[GZ_VEC_COUNT] = {
    "EL2t sync",    "EL2t irq",	   "EL2t fiq",	  "EL2t serror",
    "EL2h sync",    "EL2h irq",	   "EL2h fiq",	  "EL2h serror",
    "lower64 sync", "lower64 irq", "lower64 fiq", "lower64 serror",
    "lower32 sync", "lower32 irq", "lower32 fiq", "lower32 serror",
};

static void report(const struct gz_el2_frame *f, unsigned slot)
{
	unsigned ec = ESR_EC(f->esr);

	gz_el2_raw_printf("\ngzhyp: UNEXPECTED EXCEPTION on cpu%u: %s (vector %u)\n",
			  gz_hal_cpu_id(), slot_names[slot], slot);
	gz_el2_raw_printf("  ESR_EL2=0x%016lx EC=0x%02x (%s) ISS=0x%07lx\n", f->esr, ec,
			  arm64_esr_ec_name(ec), (uint64_t)ESR_ISS(f->esr));
	gz_el2_raw_printf("  ELR_EL2=0x%016lx FAR_EL2=0x%016lx\n", f->elr, f->far);
	gz_el2_raw_printf("  SPSR_EL2=0x%016lx SP=0x%016lx\n", f->spsr, f->sp);
	for (unsigned i = 0; i < 31; i++)
		gz_el2_raw_printf("  x%-2u=0x%016lx%s", i, f->x[i],
				  (i % 4 == 3 || i == 30) ? "\n" : "");
}

void gz_el2_trap(struct gz_el2_frame *frame, unsigned slot)
{
	unsigned ec = ESR_EC(frame->esr);

	/* The semihosting HLT without -semihosting: skip it, the caller falls back to PSCI. */
	if (slot == GZ_VEC_CUR_SPX_SYNC && ec == ESR_EC_UNKNOWN && gz_semihost_probe_pc &&
	    frame->elr == gz_semihost_probe_pc) {
		gz_semihost_missing = true;
		frame->elr += 4;
		return;
	}
	switch (__atomic_fetch_add(&report_depth, 1U, __ATOMIC_RELAXED)) {
	case 0:
		report(frame, slot);
		break;
	case 1:
		gz_el2_raw_printf("\ngzhyp: exception while reporting one (%s, ESR_EL2=0x%lx)\n",
				  slot_names[slot], frame->esr);
		break;
	default: /* the exit path itself faults: power off without another word */
		gz_psci_system_off();
		for (;;)
			__asm__ volatile("wfi");
	}
	gz_el2_exit(GZ_EL2_EXIT_EXCEPTION);
}
