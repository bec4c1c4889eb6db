/* ipi: every vCPU sends SGI <its index> to every other vCPU; each counts what it received;
 * the boot CPU prints the matrix once everyone is done. */
#include "common/guest.h"

#define MAX_CPUS 8

static volatile unsigned received[MAX_CPUS][16];
static volatile unsigned ready, done, ncpus, go;

void guest_irq(unsigned intid)
{
	if (intid < 16)
		__atomic_fetch_add(&received[cpu_index()][intid], 1, __ATOMIC_SEQ_CST);
	else
		printf_("unexpected interrupt %u\n", intid);
}

static unsigned total(unsigned cpu)
{
	unsigned t = 0;

	for (unsigned s = 0; s < 16; s++)
		t += received[cpu][s];
	return t;
}

static void run(unsigned cpu)
{
	while (!go)
		__asm__ volatile("yield");
	gic_init_cpu(cpu);
	for (unsigned i = 0; i < 16; i++)
		gic_enable_ppi(cpu, i, 0x80);
	irq_enable();
	__atomic_fetch_add(&ready, 1, __ATOMIC_SEQ_CST);
	while (ready != ncpus)
		__asm__ volatile("yield");
	for (unsigned t = 0; t < ncpus; t++)
		if (t != cpu)
			gic_send_sgi(cpu, t);
	/* The last SGI may come between a check and the WFI: wfi_until masks IRQs around it. */
	wfi_until(total(cpu) == ncpus - 1);
	__atomic_fetch_add(&done, 1, __ATOMIC_SEQ_CST);
}

void guest_main(unsigned cpu)
{
	if (cpu != 0) {
		run(cpu);
		hvc(PSCI_CPU_OFF, 0, 0, 0);
		for (;;)
			wfi();
	}
	gic_init_dist();
	ncpus = 1;
	for (unsigned i = 1; i < MAX_CPUS; i++) {
		if (hvc(PSCI_CPU_ON, i, (uint64_t)secondary_entry, i) != 0)
			break;
		ncpus++;
	}
	printf_("ipi: %u cpus\n", ncpus);
	go = 1;
	run(0);
	while (done != ncpus)
		__asm__ volatile("yield");
	for (unsigned c = 0; c < ncpus; c++) {
		printf_("cpu %u got:", c);
		for (unsigned s = 0; s < ncpus; s++)
			printf_(" %u", received[c][s]);
		puts_("\n");
	}
}
