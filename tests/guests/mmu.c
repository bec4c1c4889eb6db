/* mmu: the guest turns on its own stage-1 MMU with an identity map of RAM and devices plus an
 * alias of RAM at 0x80000000, then writes through the alias, reads through the identity
 * mapping, calls a function through the alias and takes an abort on an unmapped VA. */
#include "common/guest.h"

#define ALIAS	    0x80000000UL
#define PT_VALID    (1UL << 0)
#define PT_TABLE    (1UL << 1)
#define PT_AF	    (1UL << 10)
#define PT_SH_INNER (3UL << 8)
#define PT_ATTR(n)  ((uint64_t)(n) << 2)

static uint64_t l1[512] __attribute__((aligned(4096)));
static volatile uint64_t shared_word;
static volatile unsigned aborts;

void guest_sync(struct frame *f, unsigned kind)
{
	uint64_t esr = read_sysreg(esr_el1);

	printf_("abort: kind %u EC %lx FSC %lx FAR %lx\n", kind, esr >> 26, esr & 0x3f,
		read_sysreg(far_el1));
	aborts++;
	f->elr += 4;
}

static __attribute__((noinline)) uint64_t where_am_i(void)
{
	uint64_t pc;

	__asm__ volatile("adr %0, ." : "=r"(pc));
	return pc;
}

void guest_main(unsigned cpu)
{
	uint64_t (*alias_fn)(void), v;
	volatile uint64_t *alias_word;

	(void)cpu;
	/* 1 GiB blocks: [0, 1G) device, [1G, 2G) normal RAM, [2G, 3G) alias of RAM. */
	l1[0] = 0x00000000UL | PT_VALID | PT_AF | PT_ATTR(0);
	l1[1] = RAM_BASE | PT_VALID | PT_AF | PT_SH_INNER | PT_ATTR(1);
	l1[2] = RAM_BASE | PT_VALID | PT_AF | PT_SH_INNER | PT_ATTR(1);
	l1[4] = 0x00000000UL | PT_VALID | PT_AF | PT_ATTR(0); /* [4G, 5G): devices again */
	dsb();
	write_sysreg(mair_el1, 0xff00UL); /* attr0 device, attr1 WB */
	write_sysreg(tcr_el1, 25UL | (1UL << 8) | (1UL << 10) | (3UL << 12) | (2UL << 32) |
				  (1UL << 23)); /* T0SZ=25, WBWA, inner shareable, 40-bit, EPD1 */
	write_sysreg(ttbr0_el1, (uint64_t)l1);
	isb();
	write_sysreg(sctlr_el1, read_sysreg(sctlr_el1) | 1UL | (1UL << 2) | (1UL << 12));
	isb();
	printf_("MMU on: SCTLR.M %lu\n", read_sysreg(sctlr_el1) & 1);
	alias_word = (volatile uint64_t *)((uint64_t)&shared_word - RAM_BASE + ALIAS);
	*alias_word = 0x5eed5eedUL;
	printf_("identity view after alias write: %lx\n", shared_word);
	alias_fn = (uint64_t(*)(void))((uint64_t)where_am_i - RAM_BASE + ALIAS);
	v = alias_fn();
	printf_("function via alias runs at alias: %s\n",
		v >= ALIAS && v < ALIAS + 0x40000000UL ? "yes" : "no");
	(void)*(volatile uint64_t *)0xc0000000UL; /* no stage-1 mapping */
	printf_("%u aborts after unmapped VA\n", aborts);
	/* Stage 2: VA 0x120000000 -> IPA 0x20000000, outside every memory region. */
	(void)*(volatile uint32_t *)0x120000000UL;
	printf_("%u aborts after unmapped IPA\n", aborts);
}
