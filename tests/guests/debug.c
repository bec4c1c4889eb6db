/* debug: the guest's own debug unit, as the hypervisor offers it: a hardware breakpoint, a
 * watchpoint on stores (a load of the same word passes) and a software step over three
 * instructions, each taken at EL1 with the syndrome hardware gives (EC 0x31, 0x35, 0x33 from
 * the same EL); the OS lock holds all of them off. Debug exceptions are enabled at EL1
 * (MDSCR_EL1.KDE, PSTATE.D clear). */
#include "common/guest.h"

#define MDSCR_SS  (1UL << 0)
#define MDSCR_KDE (1UL << 13)
#define MDSCR_MDE (1UL << 15)
#define BCR_EL1	  0x1e3UL  /* E, EL1 only, all four bytes */
#define WCR_STORE 0x1ff3UL /* E, EL1 only, stores, all eight bytes */
#define SPSR_SS	  (1UL << 21)

static volatile uint64_t watched __attribute__((aligned(8)));
static volatile unsigned steps, hits;
extern char step_insns[];

__attribute__((noinline)) static unsigned bp_target(unsigned x)
{
	__asm__ volatile("" ::: "memory");
	return x + 1;
}

void guest_sync(struct frame *f, unsigned kind)
{
	uint64_t esr = read_sysreg(esr_el1), ec = esr >> 26, iss = esr & 0x1ffffff;

	hits++;
	switch (ec) {
	case 0x31:
		printf_("breakpoint: kind %u EC %lx ISS %lx at bp_target: %d\n", kind, ec, iss,
			f->elr == (uint64_t)bp_target);
		write_sysreg(dbgbcr0_el1, 0);
		break;
	case 0x35:
		printf_("watchpoint: EC %lx ISS %lx FAR is the word: %d\n", ec, iss,
			read_sysreg(far_el1) == (uint64_t)&watched);
		write_sysreg(dbgwcr0_el1, 0);
		break;
	case 0x33:
		steps++;
		printf_("step %u: EC %lx ISS %lx at step_insns + %lu\n", steps, ec, iss,
			f->elr - (uint64_t)step_insns);
		if (steps < 3)
			f->spsr |= SPSR_SS;
		else
			write_sysreg(mdscr_el1, 0);
		break;
	default:
		printf_("unexpected exception EC %lx ISS %lx ELR %lx\n", ec, iss, f->elr);
		system_off();
	}
	isb();
}

void guest_main(unsigned cpu)
{
	uint64_t x11, w;
	unsigned r;

	(void)cpu;
	printf_("ID_AA64DFR0_EL1 BRPs %lu WRPs %lu\n", (read_sysreg(S3_0_C0_C5_0) >> 12 & 0xf) + 1,
		(read_sysreg(S3_0_C0_C5_0) >> 20 & 0xf) + 1);
	write_sysreg(oslar_el1, 1);
	printf_("OSLSR_EL1 %lx (locked)\n", read_sysreg(oslsr_el1));

	write_sysreg(dbgbvr0_el1, (uint64_t)bp_target);
	write_sysreg(dbgbcr0_el1, BCR_EL1);
	write_sysreg(mdscr_el1, MDSCR_MDE | MDSCR_KDE);
	printf_("MDSCR_EL1 %lx, DBGBCR0_EL1 %lx\n", read_sysreg(mdscr_el1),
		read_sysreg(dbgbcr0_el1));
	isb();
	__asm__ volatile("msr daifclr, #8" ::: "memory");
	r = bp_target(1);
	printf_("bp_target with the OS lock locked: %u, %u exceptions\n", r, hits);
	write_sysreg(oslar_el1, 0);
	isb();
	printf_("OSLSR_EL1 %lx (unlocked)\n", read_sysreg(oslsr_el1));
	r = bp_target(2);
	printf_("bp_target: %u, %u exceptions\n", r, hits);

	write_sysreg(dbgwvr0_el1, (uint64_t)&watched);
	write_sysreg(dbgwcr0_el1, WCR_STORE);
	isb();
	w = watched;
	printf_("load of the word: %lu, %u exceptions\n", w, hits);
	watched = 42;
	w = watched;
	printf_("after the store: %lu, %u exceptions\n", w, hits);

	/* ERET into the three instructions with SPSR.SS set: each one executed is a step. With
	 * PSTATE.D clear the step would be pending at once (the instruction after the MSR). */
	__asm__ volatile("msr daifset, #8" ::: "memory");
	write_sysreg(mdscr_el1, MDSCR_MDE | MDSCR_KDE | MDSCR_SS);
	isb();
	__asm__ volatile("adr x9, step_insns\n"
			 "msr elr_el1, x9\n"
			 "mov x10, #0x1c5\n"	      /* EL1h, D clear, A I F masked */
			 "movk x10, #0x20, lsl #16\n" /* SS */
			 "msr spsr_el1, x10\n"
			 "isb\n"
			 "eret\n"
			 ".globl step_insns\n"
			 "step_insns:\n"
			 "mov x11, #1\n"
			 "add x11, x11, #2\n"
			 "add x11, x11, #3\n"
			 "add x11, x11, #4\n"
			 "mov %0, x11\n"
			 : "=r"(x11)
			 :
			 : "x9", "x10", "x11", "memory");
	printf_("stepped: x11 %lu, %u steps, MDSCR_EL1 %lx\n", x11, steps, read_sysreg(mdscr_el1));
}
