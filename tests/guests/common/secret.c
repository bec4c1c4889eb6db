/* The victim's side of the malicious-host tests (secret.h). */
#include "secret.h"

static uint64_t secret[SECRET_PAGES][512] __attribute__((aligned(4096)));
static volatile uint64_t mailbox[512] __attribute__((aligned(4096)));

/* Words of the secret that are not what the guest wrote. */
static unsigned check(void)
{
	unsigned bad = 0;

	for (unsigned p = 0; p < SECRET_PAGES; p++)
		for (unsigned i = 0; i < 512; i++)
			bad += ((volatile uint64_t *)secret[p])[i] != secret_word(p, i);
	return bad;
}

void secret_run(uint64_t bounce, uint64_t bounce_pages)
{
	uint64_t end;
	unsigned bad = 0;

	for (unsigned p = 0; p < SECRET_PAGES; p++)
		for (unsigned i = 0; i < 512; i++)
			secret[p][i] = secret_word(p, i);
	printf_("secret: %u pages written\n", SECRET_PAGES);
	print_status("share the mailbox",
		     (int64_t)hvc(GZ_VENDOR_HYP_MEM_SHARE, (uint64_t)mailbox, 0, 0));
	mailbox[MB_SELF] = (uint64_t)mailbox;
	mailbox[MB_SECRET] = (uint64_t)secret;
	mailbox[MB_PAGES] = SECRET_PAGES;
	mailbox[MB_BOUNCE] = bounce;
	mailbox[MB_BOUNCE_PAGES] = bounce_pages;
	dsb();
	mailbox[MB_MAGIC] = MAILBOX_MAGIC;
	dsb();
	printf_("waiting for the host\n");
	end = read_sysreg(cntvct_el0) + 120 * read_sysreg(cntfrq_el0);
	while (mailbox[MB_DONE] != HOST_DONE && read_sysreg(cntvct_el0) < end)
		bad |= check();
	bad |= check();
	printf_("the host says: %s\n", mailbox[MB_DONE] == HOST_DONE ? "done" : "nothing");
	printf_("secret intact: %s\n", bad ? "NO" : "yes");
}
