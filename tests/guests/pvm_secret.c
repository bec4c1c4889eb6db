/* pvm_secret: the victim of the malicious-host tests (tests/sim/host_attack.c, the full
 * stack's gzattack). A protected guest (gzvmm --protected) writes a secret pattern into 16
 * pages of its private RAM and shares one mailbox page (MEM_SHARE) that names them, so that
 * the attacker can find their IPAs: it then checks the pattern again and again, with no exit
 * to the host, until the host writes "done" into the mailbox (the attacks are over) or 120 s
 * of guest time pass. Its last lines say whether the secret survived; the host proves
 * afterwards that the pages it got back were scrubbed. */
#include "common/guest.h"

#define MEM_SHARE     0xc6000003UL
#define SECRET_PAGES  16
#define SECRET_MAGIC  0x5ec2e75e00000000UL /* high word: what a scan looks for */
#define MAILBOX_MAGIC 0x31584f424c49414dUL /* "MAILBOX1" */
#define HOST_DONE     0xd0e

/* The mailbox, word by word (tests/qemu/gzattack/hattack.h reads the same). */
enum { MB_MAGIC, MB_SELF, MB_SECRET, MB_PAGES, MB_DONE = 8 };

static uint64_t secret[SECRET_PAGES][512] __attribute__((aligned(4096)));
static volatile uint64_t mailbox[512] __attribute__((aligned(4096)));

static uint64_t pattern(unsigned p, unsigned i)
{
	return SECRET_MAGIC | (uint64_t)p << 16 | i;
}

/* Words of the secret that are not what the guest wrote. */
static unsigned check(void)
{
	unsigned bad = 0;

	for (unsigned p = 0; p < SECRET_PAGES; p++)
		for (unsigned i = 0; i < 512; i++)
			bad += ((volatile uint64_t *)secret[p])[i] != pattern(p, i);
	return bad;
}

void guest_main(unsigned cpu)
{
	uint64_t end;
	unsigned bad = 0;

	(void)cpu;
	for (unsigned p = 0; p < SECRET_PAGES; p++)
		for (unsigned i = 0; i < 512; i++)
			secret[p][i] = pattern(p, i);
	printf_("secret: %u pages written\n", SECRET_PAGES);
	print_status("share the mailbox", (int64_t)hvc(MEM_SHARE, (uint64_t)mailbox, 0, 0));
	mailbox[MB_SELF] = (uint64_t)mailbox;
	mailbox[MB_SECRET] = (uint64_t)secret;
	mailbox[MB_PAGES] = SECRET_PAGES;
	dsb();
	mailbox[MB_MAGIC] = MAILBOX_MAGIC;
	dsb();
	printf_("waiting for the host\n");
	end = read_sysreg(cntvct_el0) + 120 * read_sysreg(cntfrq_el0);
	while (mailbox[MB_DONE] != HOST_DONE && read_sysreg(cntvct_el0) < end) {
		bad |= check();
	}
	bad |= check();
	printf_("the host says: %s\n", mailbox[MB_DONE] == HOST_DONE ? "done" : "nothing");
	printf_("secret intact: %s\n", bad ? "NO" : "yes");
}
