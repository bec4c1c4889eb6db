/* pingpong: PINGPONG_SGIS SGIs (65,536 by default) bounced between two vCPUs: vCPU 0 sends
 * SGI 1 to vCPU 1, whose handler answers with SGI 2, and vCPU 0 sends the next one only once
 * the answer came. Half of them while both vCPUs wait in WFI, half while both spin (IRQs
 * unmasked, nothing but the other's SGI to end the wait). Every SGI must arrive exactly once
 * and in turn; a waiting vCPU's wake-up is on the path of each (bench/ipi times it).
 * pingpong_short.c is the same guest with fewer SGIs. */
#include "common/guest.h"

#ifndef PINGPONG_SGIS
#define PINGPONG_SGIS 65536
#endif
#define ROUNDS	 (PINGPONG_SGIS / 4) /* round trips per half */
#define SGI_PING 1
#define SGI_PONG 2

enum { WAIT_WFI, WAIT_SPIN };

static volatile unsigned pings, pongs, bad, up, mode;

void guest_irq(unsigned intid)
{
	if (cpu_index() == 1 && intid == SGI_PING) {
		/* a ping is answered at once, and only after its pong was taken */
		if (pings != pongs)
			bad++;
		pings++;
		gic_send_sgi(SGI_PONG, 0);
	} else if (cpu_index() == 0 && intid == SGI_PONG) {
		pongs++;
		if (pongs != pings)
			bad++;
	} else {
		bad++;
	}
}

static void setup_cpu(unsigned cpu)
{
	gic_init_cpu(cpu);
	gic_enable_ppi(cpu, SGI_PING, 0x80);
	gic_enable_ppi(cpu, SGI_PONG, 0x80);
	irq_enable();
}

/* vCPU 0's half: ROUNDS round trips, waiting the way vCPU 1 does. */
static void half(unsigned how, const char *what)
{
	unsigned first = pongs;
#ifdef PINGPONG_TIMES
	uint64_t t0 = read_sysreg(cntvct_el0);
#endif

	mode = how;
	dsb();
	for (unsigned i = first + 1; i <= first + ROUNDS && !bad; i++) {
		gic_send_sgi(SGI_PING, 1);
		if (how == WAIT_WFI)
			wfi_until(pongs == i || bad);
		else
			while (pongs != i && !bad)
				;
	}
	printf_("pingpong %s: %u SGIs, %s\n", what, 2 * (pongs - first),
		bad || pongs - first != ROUNDS ? "WRONG order or count" : "each once and in turn");
#ifdef PINGPONG_TIMES
	printf_("pingpong %s: %lu counter ticks at %lu Hz\n", what, read_sysreg(cntvct_el0) - t0,
		read_sysreg(cntfrq_el0));
#endif
}

void guest_main(unsigned cpu)
{
	if (cpu == 1) {
		setup_cpu(1);
		__atomic_store_n(&up, 1, __ATOMIC_SEQ_CST);
		for (;;) /* the handler answers; the VM ends with vCPU 0 */
			if (mode == WAIT_WFI)
				wfi();
	}
	gic_init_dist();
	setup_cpu(0);
	if (hvc(PSCI_CPU_ON, 1, (uint64_t)secondary_entry, 1) != 0) {
		puts_("pingpong: no second vCPU\n");
		return;
	}
	while (!up)
		__asm__ volatile("yield");
	half(WAIT_WFI, "in WFI");
	half(WAIT_SPIN, "spinning");
	irq_disable();
	printf_("pingpong: %u SGIs between 2 vCPUs\n", pings + pongs);
}
