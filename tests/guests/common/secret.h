/* The victim's side of the malicious-host tests (tests/qemu/gzattack/hattack.h reads the
 * same mailbox): a secret pattern in pages of private RAM, one shared mailbox page naming
 * them, and the wait for the host's "done" with the pattern checked all along. */
#ifndef GUEST_SECRET_H
#define GUEST_SECRET_H

#include "guest.h"

#define SECRET_PAGES  16
#define SECRET_MAGIC  0x5ec2e75e00000000UL /* high word: what a scan looks for */
#define MAILBOX_MAGIC 0x31584f424c49414dUL /* "MAILBOX1" */
#define HOST_DONE     0xd0e

/* The mailbox, word by word: the bounce pool's IPA and pages are 0 without one. */
enum { MB_MAGIC, MB_SELF, MB_SECRET, MB_PAGES, MB_BOUNCE, MB_BOUNCE_PAGES, MB_DONE = 8 };

/* A word of the secret (also what a guest writes to its disk). */
static inline uint64_t secret_word(unsigned p, unsigned i)
{
	return SECRET_MAGIC | (uint64_t)p << 16 | i;
}

/* Writes the secret, shares the mailbox (naming the bounce pool, if any), prints "waiting
 * for the host" and checks the secret until the host says done or 120 s of guest time pass;
 * prints the outcome. */
void secret_run(uint64_t bounce, uint64_t bounce_pages);

#endif
